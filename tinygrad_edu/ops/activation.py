"""Activation functions as fused ops (one node each): GELU, LeakyReLU, ELU (and SELU, a scaled
ELU), SiLU, Softplus, Hardtanh, LogSigmoid. relu, sigmoid and tanh live in unary.py.

Each is written so that no intermediate overflows for large |x|: exponentials only ever see
non-positive arguments, and softplus is computed as max(z, 0) + log(1 + e^-|z|).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops import either
from tinygrad_edu.ops.either import Gradient, stable_sigmoid
from tinygrad_edu.ops.special import erfc_array

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor

SQRT_HALF = math.sqrt(0.5)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
GELU_CUBIC = 0.044715  # the cubic term of GELU's tanh approximation


def softplus_array(z: np.ndarray) -> np.ndarray:
    """log(1 + e^z) = max(z, 0) + log1p(e^-|z|): the exponential never overflows."""
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


class GELU(Function):
    """out = x Phi(x), Phi the standard normal CDF = erfc(-x / sqrt 2) / 2;
    dx = grad * (Phi(x) + x phi(x)), phi(x) = e^(-x^2/2) / sqrt(2 pi)

    (erfc, not 1 + erf: for x = -10, 1 + erf(x / sqrt 2) cancels to 0, erfc keeps 1.5e-23.)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: GELU, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return x.data * (erfc_array(x.data * -SQRT_HALF) * 0.5)

    @staticmethod
    def backward(ctx: GELU, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        cdf = either.erfc(x * -SQRT_HALF) * 0.5
        pdf = either.exp(x * x * -0.5) * INV_SQRT_2PI
        return grad * (cdf + x * pdf)


class GELUTanh(Function):
    """GELU's tanh approximation: out = x (1 + tanh u) / 2 with u = sqrt(2/pi) (x + 0.044715 x^3),
    computed as x sigmoid(2u) (the same function, with no 1 + tanh to cancel for large -x);
    dx = grad * (s + 2 x s (1 - s) du/dx), s = sigmoid(2u), du/dx = sqrt(2/pi) (1 + 3 0.044715 x^2)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: GELUTanh, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        v = x.data
        with np.errstate(over="ignore"):  # x^3 of a huge x is inf: sigmoid(inf) is still 1
            return v * stable_sigmoid((v + v * v * v * GELU_CUBIC) * (2 * SQRT_2_OVER_PI))

    @staticmethod
    def backward(ctx: GELUTanh, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        with np.errstate(over="ignore"):
            x2 = x * x
            s = either.sigmoid((x + x2 * x * GELU_CUBIC) * (2 * SQRT_2_OVER_PI))
            du = (x2 * (3 * GELU_CUBIC) + 1) * (2 * SQRT_2_OVER_PI)
            return grad * (s + x * s * (1 - s) * du)


class LeakyReLU(Function):
    """out = x if x > 0 else slope * x;  dx = grad if x > 0 else slope * grad (slope at 0, as
    PyTorch)"""

    backward_on_arrays = True
    slope: float

    @staticmethod
    def forward(ctx: LeakyReLU, x: Tensor, slope: float) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.slope = slope
        return np.where(x.data > 0, x.data, x.data * slope)

    @staticmethod
    def backward(ctx: LeakyReLU, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        positive = either.constant(x) > 0
        return either.keep_where(grad, positive) + either.keep_where(grad * ctx.slope, ~positive)


class ELU(Function):
    """out = scale * (x if x > 0 else alpha (e^(s x) - 1)), s the input scale (SELU is an ELU
    with PyTorch's fixed alpha and scale; CELU one with s = 1 / alpha);
    dx = grad * scale if x > 0 else grad * scale alpha s e^(s x)

    (The slope is not taken from the output, as s (out + scale alpha): for x = -50 that sum
    cancels to 0 in float32, where e^(s x) keeps its 1e-22.)"""

    backward_on_arrays = True
    alpha: float
    scale: float
    input_scale: float

    @staticmethod
    def forward(
        ctx: ELU, x: Tensor, alpha: float, scale: float = 1.0, input_scale: float = 1.0
    ) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.alpha, ctx.scale, ctx.input_scale = alpha, scale, input_scale
        v = x.data
        negative = np.expm1(np.minimum(v, 0) * input_scale) * alpha  # e^(positive) never runs
        return np.where(v > 0, v, negative) * scale

    @staticmethod
    def backward(ctx: ELU, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        positive = either.constant(x) > 0
        s = ctx.input_scale
        slope = either.exp(either.clamp_max(x, 0.0) * s) * (ctx.scale * ctx.alpha * s)
        return either.keep_where(grad * ctx.scale, positive) + either.keep_where(
            grad * slope, ~positive
        )


class SiLU(Function):
    """out = x sigmoid(x) (the swish);  dx = grad * s (1 + x (1 - s)), s = sigmoid(x)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: SiLU, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return x.data * stable_sigmoid(x.data)

    @staticmethod
    def backward(ctx: SiLU, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        s = either.sigmoid(x)
        return grad * s * (x * (1 - s) + 1)


class Softplus(Function):
    """out = log(1 + e^(beta x)) / beta, or x where beta x > threshold (as PyTorch);
    dx = grad * sigmoid(beta x), or grad where beta x > threshold"""

    backward_on_arrays = True
    beta: float
    threshold: float

    @staticmethod
    def forward(ctx: Softplus, x: Tensor, beta: float, threshold: float) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        z = x.data * beta
        return np.where(z > threshold, x.data, softplus_array(z) / beta)

    @staticmethod
    def backward(ctx: Softplus, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        linear = either.constant(x) * ctx.beta > ctx.threshold
        smooth = grad * either.sigmoid(x * ctx.beta)
        return either.keep_where(grad, linear) + either.keep_where(smooth, ~linear)


class Hardtanh(Function):
    """out = x clipped to [lo, hi];  dx = grad where lo < x < hi, 0 elsewhere (strictly inside:
    PyTorch's hardtanh gives 0 at the bounds, where clamp gives grad)"""

    backward_on_arrays = True
    lo: float
    hi: float

    @staticmethod
    def forward(ctx: Hardtanh, x: Tensor, lo: float, hi: float) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return np.clip(x.data, np.asarray(lo, x.dtype), np.asarray(hi, x.dtype))

    @staticmethod
    def backward(ctx: Hardtanh, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        v = either.constant(x)
        return either.keep_where(grad, (v > ctx.lo) & (v < ctx.hi))


class LogSigmoid(Function):
    """out = log sigmoid(x) = min(x, 0) - log(1 + e^-|x|);  dx = grad * sigmoid(-x)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: LogSigmoid, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        v = x.data
        return np.minimum(v, 0) - np.log1p(np.exp(-np.abs(v)))

    @staticmethod
    def backward(ctx: LogSigmoid, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        return grad * either.sigmoid(-x)
