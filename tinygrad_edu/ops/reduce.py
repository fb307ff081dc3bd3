"""Reductions over dims: sum, mean, var, and max/min (amax/amin), which share the gradient
over ties. float16 inputs are accumulated in float32, as PyTorch does, so a mean of many
float16 values does not overflow."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops import either
from tinygrad_edu.ops.either import Gradient

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor

Dims = tuple[int, ...] | None


def kept_shape(shape: tuple[int, ...], dims: Dims) -> tuple[int, ...]:
    """The shape of a reduction over ``dims`` with keepdim=True."""
    if dims is None:
        return (1,) * len(shape)
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


def count(shape: tuple[int, ...], dims: Dims) -> int:
    """How many elements a reduction over ``dims`` combines into each result."""
    return int(np.prod(shape if dims is None else [shape[d] for d in dims], dtype=np.int64))


def _accumulator(dtype: np.dtype) -> np.dtype | None:
    """float16 sums are accumulated in float32 (then rounded back); others in their own dtype."""
    return np.dtype(np.float32) if dtype == np.float16 else None


class Sum(Function):
    """out = sum of x over dims;  dx = grad copied back along the summed dims"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Sum, x: Tensor, dims: Dims, keepdim: bool) -> np.ndarray:
        acc = _accumulator(x.dtype)
        return np.asarray(np.sum(x.data, axis=dims, keepdims=keepdim, dtype=acc), x.dtype)

    @staticmethod
    def backward(ctx: Sum, grad: Gradient) -> Gradient:
        x, dims, _ = ctx.inputs
        shape = x.data.shape
        return either.expand(grad.reshape(kept_shape(shape, dims)), shape)


class Mean(Function):
    """out = sum of x over dims / n;  dx = grad / n copied back along the reduced dims"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Mean, x: Tensor, dims: Dims, keepdim: bool) -> np.ndarray:
        acc = _accumulator(x.dtype)
        with np.errstate(invalid="ignore", divide="ignore"):  # the mean of nothing is nan
            out = np.mean(x.data, axis=dims, keepdims=keepdim, dtype=acc)
        return np.asarray(out, x.dtype)

    @staticmethod
    def backward(ctx: Mean, grad: Gradient) -> Gradient:
        x, dims, _ = ctx.inputs
        shape = x.data.shape
        n = np.asarray(count(shape, dims), x.dtype)
        return either.expand(grad.reshape(kept_shape(shape, dims)) / n, shape)


class Var(Function):
    """out = sum (x - mean)^2 / (n - c) over dims (c: the correction);
    dx = grad * 2 (x - mean) / (n - c)

    Two passes (the mean first, then the squares of the differences from it), in float64 for
    float16 and float32 inputs: values far from 0 keep their precision. (One pass, E[x^2] - E[x]^2,
    loses it all for [1e4, 1e4 + 1e-3]; two passes in float32 are still 50% off there, because
    the mean itself rounds to 1e4.)
    """

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Var, x: Tensor, dims: Dims, keepdim: bool, correction: int) -> np.ndarray:
        ctx.save_for_backward(x)
        data = x.data.astype(np.float64, copy=False)
        centred = data - data.mean(axis=dims, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):  # n <= correction: inf or nan
            out = (centred * centred).sum(axis=dims, keepdims=keepdim) / max(
                count(x.shape, dims) - correction, 0
            )
        return np.asarray(out, x.dtype)

    @staticmethod
    def backward(ctx: Var, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        _, dims, _, correction = ctx.inputs
        n = count(x.shape, dims)
        centred = x - x.sum(axis=dims, keepdims=True) / np.asarray(n, x.dtype)
        scale = np.asarray(2.0 / max(n - correction, 0), x.dtype)
        return grad.reshape(kept_shape(x.shape, dims)) * centred * scale


class Std(Function):
    """out = sqrt(var(x));  dx = grad (x - mean) / ((n - c) out), and 0 where out = 0 (a
    constant row: PyTorch's choice of subgradient, where the formula would give 0/0)"""

    backward_on_arrays = True
    save_output = True

    @staticmethod
    def forward(ctx: Std, x: Tensor, dims: Dims, keepdim: bool, correction: int) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.sqrt(Var.forward(ctx, x, dims, keepdim, correction))  # type: ignore[arg-type]

    @staticmethod
    def backward(ctx: Std, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        _, dims, _, correction = ctx.inputs
        n, kept = count(x.shape, dims), kept_shape(x.shape, dims)
        out = ctx.output.reshape(kept)
        zero = either.constant(out) == 0
        centred = x - x.sum(axis=dims, keepdims=True) / np.asarray(n, x.dtype)
        denominator = (out + zero) * np.asarray(max(n - correction, 0), x.dtype)  # 1 where 0
        return either.keep_where(grad.reshape(kept) * centred / denominator, ~zero)


class Amax(Function):
    """out = max of x over dims;  dx = grad shared equally by the elements that tie for the max
    (NaN propagates: the max of values with a NaN is NaN, as in PyTorch)"""

    backward_on_arrays = True
    weights: np.ndarray  # each element's share of the gradient

    reduce: Any = staticmethod(np.max)

    @staticmethod
    def forward(ctx: Amax, x: Tensor, dims: Dims, keepdim: bool) -> np.ndarray:
        out = ctx.reduce(x.data, axis=dims, keepdims=True)
        hits = (x.data == out) | (np.isnan(x.data) & np.isnan(out))
        # The gradient weights are constants: the max is piecewise linear, so it is exact for
        # second derivatives too (away from ties, where no derivative exists).
        ctx.weights = hits / np.sum(hits, axis=dims, keepdims=True, dtype=x.data.dtype)
        return out if keepdim else out.reshape(np.sum(hits, axis=dims).shape)

    @staticmethod
    def backward(ctx: Amax, grad: Gradient) -> Gradient:
        x, dims, _ = ctx.inputs
        return grad.reshape(kept_shape(x.data.shape, dims)) * ctx.weights


class Amin(Amax):
    """out = min of x over dims;  dx = grad shared equally by the elements that tie for the min"""

    reduce = staticmethod(np.min)
