"""Where a finished gradient goes: through the tensor's hooks, then into ``.grad`` (of a leaf,
or of a tensor that called ``retain_grad``), or into the results of ``autograd.grad``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu.autograd import variable
from tinygrad_edu.autograd.variable import Gradient, Variable, as_tensor


def _checked_hook_result(t: Variable, new: Any) -> Any:
    if not isinstance(new, variable.tensor_class):
        raise TypeError(f"a hook must return a Tensor or None, got {type(new).__name__}")
    if new.shape != t.shape or new.dtype != t.dtype:
        raise RuntimeError(
            f"a hook changed the gradient of a tensor of shape {t.shape} and dtype {t.dtype} "
            f"into one of shape {new.shape} and dtype {new.dtype}; it must keep both"
        )
    return new


class Delivery:
    """Where finished gradients go: ``.grad`` of leaves (and of tensors that retain theirs), or
    the results of ``autograd.grad`` (``inputs`` given: then no ``.grad`` changes)."""

    def __init__(
        self, inputs: Sequence[Variable] | None, create_graph: bool, seeds: Sequence[Variable]
    ) -> None:
        self.results: list[Any] = [None] * len(inputs or ())
        self.wanted: dict[int, list[int]] | None = None  # id of an input -> its places in results
        if inputs is not None:
            self.wanted = {}
            for i, x in enumerate(inputs):
                self.wanted.setdefault(id(x), []).append(i)
        self.create_graph = create_graph
        # Arrays handed to a .grad so far: a second leaf getting the same one gets a copy, so
        # changing one .grad in place can never change another.
        self.given: set[int] = {id(g.data) for g in seeds}

    def deliver(self, t: Variable, grad: Gradient) -> Gradient:
        """t's gradient is complete: run its hooks (a Tensor one returns replaces it), then store
        it where it was asked for."""
        if t._hooks:
            for hook in list(t._hooks.values()):
                new = hook(as_tensor(grad))
                if new is not None:
                    grad = _checked_hook_result(t, new)
        if self.wanted is not None:
            for i in self.wanted.get(id(t), ()):
                self.results[i] = as_tensor(grad)
        elif t.grad_fn is None or t._retains_grad:
            self.accumulate(t, grad)
        return grad

    def accumulate(self, t: Variable, grad: Gradient) -> None:
        """Add ``grad`` (an ndarray, or a Tensor) into ``t.grad``."""
        if self.create_graph:
            grad = as_tensor(grad)
        else:
            data = grad if isinstance(grad, np.ndarray) else grad.data
            # Own the array unless it is fresh: a view, or one already given to another tensor,
            # is copied so that the stored gradient aliases nothing else.
            if data.base is not None or id(data) in self.given or not data.flags.writeable:
                data = np.array(data, copy=True)
            self.given.add(id(data))
            grad = variable.tensor_class._wrap(data, False, None)
        # Out of place: an earlier .grad someone holds stays unchanged. (Into the slot behind
        # .grad: the setter's checks are for users, and this sum has the right shape and dtype.)
        t._grad = grad if t._grad is None else t._grad + grad
