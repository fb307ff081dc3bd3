"""The backward engine: walk the graph from the output back to the leaves, once.

1. Order: an iterative depth-first search lists every tensor that needs a gradient after all the
   tensors it feeds into (reverse topological order). Iterative, so a chain of 100,000 ops works.
2. Walk that list, calling each node's backward with the summed gradient of its output, and add
   what it returns into the gradients of its inputs. Leaves keep theirs in ``.grad``.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_edu import tensor as _tensor
from tinygrad_edu.autograd import anomaly, grad_mode

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor


def topological_order(root: Tensor) -> list[Tensor]:
    """Tensors that need a gradient, each after every tensor computed from it."""
    tensor_type = _tensor.Tensor
    order: list[Tensor] = []
    visited: set[int] = set()  # ids, for membership only: the order comes from the list
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        t, children_done = stack.pop()
        if children_done:
            order.append(t)
            continue
        if id(t) in visited:
            continue
        visited.add(id(t))
        stack.append((t, True))
        if t.grad_fn is not None:
            for x in t.grad_fn.inputs:
                if isinstance(x, tensor_type) and x.requires_grad and id(x) not in visited:
                    stack.append((x, False))
    order.reverse()
    return order


def run_backward(
    roots: list[Tensor],
    grads: list[Tensor],
    retain_graph: bool = False,
    create_graph: bool = False,
    inputs: list[Tensor] | None = None,
) -> list[Tensor | None]:
    """Backpropagate ``grads`` from ``roots``.

    With ``inputs=None`` (``Tensor.backward``) leaf gradients accumulate into ``.grad``. With a list
    of ``inputs`` (``autograd.grad``) their gradients are returned instead and no ``.grad`` changes.
    """
    tensor_type = _tensor.Tensor
    if len(roots) == 1:
        order = topological_order(roots[0])
    else:  # a virtual root that feeds on every real one keeps one walk for all of them
        order, seen = [], set()
        for r in roots:
            for t in topological_order(r):
                if id(t) not in seen:
                    seen.add(id(t))
                    order.append(t)
        order = _merge_orders(order)

    # A gradient in flight is a Tensor when create_graph records it, and otherwise whatever the
    # producing backward returned: usually a plain ndarray (see Function.backward_on_arrays).
    pending: dict[int, Any] = {}
    for r, seed in zip(roots, grads):
        pending[id(r)] = pending[id(r)] + seed if id(r) in pending else seed
    wanted = {id(x): i for i, x in enumerate(inputs)} if inputs is not None else None
    results: list[Tensor | None] = [None] * (len(inputs) if inputs is not None else 0)
    # Arrays handed to a leaf's .grad so far: a second leaf getting the same one gets a copy, so
    # changing one .grad in place can never change another.
    given: set[int] = {id(g.data) for g in grads}

    def as_tensor(g: Any) -> Tensor:
        return g if isinstance(g, tensor_type) else tensor_type._wrap(g, False, None)

    with grad_mode.set_grad_enabled(create_graph):
        for t in order:
            grad = pending.pop(id(t), None)
            if grad is None:
                continue
            if t._hooks:
                for hook in list(t._hooks.values()):
                    new = hook(as_tensor(grad))
                    if new is not None:
                        grad = (
                            new if isinstance(new, tensor_type) else tensor_type(new, dtype=t.dtype)
                        )
            if wanted is not None and id(t) in wanted:
                results[wanted[id(t)]] = as_tensor(grad)
            ctx = t.grad_fn
            if ctx is None:
                if wanted is None:
                    _accumulate_leaf(t, as_tensor(grad), create_graph, given)
                continue
            if t._retains_grad and wanted is None:
                _accumulate_leaf(t, as_tensor(grad), create_graph, given)
            if ctx._released:
                raise RuntimeError(
                    f"{type(ctx).__name__}: trying to backward through the graph a second time "
                    "(its saved tensors were freed by the first backward). Pass retain_graph=True "
                    "to the first backward() if you need to go through the graph again."
                )
            on_arrays = ctx.backward_on_arrays and not create_graph
            if on_arrays:
                ctx._arrays = True
                try:
                    in_grads = ctx.backward(
                        ctx, grad.data if isinstance(grad, tensor_type) else grad
                    )
                finally:
                    ctx._arrays = False
            else:
                in_grads = ctx.backward(ctx, as_tensor(grad))
            if type(in_grads) is not tuple:
                in_grads = (in_grads,)
            if anomaly._enabled:
                anomaly.check_backward(ctx, in_grads)
            if len(in_grads) > len(ctx.inputs) and any(
                g is not None for g in in_grads[len(ctx.inputs) :]
            ):
                raise RuntimeError(
                    f"{type(ctx).__name__}.backward returned {len(in_grads)} gradients for "
                    f"{len(ctx.inputs)} inputs"
                )
            for x, g in zip(ctx.inputs, in_grads):
                if g is None or not isinstance(x, tensor_type) or not x.requires_grad:
                    continue
                if create_graph and not isinstance(g, tensor_type):
                    g = tensor_type(g, dtype=x.dtype)
                elif not isinstance(g, (np.ndarray, tensor_type)):
                    g = np.asarray(g, dtype=x.dtype)
                if g.shape != x.shape:
                    raise RuntimeError(
                        f"{type(ctx).__name__}.backward returned a gradient of shape {g.shape} "
                        f"for an input of shape {x.shape}"
                    )
                if g.dtype != x.dtype:
                    g = g.to(x.dtype) if isinstance(g, tensor_type) else g.astype(x.dtype)
                prev = pending.get(id(x))
                if prev is None:
                    pending[id(x)] = g
                elif isinstance(prev, tensor_type) or isinstance(g, tensor_type):
                    pending[id(x)] = as_tensor(prev) + g
                else:
                    pending[id(x)] = prev + g
            if not retain_graph:
                ctx.release()
    return results


def _accumulate_leaf(t: Tensor, grad: Tensor, create_graph: bool, given: set[int]) -> None:
    tensor_type = _tensor.Tensor
    if not create_graph:
        data = grad.data
        # Own the array unless it is fresh: a view, or one already given to another tensor, is
        # copied so that the stored gradient aliases nothing else.
        if data.base is not None or id(data) in given or not data.flags.writeable:
            data = np.array(data, copy=True)
        given.add(id(data))
        grad = tensor_type._wrap(data, False, None)
    if t.grad is None:
        t.grad = grad
    else:
        t.grad = t.grad + grad  # out of place: an earlier .grad someone holds stays unchanged


def _merge_orders(order: list[Tensor]) -> list[Tensor]:
    """Re-sort the union of several topological orders so the whole list is one.

    Kahn's algorithm: a tensor is ready once every tensor computed from it has been placed; among
    ready ones the earliest in ``order`` goes first, which keeps the walk deterministic.
    """
    tensor_type = _tensor.Tensor
    position = {id(t): i for i, t in enumerate(order)}
    consumers: dict[int, int] = {id(t): 0 for t in order}
    for t in order:
        if t.grad_fn is not None:
            for x in t.grad_fn.inputs:
                if isinstance(x, tensor_type) and id(x) in consumers:
                    consumers[id(x)] += 1
    ready = [(position[id(t)], t) for t in order if consumers[id(t)] == 0]
    heapq.heapify(ready)
    out: list[Tensor] = []
    while ready:
        _, t = heapq.heappop(ready)
        out.append(t)
        if t.grad_fn is not None:
            for x in t.grad_fn.inputs:
                if isinstance(x, tensor_type) and id(x) in consumers:
                    consumers[id(x)] -= 1
                    if consumers[id(x)] == 0:
                        heapq.heappush(ready, (position[id(x)], x))
    return out
