"""Workspaces: a small cache of large arrays, handed out again once nothing refers to them.

A CNN's training step makes arrays of several MB (im2col's columns, activations and their
gradients) and drops them a moment later. Memory that large is returned to the OS when freed
(glibc's malloc gives back blocks above a size it adapts, and trims the top of its heap), so the
next step's array of the same shape is new memory that the OS maps in a page (4 KB) at a time on
first touch: measured on the benchmark's LeNet, 1,800 page faults a step, a third of its time.
NumPy has no hook to keep such memory, so the ops that make these arrays ask here first: after
the first steps no new memory is touched. (PyTorch's allocators cache freed blocks the same way.)

An array is free when nothing but this cache refers to it: its reference count says so, and a
view of it (a reshape, a slice, a transpose) holds a reference too. Arrays under
``MIN_BYTES`` are not cached: malloc keeps memory that small itself. Each thread has its own
cache, which keeps a few arrays of each of the most recently asked-for shapes.

``FlatBuffer`` hands out arrays of any shape as views of one buffer (the optimizers' scratch
space); ``zeros_like`` uses one to keep read-only zeros for ReLU's ``np.maximum`` (see there).
"""

from __future__ import annotations

import math
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

MIN_BYTES = 1 << 18  # 256 KB
KEEP_SHAPES = 32  # the most recently used (shape, dtype) keys kept
KEEP_EACH = 6  # arrays kept per key: a step's activations live on into the next forward

_local = threading.local()
# CPython's reference counts, which say when an array is free. Python 3.14 may leave references
# held on the interpreter's stack uncounted, which would make an array in use look free: there,
# and on other interpreters, nothing is cached.
_refcount = (
    getattr(sys, "getrefcount", None)
    if sys.implementation.name == "cpython" and sys.version_info < (3, 14)
    else None
)


def workspace(shape: tuple[int, ...], dtype: np.dtype | type) -> np.ndarray:
    """An uninitialised C-ordered array of ``shape`` and ``dtype``: a free one, else new."""
    dt = dtype if isinstance(dtype, np.dtype) else np.dtype(dtype)
    if _refcount is None or dt.itemsize * math.prod(shape) < MIN_BYTES:
        return np.empty(shape, dt)
    cache: OrderedDict[tuple[object, ...], list[np.ndarray]] | None = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = OrderedDict()
    key = (tuple(shape), dt)
    arrays = cache.setdefault(key, [])
    cache.move_to_end(key)
    for a in arrays:
        if _refcount(a) <= 3:  # the list, the loop variable and the call's argument: free
            return a
    a = np.empty(shape, dt)
    if len(arrays) < KEEP_EACH:
        arrays.append(a)
    if len(cache) > KEEP_SHAPES:
        cache.popitem(last=False)
    return a


def empty_like(a: np.ndarray, dtype: np.dtype | type | None = None) -> np.ndarray | None:
    """An uninitialised array shaped like ``a`` and laid out like it where it is C-ordered or
    channel-major (dims 0 and 1 swapped in memory, as the window ops keep their arrays); None
    for a small one (as a ufunc's ``out=``: NumPy makes a new array, which costs less here)."""
    if a.nbytes < MIN_BYTES:  # (bool is the smallest dtype asked for: it cannot be larger)
        return None
    dt = a.dtype if dtype is None else dtype
    if a.ndim >= 2 and not a.flags.c_contiguous and a.swapaxes(0, 1).flags.c_contiguous:
        return workspace(a.swapaxes(0, 1).shape, dt).swapaxes(0, 1)
    return workspace(a.shape, dt)


class FlatBuffer:
    """Arrays of any shape as views of one flat buffer per dtype, made by ``fill`` (np.empty or
    np.zeros) and replaced by a larger one when a larger array is asked for. Views are cached by
    shape, so asking again is a dict lookup. All views of one dtype share memory: use one at a
    time, or only read them. ``keep_shapes`` bounds the cache where shapes come and go."""

    def __init__(
        self, fill: Callable[[int, np.dtype], np.ndarray], keep_shapes: int | None = None
    ) -> None:
        self.fill, self.keep_shapes = fill, keep_shapes
        self.flat: dict[np.dtype, np.ndarray] = {}
        self.views: dict[tuple[tuple[int, ...], np.dtype], np.ndarray] = {}

    def view(self, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        key = (shape, dtype)
        view = self.views.get(key)
        if view is None:
            size, flat = math.prod(shape), self.flat.get(dtype)
            if flat is None or flat.size < size:
                flat = self.flat[dtype] = self.fill(size, dtype)
                # (views of the old buffer go: every view of a dtype stays in the one buffer)
                self.views = {k: v for k, v in self.views.items() if k[1] != dtype}
            if self.keep_shapes is not None and len(self.views) >= self.keep_shapes:
                self.views.clear()
            view = self.views[key] = flat[:size].reshape(shape)
        return view


def _read_only_zeros(size: int, dtype: np.dtype) -> np.ndarray:
    zeros = np.zeros(size, dtype)
    zeros.flags.writeable = False
    return zeros


# Zeros shaped like an array, for ``np.maximum(a, zeros_like(a))``: NumPy 2.4 runs np.maximum
# against a scalar (``np.maximum(a, 0)``) without SIMD, 3 times slower on an array of 65,536
# floats (25 us against 8.9).
_zeros = FlatBuffer(_read_only_zeros, keep_shapes=KEEP_SHAPES)


def zeros_like(a: np.ndarray) -> np.ndarray:
    """A read-only C-ordered array of zeros of a's shape and dtype (shared: never write to it)."""
    return _zeros.view(a.shape, a.dtype)
