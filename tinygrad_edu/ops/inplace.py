"""What in-place changes record in a graph: an overwrite (``copy_``, ``fill_``), ``x[i] = v``,
and a write through a view into its base (``CopySlices``, PyTorch's name for it).

The other in-place methods (``add_``, ``mul_``, ...) record their out-of-place op; how the tensor
then takes over the result is tinygrad_edu/inplace.py's business.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops import either
from tinygrad_edu.ops.broadcast import unbroadcast
from tinygrad_edu.ops.either import Gradient
from tinygrad_edu.ops.movement import GetItem

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor


class Overwrite(Function):
    """out = src broadcast to old's shape;  d old = 0 (its values are gone), d src = grad summed
    back to src's shape. What ``copy_`` and ``fill_`` record on a tensor in a graph."""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Overwrite, old: Tensor, src: Tensor) -> np.ndarray:
        return np.broadcast_to(src.data, old.shape).astype(old.dtype, copy=True)

    @staticmethod
    def backward(ctx: Overwrite, grad: Gradient) -> tuple[Gradient | None, Gradient | None]:
        old, src = ctx.inputs
        d_old = either.keep_where(grad, np.zeros(old.shape, bool)) if old.requires_grad else None
        d_src = unbroadcast(grad, src.shape) if src.requires_grad else None
        return d_old, d_src


class SetItem(Function):
    """out = x with out[index] = v;  dx = grad with the written positions zeroed,
    dv = grad[index] summed back to v's shape"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: SetItem, x: Tensor, v: Tensor, index: tuple[Any, ...]) -> np.ndarray:
        out = x.data.copy()
        try:
            out[index] = v.data
        except ValueError:
            raise RuntimeError(
                f"setitem: a value of shape {v.shape} cannot be written into the "
                f"{out[index].shape}-shaped selection of a tensor of shape {x.shape}"
            ) from None
        return out

    @staticmethod
    def backward(ctx: SetItem, grad: Gradient) -> tuple[Gradient | None, Gradient | None]:
        x, v, index = ctx.inputs
        dx = dv = None
        if x.requires_grad:
            kept = np.ones(x.shape, dtype=bool)
            kept[index] = False  # overwritten values had no effect on the output
            dx = either.keep_where(grad, kept)
        if v.requires_grad:
            picked = grad[index] if isinstance(grad, np.ndarray) else GetItem.apply(grad, index)
            dv = unbroadcast(picked, v.shape)
        return dx, dv


ViewSteps = tuple[tuple[Any, tuple[Any, ...]], ...]  # (view op class, its arguments), base first


def view_of(a: np.ndarray, steps: ViewSteps) -> np.ndarray:
    """The view of array ``a`` that ``steps`` describe (each op's ``array_view``)."""
    for op, args in steps:
        a = op.array_view(a, *args)
    return a


class CopySlices(Function):
    """out = base with the region a view covers replaced by src (an in-place change made
    through a view, written into its base);  d base = grad with that region zeroed,
    d src = the region of grad

    ``steps`` are the view ops that made the view from ``base``: (GetItem, (index,)), ...
    """

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: CopySlices, base: Tensor, src: Tensor, steps: ViewSteps) -> np.ndarray:
        out = base.data.copy()
        view_of(out, steps)[...] = src.data
        return out

    @staticmethod
    def backward(ctx: CopySlices, grad: Gradient) -> tuple[Gradient | None, Gradient | None]:
        base, src, steps = ctx.inputs
        d_base = d_src = None
        if base.requires_grad:
            kept = np.ones(base.shape, dtype=bool)
            view_of(kept, steps)[...] = False  # overwritten values had no effect on out
            d_base = either.keep_where(grad, kept)
        if src.requires_grad:
            if isinstance(grad, np.ndarray):
                d_src = view_of(grad, steps).copy()
            else:  # the same view ops, recorded
                d_src = grad
                for op, args in steps:
                    d_src = op.apply(d_src, *args)
        return d_base, d_src
