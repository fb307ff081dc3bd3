"""softmax and log_softmax along a dim, and logsumexp over dims: stable for any logits."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops import either
from tinygrad_edu.ops.either import Gradient

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor


def log_softmax_array(x: np.ndarray, dim: int) -> np.ndarray:
    """x - logsumexp(x): subtracting the max first means exp never overflows."""
    if x.shape[dim] == 0:
        return x.copy()  # over no elements: nothing (np.max would refuse)
    shifted = x - np.max(x, axis=dim, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))


class Softmax(Function):
    """out = e^x / sum(e^x);  dx = out * (grad - sum(grad * out))"""

    backward_on_arrays = True

    save_output = True

    @staticmethod
    def forward(ctx: Softmax, x: Tensor, dim: int) -> np.ndarray:
        if x.shape[dim] == 0:
            return x.data.copy()  # over no elements: nothing (np.max would refuse)
        e = np.exp(x.data - np.max(x.data, axis=dim, keepdims=True))
        return e / np.sum(e, axis=dim, keepdims=True)

    @staticmethod
    def backward(ctx: Softmax, grad: Gradient) -> Gradient:
        out, dim = ctx.output, ctx.inputs[1]
        return out * (grad - (grad * out).sum(axis=dim, keepdims=True))


class LogSoftmax(Function):
    """out = x - logsumexp(x);  dx = grad - softmax(x) * sum(grad)"""

    backward_on_arrays = True

    save_output = True

    @staticmethod
    def forward(ctx: LogSoftmax, x: Tensor, dim: int) -> np.ndarray:
        return log_softmax_array(x.data, dim)

    @staticmethod
    def backward(ctx: LogSoftmax, grad: Gradient) -> Gradient:
        out, dim = ctx.output, ctx.inputs[1]
        return grad - either.exp(out) * grad.sum(axis=dim, keepdims=True)


class LogSumExp(Function):
    """out = log sum e^x over dims = m + log sum e^(x - m), m the max (so e^ never overflows);
    dx = grad * e^(x - out) = grad * softmax(x)"""

    backward_on_arrays = True
    save_output = True

    @staticmethod
    def forward(
        ctx: LogSumExp, x: Tensor, dims: tuple[int, ...] | None, keepdim: bool
    ) -> np.ndarray:
        ctx.save_for_backward(x)
        m = np.max(x.data, axis=dims, keepdims=True, initial=-np.inf)
        m = np.where(np.isfinite(m), m, 0)  # all -inf (or an inf): shift by nothing
        with np.errstate(divide="ignore"):  # log 0 = -inf: the logsumexp of nothing
            out = np.log(np.sum(np.exp(x.data - m), axis=dims, keepdims=True)) + m
        return out if keepdim else out.reshape(np.sum(m, axis=dims).shape)

    @staticmethod
    def backward(ctx: LogSumExp, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        dims = ctx.inputs[1]
        kept = tuple(1 if dims is None or i in dims else n for i, n in enumerate(x.shape))
        return grad.reshape(kept) * either.exp(x - ctx.output.reshape(kept))
