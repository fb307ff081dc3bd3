"""Picking and placing elements by index or mask: gather, scatter, scatter_add, index_select,
masked_fill, masked_select, and the index-making nonzero, unique and one_hot.

The differentiable ones are built from GetItem (reading: its gradient adds into the positions
read), SetItem (writing: the overwritten positions get no gradient) and IndexAdd (adding: the
gradient is read back from the positions written), so none needs a formula of its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu import arguments, dtypes, ops
from tinygrad_edu._tensor import Tensor


def _input(x: Any, name: str) -> Tensor:
    return arguments.tensor_arg(x, name)


def _index_array(index: Any, name: str) -> np.ndarray:
    idx = index.data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int64 for index, got {idx.dtype}")
    return idx


def along(index: np.ndarray, dim: int) -> tuple[Any, ...]:
    """The advanced index that addresses x[..., index[i, j, ...], ...] at dim ``dim``, every
    other dim running over the index's own positions (gather's and scatter's addressing)."""
    grids = np.ix_(*[np.arange(n) for n in index.shape]) if index.ndim else ()
    return tuple(index if i == dim else g for i, g in enumerate(grids))


def _scatter_index(
    x: Tensor, dim: int, index: Any, src_shape: tuple[int, ...] | None, name: str
) -> tuple[int, np.ndarray]:
    """Check index against x (and src) as PyTorch does, and return (dim, index)."""
    d = x._dim(dim)
    idx = _index_array(index, name)
    if idx.ndim == 0 and x.ndim == 1:  # a 0-d index counts as one element, as in PyTorch
        idx = idx.reshape(1)  # (one-hot targets: zeros(10).scatter_(0, tensor(y), value=1))
    if idx.ndim != x.ndim:
        raise RuntimeError(
            f"{name}(): Index tensor must have the same number of dimensions as self tensor "
            f"({idx.ndim} and {x.ndim})"
        )
    too_big = any(n > x.data.shape[i] for i, n in enumerate(idx.shape) if i != d)
    if too_big or (src_shape is not None and any(n > m for n, m in zip(idx.shape, src_shape))):
        raise RuntimeError(
            f"{name}(): Expected index {list(idx.shape)} to be no larger than self "
            f"{list(x.data.shape)} apart from dimension {d}"
            + ("" if src_shape is None else f" and to be no larger size than src {list(src_shape)}")
        )
    side = x.data.shape[d] if x.ndim else 1
    bad = (idx < 0) | (idx >= side)
    if bad.any():
        raise RuntimeError(
            f"{name}(): index {idx[bad].flat[0]} is out of bounds for dimension {d} with size {side}"
        )
    return d, idx


def _source(x: Tensor, src: Any, idx: np.ndarray, name: str) -> Tensor:
    """The part of src that index addresses (its leading corner), or a number filled in."""
    if not isinstance(src, Tensor):
        return Tensor._plain(np.full(idx.shape, src, dtype=x.dtype))
    if src.dtype != x.dtype:
        raise RuntimeError(
            f"{name}(): Expected self.dtype to be equal to src.dtype ({x.dtype} and {src.dtype})"
        )
    if src.data.shape == idx.shape:
        return src
    if src.ndim == 0:  # (with a 0-d index: the one element it addresses)
        return src.reshape(idx.shape)
    return ops.GetItem.apply(src, tuple(slice(0, n) for n in idx.shape))


def scatter(
    input: Tensor,
    dim: int,
    index: Any,
    src: Any = None,
    *,
    value: Any = None,
    reduce: str | None = None,
) -> Tensor:
    """A copy of input with src written where index points: out[index[i][j]][j] = src[i][j] for
    dim 0 (and so on). src may be a number (or give ``value=``). Gradients: to input except at
    the written positions, to src from them."""
    x = _input(input, "scatter")
    if reduce is not None:
        raise NotImplementedError(
            f"scatter(reduce={reduce!r}) is not implemented (PyTorch deprecates it): use "
            "scatter_add, or scatter_reduce in PyTorch"
        )
    if src is None:
        if value is None:
            raise TypeError("scatter(): give src (a Tensor or a number) or value")
        src = value
    src_shape = src.data.shape if isinstance(src, Tensor) else None
    d, idx = _scatter_index(x, dim, index, src_shape, "scatter")
    return ops.SetItem.apply(x, _source(x, src, idx, "scatter"), along(idx, d))


def scatter_add(input: Tensor, dim: int, index: Any, src: Tensor) -> Tensor:
    """input with src added where index points (repeated positions add up):
    out[index[i][j]][j] += src[i][j] for dim 0. Gradients: all of it to input, to src from the
    positions each element was added to."""
    x = _input(input, "scatter_add")
    arguments.tensor_arg(src, "scatter_add", "src", 4)
    d, idx = _scatter_index(x, dim, index, src.data.shape, "scatter_add")
    added = ops.IndexAdd.apply(_source(x, src, idx, "scatter_add"), along(idx, d), x.data.shape)
    return x + added


