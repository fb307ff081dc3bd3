"""Matrix multiplication with NumPy's rules: batch dims broadcast, 1-D operands are vectors."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops.broadcast import unbroadcast
from tinygrad_edu.ops.either import Gradient

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor


class MatMul(Function):
    """out = x @ y;  dx = grad @ y^T, dy = x^T @ grad  (transposing the last two dims)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: MatMul, x: Tensor, y: Tensor) -> np.ndarray:
        ctx.save_for_backward(x, y)
        if x.ndim == 0 or y.ndim == 0:
            raise RuntimeError(
                f"matmul: both operands need at least 1 dim, got {x.shape} and {y.shape}"
            )
        try:
            return np.matmul(x.data, y.data)
        except ValueError:
            k_x = x.shape[-1]
            k_y = y.shape[-2] if y.ndim > 1 else y.shape[0]
            why = (
                f"{k_x} (last dim of x) != {k_y} (dim -2 of y)"
                if k_x != k_y
                else "the batch dims do not broadcast"
            )
            raise RuntimeError(
                f"matmul: shapes {x.shape} and {y.shape} do not match: {why}"
            ) from None

    @staticmethod
    def backward(ctx: MatMul, grad: Gradient) -> tuple[Gradient | None, Gradient | None]:
        x, y = ctx.saved_tensors
        # A 1-D operand is a row (x) or column (y) vector: make it a matrix, then undo that.
        xm = x.reshape((1, *x.shape)) if x.ndim == 1 else x
        ym = y.reshape((*y.shape, 1)) if y.ndim == 1 else y
        if y.ndim == 1:
            grad = grad.reshape((*grad.shape, 1))
        if x.ndim == 1:
            grad = grad.reshape((*grad.shape[:-1], 1, grad.shape[-1]))
        need_x, need_y = ctx.needs_input_grad
        dx = unbroadcast(grad @ ym.mT, xm.shape).reshape(x.shape) if need_x else None
        dy = unbroadcast(xm.mT @ grad, ym.shape).reshape(y.shape) if need_y else None
        return dx, dy
