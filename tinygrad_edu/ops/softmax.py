"""softmax and log_softmax along one dim, stable for logits of any size."""

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
