"""The named tuples that max(dim), min(dim), sort, topk and median return, as
``torch.return_types``: unpack them (``values, indices = x.max(1)``) or read ``.values`` and
``.indices``. The names are PyTorch's, so ``return_types.max`` is a class here."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor

__all__ = ["max", "median", "min", "sort", "topk"]


class ValuesIndices(NamedTuple):
    """Values picked from a tensor, and where along the dim they were."""

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return f"return_types.{type(self).__name__}(\nvalues={self.values!r},\nindices={self.indices!r})"


class max(ValuesIndices):
    __slots__ = ()


class min(ValuesIndices):
    __slots__ = ()


class sort(ValuesIndices):
    __slots__ = ()


class topk(ValuesIndices):
    __slots__ = ()


class median(ValuesIndices):
    __slots__ = ()
