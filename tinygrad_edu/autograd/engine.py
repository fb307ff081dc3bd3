"""The backward engine: walk the graph from the output back to the leaves, once.

Every recorded node gets a sequence number when it is made (``Function.apply``), and an op's
inputs always exist before the op runs: so anything computed FROM a tensor has a larger number
than the tensor's own node. The walk therefore keeps the tensors that have a gradient waiting in a
heap, and always takes the one with the newest node: by then every tensor computed from it has
already passed its share back, so its gradient is complete. One pass, no separate sort, no
recursion (a chain of 100,000 ops is fine). Leaves (number 0) come last, in the order reached.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_edu import tensor as _tensor
from tinygrad_edu.autograd import anomaly, grad_mode

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor


def _edge(x: Tensor, seq: int) -> Tensor:
    """The tensor that node number ``seq`` really read as its input ``x``.

    Normally x itself. But if x was changed in place after that node used it, x now carries the
    in-place op's newer node; the value the node read lives on in the stand-in the in-place op
    made (``autograd/inplace.py``), so its gradient goes there.
    """
    fn = x.grad_fn
    while fn is not None and fn._seq > seq:
        old = getattr(fn, "_rebased_from", None)
        if old is None:
            break
        x, fn = old, old.grad_fn
    return x


def topological_order(root: Tensor) -> list[Tensor]:
    """The tensors that need a gradient, in the order backward visits them from ``root``:
    nodes newest first, then the leaves in the order the walk reaches them."""
    tensor_type = _tensor.Tensor
    if root.grad_fn is None:
        return [root]
    heap, waiting = [-root.grad_fn._seq], {root.grad_fn._seq: root}
    leaves: dict[int, Tensor] = {}
    order = []
    while heap:
        seq = -heapq.heappop(heap)
        t = waiting[seq]
        order.append(t)
        node: Any = t.grad_fn  # only tensors with a node wait in the heap
        for x in node.inputs:
            if isinstance(x, tensor_type) and x.requires_grad:
                x = _edge(x, seq)
                fn = x.grad_fn
                if fn is None:
                    leaves.setdefault(id(x), x)
                elif fn._seq not in waiting:
                    waiting[fn._seq] = x
                    heapq.heappush(heap, -fn._seq)
    return order + [x for x in leaves.values() if x.requires_grad]


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
    tensor_type, array_type = _tensor.Tensor, np.ndarray
    heappush, heappop = heapq.heappush, heapq.heappop
    # Tensors with a node wait in ``heap`` (node numbers, negated: heapq pops the smallest), found
    # through ``waiting``; their gradients summed so far are in ``pending``. A gradient in flight
    # is a Tensor when create_graph records it, otherwise whatever the producing backward
    # returned: usually a plain ndarray (see Function.backward_on_arrays). Leaves have no node:
    # they collect in ``leaf_grads`` (by id, in the order reached) and are done last.
    heap: list[int] = []
    waiting: dict[int, Tensor] = {}
    pending: dict[int, Any] = {}
    leaves: dict[int, Tensor] = {}
    leaf_grads: dict[int, Any] = {}

    def send(x: Tensor, g: Any) -> None:
        fn = x.grad_fn
        key, into = (fn._seq, pending) if fn is not None else (id(x), leaf_grads)
        prev = into.get(key)
        if prev is None:
            into[key] = g
            if fn is None:
                leaves[key] = x
            else:
                waiting[key] = x
                heappush(heap, -key)
        else:
            into[key] = add(prev, g)

    # Sums the engine made itself belong to nobody else, so later shares are added into them in
    # place: a weight used at 50 time steps costs one new array, not 50. (By id, holding the
    # array so the id stays unique; dropped when the sum leaves ``pending``.)
    owned: dict[int, np.ndarray] = {}

    def add(prev: Any, g: Any) -> Any:
        if isinstance(prev, tensor_type) or isinstance(g, tensor_type):
            return as_tensor(prev) + g
        if id(prev) in owned:
            prev += g
            return prev
        total = prev + g
        owned[id(total)] = total
        return total

    def as_tensor(g: Any) -> Tensor:
        return g if isinstance(g, tensor_type) else tensor_type._wrap(g, False, None)

    def take(t: Tensor, grad: Any) -> Any:
        """Hooks, autograd.grad's results and .grad for a tensor whose gradient is complete."""
        if t._hooks:
            for hook in list(t._hooks.values()):
                new = hook(as_tensor(grad))
                if new is not None:
                    grad = new if isinstance(new, tensor_type) else tensor_type(new, dtype=t.dtype)
        if wanted is not None:
            if id(t) in wanted:
                results[wanted[id(t)]] = as_tensor(grad)
        elif t.grad_fn is None or t._retains_grad:
            _accumulate_leaf(t, grad, create_graph, given)
        return grad

    for r, seed in zip(roots, grads):
        send(r, seed)
    wanted = {id(x): i for i, x in enumerate(inputs)} if inputs is not None else None
    results: list[Tensor | None] = [None] * (len(inputs) if inputs is not None else 0)
    # Arrays handed to a leaf's .grad so far: a second leaf getting the same one gets a copy, so
    # changing one .grad in place can never change another.
    given: set[int] = {id(g.data) for g in grads}
    on_arrays = not create_graph

    with grad_mode.set_grad_enabled(create_graph):
        while heap:
            seq = -heappop(heap)
            t = waiting.pop(seq)
            grad = pending.pop(seq)
            if owned:
                owned.pop(id(grad), None)
            if t._hooks or t._retains_grad or wanted is not None:
                grad = take(t, grad)
            ctx: Any = t.grad_fn
            if ctx._released:
                raise RuntimeError(
                    f"{type(ctx).__name__}: trying to backward through the graph a second time "
                    "(its saved tensors were freed by the first backward). Pass retain_graph=True "
                    "to the first backward() if you need to go through the graph again."
                )
            if on_arrays and ctx.backward_on_arrays:
                ctx._arrays = True  # saved tensors come as ndarrays
                in_grads = ctx.backward(ctx, grad.data if type(grad) is tensor_type else grad)
            else:
                ctx._arrays = False
                in_grads = ctx.backward(ctx, as_tensor(grad))
            if type(in_grads) is not tuple:
                in_grads = (in_grads,)
            if anomaly._enabled:
                anomaly.check_backward(ctx, in_grads)
            inputs_ = ctx.inputs
            if len(in_grads) > len(inputs_):
                _check_count(ctx, in_grads)
            for x, g in zip(inputs_, in_grads):
                if g is None or not isinstance(x, tensor_type) or not x.requires_grad:
                    continue
                data = x.data
                if type(g) is not array_type or create_graph:
                    g = _as_gradient(g, data.dtype, create_graph)
                if g.shape != data.shape:
                    raise RuntimeError(
                        f"{type(ctx).__name__}.backward returned a gradient of shape {g.shape} "
                        f"for an input of shape {data.shape}"
                    )
                if g.dtype is not data.dtype and g.dtype != data.dtype:
                    g = g.to(data.dtype) if type(g) is tensor_type else g.astype(data.dtype)
                fn = x.grad_fn
                if fn is None:  # a leaf: send(x, g), inlined (a weight gets one share a step)
                    key = id(x)
                    prev = leaf_grads.get(key)
                    if prev is None:
                        leaf_grads[key] = g
                        leaves[key] = x
                    else:
                        leaf_grads[key] = add(prev, g)
                    continue
                if fn._seq > seq:  # x was changed in place since this node read it
                    x = _edge(x, seq)
                    if x.requires_grad:
                        send(x, g)
                    continue
                # send(x, g) for the common case, inlined: this runs once per edge of the graph.
                key = fn._seq
                prev = pending.get(key)
                if prev is None:
                    pending[key] = g
                    waiting[key] = x
                    heappush(heap, -key)
                else:
                    pending[key] = add(prev, g)
            if not retain_graph:
                ctx.release()
        for key, x in leaves.items():
            take(x, leaf_grads[key])
    return results


