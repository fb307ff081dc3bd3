"""Ordering: sort, argsort, topk and median, as functions and as the bodies of the methods.

The order comes from NumPy (a stable sort: equal elements keep their order, and NaN counts as
the largest value, as in PyTorch); the values are then picked with ``gather``, so their gradient
flows back to exactly the elements picked. The full ``median()`` shares its gradient among ties,
as PyTorch's does (ops/sorting.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu import arguments, ops, return_types
from tinygrad_edu._tensor import Tensor


def _input(x: Any, name: str) -> Tensor:
    return arguments.tensor_arg(x, name)


def order(a: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """The indices that sort ``a`` along ``dim``, stably; NaN is the largest value."""
    if a.ndim == 0:
        return np.zeros((), np.int64)
    if not descending:
        return np.argsort(a, axis=dim, kind="stable")
    if a.dtype.kind == "f":  # NaN first, then the rest by -a (ties keep their order)
        return np.lexsort((-a, ~np.isnan(a)), axis=dim)
    return np.argsort(~a, axis=dim, kind="stable")  # ~ reverses the order of ints and bools


def sort_values(x: Tensor, dim: int, descending: bool) -> return_types.sort:
    if x.ndim == 0:  # (as a 1-element tensor)
        values, index = sort_values(x.reshape(1), 0, descending)
        return return_types.sort(values.reshape(()), index.reshape(()))
    d = x._dim(dim)
    index = Tensor._plain(order(x.data, d, descending))
    return return_types.sort(x.gather(d, index), index)


def topk_values(x: Tensor, k: int, dim: int, largest: bool) -> return_types.topk:
    """The k largest (smallest) along dim, in order (``sorted=False`` gives them in order too)."""
    d = x._dim(dim)
    if x.ndim == 0:  # (as a 1-element tensor)
        values, index = topk_values(x.reshape(1), k, 0, largest)
        shape = () if k == 1 else (0,)
        return return_types.topk(values.reshape(shape), index.reshape(shape))
    side = x.data.shape[d]
    if not arguments.is_int(k) or not 0 <= k <= side:
        raise RuntimeError(f"topk(): selected index k={k} is out of range for a dim of size {side}")
    picked = Tensor._plain(np.take(order(x.data, d, descending=largest), np.arange(k), axis=d))
    return return_types.topk(x.gather(d, picked), picked)


def median_values(x: Tensor, dim: int | None, keepdim: bool) -> Any:
    """median(): the lower median of all elements; median(dim): (values, indices) per slice,
    NaN (and its index) where the slice holds a NaN."""
    if dim is None:
        if x.data.size == 0:  # the median of nothing is NaN, as in PyTorch
            return Tensor._plain(np.full((), np.nan, dtype=x.dtype))
        return ops.Median.apply(x, None, False)
    if x.data.size == 0:
        raise IndexError("median(): cannot compute the median along a dim of an empty tensor")
    d = x._dim(dim)
    if x.ndim == 0:
        return return_types.median(x.clone(), Tensor._plain(np.zeros((), np.int64)))
    a, n = x.data, x.data.shape[d]
    ranked = np.argsort(a, axis=d, kind="stable")  # NaNs last, in their order
    kept = (*a.shape[:d], 1, *a.shape[d + 1 :])
    rank = np.full(kept, (n - 1) // 2)  # the lower of the two middles
    if a.dtype.kind == "f":
        nans = np.sum(np.isnan(a), axis=d, keepdims=True)
        rank = np.where(nans > 0, n - nans, rank)  # or the first NaN
    picked = Tensor._plain(np.take_along_axis(ranked, rank, axis=d))
    values = x.gather(d, picked)
    if not keepdim:
        values, picked = values.squeeze(d), picked.squeeze(d)
    return return_types.median(values, picked)


def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:
    return _input(input, "sort").sort(dim, descending, stable=stable)


def argsort(
    input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False
) -> Tensor:
    return _input(input, "argsort").argsort(dim, descending, stable=stable)


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
    return _input(input, "topk").topk(k, dim, largest, sorted)


def median(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    return _input(input, "median").median(dim, keepdim)
