"""Tensor: an ndarray, the gradient that flows back to it, and the node that made it.

Every differentiable method is a thin call into ``tinygrad_edu.ops``; the maths lives there, one
op per class with its forward and backward side by side.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple, Union

import numpy as np

from tinygrad_edu import dtypes, ops
from tinygrad_edu.autograd import engine, grad_mode, inplace
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.random import default_generator

Scalar = Union[int, float, bool]  # noqa: UP007
ArrayLike = Union["Tensor", np.ndarray, Scalar, Sequence[Any]]
Shape = Union[int, Sequence[int]]  # noqa: UP007


def _shape_arg(shape: tuple[Any, ...]) -> tuple[int, ...]:
    """zeros(2, 3) and zeros((2, 3)) mean the same, as in PyTorch."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(n) for n in shape)


def _dims_arg(dim: int | Sequence[int] | None, ndim: int) -> tuple[int, ...] | None:
    """Normalise a dim argument to a sorted tuple of non-negative dims (None: all of them)."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    out = []
    for d in dims:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"dim {d} is out of range for a tensor with {ndim} dims")
        out.append(int(d) % max(ndim, 1))
    return tuple(sorted(set(out))) if ndim > 0 else ()


def _index_arg(index: Any) -> tuple[Any, ...]:
    """Make an index NumPy-ready: a tuple, with Tensors and lists as arrays, masks as positions."""
    if not isinstance(index, tuple):
        index = (index,)
    out: list[Any] = []
    for i in index:
        if isinstance(i, Tensor):
            i = i.data
        elif isinstance(i, list):
            i = np.asarray(i)
        if isinstance(i, np.ndarray):
            if i.dtype == np.bool_ and i.ndim > 0:
                out.extend(i.nonzero())  # a mask picks the positions where it is True
                continue
            if i.dtype.kind not in "iub":
                raise IndexError(f"tensors used as indices must be integer or bool, got {i.dtype}")
        out.append(i)
    return tuple(out)


def _ints_first(index: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
    """Split an index mixing Python ints and index arrays into (ints and slices, arrays)."""
    is_int = [isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in index]
    if not any(is_int) or not any(isinstance(i, np.ndarray) for i in index):
        return None
    first = tuple(slice(None) if isinstance(i, np.ndarray) else i for i in index)
    rest = tuple(
        i if isinstance(i, np.ndarray) or i is Ellipsis else slice(None)
        for i, integer in zip(index, is_int)
        if not integer
    )
    return first, rest


def _float_dtype(dtype: Any) -> np.dtype:
    """A factory's dtype: float32 unless told otherwise."""
    return dtypes.default_float if dtype is None else dtypes.as_dtype(dtype)


class MaxResult(NamedTuple):
    """What max(dim)/min(dim) return, like torch.return_types.max."""

    values: Tensor
    indices: Tensor


