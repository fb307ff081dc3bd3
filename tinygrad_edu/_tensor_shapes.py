"""ShapeMethods: shapes and views (reshape, view, permute, transpose, expand, ...), indexing
(``x[index]``, ``x[index] = value``, gather, scatter, masked_fill, ...), and splitting.
"""

# mypy: disable-error-code="arg-type, return-value"
# (At run time self is always a Tensor, the last class of the chain and the only one ever made; to
# mypy it is an instance of this class, so it would refuse each place that passes self on, or
# returns it, as a Tensor. Those two checks are off in this module and on everywhere else; self's
# attributes and methods are checked, against this class and the ones below it.)

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

import tinygrad_edu  # .functions.<module>, looked up when called (they import Tensor, made later)
from tinygrad_edu import arguments, inplace, ops
from tinygrad_edu._tensor_core import TensorCore
from tinygrad_edu._tensor_math import MathMethods

if TYPE_CHECKING:
    import tinygrad_edu.functions.indexing
    import tinygrad_edu.functions.joining
    import tinygrad_edu.functions.shapes
    from tinygrad_edu._tensor import Tensor
    from tinygrad_edu._tensor_core import ArrayLike, Dims


class ShapeMethods(MathMethods):
    """Shapes, views and indexing."""

    __slots__ = ()

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

    def stride(self, dim: builtins.int | None = None) -> Any:
        """Steps in elements between neighbours along each dim (of dim ``dim``), as PyTorch's:
        a view shares its base's memory with other strides, a transpose swaps them."""
        steps = tuple(s // self.data.itemsize for s in self.data.strides)
        return steps if dim is None else steps[arguments.dim_arg(dim, self.data.ndim)]

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

    def view_as(self, other: Tensor) -> Tensor:
        return self.view(other.data.shape)

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
        dims = arguments.dims_arg(dim, self.ndim, empty_means_all=False)
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

    @property
    def T(self) -> Tensor:
        """All dims reversed (a matrix transpose for 2-D)."""
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> Tensor:
        """The last two dims swapped: a batch of matrices transposed."""
        return self.transpose(-2, -1)

    # -- shape, more -----------------------------------------------------------------------------

    def ravel(self) -> Tensor:
        return self.reshape(-1)

    def unflatten(self, dim: builtins.int, sizes: Sequence[builtins.int]) -> Tensor:
        return tinygrad_edu.functions.shapes.unflatten(self, dim, sizes)

    def swapaxes(self, axis0: builtins.int, axis1: builtins.int) -> Tensor:
        return self.transpose(axis0, axis1)

    def swapdims(self, dim0: builtins.int, dim1: builtins.int) -> Tensor:
        return self.transpose(dim0, dim1)

    def movedim(self, source: Any, destination: Any) -> Tensor:
        return tinygrad_edu.functions.shapes.movedim(self, source, destination)

    moveaxis = movedim

    def repeat(self, *sizes: Any) -> Tensor:
        """The whole tensor tiled: dim i repeated sizes[i] times."""
        return tinygrad_edu.functions.shapes.repeat(self, arguments.size_arg(sizes, "repeat"))

    def tile(self, *dims: Any) -> Tensor:
        return tinygrad_edu.functions.shapes.tile(self, arguments.size_arg(dims, "tile"))

    def repeat_interleave(
        self, repeats: Any, dim: builtins.int | None = None, *, output_size: Any = None
    ) -> Tensor:
        """Each element (or slice along dim) repeated in place: [1, 2] -> [1, 1, 2, 2]."""
        return tinygrad_edu.functions.shapes.repeat_interleave(self, repeats, dim)

    def flip(self, *dims: Any) -> Tensor:
        return tinygrad_edu.functions.shapes.flip(self, dims[0] if len(dims) == 1 else dims)

    def fliplr(self) -> Tensor:
        return tinygrad_edu.functions.shapes.fliplr(self)

    def flipud(self) -> Tensor:
        return tinygrad_edu.functions.shapes.flipud(self)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        return tinygrad_edu.functions.shapes.roll(self, shifts, dims)

    def tril(self, diagonal: builtins.int = 0) -> Tensor:
        return tinygrad_edu.functions.shapes.tril(self, diagonal)

    def triu(self, diagonal: builtins.int = 0) -> Tensor:
        return tinygrad_edu.functions.shapes.triu(self, diagonal)

    def diag(self, diagonal: builtins.int = 0) -> Tensor:
        return tinygrad_edu.functions.shapes.diag(self, diagonal)

    def diagonal(
        self, offset: builtins.int = 0, dim1: builtins.int = 0, dim2: builtins.int = 1
    ) -> Tensor:
        return tinygrad_edu.functions.shapes.diagonal(self, offset, dim1, dim2)

    def narrow(self, dim: builtins.int, start: Any, length: builtins.int) -> Tensor:
        return tinygrad_edu.functions.shapes.narrow(self, dim, start, length)

    def select(self, dim: builtins.int, index: builtins.int) -> Tensor:
        return tinygrad_edu.functions.shapes.select(self, dim, index)

    def split(self, split_size: Any, dim: builtins.int = 0) -> tuple[Tensor, ...]:
        return tinygrad_edu.functions.joining.split(self, split_size, dim)

    def chunk(self, chunks: builtins.int, dim: builtins.int = 0) -> tuple[Tensor, ...]:
        return tinygrad_edu.functions.joining.chunk(self, chunks, dim)

    def unbind(self, dim: builtins.int = 0) -> tuple[Tensor, ...]:
        return tinygrad_edu.functions.joining.unbind(self, dim)

    # -- indexing --------------------------------------------------------------------------------

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

    def __setitem__(self, index: Any, value: ArrayLike) -> None:
        """x[index] = value, in place (recorded in the graph like any in-place op)."""
        idx = arguments.index_arg(index, self.shape)
        v = self._operand(value)
        inplace.apply_inplace(self, "setitem", lambda old: ops.SetItem.apply(old, v, idx))

    def __iter__(self) -> Iterator[Tensor]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    def gather(self, dim: int, index: ArrayLike) -> Tensor:
        """out[i][j] = self[index[i][j]][j] for dim=0, and so on (torch.gather)."""
        idx = index.data if isinstance(index, TensorCore) else np.asarray(index)
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

    # -- indexing, more --------------------------------------------------------------------------

    def index_select(self, dim: builtins.int, index: ArrayLike) -> Tensor:
        return tinygrad_edu.functions.indexing.index_select(self, dim, index)

    def masked_fill(self, mask: ArrayLike, value: Any) -> Tensor:
        return tinygrad_edu.functions.indexing.masked_fill(self, mask, value)

    def masked_select(self, mask: ArrayLike) -> Tensor:
        return tinygrad_edu.functions.indexing.masked_select(self, mask)

    def scatter(
        self,
        dim: builtins.int,
        index: ArrayLike,
        src: Any = None,
        *,
        value: Any = None,
        reduce: Any = None,
    ) -> Tensor:
        return tinygrad_edu.functions.indexing.scatter(
            self, dim, index, src, value=value, reduce=reduce
        )

    def scatter_add(self, dim: builtins.int, index: ArrayLike, src: Tensor) -> Tensor:
        return tinygrad_edu.functions.indexing.scatter_add(self, dim, index, src)

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
        return tinygrad_edu.functions.indexing.nonzero(self, as_tuple=as_tuple)

    def unique(
        self,
        sorted: builtins.bool = True,
        return_inverse: builtins.bool = False,
        return_counts: builtins.bool = False,
        dim: builtins.int | None = None,
    ) -> Any:
        return tinygrad_edu.functions.indexing.unique(
            self, sorted, return_inverse, return_counts, dim
        )
