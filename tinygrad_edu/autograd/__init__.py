"""Reverse-mode automatic differentiation, as ``torch.autograd``.

The core, which knows arrays and nodes but not the Tensor module: ``config`` (grad and anomaly
mode), ``variable`` (what it needs of a tensor), ``function`` (the node), ``engine`` (the backward
walk), ``delivery`` (hooks, .grad), ``versions`` (in-place checks) and ``anomaly``. On top of it,
through Tensors: ``grad`` and ``backward`` below, ``functional`` (Jacobians, Hessians, vjp/jvp)
and ``gradcheck``. (In-place changes and views are tinygrad_edu/inplace.py's, above the ops.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_edu.autograd import engine, variable
from tinygrad_edu.autograd.config import (
    detect_anomaly,
    enable_grad,
    inference_mode,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_detect_anomaly,
    set_grad_enabled,
)
from tinygrad_edu.autograd.function import Function

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor

__all__ = [
    "Function",
    "Variable",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "functional",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "inference_mode",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "no_grad",
    "set_detect_anomaly",
    "set_grad_enabled",
]


def _seeds(outs: list[Tensor], grad_outputs: Any, name: str) -> list[Tensor]:
    """One seed gradient per output: given, or ones for a one-element output."""
    tensor_class = variable.tensor_class
    if grad_outputs is None:
        gos: list[Any] = [None] * len(outs)
    elif isinstance(grad_outputs, tensor_class):
        gos = [grad_outputs]
    else:
        gos = list(grad_outputs)
    if len(gos) != len(outs):
        raise RuntimeError(
            f"{name}: got {len(gos)} grad_outputs for {len(outs)} outputs; give one per output "
            "(None for a one-element output)"
        )
    seeds = []
    for i, (o, g) in enumerate(zip(outs, gos)):
        if not o.requires_grad:
            raise RuntimeError(f"{name}: output {i} does not require grad and has no grad_fn")
        if g is None:
            if o.data.size != 1:
                raise RuntimeError(
                    f"{name}: output {i} has shape {o.shape}; grad can be implicitly created only "
                    "for scalar outputs, so give grad_outputs for it"
                )
            g = tensor_class._wrap(np.ones_like(o.data), False, None)
        elif not isinstance(g, tensor_class):
            g = tensor_class(np.asarray(g), dtype=o.dtype)  # (a number is data, not a size)
        if g.shape != o.shape:
            raise RuntimeError(
                f"{name}: grad_outputs[{i}] has shape {g.shape} but output {i} has shape {o.shape}"
            )
        seeds.append(g)
    return seeds


def _listed(x: Any) -> list[Any]:
    return [x] if isinstance(x, variable.tensor_class) else list(x)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """d(outputs)/d(inputs) times grad_outputs, returned instead of added into ``.grad``
    (torch.autograd.grad). ``materialize_grads`` gives zeros for unused inputs."""
    outs, ins = _listed(outputs), _listed(inputs)
    seeds = _seeds(outs, grad_outputs, "grad")
    for i, x in enumerate(ins):
        if not x.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    keep = create_graph if retain_graph is None else retain_graph
    result = engine.run_backward(outs, seeds, keep, create_graph, inputs=ins)
    for i, r in enumerate(result):
        if r is None and materialize_grads:
            result[i] = variable.tensor_class._wrap(np.zeros_like(ins[i].data), False, None)
        elif r is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} was not used to compute the outputs; pass allow_unused=True "
                "if that is expected"
            )
    return tuple(result)


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> None:
    """Accumulate d(tensors)/d(leaf) times grad_tensors into every leaf's ``.grad``
    (torch.autograd.backward: ``loss.backward()`` for several outputs at once)."""
    outs = _listed(tensors)
    seeds = _seeds(outs, grad_tensors, "backward")
    keep = create_graph if retain_graph is None else retain_graph
    engine.run_backward(outs, seeds, keep, create_graph)


# The tools built on Tensors, importable as torch.autograd's are.
from tinygrad_edu.autograd import functional  # noqa: E402
from tinygrad_edu.gradcheck import gradcheck, gradgradcheck  # noqa: E402
from tinygrad_edu.legacy import Variable  # noqa: E402  (old tutorials' spelling of a tensor)
