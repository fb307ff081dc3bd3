"""What a PyTorch checkpoint's pickle may name, and the stand-ins that rebuild tensors from it.

``torch.save`` pickles a tensor as a call ``torch._utils._rebuild_tensor_v2(storage, offset,
size, stride, requires_grad, hooks)``, where ``storage`` is a reference (a persistent id) to a
flat array of elements stored as its own record in the zip. Loading a tensor is then: read the
storage's bytes once, view them with the tensor's offset, size and stride (in elements, as
``np.lib.stride_tricks.as_strided`` does in bytes), and copy that view out. So a transposed or
sliced tensor, or two tensors sharing one storage, load with exactly their values.

The names below are the whole allow-list of the unpickler; each stand-in checks its arguments,
since they come from the file.
"""

from __future__ import annotations

import math
from collections import Counter, OrderedDict
from dataclasses import dataclass
from pickle import UnpicklingError
from typing import Any

import numpy as np

from tinygrad_edu._tensor import Tensor
from tinygrad_edu.nn.parameter import Parameter
from tinygrad_edu.serialization.safetensors_io import bfloat16_to_float32


@dataclass(frozen=True)
class Element:
    """A PyTorch dtype as stored: its name and how its bytes read (little-endian). bfloat16 has
    no NumPy dtype: its bytes read as uint16 bit patterns and load as float32, exactly."""

    name: str
    raw: np.dtype

    @property
    def dtype(self) -> np.dtype:
        """The dtype of the loaded tensor."""
        return np.dtype(np.float32) if self.name == "bfloat16" else self.raw.newbyteorder("=")


ELEMENTS = {
    name: Element(name, np.dtype(code))
    for name, code in [
        ("float32", "<f4"),
        ("float64", "<f8"),
        ("float16", "<f2"),
        ("bfloat16", "<u2"),
        ("int64", "<i8"),
        ("int32", "<i4"),
        ("int16", "<i2"),
        ("int8", "<i1"),
        ("uint8", "<u1"),
        ("bool", "?"),
        ("complex64", "<c8"),
        ("complex128", "<c16"),
        ("uint16", "<u2"),
        ("uint32", "<u4"),
        ("uint64", "<u8"),
    ]
}
# The legacy typed storage classes a pickle names; dtypes without one (uint16/32/64) are saved
# as a torch.UntypedStorage of bytes plus the dtype (_rebuild_tensor_v3).
STORAGE_CLASSES = {
    "FloatStorage": "float32",
    "DoubleStorage": "float64",
    "HalfStorage": "float16",
    "BFloat16Storage": "bfloat16",
    "LongStorage": "int64",
    "IntStorage": "int32",
    "ShortStorage": "int16",
    "CharStorage": "int8",
    "ByteStorage": "uint8",
    "BoolStorage": "bool",
    "ComplexFloatStorage": "complex64",
    "ComplexDoubleStorage": "complex128",
}
STORAGE_CLASS_OF = {element: cls for cls, element in STORAGE_CLASSES.items()}
UNTYPED = Element("bytes", np.dtype("<u1"))  # an UntypedStorage: plain bytes
MAX_REPEATED_BYTES = 1 << 30  # the most a view may expand its storage to (see _values)


def element_of(dtype: np.dtype, name: str) -> Element:
    """The PyTorch element type that holds ``dtype`` (for saving)."""
    for element in ELEMENTS.values():
        if element.name != "bfloat16" and element.dtype == dtype:
            return element
    raise TypeError(f"save: {name!r} has dtype {dtype}, which a PyTorch checkpoint cannot hold")


@dataclass(frozen=True)
class StorageType:
    """What ``torch.FloatStorage`` (or ``torch.UntypedStorage``) stands for in a pickle."""

    element: Element


@dataclass(frozen=True)
class TypeMarker:
    """``torch.Tensor`` or ``torch.nn.Parameter`` named as a type (for _rebuild_from_type_v2)."""

    name: str


TENSOR_TYPE = TypeMarker("torch.Tensor")
PARAMETER_TYPE = TypeMarker("torch.nn.parameter.Parameter")


