"""Ops that move elements without changing them: reshape, permute, expand, indexing, cat.

Reshape, Permute, Expand and GetItem with a basic index (ints, slices, None, ...) give NumPy views:
their result shares memory with their input, as PyTorch's views do. Each has an ``array_view``
that makes the same view of any array: in-place writes through a view use it (ops/inplace.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops import either
from tinygrad_edu.ops.broadcast import unbroadcast
from tinygrad_edu.ops.either import Gradient

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor


class Reshape(Function):
    """out = x with a new shape;  dx = grad reshaped back"""

    backward_on_arrays = True

    @staticmethod
    def array_view(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        return a.reshape(shape)

    @staticmethod
    def forward(ctx: Reshape, x: Tensor, shape: tuple[int, ...]) -> np.ndarray:
        try:
            return x.data.reshape(shape)  # a view when the layout allows, else a copy
        except ValueError:
            raise RuntimeError(
                f"reshape: cannot view a tensor of shape {x.shape} ({x.data.size} elements) "
                f"as shape {tuple(shape)}"
            ) from None

    @staticmethod
    def backward(ctx: Reshape, grad: Gradient) -> Gradient:
        return grad.reshape(ctx.inputs[0].data.shape)


class Permute(Function):
    """out = x with its dims reordered;  dx = grad with the inverse order"""

    backward_on_arrays = True

    array_view = staticmethod(np.transpose)

    @staticmethod
    def forward(ctx: Permute, x: Tensor, dims: tuple[int, ...]) -> np.ndarray:
        return np.transpose(x.data, dims)

    @staticmethod
    def backward(ctx: Permute, grad: Gradient) -> Gradient:
        dims = ctx.inputs[1]
        return either.permute(grad, tuple(np.argsort(dims).tolist()))


class Expand(Function):
    """out = x broadcast to a larger shape (a view);  dx = grad summed back"""

    backward_on_arrays = True

    array_view = staticmethod(np.broadcast_to)

    @staticmethod
    def forward(ctx: Expand, x: Tensor, shape: tuple[int, ...]) -> np.ndarray:
        try:
            return np.broadcast_to(x.data, shape)  # read-only: writing to it is refused
        except ValueError:
            raise RuntimeError(f"expand: cannot expand shape {x.shape} to {tuple(shape)}") from None

    @staticmethod
    def backward(ctx: Expand, grad: Gradient) -> Gradient:
        return unbroadcast(grad, ctx.inputs[0].data.shape)


def is_advanced(index: tuple[Any, ...]) -> bool:
    """Does the index pick elements by arrays (so the same element may be picked twice)?"""
    return any(isinstance(i, (np.ndarray, list)) for i in index)


class GetItem(Function):
    """out = x[index];  dx = grad added into zeros at the positions read

    A basic index gives a view of x (shared memory, as in PyTorch); index arrays give a copy.
    """

    backward_on_arrays = True

    @staticmethod
    def array_view(a: np.ndarray, index: tuple[Any, ...]) -> np.ndarray:
        return a[index]

    @staticmethod
    def forward(ctx: GetItem, x: Tensor, index: tuple[Any, ...]) -> np.ndarray:
        try:
            return x.data[index]
        except IndexError as e:
            raise IndexError(f"{e} (indexing a tensor of shape {x.shape})") from None

    @staticmethod
    def backward(ctx: GetItem, grad: Gradient) -> Gradient:
        x, index = ctx.inputs
        if isinstance(grad, np.ndarray):
            return index_add(grad, index, x.data.shape)
        return IndexAdd.apply(grad, index, x.data.shape)


def index_add(g: np.ndarray, index: tuple[Any, ...], shape: tuple[int, ...]) -> np.ndarray:
    """zeros(shape) with g added at index; an element picked twice gets both contributions."""
    out = np.zeros(shape, dtype=g.dtype)
    if is_advanced(index):
        np.add.at(out, index, g)
    else:
        out[index] = g
    return out


class IndexAdd(Function):
    """out = zeros(shape) with out[index] += g (repeats add up);  dg = grad[index]"""

    backward_on_arrays = True

    @staticmethod
    def forward(
        ctx: IndexAdd, g: Tensor, index: tuple[Any, ...], shape: tuple[int, ...]
    ) -> np.ndarray:
        return index_add(g.data, index, shape)

    @staticmethod
    def backward(ctx: IndexAdd, grad: Gradient) -> Gradient:
        return grad[ctx.inputs[1]]


class Cat(Function):
    """out = x1, x2, ... joined along dim;  dxi = the slice of grad that xi filled"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Cat, *args: Any) -> np.ndarray:
        *xs, dim = args
        try:
            return np.concatenate([x.data for x in xs], axis=dim)
        except ValueError:
            shapes = ", ".join(str(x.data.shape) for x in xs)
            raise RuntimeError(
                f"cat: tensors must have the same shape except in dim {dim}, got {shapes}"
            ) from None

    @staticmethod
    def backward(ctx: Cat, grad: Gradient) -> tuple[Gradient | None, ...]:
        *xs, dim = ctx.inputs
        grads, start = [], 0
        for x in xs:
            index = [slice(None)] * grad.ndim
            index[dim] = slice(start, start + x.data.shape[dim])
            grads.append(grad[tuple(index)] if x.requires_grad else None)
            start += x.data.shape[dim]
        return tuple(grads)


class Where(Function):
    """out = x where cond else y;  dx = grad where cond, dy = grad where not cond"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Where, x: Tensor, y: Tensor, cond: np.ndarray) -> np.ndarray:
        return np.where(cond, x.data, y.data)

    @staticmethod
    def backward(ctx: Where, grad: Gradient) -> tuple[Gradient | None, Gradient | None]:
        x, y, cond = ctx.inputs
        dx = unbroadcast(either.keep_where(grad, cond), x.data.shape) if x.requires_grad else None
        dy = unbroadcast(either.keep_where(grad, ~cond), y.data.shape) if y.requires_grad else None
        return dx, dy


class Maximum(Function):
    """out = max(x, y) elementwise;  the larger gets grad, a tie splits it in half (as PyTorch).
    A NaN on either side gives NaN (np.maximum, not np.fmax: PyTorch propagates NaN)."""

    backward_on_arrays = True
    combine: Any = staticmethod(np.maximum)
    share_x: np.ndarray  # how much of the gradient goes to x: 1, 1/2 at a tie, or 0

    @staticmethod
    def forward(ctx: Maximum, x: Tensor, y: Tensor) -> np.ndarray:
        out = ctx.combine(x.data, y.data)
        picked_x = (out == x.data).astype(out.dtype)
        ctx.share_x = picked_x - (x.data == y.data).astype(out.dtype) * 0.5
        return out

    @staticmethod
    def backward(ctx: Maximum, grad: Gradient) -> tuple[Gradient | None, Gradient | None]:
        x, y = ctx.inputs
        dx = unbroadcast(grad * ctx.share_x, x.data.shape) if x.requires_grad else None
        dy = unbroadcast(grad * (1.0 - ctx.share_x), y.data.shape) if y.requires_grad else None
        return dx, dy


class Minimum(Maximum):
    """out = min(x, y) elementwise;  the smaller gets grad, a tie splits it in half (as PyTorch)"""

    combine = staticmethod(np.minimum)
