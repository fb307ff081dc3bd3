"""What the autograd core needs of a tensor (the Variable protocol), and what a gradient is.

The core (function.py, engine.py) is written against this protocol, not against the Tensor class,
so the layers import one way: the Tensor module imports the core, never the reverse (minitorch's
``Variable`` protocol is the model). The one thing a protocol cannot do is make a new tensor, which
``Function.apply`` must for every result: the Tensor module hands its class over once, right after
defining it (``set_tensor_class``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, Union

import numpy as np

if TYPE_CHECKING:
    from tinygrad_edu.autograd.function import Function


class Variable(Protocol):
    """A tensor as the engine sees it: an array, the node that made it, and its gradient."""

    data: np.ndarray
    requires_grad: bool
    grad_fn: Function | None
    _grad: Any  # the slot behind .grad, which backward fills
    _hooks: dict[int, Callable[[Any], Any]] | None  # register_hook's functions, if any
    _retains_grad: bool  # retain_grad() was called on this non-leaf
    _vc: list[Any] | None  # [version, last in-place op]: made the first time it is needed

    @property
    def shape(self) -> tuple[int, ...]: ...

    @property
    def dtype(self) -> np.dtype: ...

    @classmethod
    def _wrap(cls, data: np.ndarray, requires_grad: bool, grad_fn: Function | None) -> Any: ...


# A gradient, as the engine carries it and a backward formula receives it: a plain ndarray in the
# usual ``backward()`` (nothing recorded: NumPy speed), a Tensor under ``create_graph=True`` (every
# step recorded, so the gradient can be differentiated again). See Function.backward_on_arrays.
Gradient = Union[np.ndarray, Variable]  # noqa: UP007 (a runtime alias: Python 3.10 has no `type`)

# The Tensor class, once the Tensor module has handed it over.
tensor_class: Any = None


def set_tensor_class(cls: type) -> None:
    """Called once, by tinygrad_edu/_tensor.py, with the class every op result is made of."""
    global tensor_class
    tensor_class = cls


def as_tensor(g: Gradient) -> Any:
    """A gradient as a Tensor (what hooks, autograd.grad and create_graph hand on)."""
    return g if isinstance(g, tensor_class) else tensor_class._wrap(g, False, None)
