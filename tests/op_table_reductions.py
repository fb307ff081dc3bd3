"""Op-table entries for the reductions and orderings of the tensor API: prod, cumsum, cumprod
(with exact zeros among the factors, where the gradient needs its other formula), logsumexp,
norms, median, sort, topk, and the values of max/min along a dim through the functions."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_table import Case, op, values

from tinygrad_edu.testing import strategies as tst


def _with_zeros(draw: st.DrawFn, x: np.ndarray) -> np.ndarray:
    """x with some elements (maybe none, maybe several in one slice) set to exactly 0. The rest
    stay away from 0: for factors like 1e-16 PyTorch's second derivatives, which divide by x,
    lose their accuracy (ours do not divide there, but the parity test would fail on torch's)."""
    zeros = draw(hnp.arrays(np.bool_, x.shape, elements=st.sampled_from([False, False, True])))
    return np.where(zeros, 0.0, x)


@op("prod")
def _prod(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(), -2.0, 2.0, avoid=(0.0,)))  # (tiny factors: see _with_zeros)
    if draw(st.booleans()):
        x = _with_zeros(draw, x)
    dim = draw(st.none() | tst.dims(x.ndim)) if x.ndim else None
    keepdim = draw(st.booleans())

    def call(lib: Any, t: Any) -> Any:
        return t.prod() if dim is None else lib.module.prod(t, dim, keepdim=keepdim)

    return Case(
        f"prod(dim={dim}, keepdim={keepdim})",
        (x,),
        call,
        lambda a: np.prod(a) if dim is None else np.prod(a, axis=dim, keepdims=keepdim),
    )


@op("cumsum")
def _cumsum(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=1)))
    d = draw(tst.dims(x.ndim))
    return Case(f"cumsum({d})", (x,), lambda lib, t: t.cumsum(d), lambda a: np.cumsum(a, axis=d))


@op("cumprod")
def _cumprod(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=1), -2.0, 2.0, avoid=(0.0,)))
    if draw(st.booleans()):
        x = _with_zeros(draw, x)
    d = draw(tst.dims(x.ndim))
    return Case(
        f"cumprod({d})",
        (x,),
        lambda lib, t: lib.module.cumprod(t, dim=d),
        lambda a: np.cumprod(a, axis=d),
    )


@op("logsumexp")
def _logsumexp(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=1)))
    dims = draw(
        tst.dims(x.ndim) | st.lists(st.integers(0, x.ndim - 1), min_size=1, unique=True).map(tuple)
    )
    keepdim = draw(st.booleans())
    axis = dims if isinstance(dims, tuple) else (dims,)
    return Case(
        f"logsumexp({dims}, keepdim={keepdim})",
        (x,),
        lambda lib, t: lib.module.logsumexp(t, dims, keepdim=keepdim),
        lambda a: np.log(np.sum(np.exp(a), axis=axis, keepdims=keepdim)),
    )


def _norm_ref(a: np.ndarray, p: float, axis: Any, keepdims: bool) -> np.ndarray:
    m = np.abs(a)
    if p == np.inf:
        return np.max(m, axis=axis, keepdims=keepdims)
    if p == -np.inf:
        return np.min(m, axis=axis, keepdims=keepdims)
    return np.sum(m**p, axis=axis, keepdims=keepdims) ** (1 / p)


@op("norm")
def _norm(draw: st.DrawFn) -> Case:
    """p = 2, 1, 3, 0.5, inf, -inf over dims; magnitudes distinct and away from 0 (|x| has a
    kink there, and max |x| one at ties)."""
    shape = draw(tst.shapes(min_dims=1, max_dims=2, max_side=3))
    magnitudes = draw(tst.distinct_arrays(np.float64, shape, spacing=0.2, center=2.0))
    signs = draw(hnp.arrays(np.bool_, shape))
    x = np.where(signs, -magnitudes, magnitudes)
    p = draw(st.sampled_from([2, 1, 3, 0.5, np.inf, -np.inf]))
    dims = draw(tst.reduce_dims(x.ndim))
    keepdim = draw(st.booleans())
    axis = dims if dims is None or isinstance(dims, tuple) else (dims,)

    def call(lib: Any, t: Any) -> Any:
        if dims is None and not keepdim:
            return t.norm(p)
        return lib.module.norm(
            t, p, dim=dims if dims is not None else tuple(range(t.ndim)), keepdim=keepdim
        )

    return Case(
        f"norm(p={p}, dim={dims}, keepdim={keepdim})",
        (x,),
        call,
        lambda a: _norm_ref(a, p, axis, keepdim),
    )


