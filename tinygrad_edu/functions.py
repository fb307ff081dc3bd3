"""torch-level functions that are not Tensor methods: joining tensors, and ``where``."""

from __future__ import annotations

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
            f"stack(): all tensors must have the same shape, got {[t.shape for t in ts]}"
        )
    d = arguments.dim_arg(dim, ts[0].ndim + 1)
    return cat([t.unsqueeze(d) for t in ts], dim=d)


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """input where condition holds, other elsewhere; gradients flow to input and other, never to
    the condition. One of input and other may be a number."""
    if isinstance(input, Tensor):
        return input.where(condition, other)
    if isinstance(other, Tensor):
        return other._operand(input).where(condition, other)
    raise TypeError("where(): at least one of input and other must be a Tensor")
