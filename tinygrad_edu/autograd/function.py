"""The Function base: one differentiable operation, its forward and backward side by side.

A Function subclass is used like PyTorch's ``torch.autograd.Function``::

    class Square(Function):
        @staticmethod
        def forward(ctx, x):              # x is a Tensor; return an ndarray or a Tensor
            ctx.save_for_backward(x)
            return x.data ** 2

        @staticmethod
        def backward(ctx, grad):          # grad is a Tensor; return one gradient per input
            (x,) = ctx.saved_tensors
            return grad * 2 * x

    y = Square.apply(x)

The instance that ``apply`` creates is both the ``ctx`` handed to forward and backward and the
graph node stored as ``y.grad_fn``. Backward is written with Tensor operations, so that under
``create_graph=True`` the gradient is itself recorded and can be differentiated again.
"""

from __future__ import annotations

import itertools
import weakref
from typing import Any

import numpy as np

from tinygrad_edu.autograd import anomaly, graph, variable, versions
from tinygrad_edu.autograd.config import Config
from tinygrad_edu.autograd.variable import Variable

# Numbers the recorded nodes in creation order: the backward walk's schedule (engine.py). Each
# in-place change takes a number too: a node numbered after the newest one saw every change.
_sequence = itertools.count(1)
_changed_at = 0


def note_inplace_change() -> None:
    """Called by every in-place change (``Tensor._bump_version``). ``saved_tensors`` compares
    versions only in nodes made before the newest change: in training none, as the optimizer
    steps after the backward (comparing took 1% of an RNN's training step)."""
    global _changed_at
    _changed_at = next(_sequence)


