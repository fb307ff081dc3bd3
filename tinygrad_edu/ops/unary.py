"""Elementwise functions of one tensor: exp, log, log1p, sqrt, abs, relu, sigmoid, tanh, clamp."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops import either
from tinygrad_edu.ops.either import Gradient, stable_sigmoid
from tinygrad_edu.ops.workspace import empty_like, zeros_like

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor


class Exp(Function):
    """out = e^x;  dx = grad * out"""

    backward_on_arrays = True
    save_output = True

    @staticmethod
    def forward(ctx: Exp, x: Tensor) -> np.ndarray:
        return np.exp(x.data)

    @staticmethod
    def backward(ctx: Exp, grad: Gradient) -> Gradient:
        return grad * ctx.output


class Log(Function):
    """out = ln x;  dx = grad / x"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Log, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):  # log(0) = -inf, log(-1) = nan
            return np.log(x.data)

    @staticmethod
    def backward(ctx: Log, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        return grad / x


class Log1p(Function):
    """out = ln(1 + x), accurate for tiny x;  dx = grad / (1 + x)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Log1p, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(x.data)

    @staticmethod
    def backward(ctx: Log1p, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        return grad / (x + np.asarray(1, x.dtype))


class Sqrt(Function):
    """out = sqrt(x);  dx = grad / (2 out)"""

    backward_on_arrays = True
    save_output = True

    @staticmethod
    def forward(ctx: Sqrt, x: Tensor) -> np.ndarray:
        with np.errstate(invalid="ignore"):  # sqrt(-1) = nan, as in PyTorch (and silent)
            return np.sqrt(x.data)

    @staticmethod
    def backward(ctx: Sqrt, grad: Gradient) -> Gradient:
        return grad / (ctx.output * 2.0)


class Abs(Function):
    """out = |x|;  dx = grad * sign(x)  (0 at x = 0, as PyTorch)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Abs, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.abs(x.data)

    @staticmethod
    def backward(ctx: Abs, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        return grad * np.sign(either.constant(x))


class ReLU(Function):
    """out = max(x, 0);  dx = grad where out != 0, which is where x > 0 (0 at x = 0, as
    PyTorch; a NaN input gives a NaN output, which passes its gradient on, as PyTorch's does)"""

    backward_on_arrays = True
    save_output = True

    @staticmethod
    def forward(ctx: ReLU, x: Tensor) -> np.ndarray:
        a = x.data
        if a.dtype.kind != "f":
            return np.maximum(a, 0)
        # Against an array of zeros, not the scalar 0: 3 times faster (ops/workspace.py). Into a
        # cached array: a CNN's activations are MB large, and fresh ones cost page faults.
        return np.maximum(a, zeros_like(a), out=empty_like(a))

    @staticmethod
    def backward(ctx: ReLU, grad: Gradient) -> Gradient:
        out = ctx.output
        if not isinstance(grad, np.ndarray):
            return either.keep_where(grad, either.constant(out) != 0)
        passes = np.not_equal(out, 0, out=empty_like(out, bool))
        return np.multiply(grad, passes, out=empty_like(grad))


class Sigmoid(Function):
    """out = 1 / (1 + e^-x);  dx = grad * out * (1 - out)"""

    backward_on_arrays = True
    save_output = True

    @staticmethod
    def forward(ctx: Sigmoid, x: Tensor) -> np.ndarray:
        return stable_sigmoid(x.data)

    @staticmethod
    def backward(ctx: Sigmoid, grad: Gradient) -> Gradient:
        # g - g out with g = grad out: grad out (1 - out) without a Python scalar, which NumPy
        # takes as long to convert as to do the subtraction itself.
        out = ctx.output
        g = grad * out
        return g - g * out


class Tanh(Function):
    """out = tanh x;  dx = grad * (1 - out^2)"""

    backward_on_arrays = True
    save_output = True

    @staticmethod
    def forward(ctx: Tanh, x: Tensor) -> np.ndarray:
        return np.tanh(x.data)

    @staticmethod
    def backward(ctx: Tanh, grad: Gradient) -> Gradient:
        # grad - (grad out) out: grad (1 - out^2) without a Python scalar (see Sigmoid).
        out = ctx.output
        return grad - grad * out * out


class Clamp(Function):
    """out = min(max(x, lo), hi);  dx = grad where lo <= x <= hi, else 0 (as PyTorch)"""

    backward_on_arrays = True
    lo: float | None
    hi: float | None

    @staticmethod
    def forward(ctx: Clamp, x: Tensor, lo: float | None, hi: float | None) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        out = x.data
        if lo is not None:
            out = np.maximum(out, np.asarray(lo, dtype=out.dtype))
        if hi is not None:
            out = np.minimum(out, np.asarray(hi, dtype=out.dtype))
        return out if out is not x.data else out.copy()

    @staticmethod
    def backward(ctx: Clamp, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        values = either.constant(x)
        inside = np.ones(x.shape, dtype=bool)
        if ctx.lo is not None:
            inside &= values >= ctx.lo
        if ctx.hi is not None:
            inside &= values <= ctx.hi
        return grad * inside


class Cast(Function):
    """out = x as another dtype;  dx = grad as x's dtype"""

    @staticmethod
    def forward(ctx: Cast, x: Tensor, dtype: np.dtype) -> np.ndarray:
        return x.data.astype(dtype)

    @staticmethod
    def backward(ctx: Cast, grad: Any) -> Gradient:
        (x, _) = ctx.inputs
        return grad.to(x.dtype)


class Clone(Function):
    """out = a copy of x;  dx = grad"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Clone, x: Tensor) -> np.ndarray:
        return x.data.copy()

    @staticmethod
    def backward(ctx: Clone, grad: Gradient) -> Gradient:
        return grad
