"""Op-table entries for the shape, joining/splitting and indexing ops of the tensor API.

An op that returns several tensors (split, chunk, unbind) is checked through one output that
weighs each piece differently, so a gradient sent to the wrong piece shows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_table import Case, op, values

from tinygrad_edu.testing import strategies as tst


def _weighted(lib: Any, pieces: Any, dim: int) -> Any:
    """The pieces, the i-th times (i + 1), joined again along dim."""
    return lib.cat([p * (i + 1) for i, p in enumerate(pieces)], dim=dim)


def _weighted_ref(pieces: list[np.ndarray], dim: int) -> np.ndarray:
    return np.concatenate([p * (i + 1) for i, p in enumerate(pieces)], axis=dim)


# -- layout --------------------------------------------------------------------------------------


@op("unflatten")
def _unflatten(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=1)))
    d = draw(tst.dims(x.ndim))
    side = x.shape[d]
    sizes = draw(st.sampled_from([(side,), (1, side), (side, 1), (-1, 1), (1, -1)]))
    full = tuple(side if n == -1 else n for n in sizes)
    target = x.shape[: d % x.ndim] + full + x.shape[d % x.ndim + 1 :]
    return Case(
        f"unflatten({d}, {sizes})",
        (x,),
        lambda lib, t: lib.module.unflatten(t, d, sizes),
        lambda a: a.reshape(target),
    )


@op("movedim")
def _movedim(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=1)))
    k = draw(st.integers(1, x.ndim))
    src = draw(st.permutations(range(x.ndim)))[:k]
    dst = draw(st.permutations(range(x.ndim)))[:k]
    return Case(
        f"movedim({src}, {dst})",
        (x,),
        lambda lib, t: t.movedim(tuple(src), tuple(dst)),
        lambda a: np.moveaxis(a, src, dst),
    )


@op("swapaxes")
def _swapaxes(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=1)))
    a0, a1 = draw(tst.dims(x.ndim)), draw(tst.dims(x.ndim))
    return Case(
        f"swapaxes({a0}, {a1})",
        (x,),
        lambda lib, t: lib.module.swapaxes(t, a0, a1),
        lambda a: np.swapaxes(a, a0, a1),
    )


@op("repeat")
def _repeat(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(max_dims=2, max_side=3)))
    extra = draw(st.integers(0, 1))
    sizes = tuple(
        draw(st.lists(st.integers(1, 3), min_size=x.ndim + extra, max_size=x.ndim + extra))
    )
    return Case(
        f"repeat{sizes}",
        (x,),
        lambda lib, t: t.repeat(*sizes) if sizes else t.repeat(()),
        lambda a: np.tile(a, sizes) if sizes else a,
    )


@op("tile")
def _tile(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(max_dims=2, max_side=3)))
    dims = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    return Case(
        f"tile({dims})", (x,), lambda lib, t: lib.module.tile(t, dims), lambda a: np.tile(a, dims)
    )


@op("repeat_interleave")
def _repeat_interleave(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=1)))
    d = draw(st.none() | tst.dims(x.ndim))
    side = x.size if d is None else x.shape[d]
    counts = draw(st.integers(1, 3) | st.lists(st.integers(0, 3), min_size=side, max_size=side))

    def call(lib: Any, t: Any) -> Any:
        reps = counts if isinstance(counts, int) else lib.index(np.array(counts))
        return t.repeat_interleave(reps, dim=d)

    return Case(
        f"repeat_interleave({counts}, dim={d})", (x,), call, lambda a: np.repeat(a, counts, axis=d)
    )


@op("flip")
def _flip(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=1)))
    dims = tuple(
        draw(
            st.lists(
                st.integers(-x.ndim, x.ndim - 1),
                min_size=1,
                max_size=x.ndim,
                unique_by=lambda d: d % x.ndim,
            )
        )
    )
    return Case(
        f"flip{dims}", (x,), lambda lib, t: lib.module.flip(t, dims), lambda a: np.flip(a, dims)
    )


@op("fliplr_flipud")
def _fliplr(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=2)))
    return Case(
        "fliplr(flipud(x))", (x,), lambda lib, t: t.flipud().fliplr(), lambda a: a[::-1, ::-1]
    )


@op("roll")
def _roll(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=1)))
    if draw(st.booleans()):
        shift = draw(st.integers(-5, 5))
        return Case(
            f"roll({shift})", (x,), lambda lib, t: t.roll(shift), lambda a: np.roll(a, shift)
        )
    dims = tuple(
        draw(st.lists(st.integers(0, x.ndim - 1), min_size=1, max_size=x.ndim, unique=True))
    )
    shifts = tuple(draw(st.integers(-5, 5)) for _ in dims)
    return Case(
        f"roll({shifts}, {dims})",
        (x,),
        lambda lib, t: lib.module.roll(t, shifts, dims),
        lambda a: np.roll(a, shifts, dims),
    )


@op("tril_triu")
def _tril_triu(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=2)))
    k = draw(st.integers(-2, 2))
    lower = draw(st.booleans())
    name = "tril" if lower else "triu"
    return Case(
        f"{name}({k})",
        (x,),
        lambda lib, t: getattr(lib.module, name)(t, k),
        lambda a: (np.tril if lower else np.triu)(a, k),
    )


@op("diag")
def _diag(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=1, max_dims=2)))
    k = draw(st.integers(-2, 2))
    return Case(
        f"diag({k}) of {x.ndim}-D",
        (x,),
        lambda lib, t: lib.module.diag(t, k),
        lambda a: np.diag(a, k),
    )


@op("diagonal")
def _diagonal(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=2)))
    d1, d2 = draw(st.permutations(range(x.ndim)))[:2]
    offset = draw(st.integers(-2, 2))
    return Case(
        f"diagonal({offset}, {d1}, {d2})",
        (x,),
        lambda lib, t: t.diagonal(offset, d1, d2),
        lambda a: np.diagonal(a, offset, d1, d2),
    )


@op("narrow_select")
def _narrow_select(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=1)))
    d = draw(tst.dims(x.ndim))
    side = x.shape[d]
    start = draw(st.integers(0, side - 1))
    length = draw(st.integers(1, side - start))
    i = draw(st.integers(-side, side - 1))
    axis = d % x.ndim

    def ref(a: np.ndarray) -> np.ndarray:
        narrowed = np.take(a, range(start, start + length), axis=axis)
        return narrowed * 2 + np.expand_dims(np.take(a, i, axis=axis), axis)

    return Case(
        f"narrow({d}, {start}, {length}) * 2 + select({d}, {i})",
        (x,),
        lambda lib, t: t.narrow(d, start, length) * 2 + lib.module.select(t, d, i).unsqueeze(d),
        ref,
    )


# -- joining and splitting -----------------------------------------------------------------------


@op("split")
def _split(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=1)))
    d = draw(tst.dims(x.ndim))
    side = x.shape[d]
    if draw(st.booleans()):
        size = draw(st.integers(1, side))
        bounds = list(range(size, side, size))
        arg: Any = size
    else:
        cuts = sorted(draw(st.lists(st.integers(0, side), max_size=3)))
        arg = [b - a for a, b in zip([0, *cuts], [*cuts, side])]
        bounds = list(np.cumsum(arg)[:-1])
    return Case(
        f"split({arg}, {d})",
        (x,),
        lambda lib, t: _weighted(lib, lib.module.split(t, arg, d), d),
        lambda a: _weighted_ref(np.split(a, bounds, axis=d), d),
    )


@op("chunk")
def _chunk(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=1)))
    d = draw(tst.dims(x.ndim))
    chunks = draw(st.integers(1, 4))
    size = -(-x.shape[d] // chunks)
    bounds = list(range(size, x.shape[d], size))
    return Case(
        f"chunk({chunks}, {d})",
        (x,),
        lambda lib, t: _weighted(lib, t.chunk(chunks, d), d),
        lambda a: _weighted_ref(np.split(a, bounds, axis=d), d),
    )


@op("unbind")
def _unbind(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=1)))
    d = draw(tst.dims(x.ndim))
    return Case(
        f"unbind({d})",
        (x,),
        lambda lib, t: lib.stack([p * (i + 1) for i, p in enumerate(lib.module.unbind(t, d))], d),
        lambda a: np.stack([p * (i + 1) for i, p in enumerate(np.moveaxis(a, d, 0))], d),
    )


@op("hstack_vstack")
def _hstack_vstack(draw: st.DrawFn) -> Case:
    shape = draw(tst.shapes(max_dims=2))
    n = draw(st.integers(1, 3))
    xs = tuple(draw(values(shape)) for _ in range(n))
    horizontal = draw(st.booleans())
    name = "hstack" if horizontal else "vstack"
    return Case(
        f"{name} of {n}",
        xs,
        lambda lib, *ts: getattr(lib.module, name)(list(ts)),
        lambda *arrs: (np.hstack if horizontal else np.vstack)(arrs),
    )


# -- indexing ------------------------------------------------------------------------------------


@op("index_select")
def _index_select(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=1)))
    d = draw(tst.dims(x.ndim))
    idx = np.array(draw(st.lists(st.integers(0, x.shape[d] - 1), max_size=5)), dtype=np.int64)
    return Case(
        f"index_select({d}, {idx.tolist()})",
        (x,),
        lambda lib, t: lib.module.index_select(t, d, lib.index(idx)),
        lambda a: np.take(a, idx, axis=d),
    )


@op("masked_select")
def _masked_select(draw: st.DrawFn) -> Case:
    sx, sm = draw(tst.mutually_broadcastable_shapes(2))
    x = draw(values(sx))
    mask = draw(hnp.arrays(np.bool_, sm))
    shape = np.broadcast_shapes(sx, sm)
    return Case(
        f"masked_select(mask {sm})",
        (x,),
        lambda lib, t: lib.module.masked_select(t, lib.index(mask)),
        lambda a: np.broadcast_to(a, shape)[np.broadcast_to(mask, shape)],
    )


def _scatter_index(draw: st.DrawFn, shape: tuple[int, ...], d: int, unique: bool) -> np.ndarray:
    """An index for scatter along d into ``shape``: no larger than shape, values < shape[d]; with
    ``unique`` no position is written twice (where scatter's winner is unspecified)."""
    ishape = tuple(draw(st.integers(1, n)) for n in shape)
    if not unique:
        return draw(hnp.arrays(np.int64, ishape, elements=st.integers(0, shape[d] - 1)))
    picks = [
        draw(st.permutations(range(shape[d])))[: ishape[d]]
        for _ in range(int(np.prod(ishape)) // ishape[d])
    ]
    moved = np.array(picks, dtype=np.int64).reshape(
        *(n for i, n in enumerate(ishape) if i != d), ishape[d]
    )
    return np.moveaxis(moved, -1, d)


def _scatter_ref(x: np.ndarray, src: np.ndarray, idx: np.ndarray, d: int, add: bool) -> np.ndarray:
    out = x.copy()
    for pos in np.ndindex(*idx.shape):
        target = list(pos)
        target[d] = idx[pos]
        if add:
            out[tuple(target)] += src[pos]
        else:
            out[tuple(target)] = src[pos]
    return out


@op("scatter")
def _scatter(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=1)))
    d = draw(tst.dims(x.ndim)) % x.ndim
    idx = _scatter_index(draw, x.shape, d, unique=True)
    src = draw(values(idx.shape))  # (a larger src breaks PyTorch's backward; test_tensor_api)
    return Case(
        f"scatter({d}, {idx.tolist()})",
        (x, src),
        lambda lib, a, b: a.scatter(d, lib.index(idx), b),
        lambda a, b: _scatter_ref(a, b, idx, d, add=False),
    )


@op("scatter_add")
def _scatter_add(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=1)))
    d = draw(tst.dims(x.ndim)) % x.ndim
    idx = _scatter_index(draw, x.shape, d, unique=False)
    src = draw(values(idx.shape))
    return Case(
        f"scatter_add({d}, {idx.tolist()})",
        (x, src),
        lambda lib, a, b: lib.module.scatter_add(a, d, lib.index(idx), b),
        lambda a, b: _scatter_ref(a, b, idx, d, add=True),
    )
