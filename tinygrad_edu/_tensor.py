"""Tensor: an ndarray, the gradient that flows back to it, and the node that made it.

Every differentiable method is a thin call into ``tinygrad_edu.ops``; the maths lives there, one
op per class with its forward and backward side by side. (The module is ``_tensor``, as PyTorch's
``torch/_tensor.py``: ``tinygrad_edu.tensor(...)`` is the factory function.)
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Union

import numpy as np

from tinygrad_edu import arguments, dtypes, inplace, ops, return_types
from tinygrad_edu.autograd import engine, variable
from tinygrad_edu.autograd.config import Config
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.device import CPU, check_device, device, device_and_dtype
from tinygrad_edu.size import SIZES, Size

Scalar = Union[int, float, bool]  # noqa: UP007
ArrayLike = Union["Tensor", np.ndarray, Scalar, Sequence[Any]]
Dims = Union[int, Sequence[int], None]  # noqa: UP007


MaxResult = return_types.max  # what max(dim) returns (min(dim): return_types.min)


class Tensor:
    """An n-dimensional array that can record how it was computed and backpropagate through it."""

    __slots__ = (
        *("__weakref__", "_grad", "_hooks", "_retains_grad", "_vc", "_view", "_views"),
        *("data", "grad_fn", "requires_grad"),
    )
    __array_priority__ = 1000  # ndarray <op> Tensor defers to Tensor's reflected operator

    def __init__(self, data: ArrayLike, requires_grad: bool = False, dtype: Any = None) -> None:
        """Like ``torch.Tensor(data)``: Python numbers and lists become the default float dtype;
        an ndarray keeps its dtype (as ``torch.from_numpy``). The data is always copied.
        ``tinygrad_edu.tensor(data)`` infers integer and bool dtypes instead, as torch.tensor."""
        if not isinstance(data, (np.ndarray, np.generic, Tensor)) and dtype is None:
            dtype = dtypes.get_default_dtype()
        array = arguments.to_array(data, dtype, "Tensor")
        self.data: np.ndarray = array  # (a new array: to_array copies)
        self._grad: Tensor | None = None
        self.grad_fn: Function | None = None
        self.requires_grad = False
        self._hooks: dict[int, Callable[[Tensor], Tensor | None]] | None = None
        self._retains_grad = False
        self._vc: list[Any] | None = None  # the version counter, made on first use (_version)
        self._view: tuple[Tensor, Any] | None = None  # (base, view ops) if this is a view
        self._views: list[Any] | None = None  # weak references to the views of this tensor
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, data: np.ndarray, requires_grad: bool, grad_fn: Function | None) -> Tensor:
        """Build a tensor around an array an op just made: no copy, no checks (the hot path)."""
        t = object.__new__(Tensor)
        t.data = data
        t._grad = None
        t.grad_fn = grad_fn
        t.requires_grad = requires_grad
        t._hooks = None
        t._retains_grad = False
        t._vc = None
        t._view = None
        t._views = None
        return t

    @staticmethod
    def _plain(data: np.ndarray) -> Tensor:
        """A tensor around an array, outside any graph (a result with no gradient: a mask, an
        index, a comparison)."""
        return Tensor._wrap(data, False, None)

    # -- what a tensor is ------------------------------------------------------------------------

    @property
    def shape(self) -> Size:
        """The sizes of the dims, as a Size (a tuple). Code on hot paths reads ``.data.shape``,
        NumPy's plain tuple, which skips the lookup of its Size."""
        return SIZES[self.data.shape]

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def is_leaf(self) -> bool:
        """A leaf was made by the user, not by an op that recorded a graph."""
        return self.grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        """The gradient ``backward()`` accumulated into this leaf (None before any backward)."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad must be a Tensor or None, got {type(value).__name__}"
                )
            if value.shape != self.shape or value.dtype != self.dtype:
                raise RuntimeError(
                    f"assigned grad has shape {value.shape} and dtype {value.dtype}, but the "
                    f"tensor has shape {self.shape} and dtype {self.dtype}"
                )
        self._grad = value

    @property
    def T(self) -> Tensor:
        """All dims reversed (a matrix transpose for 2-D)."""
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> Tensor:
        """The last two dims swapped: a batch of matrices transposed."""
        return self.transpose(-2, -1)

    def size(self, dim: int | None = None) -> Any:
        return self.shape if dim is None else self.shape[arguments.dim_arg(dim, self.ndim)]

    def dim(self) -> int:
        return self.ndim

    def numel(self) -> int:
        return int(self.data.size)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extra = ""
        if self.data.dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool_):
            extra += f", dtype={self.data.dtype}"
        if self.grad_fn is not None:
            extra += f", grad_fn={self.grad_fn!r}"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    __hash__ = object.__hash__  # == is elementwise, so hash by identity (as torch.Tensor)

    # -- leaving the graph -----------------------------------------------------------------------

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.data if dtype is None else self.data.astype(dtype)

    def item(self) -> builtins.float | builtins.int | builtins.bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"item(): only a one-element tensor becomes a number, got shape {self.shape}"
            )
        return self.data.item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def __float__(self) -> builtins.float:
        return builtins.float(self.item())

    def __int__(self) -> builtins.int:
        return builtins.int(self.item())

    def __index__(self) -> builtins.int:
        if self.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError(
                f"only integer tensors of a single element can be converted to an index, got "
                f"dtype {self.dtype} and shape {self.shape}"
            )
        return builtins.int(self.item())

    def __bool__(self) -> builtins.bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"the truth value of a tensor with {self.data.size} elements is ambiguous; "
                "use .any() or .all()"
            )
        return builtins.bool(self.data)

    def detach(self) -> Tensor:
        """The same data (shared) outside the graph: no grad_fn, no requires_grad.

        As in PyTorch the two share the version counter too, so changing one in place is caught
        by a backward formula that saved the other.
        """
        out = Tensor._plain(self.data)
        if self._vc is None:
            self._vc = [0, ""]
        out._vc = self._vc
        return out

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self.requires_grad = False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and not dtypes.is_floating(self.data.dtype):
            raise RuntimeError(
                f"only floating point tensors can require gradients, got dtype {self.data.dtype}"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("requires_grad_(False) on a non-leaf tensor: use .detach() instead")
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in .grad after backward."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad() on a tensor that does not require grad")
        if self.grad_fn is not None:
            self._retains_grad = True

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a Tensor it returns (of
        the same shape and dtype) replaces the gradient. ``handle.remove()`` unregisters it."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that does not require grad")
        if self._hooks is None:
            self._hooks = {}
        key = builtins.max(self._hooks, default=-1) + 1
        self._hooks[key] = hook
        return RemovableHandle(self._hooks, key)

    def backward(
        self,
        gradient: ArrayLike | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
    ) -> None:
        """Add d(self)/d(leaf) times ``gradient`` into the ``.grad`` of every leaf that requires it."""
        if not self.requires_grad:
            raise RuntimeError(
                "backward(): this tensor does not require grad and has no grad_fn; did you forget "
                "requires_grad=True on an input, or compute it under no_grad()?"
            )
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward(): grad can be implicitly created only for scalar outputs, but this "
                    f"tensor has shape {self.shape}; pass gradient= of that shape"
                )
            grad = Tensor._plain(np.ones_like(self.data))
        else:
            grad = gradient if isinstance(gradient, Tensor) else Tensor(gradient, dtype=self.dtype)
            if grad.shape != self.shape:
                raise RuntimeError(
                    f"backward(): gradient has shape {grad.shape} but the tensor has shape {self.shape}"
                )
        keep = create_graph if retain_graph is None else retain_graph
        engine.run_backward([self], [grad], retain_graph=keep, create_graph=create_graph)

    # -- in place (the rules and how they work: tinygrad_edu/inplace.py) ---------------------

    @property
    def _version(self) -> int:
        """How many times this tensor (or one sharing its data through detach) changed in place.

        The counter is a small list shared with detached tensors, made only when first needed.
        """
        return self._vc[0] if self._vc is not None else 0

    def _bump_version(self, op: str) -> None:
        if self._vc is None:
            self._vc = [0, ""]
        self._vc[0] += 1
        self._vc[1] = op  # named in the error when a backward finds the tensor changed

    def zero_(self) -> Tensor:
        return self.fill_(0, _name="zero_")

    def fill_(self, value: Scalar | Tensor, *, _name: str = "fill_") -> Tensor:
        fill = self._operand(value)
        if Config.grad_enabled and (self.requires_grad or fill.requires_grad):
            # In a graph: recorded (gradients stop here; they flow to a tensor fill value).
            return inplace.apply_inplace(self, _name, lambda old: ops.Overwrite.apply(old, fill))
        inplace.check_leaf(self, _name)
        inplace.write(self, np.broadcast_to(fill.data, self.shape), _name)
        return self

    def copy_(self, src: ArrayLike) -> Tensor:
        """Copy src's values (broadcast to this shape) into this tensor; gradients flow to src."""
        source = self._operand(src)
        return inplace.apply_inplace(self, "copy_", lambda old: ops.Overwrite.apply(old, source))

    def add_(self, other: ArrayLike, *, alpha: Scalar = 1) -> Tensor:
        """self += alpha * other, in place."""
        y = other if alpha == 1 else self._operand(other) * alpha
        return inplace.apply_inplace(self, "add_", lambda old: old + y)

    def sub_(self, other: ArrayLike, *, alpha: Scalar = 1) -> Tensor:
        """self -= alpha * other, in place."""
        y = other if alpha == 1 else self._operand(other) * alpha
        return inplace.apply_inplace(self, "sub_", lambda old: old - y)

    def mul_(self, other: ArrayLike) -> Tensor:
        return inplace.apply_inplace(self, "mul_", lambda old: old * other)

    def div_(self, other: ArrayLike) -> Tensor:
        return inplace.apply_inplace(self, "div_", lambda old: old / other)

    def pow_(self, exponent: ArrayLike) -> Tensor:
        return inplace.apply_inplace(self, "pow_", lambda old: old**exponent)

    def clamp_(self, min: Scalar | None = None, max: Scalar | None = None) -> Tensor:
        return inplace.apply_inplace(self, "clamp_", lambda old: old.clamp(min, max))

    clip_ = clamp_

    def __iadd__(self, other: ArrayLike) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: ArrayLike) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: ArrayLike) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: ArrayLike) -> Tensor:
        return self.div_(other)

    def __ipow__(self, exponent: ArrayLike) -> Tensor:
        return self.pow_(exponent)

    def __setitem__(self, index: Any, value: ArrayLike) -> None:
        """x[index] = value, in place (recorded in the graph like any in-place op)."""
        idx = arguments.index_arg(index, self.shape)
        v = self._operand(value)
        inplace.apply_inplace(self, "setitem", lambda old: ops.SetItem.apply(old, v, idx))

    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """Zeros with this tensor's dtype (or ``dtype``)."""
        return self.new_full(arguments.size_arg(size, "new_zeros"), 0, dtype, requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return self.new_full(arguments.size_arg(size, "new_ones"), 1, dtype, requires_grad)

    def new_full(
        self,
        size: Sequence[int],
        fill_value: Scalar,
        dtype: Any = None,
        requires_grad: bool = False,
    ) -> Tensor:
        dt = self.dtype if dtype is None else dtypes.as_dtype(dtype)
        out = Tensor._plain(np.full(arguments.size_arg((size,), "new_full"), fill_value, dt))
        return out.requires_grad_(True) if requires_grad else out

    # -- arithmetic ------------------------------------------------------------------------------

    def _operand(self, other: Any) -> Tensor:
        """The other side of a binary op as a Tensor. A Python number gets the dtype PyTorch
        gives it (x32 * 2.0 stays float32; an integer tensor times 2.5 becomes float)."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (builtins.int, builtins.float, builtins.bool, np.number, np.bool_)):
            other = other.item() if isinstance(other, np.generic) else other
            return Tensor._plain(np.asarray(other, dtypes.result_type(self.data, other)))
        if isinstance(other, np.ndarray):
            return Tensor._plain(arguments.to_array(other, None, "operand"))
        raise TypeError(
            f"unsupported operand: a Tensor and {type(other).__name__} {other!r} (expected a "
            "Tensor, an ndarray or a number; make a list a tensor first: tensor([...]))"
        )

    def _binary(self, op: type[Function], other: ArrayLike, reflected: bool = False) -> Tensor:
        y = other if type(other) is Tensor else self._operand(other)
        x = self
        if x.data.dtype is not y.data.dtype:  # (an identity check first: the usual case)
            x, y = _promoted(x, y)
        if reflected:
            x, y = y, x
        try:
            return op.apply(x, y)
        except ValueError as e:
            if x.shape != y.shape and "broadcast" in str(e):
                raise RuntimeError(
                    f"{op.__name__.lower()}: shapes {x.shape} and {y.shape} cannot be broadcast together"
                ) from None
            raise

    def __add__(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Add, other)

    def __radd__(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Add, other, reflected=True)

    def __sub__(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Sub, other)

    def __rsub__(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Sub, other, reflected=True)

    def __mul__(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Mul, other)

    def __rmul__(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Mul, other, reflected=True)

    def __truediv__(self, other: ArrayLike) -> Tensor:
        return self._float()._binary(ops.Div, other)

    def __rtruediv__(self, other: ArrayLike) -> Tensor:
        return self._float()._binary(ops.Div, other, reflected=True)

    def __matmul__(self, other: ArrayLike) -> Tensor:
        x, y = self, self._operand(other)
        if x.data.dtype is not y.data.dtype:
            x, y = _promoted(x, y)
        return ops.MatMul.apply(x, y)

    def __rmatmul__(self, other: ArrayLike) -> Tensor:
        return self._operand(other).__matmul__(self)

    def __pow__(self, exponent: ArrayLike) -> Tensor:
        if isinstance(exponent, (builtins.int, builtins.float)) and not isinstance(
            exponent, builtins.bool
        ):
            x = self
            if isinstance(exponent, builtins.float) and not dtypes.is_floating(x.dtype):
                x = x.to(dtypes.get_default_dtype())  # arange(5) ** 0.5 is a float tensor
            elif exponent < 0 and x.dtype.kind in "iu":
                raise RuntimeError("Integers to negative integer powers are not allowed")
            return ops.PowScalar.apply(x, exponent)
        return self._binary(ops.Pow, exponent)

    def __rpow__(self, base: ArrayLike) -> Tensor:
        return self._binary(ops.Pow, base, reflected=True)

    def __neg__(self) -> Tensor:
        return ops.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def add(self, other: ArrayLike, *, alpha: Scalar = 1) -> Tensor:
        return self + (other if alpha == 1 else self._operand(other) * alpha)

    def sub(self, other: ArrayLike, *, alpha: Scalar = 1) -> Tensor:
        return self - (other if alpha == 1 else self._operand(other) * alpha)

    def mul(self, other: ArrayLike) -> Tensor:
        return self * other

    def div(self, other: ArrayLike, *, rounding_mode: str | None = None) -> Tensor:
        """self / other; rounding_mode 'trunc' or 'floor' rounds the quotient (no gradient)."""
        if rounding_mode is None:
            return self / other
        return pointwise.divide_rounded(self, other, rounding_mode)

    def pow(self, exponent: ArrayLike) -> Tensor:
        return self**exponent

    def matmul(self, other: ArrayLike) -> Tensor:
        return self @ other

    def neg(self) -> Tensor:
        return -self

    def _float(self) -> Tensor:
        """Integers become the default float dtype for division and float functions, as in
        PyTorch (arange(4).exp() is a float tensor)."""
        return self if self.data.dtype.kind == "f" else self.to(dtypes.get_default_dtype())

    # -- comparisons: results are bool tensors outside the graph ---------------------------------

    def _compare(self, fn: Callable[..., Any], other: Any) -> Tensor:
        y = other.data if isinstance(other, Tensor) else self._operand(other).data
        return Tensor._plain(np.asarray(fn(self.data, y)))

    def __eq__(self, other: object) -> Tensor:  # type: ignore[override]
        return self._compare(np.equal, other)

    def __ne__(self, other: object) -> Tensor:  # type: ignore[override]
        return self._compare(np.not_equal, other)

    def __lt__(self, other: ArrayLike) -> Tensor:
        return self._compare(np.less, other)

    def __le__(self, other: ArrayLike) -> Tensor:
        return self._compare(np.less_equal, other)

    def __gt__(self, other: ArrayLike) -> Tensor:
        return self._compare(np.greater, other)

    def __ge__(self, other: ArrayLike) -> Tensor:
        return self._compare(np.greater_equal, other)

    def eq(self, other: ArrayLike) -> Tensor:
        return self._compare(np.equal, other)

    def sign(self) -> Tensor:
        """-1, 0 or 1 (its gradient is 0, as in PyTorch)."""
        return ops.Sign.apply(self)

    def __invert__(self) -> Tensor:
        return Tensor._plain(
            np.logical_not(self.data) if self.dtype == dtypes.bool_ else ~self.data
        )

    def __and__(self, other: ArrayLike) -> Tensor:
        return self._compare(np.logical_and, other)

    def __or__(self, other: ArrayLike) -> Tensor:
        return self._compare(np.logical_or, other)

    def any(self, dim: Dims = None, keepdim: bool = False) -> Tensor:
        return reductions.any_all(self, np.any, dim, keepdim)

    def all(self, dim: Dims = None, keepdim: bool = False) -> Tensor:
        return reductions.any_all(self, np.all, dim, keepdim)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        self._check_nonempty("argmax", dim)
        d = None if dim is None else self._dim(dim)
        return Tensor._plain(np.asarray(np.argmax(self.data, axis=d, keepdims=keepdim)))

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        self._check_nonempty("argmin", dim)
        d = None if dim is None else self._dim(dim)
        return Tensor._plain(np.asarray(np.argmin(self.data, axis=d, keepdims=keepdim)))

    # -- elementwise functions -------------------------------------------------------------------

    def exp(self) -> Tensor:
        return ops.Exp.apply(self._float())

    def log(self) -> Tensor:
        return ops.Log.apply(self._float())

    def log1p(self) -> Tensor:
        return ops.Log1p.apply(self._float())

    def sqrt(self) -> Tensor:
        return ops.Sqrt.apply(self._float())

    def abs(self) -> Tensor:
        return ops.Abs.apply(self)

    def relu(self) -> Tensor:
        return ops.ReLU.apply(self)

    def sigmoid(self) -> Tensor:
        return ops.Sigmoid.apply(self._float())

    def tanh(self) -> Tensor:
        return ops.Tanh.apply(self._float())

    def clamp(
        self, min: Scalar | Tensor | None = None, max: Scalar | Tensor | None = None
    ) -> Tensor:
        if min is None and max is None:
            raise RuntimeError("clamp: at least one of min and max must be given")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            return pointwise.clamp_tensors(self, min, max)
        x = self
        for bound in (min, max):  # an integer tensor clamped to 2.5 becomes float, as in torch
            if bound is not None and dtypes.result_type(x.data, bound) != x.dtype:
                x = x.to(dtypes.result_type(x.data, bound))
        return ops.Clamp.apply(x, min, max)

    clip = clamp

    def maximum(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Maximum, other)

    def minimum(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Minimum, other)

    def where(self, condition: ArrayLike, other: ArrayLike) -> Tensor:
        """self where condition holds, other elsewhere (torch.Tensor.where); gradients flow to
        self and other, never to the condition."""
        cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
        if cond.dtype != np.bool_:
            raise RuntimeError(
                f"where: the condition must be a bool tensor, got dtype {cond.dtype}"
            )
        x, y = self, self._operand(other)
        if x.data.dtype is not y.data.dtype:
            x, y = _promoted(x, y)
        try:
            np.broadcast_shapes(cond.shape, x.shape, y.shape)
        except ValueError:
            raise RuntimeError(
                f"where: condition {cond.shape}, input {x.shape} and other {y.shape} cannot be "
                "broadcast together"
            ) from None
        return ops.Where.apply(x, y, cond)

    def softmax(self, dim: int) -> Tensor:
        return ops.Softmax.apply(self._float(), self._dim(dim))

    def log_softmax(self, dim: int) -> Tensor:
        return ops.LogSoftmax.apply(self._float(), self._dim(dim))

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``to(dtype)``, ``to('cpu')``, ``to(device, dtype)``, ``to(other)``: this tensor in
        another dtype (recorded, so gradients flow back in this dtype); itself if nothing changes."""
        dt = device_and_dtype("to", args, kwargs)
        if dt is None or dt == self.dtype:
            return self
        if self.requires_grad and not dtypes.is_floating(dt):
            return Tensor._plain(self.data.astype(dt))  # integers carry no gradient
        return ops.Cast.apply(self, dt)

    @property
    def device(self) -> device:
        return CPU

    is_cuda = False

    def cpu(self) -> Tensor:
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        check_device("cuda")  # raises: there is no GPU here
        return self

    def float(self) -> Tensor:
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        return self.to(dtypes.float64)

    def long(self) -> Tensor:
        return self.to(dtypes.int64)

    def clone(self) -> Tensor:
        return ops.Clone.apply(self)

    # -- reductions ------------------------------------------------------------------------------

    def _dim(self, dim: int) -> int:
        return arguments.dim_arg(dim, self.ndim)

    def sum(
        self,
        dim: Dims = None,
        keepdim: bool = False,
        *,
        axis: Dims = None,
        keepdims: bool | None = None,
        dtype: Any = None,
    ) -> Tensor:
        """Sum over dims (all by default). ``axis``/``keepdims`` are NumPy-style aliases, as torch
        accepts, so backward formulas can call ``.sum`` alike on Tensors and ndarrays."""
        dims = arguments.dims_arg(dim if axis is None else axis, self.ndim)
        # Integers and bools are summed in int64, as in PyTorch (int8 sums would overflow).
        x = self.to(dtypes.int64) if self.dtype.kind in "biu" else self
        if dtype is not None:
            x = self.to(dtype)
        return ops.Sum.apply(x, dims, keepdim if keepdims is None else keepdims)

    def mean(self, dim: Dims = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        if dtype is not None:
            return self.to(dtype).mean(dim, keepdim)
        if not dtypes.is_floating(self.dtype):
            raise RuntimeError(
                f"mean(): could not infer the output dtype: the input dtype must be floating, got "
                f"{self.dtype}; use .float() first"
            )
        dims = arguments.dims_arg(dim, self.ndim)
        return ops.Mean.apply(self, dims, keepdim)

    def var(
        self,
        dim: Dims = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: int = 1,
    ) -> Tensor:
        """Variance with Bessel's correction by default (correction=1), as torch.var.

        As in torch, the second positional argument is ``unbiased``: pass ``keepdim=`` by name.
        """
        if isinstance(dim, builtins.bool):  # var(False): torch's var(unbiased)
            dim, unbiased = None, dim
        if unbiased is not None:
            correction = 1 if unbiased else 0
        dims = arguments.dims_arg(dim, self.ndim)
        return ops.Var.apply(self._float(), dims, keepdim, correction)

    def std(
        self,
        dim: Dims = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: int = 1,
    ) -> Tensor:
        if isinstance(dim, builtins.bool):  # var(False): torch's var(unbiased)
            dim, unbiased = None, dim
        if unbiased is not None:
            correction = 1 if unbiased else 0
        dims = arguments.dims_arg(dim, self.ndim)
        return ops.Std.apply(self._float(), dims, keepdim, correction)

    def amax(self, dim: Dims = None, keepdim: bool = False) -> Tensor:
        """Max over dims; tied elements share the gradient equally."""
        dims = arguments.dims_arg(dim, self.ndim)
        self._check_nonempty("amax", dims)
        return ops.Amax.apply(self, dims, keepdim)

    def amin(self, dim: Dims = None, keepdim: bool = False) -> Tensor:
        """Min over dims; tied elements share the gradient equally."""
        dims = arguments.dims_arg(dim, self.ndim)
        self._check_nonempty("amin", dims)
        return ops.Amin.apply(self, dims, keepdim)

    def max(self, dim: int | Tensor | None = None, keepdim: bool = False) -> Any:
        """Like torch.max: without dim, the max (ties share the gradient); with dim, (values,
        indices) where the gradient goes to the first index that holds the max; with a tensor,
        the elementwise maximum."""
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        if dim is None:
            return self.amax()
        return self._pick_along(self.argmax(dim, keepdim=True), dim, keepdim)

    def min(self, dim: int | Tensor | None = None, keepdim: bool = False) -> Any:
        """Like torch.min; see max."""
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        if dim is None:
            return self.amin()
        return self._pick_along(self.argmin(dim, keepdim=True), dim, keepdim, return_types.min)

    def _pick_along(
        self,
        index: Tensor,
        dim: int,
        keepdim: bool,
        kind: type[return_types.ValuesIndices] = return_types.max,
    ) -> return_types.ValuesIndices:
        d = self._dim(dim)
        values = self.gather(d, index)
        if not keepdim:
            values, index = values.squeeze(d), index.squeeze(d)
        return kind(values, index)

    def _check_nonempty(self, name: str, dims: Any) -> None:
        """max/min/argmax over nothing is undefined; PyTorch raises as here."""
        if self.data.size:
            return
        if dims is None:
            raise RuntimeError(
                f"{name}(): the tensor of shape {self.shape} is empty: give a dim to reduce over"
            )
        dims = dims if isinstance(dims, (tuple, list)) else (self._dim(dims),)
        if dims == () or any(self.shape[d] == 0 for d in dims):
            raise IndexError(
                f"{name}(): cannot reduce over a zero-size dim of a tensor of shape {self.shape}"
            )

    def gather(self, dim: int, index: ArrayLike) -> Tensor:
        """out[i][j] = self[index[i][j]][j] for dim=0, and so on (torch.gather)."""
        idx = index.data if isinstance(index, Tensor) else np.asarray(index)
        d = self._dim(dim)
        if idx.ndim != self.ndim:
            raise RuntimeError(f"gather: index has {idx.ndim} dims but the tensor has {self.ndim}")
        if idx.dtype.kind not in "iu":
            raise RuntimeError(f"gather: index must be an integer tensor, got dtype {idx.dtype}")
        if idx.size and (idx.min() < 0 or idx.max() >= self.shape[d]):
            bad = idx[(idx < 0) | (idx >= self.shape[d])].flat[0]
            raise RuntimeError(
                f"gather: index {bad} is out of bounds for dim {d} of size {self.shape[d]}"
            )
        # Turn take_along_axis into one advanced index so indexing's backward (which adds up
        # repeated positions) serves gather too.
        grids = np.ix_(*[np.arange(n) for n in idx.shape]) if idx.ndim else ()
        full = tuple(idx if i == d else g for i, g in enumerate(grids))
        return ops.GetItem.apply(self, full)

    # -- shape -----------------------------------------------------------------------------------

    def reshape(self, *shape: Any) -> Tensor:
        """The same elements in another shape: a view when the layout allows (it shares
        memory), else a copy, as torch.reshape."""
        size = arguments.size_arg(shape, "reshape", allow_minus_one=True)
        if size == self.shape:
            return self
        out = ops.Reshape.apply(self, size)
        if np.may_share_memory(out.data, self.data):
            inplace.as_view(out, self, ops.Reshape, (size,))
        return out

    def view(self, *shape: Any) -> Tensor:
        """A view in another shape (shares memory); as in PyTorch, an error where the layout
        would need a copy (after a transpose, say): use reshape() there."""
        size = arguments.size_arg(shape, "view", allow_minus_one=True)
        try:
            self.data.view().shape = size  # NumPy refuses exactly when a copy would be needed
        except AttributeError:
            raise RuntimeError(
                f"view size {size} is not compatible with the layout of the tensor of shape "
                f"{self.shape} (its memory is not laid out in that order); use .reshape(...)"
            ) from None
        except ValueError:
            pass  # a wrong element count: reshape names it
        return self.reshape(size)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        if self.ndim == 0:
            return self.reshape(1)
        s, e = self._dim(start_dim), self._dim(end_dim)
        if s > e:
            raise RuntimeError(
                f"flatten(): start_dim {start_dim} cannot come after end_dim {end_dim}"
            )
        return self.reshape(*self.shape[:s], -1, *self.shape[e + 1 :])

    def permute(self, *dims: Any) -> Tensor:
        order = arguments.size_arg(dims, "permute", allow_minus_one=True) if dims else ()
        if len(order) != self.ndim:
            raise RuntimeError(
                f"permute: {order} has {len(order)} dims but the tensor has {self.ndim}"
            )
        order = tuple(self._dim(d) for d in order)
        if sorted(order) != list(range(self.ndim)):
            raise RuntimeError(
                f"permute: {order} repeats a dim of the tensor of shape {self.shape}"
            )
        if order == tuple(range(self.ndim)):
            return self
        return inplace.as_view(ops.Permute.apply(self, order), self, ops.Permute, (order,))

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        if self.ndim == 0:
            self._dim(dim0), self._dim(dim1)  # 0 and -1 only, as in PyTorch
            return self
        order = list(range(self.ndim))
        a, b = self._dim(dim0), self._dim(dim1)
        order[a], order[b] = order[b], order[a]
        return self.permute(*order)

    def t(self) -> Tensor:
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dims, got shape {self.shape}")
        return self.T

    def unsqueeze(self, dim: int) -> Tensor:
        d = arguments.dim_arg(dim, self.ndim + 1)
        return self.reshape(*self.shape[:d], 1, *self.shape[d:])

    def squeeze(self, dim: Dims = None) -> Tensor:
        dims = arguments.dims_arg(dim, self.ndim)
        drop = [i for i, n in enumerate(self.shape) if n == 1 and (dims is None or i in dims)]
        return self.reshape(*[n for i, n in enumerate(self.shape) if i not in drop])

    def expand(self, *shape: Any) -> Tensor:
        size = list(arguments.size_arg(shape, "expand", allow_minus_one=True))
        lead = len(size) - self.ndim
        if lead < 0:
            raise RuntimeError(f"expand: cannot expand shape {self.shape} to {tuple(size)}")
        for i, n in enumerate(size):
            if n == -1:
                if i < lead:
                    raise RuntimeError(
                        f"expand: -1 is not allowed in a new leading dim ({tuple(size)} for a "
                        f"tensor of shape {self.shape})"
                    )
                size[i] = self.shape[i - lead]
        target = tuple(size)
        if target == self.shape:
            return self
        return inplace.as_view(ops.Expand.apply(self, target), self, ops.Expand, (target,))

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other.shape)

    def __getitem__(self, index: Any) -> Tensor:
        """x[index]: a view for a basic index (ints, slices, None, ...), a copy for index
        tensors, lists and masks, as in PyTorch."""
        if type(index) is int or type(index) is slice:  # x[t], x[a:b]: nothing to convert
            idx: tuple[Any, ...] = (index,)
            return inplace.as_view(ops.GetItem.apply(self, idx), self, ops.GetItem, (idx,))
        idx = arguments.index_arg(index, self.shape)
        split = arguments.ints_first(idx)
        if split is not None:
            # PyTorch applies integer indices first (as selects), then the index arrays; NumPy
            # would treat the ints as arrays too and, when a slice separates them from the
            # arrays, move the indexed dims to the front. Two steps give PyTorch's layout.
            return ops.GetItem.apply(self[split[0]], split[1])
        out = ops.GetItem.apply(self, idx)
        if not any(isinstance(i, np.ndarray) for i in idx):
            inplace.as_view(out, self, ops.GetItem, (idx,))
        return out

    # ============================================================================================
    # The rest of PyTorch's Tensor API. One line each: the ops are in ops/, the longer bodies in
    # functions/ (next to the torch-level function of the same name).
    # ============================================================================================

    # -- what a tensor is, more ------------------------------------------------------------------

    @property
    def itemsize(self) -> builtins.int:
        return self.data.itemsize

    @property
    def nbytes(self) -> builtins.int:
        return self.data.nbytes

    def element_size(self) -> builtins.int:
        """Bytes per element."""
        return self.data.itemsize

    def nelement(self) -> builtins.int:
        return builtins.int(self.data.size)

    def ndimension(self) -> builtins.int:
        return self.data.ndim

    def is_floating_point(self) -> builtins.bool:
        return self.data.dtype.kind == "f"

    def is_contiguous(self) -> builtins.bool:
        """Are the elements laid out row by row in memory? (A transpose is not.)"""
        return builtins.bool(self.data.flags.c_contiguous)

    def contiguous(self) -> Tensor:
        """Itself if contiguous, else a contiguous copy (gradients flow through it)."""
        return self if self.data.flags.c_contiguous else ops.Clone.apply(self)

    def view_as(self, other: Tensor) -> Tensor:
        return self.view(other.data.shape)

    def new_empty(
        self, *size: Any, dtype: Any = None, requires_grad: builtins.bool = False
    ) -> Tensor:
        """Zeros (PyTorch leaves them uninitialised) with this tensor's dtype (or ``dtype``)."""
        return self.new_zeros(*size, dtype=dtype, requires_grad=requires_grad)

    def new_tensor(
        self, data: Any, dtype: Any = None, requires_grad: builtins.bool = False
    ) -> Tensor:
        """A copy of data, in this tensor's dtype unless ``dtype`` is given."""
        out = Tensor(data, dtype=self.dtype if dtype is None else dtype)
        return out.requires_grad_(True) if requires_grad else out

    # -- elementwise maths, more -----------------------------------------------------------------

    def sin(self) -> Tensor:
        return ops.Sin.apply(self._float())

    def cos(self) -> Tensor:
        return ops.Cos.apply(self._float())

    def tan(self) -> Tensor:
        return ops.Tan.apply(self._float())

    def asin(self) -> Tensor:
        return ops.Asin.apply(self._float())

    def acos(self) -> Tensor:
        return ops.Acos.apply(self._float())

    def atan(self) -> Tensor:
        return ops.Atan.apply(self._float())

    arcsin, arccos, arctan = asin, acos, atan

    def sinh(self) -> Tensor:
        return ops.Sinh.apply(self._float())

    def cosh(self) -> Tensor:
        return ops.Cosh.apply(self._float())

    def exp2(self) -> Tensor:
        return ops.Exp2.apply(self._float())

    def expm1(self) -> Tensor:
        return ops.Expm1.apply(self._float())

    def log2(self) -> Tensor:
        return ops.Log2.apply(self._float())

    def log10(self) -> Tensor:
        return ops.Log10.apply(self._float())

    def rsqrt(self) -> Tensor:
        return ops.Rsqrt.apply(self._float())

    def erf(self) -> Tensor:
        return ops.Erf.apply(self._float())

    def erfc(self) -> Tensor:
        return ops.Erfc.apply(self._float())

    def square(self) -> Tensor:
        return (self.long() if self.dtype == dtypes.bool_ else self) ** 2

    def reciprocal(self) -> Tensor:
        return 1 / self._float()

    def floor(self) -> Tensor:
        """The largest whole number <= each element (its gradient is 0, as in PyTorch)."""
        return pointwise.rounded(self, ops.Floor)

    def ceil(self) -> Tensor:
        return pointwise.rounded(self, ops.Ceil)

    def trunc(self) -> Tensor:
        return pointwise.rounded(self, ops.Trunc)

    fix = trunc

    def round(self, decimals: builtins.int = 0) -> Tensor:
        """Rounded to ``decimals`` places, halves to even."""
        return pointwise.rounded(self, ops.Round, decimals)

    def frac(self) -> Tensor:
        """The fractional part, x - trunc(x), with x's sign."""
        return self - self.trunc()

    def __abs__(self) -> Tensor:
        return self.abs()

    absolute, negative = abs, neg

    def atan2(self, other: ArrayLike) -> Tensor:
        """The angle of the point (other, self): atan(self / other) in the right quadrant."""
        return self._float()._binary(ops.Atan2, other)

    arctan2 = atan2

    def fmod(self, other: ArrayLike) -> Tensor:
        """The remainder of self / other with the sign of self (C's fmod)."""
        return self._binary(ops.Fmod, other)

    def remainder(self, other: ArrayLike) -> Tensor:
        """The remainder of self / other with the sign of other (Python's %)."""
        return self._binary(ops.Remainder, other)

    def __mod__(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Remainder, other)

    def __rmod__(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Remainder, other, reflected=True)

    def floor_divide(self, other: ArrayLike) -> Tensor:
        """self / other rounded down (Python's //); no gradient, as in PyTorch."""
        return pointwise.divide_rounded(self, other, "floor")

    def __floordiv__(self, other: ArrayLike) -> Tensor:
        return self.floor_divide(other)

    def __rfloordiv__(self, other: ArrayLike) -> Tensor:
        return pointwise.divide_rounded(self._operand(other), self, "floor")

    def true_divide(self, other: ArrayLike) -> Tensor:
        return self / other

    multiply, divide, subtract = mul, div, sub

    def lerp(self, end: Tensor, weight: ArrayLike) -> Tensor:
        """self + weight * (end - self)."""
        return pointwise.lerp(self, end, weight)

    def clamp_min(self, min: Scalar | Tensor) -> Tensor:
        return self.clamp(min=min)

    def clamp_max(self, max: Scalar | Tensor) -> Tensor:
        return self.clamp(max=max)

    def clamp_min_(self, min: Scalar | Tensor) -> Tensor:
        return inplace.apply_inplace(self, "clamp_min_", lambda old: old.clamp(min=min))

    def clamp_max_(self, max: Scalar | Tensor) -> Tensor:
        return inplace.apply_inplace(self, "clamp_max_", lambda old: old.clamp(max=max))

    def logsumexp(self, dim: Dims, keepdim: builtins.bool = False) -> Tensor:
        """log(sum(exp(self))) over dim, without overflow."""
        return reductions.log_sum_exp(self, dim, keepdim)

    # -- comparisons and logic, more: bool tensors outside the graph -----------------------------

    def ne(self, other: ArrayLike) -> Tensor:
        return self._compare(np.not_equal, other)

    def lt(self, other: ArrayLike) -> Tensor:
        return self._compare(np.less, other)

    def le(self, other: ArrayLike) -> Tensor:
        return self._compare(np.less_equal, other)

    def gt(self, other: ArrayLike) -> Tensor:
        return self._compare(np.greater, other)

    def ge(self, other: ArrayLike) -> Tensor:
        return self._compare(np.greater_equal, other)

    not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge

    def isclose(
        self,
        other: ArrayLike,
        rtol: builtins.float = 1e-05,
        atol: builtins.float = 1e-08,
        equal_nan: builtins.bool = False,
    ) -> Tensor:
        return comparisons.isclose(self, other, rtol, atol, equal_nan)

    def allclose(
        self,
        other: ArrayLike,
        rtol: builtins.float = 1e-05,
        atol: builtins.float = 1e-08,
        equal_nan: builtins.bool = False,
    ) -> builtins.bool:
        return comparisons.allclose(self, other, rtol, atol, equal_nan)

    def equal(self, other: Tensor) -> builtins.bool:
        return comparisons.equal(self, other)

    def isnan(self) -> Tensor:
        return Tensor._plain(np.isnan(self.data))

    def isinf(self) -> Tensor:
        return Tensor._plain(np.isinf(self.data))

    def isfinite(self) -> Tensor:
        return Tensor._plain(np.isfinite(self.data))

    def logical_not(self) -> Tensor:
        return Tensor._plain(np.logical_not(self.data))

    def logical_and(self, other: ArrayLike) -> Tensor:
        return self._compare(np.logical_and, other)

    def logical_or(self, other: ArrayLike) -> Tensor:
        return self._compare(np.logical_or, other)

    def logical_xor(self, other: ArrayLike) -> Tensor:
        return self._compare(np.logical_xor, other)

    def __xor__(self, other: ArrayLike) -> Tensor:
        return self._compare(
            np.logical_xor if self.dtype == dtypes.bool_ else np.bitwise_xor, other
        )

    # -- reductions, more ------------------------------------------------------------------------

    def prod(
        self, dim: builtins.int | None = None, keepdim: builtins.bool = False, *, dtype: Any = None
    ) -> Tensor:
        """The product over one dim (all by default); gradients stay right where an element is 0."""
        return reductions.product(self, dim, keepdim, dtype)

    def cumsum(self, dim: builtins.int, *, dtype: Any = None) -> Tensor:
        """Running sums along dim."""
        return reductions.scan(ops.CumSum, self, dim, dtype)

    def cumprod(self, dim: builtins.int, *, dtype: Any = None) -> Tensor:
        """Running products along dim."""
        return reductions.scan(ops.CumProd, self, dim, dtype)

    def norm(
        self, p: Any = "fro", dim: Dims = None, keepdim: builtins.bool = False, dtype: Any = None
    ) -> Tensor:
        """The p-norm over dim (all elements by default): 'fro' and 2 the Euclidean, 1, inf, ..."""
        return reductions.p_norm(self, p, dim, keepdim, dtype)

    def median(self, dim: builtins.int | None = None, keepdim: builtins.bool = False) -> Any:
        """median(): the lower median of all elements; median(dim): (values, indices)."""
        return sorting.median_values(self, dim, keepdim)

    def sort(
        self,
        dim: builtins.int = -1,
        descending: builtins.bool = False,
        *,
        stable: builtins.bool = False,
    ) -> return_types.sort:
        """(values, indices) in ascending (descending) order along dim; always stable."""
        return sorting.sort_values(self, dim, descending)

    def argsort(
        self,
        dim: builtins.int = -1,
        descending: builtins.bool = False,
        *,
        stable: builtins.bool = False,
    ) -> Tensor:
        return Tensor._plain(sorting.order(self.data, self._dim(dim), descending))

    def topk(
        self,
        k: builtins.int,
        dim: builtins.int = -1,
        largest: builtins.bool = True,
        sorted: builtins.bool = True,
    ) -> return_types.topk:
        """(values, indices) of the k largest (``largest=False``: smallest) along dim."""
        return sorting.topk_values(self, k, dim, largest)

    # -- products of vectors and matrices --------------------------------------------------------

    def mm(self, mat2: Tensor) -> Tensor:
        return linalg.mm(self, mat2)

    def bmm(self, mat2: Tensor) -> Tensor:
        return linalg.bmm(self, mat2)

    def mv(self, vec: Tensor) -> Tensor:
        return linalg.mv(self, vec)

    def dot(self, other: Tensor) -> Tensor:
        return linalg.dot(self, other)

    def outer(self, vec2: Tensor) -> Tensor:
        return linalg.outer(self, vec2)

    ger = outer

    # -- shape, more -----------------------------------------------------------------------------

    def ravel(self) -> Tensor:
        return self.reshape(-1)

    def unflatten(self, dim: builtins.int, sizes: Sequence[builtins.int]) -> Tensor:
        return shapes.unflatten(self, dim, sizes)

    def swapaxes(self, axis0: builtins.int, axis1: builtins.int) -> Tensor:
        return self.transpose(axis0, axis1)

    def swapdims(self, dim0: builtins.int, dim1: builtins.int) -> Tensor:
        return self.transpose(dim0, dim1)

    def movedim(self, source: Any, destination: Any) -> Tensor:
        return shapes.movedim(self, source, destination)

    moveaxis = movedim

    def repeat(self, *sizes: Any) -> Tensor:
        """The whole tensor tiled: dim i repeated sizes[i] times."""
        return shapes.repeat(self, arguments.size_arg(sizes, "repeat"))

    def tile(self, *dims: Any) -> Tensor:
        return shapes.tile(self, arguments.size_arg(dims, "tile"))

    def repeat_interleave(
        self, repeats: Any, dim: builtins.int | None = None, *, output_size: Any = None
    ) -> Tensor:
        """Each element (or slice along dim) repeated in place: [1, 2] -> [1, 1, 2, 2]."""
        return shapes.repeat_interleave(self, repeats, dim)

    def flip(self, *dims: Any) -> Tensor:
        return shapes.flip(self, dims[0] if len(dims) == 1 else dims)

    def fliplr(self) -> Tensor:
        return shapes.fliplr(self)

    def flipud(self) -> Tensor:
        return shapes.flipud(self)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        return shapes.roll(self, shifts, dims)

    def tril(self, diagonal: builtins.int = 0) -> Tensor:
        return shapes.tril(self, diagonal)

    def triu(self, diagonal: builtins.int = 0) -> Tensor:
        return shapes.triu(self, diagonal)

    def diag(self, diagonal: builtins.int = 0) -> Tensor:
        return shapes.diag(self, diagonal)

    def diagonal(
        self, offset: builtins.int = 0, dim1: builtins.int = 0, dim2: builtins.int = 1
    ) -> Tensor:
        return shapes.diagonal(self, offset, dim1, dim2)

    def narrow(self, dim: builtins.int, start: Any, length: builtins.int) -> Tensor:
        return shapes.narrow(self, dim, start, length)

    def select(self, dim: builtins.int, index: builtins.int) -> Tensor:
        return shapes.select(self, dim, index)

    def split(self, split_size: Any, dim: builtins.int = 0) -> tuple[Tensor, ...]:
        return joining.split(self, split_size, dim)

    def chunk(self, chunks: builtins.int, dim: builtins.int = 0) -> tuple[Tensor, ...]:
        return joining.chunk(self, chunks, dim)

    def unbind(self, dim: builtins.int = 0) -> tuple[Tensor, ...]:
        return joining.unbind(self, dim)

    # -- indexing, more --------------------------------------------------------------------------

    def index_select(self, dim: builtins.int, index: ArrayLike) -> Tensor:
        return indexing.index_select(self, dim, index)

    def masked_fill(self, mask: ArrayLike, value: Any) -> Tensor:
        return indexing.masked_fill(self, mask, value)

    def masked_select(self, mask: ArrayLike) -> Tensor:
        return indexing.masked_select(self, mask)

    def scatter(
        self,
        dim: builtins.int,
        index: ArrayLike,
        src: Any = None,
        *,
        value: Any = None,
        reduce: Any = None,
    ) -> Tensor:
        return indexing.scatter(self, dim, index, src, value=value, reduce=reduce)

    def scatter_add(self, dim: builtins.int, index: ArrayLike, src: Tensor) -> Tensor:
        return indexing.scatter_add(self, dim, index, src)

    def masked_fill_(self, mask: ArrayLike, value: Any) -> Tensor:
        return inplace.apply_inplace(self, "masked_fill_", lambda old: old.masked_fill(mask, value))

    def scatter_(
        self,
        dim: builtins.int,
        index: ArrayLike,
        src: Any = None,
        *,
        value: Any = None,
        reduce: Any = None,
    ) -> Tensor:
        return inplace.apply_inplace(
            self, "scatter_", lambda old: old.scatter(dim, index, src, value=value, reduce=reduce)
        )

    def scatter_add_(self, dim: builtins.int, index: ArrayLike, src: Tensor) -> Tensor:
        return inplace.apply_inplace(
            self, "scatter_add_", lambda old: old.scatter_add(dim, index, src)
        )

    def nonzero(self, *, as_tuple: builtins.bool = False) -> Any:
        return indexing.nonzero(self, as_tuple=as_tuple)

    def unique(
        self,
        sorted: builtins.bool = True,
        return_inverse: builtins.bool = False,
        return_counts: builtins.bool = False,
        dim: builtins.int | None = None,
    ) -> Any:
        return indexing.unique(self, sorted, return_inverse, return_counts, dim)

    # -- dtypes, more (kept last: the names int, bool and type would shadow the builtins in the
    # annotations of any method below them) ----------------------------------------------------

    def half(self) -> Tensor:
        return self.to(dtypes.float16)

    def int(self) -> Tensor:
        return self.to(dtypes.int32)

    def short(self) -> Tensor:
        return self.to(dtypes.int16)

    def char(self) -> Tensor:
        return self.to(dtypes.int8)

    def byte(self) -> Tensor:
        return self.to(dtypes.uint8)

    def bool(self) -> Tensor:
        return self.to(dtypes.bool_)

    def type(self, dtype: Any = None, non_blocking: builtins.bool = False) -> Any:
        """type(): the type's name, as 'torch.FloatTensor'; type(dtype): ``to(dtype)`` (a dtype,
        or such a name)."""
        if dtype is None:
            return dtypes.tensor_type_name(self.dtype)
        return self.to(dtypes.from_tensor_type_name(dtype))


class RemovableHandle:
    """What register_hook returns: ``remove()`` takes the hook away again."""

    def __init__(self, hooks: dict[int, Any], key: int) -> None:
        self.hooks, self.key = hooks, key

    def remove(self) -> None:
        self.hooks.pop(self.key, None)


def _promoted(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """x and y cast (recorded, so gradients flow back in each one's dtype) to the dtype PyTorch
    gives ``x <op> y``: see dtypes.result_type."""
    target = dtypes.result_type(x.data, y.data)
    return x.to(target), y.to(target)


variable.set_tensor_class(Tensor)  # the autograd core makes every op result of this class


# The functions that hold the longer method bodies above. (Imported last: they import Tensor.)
from tinygrad_edu.functions import (  # noqa: E402
    comparisons,
    indexing,
    joining,
    linalg,
    pointwise,
    reductions,
    shapes,
    sorting,
)
