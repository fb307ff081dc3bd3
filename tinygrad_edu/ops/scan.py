"""Sums and products along a dim: the running ones (cumsum, cumprod) and prod.

A product's gradient is "the product of all the other factors". Dividing the product by the
factor gives it in one step, unless the factor is 0 (or so tiny that its square underflows,
which the second derivative of a division meets). So:

- on arrays (a plain ``backward()``), divide when no factor is 0, and otherwise take a
  linear-time formula built from running products, which never divides;
- on Tensors (``create_graph=True``), "leave one out": for each position k, the product with
  x_k replaced by 1, an (n, n) array per slice of n elements. Made of Tensor ops that are exact
  polynomials in x, it stays right for the second and higher derivatives at any x, zeros
  included. It costs n^2, which only higher derivatives pay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops import either
from tinygrad_edu.ops.either import Gradient
from tinygrad_edu.ops.reduce import Dims, kept_shape

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor


def _accumulator(dtype: np.dtype) -> np.dtype:
    """float16 is summed and multiplied in float32, as in PyTorch; the rest in their own dtype."""
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def reverse_cumsum(g: Gradient, dim: int) -> Gradient:
    """out_i = sum of g_j for j >= i: the adjoint of cumsum."""
    return either.flip(either.cumsum(either.flip(g, dim), dim), dim)


class CumSum(Function):
    """out_i = x_1 + ... + x_i along dim;  dx_i = sum of grad_j for j >= i"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: CumSum, x: Tensor, dim: int) -> np.ndarray:
        data = x.data if x.ndim else x.data.reshape(1)  # a 0-d tensor is its own cumsum
        out = np.cumsum(data, axis=dim, dtype=_accumulator(x.dtype))
        return out.astype(x.dtype, copy=False).reshape(x.data.shape)

    @staticmethod
    def backward(ctx: CumSum, grad: Gradient) -> Gradient:
        if grad.ndim == 0:
            return grad
        return reverse_cumsum(grad, ctx.inputs[1])


class CumProd(Function):
    """out_i = x_1 * ... * x_i along dim;
    dx_k = sum over i >= k of grad_i * (the product of x_j, j <= i, j != k)
         = (sum over i >= k of grad_i out_i) / x_k  when x_k != 0"""

    backward_on_arrays = True
    save_output = True

    @staticmethod
    def forward(ctx: CumProd, x: Tensor, dim: int) -> np.ndarray:
        ctx.save_for_backward(x)
        data = x.data if x.ndim else x.data.reshape(1)
        out = np.cumprod(data, axis=dim, dtype=_accumulator(x.dtype))
        return out.astype(x.dtype, copy=False).reshape(x.data.shape)

    @staticmethod
    def backward(ctx: CumProd, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        dim = ctx.inputs[1]
        if grad.ndim == 0:
            return grad
        if not isinstance(grad, np.ndarray):
            return _cumprod_grad_leave_one_out(grad, x, dim)
        if x.all():
            return reverse_cumsum(grad * ctx.output, dim) / x
        return _cumprod_grad_with_zeros(grad, x, ctx.output, dim)


def _cumprod_grad_with_zeros(
    grad: np.ndarray, x: np.ndarray, out: np.ndarray, dim: int
) -> np.ndarray:
    """dx on arrays when some x_k are 0, in linear time. Let z be the first zero of a slice:
    before z, x_k != 0 and the division formula holds; at z, dx_z = sum over i >= z of grad_i
    times the running product with x_z replaced by 1; after z every product includes x_z = 0."""
    zero = x == 0
    seen = np.cumsum(zero, axis=dim)  # zeros up to here, this one included
    before, first = seen == 0, zero & (seen == 1)
    with np.errstate(invalid="ignore", over="ignore"):
        at_nonzero = reverse_cumsum(grad * out, dim) / np.where(before, x, 1)
    at_first = reverse_cumsum(grad * np.cumprod(np.where(first, 1, x), axis=dim), dim)
    return np.where(before, at_nonzero, np.where(first, at_first, 0)).astype(grad.dtype)


def _leave_one_out(x: Gradient) -> Gradient:
    """For x of shape (..., n): shape (..., n, n) with row k = x with x_k replaced by 1."""
    *lead, n = x.shape
    eye = np.eye(n, dtype=bool)
    rows = either.expand(x.reshape((*lead, 1, n)), (*lead, n, n))
    return either.keep_where(rows, ~eye) + eye.astype(x.dtype)


def _cumprod_grad_leave_one_out(grad: Gradient, x: Gradient, dim: int) -> Gradient:
    """dx_k = sum over i >= k of grad_i * cumprod(x with x_k replaced by 1)_i, as Tensor ops."""
    n = x.shape[dim]
    xm, gm = either.moveaxis(x, dim, -1), either.moveaxis(grad, dim, -1)
    running = either.cumprod(_leave_one_out(xm), -1)  # [..., k, i]: prod of x_j, j <= i, j != k
    from_k_on = np.triu(np.ones((n, n), dtype=bool))  # [k, i]: i >= k
    g = gm.reshape((*gm.shape[:-1], 1, n))
    dx = either.keep_where(g * running, from_k_on).sum(axis=-1)
    return either.moveaxis(dx, -1, dim)


class Prod(Function):
    """out = the product of x over dims;  dx = grad * (the product of all the other elements)
    = grad * out / x  when x != 0"""

    backward_on_arrays = True
    save_output = True

    @staticmethod
    def forward(ctx: Prod, x: Tensor, dims: Dims, keepdim: bool) -> np.ndarray:
        ctx.save_for_backward(x)
        out = np.prod(x.data, axis=dims, keepdims=keepdim, dtype=_accumulator(x.dtype))
        return np.asarray(out, dtype=x.dtype)

    @staticmethod
    def backward(ctx: Prod, grad: Gradient) -> Gradient:
        (x,) = ctx.saved_tensors
        _, dims, _ = ctx.inputs
        kept = kept_shape(x.shape, dims)
        g = grad.reshape(kept)
        if isinstance(x, np.ndarray) and x.all():
            return g * ctx.output.reshape(kept) / x
        return g * _others_product(x, dims)


def _others_product(x: Gradient, dims: Dims) -> Gradient:
    """For every element, the product of the other elements of its slice over dims."""
    if x.ndim == 0:
        return either.plain_like(x, np.ones((), x.dtype))
    reduced = tuple(range(x.ndim)) if dims is None else dims
    kept = tuple(d for d in range(x.ndim) if d not in reduced)
    order = kept + reduced  # the reduced dims last, flattened into one of n elements
    moved = either.permute(x, order)
    flat = moved.reshape((*moved.shape[: len(kept)], -1))
    if either.is_tensor(flat):
        others = either.prod(_leave_one_out(flat), -1)
    else:  # the products before and after each position: no division, linear time
        ones = np.ones((*flat.shape[:-1], 1), flat.dtype)
        before = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
        after = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
        others = before * after
    return either.permute(others.reshape(moved.shape), tuple(np.argsort(order).tolist()))
