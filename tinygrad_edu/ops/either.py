"""Backward formulas run on either kind of gradient: the helpers that pick the right call.

The engine runs an op's backward in one of two ways: on plain ndarrays when no graph of the
gradient is wanted (the usual ``loss.backward()``: NumPy speed, nothing recorded), or on Tensors
under ``create_graph=True`` (every step recorded, so the gradient can be differentiated again).
That is the ``Gradient`` type: an ndarray without create_graph, a Tensor with it. Operators
(``+ - * / ** @``, comparisons, indexing), ``.reshape``, ``.mT``, ``.T`` and
``.sum(axis=..., keepdims=...)`` mean the same on both; for everything else, a helper here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard, Union

import numpy as np

from tinygrad_edu.ops.special import erfc_array

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor

# What a backward formula receives and returns (and what ctx.saved_tensors holds meanwhile).
Gradient = Union[np.ndarray, "Tensor"]


def is_tensor(g: object) -> TypeGuard[Tensor]:
    """A Tensor (create_graph), not an ndarray or the NumPy scalar a 0-d operation gives."""
    return not isinstance(g, (np.ndarray, np.generic))


def expand(g: Gradient, shape: tuple[int, ...]) -> Gradient:
    """Broadcast g to shape (a read-only view for arrays)."""
    return g.expand(shape) if is_tensor(g) else np.broadcast_to(g, shape)


def permute(g: Gradient, dims: tuple[int, ...]) -> Gradient:
    return g.permute(*dims) if is_tensor(g) else np.transpose(g, dims)


def exp(g: Gradient) -> Gradient:
    return g.exp() if is_tensor(g) else np.exp(g)


def log1p(g: Gradient) -> Gradient:
    return g.log1p() if is_tensor(g) else np.log1p(g)


def relu(g: Gradient) -> Gradient:
    return g.relu() if is_tensor(g) else np.maximum(g, 0)


def abs(g: Gradient) -> Gradient:
    return g.abs() if is_tensor(g) else np.abs(g)


def sigmoid(g: Gradient) -> Gradient:
    return g.sigmoid() if is_tensor(g) else stable_sigmoid(np.asarray(g))


def clamp_min(g: Gradient, lo: float) -> Gradient:
    return g.clamp(min=lo) if is_tensor(g) else np.maximum(g, lo)


def keep_where(g: Gradient, mask: np.ndarray) -> Gradient:
    """g where mask holds, 0 elsewhere."""
    return g.where(mask, 0.0) if is_tensor(g) else np.where(mask, g, 0)


def constant(x: Gradient) -> np.ndarray:
    """The values of x as a plain array, for factors with zero derivative (masks, signs)."""
    return x.data if is_tensor(x) else np.asarray(x)


def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) without overflow: only ever exponentiate -|x|."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


# -- for the newer ops: trig, pointwise, activation, scan, einsum ----------------------------


def sin(g: Gradient) -> Gradient:
    return g.sin() if is_tensor(g) else np.sin(g)


def cos(g: Gradient) -> Gradient:
    return g.cos() if is_tensor(g) else np.cos(g)


def sinh(g: Gradient) -> Gradient:
    return g.sinh() if is_tensor(g) else np.sinh(g)


def cosh(g: Gradient) -> Gradient:
    return g.cosh() if is_tensor(g) else np.cosh(g)


def erfc(g: Gradient) -> Gradient:
    return g.erfc() if is_tensor(g) else erfc_array(np.asarray(g))


def clamp_max(g: Gradient, hi: float) -> Gradient:
    return g.clamp(max=hi) if is_tensor(g) else np.minimum(g, hi)


def flip(g: Gradient, dim: int) -> Gradient:
    return g.flip(dim) if is_tensor(g) else np.flip(g, dim)


def cumsum(g: Gradient, dim: int) -> Gradient:
    return g.cumsum(dim) if is_tensor(g) else np.cumsum(g, dim)


def cumprod(g: Gradient, dim: int) -> Gradient:
    return g.cumprod(dim) if is_tensor(g) else np.cumprod(g, dim)


def prod(g: Gradient, dim: int) -> Gradient:
    return g.prod(dim) if is_tensor(g) else np.prod(g, dim)


def moveaxis(g: Gradient, source: int, destination: int) -> Gradient:
    return (
        g.movedim(source, destination)
        if is_tensor(g)
        else np.moveaxis(np.asarray(g), source, destination)
    )


def plain_like(g: Gradient, array: np.ndarray) -> Gradient:
    """A constant (an array, or a Tensor outside the graph when g is a Tensor)."""
    return type(g)._plain(array) if is_tensor(g) else array
