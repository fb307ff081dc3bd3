"""TensorCore, the first of the classes that make up Tensor: how a tensor is made, what it is
(its array, shape, dtype, gradient and node), how it leaves the graph, how backward starts from
it, and conversions between dtypes. (The chain of classes: see tinygrad_edu/_tensor.py.)
"""

# mypy: disable-error-code="arg-type, return-value"
# (At run time self is always a Tensor, the last class of the chain and the only one ever made; to
# mypy it is an instance of this class, so it would refuse each place that passes self on, or
# returns it, as a Tensor. Those two checks are off in this module and on everywhere else; self's
# attributes and methods are checked, against this class and the ones below it.)

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from tinygrad_edu import arguments, dtypes, ops
from tinygrad_edu.autograd import engine, variable
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.device import CPU, check_device, device, device_and_dtype
from tinygrad_edu.size import SIZES, Size

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor

Scalar = Union[int, float, bool]  # noqa: UP007
ArrayLike = Union["Tensor", np.ndarray, Scalar, Sequence[Any]]
Dims = Union[int, Sequence[int], None]  # noqa: UP007


class TensorCore:
    """What every tensor is and does before any maths: the slots, construction, the autograd
    state, leaving the graph and changing dtype. Only ever instantiated as a Tensor."""

    __slots__ = (
        *("__weakref__", "_grad", "_hooks", "_retains_grad", "_vc", "_view", "_views"),
        *("data", "grad_fn", "requires_grad"),
    )

    def __init__(self, *data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        """Like ``torch.Tensor(data)``: Python numbers and lists become the default float dtype;
        an ndarray keeps its dtype (as ``torch.from_numpy``). The data is always copied.
        ``tinygrad_edu.tensor(data)`` infers integer and bool dtypes instead, as torch.tensor.

        Sizes make a tensor of that shape, as PyTorch's legacy constructor (``Tensor(3, 4)``,
        ``Tensor(5)``, ``Tensor(x.shape)``; zeros, where PyTorch leaves it uninitialised), and
        ``Tensor()`` is empty: custom layers write ``Parameter(torch.Tensor(out, in))``."""
        shape = arguments.legacy_sizes(data)
        if shape is not None:
            value: Any = np.zeros(shape, dtypes.get_default_dtype() if dtype is None else dtype)
        else:
            value = data[0]
        if not isinstance(value, (np.ndarray, np.generic, TensorCore)) and dtype is None:
            dtype = dtypes.get_default_dtype()
        array = arguments.to_array(value, dtype, "Tensor")
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
        t = object.__new__(cls)
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
        return variable.tensor_class._wrap(data, False, None)

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
            if not isinstance(value, TensorCore):
                raise TypeError(
                    f"assigned grad must be a Tensor or None, got {type(value).__name__}"
                )
            if value.shape != self.shape or value.dtype != self.dtype:
                raise RuntimeError(
                    f"assigned grad has shape {value.shape} and dtype {value.dtype}, but the "
                    f"tensor has shape {self.shape} and dtype {self.dtype}"
                )
        self._grad = value

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

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"``: a 0-d tensor formats as its number (``f"{loss}"`` too), as
        PyTorch's; another tensor formats as str() does, and takes no spec."""
        if self.data.ndim == 0:
            return format(self.data.item(), spec)
        if not spec:
            return str(self)
        raise TypeError(
            f"unsupported format string {spec!r} for a tensor of shape {self.data.shape}: only "
            "a 0-d tensor formats as a number (use .item(), or index one element)"
        )

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

    def _dim(self, dim: int) -> int:
        return arguments.dim_arg(dim, self.ndim)

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

    @property
    def device(self) -> device:
        return CPU

    is_cuda = False

    def cpu(self) -> Tensor:
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        check_device("cuda")  # raises: there is no GPU here
        return self

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
        out = TensorCore._plain(self.data)
        if self._vc is None:
            self._vc = [0, ""]
        out._vc = self._vc
        return out

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self.requires_grad = False
        return self

    # -- autograd --------------------------------------------------------------------------------

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
            grad = TensorCore._plain(np.ones_like(self.data))
        else:
            grad = (
                gradient
                if isinstance(gradient, TensorCore)
                else variable.tensor_class(np.asarray(gradient), dtype=self.dtype)
            )
            if grad.shape != self.shape:
                raise RuntimeError(
                    f"backward(): gradient has shape {grad.shape} but the tensor has shape {self.shape}"
                )
        keep = create_graph if retain_graph is None else retain_graph
        engine.run_backward([self], [grad], retain_graph=keep, create_graph=create_graph)

    # -- dtypes ----------------------------------------------------------------------------------

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``to(dtype)``, ``to('cpu')``, ``to(device, dtype)``, ``to(other)``: this tensor in
        another dtype (recorded, so gradients flow back in this dtype); itself if nothing changes."""
        dt = device_and_dtype("to", args, kwargs)
        if dt is None or dt == self.dtype:
            return self
        if self.requires_grad and not dtypes.is_floating(dt):
            return TensorCore._plain(self.data.astype(dt))  # integers carry no gradient
        return ops.Cast.apply(self, dt)

    def float(self) -> Tensor:
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        return self.to(dtypes.float64)

    def long(self) -> Tensor:
        return self.to(dtypes.int64)

    def clone(self) -> Tensor:
        return ops.Clone.apply(self)

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
