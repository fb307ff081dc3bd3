"""A pickle reader that never runs code from the file: PyTorch's weights-only idea, in full.

A pickle is a program for a small stack machine. Most of its instructions only build data
(push an int, a string, an empty list; append to a list; make a tuple of the top three items).
Three can run code, and they are the whole danger of ``pickle.load``:

- ``GLOBAL module name`` imports any module and pushes any object from it: ``os.system``,
  ``builtins.eval``;
- ``REDUCE`` calls the object under the top of the stack with the top as its arguments;
- ``BUILD`` and ``NEWOBJ`` run a class's ``__setstate__`` or ``__new__``.

This reader interprets each instruction itself (Python's ``pickle.Unpickler`` is not used). For
``GLOBAL`` it never imports anything: it looks the name up in an allow-list of stand-ins written
here (tensor-rebuilding functions, storage and dtype markers, ``OrderedDict``), and any other
name is refused with an error that names it. ``REDUCE`` calls only those stand-ins, ``BUILD``
only sets plain attributes on an ``OrderedDict`` (a PyTorch state dict's ``_metadata``), and
``APPEND``/``SETITEM`` only add to lists and dicts. Instructions that only old or exotic pickles
use (protocol 0 text, extension codes, out-of-band buffers) are refused too.
"""

from __future__ import annotations

import struct
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping
from pickle import UnpicklingError
from typing import Any, ClassVar

# Python 2 module names that pickle protocol 2 still writes, and their Python 3 names.
PY2_MODULES = {"__builtin__": "builtins", "copy_reg": "copyreg"}
DICT_TYPES = (dict, OrderedDict, Counter)


