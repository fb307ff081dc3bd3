"""Embeddings, as torch.nn.functional's ``embedding`` (``one_hot``, its integer cousin, is in
tinygrad_edu/functions/indexing.py).

``embedding(indices, weight)`` is ``weight[indices]``: row k of the weight is the vector of
token k. It is one op (ops/embedding.py) so that the row of ``padding_idx`` gets no gradient
and ``scale_grad_by_freq`` can divide each row's gradient by its token's count in the batch.
``max_norm`` rescales, in place and outside the graph (as PyTorch's ``embedding_renorm_``),
every row the indices look up whose ``norm_type``-norm exceeds it, before the lookup.
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu import inplace
from tinygrad_edu._tensor import Tensor
from tinygrad_edu.ops.embedding import Embedding


def _indices(name: str, input: object, rows: int) -> np.ndarray:
    """The index tensor's array: int64 or int32 (PyTorch's Long and Int), every value in
    [0, rows)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be a Tensor, got {type(input).__name__}")
    idx = input.data
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError(
            f"{name}(): the indices must be an int64 (long) or int32 tensor, got dtype {idx.dtype}"
        )
    if idx.size and (idx.min() < 0 or idx.max() >= rows):
        bad = idx[(idx < 0) | (idx >= rows)].flat[0]
        raise IndexError(f"{name}(): index {bad} is out of range for a weight of {rows} rows")
    return idx


def padding_index(padding_idx: int | None, rows: int) -> int | None:
    """padding_idx checked against the number of rows, negative ones counted from the end
    (AssertionError, as PyTorch's asserts)."""
    if padding_idx is None:
        return None
    if not -rows <= padding_idx < rows:
        raise AssertionError(
            f"Padding_idx must be within num_embeddings: got {padding_idx} for {rows} rows"
        )
    return padding_idx % rows


def _renorm_(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Rows of ``weight`` that ``idx`` looks up, scaled down in place to norm max_norm where
    their norm exceeds it (by max_norm / (norm + 1e-7), PyTorch's factor)."""
    rows = np.unique(idx)
    w = weight.data[rows]
    norms = np.linalg.norm(w, ord=norm_type, axis=1)
    big = norms > max_norm
    if not big.any():
        return
    scale = np.ones_like(norms)
    scale[big] = max_norm / (norms[big] + 1e-7)
    new = weight.data.copy()
    new[rows] = w * scale[:, None].astype(w.dtype)
    inplace.write(weight, new, "embedding_renorm_")  # outside the graph; bumps the version


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """weight[input]: a (*input.shape, embedding_dim) tensor of the rows the indices pick."""
    if weight.ndim != 2:
        raise RuntimeError(
            f"embedding(): 'weight' must be 2-D (num_embeddings, embedding_dim), got shape "
            f"{weight.shape}"
        )
    if sparse:
        raise NotImplementedError("embedding(): sparse gradients are not supported (sparse=False)")
    idx = _indices("embedding", input, weight.shape[0])
    pad = padding_index(padding_idx, weight.shape[0])
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    return Embedding.apply(weight, idx, pad, scale_grad_by_freq)
