"""Comparisons and logic: bool tensors outside the graph (nothing to differentiate), and the
Python bools of allclose and equal."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu import arguments
from tinygrad_edu._tensor import Tensor


def _input(x: Any, name: str) -> Tensor:
    return arguments.tensor_arg(x, name)


def eq(input: Tensor, other: Any) -> Tensor:
    return _input(input, "eq").eq(other)


def ne(input: Tensor, other: Any) -> Tensor:
    return _input(input, "ne").ne(other)


def lt(input: Tensor, other: Any) -> Tensor:
    return _input(input, "lt").lt(other)


def le(input: Tensor, other: Any) -> Tensor:
    return _input(input, "le").le(other)


def gt(input: Tensor, other: Any) -> Tensor:
    return _input(input, "gt").gt(other)


def ge(input: Tensor, other: Any) -> Tensor:
    return _input(input, "ge").ge(other)


not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge


def isclose(
    input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """|input - other| <= atol + rtol |other|, elementwise (infinities close only to themselves)."""
    x = _input(input, "isclose")
    y = x._operand(other).data
    with np.errstate(invalid="ignore", over="ignore"):
        return Tensor._plain(np.asarray(np.isclose(x.data, y, rtol, atol, equal_nan)))


def allclose(
    input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """Are all elements close (see isclose)? A Python bool."""
    return bool(isclose(input, other, rtol, atol, equal_nan).data.all())


def equal(input: Tensor, other: Tensor) -> bool:
    """The same shape and the same values (NaN equals nothing)? A Python bool."""
    x = _input(input, "equal")
    y = arguments.tensor_arg(other, "equal", "other", 2)
    return x.data.shape == y.data.shape and bool(np.array_equal(x.data, y.data))


def isnan(input: Tensor) -> Tensor:
    return _input(input, "isnan").isnan()


def isinf(input: Tensor) -> Tensor:
    return _input(input, "isinf").isinf()


def isfinite(input: Tensor) -> Tensor:
    return _input(input, "isfinite").isfinite()


def logical_not(input: Tensor) -> Tensor:
    return _input(input, "logical_not").logical_not()


def logical_and(input: Tensor, other: Any) -> Tensor:
    return _input(input, "logical_and").logical_and(other)


def logical_or(input: Tensor, other: Any) -> Tensor:
    return _input(input, "logical_or").logical_or(other)


def logical_xor(input: Tensor, other: Any) -> Tensor:
    return _input(input, "logical_xor").logical_xor(other)
