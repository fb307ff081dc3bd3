"""In-place operations (``x.add_(y)``, ``x += y``, ``x[i] = v``) and the version counter.

The rules, as in PyTorch:

* A leaf that requires grad cannot be changed in place while grad mode is on: its ``.grad`` is
  about the value it had, so the update must happen under ``no_grad()`` (which is what optimizers
  do).
* Changing a tensor in place bumps its version. A backward formula that saved a tensor (or its
  own output) remembers the version it saw, and refuses to run on a newer one: the gradient would
  silently be computed from the wrong values.
* On a tensor that is part of a graph, an in-place op is recorded like any other: it is computed
  out of place on a stand-in for the old value (``old``, which keeps the old history), and then
  the tensor takes over the result's values and node. The history is "rebased": gradients flow
  through the in-place op, then through ``old`` into whatever computed the tensor before.

Where the values go: when the op is recorded, the tensor gets the result's new array, so nothing
that read the old array (a backward formula, a NumPy view made by reshape or slicing) is
disturbed. When nothing is recorded (under ``no_grad``, or when nothing requires grad) the result
is written into the tensor's own array, so ``detach()``-ed tensors, which share the array and the
version counter, see the change as in PyTorch. A tensor whose array is a NumPy view of another
tensor's (a reshape or a slice) gets its own copy first: in this engine ops produce new tensors,
and an in-place change never reaches into a different tensor, except through ``detach()``.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from tinygrad_edu.autograd import variable
from tinygrad_edu.autograd.config import Config

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor


def check_leaf(t: Tensor, name: str) -> None:
    """Refuse to change a leaf that requires grad while grad mode records."""
    if t.requires_grad and t.grad_fn is None and Config.grad_enabled:
        raise RuntimeError(
            f"{name}: a leaf tensor that requires grad (shape {t.shape}) is being changed in "
            "place. Its gradient would describe a value that no longer exists; wrap the update "
            "in `with no_grad():` (as optimizers do), or work on a .clone()."
        )


def write(t: Tensor, values: np.ndarray, name: str) -> None:
    """Put ``values`` into ``t`` without recording anything, and bump its version."""
    if values.shape != t.shape:
        raise RuntimeError(
            f"{name}: the result has shape {values.shape} but the tensor changed in place has "
            f"shape {t.shape}; an in-place op cannot change its target's shape"
        )
    if not np.can_cast(values.dtype, t.dtype, "same_kind"):
        raise RuntimeError(
            f"{name}: the result has dtype {values.dtype}, which cannot be stored in place in a "
            f"tensor of dtype {t.dtype}"
        )
    if t.data.base is None and t.data.flags.writeable:
        np.copyto(t.data, values, casting="same_kind")  # seen by detach()-ed tensors too
    else:  # a view of another tensor's array (or read-only): take a copy, leave the other alone
        t.data = values.astype(t.dtype, copy=True)
    t._bump_version(name)


def apply_inplace(t: Tensor, name: str, compute: Callable[[Tensor], Tensor]) -> Tensor:
    """Make ``t`` hold ``compute(old value of t)``, recording the op when grad mode needs it."""
    check_leaf(t, name)
    if not Config.grad_enabled:
        write(t, compute(t).data, name)
        return t
    # A stand-in for the value before the change, carrying the history up to now.
    old = variable.tensor_class._wrap(t.data, t.requires_grad, t.grad_fn)
    result = compute(old)
    if result.grad_fn is None:  # nothing requires grad: nothing to record
        write(t, result.data, name)
        return t
    if result.shape != t.shape:
        raise RuntimeError(
            f"{name}: the result has shape {result.shape} but the tensor changed in place has "
            f"shape {t.shape}; an in-place op cannot change its target's shape"
        )
    if result.dtype != t.dtype:
        if not np.can_cast(result.dtype, t.dtype, "same_kind"):
            raise RuntimeError(
                f"{name}: the result has dtype {result.dtype}, which cannot be stored in place "
                f"in a tensor of dtype {t.dtype}"
            )
        result = result.to(t.dtype)
    # Rebase: t now is the result, with the in-place op's node as its history.
    t.data, t.grad_fn, t.requires_grad = result.data, result.grad_fn, True
    t._bump_version(name)
    node = result.grad_fn
    if node is not None and node is not old.grad_fn:
        # Nodes recorded before this op that read t meant its old value: the engine sends their
        # gradients to ``old`` (see engine._edge), not through this op.
        node._rebased_from = old
        if getattr(node, "_out", None) is not None:  # reads its output in backward: now t
            node._out = weakref.ref(t)
            node._out_version = t._version
    return t