def _check_count(ctx: Any, in_grads: tuple[Any, ...]) -> None:
    """Extra gradients must be None. (Fewer are fine: the last inputs get none, as the
    non-Tensor arguments of most built-in ops.)"""
    n = len(ctx.inputs)
    if any(g is not None for g in in_grads[n:]):
        raise RuntimeError(
            f"{type(ctx).__name__}.backward returned {len(in_grads)} gradients for {n} inputs"
        )


def _as_gradient(g: Any, dtype: np.dtype, create_graph: bool) -> Any:
    """What a backward returned, as the engine carries it: a Tensor under create_graph (so the
    gradient is recorded), otherwise an ndarray (a Tensor a user's backward returned stays one)."""
    tensor_type = _tensor.Tensor
    if create_graph:
        return g if isinstance(g, tensor_type) else tensor_type(g, dtype=dtype)
    if isinstance(g, (np.ndarray, tensor_type)):
        return g
    return np.asarray(g, dtype=dtype)  # a NumPy scalar (0-d ops) or a Python number


def _accumulate_leaf(t: Tensor, grad: Any, create_graph: bool, given: set[int]) -> None:
    """Add ``grad`` (an ndarray, or a Tensor) into ``t.grad``."""
    tensor_type = _tensor.Tensor
    if create_graph:
        grad = grad if isinstance(grad, tensor_type) else tensor_type._wrap(grad, False, None)
    else:
        data = grad.data if isinstance(grad, tensor_type) else grad
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
