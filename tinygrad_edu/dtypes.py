"""dtypes are NumPy's; these helpers say which are floating and turn user input into one."""

from __future__ import annotations

from typing import Any

import numpy as np

float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)

# Python scalars and lists become float32, like torch.Tensor(...) and PyTorch's default dtype.
default_float = float32


def as_dtype(dtype: Any) -> np.dtype:
    """Accept np.float32, 'float32', float, ... and return a NumPy dtype."""
    if dtype is float:
        return default_float
    if dtype is int:
        return int64
    if dtype is bool:
        return bool_
    return np.dtype(dtype)


def is_floating(dtype: np.dtype) -> bool:
    return dtype.kind == "f"
