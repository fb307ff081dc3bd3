"""Sliding windows: where the windows of a convolution or a pooling lie, and how to read them.

A window op (convolution, max or average pooling) slides a kernel of size k over each spatial
dim of an (N, C, *spatial) input, in steps of ``stride``, its taps ``dilation`` apart, over the
input padded with ``pad`` values before and after. Along one dim the o-th window reads the padded
positions  o * stride + j * dilation  for j = 0 .. k - 1.

The ops never loop over windows or pixels. They loop over the kernel's taps instead (k_h * k_w
of them): for a fixed tap j, the elements that every window reads there form one strided slice
of the padded input, ``slice(j * dilation, ..., stride)`` (``Windows.at``). Forward reads those slices
(im2col, max, sum); backward adds gradients into them (col2im).

Memory layout: the ops keep their arrays channel-major, (C, N, *spatial) in memory, shown as
(N, C, *spatial) views. That is the layout in which a convolution's matrix product lands, and in
which the next convolution's im2col reads contiguous rows, so a CNN's activations go from layer
to layer without a transposing copy.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

Slices = tuple[slice, ...]


@dataclass(frozen=True)
class Windows:
    """The geometry of a window op over the spatial dims (one entry per dim)."""

    size: tuple[int, ...]  # the input's spatial size
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    pad: tuple[tuple[int, int], ...]  # (before, after): after may hold ceil_mode's extra
    out: tuple[int, ...]  # how many windows along each dim

    @property
    def padded_size(self) -> tuple[int, ...]:
        return tuple(n + a + b for n, (a, b) in zip(self.size, self.pad))

    @property
    def is_padded(self) -> bool:
        return any(a or b for a, b in self.pad)

    def taps(self) -> Iterator[tuple[int, ...]]:
        """Every position in the kernel, in PyTorch's scan order (the last dim fastest)."""
        return itertools.product(*map(range, self.kernel))

    def at(self, tap: tuple[int, ...]) -> Slices:
        """The index of every window's element at kernel position ``tap`` in a padded
        (N, C, *spatial) array (or (C, N, *spatial)): a strided slice per spatial dim."""
        spatial = (
            slice(j * d, j * d + s * (o - 1) + 1, s)
            for j, d, s, o in zip(tap, self.dilation, self.stride, self.out)
        )
        return (slice(None), slice(None), *spatial)

    def inside(self) -> Slices:
        """The index of the input's own elements in a padded array."""
        spatial = (slice(a, a + n) for n, (a, _) in zip(self.size, self.pad))
        return (slice(None), slice(None), *spatial)


def output_size(
    size: int, kernel: int, stride: int, pad: tuple[int, int], dilation: int, ceil_mode: bool
) -> tuple[int, int]:
    """How many windows fit along one dim, and the padding after the input they need (the
    padding asked for, plus what ceil_mode's last, partial window reaches beyond it).

    With ceil_mode the count rounds up, but the last window must start inside the input or the
    padding before it, as PyTorch has it."""
    before, after = pad
    span = dilation * (kernel - 1) + 1
    room = size + before + after - span
    if ceil_mode:
        n = -(-room // stride) + 1
        if (n - 1) * stride >= size + before:
            n -= 1
    else:
        n = room // stride + 1
    return n, max(after, (n - 1) * stride + span - size - before)


def channel_major(shape: tuple[int, ...], dtype: np.dtype, fill: float = 0.0) -> np.ndarray:
    """An (N, C, *spatial) array filled with ``fill``, laid out (C, N, *spatial) in memory."""
    n, c, *spatial = shape
    return np.full((c, n, *spatial), fill, dtype).swapaxes(0, 1)


def padded(x: np.ndarray, w: Windows, fill: float = 0.0) -> np.ndarray:
    """x with w.pad ``fill`` values around its spatial dims (x itself when there are none)."""
    if not w.is_padded:
        return x
    out = channel_major((*x.shape[:2], *w.padded_size), x.dtype, fill)
    out[w.inside()] = x
    return out


def cropped(xp: np.ndarray, w: Windows) -> np.ndarray:
    """The input's part of a padded array (a view)."""
    return xp[w.inside()] if w.is_padded else xp