@op("vector_norm")
def _vector_norm(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(), avoid=(0.0,)))
    ord = draw(st.sampled_from([2, 1, 4]))
    return Case(
        f"linalg.vector_norm(ord={ord})",
        (x,),
        lambda lib, t: lib.module.linalg.vector_norm(t, ord),
        lambda a: _norm_ref(a, ord, None, False),
    )


@op("matrix_norm")
def _matrix_norm(draw: st.DrawFn) -> Case:
    """'fro', and 1 / inf (the largest column / row sum of |a|), whose sums are kept apart."""
    shape = draw(tst.shapes(min_dims=2, max_dims=3, max_side=3))
    x = draw(values(shape, avoid=(0.0,)))
    ord = draw(st.sampled_from(["fro", 1, np.inf]))
    if ord != "fro":
        sums = np.abs(x).sum(axis=-2 if ord == 1 else -1)
        top = np.sort(sums, axis=-1)
        if top.shape[-1] > 1:
            assume(np.all(top[..., -1] - top[..., -2] > 0.05))  # no tie for the largest

    def ref(a: np.ndarray) -> np.ndarray:
        if ord == "fro":
            return np.sqrt((a * a).sum(axis=(-2, -1)))
        return np.abs(a).sum(axis=-2 if ord == 1 else -1).max(axis=-1)

    return Case(
        f"linalg.matrix_norm(ord={ord})",
        (x,),
        lambda lib, t: lib.module.linalg.matrix_norm(t, ord),
        ref,
    )


# -- orderings: gradients flow to the elements picked --------------------------------------------


@op("median_all")
def _median_all(draw: st.DrawFn) -> Case:
    x = draw(tst.distinct_arrays(np.float64, tst.shapes()))
    flat = np.sort(x, axis=None)
    return Case("median()", (x,), lambda lib, t: t.median(), lambda a: flat[(flat.size - 1) // 2])


@op("median_dim")
def _median_dim(draw: st.DrawFn) -> Case:
    x = draw(tst.distinct_arrays(np.float64, tst.shapes(min_dims=1)))
    d, keepdim = draw(tst.dims(x.ndim)), draw(st.booleans())

    def ref(a: np.ndarray) -> np.ndarray:
        s = np.sort(a, axis=d)
        return (
            np.take(s, [(a.shape[d] - 1) // 2], axis=d)
            if keepdim
            else np.take(s, (a.shape[d] - 1) // 2, axis=d)
        )

    return Case(
        f"median({d}, keepdim={keepdim}).values",
        (x,),
        lambda lib, t: lib.module.median(t, d, keepdim).values,
        ref,
    )


@op("sort")
def _sort(draw: st.DrawFn) -> Case:
    x = draw(tst.distinct_arrays(np.float64, tst.shapes(min_dims=1)))
    d, descending = draw(tst.dims(x.ndim)), draw(st.booleans())

    def ref(a: np.ndarray) -> np.ndarray:
        s = np.sort(a, axis=d)
        return np.flip(s, axis=d) if descending else s

    return Case(
        f"sort({d}, descending={descending}).values",
        (x,),
        lambda lib, t: t.sort(d, descending).values,
        ref,
    )


@op("topk")
def _topk(draw: st.DrawFn) -> Case:
    x = draw(tst.distinct_arrays(np.float64, tst.shapes(min_dims=1)))
    d, largest = draw(tst.dims(x.ndim)), draw(st.booleans())
    k = draw(st.integers(0, x.shape[d]))

    def ref(a: np.ndarray) -> np.ndarray:
        s = np.sort(a, axis=d)
        s = np.flip(s, axis=d) if largest else s
        return np.take(s, np.arange(k), axis=d)

    return Case(
        f"topk({k}, {d}, largest={largest}).values",
        (x,),
        lambda lib, t: lib.module.topk(t, k, d, largest).values,
        ref,
    )


@op("max_dim_function")
def _max_dim_function(draw: st.DrawFn) -> Case:
    x = draw(tst.distinct_arrays(np.float64, tst.shapes(min_dims=1)))
    d = draw(tst.dims(x.ndim))
    return Case(
        f"max(x, {d}) - min(x, {d})",
        (x,),
        lambda lib, t: lib.module.max(t, d).values - lib.module.min(t, dim=d)[0],
        lambda a: np.max(a, axis=d) - np.min(a, axis=d),
    )
