"""Vector norms: ||x||_p = (sum |x|^p)^(1/p) over dims, with its limits p = inf (the largest |x|),
-inf (the smallest) and 0 (how many are not 0).

Where the formula for the gradient divides by 0 (at x = 0, or where the norm itself is 0) the
gradient is 0, the subgradient PyTorch picks; ties for p = +-inf share the gradient equally.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops import either
from tinygrad_edu.ops.either import Gradient
from tinygrad_edu.ops.reduce import Dims, kept_shape

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor


def _float_sum(a: np.ndarray, dims: Dims) -> np.ndarray:
    """A sum over dims with keepdims, float16 accumulated in float32."""
    acc = np.float32 if a.dtype == np.float16 else None
    return np.asarray(np.sum(a, axis=dims, keepdims=True, dtype=acc))


class VectorNorm(Function):
    """out = (sum |x|^p)^(1/p) over dims;
    dx = grad * sign(x) |x|^(p-1) / out^(p-1)  (p = 2: grad * x / out; p = 1: grad * sign(x));
    p = +-inf: grad * sign(x) at the elements whose |x| is the max (min), shared among ties;
    p = 0: dx = 0"""

    backward_on_arrays = True
    save_output = True
    ties: np.ndarray  # p = +-inf: each element's share of the gradient

    @staticmethod
    def forward(ctx: VectorNorm, x: Tensor, p: float, dims: Dims, keepdim: bool) -> np.ndarray:
        ctx.save_for_backward(x)
        v, dtype = x.data, x.dtype
        a = np.abs(v)
        if p == 2:
            out = np.sqrt(_float_sum(v * v, dims))
        elif p == 1:
            out = _float_sum(a, dims)
        elif math.isinf(p):
            pick = np.max if p > 0 else np.min
            # An empty slice has norm 0 for +inf; -inf over nothing is inf in PyTorch too.
            out = pick(a, axis=dims, keepdims=True, initial=0.0 if p > 0 else np.inf)
            hits = (a == out) & (a != 0)
            count = np.sum(hits, axis=dims, keepdims=True, dtype=dtype)
            ctx.ties = hits / np.maximum(count, 1)
        elif p == 0:
            out = _float_sum((v != 0).astype(dtype), dims)
        else:
            with np.errstate(divide="ignore", over="ignore"):  # 0^negative = inf, as torch
                out = _float_sum(a**p, dims) ** (1.0 / p)
        out = np.asarray(out, dtype)
        return out if keepdim else out.reshape(np.sum(out, axis=dims).shape)

    @staticmethod
    def backward(ctx: VectorNorm, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        _, p, dims, _ = ctx.inputs
        kept = kept_shape(x.shape, dims)
        g, values = grad.reshape(kept), either.constant(x)
        sign = np.sign(values)
        if p == 0:
            return either.plain_like(grad, np.zeros(x.shape, x.dtype))
        if p == 1:
            return g * sign
        if math.isinf(p):
            return g * (sign * ctx.ties)
        out = ctx.output.reshape(kept)
        zero_norm = either.constant(out) == 0
        safe_out = out + zero_norm  # 1 where the norm is 0; those get a gradient of 0
        if p == 2:
            return either.keep_where(g * x / safe_out, ~zero_norm)
        zero_x = values == 0  # |x|^(p-1) is inf there for p < 1: PyTorch's gradient is 0
        magnitude = either.keep_where(either.abs(x), ~zero_x) + zero_x  # |x|, 1 where x = 0
        ratio = (magnitude / safe_out) ** (p - 1)
        return either.keep_where(g * sign * ratio, ~(zero_x | zero_norm))
