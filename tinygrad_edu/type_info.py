"""``torch.dtype``, ``torch.finfo`` and ``torch.iinfo``: what a dtype is, and the limits of one.

Here dtypes are NumPy dtypes, so ``dtype`` is NumPy's dtype class: ``isinstance(torch.float32,
torch.dtype)`` holds, and ``def f(x: torch.dtype)`` type-checks. ``finfo`` and ``iinfo`` read
NumPy's tables and hand the numbers back as Python floats and ints, as PyTorch does.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from tinygrad_edu import dtypes

dtype = np.dtype


class _Limits:
    """What finfo and iinfo share: two are equal when they are of one kind and one dtype."""

    dtype: str

    def __eq__(self, other: object) -> builtins.bool:
        return type(other) is type(self) and other.dtype == self.dtype

    def __hash__(self) -> builtins.int:
        return hash((type(self).__name__, self.dtype))


class finfo(_Limits):
    """The limits of a floating dtype (the default dtype when none is given), as torch.finfo.

    ``bits``; ``eps``, the gap between 1 and the next float; ``max`` and ``min``, the largest
    and the most negative finite values; ``tiny`` (= ``smallest_normal``), the smallest positive
    normal value; ``resolution``, 10 ** -(decimal digits of precision); ``dtype``, its name.
    """

    bits: builtins.int
    eps: builtins.float
    max: builtins.float
    min: builtins.float
    tiny: builtins.float
    smallest_normal: builtins.float
    resolution: builtins.float
    dtype: str

    def __init__(self, type: Any = None) -> None:
        dt = dtypes.get_default_dtype() if type is None else dtypes.as_dtype(type)
        if dt.kind != "f":
            raise TypeError(
                f"torch.finfo() requires a floating point input type, got {dt}. Use torch.iinfo "
                "to handle 'torch.finfo'"
            )
        info = np.finfo(dt)
        self.bits = builtins.int(info.bits)
        self.eps = builtins.float(info.eps)
        self.max = builtins.float(info.max)
        self.min = builtins.float(info.min)
        self.tiny = self.smallest_normal = builtins.float(info.smallest_normal)
        # 10 ** -precision as a Python float (NumPy's is rounded to the dtype: 1e-6 in float32
        # would come back as 9.99999997e-07)
        self.resolution = 10.0 ** -builtins.int(info.precision)
        self.dtype = dt.name

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
            f"dtype={self.dtype})"
        )


class iinfo(_Limits):
    """The limits of an integer dtype, as torch.iinfo: ``bits``, ``max``, ``min``, ``dtype``.

    Unlike finfo there is no default: the dtype is required (bool is refused, as in PyTorch).
    """

    bits: builtins.int
    max: builtins.int
    min: builtins.int
    dtype: str

    def __init__(self, type: Any) -> None:
        dt = dtypes.as_dtype(type)
        if dt.kind == "b":
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if dt.kind not in "iu":
            raise TypeError(
                f"torch.iinfo() requires an integer input type, got {dt}. Use torch.finfo to "
                "handle 'torch.iinfo'"
            )
        info = np.iinfo(dt)
        self.bits = builtins.int(info.bits)
        self.max = builtins.int(info.max)
        self.min = builtins.int(info.min)
        self.dtype = dt.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


__all__ = ["dtype", "finfo", "iinfo"]