class Storage:
    """One storage of the checkpoint: its elements as a flat array in native byte order."""

    def __init__(self, key: str, element: Element, array: np.ndarray, big_endian: bool) -> None:
        self.key = key
        self.element = element
        self.array = array
        self.big_endian = big_endian  # kept to reinterpret untyped bytes with the right order
        self._views: dict[str, np.ndarray] = {}

    def elements(self, element: Element) -> np.ndarray:
        """The storage as elements of ``element`` (an untyped storage holds any dtype's bytes)."""
        if element == self.element:
            return self.array
        if self.element is not UNTYPED:
            raise UnpicklingError(
                f"storage {self.key!r} holds {self.element.name} but a tensor reads it as "
                f"{element.name} (corrupt checkpoint)"
            )
        if element.name not in self._views:
            if self.array.nbytes % element.raw.itemsize:
                raise UnpicklingError(
                    f"storage {self.key!r} has {self.array.nbytes} bytes, not a whole number of "
                    f"{element.name} elements (corrupt checkpoint)"
                )
            raw = self.array.view(element.raw.newbyteorder(">" if self.big_endian else "<"))
            self._views[element.name] = raw.astype(raw.dtype.newbyteorder("="), copy=False)
        return self._views[element.name]


# -- rebuilding tensors ---------------------------------------------------------------------------


def _ints(value: Any, what: str) -> tuple[int, ...]:
    if not isinstance(value, tuple) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in value
    ):
        raise UnpicklingError(
            f"a tensor's {what} must be a tuple of non-negative ints, got {value!r}"
        )
    return value


def _values(storage: Any, offset: Any, size: Any, stride: Any, element: Element) -> np.ndarray:
    """The values of the view (offset, size, stride) of ``storage``, as a new C-order array."""
    if not isinstance(storage, Storage):
        raise UnpicklingError(f"a tensor must be built on a storage, got {type(storage).__name__}")
    (offset,) = _ints((offset,), "storage offset")
    size, stride = _ints(size, "size"), _ints(stride, "stride")
    if len(size) != len(stride) or len(size) > 64:  # NumPy's limit on dims
        raise UnpicklingError(f"a tensor has size {size} but stride {stride}")
    flat = storage.elements(element)
    if math.prod(size) == 0:
        values = np.empty(size, dtype=flat.dtype)
    else:
        # The last element the view reaches must lie inside the storage: a corrupt or crafted
        # file must not make as_strided read memory beyond it.
        last = offset + sum((n - 1) * s for n, s in zip(size, stride))
        if last >= len(flat):
            raise UnpicklingError(
                f"a tensor of size {size}, stride {stride} at offset {offset} reaches element "
                f"{last} of storage {storage.key!r}, which has {len(flat)} (corrupt checkpoint)"
            )
        # A view may repeat its storage's elements (stride 0, as expand() makes): PyTorch keeps
        # it a view, a copy here takes real memory. Bound it, so a crafted file cannot ask
        # for terabytes with a few bytes.
        nbytes = math.prod(size) * flat.itemsize
        if nbytes > max(MAX_REPEATED_BYTES, flat.nbytes):
            raise UnpicklingError(
                f"a tensor of size {size} repeats storage {storage.key!r} ({flat.nbytes} bytes) "
                f"into {nbytes} bytes, more than tinygrad_edu loads from a repeated view"
            )
        strides = tuple(s * flat.itemsize for s in stride)
        view = np.lib.stride_tricks.as_strided(flat[offset:], size, strides, writeable=False)
        values = np.array(view)  # a copy: loaded tensors never share memory with each other
    return bfloat16_to_float32(values) if element.name == "bfloat16" else values


