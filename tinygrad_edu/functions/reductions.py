"""Reductions as torch-level functions (``torch.sum(x, 1)``), and the longer bodies of the
reduction methods: prod, cumsum/cumprod, logsumexp, norms, any/all.

As in PyTorch, ``dim`` is a dim or a tuple of dims (only one for prod, cumsum, cumprod) and
``keepdim=True`` keeps the reduced dims with size 1.
"""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

from tinygrad_edu import arguments, dtypes, ops
from tinygrad_edu._tensor import Dims, Tensor


def _input(x: Any, name: str) -> Tensor:
    return arguments.tensor_arg(x, name)


# -- the method bodies ---------------------------------------------------------------------------


def _summable(x: Tensor, dtype: Any) -> Tensor:
    """x in ``dtype`` if given; else integers and bools widened to int64, as PyTorch sums them."""
    if dtype is not None:
        return x.to(dtype)
    return x.to(dtypes.int64) if x.dtype.kind in "biu" else x


def product(x: Tensor, dim: int | None, keepdim: bool, dtype: Any) -> Tensor:
    if dim is not None and not arguments.is_int(dim):
        raise TypeError(f"prod(): argument 'dim' must be an int, got {type(dim).__name__}")
    dims = None if dim is None else (x._dim(dim),)
    return ops.Prod.apply(_summable(x, dtype), dims, keepdim)


def scan(op: type[ops.CumSum | ops.CumProd], x: Tensor, dim: int, dtype: Any) -> Tensor:
    """cumsum or cumprod along one dim (a 0-d tensor takes dim 0 or -1)."""
    return op.apply(_summable(x, dtype), x._dim(dim))


def log_sum_exp(x: Tensor, dim: Dims, keepdim: bool) -> Tensor:
    dims = arguments.dims_arg(dim, x.ndim) or None  # (dim=(): all dims, as for sum)
    return ops.LogSumExp.apply(x._float(), dims, keepdim)


def vector_norm(x: Tensor, ord: Any, dim: Dims, keepdim: bool, dtype: Any = None) -> Tensor:
    """(sum |x|^ord)^(1/ord) over dims (all by default), ord a number or +-inf."""
    if isinstance(ord, (str, builtins.bool)):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    if dtype is not None:
        x = x.to(dtype)
    if not dtypes.is_floating(x.dtype):
        raise RuntimeError(
            f"linalg.vector_norm: Expected a floating point tensor as input, got {x.dtype}"
        )
    dims = arguments.dims_arg(dim, x.ndim)
    p = builtins.float(ord)
    if p < 0 and not math.isinf(p) and x.data.size == 0:
        raise RuntimeError(
            f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor because the "
            "operation does not have an identity"
        )
    return ops.VectorNorm.apply(x, p, dims or None, keepdim)


def p_norm(x: Tensor, p: Any, dim: Dims, keepdim: bool, dtype: Any) -> Tensor:
    """torch.norm: 'fro' (the default) is the 2-norm of the elements over dim (all by default);
    a number p is the vector p-norm over dim; 'nuc' needs singular values (not implemented)."""
    if p == "fro" or p is None:
        if isinstance(dim, (tuple, list)) and len(dim) > 2:
            raise RuntimeError(f"norm(): the Frobenius norm takes at most 2 dims, got {dim}")
        return vector_norm(x, 2, dim, keepdim, dtype)
    if p == "nuc":
        raise NotImplementedError(
            "norm(p='nuc'): the nuclear norm needs singular values (an SVD), which tinygrad_edu "
            "does not have"
        )
    return vector_norm(x, p, dim, keepdim, dtype)


def any_all(x: Tensor, reduce: Any, dim: Dims, keepdim: bool) -> Tensor:
    """any/all over dims: a bool tensor, outside the graph."""
    dims = arguments.dims_arg(dim, x.ndim)
    return Tensor._plain(np.asarray(reduce(x.data, axis=dims, keepdims=keepdim)))


# -- torch.<name>(input, ...) ------------------------------------------------------------------


def sum(input: Tensor, dim: Dims = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    return _input(input, "sum").sum(dim, keepdim, dtype=dtype)


def mean(input: Tensor, dim: Dims = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    return _input(input, "mean").mean(dim, keepdim, dtype=dtype)


def prod(
    input: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    return _input(input, "prod").prod(dim, keepdim, dtype=dtype)


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return _input(input, "cumsum").cumsum(dim, dtype=dtype)


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return _input(input, "cumprod").cumprod(dim, dtype=dtype)


def logsumexp(input: Tensor, dim: Dims, keepdim: bool = False) -> Tensor:
    return _input(input, "logsumexp").logsumexp(dim, keepdim)


def var(
    input: Tensor,
    dim: Dims | bool = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: int | None = None,
) -> Tensor:
    """torch.var(x, dim, *, correction=1, keepdim=False); also the older var(x, dim, unbiased,
    keepdim) and var(x, unbiased)."""
    return _input(input, "var").var(
        dim, unbiased, keepdim, correction=1 if correction is None else correction
    )


def std(
    input: Tensor,
    dim: Dims | bool = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: int | None = None,
) -> Tensor:
    """torch.std; see var."""
    return _input(input, "std").std(
        dim, unbiased, keepdim, correction=1 if correction is None else correction
    )


def norm(
    input: Tensor, p: Any = "fro", dim: Dims = None, keepdim: bool = False, dtype: Any = None
) -> Tensor:
    return _input(input, "norm").norm(p, dim, keepdim, dtype=dtype)


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """max(x): the largest element; max(x, dim): (values, indices); max(x, other): maximum."""
    return _input(input, "max").max(dim, keepdim)


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """min(x): the smallest element; min(x, dim): (values, indices); min(x, other): minimum."""
    return _input(input, "min").min(dim, keepdim)


def amax(input: Tensor, dim: Dims = (), keepdim: bool = False) -> Tensor:
    """The max over dims (``dim=()``, the default: all of them); ties share the gradient."""
    return _input(input, "amax").amax(dim if dim != () else None, keepdim)


def amin(input: Tensor, dim: Dims = (), keepdim: bool = False) -> Tensor:
    return _input(input, "amin").amin(dim if dim != () else None, keepdim)


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return _input(input, "argmax").argmax(dim, keepdim)


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return _input(input, "argmin").argmin(dim, keepdim)


def any(input: Tensor, dim: Dims = None, keepdim: bool = False) -> Tensor:
    return _input(input, "any").any(dim, keepdim)


def all(input: Tensor, dim: Dims = None, keepdim: bool = False) -> Tensor:
    return _input(input, "all").all(dim, keepdim)
