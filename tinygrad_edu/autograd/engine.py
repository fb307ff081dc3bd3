"""The backward engine: walk the graph from the output back to the leaves, once.

Every recorded node gets a sequence number when it is made (``Function.apply``), and an op's
inputs always exist before the op runs: so anything computed FROM a tensor has a larger number
than the tensor's own node. The walk therefore keeps the tensors that have a gradient waiting in a
heap, and always takes the one with the newest node: by then every tensor computed from it has
already passed its share back, so its gradient is complete. One pass, no separate sort, no
recursion (a chain of 100,000 ops is fine). Leaves (no node) come last, in the order reached.

``run_backward`` and ``topological_order`` (what ``viz`` draws) are the same walk: the second
just passes ``None`` where the first passes gradients, so the picture is exactly what backward
visits.
"""

from __future__ import annotations

from collections.abc import Sequence
from heapq import heappop, heappush
from typing import Any, TypeVar

import numpy as np

from tinygrad_edu.autograd import anomaly, variable
from tinygrad_edu.autograd.config import Config, using_config
from tinygrad_edu.autograd.delivery import Delivery
from tinygrad_edu.autograd.function import Function, _freed
from tinygrad_edu.autograd.graph import edge
from tinygrad_edu.autograd.variable import Gradient, Variable, as_tensor

V = TypeVar("V", bound=Variable)

_NEWEST = 1 << 62  # the "node number" of whoever seeds the walk: newer than every node


class Walk:
    """The tensors waiting for their gradient to be complete, in the order backward takes them.

    Each waiting tensor has a key: its node's number, or for a leaf (no node) 0, -1, -2, ... in
    the order the walk reached it. ``heap`` holds the keys, negated (heapq pops the smallest), so
    ``pop`` gives the newest node first and the leaves last; ``pending`` holds each tensor's
    gradient summed so far. A gradient of None means "reached, but no gradient came": such a
    tensor is still visited, so every walk over a graph visits the same tensors.
    """

    __slots__ = ("heap", "leaf_keys", "owned", "pending", "waiting")

    def __init__(self) -> None:
        self.heap: list[int] = []
        self.waiting: dict[int, Variable] = {}
        self.pending: dict[int, Gradient | None] = {}
        self.leaf_keys: dict[Variable, int] = {}  # (tensors hash by identity)
        # Sums the walk made itself belong to nobody else, so later shares are added into them in
        # place: a weight used at 50 time steps costs one new array, not 50. (By id, holding the
        # array so the id stays unique; dropped when the sum leaves ``pending``.)
        self.owned: dict[int, np.ndarray] = {}

    def send(self, x: Variable, g: Gradient | None, seq: int) -> None:
        """Add ``g`` to the gradient of ``x``, which the node numbered ``seq`` read as an input."""
        fn = x.grad_fn
        if fn is not None:
            key = fn._seq
            if key > seq:  # x was changed in place after that node read it: the gradient goes
                x = edge(x, seq)  # to the stand-in that holds the value the node read
                if x.requires_grad:
                    self.send(x, g, seq)
                return
        else:
            key = self.leaf_keys.get(x)  # type: ignore[assignment]
            if key is None:
                key = self.leaf_keys[x] = -len(self.leaf_keys)
        pending = self.pending
        prev = pending.get(key, pending)  # (pending itself: a marker that nothing is there)
        if prev is pending:  # the first share: x starts waiting
            pending[key] = g
            self.waiting[key] = x
            heappush(self.heap, -key)
        elif g is None:  # nothing to add
            return
        elif prev is None:  # every share so far was None
            pending[key] = g
        elif id(prev) in self.owned and type(g) is np.ndarray:
            # Into a sum the walk made itself, in place. (Here rather than in _add: a weight gets
            # a share at every time step, and the call cost 2-3% of a chain's backward.)
            prev += g
        else:
            pending[key] = self._add(prev, g)  # type: ignore[arg-type]

    def _add(self, prev: Gradient, g: Gradient) -> Gradient:
        """``prev + g`` as a new sum, which the walk owns: later shares go into it in place."""
        if not (isinstance(prev, np.ndarray) and isinstance(g, np.ndarray)):
            return as_tensor(prev) + g  # a recorded Tensor sum
        total = prev + g
        if type(total) is not np.ndarray:  # two 0-d arrays add up to a NumPy scalar
            total = np.asarray(total)
        self.owned[id(total)] = total
        return total

    def pop(self) -> tuple[Variable, Gradient | None]:
        """The waiting tensor with the newest node (or the first leaf reached), and its gradient,
        complete now: everything computed from the tensor has sent its share."""
        key = -heappop(self.heap)
        grad = self.pending.pop(key)
        if self.owned:
            self.owned.pop(id(grad), None)
        return self.waiting.pop(key), grad


