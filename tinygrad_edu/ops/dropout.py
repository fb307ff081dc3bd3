"""Dropout: multiply by a random mask, drawn once in forward and reused by backward.

The mask is a constant of the op (like a comparison's result, it has no gradient), already
scaled: m = keep / (1 - p), so the expected value of the output is the input. For channel
dropout (Dropout1d/2d) the mask has size 1 along the spatial dims and broadcasts over them, so a
whole feature map is kept or zeroed together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops.either import Gradient

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor


def dropout_mask(
    rng: np.random.Generator, shape: tuple[int, ...], p: float, dtype: np.dtype
) -> np.ndarray:
    """keep ~ Bernoulli(1 - p), scaled by 1 / (1 - p); all zeros for p = 1 (not 0 * inf)."""
    if p == 1:
        return np.zeros(shape, dtype)
    # float32 draws: half the random bits and memory of float64, and plenty to compare with p.
    keep = rng.random(shape, dtype=np.float32) >= np.float32(p)
    # (The scale is rounded to the dtype first and then multiplied, as PyTorch does: its
    # surviving values are bit-for-bit ours.)
    return keep * np.asarray(1.0 / (1.0 - p), dtype)


class Dropout(Function):
    """out = x * m (m: the scaled keep-mask, broadcast over x);  dx = grad * m"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Dropout, x: Tensor, mask: np.ndarray) -> np.ndarray:
        return x.data * mask

    @staticmethod
    def backward(ctx: Dropout, grad: Gradient) -> Gradient:
        return grad * ctx.inputs[1]