def gather(input: Tensor, dim: int, index: Any, *, sparse_grad: bool = False) -> Tensor:
    return _input(input, "gather").gather(dim, index)


def index_select(input: Tensor, dim: int, index: Any) -> Tensor:
    """The slices of input at the positions ``index`` (a vector) along dim, in that order."""
    x = _input(input, "index_select")
    d = x._dim(dim)
    idx = _index_array(index, "index_select")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    side = x.data.shape[d] if x.ndim else 1
    if idx.size and (idx.min() < -side or idx.max() >= side):
        raise IndexError(f"index_select(): index out of range in self (dim {d} has size {side})")
    if x.ndim == 0:
        return ops.GetItem.apply(x.reshape(1), (idx.reshape(-1),)).reshape(())
    return ops.GetItem.apply(x, (slice(None),) * d + (idx.reshape(-1),))


def _mask_array(mask: Any, name: str) -> np.ndarray:
    m = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"{name} only supports boolean masks, but got mask with dtype {m.dtype}")
    return m


def masked_fill(input: Tensor, mask: Any, value: Any) -> Tensor:
    """input with ``value`` (a number or a 0-d tensor, in input's dtype) where mask holds; the
    shapes broadcast. Gradients: to input where mask does not hold, to a tensor value where it
    does."""
    x = _input(input, "masked_fill")
    m = _mask_array(mask, "masked_fill_")
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s)."
            )
        fill = value if value.dtype == x.dtype else value.to(x.dtype)
    else:
        fill = Tensor._plain(np.asarray(value).astype(x.dtype))
    try:
        np.broadcast_shapes(m.shape, x.data.shape)
    except ValueError:
        raise RuntimeError(
            f"masked_fill: the mask of shape {m.shape} does not broadcast with the input's shape "
            f"{x.data.shape}"
        ) from None
    return ops.Where.apply(fill, x, m)


def masked_select(input: Tensor, mask: Any) -> Tensor:
    """The elements of input where mask holds (shapes broadcast), as a 1-D tensor."""
    x = _input(input, "masked_select")
    m = _mask_array(mask, "masked_select:")
    try:
        shape = np.broadcast_shapes(m.shape, x.data.shape)
    except ValueError:
        raise RuntimeError(
            f"masked_select: the mask of shape {m.shape} does not broadcast with the input's "
            f"shape {x.data.shape}"
        ) from None
    full = x.expand(*shape) if shape != x.data.shape else x
    if not shape:  # 0-d: as one element (NumPy has no nonzero of a 0-d array)
        full, shape = full.reshape(1), (1,)
    return ops.GetItem.apply(full, np.broadcast_to(m, shape).nonzero())


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """The indices of the elements that are not 0: one row per element (n, ndim), or with
    ``as_tuple`` one index vector per dim (ready to index with)."""
    x = _input(input, "nonzero")
    if as_tuple:
        a = x.data if x.ndim else x.data.reshape(1)
        return tuple(Tensor._plain(i.astype(np.int64)) for i in a.nonzero())
    return Tensor._plain(np.argwhere(x.data).astype(np.int64))


def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The distinct elements (or slices along dim), in ascending order; optionally where each
    element of input went (inverse) and how often each value occurs (counts)."""
    x = _input(input, "unique")
    axis = None if dim is None else x._dim(dim)
    values, inverse, counts = np.unique(x.data, return_inverse=True, return_counts=True, axis=axis)
    out = [Tensor._plain(values)]
    if return_inverse:
        shape = x.data.shape if axis is None else (x.data.shape[axis],)
        out.append(Tensor._plain(inverse.reshape(shape).astype(np.int64)))
    if return_counts:
        out.append(Tensor._plain(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """For class indices of any shape, int64 vectors of length num_classes with a 1 at each
    index (num_classes=-1: the largest index + 1)."""
    t = arguments.tensor_arg(tensor, "one_hot", "tensor")
    if t.dtype != dtypes.int64:  # (PyTorch refuses int32 too)
        raise RuntimeError(
            f"one_hot is only applicable to index tensor of type LongTensor, got {t.dtype}"
        )
    labels = t.data.astype(np.int64)
    if labels.size and labels.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if not labels.size:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(labels.max()) + 1
    if labels.size and labels.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros((*labels.shape, num_classes), dtype=dtypes.int64)
    np.put_along_axis(out, labels[..., None], 1, axis=-1)
    return Tensor._plain(out)
