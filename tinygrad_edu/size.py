"""Size: what ``x.shape`` and ``x.size()`` return, a tuple of ints as ``torch.Size``.

It is a tuple (``x.shape == (2, 3)``, unpacking, ``np.zeros(x.shape)`` all work) that prints as
``Size([2, 3])``, counts its elements with ``numel()``, and stays a Size when sliced, added to or
repeated. One deliberate difference: inside an f-string or ``format()`` it reads as the plain
tuple ``(2, 3)``, which is how this library's error messages print shapes.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from typing import Any, SupportsIndex, overload


class Size(tuple[int, ...]):
    """A tensor's shape: a tuple of ints that prints as ``Size([2, 3])``."""

    __slots__ = ()

    def __new__(cls, sizes: Iterable[Any] = ()) -> Size:
        items = tuple(sizes)
        for i, n in enumerate(items):
            if not hasattr(n, "__index__"):  # (a bool is an int here, as in torch.Size)
                raise TypeError(
                    f"Size() takes an iterable of 'int' (item {i} is '{type(n).__name__}')"
                )
        return tuple.__new__(cls, map(operator.index, items))

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds (1 for the shape ``()``)."""
        n = 1
        for side in self:
            n *= side
        return n

    @overload
    def __getitem__(self, index: SupportsIndex) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> Size: ...

    def __getitem__(self, index: SupportsIndex | slice) -> int | Size:
        if isinstance(index, slice):
            return tuple.__new__(Size, tuple.__getitem__(self, index))
        return tuple.__getitem__(self, index)

    def __add__(self, other: tuple[Any, ...]) -> Size:
        return Size(tuple.__add__(self, other))

    def __radd__(self, other: tuple[Any, ...]) -> Size:
        return Size(tuple.__add__(tuple(other), self))

    def __mul__(self, n: SupportsIndex) -> Size:
        return tuple.__new__(Size, tuple.__mul__(self, n))

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return f"Size({list(self)})"

    def __format__(self, spec: str) -> str:
        return format(tuple(self).__repr__(), spec)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Size, (tuple(self),))


class SizeTable(dict[tuple[int, ...], Size]):
    """One Size per distinct shape, shared (a Size is immutable): ``x.shape`` is
    ``SIZES[x.data.shape]``, a dict lookup, which costs about a third of building a new Size."""

    def __missing__(self, shape: tuple[int, ...]) -> Size:
        if len(self) >= 4096:  # a program that makes ever new shapes: start again
            self.clear()
        size = self[shape] = tuple.__new__(Size, shape)
        return size


SIZES = SizeTable()
