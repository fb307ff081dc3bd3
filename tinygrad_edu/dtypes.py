"""dtypes are NumPy's, under PyTorch's names; and PyTorch's rule for mixing them.

``tinygrad_edu.float32 == x.dtype`` compares as ``torch.float32 == x.dtype`` does; the one
difference is the printed name (``float32``, not ``torch.float32``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

float16 = half = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = double = np.dtype(np.float64)
int8 = np.dtype(np.int8)
int16 = short = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = long = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
bool_ = np.dtype(np.bool_)
complex64 = np.dtype(np.complex64)
complex128 = np.dtype(np.complex128)

_default_float = float32  # Python floats and factories: float32, as in PyTorch


def get_default_dtype() -> np.dtype:
    """The dtype Python floats and the float factories give (float32 unless changed)."""
    return _default_float


def set_default_dtype(dtype: Any) -> None:
    """Make Python floats and the float factories give ``dtype`` (float32 or float64, or float16)."""
    global _default_float
    dt = as_dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"set_default_dtype: only floating dtypes are supported, got {dt}")
    _default_float = dt


def as_dtype(dtype: Any) -> np.dtype:
    """Accept tinygrad_edu.float32, np.float32, 'float32', float, ... and return a NumPy dtype."""
    if dtype is float:
        return _default_float
    if dtype is int:
        return int64
    if dtype is bool:
        return bool_
    if isinstance(dtype, str) and dtype.startswith("torch."):
        dtype = dtype[len("torch.") :]
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a dtype such as float32 or int64, got {dtype!r}") from None
    if dt.kind not in "biufc":
        raise TypeError(f"dtype {dt} is not a numeric dtype a tensor can hold")
    return dt


def is_floating(dtype: np.dtype) -> bool:
    return dtype.kind == "f"


def promote_types(a: Any, b: Any) -> np.dtype:
    """The dtype of an op on tensors of dtypes a and b, as torch.promote_types: the higher
    category wins (int64 with float32: float32); within one, the smaller dtype both fit in."""
    da, db = as_dtype(a), as_dtype(b)
    ra, rb = _rank(da.kind), _rank(db.kind)
    if ra != rb:
        return da if ra > rb else db
    return np.promote_types(da, db)


def result_type(x: np.ndarray, y: Any) -> np.dtype:
    """The dtype of ``x <op> y`` by PyTorch's rule, for x an array and y an array or a number.

    Within one category (bool, integer, floating) a tensor with dims wins over a 0-d one, and
    both over a Python number: float32 * 2.5 stays float32, and so does float32 * a 0-d float64
    tensor. Across categories the higher one wins: int64 + 2.5 is the default float dtype, and
    int64 + float32 is float32.
    """
    if not isinstance(y, np.ndarray):  # a Python number: it never widens a tensor's category
        kind = "b" if isinstance(y, (bool, np.bool_)) else "i" if isinstance(y, int) else "f"
        if isinstance(y, complex):
            kind = "c"
        if _rank(kind) <= _rank(x.dtype.kind):
            return x.dtype
        return int64 if kind == "i" else _default_float if kind == "f" else complex64
    dx, dy = x.dtype, y.dtype
    if dx == dy:
        return dx
    if _rank(dx.kind) == _rank(dy.kind) and (x.ndim == 0) != (y.ndim == 0):
        return dy if x.ndim == 0 else dx  # same category: the one with dims wins
    return promote_types(dx, dy)


def _rank(kind: str) -> int:
    return {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}[kind]


# The legacy type names of ``x.type()``: torch.FloatTensor is a float32 tensor, and so on.
_TENSOR_TYPES: dict[np.dtype, str] = {
    float16: "HalfTensor",
    float32: "FloatTensor",
    float64: "DoubleTensor",
    uint8: "ByteTensor",
    int8: "CharTensor",
    int16: "ShortTensor",
    int32: "IntTensor",
    int64: "LongTensor",
    bool_: "BoolTensor",
    complex64: "ComplexFloatTensor",
    complex128: "ComplexDoubleTensor",
}


def tensor_type_name(dtype: np.dtype) -> str:
    """'torch.FloatTensor' for float32, as ``x.type()`` says."""
    return f"torch.{_TENSOR_TYPES[np.dtype(dtype)]}"


def from_tensor_type_name(dtype: Any) -> np.dtype:
    """A dtype from a dtype or from a name such as 'torch.FloatTensor' (or 'FloatTensor')."""
    if isinstance(dtype, str):
        name = dtype.removeprefix("torch.")
        for dt, type_name in _TENSOR_TYPES.items():
            if name == type_name:
                return dt
    return as_dtype(dtype)
