"""The median of all elements: a reduction whose gradient, like max's, is shared by ties."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.ops.reduce import Amax


def lower_median(a: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    """The lower of the two middle values for an even count (PyTorch's median, which is always
    one of the elements); NaN if the slice holds one. (Only all dims: axis None.)"""
    flat = np.sort(a, axis=None)  # NaN sorts last
    value = flat[-1] if np.isnan(flat[-1]) else flat[(flat.size - 1) // 2]
    return np.full((1,) * a.ndim if keepdims else (), value, dtype=a.dtype)


class Median(Amax):
    """out = the median of all elements;  dx = grad shared equally by the elements equal to it"""

    reduce = staticmethod(lower_median)
