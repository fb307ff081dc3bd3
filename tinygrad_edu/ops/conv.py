"""Convolution as im2col and one matrix product, and the two ops its backward is made of.

For an (N, C, *S) input x and an (O, C, *K) weight W, each output is a dot product of W[o] with
one window of x. im2col copies every window into a column (one copy per kernel tap, see
windows.py), giving cols of shape (C*K, N*P) for P output positions; then

    out = W (O, C*K) @ cols (C*K, N*P)          one BLAS call
    dW = grad (O, N*P) @ cols^T                  one BLAS call, reusing forward's columns
    dx = col2im(W^T @ grad)                      one BLAS call, then each column added back

With ``groups`` G the channels split into G independent convolutions: the same products, one
per group (a batched matmul).

Second derivatives (gradient penalties differentiate a gradient) need the backward to be ops
too. It is made of two: ``ConvTranspose`` (dx, as a function of grad and W; the transposed
convolution) and ``ConvWeightGrad`` (dW, as a function of x and grad). All three are bilinear
and share the one form B(x, W, g) = <g, conv(x, W)>, so each one's backward is the other two:

    conv(x, W):             dx = ConvTranspose(grad, W),  dW = ConvWeightGrad(x, grad)
    ConvTranspose(g, W):    dg = conv(grad, W),            dW = ConvWeightGrad(grad, g)
    ConvWeightGrad(x, g):   dx = ConvTranspose(g, grad),   dg = conv(x, grad)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops.either import Gradient
from tinygrad_edu.ops.windows import Windows, cropped, padded

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor

Shape = tuple[int, ...]


def _acc(a: np.ndarray) -> np.ndarray:
    """float16 is computed in float32 (NumPy's float16 matmul is slow and loses precision)."""
    return a.astype(np.float32) if a.dtype == np.float16 else a


def im2col(x: np.ndarray, w: Windows) -> np.ndarray:
    """cols[c, *tap, n, *o] = padded x[n, c, *(o stride + tap dilation)]: each window's
    elements in a column, (C, *K, N, *out) in memory, i.e. C*K rows of N*P."""
    xp = padded(_acc(x), w).swapaxes(0, 1)  # (C, N, *padded): contiguous rows if channel-major
    c, n = xp.shape[:2]
    cols = np.empty((c, *w.kernel, n, *w.out), xp.dtype)
    for tap in w.taps():
        row: tuple[slice | int, ...] = (slice(None), *tap)
        cols[row] = xp[w.at(tap)]
    return cols


def col2im(dcols: np.ndarray, x_shape: Shape, w: Windows) -> np.ndarray:
    """The adjoint of im2col: each column's entries added back where they were read from."""
    n, c = x_shape[:2]
    dxp = np.zeros((c, n, *w.padded_size), dcols.dtype)
    for tap in w.taps():
        row: tuple[slice | int, ...] = (slice(None), *tap)
        dxp[w.at(tap)] += dcols[row]
    return cropped(dxp.swapaxes(0, 1), w)


def _rows(a: np.ndarray, groups: int) -> np.ndarray:
    """(N, O, *out) as (G, O/G, N*P): the channel-major view, a copy only if not laid out so."""
    return _acc(a).swapaxes(0, 1).reshape(groups, a.shape[1] // groups, -1)


def conv_forward(
    x: np.ndarray, weight: np.ndarray, w: Windows, groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """The convolution (N, O, *out), channel-major in memory, and the columns it used."""
    cols = im2col(x, w)
    o, n = weight.shape[0], x.shape[0]
    w2 = _acc(weight).reshape(groups, o // groups, -1)
    out = np.matmul(w2, cols.reshape(groups, w2.shape[2], -1))  # (G, O/G, N*P)
    return out.reshape(o, n, *w.out).swapaxes(0, 1), cols


def weight_grad(cols: np.ndarray, grad: np.ndarray, weight_shape: Shape, groups: int) -> np.ndarray:
    """dW = grad @ cols^T, per group."""
    g = _rows(grad, groups)
    return np.matmul(g, cols.reshape(groups, -1, g.shape[2]).swapaxes(1, 2)).reshape(weight_shape)


def input_grad(
    grad: np.ndarray, weight: np.ndarray, x_shape: Shape, w: Windows, groups: int
) -> np.ndarray:
    """dx = col2im(W^T @ grad), per group."""
    g = _rows(grad, groups)
    w2 = _acc(weight).reshape(groups, g.shape[1], -1)
    dcols = np.matmul(w2.swapaxes(1, 2), g)  # (G, C/G * K, N*P)
    n, c = x_shape[:2]
    return col2im(dcols.reshape(c, *w.kernel, n, *w.out), x_shape, w)


def _as(a: np.ndarray, dtype: np.dtype) -> np.ndarray:
    return a.astype(dtype, copy=False)


class Conv(Function):
    """out[n, o] = sum over c, taps of W[o, c, tap] x[n, c, window + tap] + b[o];
    dx = ConvTranspose(grad, W),  dW = ConvWeightGrad(x, grad),  db = grad summed over all
    but the channel dim. (``w``: the Windows geometry; ``groups``: independent channel groups.)
    """

    backward_on_arrays = True
    cols: np.ndarray  # forward's columns, for dW (dropped once used)

    @staticmethod
    def forward(
        ctx: Conv, x: Tensor, weight: Tensor, bias: Tensor | None, w: Windows, groups: int
    ) -> np.ndarray:
        ctx.save_for_backward(x, weight)
        out, cols = conv_forward(x.data, weight.data, w, groups)
        if ctx.needs_input_grad[1]:
            ctx.cols = cols
        if bias is not None:
            channels = out.swapaxes(0, 1)  # (O, N, *out): bias[o] along the first dim
            channels += bias.data.reshape(-1, *(1,) * (channels.ndim - 1))
        return _as(out, x.dtype)

    @staticmethod
    def backward(ctx: Conv, grad: Gradient) -> tuple[Gradient | None, ...]:
        x, weight = ctx.saved_tensors
        _, _, _, w, groups = ctx.inputs
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        dx = dw = db = None
        if isinstance(grad, np.ndarray):
            if need_x:
                dx = _as(input_grad(grad, weight, x.shape, w, groups), x.dtype)
            if need_w:
                # Forward's columns, freed now; a second backward (retain_graph) rebuilds them.
                cols = ctx.__dict__.pop("cols", None)
                cols = im2col(x, w) if cols is None else cols
                dw = _as(weight_grad(cols, grad, weight.shape, groups), x.dtype)
        else:
            dx = ConvTranspose.apply(grad, weight, x.shape, w, groups) if need_x else None
            dw = ConvWeightGrad.apply(x, grad, weight.shape, w, groups) if need_w else None
        if need_b:
            db = grad.sum(axis=(0, *range(2, grad.ndim)))
        return dx, dw, db


class ConvTranspose(Function):
    """out = the gradient of <g, conv(x, W)> with respect to x: col2im(W^T @ g), of shape
    ``x_shape`` (a transposed convolution);  dg = conv(grad, W),  dW = ConvWeightGrad(grad, g)"""

    backward_on_arrays = True

    @staticmethod
    def forward(
        ctx: ConvTranspose, g: Tensor, weight: Tensor, x_shape: Shape, w: Windows, groups: int
    ) -> np.ndarray:
        ctx.save_for_backward(g, weight)
        return _as(input_grad(g.data, weight.data, x_shape, w, groups), g.dtype)

    @staticmethod
    def backward(ctx: ConvTranspose, grad: Gradient) -> tuple[Gradient | None, ...]:
        g, weight = ctx.saved_tensors
        _, _, _, w, groups = ctx.inputs
        need_g, need_w = ctx.needs_input_grad[:2]
        dg = dw = None
        if isinstance(grad, np.ndarray):
            if need_g:
                dg = _as(conv_forward(grad, weight, w, groups)[0], g.dtype)
            if need_w:
                dw = _as(weight_grad(im2col(grad, w), g, weight.shape, groups), g.dtype)
        else:
            dg = Conv.apply(grad, weight, None, w, groups) if need_g else None
            dw = ConvWeightGrad.apply(grad, g, weight.shape, w, groups) if need_w else None
        return dg, dw


class ConvWeightGrad(Function):
    """out = the gradient of <g, conv(x, W)> with respect to W: g @ im2col(x)^T, of shape
    ``weight_shape``;  dx = ConvTranspose(g, grad),  dg = conv(x, grad)"""

    backward_on_arrays = True

    @staticmethod
    def forward(
        ctx: ConvWeightGrad,
        x: Tensor,
        g: Tensor,
        weight_shape: Shape,
        w: Windows,
        groups: int,
    ) -> np.ndarray:
        ctx.save_for_backward(x, g)
        return _as(weight_grad(im2col(x.data, w), g.data, weight_shape, groups), x.dtype)

    @staticmethod
    def backward(ctx: ConvWeightGrad, grad: Gradient) -> tuple[Gradient | None, ...]:
        x, g = ctx.saved_tensors
        _, _, _, w, groups = ctx.inputs
        need_x, need_g = ctx.needs_input_grad[:2]
        dx = dg = None
        if isinstance(grad, np.ndarray):
            if need_x:
                dx = _as(input_grad(g, grad, x.shape, w, groups), x.dtype)
            if need_g:
                dg = _as(conv_forward(x, grad, w, groups)[0], x.dtype)
        else:
            dx = ConvTranspose.apply(g, grad, x.shape, w, groups) if need_x else None
            dg = Conv.apply(x, grad, None, w, groups) if need_g else None
        return dx, dg