class Function:
    """A node of the graph: remembers its inputs and what backward needs."""

    # The fields every node has, in slots: the engine reads them once per node, and a slot is the
    # quickest attribute Python has. Whatever a forward puts on ctx (ctx.p, ctx.probs) lands in
    # the instance dict instead. ``apply`` sets the first five; the rest only where they apply.
    inputs: tuple[Any, ...]  # the arguments forward was called with
    _seq: int  # creation number: the backward walk's schedule (engine.py)
    _saved: tuple[Variable | None, ...] | None  # save_for_backward's; None once released
    _arrays: bool  # set by the engine before each backward: True on the array path
    _versions: tuple[int, ...]  # the saved tensors' versions, when one was ever changed in place
    _out: weakref.ref[Any] | None  # the output, for ops with save_output
    _out_version: int
    _rebased_from: Variable | None  # on an in-place op's node (inplace.py)
    __slots__ = (
        *("__dict__", "_arrays", "_out", "_out_version", "_rebased_from"),
        *("_saved", "_seq", "_versions", "inputs"),
    )

    # Set by an op whose backward reads its own output (exp, sigmoid, tanh, softmax).
    save_output = False

    # True for an op whose backward uses only what Tensor and ndarray share (operators,
    # .sum(axis=, keepdims=), .reshape, indexing, and the helpers of ops/either.py). Without
    # create_graph the engine then runs it on raw arrays: no wrappers, no graph, NumPy speed.
    # A user's Function keeps PyTorch's contract: its backward always sees Tensors.
    backward_on_arrays = False

    # -- what forward and backward see -----------------------------------------------------

    def save_for_backward(self, *tensors: Variable | None) -> None:
        """Keep tensors (or None in the place of one not needed) for backward; changing one in
        place afterwards is caught at backward."""
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """The saved tensors: ndarrays while the engine runs backward on arrays, else Tensors."""
        if self._saved is None:
            raise RuntimeError(_freed(self, "read saved tensors after they were freed"))
        saved = self._saved
        if _changed_at > self._seq:  # something changed in place since this node was made:
            versions.check_saved(self)  # compare the versions
        if not self._arrays:
            return saved
        # A plain loop: for the one to four tensors an op saves, quicker than map or a listcomp.
        arrays = []
        for t in saved:
            arrays.append(t.data if t is not None else None)
        return tuple(arrays)

    @property
    def output(self) -> Any:
        """The tensor this node produced (for ops with ``save_output = True``)."""
        ref = getattr(self, "_out", None)
        out = ref() if ref is not None else None
        if out is None or self._saved is None:
            raise RuntimeError(f"{type(self).__name__}: its output is no longer available")
        if out._vc is not None and out._vc[0] != self._out_version:
            versions.check_output(self, out)
        return out.data if self._arrays else out

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        tensor_class = variable.tensor_class
        needs = []
        for x in self.inputs:  # (a plain loop: as in saved_tensors, the quickest for a few)
            needs.append(isinstance(x, tensor_class) and x.requires_grad)
        return tuple(needs)

    def release(self) -> None:
        """Free the saved tensors and the output, as PyTorch frees a node's buffers after
        backward; the graph's shape (``inputs``) stays for inspection. (What a forward put on
        ctx stays too, as in PyTorch; the engine refuses a second backward either way.)"""
        self._saved = None  # marks the node as released: a second backward is refused
        self._out = None

    # -- the two halves every op writes ----------------------------------------------------

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:  # grad: a Gradient; each op says which it returns
        raise NotImplementedError

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> None:
        """PyTorch's other way to write a Function: ``forward(*inputs)`` without a ctx, and
        this, called after it, saves what backward needs (``ctx.save_for_backward``)."""
        raise NotImplementedError

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "forward" in cls.__dict__ and cls.setup_context is not Function.setup_context:
            # The ctx-less forward gets a ctx here, once per class, so apply (the hot path)
            # stays one way.
            forward, setup_context = cls.forward, cls.setup_context

            def forward_with_ctx(ctx: Any, *args: Any) -> Any:
                output = forward(*args)
                setup_context(ctx, args, output)
                return output

            cls.forward = staticmethod(forward_with_ctx)  # type: ignore[method-assign]

    # -- running an op -----------------------------------------------------------------------

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run forward; if any input needs a gradient and grad mode is on, record the node."""
        ctx = cls()
        # (forward may ask ctx.needs_input_grad, as in torch; _seq is the real one if recorded)
        ctx.inputs, ctx._saved, ctx._seq = args, (), 0
        out = cls.forward(ctx, *args)
        tensor_class = variable.tensor_class
        if type(out) is not np.ndarray:
            # A user's Function may compute with Tensor ops; a reduction may give a NumPy scalar.
            out = out.data if isinstance(out, tensor_class) else np.asarray(out)
        if Config.anomaly_enabled:
            anomaly.check_forward(ctx, out)
        if not Config.grad_enabled:
            return tensor_class._wrap(out, False, None)
        for a in args:
            if isinstance(a, tensor_class) and a.requires_grad:
                break
        else:  # no input needs a gradient: nothing to record
            return tensor_class._wrap(out, False, None)
        ctx._seq = next(_sequence)
        saved: Variable | None
        for saved in ctx._saved:
            vc: list[Any] | None = saved._vc if saved is not None else None
            if vc is not None and vc[0]:  # changed in place before: remember the versions seen
                ctx._versions = versions.of(ctx._saved)
                break
        result = tensor_class._wrap(out, True, ctx)
        if cls.save_output:
            ctx._out = weakref.ref(result)
            ctx._out_version = 0
        return result

    def name(self) -> str:
        """The node's name as PyTorch prints it: ``MulBackward``."""
        return f"{type(self).__name__}Backward"

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """Where this node sends its gradients, as PyTorch shows the graph (graph.py)."""
        return graph.next_functions(self)

    def __repr__(self) -> str:
        return f"<{self.name()}>"


def _freed(ctx: Function, what: str) -> str:
    return (
        f"{type(ctx).__name__}: trying to backward through the graph a second time (or to "
        f"{what}). Pass retain_graph=True to the first backward() if you need to go through "
        "the graph again."
    )