def _tensor(values: np.ndarray, requires_grad: Any, metadata: Any) -> Tensor:
    if metadata:
        # The conj and neg bits: the tensor is the conjugate / negation of what was stored.
        if not isinstance(metadata, dict) or not set(metadata) <= {"conj", "neg"}:
            raise UnpicklingError(f"unknown tensor metadata {metadata!r}")
        if metadata.get("conj") is True:
            values = np.conj(values)
        if metadata.get("neg") is True:
            values = np.negative(values)
    if requires_grad is not True and requires_grad is not False:
        raise UnpicklingError(f"requires_grad must be a bool, got {requires_grad!r}")
    if requires_grad and values.dtype.kind != "f":
        raise UnpicklingError(f"a {values.dtype} tensor cannot require grad (corrupt checkpoint)")
    return Tensor._plain(values).requires_grad_(requires_grad)


def rebuild_tensor(storage: Any, storage_offset: Any, size: Any, stride: Any) -> Tensor:
    element = storage.element if isinstance(storage, Storage) else UNTYPED
    return _tensor(_values(storage, storage_offset, size, stride, element), False, None)


def rebuild_tensor_v2(
    storage: Any,
    storage_offset: Any,
    size: Any,
    stride: Any,
    requires_grad: Any,
    backward_hooks: Any,
    metadata: Any = None,
) -> Tensor:
    element = storage.element if isinstance(storage, Storage) else UNTYPED
    values = _values(storage, storage_offset, size, stride, element)
    return _tensor(values, requires_grad, metadata)


def rebuild_tensor_v3(
    storage: Any,
    storage_offset: Any,
    size: Any,
    stride: Any,
    requires_grad: Any,
    backward_hooks: Any,
    dtype: Any,
    metadata: Any = None,
) -> Tensor:
    if not isinstance(dtype, Element):
        raise UnpicklingError(f"a tensor's dtype must be a torch dtype, got {dtype!r}")
    values = _values(storage, storage_offset, size, stride, dtype)
    return _tensor(values, requires_grad, metadata)


def rebuild_parameter(data: Any, requires_grad: Any, backward_hooks: Any) -> Parameter:
    if not isinstance(data, Tensor) or not isinstance(requires_grad, bool):
        raise UnpicklingError("a Parameter must be built from a tensor and a bool")
    return Parameter(data, requires_grad)


def rebuild_parameter_with_state(
    data: Any, requires_grad: Any, backward_hooks: Any, state: Any
) -> Parameter:
    _no_state(state, "Parameter")
    return rebuild_parameter(data, requires_grad, backward_hooks)


def rebuild_from_type_v2(func: Any, new_type: Any, args: Any, state: Any) -> Tensor:
    """How PyTorch pickles a tensor or Parameter that carries Python attributes."""
    # Identity, not ==: an object from the file must not get to run its own __eq__.
    if not any(func is f for f in REBUILD_FUNCTIONS) or not (
        new_type is TENSOR_TYPE or new_type is PARAMETER_TYPE
    ):
        raise UnpicklingError(f"refusing to rebuild a tensor with {func!r} as {new_type!r}")
    if not isinstance(args, tuple):
        raise UnpicklingError("rebuild arguments must be a tuple")
    tensor = func(*args)
    _no_state(state, "tensor")
    if new_type is PARAMETER_TYPE and not isinstance(tensor, Parameter):
        tensor = Parameter(tensor, tensor.requires_grad)
    return tensor


def _no_state(state: Any, what: str) -> None:
    """Python attributes set on a tensor cannot be restored: tinygrad_edu's Tensor has slots."""
    if isinstance(state, tuple) and len(state) == 2:
        state = {**(state[0] or {}), **(state[1] or {})}
    if state:
        names = sorted(state) if isinstance(state, dict) else state
        raise UnpicklingError(
            f"the {what} carries Python attributes {names!r}, which cannot be loaded"
        )


REBUILD_FUNCTIONS = (
    rebuild_tensor,
    rebuild_tensor_v2,
    rebuild_tensor_v3,
    rebuild_parameter,
    rebuild_parameter_with_state,
)


# -- plain Python values pickle protocol 2 builds by calls ----------------------------------------


