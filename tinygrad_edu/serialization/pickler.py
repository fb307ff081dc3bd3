"""Writing torch.save's pickle by hand: protocol 2, with tensors as calls PyTorch's loader knows.

A pickle is a program; this writes the few instructions a checkpoint needs (numbers, strings,
lists, dicts, tuples) and, for each tensor, the same call ``torch.save`` writes::

    torch._utils._rebuild_tensor_v2(<persistent id: ('storage', torch.FloatStorage, key, 'cpu',
                                    numel)>, 0, size, stride, requires_grad, OrderedDict())

The storage itself (the tensor's values, little-endian, C order) goes into the zip as its own
record ``data/<key>``; :mod:`torch_format` writes those. Only globals on PyTorch's weights-only
allow-list are written, so ``torch.load(path, weights_only=True)`` reads every file made here.
"""

from __future__ import annotations

import struct
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from tinygrad_edu._tensor import Tensor
from tinygrad_edu.nn.parameter import Parameter
from tinygrad_edu.serialization.torch_types import STORAGE_CLASS_OF, element_of

KEY_TYPES = (str, int, float, bool, bytes, type(None), tuple)


def contiguous_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    """The strides (in elements) of a C-order tensor, as PyTorch computes them: a size-0 or
    size-1 dim counts as 1, so strides stay positive."""
    strides = [1] * len(shape)
    for i in range(len(shape) - 2, -1, -1):
        strides[i] = strides[i + 1] * max(shape[i + 1], 1)
    return tuple(strides)


