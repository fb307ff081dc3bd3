"""Op-table entries for F.normalize, F.cosine_similarity (and nn.CosineSimilarity), the smooth L1
and Huber losses (and their modules), and nn.utils.rnn.pad_sequence.

Kinks are kept away from: every element is at least 0.1 from 0 for the norms (so no vector is
near zero length, where eps takes over and |x| has its kink for p = 1), and the losses'
differences input - target are at least 0.1 from +-beta (+-delta), where their second
derivative jumps (and from 0 when beta = 0, which is l1_loss).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from op_table import Case, Lib, op, values
from op_table_fused import REDUCTIONS, _const, _reduce
from op_table_train import _nn

from tinygrad_edu.testing import strategies as tst


def _norm_ref(a: np.ndarray, p: float, axis: int) -> np.ndarray:
    return np.sum(np.abs(a) ** p, axis=axis, keepdims=True) ** (1.0 / p)


# -- lengths and angles ---------------------------------------------------------------------------


@op("normalize")
def _normalize(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=1), avoid=(0.0,)))
    d = draw(tst.dims(x.ndim))
    p = draw(st.sampled_from([2.0, 1.0, 3.0]))
    eps = draw(st.sampled_from([1e-12, 1e-3]))
    return Case(
        f"normalize(p={p}, dim={d}, eps={eps})",
        (x,),
        lambda lib, t: lib.F.normalize(t, p=p, dim=d, eps=eps),
        lambda a: a / np.maximum(_norm_ref(a, p, d), eps),
    )


def _cosine_ref(a: np.ndarray, b: np.ndarray, d: int) -> np.ndarray:
    a, b = np.broadcast_arrays(a, b)
    return np.sum(a / _norm_ref(a, 2.0, d) * (b / _norm_ref(b, 2.0, d)), axis=d)


@op("cosine_similarity")
def _cosine_similarity(draw: st.DrawFn) -> Case:
    """x1 and x2 broadcast against each other (the norms are of the broadcast vectors)."""
    s1, s2 = draw(tst.mutually_broadcastable_shapes(2, min_dims=1))
    x1, x2 = draw(values(s1, avoid=(0.0,))), draw(values(s2, avoid=(0.0,)))
    d = draw(tst.dims(max(len(s1), len(s2))))
    return Case(
        f"cosine_similarity(dim={d})",
        (x1, x2),
        lambda lib, a, b: lib.F.cosine_similarity(a, b, dim=d),
        lambda a, b: _cosine_ref(a, b, d),
    )


@op("nn_cosine_similarity")
def _nn_cosine_similarity(draw: st.DrawFn) -> Case:
    shape = draw(tst.shapes(min_dims=2))
    x1, x2 = draw(values(shape, avoid=(0.0,))), draw(values(shape, avoid=(0.0,)))
    return Case(
        "CosineSimilarity()",
        (x1, x2),
        lambda lib, a, b: _nn(lib).CosineSimilarity()(a, b),
        lambda a, b: _cosine_ref(a, b, 1),
    )


# -- robust regression losses ---------------------------------------------------------------------


def _pair(draw: st.DrawFn, kink: float) -> tuple[np.ndarray, np.ndarray]:
    """input and target whose differences are at least 0.1 away from +-kink."""
    x = draw(values(tst.shapes()))
    diff = draw(values(x.shape, avoid=(-kink, kink)))
    return x, x - diff


def _smooth_l1_ref(d: np.ndarray, beta: float) -> np.ndarray:
    if beta == 0.0:
        return np.abs(d)
    return np.where(np.abs(d) < beta, 0.5 * d * d / beta, np.abs(d) - 0.5 * beta)


@op("smooth_l1_loss")
def _smooth_l1_loss(draw: st.DrawFn) -> Case:
    beta = draw(st.sampled_from([1.0, 0.5, 2.0, 0.0]))
    reduction = draw(st.sampled_from(REDUCTIONS))
    x, y = _pair(draw, beta)
    return Case(
        f"smooth_l1_loss(reduction={reduction!r}, beta={beta})",
        (x, y),
        lambda lib, a, b: lib.F.smooth_l1_loss(a, b, reduction=reduction, beta=beta),
        lambda a, b: _reduce(_smooth_l1_ref(a - b, beta), reduction),
    )


def _huber_ref(d: np.ndarray, delta: float) -> np.ndarray:
    return np.where(np.abs(d) < delta, 0.5 * d * d, delta * (np.abs(d) - 0.5 * delta))


@op("huber_loss")
def _huber_loss(draw: st.DrawFn) -> Case:
    delta = draw(st.sampled_from([1.0, 0.5, 2.0]))
    reduction = draw(st.sampled_from(REDUCTIONS))
    x, y = _pair(draw, delta)
    weight = draw(st.none() | values(x.shape, 0.1, 2.0))

    def fn(lib: Lib, a: Any, b: Any) -> Any:
        return lib.F.huber_loss(a, b, reduction, delta, weight=_const(lib, weight, a))

    def ref(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        loss = _huber_ref(a - b, delta)
        return _reduce(loss if weight is None else loss * weight, reduction)

    return Case(
        f"huber_loss({reduction!r}, delta={delta}, weight={weight is not None})", (x, y), fn, ref
    )


@op("nn_smooth_l1_loss")
def _nn_smooth_l1_loss(draw: st.DrawFn) -> Case:
    x, y = _pair(draw, 0.5)
    return Case(
        "SmoothL1Loss(beta=0.5)",
        (x, y),
        lambda lib, a, b: _nn(lib).SmoothL1Loss(beta=0.5)(a, b),
        lambda a, b: _smooth_l1_ref(a - b, 0.5).mean(),
    )


@op("nn_huber_loss")
def _nn_huber_loss(draw: st.DrawFn) -> Case:
    x, y = _pair(draw, 1.5)
    return Case(
        "HuberLoss('sum', 1.5)",
        (x, y),
        lambda lib, a, b: _nn(lib).HuberLoss("sum", 1.5)(a, b),
        lambda a, b: _huber_ref(a - b, 1.5).sum(),
    )


# -- padding sequences ----------------------------------------------------------------------------


def _pad_ref(
    arrays: tuple[np.ndarray, ...], batch_first: bool, value: float, side: str
) -> np.ndarray:
    longest = max(a.shape[0] for a in arrays)
    rows = []
    for a in arrays:
        fill = np.full((longest - a.shape[0], *a.shape[1:]), value)
        rows.append(np.concatenate([a, fill] if side == "right" else [fill, a]))
    return np.stack(rows, axis=0 if batch_first else 1)


@op("pad_sequence")
def _pad_sequence(draw: st.DrawFn) -> Case:
    """1 to 3 sequences (L_i, *trailing) of lengths 1 to 4, padded right or left."""
    trailing = draw(tst.shapes(max_dims=2, max_side=3))
    lengths = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    xs = tuple(draw(values((n, *trailing))) for n in lengths)
    batch_first = draw(st.booleans())
    value = draw(st.sampled_from([0.0, -1.5]))
    side = draw(st.sampled_from(["right", "left"]))

    def fn(lib: Lib, *ts: Any) -> Any:
        return lib.module.nn.utils.rnn.pad_sequence(
            list(ts), batch_first=batch_first, padding_value=value, padding_side=side
        )

    return Case(
        f"pad_sequence(lengths {lengths}, batch_first={batch_first}, padding_value={value}, "
        f"padding_side={side!r})",
        xs,
        fn,
        lambda *arrs: _pad_ref(arrs, batch_first, value, side),
    )
