"""In-place operations (``x.add_(y)``, ``x += y``, ``x[i] = v``), views, and the version counter.

The rules, as in PyTorch:

* **Views share memory.** Basic indexing, ``view``/``reshape`` (when the layout allows),
  ``transpose``/``permute``/``T``, ``squeeze``/``unsqueeze`` and ``expand`` give a tensor whose
  array is a NumPy view of its base's. It remembers its base and the view ops that made it
  (``_view``), shares the base's version counter, and the base keeps a weak list of its views.
* **A leaf that requires grad cannot be changed in place** while grad mode is on (nor through a
  view of it): its ``.grad`` is about the value it had, so the update must happen under
  ``no_grad()`` (which is what optimizers and initialisers do).
* **Versions.** Changing a tensor in place bumps its version (shared with its views and base). A
  backward formula that saved a tensor (or its own output) remembers the version it saw, and
  refuses to run on a newer one: the gradient would silently be computed from the wrong values.
* **Unrecorded changes** (under ``no_grad``, or when nothing requires grad) write straight into the
  tensor's array, so its base and every view of it see them.
* **Recorded changes rebase the history.** The op is computed out of place on a stand-in for the
  old value (``old``: a copy, carrying the history so far), the result is written into the tensor's
  own array, and the tensor takes the op's node as its ``grad_fn``. Gradients then flow through the
  in-place op, then through ``old`` into whatever computed the tensor before; nodes recorded
  earlier that read the tensor meant its old value, and the engine sends their gradients to
  ``old`` (``node._rebased_from``, graph.edge).
* **Through a view, the base is rebased.** Changing view ``v`` of base ``b`` records
  ``CopySlices(b_old, new values of v)`` as ``b``'s new history, and every live view of ``b``
  (``v`` included) gets a new ``grad_fn``: its view ops applied to the new ``b``. So gradients see
  the values every tensor holds now, as PyTorch's do.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_edu import ops
from tinygrad_edu.autograd import variable
from tinygrad_edu.autograd.config import Config

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor


# -- views --------------------------------------------------------------------------------------


def as_view(out: Tensor, x: Tensor, op: Any, args: tuple[Any, ...]) -> Tensor:
    """Record that ``out = op.apply(x, *args)`` is a view of x's memory."""
    view = x._view
    if view is None:
        base, steps = x, ((op, args),)
    else:
        base, steps = view[0], (*view[1], (op, args))
    out._view = base, steps
    vc = base._vc
    if vc is None:
        vc = base._vc = [0, ""]
    out._vc = vc  # one version counter for a base and all its views
    views = base._views
    if views is None:
        base._views = [weakref.ref(out)]
        return out
    n = len(views)
    if n >= 32 and n & (n - 1) == 0:  # at 32, 64, 128, ... views: drop the dead ones
        views[:] = [ref for ref in views if ref() is not None]
    views.append(weakref.ref(out))
    return out


def _regenerate_views(base: Tensor, old_nodes: dict[int, Any]) -> None:
    """After ``base`` got a new history, give each live view a new ``grad_fn``: its view ops
    applied to ``base`` now. Nodes recorded earlier that read a view keep meaning its old
    history: the new node's ``_rebased_from`` is a stand-in carrying that."""
    for ref in list(base._views or ()):
        v = ref()
        if v is None or v._view is None or v._view[0] is not base:
            continue
        fresh = base
        for op, args in v._view[1]:
            fresh = op.apply(fresh, *args)
        old_fn = old_nodes.get(id(v), v.grad_fn)
        v.grad_fn, v.requires_grad = fresh.grad_fn, fresh.requires_grad
        if fresh.grad_fn is not None and (old_fn is not None or v.requires_grad):
            fresh.grad_fn._rebased_from = variable.tensor_class._wrap(v.data, True, old_fn)


# -- checks and unrecorded writes ---------------------------------------------------------------


def check_leaf(t: Tensor, name: str) -> None:
    """Refuse to change a leaf that requires grad (or a view of one) while grad mode records."""
    if not Config.grad_enabled:
        return
    if t.requires_grad and t.grad_fn is None:
        raise RuntimeError(
            f"{name}: a leaf tensor that requires grad (shape {t.shape}) is being changed in "
            "place. Its gradient would describe a value that no longer exists; wrap the update "
            "in `with no_grad():` (as optimizers do), or work on a .clone()."
        )
    base = t._view[0] if t._view is not None else None
    if base is not None and base.requires_grad and base.grad_fn is None:
        raise RuntimeError(
            f"{name}: a view of a leaf tensor that requires grad (shape {base.shape}) is being "
            "changed in place; wrap the change in `with no_grad():`, or work on a .clone()."
        )


def write(t: Tensor, values: np.ndarray, name: str) -> None:
    """Put ``values`` into t's own array (its base and views see them), nothing recorded, and
    bump its version."""
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
    if not t.data.flags.writeable:
        raise RuntimeError(
            f"{name}: the tensor of shape {t.shape} cannot be written in place: it is a "
            "read-only view (expand() makes one, where several elements share one memory "
            "location) or a read-only array. Use .clone() first."
        )
    np.copyto(t.data, values, casting="same_kind")
    t._bump_version(name)


# -- recorded in-place changes ------------------------------------------------------------------


def apply_inplace(t: Tensor, name: str, compute: Callable[[Tensor], Tensor]) -> Tensor:
    """Make ``t`` hold ``compute(old value of t)``, recording the op when grad mode needs it."""
    check_leaf(t, name)
    if not Config.grad_enabled:
        write(t, compute(t).data, name)
        return t
    # A stand-in for the value before the change, carrying the history up to now. (A copy: the
    # new values go into t's own array, and the op may have saved its input for backward.)
    old = variable.tensor_class._wrap(t.data.copy(), t.requires_grad, t.grad_fn)
    result = compute(old)
    if result.grad_fn is None:  # nothing requires grad: nothing to record
        write(t, result.data, name)
        return t
    if result.shape != t.shape or not np.can_cast(result.dtype, t.dtype, "same_kind"):
        write(t, result.data, name)  # raises, naming the shape or dtype
    result = result.to(t.dtype)
    if t._view is not None:
        _rebase_through_view(t, result, name)
        return t
    write(t, result.data, name)
    old_nodes = {id(t): old.grad_fn}
    t.grad_fn, t.requires_grad = result.grad_fn, True
    _link(result.grad_fn, old, t)
    if t._views:
        _regenerate_views(t, old_nodes)
    return t


def _rebase_through_view(v: Tensor, result: Tensor, name: str) -> None:
    """v is a view of base b: record b_new = CopySlices(b_old, result) as b's history."""
    base, steps = v._view  # type: ignore[misc]
    base_old = variable.tensor_class._wrap(base.data.copy(), base.requires_grad, base.grad_fn)
    node_out = ops.CopySlices.apply(base_old, result, steps)
    old_nodes = {id(v): v.grad_fn}
    write(v, result.data, name)  # into v's region of b's array: b now holds node_out's values
    base.grad_fn, base.requires_grad = node_out.grad_fn, True
    _link(node_out.grad_fn, base_old, base)
    _regenerate_views(base, old_nodes)


def _link(node: Any, old: Tensor, t: Tensor) -> None:
    """The in-place op's node now made t: earlier readers of t meant ``old``; and a node that
    reads its own output in backward now finds it in t."""
    node._rebased_from = old
    if getattr(node, "_out", None) is not None:
        node._out = weakref.ref(t)
        node._out_version = t._version
