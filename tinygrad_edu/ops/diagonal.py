"""The diagonal of the last two dims as a view: x.diagonal() shares x's memory, as in PyTorch, so
``x.diagonal().fill_(0)`` changes x (through the view machinery of tinygrad_edu/inplace.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops.either import Gradient
from tinygrad_edu.ops.movement import IndexAdd, index_add

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor


def _corner(shape: tuple[int, ...], offset: int) -> tuple[int, int, int]:
    """Where the diagonal starts (row, column) and how long it is."""
    rows, cols = shape[-2:]
    row0, col0 = max(-offset, 0), max(offset, 0)
    return row0, col0, max(min(rows - row0, cols - col0), 0)


def positions(shape: tuple[int, ...], offset: int) -> tuple[Any, ...]:
    """The index that picks the diagonal: every leading dim whole, then (rows, columns)."""
    row0, col0, n = _corner(shape, offset)
    steps = np.arange(n)
    return (slice(None),) * (len(shape) - 2) + (steps + row0, steps + col0)


class Diagonal(Function):
    """out[..., i] = x[..., i, i + offset] (offset < 0: below the main diagonal), a view;
    dx = grad placed on that diagonal of zeros"""

    backward_on_arrays = True

    @staticmethod
    def array_view(a: np.ndarray, offset: int) -> np.ndarray:
        """A strided view: one step along the diagonal moves a row and a column at once."""
        row0, col0, n = _corner(a.shape, offset)
        start = a[..., row0:, col0:]
        strides = (*a.strides[:-2], a.strides[-2] + a.strides[-1])
        return np.lib.stride_tricks.as_strided(start, (*a.shape[:-2], n), strides)

    @staticmethod
    def forward(ctx: Diagonal, x: Tensor, offset: int) -> np.ndarray:
        return Diagonal.array_view(x.data, offset)

    @staticmethod
    def backward(ctx: Diagonal, grad: Gradient) -> Gradient:
        x, offset = ctx.inputs
        index = positions(x.data.shape, offset)
        if isinstance(grad, np.ndarray):
            return index_add(grad, index, x.data.shape)
        return IndexAdd.apply(grad, index, x.data.shape)
