"""Reverse-mode automatic differentiation: grad mode, the Function base, the backward engine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tinygrad_edu.autograd.anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor

__all__ = [
    "Function",
    "detect_anomaly",
    "enable_grad",
    "grad",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "no_grad",
    "set_detect_anomaly",
    "set_grad_enabled",
]


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """d(outputs)/d(inputs) times grad_outputs, returned instead of added into ``.grad``
    (torch.autograd.grad)."""
    from tinygrad_edu.autograd import engine
    from tinygrad_edu.tensor import Tensor

    outs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    ins = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None:
        gos: list[Tensor | None] = [None] * len(outs)
    elif isinstance(grad_outputs, Tensor):
        gos = [grad_outputs]
    else:
        gos = list(grad_outputs)
    seeds = []
    for i, (o, g) in enumerate(zip(outs, gos)):
        if not o.requires_grad:
            raise RuntimeError(f"grad: output {i} does not require grad and has no grad_fn")
        if g is None:
            if o.data.size != 1:
                raise RuntimeError(
                    f"grad: output {i} has shape {o.shape}; grad_outputs is needed for a "
                    "non-scalar output"
                )
            g = Tensor.ones(o.shape, dtype=o.dtype)
        seeds.append(g)
    for i, x in enumerate(ins):
        if not x.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    keep = create_graph if retain_graph is None else retain_graph
    result = engine.run_backward(
        outs, seeds, retain_graph=keep, create_graph=create_graph, inputs=ins
    )
    for i, r in enumerate(result):
        if r is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} was not used to compute the outputs; pass allow_unused=True "
                "if that is expected"
            )
    return tuple(result)
