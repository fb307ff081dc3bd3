"""The few helpers backward formulas need beyond what Tensor and ndarray already share.

The engine runs an op's backward in one of two ways: on plain ndarrays when no graph of the
gradient is wanted (the usual ``loss.backward()``: NumPy speed, nothing recorded), or on Tensors
under ``create_graph=True`` (every step recorded, so the gradient can be differentiated again).
Operators (``+ - * / ** @``, comparisons, indexing), ``.reshape``, ``.mT`` and
``.sum(axis=..., keepdims=...)`` mean the same on both; each helper here picks the right call.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def expand(g: Any, shape: tuple[int, ...]) -> Any:
    """Broadcast g to shape (a read-only view for arrays)."""
    return np.broadcast_to(g, shape) if isinstance(g, np.ndarray) else g.expand(shape)


def permute(g: Any, dims: tuple[int, ...]) -> Any:
    return np.transpose(g, dims) if isinstance(g, np.ndarray) else g.permute(*dims)


def exp(g: Any) -> Any:
    return np.exp(g) if isinstance(g, np.ndarray) else g.exp()


def keep_where(g: Any, mask: np.ndarray) -> Any:
    """g where mask holds, 0 elsewhere."""
    return np.where(mask, g, 0) if isinstance(g, np.ndarray) else g.where(mask, 0.0)


def constant(x: Any) -> np.ndarray:
    """The values of x as a plain array, for factors with zero derivative (masks, signs)."""
    return x if isinstance(x, np.ndarray) else x.data
