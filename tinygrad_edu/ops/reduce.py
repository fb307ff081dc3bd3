"""Reductions over dims: sum, and max/min (amax/amin), which share the gradient over ties."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops import dual


def kept_shape(shape: tuple[int, ...], dims: tuple[int, ...] | None) -> tuple[int, ...]:
    """The shape of a reduction over ``dims`` with keepdim=True."""
    if dims is None:
        return (1,) * len(shape)
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


class Sum(Function):
    """out = sum of x over dims;  dx = grad copied back along the summed dims"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Any, x: Any, dims: tuple[int, ...] | None, keepdim: bool) -> np.ndarray:
        return np.sum(x.data, axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, dims, _ = ctx.inputs
        return dual.expand(grad.reshape(kept_shape(x.shape, dims)), x.shape)


class Amax(Function):
    """out = max of x over dims;  dx = grad shared equally by the elements that tie for the max"""

    backward_on_arrays = True

    reduce = staticmethod(np.max)

    @staticmethod
    def forward(ctx: Any, x: Any, dims: tuple[int, ...] | None, keepdim: bool) -> np.ndarray:
        out = ctx.reduce(x.data, axis=dims, keepdims=True)
        hits = x.data == out
        # The gradient weights are constants: the max is piecewise linear, so it is exact for
        # second derivatives too (away from ties, where no derivative exists).
        ctx.weights = hits / np.sum(hits, axis=dims, keepdims=True, dtype=x.data.dtype)
        return out if keepdim else out.reshape(np.sum(hits, axis=dims).shape)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, dims, _ = ctx.inputs
        return grad.reshape(kept_shape(x.shape, dims)) * ctx.weights


class Amin(Amax):
    """out = min of x over dims;  dx = grad shared equally by the elements that tie for the min"""

    reduce = staticmethod(np.min)
