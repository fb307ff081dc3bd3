"""Joining tensors (cat, stack, hstack, vstack: new tensors) and splitting them (split, chunk,
unbind: views of the tensor split, as in PyTorch)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from tinygrad_edu import arguments, dtypes, ops
from tinygrad_edu._tensor import Tensor


def _tensors(name: str, tensors: Sequence[Tensor]) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(
            f"{name}(): expected a list or tuple of Tensors, got {type(tensors).__name__}"
        )
    if not tensors:
        raise ValueError(f"{name}(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"{name}(): expected a list of Tensors, but element {i} is {type(t).__name__}"
            )
    return list(tensors)


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim; all other dims must agree."""
    ts = _tensors("cat", tensors)  # (refuses a list with an ndarray in it: no silent copy)
    if any(t.ndim == 0 for t in ts):
        raise RuntimeError("cat(): zero-dimensional tensors cannot be concatenated; use stack()")
    d = arguments.dim_arg(dim, ts[0].ndim)
    dtype = ts[0].dtype
    for t in ts[1:]:
        dtype = dtypes.promote_types(dtype, t.dtype)
    return ops.Cat.apply(*(t.to(dtype) for t in ts), d)


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors of one shape along a new dim."""
    ts = _tensors("stack", tensors)
    shapes = {t.shape for t in ts}
    if len(shapes) > 1:
        raise RuntimeError(
            f"stack(): all tensors must have the same shape, got {[t.data.shape for t in ts]}"
        )
    d = arguments.dim_arg(dim, ts[0].ndim + 1)
    return cat([t.unsqueeze(d) for t in ts], dim=d)


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along dim 1, or along dim 0 if the tensors are 1-D (0-d ones count as 1-D)."""
    ts = [t.reshape(1) if t.ndim == 0 else t for t in _tensors("hstack", tensors)]
    return cat(ts, dim=0 if ts[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along dim 0, with 0-d and 1-D tensors made rows first."""
    ts = [t.reshape(1, -1) if t.ndim < 2 else t for t in _tensors("vstack", tensors)]
    return cat(ts, dim=0)


row_stack = vstack


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces along dim: of split_size each (the last may be smaller), or of the listed sizes."""
    x = arguments.tensor_arg(tensor, "split", "tensor")
    d = x._dim(dim)
    side = x.data.shape[d] if x.ndim else 0
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(n) for n in split_size_or_sections]
        if sum(sizes) != side or any(n < 0 for n in sizes):
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {side} (input tensor's "
                f"size at dimension {d}), but got split_sizes={sizes}"
            )
    else:
        size = split_size_or_sections
        if not arguments.is_int(size) or size < 0 or (size == 0 and side):
            raise RuntimeError(f"split expects split_size be non-negative, but got {size!r}")
        sizes = [min(size, side - start) for start in range(0, side, size)] if side else [0]
    pieces, start = [], 0
    for n in sizes:
        pieces.append(x[(slice(None),) * d + (slice(start, start + n),)])  # views of x
        start += n
    return tuple(pieces)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``chunks`` pieces along dim of ceil(size / chunks) each: fewer if they run out first."""
    x = arguments.tensor_arg(input, "chunk")
    if not arguments.is_int(chunks) or chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    side = x.data.shape[x._dim(dim)]
    return split(x, max(math.ceil(side / chunks), 1), dim)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along dim, each without that dim."""
    x = arguments.tensor_arg(input, "unbind")
    d = x._dim(dim)
    return tuple(x.select(d, i) for i in range(x.data.shape[d]))