class TorchPickler:
    """``dump(obj)`` returns the pickle bytes; ``storages`` then holds each storage's bytes."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.storages: dict[str, np.ndarray] = {}  # key -> the values, little-endian, flat
        self._storage_keys: dict[int, str] = {}  # id(array) -> key: one array, one storage
        self._memo: dict[int, int] = {}  # id(tensor) -> memo slot: one tensor, one object
        self._open: set[int] = set()  # containers being written, to catch a cycle

    def dump(self, obj: Any) -> bytes:
        self.out += b"\x80\x02"  # PROTO 2, what torch.save writes
        self.save(obj, "")
        self.out += b"."  # STOP
        return bytes(self.out)

    # -- instructions ---------------------------------------------------------------------------

    def global_(self, module: str, name: str) -> None:
        self.out += b"c" + module.encode() + b"\n" + name.encode() + b"\n"

    def int_(self, value: int) -> None:
        if 0 <= value < 1 << 8:
            self.out += b"K" + struct.pack("<B", value)
        elif 0 <= value < 1 << 16:
            self.out += b"M" + struct.pack("<H", value)
        elif -(1 << 31) <= value < 1 << 31:
            self.out += b"J" + struct.pack("<i", value)
        else:
            raw = value.to_bytes(value.bit_length() // 8 + 1, "little", signed=True)
            size = struct.pack("<B", len(raw)) if len(raw) < 256 else struct.pack("<i", len(raw))
            self.out += (b"\x8a" if len(raw) < 256 else b"\x8b") + size + raw

    def str_(self, value: str) -> None:
        raw = value.encode("utf-8", "surrogatepass")
        self.out += b"X" + struct.pack("<I", len(raw)) + raw

    def tuple_(self, items: tuple[Any, ...], path: str) -> None:
        if not items:
            self.out += b")"
            return
        if len(items) > 3:
            self.out += b"("
        for i, item in enumerate(items):
            self.save(item, f"{path}.{i}")
        self.out += {1: b"\x85", 2: b"\x86", 3: b"\x87"}.get(len(items), b"t")

    def call(self, module: str, name: str, args: tuple[Any, ...], path: str) -> None:
        """``module.name(*args)``: GLOBAL, the argument tuple, REDUCE."""
        self.global_(module, name)
        self.tuple_(args, path)
        self.out += b"R"

    # -- values ---------------------------------------------------------------------------------

    def save(self, value: Any, path: str) -> None:
        if isinstance(value, (Tensor, np.ndarray)):
            self.tensor(value, path)
        elif value is None:
            self.out += b"N"
        elif isinstance(value, (bool, np.bool_)):
            self.out += b"\x88" if value else b"\x89"
        elif isinstance(value, (int, np.integer)):
            self.int_(int(value))
        elif isinstance(value, (float, np.floating)):
            self.out += b"G" + struct.pack(">d", float(value))
        elif isinstance(value, str):
            self.str_(value)
        elif isinstance(value, bytes):  # protocol 2 has no bytes opcode: it calls _codecs.encode
            self.call("_codecs", "encode", (value.decode("latin1"), "latin1"), path)
        elif isinstance(value, (complex, np.complexfloating)):
            self.call("builtins", "complex", (value.real, value.imag), path)
        elif isinstance(value, (Mapping, list, tuple, set)):
            self.container(value, path)
        else:
            hint = " (save model.state_dict() instead)" if hasattr(value, "state_dict") else ""
            raise TypeError(
                f"save: cannot store {path or 'the object'!r} of type {type(value).__name__}"
                f"{hint}; checkpoints hold tensors, arrays, numbers, strings, bytes, None, and "
                "dicts/lists/tuples/sets of them"
            )

    def container(self, value: Any, path: str) -> None:
        if id(value) in self._open:
            raise ValueError(f"save: {path or 'the object'!r} contains itself")
        self._open.add(id(value))
        if isinstance(value, Mapping):
            self.mapping(value, path)
        elif isinstance(value, tuple):
            self.tuple_(value, path)
        elif isinstance(value, list):
            self.out += b"]"  # EMPTY_LIST
            self.items(value, path, b"e")  # APPENDS
        else:  # a set: builtins.set([items]) (torch.load allows set, not frozenset)
            self.call("builtins", "set", (list(value),), path)
        self._open.discard(id(value))

    def items(self, items: list[Any], path: str, opcode: bytes) -> None:
        if items:
            self.out += b"("  # MARK
            for i, item in enumerate(items):
                self.save(item, f"{path}.{i}" if path else str(i))
            self.out += opcode

    def mapping(self, value: Mapping[Any, Any], path: str) -> None:
        if isinstance(value, OrderedDict):
            self.call("collections", "OrderedDict", (), path)
        else:
            self.out += b"}"  # EMPTY_DICT
        if not value:
            return
        self.out += b"("  # MARK
        for key, item in value.items():
            if not isinstance(key, KEY_TYPES):
                raise TypeError(
                    f"save: keys must be str, int, float, bool, bytes, None or tuples, got "
                    f"{type(key).__name__} key {key!r} in {path or 'the top level'!r}"
                )
            label = key if isinstance(key, str) else repr(key)
            child = f"{path}.{label}" if path else label
            self.save(key, child)
            self.save(item, child)
        self.out += b"u"  # SETITEMS

    # -- tensors --------------------------------------------------------------------------------

    def tensor(self, value: Tensor | np.ndarray, path: str) -> None:
        if id(value) in self._memo:  # the same tensor again: the same object when loaded
            self.out += b"j" + struct.pack("<I", self._memo[id(value)])  # LONG_BINGET
            return
        array = value.data if isinstance(value, Tensor) else value
        requires_grad = isinstance(value, Tensor) and value.requires_grad
        if isinstance(value, Parameter):
            self.global_("torch._utils", "_rebuild_parameter")
            self.out += b"("
            self.tensor_call(array, False, path)
            self.out += b"\x88" if requires_grad else b"\x89"
            self.call("collections", "OrderedDict", (), path)  # backward hooks: never saved
            self.out += b"tR"  # TUPLE, REDUCE
        else:
            self.tensor_call(array, requires_grad, path)
        self._memo[id(value)] = len(self._memo)
        self.out += b"r" + struct.pack("<I", self._memo[id(value)])  # LONG_BINPUT

    def tensor_call(self, array: np.ndarray, requires_grad: bool, path: str) -> None:
        element = element_of(array.dtype, path or "the object")
        key = self.storage_key(array, element.raw)
        storage_class = STORAGE_CLASS_OF.get(element.name)
        numel = array.size
        self.global_(
            "torch._utils", "_rebuild_tensor_v2" if storage_class else "_rebuild_tensor_v3"
        )
        self.out += b"("  # MARK: the arguments
        self.out += b"("  # MARK: the persistent id ('storage', type, key, location, numel)
        self.str_("storage")
        if storage_class:
            self.global_("torch", storage_class)
        else:  # uint16/32/64 have no typed storage class: bytes, with the dtype passed apart
            self.global_("torch.storage", "UntypedStorage")
            numel *= array.itemsize
        self.str_(key)
        self.str_("cpu")
        self.int_(numel)
        self.out += b"tQ"  # TUPLE, BINPERSID
        self.int_(0)  # storage offset
        self.tuple_(tuple(int(n) for n in array.shape), path)
        self.tuple_(contiguous_strides(array.shape), path)
        self.out += b"\x88" if requires_grad else b"\x89"
        self.call("collections", "OrderedDict", (), path)  # backward hooks: never saved
        if not storage_class:
            self.global_("torch", element.name)
        self.out += b"tR"  # TUPLE, REDUCE

    def storage_key(self, array: np.ndarray, raw: np.dtype) -> str:
        if id(array) not in self._storage_keys:
            key = str(len(self.storages))
            flat = np.ascontiguousarray(array).reshape(-1)
            self.storages[key] = flat.astype(raw, copy=False)  # little-endian, as recorded
            self._storage_keys[id(array)] = key
        return self._storage_keys[id(array)]
