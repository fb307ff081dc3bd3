"""Elementwise arithmetic: + - * / ** and negation, with NumPy broadcasting."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops.broadcast import unbroadcast
from tinygrad_edu.ops.either import Gradient

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor


class Add(Function):
    """out = x + y;  dx = grad, dy = grad"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Add, x: Tensor, y: Tensor) -> np.ndarray:
        return x.data + y.data

    @staticmethod
    def backward(ctx: Add, grad: Gradient) -> tuple[Gradient | None, Gradient | None]:
        x, y = ctx.inputs  # (Tensors: .data.shape is the plain tuple, quicker than .shape)
        dx = unbroadcast(grad, x.data.shape) if x.requires_grad else None
        dy = unbroadcast(grad, y.data.shape) if y.requires_grad else None
        return dx, dy


class Sub(Function):
    """out = x - y;  dx = grad, dy = -grad"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Sub, x: Tensor, y: Tensor) -> np.ndarray:
        return x.data - y.data

    @staticmethod
    def backward(ctx: Sub, grad: Gradient) -> tuple[Gradient | None, Gradient | None]:
        x, y = ctx.inputs
        dx = unbroadcast(grad, x.data.shape) if x.requires_grad else None
        dy = unbroadcast(-grad, y.data.shape) if y.requires_grad else None
        return dx, dy


class Neg(Function):
    """out = -x;  dx = -grad"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Neg, x: Tensor) -> np.ndarray:
        return -x.data

    @staticmethod
    def backward(ctx: Neg, grad: Gradient) -> Gradient:
        return -grad


class Mul(Function):
    """out = x * y;  dx = grad * y, dy = grad * x

    Each input is saved only when the other's gradient needs it (as PyTorch does): then changing
    x in place after ``x * 2`` is no error, because nothing read x's old values.
    """

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Mul, x: Tensor, y: Tensor) -> np.ndarray:
        ctx.save_for_backward(x if y.requires_grad else None, y if x.requires_grad else None)
        return x.data * y.data

    @staticmethod
    def backward(ctx: Mul, grad: Gradient) -> tuple[Gradient | None, Gradient | None]:
        x, y = ctx.saved_tensors  # y is there when x needs a gradient, and x when y does
        x_in, y_in = ctx.inputs
        dx = unbroadcast(grad * y, x_in.shape) if y is not None else None
        dy = unbroadcast(grad * x, y_in.shape) if x is not None else None
        return dx, dy


class Div(Function):
    """out = x / y;  dx = grad / y, dy = -grad * x / y^2"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Div, x: Tensor, y: Tensor) -> np.ndarray:
        ctx.save_for_backward(x if y.requires_grad else None, y)  # (x: only dy needs it)
        return x.data / y.data

    @staticmethod
    def backward(ctx: Div, grad: Gradient) -> tuple[Gradient | None, Gradient | None]:
        x, y = ctx.saved_tensors
        x_in, y_in = ctx.inputs
        dx = unbroadcast(grad / y, x_in.shape) if x_in.requires_grad else None
        dy = unbroadcast(-grad * x / (y * y), y_in.shape) if x is not None else None
        return dx, dy


class PowScalar(Function):
    """out = x ** p for a constant p;  dx = grad * p * x ** (p - 1)"""

    backward_on_arrays = True
    p: float  # the exponent

    @staticmethod
    def forward(ctx: PowScalar, x: Tensor, p: float) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.p = p
        # A Python exponent must not turn float32 into float64.
        return np.power(x.data, np.asarray(p, dtype=x.data.dtype))

    @staticmethod
    def backward(ctx: PowScalar, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return grad * 0
        if p == 1:
            return grad
        if p == 2:
            return grad * 2.0 * x  # x ** 1 would add a needless op
        return grad * p * x ** (p - 1)


class Pow(Function):
    """out = x ** y;  dx = grad * y * x ** (y - 1), dy = grad * out * log(x)"""

    save_output = True

    @staticmethod
    def forward(ctx: Pow, x: Tensor, y: Tensor) -> np.ndarray:
        ctx.save_for_backward(x, y)
        return np.power(x.data, y.data)

    @staticmethod
    def backward(ctx: Pow, grad: Gradient) -> tuple[Gradient | None, Gradient | None]:
        x, y = ctx.saved_tensors
        dx = dy = None
        if x.requires_grad:
            dx = unbroadcast(grad * y * x ** (y - 1.0), x.shape)
        if y.requires_grad:
            # Where x == 0 the log is -inf but x ** y is flat in y (for y > 0): use 0, as PyTorch.
            safe_x = x.where(x.data != 0, 1.0)
            dy = unbroadcast(grad * ctx.output * safe_x.log(), y.shape)
        return dx, dy