def encode(text: Any, encoding: Any = "latin1") -> bytes:
    """Protocol 2 pickles ``bytes`` as ``_codecs.encode(text, 'latin1')``."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise UnpicklingError("_codecs.encode is allowed only to make bytes from latin1 text")
    return text.encode("latin1")


def _made_of(kind: type, items: Any = ()) -> Any:
    if not isinstance(items, (list, tuple)):
        raise UnpicklingError(f"{kind.__name__}() is allowed only on a list or tuple")
    return kind(items)


def make_bytes(data: Any = b"") -> bytes:
    """Protocol 2 pickles b"" as ``builtins.bytes()``."""
    if not isinstance(data, bytes):
        raise UnpicklingError("bytes() is allowed only on bytes")
    return data


def make_bytearray(data: Any = b"") -> bytearray:
    return bytearray(make_bytes(data))


def make_complex(real: Any = 0.0, imag: Any = 0.0) -> complex:
    if not all(isinstance(x, (int, float)) for x in (real, imag)):
        raise UnpicklingError("complex() is allowed only on two numbers")
    return complex(real, imag)


def make_size(sizes: Any = ()) -> tuple[int, ...]:
    """torch.Size(...) loads as the tuple of ints it is (tinygrad_edu's sizes are tuples)."""
    return _ints(tuple(sizes) if isinstance(sizes, list) else sizes, "Size")


ALLOWED: dict[str, Any] = {
    "collections.OrderedDict": OrderedDict,
    "collections.Counter": Counter,
    "torch._utils._rebuild_tensor": rebuild_tensor,
    "torch._utils._rebuild_tensor_v2": rebuild_tensor_v2,
    "torch._utils._rebuild_tensor_v3": rebuild_tensor_v3,
    "torch._utils._rebuild_parameter": rebuild_parameter,
    "torch._utils._rebuild_parameter_with_state": rebuild_parameter_with_state,
    "torch._tensor._rebuild_from_type_v2": rebuild_from_type_v2,
    "torch.Tensor": TENSOR_TYPE,
    "torch.nn.parameter.Parameter": PARAMETER_TYPE,
    "torch.Size": make_size,
    "torch.storage.UntypedStorage": StorageType(UNTYPED),
    "torch.UntypedStorage": StorageType(UNTYPED),
    "_codecs.encode": encode,
    "builtins.set": lambda items=(): _made_of(set, items),
    "builtins.frozenset": lambda items=(): _made_of(frozenset, items),
    "builtins.bytes": make_bytes,
    "builtins.bytearray": make_bytearray,
    "builtins.complex": make_complex,
    **{f"torch.{cls}": StorageType(ELEMENTS[name]) for cls, name in STORAGE_CLASSES.items()},
    **{f"torch.{name}": element for name, element in ELEMENTS.items()},
}

_QUANTIZED = "quantized tensors are not supported by tinygrad_edu"
REFUSED: dict[str, str] = {
    "torch._utils._rebuild_qtensor": _QUANTIZED,
    "torch._utils._rebuild_sparse_tensor": "sparse tensors are not supported by tinygrad_edu",
    "torch.serialization._get_layout": "sparse tensors are not supported by tinygrad_edu",
    "torch._utils._rebuild_nested_tensor": "nested tensors are not supported by tinygrad_edu",
    "torch._utils._rebuild_meta_tensor_no_storage": "meta tensors hold no values to load",
    "torch._utils._rebuild_wrapper_subclass": "tensor subclasses are not supported",
    "torch._utils._rebuild_device_tensor_from_numpy": "it would need NumPy object loading",
    "torch._utils._rebuild_device_tensor_from_cpu_tensor": "device tensor wrappers are not supported",
    "torch.device": "torch.device objects are not supported (every tensor loads on the CPU)",
    **{
        f"torch.{q}Storage": _QUANTIZED
        for q in ("QInt8", "QInt32", "QUInt8", "QUInt4x2", "QUInt2x4")
    },
    **{
        f"torch.{name}": f"{name} has no NumPy dtype"
        for name in (
            "float8_e4m3fn",
            "float8_e5m2",
            "float8_e4m3fnuz",
            "float8_e5m2fnuz",
            "float8_e8m0fnu",
            "float4_e2m1fn_x2",
            "complex32",
        )
    },
}
