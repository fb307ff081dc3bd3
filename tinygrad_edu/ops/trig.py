"""Trigonometric and hyperbolic functions, their inverses, and atan2.

Outside their domains (asin of 2, acos of -1.5) the result is NaN, silently, as in PyTorch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops import either
from tinygrad_edu.ops.broadcast import unbroadcast
from tinygrad_edu.ops.either import Gradient

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor


class Sin(Function):
    """out = sin x;  dx = grad * cos x"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Sin, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.sin(x.data)

    @staticmethod
    def backward(ctx: Sin, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        return grad * either.cos(x)


class Cos(Function):
    """out = cos x;  dx = -grad * sin x"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Cos, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.cos(x.data)

    @staticmethod
    def backward(ctx: Cos, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        return -grad * either.sin(x)


class Tan(Function):
    """out = tan x;  dx = grad * (1 + out^2)"""

    backward_on_arrays = True
    save_output = True

    @staticmethod
    def forward(ctx: Tan, x: Tensor) -> np.ndarray:
        return np.tan(x.data)

    @staticmethod
    def backward(ctx: Tan, grad: Gradient) -> Gradient:
        out = ctx.output
        return grad + grad * out * out


class Asin(Function):
    """out = asin x;  dx = grad / sqrt(1 - x^2)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Asin, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):
            return np.arcsin(x.data)

    @staticmethod
    def backward(ctx: Asin, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        with np.errstate(invalid="ignore", divide="ignore"):
            return grad * (1 - x * x) ** -0.5


class Acos(Function):
    """out = acos x;  dx = -grad / sqrt(1 - x^2)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Acos, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):
            return np.arccos(x.data)

    @staticmethod
    def backward(ctx: Acos, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        with np.errstate(invalid="ignore", divide="ignore"):
            return -grad * (1 - x * x) ** -0.5


class Atan(Function):
    """out = atan x;  dx = grad / (1 + x^2)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Atan, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.arctan(x.data)

    @staticmethod
    def backward(ctx: Atan, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        return grad / (x * x + 1)


class Sinh(Function):
    """out = sinh x;  dx = grad * cosh x"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Sinh, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(over="ignore"):  # inf beyond |x| = 710, as in PyTorch
            return np.sinh(x.data)

    @staticmethod
    def backward(ctx: Sinh, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        with np.errstate(over="ignore"):
            return grad * either.cosh(x)


class Cosh(Function):
    """out = cosh x;  dx = grad * sinh x"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Cosh, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(over="ignore"):
            return np.cosh(x.data)

    @staticmethod
    def backward(ctx: Cosh, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        with np.errstate(over="ignore"):
            return grad * either.sinh(x)


class Atan2(Function):
    """out = atan2(y, x), the angle of the point (x, y);
    dy = grad * x / (x^2 + y^2), dx = -grad * y / (x^2 + y^2)  (0 at the origin, as PyTorch)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Atan2, y: Tensor, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(y, x)
        return np.arctan2(y.data, x.data)

    @staticmethod
    def backward(ctx: Atan2, grad: Gradient) -> tuple[Gradient | None, Gradient | None]:
        y, x = ctx.saved_tensors
        need_y, need_x = ctx.needs_input_grad
        r2 = x * x + y * y
        origin = either.constant(r2) == 0
        scale = either.keep_where(grad / (r2 + origin), ~origin)  # (r2 + 1 at the origin)
        dy = unbroadcast(scale * x, y.shape) if need_y else None
        dx = unbroadcast(-scale * y, x.shape) if need_x else None
        return dy, dx
