"""Parameters as one flat vector and back, as ``torch.nn.utils.parameters_to_vector`` and
``vector_to_parameters`` (for optimizers and line searches that work on a single vector)."""

from __future__ import annotations

import math
from collections.abc import Iterable

from tinygrad_edu._tensor import Tensor
from tinygrad_edu.functions import cat


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and joined, in order, into one 1-D tensor (differentiable: it is
    ``cat([p.view(-1) for p in parameters])``)."""
    params = list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(
                f"parameters_to_vector: expected Tensors, but element {i} is {type(p).__name__}"
            )
    return cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Give each parameter, in order, the next ``p.numel()`` values of ``vec``.

    As in PyTorch, each parameter's data becomes a view of ``vec`` (they share memory from then
    on, and take vec's dtype). Unlike PyTorch, ``vec`` must hold exactly as many values as the
    parameters together, checked before any parameter changes (PyTorch ignores extra values).
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    params = list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(
                f"vector_to_parameters: expected Tensors, but element {i} is {type(p).__name__}"
            )
    if vec.ndim != 1:
        raise RuntimeError(f"vector_to_parameters: vec must be 1-D, got shape {vec.shape}")
    needed = sum(math.prod(p.shape) for p in params)
    if vec.shape[0] != needed:
        raise RuntimeError(
            f"vector_to_parameters: vec has {vec.shape[0]} values, the parameters have {needed}"
        )
    start = 0
    for p in params:
        n = math.prod(p.shape)
        p.data = vec.data[start : start + n].reshape(p.shape)
        start += n