class _CallbackError(Exception):
    """An error raised by persistent_load, passed through as it is (not as corrupt data)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class WeightsOnlyUnpickler:
    """Read one pickle from ``data`` starting at ``position``; ``allowed`` maps the global names
    the file may use ("collections.OrderedDict") to what they stand for, and ``persistent_load``
    turns a persistent id (PyTorch's reference to a storage) into an object."""

    def __init__(
        self,
        data: bytes,
        allowed: Mapping[str, Any],
        persistent_load: Callable[[Any], Any],
        refused: Mapping[str, str] | None = None,
        encoding: str = "utf-8",
        position: int = 0,
    ) -> None:
        self.data = memoryview(data)
        self.position = position
        self.allowed = allowed
        self.refused = refused or {}
        self.persistent_load = persistent_load
        self.encoding = encoding
        self.callables = {id(v): v for v in allowed.values() if callable(v)}
        self.stack: list[Any] = []
        self.marks: list[list[Any]] = []  # the stacks saved by MARK, as in pickle.py
        self.memo: dict[int, Any] = {}

    # -- reading bytes --------------------------------------------------------------------------

    def read(self, n: int) -> bytes:
        end = self.position + n
        if n < 0 or end > len(self.data):
            raise UnpicklingError("the pickle data is truncated")
        chunk = bytes(self.data[self.position : end])
        self.position = end
        return chunk

    def unpack(self, fmt: str) -> Any:
        return struct.unpack(fmt, self.read(struct.calcsize(fmt)))[0]

    def readline(self) -> str:
        rest = self.data[self.position :]
        end = bytes(rest[:1024]).find(b"\n")  # module and class names are short
        if end < 0:
            raise UnpicklingError("the pickle data is truncated (a name without its newline)")
        line = self.read(end + 1)[:-1]
        return line.decode("utf-8")

    # -- the machine ----------------------------------------------------------------------------

    def load(self) -> Any:
        """Run the instructions up to STOP and return the object they built."""
        try:
            while True:
                code = self.read(1)
                if code == b".":  # STOP
                    return self.stack.pop()
                step = self.DISPATCH.get(code)
                if step is None:
                    raise UnpicklingError(f"unsupported pickle instruction {code!r}")
                step(self)
        except _CallbackError as wrapped:
            raise wrapped.error from None
        except UnpicklingError:
            raise
        except (IndexError, KeyError, TypeError, ValueError, struct.error, RecursionError) as err:
            # An instruction found the wrong things on the stack: the data is not a valid pickle.
            raise UnpicklingError(f"corrupt pickle data ({type(err).__name__}: {err})") from None

    def pop_mark(self) -> list[Any]:
        items = self.stack
        self.stack = self.marks.pop()
        return items

    def discard_mark(self) -> None:
        self.pop_mark()

    def push_marked(self, kind: Callable[[list[Any]], Any]) -> None:
        """The items since the last MARK, made into one object (a tuple, list, frozenset)."""
        items = self.pop_mark()  # (first: it switches self.stack back to the outer stack)
        self.stack.append(kind(items))

    # -- instructions that only build data ------------------------------------------------------

    def proto(self) -> None:
        version = self.read(1)[0]
        if not 2 <= version <= 5:
            raise UnpicklingError(f"unsupported pickle protocol {version}")

    def frame(self) -> None:
        self.read(8)  # protocol 4 frames only group instructions; the length is not needed

    def mark(self) -> None:
        self.marks.append(self.stack)
        self.stack = []

    def push_text(self, size_format: str) -> None:
        self.stack.append(self.read(self.unpack(size_format)).decode("utf-8", "surrogatepass"))

    def push_py2_string(self, size_format: str) -> None:
        raw = self.read(self.unpack(size_format))
        self.stack.append(raw if self.encoding == "bytes" else raw.decode(self.encoding))

    def push_bytes(self, size_format: str) -> None:
        self.stack.append(self.read(self.unpack(size_format)))

    def push_long(self, size_format: str) -> None:
        self.stack.append(
            int.from_bytes(self.read(self.unpack(size_format)), "little", signed=True)
        )

    def tuple_of(self, n: int) -> None:
        items = self.stack[-n:] if n else []
        del self.stack[len(self.stack) - n :]
        self.stack.append(tuple(items))

    def append(self) -> None:
        item = self.stack.pop()
        self.list_target().append(item)

    def appends(self) -> None:
        items = self.pop_mark()
        self.list_target().extend(items)

    def list_target(self) -> list[Any]:
        target = self.stack[-1]
        if type(target) is not list:
            raise UnpicklingError(f"APPEND to a {type(target).__name__}: only lists take items")
        return target

    def setitem(self) -> None:
        value = self.stack.pop()
        key = self.stack.pop()
        self.setitems([key, value])

    def setitems(self, items: list[Any]) -> None:
        target = self.stack[-1]
        if type(target) not in DICT_TYPES:
            raise UnpicklingError(f"SETITEM on a {type(target).__name__}: only dicts take items")
        for i in range(0, len(items) - 1, 2):
            target[items[i]] = items[i + 1]

    def additems(self) -> None:
        items = self.pop_mark()
        target = self.stack[-1]
        if type(target) is not set:
            raise UnpicklingError(f"ADDITEMS on a {type(target).__name__}: only sets take items")
        target.update(items)

    def get(self, index: int) -> None:
        if index not in self.memo:
            raise UnpicklingError(f"the pickle refers to memo entry {index}, which was never set")
        self.stack.append(self.memo[index])

    def put(self, index: int) -> None:
        self.memo[index] = self.stack[-1]

    # -- the instructions that could run code, each restricted ----------------------------------

    def find_global(self, module: str, name: str) -> None:
        module = PY2_MODULES.get(module, module)
        full_name = f"{module}.{name}"
        if full_name in self.allowed:
            self.stack.append(self.allowed[full_name])
            return
        reason = self.refused.get(
            full_name,
            "only tensors, numbers, strings, None and dicts/lists/tuples of them can be loaded",
        )
        raise UnpicklingError(
            f"refusing to load the global {full_name!r}: {reason}. A checkpoint that needs other "
            "Python objects would run code from the file to build them, which tinygrad_edu never "
            "does (torch.load(weights_only=True) refuses it too)"
        )

    def stack_global(self) -> None:
        name, module = self.stack.pop(), self.stack.pop()
        if not (isinstance(module, str) and isinstance(name, str)):
            raise UnpicklingError("STACK_GLOBAL needs a module name and a name, both strings")
        self.find_global(module, name)

    def reduce(self) -> None:
        args = self.stack.pop()
        func = self.stack[-1]
        if id(func) not in self.callables or not isinstance(args, tuple):
            raise UnpicklingError(f"refusing to call {func!r}: it is not an allowed function")
        self.stack[-1] = func(*args)

    def newobj(self) -> None:
        args = self.stack.pop()
        cls = self.stack.pop()
        if cls not in DICT_TYPES or args != ():
            raise UnpicklingError(f"refusing to create an object of {cls!r}")
        self.stack.append(cls())

    def build(self) -> None:
        state = self.stack.pop()
        target = self.stack[-1]
        # A PyTorch state dict is an OrderedDict with a `_metadata` attribute (versions of the
        # modules); attributes are the only state accepted, and never ones that hide a method.
        if type(target) is not OrderedDict or not isinstance(state, dict):
            raise UnpicklingError(f"refusing to set the state of a {type(target).__name__}")
        for key, value in state.items():
            if not isinstance(key, str) or hasattr(OrderedDict, key):
                raise UnpicklingError(f"refusing to set the attribute {key!r} of an OrderedDict")
            target.__dict__[key] = value

    def binpersid(self) -> None:
        saved_id = self.stack.pop()
        try:
            loaded = self.persistent_load(saved_id)
        except UnpicklingError:
            raise
        except Exception as err:  # the caller's own error (a map_location function): keep it
            raise _CallbackError(err) from err
        self.stack.append(loaded)

    DISPATCH: ClassVar[dict[bytes, Callable[[WeightsOnlyUnpickler], None]]] = {
        b"\x80": proto,  # PROTO
        b"\x95": frame,  # FRAME
        b"(": mark,  # MARK
        b"0": lambda u: u.stack.pop(),  # POP
        b"1": lambda u: u.discard_mark(),  # POP_MARK
        b"2": lambda u: u.stack.append(u.stack[-1]),  # DUP
        b"N": lambda u: u.stack.append(None),  # NONE
        b"\x88": lambda u: u.stack.append(True),  # NEWTRUE
        b"\x89": lambda u: u.stack.append(False),  # NEWFALSE
        b"J": lambda u: u.stack.append(u.unpack("<i")),  # BININT
        b"K": lambda u: u.stack.append(u.unpack("<B")),  # BININT1
        b"M": lambda u: u.stack.append(u.unpack("<H")),  # BININT2
        b"\x8a": lambda u: u.push_long("<B"),  # LONG1
        b"\x8b": lambda u: u.push_long("<i"),  # LONG4
        b"G": lambda u: u.stack.append(u.unpack(">d")),  # BINFLOAT
        b"X": lambda u: u.push_text("<I"),  # BINUNICODE
        b"\x8c": lambda u: u.push_text("<B"),  # SHORT_BINUNICODE
        b"\x8d": lambda u: u.push_text("<Q"),  # BINUNICODE8
        b"T": lambda u: u.push_py2_string("<i"),  # BINSTRING
        b"U": lambda u: u.push_py2_string("<B"),  # SHORT_BINSTRING
        b"B": lambda u: u.push_bytes("<I"),  # BINBYTES
        b"C": lambda u: u.push_bytes("<B"),  # SHORT_BINBYTES
        b"\x8e": lambda u: u.push_bytes("<Q"),  # BINBYTES8
        b")": lambda u: u.stack.append(()),  # EMPTY_TUPLE
        b"\x85": lambda u: u.tuple_of(1),  # TUPLE1
        b"\x86": lambda u: u.tuple_of(2),  # TUPLE2
        b"\x87": lambda u: u.tuple_of(3),  # TUPLE3
        b"t": lambda u: u.push_marked(tuple),  # TUPLE
        b"]": lambda u: u.stack.append([]),  # EMPTY_LIST
        b"l": lambda u: u.push_marked(list),  # LIST
        b"a": append,  # APPEND
        b"e": appends,  # APPENDS
        b"}": lambda u: u.stack.append({}),  # EMPTY_DICT
        b"s": setitem,  # SETITEM
        b"u": lambda u: u.setitems(u.pop_mark()),  # SETITEMS
        b"\x8f": lambda u: u.stack.append(set()),  # EMPTY_SET
        b"\x90": additems,  # ADDITEMS
        b"\x91": lambda u: u.push_marked(frozenset),  # FROZENSET
        b"h": lambda u: u.get(u.unpack("<B")),  # BINGET
        b"j": lambda u: u.get(u.unpack("<I")),  # LONG_BINGET
        b"q": lambda u: u.put(u.unpack("<B")),  # BINPUT
        b"r": lambda u: u.put(u.unpack("<I")),  # LONG_BINPUT
        b"\x94": lambda u: u.put(len(u.memo)),  # MEMOIZE
        b"c": lambda u: u.find_global(u.readline(), u.readline()),  # GLOBAL
        b"\x93": stack_global,  # STACK_GLOBAL
        b"R": reduce,  # REDUCE
        b"\x81": newobj,  # NEWOBJ
        b"b": build,  # BUILD
        b"Q": binpersid,  # BINPERSID
    }
