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

import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_edu import tensor as _tensor
from tinygrad_edu.autograd import grad_mode

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor


class Function:
    """A node of the graph: remembers its inputs and what backward needs."""

    # Hot fields live in slots; a subclass without __slots__ may still set any attribute on ctx.
    __slots__ = ("_out", "_released", "_saved", "_versions", "inputs")

    # Set by an op whose backward reads its own output (exp, sigmoid, tanh, softmax).
    save_output = False

    def __init__(self) -> None:
        self.inputs: tuple[Any, ...] = ()
        self._saved: tuple[Tensor, ...] = ()
        self._versions: tuple[int, ...] = ()
        self._out: weakref.ref[Tensor] | None = None
        self._released = False

    # -- what forward and backward see -----------------------------------------------------

    def save_for_backward(self, *tensors: Tensor) -> None:
        """Keep tensors for backward; changing one in place afterwards is caught at backward."""
        self._saved = tensors
        self._versions = tuple(t._version for t in tensors)

    @property
    def saved_tensors(self) -> tuple[Tensor, ...]:
        if self._released:
            raise RuntimeError(
                f"{type(self).__name__}: trying to backward through the graph a second time (or "
                "to read saved tensors after they were freed). Pass retain_graph=True to the first "
                "backward() if you need to go through the graph again."
            )
        for i, (t, v) in enumerate(zip(self._saved, self._versions)):
            if t._version != v:
                raise RuntimeError(
                    f"{type(self).__name__}: saved tensor {i} (shape {t.shape}) was modified by an "
                    f"in-place operation after it was saved (its version is {t._version}, the "
                    f"backward formula needs version {v}). Use an out-of-place op, or .clone() "
                    "the tensor before changing it."
                )
        return self._saved

    @property
    def output(self) -> Tensor:
        """The tensor this node produced (for ops with ``save_output = True``)."""
        out = self._out() if self._out is not None else None
        if out is None:
            raise RuntimeError(f"{type(self).__name__}: its output is no longer available")
        return out

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        return tuple(isinstance(x, _tensor.Tensor) and x.requires_grad for x in self.inputs)

    def release(self) -> None:
        """Free what backward saved; the graph's shape (``inputs``) stays for inspection."""
        self._saved = ()
        self._released = True
        extras = getattr(self, "__dict__", None)
        if extras:
            extras.clear()

    # -- the two halves every op writes ----------------------------------------------------

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Any:
        raise NotImplementedError

    # -- running an op -----------------------------------------------------------------------

    @classmethod
    def apply(cls, *args: Any) -> Tensor:
        """Run forward; if any input needs a gradient and grad mode is on, record the node."""
        ctx = cls()
        out = cls.forward(ctx, *args)
        tensor_type = _tensor.Tensor
        if isinstance(out, tensor_type):  # a user Function may compute with Tensor ops
            out = out.data
        elif not isinstance(out, np.ndarray):
            out = np.asarray(out)
        requires_grad = grad_mode._enabled and any(
            isinstance(a, tensor_type) and a.requires_grad for a in args
        )
        if not requires_grad:
            return tensor_type._wrap(out, False, None)
        ctx.inputs = args
        result = tensor_type._wrap(out, True, ctx)
        if cls.save_output:
            ctx._out = weakref.ref(result)
        return result

    def __repr__(self) -> str:
        return f"<{type(self).__name__}Backward>"
