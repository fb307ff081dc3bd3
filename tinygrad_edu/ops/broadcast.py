"""The one place that undoes broadcasting."""

from __future__ import annotations

from typing import Any


def unbroadcast(grad: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``grad`` down to ``shape``: the adjoint of broadcasting an input of that shape.

    Broadcasting copies an input along new leading axes and along axes of size 1, so each copy's
    gradient must be added back into the one element it came from.
    """
    if grad.shape == shape:
        return grad  # the common case: no copy, no op
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1
    )
    # .sum(axis=, keepdims=) and .reshape mean the same for a Tensor and an ndarray.
    out = grad.sum(axis=axes, keepdims=True) if axes else grad
    return out.reshape(shape)