def run_backward(
    roots: Sequence[Variable],
    grads: Sequence[Variable],
    retain_graph: bool = False,
    create_graph: bool = False,
    inputs: Sequence[Variable] | None = None,
) -> list[Any]:
    """Backpropagate ``grads`` from ``roots``.

    With ``inputs=None`` (``Tensor.backward``) leaf gradients accumulate into ``.grad``. With a list
    of ``inputs`` (``autograd.grad``) their gradients are returned instead and no ``.grad`` changes.
    """
    tensor_class = variable.tensor_class
    walk = Walk()
    for root, seed in zip(roots, grads):
        walk.send(root, seed, _NEWEST)
    store = Delivery(inputs, create_graph, grads)
    send, on_arrays = walk.send, not create_graph
    heap, waiting, pending, owned = walk.heap, walk.waiting, walk.pending, walk.owned
    with using_config("grad_enabled", create_graph):
        while heap:  # t, grad = walk.pop(), written out: it runs once per node
            key = -heappop(heap)
            t, grad = waiting.pop(key), pending.pop(key)
            if owned:
                owned.pop(id(grad), None)
            ctx: Any = t.grad_fn
            if grad is not None and (ctx is None or t._hooks or t._retains_grad or store.wanted):
                grad = store.deliver(t, grad)  # hooks, then .grad or autograd.grad's results
            if ctx is None:
                continue
            seq, ins = ctx._seq, ctx.inputs
            if grad is None:  # reached, but no gradient came: pass that on, so that the walk's
                in_grads: Any = (None,) * len(ins)  # visits stay what viz shows
            elif on_arrays and ctx.backward_on_arrays and ctx._saved is not None:
                ctx._arrays = True  # the array path: saved tensors come as ndarrays
                in_grads = ctx.backward(ctx, grad.data if type(grad) is tensor_class else grad)
            else:
                in_grads = _backward_on_tensors(ctx, grad)
            if type(in_grads) is not tuple:
                in_grads = (in_grads,)
            # (Built-in ops leave out the gradients of trailing arguments such as a dim or a
            # shape, and their tests check them: a count is checked for users' Functions.)
            if (len(in_grads) != len(ins) and not ctx.backward_on_arrays) or Config.anomaly_enabled:
                _check_gradients(ctx, in_grads)
            for x, g in zip(ins, in_grads):
                if not (isinstance(x, tensor_class) and x.requires_grad):
                    continue
                if g is not None:
                    data = x.data
                    if type(g) is not np.ndarray or create_graph:
                        g = _as_gradient(g, data.dtype, create_graph)
                    if g.shape != data.shape or (
                        g.dtype is not data.dtype and g.dtype != data.dtype
                    ):
                        g = _fit(ctx, x, g, data)
                send(x, g, seq)
            if not retain_graph:
                ctx.release()
    return store.results


def topological_order(root: V) -> list[V]:
    """The tensors that need a gradient, in the order backward visits them from ``root``:
    nodes newest first, then the leaves in the order the walk reaches them."""
    tensor_class = variable.tensor_class
    walk = Walk()
    walk.send(root, None, _NEWEST)
    order: list[Any] = []
    while walk.heap:
        t, _ = walk.pop()
        order.append(t)
        if t.grad_fn is not None:
            for x in t.grad_fn.inputs:
                if isinstance(x, tensor_class) and x.requires_grad:
                    walk.send(x, None, t.grad_fn._seq)
    return order


def _backward_on_tensors(ctx: Function, grad: Gradient) -> Any:
    """Run a backward formula on Tensors: under create_graph (so that it is recorded), for a
    user's Function (PyTorch's contract), or to raise the clear error of a freed graph."""
    if ctx._saved is None:  # released by an earlier backward
        raise RuntimeError(_freed(ctx, "use a graph whose saved tensors were freed"))
    ctx._arrays = False
    return ctx.backward(ctx, as_tensor(grad))


def _check_gradients(ctx: Function, in_grads: tuple[Any, ...]) -> None:
    """One gradient per input: built-in ops may leave out trailing ones for arguments that are
    not tensors needing a gradient (a dim, a shape); extra ones must be None. And in anomaly
    mode, none may hold a NaN or an infinity."""
    if Config.anomaly_enabled:
        anomaly.check_backward(ctx, in_grads)
    n, tensor_class = len(ctx.inputs), variable.tensor_class
    missing = [
        i
        for i, x in enumerate(ctx.inputs[len(in_grads) :], len(in_grads))
        if isinstance(x, tensor_class) and x.requires_grad
    ]
    if missing or any(g is not None for g in in_grads[n:]):
        raise RuntimeError(
            f"{type(ctx).__name__}.backward returned {len(in_grads)} gradients for {n} inputs"
            + (f" (none for input {missing[0]}, which requires grad)" if missing else "")
            + "; return one per input of forward, None for those that need none"
        )


def _as_gradient(g: Any, dtype: np.dtype, create_graph: bool) -> Gradient:
    """What a backward returned, as the walk carries it: a Tensor under create_graph (so the
    gradient is recorded), otherwise an ndarray (a Tensor a user's backward returned stays one)."""
    tensor_class = variable.tensor_class
    if create_graph:
        return g if isinstance(g, tensor_class) else tensor_class(np.asarray(g), dtype=dtype)
    if isinstance(g, (np.ndarray, tensor_class)):
        return g
    return np.asarray(g, dtype=dtype)  # a NumPy scalar (0-d ops) or a Python number


def _fit(ctx: Function, x: Variable, g: Any, data: np.ndarray) -> Gradient:
    """A gradient of another dtype is cast to its input's; one of another shape is a bug."""
    if g.shape != data.shape:
        i = next(i for i, y in enumerate(ctx.inputs) if y is x)
        raise RuntimeError(
            f"{type(ctx).__name__}.backward returned a gradient of shape {g.shape} for input {i}, "
            f"which has shape {data.shape}"
        )
    return g.to(data.dtype) if isinstance(g, variable.tensor_class) else g.astype(data.dtype)
