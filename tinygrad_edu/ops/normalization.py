"""Normalisation as one fused op: standardise over some dims, then scale and shift.

LayerNorm, GroupNorm and BatchNorm (in training) all compute

    x_hat = (x - mean) / sqrt(var + eps),   out = x_hat * w + b

with the mean and the biased variance taken over some dims (a sample's features, a group of
channels, a channel over the batch), and w, b broadcast against x. Written as a chain of
primitives this is a dozen nodes; as one node its backward is the closed form (n: the number of
elements each mean runs over, mean_d: a mean over the normalised dims):

    dx_hat = grad * w
    dx = (dx_hat - mean_d(dx_hat) - x_hat * mean_d(dx_hat * x_hat)) / sqrt(var + eps)
    dw = grad * x_hat, summed to w's shape;   db = grad summed to b's shape

The first term is the gradient through x itself, the other two the gradient through the mean and
the variance, which depend on x too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops.broadcast import unbroadcast
from tinygrad_edu.ops.either import Gradient
from tinygrad_edu.ops.reduce import count

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor

Dims = tuple[int, ...]


def moments(x: np.ndarray, dims: Dims) -> tuple[np.ndarray, np.ndarray]:
    """The mean and the biased variance of x over dims (kept as size-1 dims). Two passes: the
    mean first, then the mean square of the differences from it, which keeps precision where
    E[x^2] - E[x]^2 would cancel. float16 is accumulated in float32."""
    acc = np.float32 if x.dtype == np.float16 else x.dtype
    mean = x.mean(axis=dims, keepdims=True, dtype=acc)
    centred = x - mean
    var = np.mean(np.square(centred, out=centred), axis=dims, keepdims=True, dtype=acc)
    return mean.astype(x.dtype, copy=False), var.astype(x.dtype, copy=False)


def _standardise(x: Gradient, dims: Dims, eps: float) -> tuple[Gradient, Gradient]:
    """x_hat and 1 / sqrt(var + eps), for an array or (differentiably) for a Tensor."""
    n = np.asarray(count(x.shape, dims), x.dtype)
    centred = x - x.sum(axis=dims, keepdims=True) / n
    rstd = ((centred * centred).sum(axis=dims, keepdims=True) / n + eps) ** -0.5
    return centred * rstd, rstd


class Normalize(Function):
    """out = (x - mean) / sqrt(var + eps) * w + b, the moments over ``dims``; see the module's
    docstring for the backward. w and b may be None, else they broadcast against x."""

    backward_on_arrays = True
    x_hat: np.ndarray  # kept for the array path of backward
    rstd: np.ndarray

    @staticmethod
    def forward(
        ctx: Normalize,
        x: Tensor,
        weight: Tensor | None,
        bias: Tensor | None,
        dims: Dims,
        eps: float,
        stats: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> np.ndarray:
        """``stats``: the (mean, var) of x over dims when the caller has them already (batch
        norm needs them for its running averages); backward treats them as the functions of x
        they are."""
        mean, var = moments(x.data, dims) if stats is None else stats
        rstd = 1.0 / np.sqrt(var + np.asarray(eps, var.dtype))
        x_hat = (x.data - mean) * rstd
        ctx.x_hat, ctx.rstd = x_hat, rstd
        ctx.save_for_backward(x)
        if weight is None:
            out = x_hat.copy() if bias is not None else x_hat
        else:
            out = x_hat * weight.data
        if bias is not None:
            out += bias.data
        return out

    @staticmethod
    def backward(ctx: Normalize, grad: Gradient) -> tuple[Gradient | None, ...]:
        (x,) = ctx.saved_tensors
        _, weight, bias, dims, eps = ctx.inputs[:5]
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        x_hat: Any
        rstd: Any
        if isinstance(grad, np.ndarray):
            x_hat, rstd = ctx.x_hat, ctx.rstd
            w = weight.data if weight is not None else None
        else:  # create_graph: x_hat recomputed from x, so that second derivatives see it move
            x_hat, rstd = _standardise(x, dims, eps)
            w = weight
        dx = dw = db = None
        if need_x:
            g = grad * w if w is not None else grad
            n = np.asarray(count(x.shape, dims), x.dtype)
            mean_g = g.sum(axis=dims, keepdims=True) / n
            mean_gx = (g * x_hat).sum(axis=dims, keepdims=True) / n
            dx = (g - mean_g - x_hat * mean_gx) * rstd
        if need_w:
            dw = unbroadcast(grad * x_hat, weight.shape)
        if need_b:
            db = unbroadcast(grad, bias.shape)
        return dx, dw, db
