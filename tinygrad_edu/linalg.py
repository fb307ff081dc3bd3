"""``torch.linalg``'s norms: vector_norm, matrix_norm and norm (which picks one of the two).

Matrix norms that need singular values (ord = 2, -2, 'nuc') raise NotImplementedError: there is
no SVD here.
"""

from __future__ import annotations

import math
from typing import Any

from tinygrad_edu import arguments
from tinygrad_edu._tensor import Dims, Tensor
from tinygrad_edu.functions import reductions
from tinygrad_edu.functions.linalg import matmul

__all__ = ["matmul", "matrix_norm", "norm", "vector_norm"]


def vector_norm(
    x: Tensor, ord: float = 2, dim: Dims = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """(sum |x|^ord)^(1/ord) over dim (all elements by default); ord = inf: max |x|,
    -inf: min |x|, 0: how many are not 0."""
    arguments.tensor_arg(x, "linalg.vector_norm", "x")
    return reductions.vector_norm(x, ord, dim, keepdim, dtype)


def matrix_norm(
    A: Tensor,
    ord: Any = "fro",
    dim: tuple[int, int] = (-2, -1),
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """'fro': sqrt of the sum of squares; 1 / -1: the largest / smallest sum of |a| down a column;
    inf / -inf: the largest / smallest sum of |a| along a row; over the two dims ``dim``."""
    arguments.tensor_arg(A, "linalg.matrix_norm", "A")
    if A.ndim < 2:
        raise RuntimeError(
            f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions, got shape {A.data.shape}"
        )
    rows, cols = (A._dim(d) for d in dim)
    if rows == cols:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different, got {dim}")
    if dtype is not None:
        A = A.to(dtype)
    if ord == "fro":
        return reductions.vector_norm(A, 2, (rows, cols), keepdim)
    if ord in (1, -1, math.inf, -math.inf):
        # A column sum runs down the rows; a row sum along the columns.
        summed, picked = (rows, cols) if ord in (1, -1) else (cols, rows)
        sums = A.abs().sum(summed, keepdim=True)
        best = sums.amax(picked, keepdim=True) if ord > 0 else sums.amin(picked, keepdim=True)
        return best if keepdim else best.squeeze((rows, cols))
    raise NotImplementedError(
        f"linalg.matrix_norm(ord={ord!r}) needs singular values (an SVD), which tinygrad_edu "
        "does not have; ord 'fro', 1, -1, inf and -inf are supported"
    )


def norm(
    A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """A vector norm for one dim (or a 1-D input), a matrix norm for two (or a 2-D input); with
    ord and dim both None, the 2-norm of all elements."""
    arguments.tensor_arg(A, "linalg.norm", "A")
    if isinstance(dim, int) or (dim is None and ord is not None and A.ndim == 1):
        return reductions.vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype)
    if dim is None and ord is None:
        return reductions.vector_norm(A, 2, None, keepdim, dtype)
    if dim is None and A.ndim != 2:
        raise RuntimeError(
            f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
            f"{A.ndim}D."
        )
    dims = (0, 1) if dim is None else tuple(dim)
    if len(dims) == 1:
        return reductions.vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype)
    return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
