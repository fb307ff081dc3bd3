"""Elementwise functions of one tensor: exp, log, sqrt, abs, relu, sigmoid, tanh, clamp."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops import dual


class Exp(Function):
    """out = e^x;  dx = grad * out"""

    backward_on_arrays = True

    save_output = True

    @staticmethod
    def forward(ctx: Any, x: Any) -> np.ndarray:
        return np.exp(x.data)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad * ctx.output


class Log(Function):
    """out = ln x;  dx = grad / x"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Any, x: Any) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.log(x.data)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad / x


class Sqrt(Function):
    """out = sqrt(x);  dx = grad / (2 out)"""

    backward_on_arrays = True

    save_output = True

    @staticmethod
    def forward(ctx: Any, x: Any) -> np.ndarray:
        return np.sqrt(x.data)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad / (ctx.output * 2.0)


class Abs(Function):
    """out = |x|;  dx = grad * sign(x)  (0 at x = 0, as PyTorch)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Any, x: Any) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.abs(x.data)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * np.sign(dual.constant(x))


class ReLU(Function):
    """out = max(x, 0);  dx = grad * (x > 0)  (0 at x = 0, as PyTorch)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Any, x: Any) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.maximum(x.data, 0)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * (x > 0)


def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) without overflow: only ever exponentiate -|x|."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


class Sigmoid(Function):
    """out = 1 / (1 + e^-x);  dx = grad * out * (1 - out)"""

    backward_on_arrays = True

    save_output = True

    @staticmethod
    def forward(ctx: Any, x: Any) -> np.ndarray:
        return stable_sigmoid(x.data)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
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
    def forward(ctx: Any, x: Any) -> np.ndarray:
        return np.tanh(x.data)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        # grad - (grad out) out: grad (1 - out^2) without a Python scalar (see Sigmoid).
        out = ctx.output
        return grad - grad * out * out


class Clamp(Function):
    """out = min(max(x, lo), hi);  dx = grad where lo <= x <= hi, else 0 (as PyTorch)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Any, x: Any, lo: float | None, hi: float | None) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        out = x.data
        if lo is not None:
            out = np.maximum(out, np.asarray(lo, dtype=out.dtype))
        if hi is not None:
            out = np.minimum(out, np.asarray(hi, dtype=out.dtype))
        return out if out is not x.data else out.copy()

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        values = dual.constant(x)
        inside = np.ones(x.shape, dtype=bool)
        if ctx.lo is not None:
            inside &= values >= ctx.lo
        if ctx.hi is not None:
            inside &= values <= ctx.hi
        return grad * inside


class Cast(Function):
    """out = x as another dtype;  dx = grad as x's dtype"""

    @staticmethod
    def forward(ctx: Any, x: Any, dtype: np.dtype) -> np.ndarray:
        return x.data.astype(dtype)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x, _) = ctx.inputs
        return grad.to(x.dtype)


class Clone(Function):
    """out = a copy of x;  dx = grad"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Any, x: Any) -> np.ndarray:
        return x.data.copy()

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad
