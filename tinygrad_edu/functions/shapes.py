"""Changing a tensor's shape or layout without changing its elements, as torch-level functions
and as the bodies of the longer methods (repeat, roll, diagonal, ...).

Everything here is built from the movement ops (Reshape, Permute, Expand, GetItem, IndexAdd,
Diagonal) and Where, so gradients need no formula of their own: a flip's gradient is flipped
back, a diagonal's lands on the diagonal, a repeat's is summed over the copies.

What PyTorch returns as a view is a view here too (shared memory, in-place changes reach the
base): movedim, unflatten, narrow, select, diagonal, and the pieces of split, chunk, unbind. The
rest (flip, roll, repeat, tile, repeat_interleave, tril, triu, diag) return new tensors, as
there.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu import arguments, inplace, ops
from tinygrad_edu._tensor import Tensor


def _input(x: Any, name: str) -> Tensor:
    return arguments.tensor_arg(x, name)


def _ints(value: Any, name: str) -> tuple[int, ...]:
    """An int or a sequence of ints (``flip(x, 0)`` and ``flip(x, (0, 1))``) as a tuple."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    for v in items:
        if not arguments.is_int(v):
            raise TypeError(f"{name} must be ints, got {type(v).__name__} {v!r}")
    return tuple(int(v) for v in items)


def _along(ndim: int, dim: int, item: Any) -> tuple[Any, ...]:
    """An index that applies ``item`` to dim ``dim`` and takes everything in the others."""
    return (slice(None),) * dim + (item,) + (slice(None),) * (ndim - dim - 1)


# -- functions that also hold their method's body -----------------------------------------------


def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Split dim into several dims of the given sizes (one may be -1)."""
    x = _input(input, "unflatten")
    d = x._dim(dim)
    sizes = arguments.size_arg((tuple(sizes),), "unflatten", allow_minus_one=True)
    side, known = x.data.shape[d], int(np.prod([n for n in sizes if n != -1]))
    if sizes.count(-1) > 1 or (-1 not in sizes and known != side) or (known and side % known):
        raise RuntimeError(
            f"unflatten: provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
            f"({side}) in the input tensor"
        )
    return x.reshape(*x.data.shape[:d], *sizes, *x.data.shape[d + 1 :])


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """Move the dims at ``source`` to the positions ``destination``; the rest keep their order."""
    x = _input(input, "movedim")
    src = [x._dim(d) for d in _ints(source, "movedim: source")]
    dst = [x._dim(d) for d in _ints(destination, "movedim: destination")]
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({src} dims) should contain the "
            f"same number of dims as destination ({dst} dims)"
        )
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in source {src} or destination {dst}")
    order = [-1] * x.ndim
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(i for i in range(x.ndim) if i not in src)
    return x.permute(*[o if o != -1 else next(rest) for o in order])


moveaxis = movedim


def repeat(x: Tensor, sizes: tuple[int, ...]) -> Tensor:
    """Tile x: dim i repeated sizes[i] times (extra leading sizes add new dims)."""
    if len(sizes) < x.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
            f"tensor (repeat{tuple(sizes)} on shape {x.data.shape})"
        )
    shape = (1,) * (len(sizes) - x.ndim) + x.data.shape
    # (s0, s1) repeated (r0, r1): view as (1, s0, 1, s1), broadcast to (r0, s0, r1, s1), then
    # merge each pair: copies of the whole block, as np.tile makes.
    spread = tuple(n for side in shape for n in (1, side))
    target = tuple(n for r, side in zip(sizes, shape) for n in (r, side))
    tiled = x.reshape(*spread).expand(*target).reshape(*(r * side for r, side in zip(sizes, shape)))
    # (With every size 1 no copy was needed, and the result would be a view of x: make one.)
    return ops.Clone.apply(tiled) if np.may_share_memory(tiled.data, x.data) else tiled


def tile(input: Tensor, dims: Sequence[int]) -> Tensor:
    """repeat, with missing leading sizes taken as 1."""
    x = _input(input, "tile")
    return repeat(x, (1,) * (x.ndim - len(dims)) + tuple(dims))


def repeat_interleave(
    input: Tensor, repeats: Any = None, dim: int | None = None, *, output_size: int | None = None
) -> Tensor:
    """Each element (or slice along dim) repeated ``repeats`` times in place, not the whole.
    ``repeat_interleave(counts)`` alone repeats each index i counts[i] times."""
    x = _input(input, "repeat_interleave")
    if repeats is None:
        return repeat_interleave(Tensor._plain(np.arange(x.data.size)), x, 0)
    if dim is None:
        x, dim = x.reshape(-1), 0
    d = x._dim(dim)
    counts = repeats.data if isinstance(repeats, Tensor) else np.asarray(repeats)
    if counts.dtype.kind not in "iu" or counts.ndim > 1 or (counts < 0).any():
        raise RuntimeError(
            f"repeat_interleave: repeats must be a non-negative int or 1-D int tensor, got {repeats!r}"
        )
    side = x.data.shape[d] if x.ndim else 1
    if counts.ndim == 1 and counts.size not in (1, side):
        raise RuntimeError(
            f"repeat_interleave: repeats must have the same size as input along dim, but got "
            f"repeats.size(0) = {counts.size} and input.size({d}) = {side}"
        )
    index = np.repeat(np.arange(side), counts)
    return ops.GetItem.apply(
        x.reshape(1) if x.ndim == 0 else x, _along(builtins.max(x.ndim, 1), d, index)
    )


def flip(input: Tensor, dims: Any) -> Tensor:
    x = _input(input, "flip")
    reverse = set(x._dim(d) for d in _ints(dims, "flip: dims"))
    if not reverse or x.ndim == 0:
        return x.clone()
    index = tuple(slice(None, None, -1) if i in reverse else slice(None) for i in range(x.ndim))
    return ops.Clone.apply(ops.GetItem.apply(x, index))  # a new tensor, as torch.flip's


def fliplr(input: Tensor) -> Tensor:
    """Columns in reverse order (dim 1)."""
    x = _input(input, "fliplr")
    if x.ndim < 2:
        raise RuntimeError(f"fliplr: Input must be >= 2-d, got shape {x.data.shape}")
    return flip(x, 1)


def flipud(input: Tensor) -> Tensor:
    """Rows in reverse order (dim 0)."""
    x = _input(input, "flipud")
    if x.ndim < 1:
        raise RuntimeError("flipud: Input must be >= 1-d.")
    return flip(x, 0)


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift elements along dims by shifts, wrapping around; without dims, over the flat tensor."""
    x = _input(input, "roll")
    if dims is None:
        return roll(x.reshape(-1), shifts, 0).reshape(*x.data.shape)
    steps, along = _ints(shifts, "roll: shifts"), _ints(dims, "roll: dims")
    if len(steps) != len(along):
        raise RuntimeError(
            f"roll: shifts and dimensions must align. shifts: {len(steps)}, dims: {len(along)}"
        )
    out = x
    for step, dim in zip(steps, along):
        d = x._dim(dim)
        side = x.data.shape[d] if x.ndim else 1
        if side and step % side:
            out = ops.GetItem.apply(out, _along(x.ndim, d, (np.arange(side) - step) % side))
    return out if out is not x else x.clone()


def triangle(x: Tensor, diagonal: int, lower: bool, name: str) -> Tensor:
    """tril (lower) or triu of the last two dims: the rest set to 0 (no gradient flows there)."""
    if x.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    rows, cols = x.data.shape[-2:]
    keep = np.tri(rows, cols, diagonal, dtype=bool)
    return x.where(keep if lower else ~np.tri(rows, cols, diagonal - 1, dtype=bool), 0)


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The elements x[..., i, i + offset, ...] of dims dim1 and dim2, as a new last dim."""
    x = _input(input, "diagonal")
    d1, d2 = x._dim(dim1), x._dim(dim2)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    moved = x.permute(*[i for i in range(x.ndim) if i not in (d1, d2)], d1, d2)
    return inplace.as_view(ops.Diagonal.apply(moved, offset), moved, ops.Diagonal, (offset,))


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """1-D: a square matrix with x on the given diagonal (0 the main one, 1 above, -1 below);
    2-D: that diagonal of x."""
    x, k = _input(input, "diag"), diagonal
    if x.ndim == 2:  # (a new tensor, as torch.diag's; x.diagonal() is the view)
        return ops.Clone.apply(ops.Diagonal.apply(x, k))
    if x.ndim != 1:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {x.ndim}D")
    n = x.data.shape[0]
    side = n + builtins.abs(k)
    steps = np.arange(n)
    index = (steps + builtins.max(-k, 0), steps + builtins.max(k, 0))
    return ops.IndexAdd.apply(x, index, (side, side))


def narrow(input: Tensor, dim: int, start: Any, length: int) -> Tensor:
    """The slice start:start + length of dim (a view in PyTorch, a copy here)."""
    x = _input(input, "narrow")
    if x.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = x._dim(dim)
    side = x.data.shape[d]
    begin = int(start)  # (a 0-d integer tensor too)
    if not -side <= begin <= side:
        raise IndexError(
            f"start out of range (expected to be in range of [{-side}, {side}], but got {begin})"
        )
    if begin < 0:
        begin += side
    if length < 0 or begin + length > side:
        raise RuntimeError(f"start ({begin}) + length ({length}) exceeds dimension size ({side}).")
    return x[_along(x.ndim, d, slice(begin, begin + length))]  # (a view, through __getitem__)


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The slice at ``index`` of dim, without that dim."""
    x = _input(input, "select")
    d = x._dim(dim)
    side = x.data.shape[d]
    if not -side <= index < side:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(x.data.shape)} at "
            f"dimension {d}"
        )
    return x[_along(x.ndim, d, int(index))]  # (a view, through __getitem__)


# -- functions whose methods are written out in the Tensor class -------------------------------


def reshape(input: Tensor, shape: Sequence[int]) -> Tensor:
    return _input(input, "reshape").reshape(shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return _input(input, "flatten").flatten(start_dim, end_dim)


def ravel(input: Tensor) -> Tensor:
    return _input(input, "ravel").reshape(-1)


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    return _input(input, "squeeze").squeeze(dim)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    return _input(input, "unsqueeze").unsqueeze(dim)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    return _input(input, "transpose").transpose(dim0, dim1)


swapdims = transpose


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    return _input(input, "swapaxes").transpose(axis0, axis1)


def permute(input: Tensor, dims: Sequence[int]) -> Tensor:
    return _input(input, "permute").permute(*dims)


def t(input: Tensor) -> Tensor:
    return _input(input, "t").t()


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    return triangle(_input(input, "tril"), diagonal, True, "tril")


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    return triangle(_input(input, "triu"), diagonal, False, "triu")