class Tensor:
    """An n-dimensional array that can record how it was computed and backpropagate through it."""

    __slots__ = (
        "__weakref__",
        "_hooks",
        "_retains_grad",
        "_vc",
        "data",
        "grad",
        "grad_fn",
        "requires_grad",
    )
    __array_priority__ = 1000  # ndarray <op> Tensor defers to Tensor's reflected operator

    def __init__(self, data: ArrayLike, requires_grad: bool = False, dtype: Any = None) -> None:
        if isinstance(data, Tensor):
            data = data.data
        if isinstance(data, (np.ndarray, np.generic)):
            # An ndarray keeps its dtype (float64 stays float64, as torch.from_numpy); it is copied,
            # as torch.tensor copies, so changing the array later does not change the tensor.
            array = np.array(data, dtype=None if dtype is None else dtypes.as_dtype(dtype))
        else:
            array = np.array(data, dtype=dtypes.as_dtype(float if dtype is None else dtype))
        self.data: np.ndarray = array
        self.grad: Tensor | None = None
        self.grad_fn: Function | None = None
        self.requires_grad = False
        self._hooks: dict[int, Any] | None = None
        self._retains_grad = False
        self._vc: list[Any] | None = None  # the version counter, made on first use (see _version)
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, data: np.ndarray, requires_grad: bool, grad_fn: Function | None) -> Tensor:
        """Build a tensor around an array an op just made: no copy, no checks (the hot path)."""
        t = object.__new__(Tensor)
        t.data = data
        t.grad = None
        t.grad_fn = grad_fn
        t.requires_grad = requires_grad
        t._hooks = None
        t._retains_grad = False
        t._vc = None
        return t

    # -- what a tensor is ------------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

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
    def T(self) -> Tensor:
        """All dims reversed (a matrix transpose for 2-D)."""
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> Tensor:
        """The last two dims swapped: a batch of matrices transposed."""
        return self.transpose(-2, -1)

    def size(self, dim: int | None = None) -> Any:
        return self.shape if dim is None else self.shape[dim]

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
        if self.data.dtype not in (dtypes.float32, dtypes.int64, dtypes.bool_):
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
            raise ValueError(
                f"item(): only a one-element tensor becomes a number, got shape {self.shape}"
            )
        return self.data.item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def __float__(self) -> builtins.float:
        return builtins.float(self.item())

    def __int__(self) -> builtins.int:
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
        out = Tensor._wrap(self.data, False, None)
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

    def register_hook(self, hook: Any) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a return value replaces it.

        Returns a handle whose ``remove()`` unregisters the hook.
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that does not require grad")
        if self._hooks is None:
            self._hooks = {}
        key = id(hook) ^ len(self._hooks) << 48
        while key in self._hooks:
            key += 1
        self._hooks[key] = hook
        return _RemovableHandle(self._hooks, key)

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
            grad = Tensor._wrap(np.ones_like(self.data), False, None)
        else:
            grad = gradient if isinstance(gradient, Tensor) else Tensor(gradient, dtype=self.dtype)
            if grad.shape != self.shape:
                raise RuntimeError(
                    f"backward(): gradient has shape {grad.shape} but the tensor has shape {self.shape}"
                )
        keep = create_graph if retain_graph is None else retain_graph
        engine.run_backward([self], [grad], retain_graph=keep, create_graph=create_graph)

    # -- in place (the rules and how they work: autograd/inplace.py) -------------------------

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

    def fill_(self, value: Scalar, *, _name: str = "fill_") -> Tensor:
        if grad_mode._enabled and self.requires_grad and self.grad_fn is not None:
            fill = self._operand(value)  # in a graph: recorded, gradients stop here
            return inplace.apply_inplace(
                self, _name, lambda old: inplace.Overwrite.apply(old, fill)
            )
        inplace.check_leaf(self, _name)
        if self.data.base is None and self.data.flags.writeable:
            self.data[...] = value
        else:  # a view of another tensor's array: take a new one instead (see autograd/inplace.py)
            self.data = np.full(self.shape, value, dtype=self.dtype)
        self._bump_version(_name)
        return self

    def copy_(self, src: ArrayLike) -> Tensor:
        """Copy src's values (broadcast to this shape) into this tensor; gradients flow to src."""
        source = self._operand(src)
        return inplace.apply_inplace(
            self, "copy_", lambda old: inplace.Overwrite.apply(old, source)
        )

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
        idx = _index_arg(index)
        v = self._operand(value)
        inplace.apply_inplace(self, "setitem", lambda old: inplace.SetItem.apply(old, v, idx))

    # -- factories -------------------------------------------------------------------------------

    @staticmethod
    def zeros(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return Tensor._factory(np.zeros(_shape_arg(shape), _float_dtype(dtype)), requires_grad)

    @staticmethod
    def ones(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return Tensor._factory(np.ones(_shape_arg(shape), _float_dtype(dtype)), requires_grad)

    @staticmethod
    def full(
        shape: Shape, fill_value: Scalar, dtype: Any = None, requires_grad: bool = False
    ) -> Tensor:
        size = _shape_arg((shape,)) if not isinstance(shape, int) else (shape,)
        return Tensor._factory(np.full(size, fill_value, _float_dtype(dtype)), requires_grad)

    @staticmethod
    def randn(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """Standard normal samples from the generator that manual_seed seeds."""
        dt = _float_dtype(dtype)
        data = default_generator().standard_normal(_shape_arg(shape), dtype=dt)
        return Tensor._factory(data, requires_grad)

    @staticmethod
    def rand(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """Uniform samples in [0, 1) from the generator that manual_seed seeds."""
        dt = _float_dtype(dtype)
        data = default_generator().random(_shape_arg(shape), dtype=dt)
        return Tensor._factory(data, requires_grad)

    @staticmethod
    def arange(
        start: Scalar,
        end: Scalar | None = None,
        step: Scalar = 1,
        dtype: Any = None,
        requires_grad: bool = False,
    ) -> Tensor:
        """Like torch.arange: int64 when every bound is an int, float32 otherwise."""
        if end is None:
            start, end = 0, start
        if dtype is None:
            whole = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
            dtype = dtypes.int64 if whole else dtypes.default_float
        return Tensor._factory(
            np.arange(start, end, step, dtype=dtypes.as_dtype(dtype)), requires_grad
        )

    @staticmethod
    def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return Tensor._factory(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)

    @staticmethod
    def _factory(data: np.ndarray, requires_grad: bool) -> Tensor:
        t = Tensor._wrap(data, False, None)
        return t.requires_grad_(True) if requires_grad else t

    def new_zeros(self, *shape: Any) -> Tensor:
        """Zeros with this tensor's dtype."""
        return Tensor._wrap(np.zeros(_shape_arg(shape), self.dtype), False, None)

    def new_ones(self, *shape: Any) -> Tensor:
        return Tensor._wrap(np.ones(_shape_arg(shape), self.dtype), False, None)

    # -- arithmetic ------------------------------------------------------------------------------

    def _operand(self, other: ArrayLike) -> Tensor:
        """Make the other side of a binary op a Tensor without silently widening the dtype.

        A Python number takes this tensor's dtype when that is floating (x32 * 2.0 stays float32),
        and float32 when this tensor holds integers but the number is a float (as PyTorch).
        """
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (builtins.int, builtins.float, builtins.bool)):
            mine = self.data.dtype
            if dtypes.is_floating(mine) or not isinstance(other, builtins.float):
                return Tensor._wrap(np.asarray(other, dtype=mine), False, None)
            return Tensor._wrap(np.asarray(other, dtype=dtypes.default_float), False, None)
        return Tensor(other)

    def _binary(self, op: type[Function], other: ArrayLike, reflected: bool = False) -> Tensor:
        y = other if type(other) is Tensor else self._operand(other)
        x, y = (y, self) if reflected else (self, y)
        try:
            return op.apply(x, y)
        except ValueError as e:
            if x.shape != y.shape and "broadcast" in str(e):
                raise ValueError(
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
        return ops.MatMul.apply(self, self._operand(other))

    def __rmatmul__(self, other: ArrayLike) -> Tensor:
        return ops.MatMul.apply(self._operand(other), self)

    def __pow__(self, exponent: ArrayLike) -> Tensor:
        if isinstance(exponent, (builtins.int, builtins.float)) and not isinstance(
            exponent, builtins.bool
        ):
            return ops.PowScalar.apply(self, exponent)
        return self._binary(ops.Pow, exponent)

    def __rpow__(self, base: ArrayLike) -> Tensor:
        return self._binary(ops.Pow, base, reflected=True)

    def __neg__(self) -> Tensor:
        return ops.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def add(self, other: ArrayLike) -> Tensor:
        return self + other

    def sub(self, other: ArrayLike) -> Tensor:
        return self - other

    def mul(self, other: ArrayLike) -> Tensor:
        return self * other

    def div(self, other: ArrayLike) -> Tensor:
        return self / other

    def pow(self, exponent: ArrayLike) -> Tensor:
        return self**exponent

    def matmul(self, other: ArrayLike) -> Tensor:
        return self @ other

    def neg(self) -> Tensor:
        return -self

    def _float(self) -> Tensor:
        """Integer division gives floats, as in PyTorch."""
        return self if dtypes.is_floating(self.dtype) else self.to(dtypes.default_float)

    # -- comparisons: results are bool tensors outside the graph ---------------------------------

    def _compare(self, fn: Any, other: ArrayLike) -> Tensor:
        y = other.data if isinstance(other, Tensor) else other
        return Tensor._wrap(np.asarray(fn(self.data, y)), False, None)

    def __eq__(self, other: object) -> Tensor:  # type: ignore[override]
        return self._compare(np.equal, other)  # type: ignore[arg-type]

    def __ne__(self, other: object) -> Tensor:  # type: ignore[override]
        return self._compare(np.not_equal, other)  # type: ignore[arg-type]

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
        """-1, 0 or 1 (no gradient: it is zero almost everywhere)."""
        return Tensor._wrap(np.sign(self.data), False, None)

    def __invert__(self) -> Tensor:
        return Tensor._wrap(
            np.logical_not(self.data) if self.dtype == dtypes.bool_ else ~self.data, False, None
        )

    def __and__(self, other: ArrayLike) -> Tensor:
        return self._compare(np.logical_and, other)

    def __or__(self, other: ArrayLike) -> Tensor:
        return self._compare(np.logical_or, other)

    def any(self) -> Tensor:
        return Tensor._wrap(np.asarray(self.data.any()), False, None)

    def all(self) -> Tensor:
        return Tensor._wrap(np.asarray(self.data.all()), False, None)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return Tensor._wrap(
            np.asarray(np.argmax(self.data, axis=dim, keepdims=keepdim)), False, None
        )

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return Tensor._wrap(
            np.asarray(np.argmin(self.data, axis=dim, keepdims=keepdim)), False, None
        )

    # -- elementwise functions -------------------------------------------------------------------

    def exp(self) -> Tensor:
        return ops.Exp.apply(self)

    def log(self) -> Tensor:
        return ops.Log.apply(self)

    def sqrt(self) -> Tensor:
        return ops.Sqrt.apply(self)

    def abs(self) -> Tensor:
        return ops.Abs.apply(self)

    def relu(self) -> Tensor:
        return ops.ReLU.apply(self)

    def sigmoid(self) -> Tensor:
        return ops.Sigmoid.apply(self)

    def tanh(self) -> Tensor:
        return ops.Tanh.apply(self)

    def clamp(self, min: Scalar | None = None, max: Scalar | None = None) -> Tensor:
        if min is None and max is None:
            raise ValueError("clamp: at least one of min and max must be given")
        return ops.Clamp.apply(self, min, max)

    clip = clamp

    def maximum(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Maximum, other)

    def minimum(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Minimum, other)

    def where(self, condition: ArrayLike, other: ArrayLike) -> Tensor:
        """self where condition holds, other elsewhere (torch.Tensor.where)."""
        return where(condition, self, other)

    def softmax(self, dim: int) -> Tensor:
        return ops.Softmax.apply(self, self._dim(dim))

    def log_softmax(self, dim: int) -> Tensor:
        return ops.LogSoftmax.apply(self, self._dim(dim))

    def to(self, dtype: Any) -> Tensor:
        dt = dtypes.as_dtype(dtype)
        if dt == self.dtype:
            return self
        if self.requires_grad and not dtypes.is_floating(dt):
            return Tensor._wrap(self.data.astype(dt), False, None)  # integers carry no gradient
        return ops.Cast.apply(self, dt)

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
        dims = _dims_arg(dim, self.ndim)
        return dims[0] if dims else 0

    def sum(
        self,
        dim: int | Sequence[int] | None = None,
        keepdim: bool = False,
        *,
        axis: int | Sequence[int] | None = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        """Sum over dims (all by default). ``axis``/``keepdims`` are NumPy-style aliases, as torch
        accepts, so backward formulas can call ``.sum`` alike on Tensors and ndarrays."""
        dims = _dims_arg(dim if axis is None else axis, self.ndim)
        return ops.Sum.apply(self, dims, keepdim if keepdims is None else keepdims)

    def mean(self, dim: int | Sequence[int] | None = None, keepdim: bool = False) -> Tensor:
        dims = _dims_arg(dim, self.ndim)
        count = self.data.size if dims is None else int(np.prod([self.shape[d] for d in dims]))
        return self._float().sum(dims, keepdim) / builtins.float(count)

    def var(
        self,
        dim: int | Sequence[int] | None = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: int = 1,
    ) -> Tensor:
        """Variance with Bessel's correction by default (correction=1), as torch.var.

        As in torch, the second positional argument is ``unbiased``: pass ``keepdim=`` by name.
        """
        if unbiased is not None:
            correction = 1 if unbiased else 0
        dims = _dims_arg(dim, self.ndim)
        count = self.data.size if dims is None else int(np.prod([self.shape[d] for d in dims]))
        centred = self - self.mean(dims, keepdim=True)
        return (centred * centred).sum(dims, keepdim) / builtins.float(
            builtins.max(count - correction, 0)
        )

    def std(
        self,
        dim: int | Sequence[int] | None = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: int = 1,
    ) -> Tensor:
        return self.var(dim, unbiased, keepdim=keepdim, correction=correction).sqrt()

    def amax(self, dim: int | Sequence[int] | None = None, keepdim: bool = False) -> Tensor:
        """Max over dims; tied elements share the gradient equally."""
        self._check_nonempty("amax")
        return ops.Amax.apply(self, _dims_arg(dim, self.ndim), keepdim)

    def amin(self, dim: int | Sequence[int] | None = None, keepdim: bool = False) -> Tensor:
        """Min over dims; tied elements share the gradient equally."""
        self._check_nonempty("amin")
        return ops.Amin.apply(self, _dims_arg(dim, self.ndim), keepdim)

    def max(self, dim: int | None = None, keepdim: bool = False) -> Any:
        """Like torch.max: without dim, the max (ties share the gradient); with dim, (values, indices)
        where the gradient goes to the first index that holds the max."""
        if dim is None:
            return self.amax()
        return self._pick_along(self.argmax(dim, keepdim=True), dim, keepdim)

    def min(self, dim: int | None = None, keepdim: bool = False) -> Any:
        """Like torch.min; see max."""
        if dim is None:
            return self.amin()
        return self._pick_along(self.argmin(dim, keepdim=True), dim, keepdim)

    def _pick_along(self, index: Tensor, dim: int, keepdim: bool) -> MaxResult:
        d = self._dim(dim)
        values = self.gather(d, index)
        if not keepdim:
            values, index = values.squeeze(d), index.squeeze(d)
        return MaxResult(values, index)

    def _check_nonempty(self, name: str) -> None:
        if self.data.size == 0:
            raise RuntimeError(f"{name}(): the tensor of shape {self.shape} is empty")

    def gather(self, dim: int, index: ArrayLike) -> Tensor:
        """out[i][j] = self[index[i][j]][j] for dim=0, and so on (torch.gather)."""
        idx = index.data if isinstance(index, Tensor) else np.asarray(index)
        d = self._dim(dim)
        if idx.ndim != self.ndim:
            raise ValueError(f"gather: index has {idx.ndim} dims but the tensor has {self.ndim}")
        # Turn take_along_axis into one advanced index so indexing's backward (which adds up
        # repeated positions) serves gather too.
        grids = np.ix_(*[np.arange(n) for n in idx.shape]) if idx.ndim else ()
        full = tuple(idx if i == d else g for i, g in enumerate(grids))
        return self[full]

    # -- shape -----------------------------------------------------------------------------------

    def reshape(self, *shape: Any) -> Tensor:
        size = _shape_arg(shape)
        if size == self.shape:
            return self
        return ops.Reshape.apply(self, size)

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        if self.ndim == 0:
            return self.reshape(1)
        s, e = self._dim(start_dim), self._dim(end_dim)
        return self.reshape(*self.shape[:s], -1, *self.shape[e + 1 :])

    def permute(self, *dims: Any) -> Tensor:
        order = _shape_arg(dims)
        if sorted(d % builtins.max(self.ndim, 1) for d in order) != list(range(self.ndim)):
            raise ValueError(
                f"permute: {order} is not an order of the {self.ndim} dims of {self.shape}"
            )
        order = tuple(d % self.ndim for d in order)
        if order == tuple(range(self.ndim)):
            return self
        return ops.Permute.apply(self, order)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        order = list(range(self.ndim))
        a, b = self._dim(dim0), self._dim(dim1)
        order[a], order[b] = order[b], order[a]
        return self.permute(*order)

    def t(self) -> Tensor:
        if self.ndim > 2:
            raise ValueError(f"t() expects a tensor with <= 2 dims, got shape {self.shape}")
        return self.T

    def unsqueeze(self, dim: int) -> Tensor:
        d = dim if dim >= 0 else dim + self.ndim + 1
        if not 0 <= d <= self.ndim:
            raise IndexError(f"unsqueeze: dim {dim} is out of range for shape {self.shape}")
        return self.reshape(*self.shape[:d], 1, *self.shape[d:])

    def squeeze(self, dim: int | Sequence[int] | None = None) -> Tensor:
        dims = _dims_arg(dim, self.ndim)
        drop = [i for i, n in enumerate(self.shape) if n == 1 and (dims is None or i in dims)]
        return self.reshape(*[n for i, n in enumerate(self.shape) if i not in drop])

    def expand(self, *shape: Any) -> Tensor:
        size = list(_shape_arg(shape))
        lead = len(size) - self.ndim
        if lead < 0:
            raise ValueError(f"expand: cannot expand shape {self.shape} to {tuple(size)}")
        for i, n in enumerate(size):
            if n == -1:
                size[i] = self.shape[i - lead]
        target = tuple(size)
        if target == self.shape:
            return self
        return ops.Expand.apply(self, target)

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other.shape)

    def __getitem__(self, index: Any) -> Tensor:
        if type(index) is int or type(index) is slice:  # x[t], x[a:b]: nothing to convert
            return ops.GetItem.apply(self, (index,))
        idx = _index_arg(index)
        split = _ints_first(idx)
        if split is not None:
            # PyTorch applies integer indices first (as selects), then the index arrays; NumPy
            # would treat the ints as arrays too and, when a slice separates them from the
            # arrays, move the indexed dims to the front. Two steps give PyTorch's layout.
            return ops.GetItem.apply(ops.GetItem.apply(self, split[0]), split[1])
        return ops.GetItem.apply(self, idx)

    # -- joining ---------------------------------------------------------------------------------

    @staticmethod
    def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
        if not tensors:
            raise ValueError("cat: expected a non-empty sequence of tensors")
        first = tensors[0]
        return ops.Cat.apply(*tensors, first._dim(dim))

    @staticmethod
    def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
        if not tensors:
            raise ValueError("stack: expected a non-empty sequence of tensors")
        shapes = {t.shape for t in tensors}
        if len(shapes) > 1:
            raise ValueError(
                f"stack: all tensors must have the same shape, got {[t.shape for t in tensors]}"
            )
        d = dim if dim >= 0 else dim + tensors[0].ndim + 1
        return Tensor.cat([t.unsqueeze(d) for t in tensors], dim=d)


class _RemovableHandle:
    """What register_hook returns: ``remove()`` takes the hook away again."""

    def __init__(self, hooks: dict[int, Any], key: int) -> None:
        self.hooks, self.key = hooks, key

    def remove(self) -> None:
        self.hooks.pop(self.key, None)


# -- module-level functions, as in torch ------------------------------------------------------------


def where(condition: ArrayLike, x: ArrayLike, y: ArrayLike) -> Tensor:
    """x where condition holds, y elsewhere; gradients flow to x and y, never to the condition."""
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        cond = cond.astype(bool)
    xt = x if isinstance(x, Tensor) else None
    yt = y if isinstance(y, Tensor) else None
    like = xt if xt is not None else yt
    if like is None:
        raise TypeError("where: at least one of x and y must be a Tensor")
    xt = xt if xt is not None else like._operand(x)
    yt = yt if yt is not None else like._operand(y)
    try:
        np.broadcast_shapes(cond.shape, xt.shape, yt.shape)
    except ValueError:
        raise ValueError(
            f"where: condition {cond.shape}, x {xt.shape} and y {yt.shape} cannot be broadcast together"
        ) from None
    return ops.Where.apply(xt, yt, cond)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    dt = t.dtype if dtype is None else dtype
    return Tensor.zeros(t.shape, dtype=dt, requires_grad=requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    dt = t.dtype if dtype is None else dtype
    return Tensor.ones(t.shape, dtype=dt, requires_grad=requires_grad)


def full_like(
    t: Tensor, fill_value: Scalar, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    dt = t.dtype if dtype is None else dtype
    return Tensor.full(t.shape, fill_value, dtype=dt, requires_grad=requires_grad)


def randn_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    dt = t.dtype if dtype is None else dtype
    return Tensor.randn(t.shape, dtype=dt, requires_grad=requires_grad)


def rand_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    dt = t.dtype if dtype is None else dtype
    return Tensor.rand(t.shape, dtype=dt, requires_grad=requires_grad)
