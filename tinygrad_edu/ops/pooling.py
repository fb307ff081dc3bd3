"""Max and average pooling over sliding windows, each one node, looping over kernel taps only.

For a fixed kernel tap, the element that every window reads there is one strided slice of the
(padded) input (windows.py). So a window max is a running ``np.maximum`` over the k_h * k_w
slices, a window sum a running ``+=``, and their backwards write into the same slices.

Max pooling sends each window's gradient to one element, its first maximum in scan order (as
PyTorch does: a tie does not split the gradient). Forward remembers which tap that was; under
create_graph the backward is an ``IndexAdd`` of the gradient at those positions, whose own
backward (a gather) gives second derivatives. Average pooling's backward is linear in the
gradient, so it is an op of its own too, ``AvgPoolTranspose``, and the two are each other's
backward, as conv and its transpose are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops.either import Gradient
from tinygrad_edu.ops.movement import IndexAdd
from tinygrad_edu.ops.windows import Windows, channel_major, cropped, padded

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor


def _overlap(w: Windows) -> bool:
    """Do neighbouring windows share input elements (so backward must add, not assign)?"""
    return any(s < d * (k - 1) + 1 for k, s, d in zip(w.kernel, w.stride, w.dilation))


def _tiles(w: Windows) -> bool:
    """Do the windows cover the input exactly, each element once (2x2 pooling of an even
    size)? Then backward writes every element and needs no zeros to start from."""
    return not w.is_padded and all(
        d == 1 and s == k and o * k == n
        for n, k, s, d, o in zip(w.size, w.kernel, w.stride, w.dilation, w.out)
    )


def _channel_major(a: np.ndarray) -> np.ndarray:
    """a, laid out (C, N, *spatial) in memory: itself if it is, else a copy. (A gradient that
    comes through a flatten is (N, C, ...) in memory; the taps of _spread would each read it
    across the grain, at twice the time of one copy first: measured on the LeNet's second pool.)"""
    if a.ndim < 2 or a.swapaxes(0, 1).flags.c_contiguous:
        return a
    out = channel_major(a.shape, a.dtype, None)
    out[...] = a
    return out


def _spread(
    values: Any, shape: tuple[int, ...], w: Windows, dtype: np.dtype, taps_hit: Any = None
) -> np.ndarray:
    """zeros(shape) with ``values`` (one per window) added at every tap of every window; with
    ``taps_hit`` (which tap each window's value goes to) only at that tap."""
    full = (*shape[:2], *w.padded_size)
    dxp = channel_major(full, dtype, None if _tiles(w) else 0.0)
    values = _channel_major(values)  # (as dxp and taps_hit: each tap's pass then runs along memory)
    overlap = _overlap(w)
    hit = np.empty_like(taps_hit, dtype=bool) if taps_hit is not None else None
    for k, (_, index) in enumerate(w.taps):
        view = dxp[index]
        if hit is not None:
            np.equal(taps_hit, k, out=hit)
            part = np.multiply(values, hit, out=None if overlap else view)
        else:
            part = values
        if overlap:
            view += part
        elif part is not view:
            view[...] = part
    return cropped(dxp, w)


def argmax_positions(which: np.ndarray, w: Windows) -> list[np.ndarray]:
    """For each window, the input position of its max along each spatial dim (from the tap
    index ``which``); clipped into the input, which matters only for a window of -inf values."""
    taps = np.array([tap for tap, _ in w.taps], dtype=np.int64).reshape(-1, len(w.kernel))[which]
    positions = []
    for i, (n, s, d, (before, _)) in enumerate(zip(w.size, w.stride, w.dilation, w.pad)):
        start = np.arange(w.out[i]).reshape((-1,) + (1,) * (len(w.out) - 1 - i)) * s - before
        positions.append(np.clip(start + taps[..., i] * d, 0, n - 1))
    return positions


def window_mean(x: np.ndarray, w: Windows, divisor: np.ndarray) -> np.ndarray:
    """The sum of each window of x (zero padding) / divisor."""
    xp = padded(x, w)
    views = (xp[index] for _, index in w.taps)
    out = channel_major((*x.shape[:2], *w.out), x.dtype, None)
    np.copyto(out, next(views))
    for v in views:
        out += v
    out /= divisor
    return out


def window_max(x: np.ndarray, w: Windows) -> tuple[np.ndarray, np.ndarray]:
    """The max of each window of x (-inf padding), and the index of the tap that holds it."""
    xp = padded(x, w, -np.inf)
    views = (xp[index] for _, index in w.taps)
    out = channel_major((*x.shape[:2], *w.out), x.dtype, None)
    np.copyto(out, next(views))
    # (Both in out's memory layout: a ufunc over arrays laid out alike runs along memory.)
    which = np.zeros_like(out, dtype=np.min_scalar_type(int(np.prod(w.kernel)) - 1))
    greater = np.empty_like(out, dtype=bool)
    for k, v in enumerate(views, start=1):
        np.greater(v, out, out=greater)  # strictly: the first max wins a tie
        np.copyto(which, k, where=greater)
        np.maximum(out, v, out=out)  # (and a NaN wins, as in PyTorch)
    return out, which


class MaxPool(Function):
    """out = the max of each window (padding counts as -inf);
    dx = grad added at each window's first maximum"""

    backward_on_arrays = True
    which: np.ndarray  # for each window, the index of the tap that holds its max

    @staticmethod
    def forward(ctx: MaxPool, x: Tensor, w: Windows) -> np.ndarray:
        out, ctx.which = window_max(x.data, w)
        return out

    @staticmethod
    def backward(ctx: MaxPool, grad: Gradient) -> Gradient:
        x, w = ctx.inputs
        if isinstance(grad, np.ndarray):
            return _spread(grad, x.shape, w, grad.dtype, ctx.which)
        n, c = x.shape[:2]
        index = (
            np.arange(n).reshape(-1, *(1,) * (x.ndim - 1)),
            np.arange(c).reshape(-1, *(1,) * (x.ndim - 2)),
            *argmax_positions(ctx.which, w),
        )
        return IndexAdd.apply(grad, index, x.shape)


class AvgPool(Function):
    """out = the sum of each window (padding counts as 0) / divisor;
    dx = AvgPoolTranspose(grad): grad / divisor added back over each window"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: AvgPool, x: Tensor, w: Windows, divisor: np.ndarray) -> np.ndarray:
        return window_mean(x.data, w, divisor)

    @staticmethod
    def backward(ctx: AvgPool, grad: Gradient) -> Gradient:
        x, w, divisor = ctx.inputs
        if isinstance(grad, np.ndarray):
            return _spread(grad / divisor, x.shape, w, grad.dtype)
        return AvgPoolTranspose.apply(grad, w, divisor, x.shape)


class AvgPoolTranspose(Function):
    """out = g / divisor added back over each window, of shape ``x_shape`` (AvgPool's adjoint);
    dg = AvgPool(grad)"""

    backward_on_arrays = True

    @staticmethod
    def forward(
        ctx: AvgPoolTranspose, g: Tensor, w: Windows, divisor: np.ndarray, x_shape: tuple[int, ...]
    ) -> np.ndarray:
        return _spread(g.data / divisor, x_shape, w, g.dtype)

    @staticmethod
    def backward(ctx: AvgPoolTranspose, grad: Gradient) -> Gradient:
        _, w, divisor, _ = ctx.inputs
        if isinstance(grad, np.ndarray):
            return window_mean(grad, w, divisor)
        return AvgPool.apply(grad, w, divisor)
