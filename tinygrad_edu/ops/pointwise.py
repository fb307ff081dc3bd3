"""More elementwise functions: powers of 2, logs in other bases, 1/sqrt, erf and erfc, rounding (whose
gradient is zero wherever it exists), and the remainders fmod and remainder."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops import either
from tinygrad_edu.ops.broadcast import unbroadcast
from tinygrad_edu.ops.either import Gradient
from tinygrad_edu.ops.special import erf_array, erfc_array

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor

# Python floats, not NumPy ones: a NumPy float64 scalar would turn float32 arrays into float64.
LN2 = math.log(2.0)
LN10 = math.log(10.0)
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class Exp2(Function):
    """out = 2^x;  dx = grad * out * ln 2"""

    backward_on_arrays = True
    save_output = True

    @staticmethod
    def forward(ctx: Exp2, x: Tensor) -> np.ndarray:
        with np.errstate(over="ignore"):
            return np.exp2(x.data)

    @staticmethod
    def backward(ctx: Exp2, grad: Gradient) -> Gradient:
        return grad * ctx.output * LN2


class Expm1(Function):
    """out = e^x - 1, accurate for tiny x;  dx = grad * (out + 1)"""

    backward_on_arrays = True
    save_output = True

    @staticmethod
    def forward(ctx: Expm1, x: Tensor) -> np.ndarray:
        with np.errstate(over="ignore"):
            return np.expm1(x.data)

    @staticmethod
    def backward(ctx: Expm1, grad: Gradient) -> Gradient:
        return grad * ctx.output + grad


class Log2(Function):
    """out = log2 x;  dx = grad / (x ln 2)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Log2, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log2(x.data)

    @staticmethod
    def backward(ctx: Log2, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        return grad / (x * LN2)


class Log10(Function):
    """out = log10 x;  dx = grad / (x ln 10)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Log10, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(x.data)

    @staticmethod
    def backward(ctx: Log10, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        return grad / (x * LN10)


class Rsqrt(Function):
    """out = 1 / sqrt(x);  dx = -grad * out^3 / 2"""

    backward_on_arrays = True
    save_output = True

    @staticmethod
    def forward(ctx: Rsqrt, x: Tensor) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1 / np.sqrt(x.data)

    @staticmethod
    def backward(ctx: Rsqrt, grad: Gradient) -> Gradient:
        out = ctx.output
        return grad * out * out * out * -0.5


class Erf(Function):
    """out = erf x = 2/sqrt(pi) * integral of e^(-t^2) from 0 to x;
    dx = grad * 2/sqrt(pi) * e^(-x^2)  (ops/special.py computes erf)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Erf, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return erf_array(x.data)

    @staticmethod
    def backward(ctx: Erf, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        return grad * either.exp(-(x * x)) * TWO_OVER_SQRT_PI


class Erfc(Function):
    """out = erfc x = 1 - erf x, kept accurate where it is tiny;  dx = -grad * 2/sqrt(pi) e^(-x^2)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Erfc, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return erfc_array(x.data)

    @staticmethod
    def backward(ctx: Erfc, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        return grad * either.exp(-(x * x)) * -TWO_OVER_SQRT_PI


class Floor(Function):
    """out = the largest integer <= x;  dx = 0 (the steps are flat; at the jumps there is no
    derivative, and PyTorch uses 0 there too)"""

    backward_on_arrays = True
    rounding: Any = staticmethod(np.floor)

    @staticmethod
    def forward(ctx: Floor, x: Tensor) -> np.ndarray:
        return ctx.rounding(x.data)

    @staticmethod
    def backward(ctx: Floor, grad: Gradient) -> Gradient:
        return either.plain_like(grad, np.zeros(grad.shape, grad.dtype))


class Ceil(Floor):
    """out = the smallest integer >= x;  dx = 0"""

    rounding = staticmethod(np.ceil)


class Trunc(Floor):
    """out = x rounded towards 0;  dx = 0"""

    rounding = staticmethod(np.trunc)


def _sign(a: np.ndarray) -> np.ndarray:
    return a.copy() if a.dtype == np.bool_ else np.sign(a)  # (a bool is its own sign)


class Sign(Floor):
    """out = -1, 0 or 1;  dx = 0"""

    rounding = staticmethod(_sign)


class Round(Floor):
    """out = x rounded to ``decimals`` places, halves to even (as PyTorch and NumPy);  dx = 0"""

    @staticmethod
    def forward(ctx: Round, x: Tensor, decimals: int = 0) -> np.ndarray:  # type: ignore[override]
        return np.round(x.data, decimals)


class Fmod(Function):
    """out = x - trunc(x / y) * y, the remainder with the sign of x (C's fmod);
    dx = grad, dy = -grad * trunc(x / y)"""

    backward_on_arrays = True
    quotient: Any = staticmethod(np.trunc)  # how x / y is rounded to a whole number
    remainder: Any = staticmethod(np.fmod)

    @staticmethod
    def forward(ctx: Fmod, x: Tensor, y: Tensor) -> np.ndarray:
        if x.dtype.kind in "iub" and y.dtype.kind in "iub" and not np.all(y.data):
            raise RuntimeError("ZeroDivisionError: integer remainder by zero")
        with np.errstate(divide="ignore", invalid="ignore"):
            return ctx.remainder(x.data, y.data)

    @staticmethod
    def backward(ctx: Fmod, grad: Gradient) -> tuple[Gradient | None, Gradient | None]:
        x, y = ctx.inputs
        dx = unbroadcast(grad, x.data.shape) if x.requires_grad else None
        dy = None
        if y.requires_grad:
            with np.errstate(divide="ignore", invalid="ignore"):
                whole = ctx.quotient(x.data / y.data)  # a constant: flat between the jumps
            dy = unbroadcast(-grad * whole, y.data.shape)
        return dx, dy


class Remainder(Fmod):
    """out = x - floor(x / y) * y, the remainder with the sign of y (Python's %);
    dx = grad, dy = -grad * floor(x / y)"""

    quotient = staticmethod(np.floor)
    remainder = staticmethod(np.remainder)
