"""Op-table entries for the fused ops (ops/nn_ops.py), the losses built on them, and the in-place
Functions (ops/inplace.py) with the recorded in-place arithmetic.

Each is written once against the ``Lib`` adapter, so the same lambda runs on tinygrad_edu and on
torch (``lib.F`` is the functional module, ``lib.rnn_cell`` one recurrent step). Constants that
get no gradient (class weights, pos_weight, class-index targets) live in the case's closure and
are made tensors of the input's dtype at call time, so the float32 runs stay float32.

Values stay away from kinks: BCE probabilities in [0.05, 0.95] (far from the clamp of the logs
at -100 and of x (1 - x) at 1e-12), logits within [-3, 3], relu pre-activations at least 0.02
from 0, clamp bounds 0.1 away.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from helpers import log_softmax
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_table import Case, Lib, op, values

from tinygrad_edu.testing import strategies as tst

REDUCTIONS = ("mean", "sum", "none")


def _const(lib: Lib, array: np.ndarray | None, like: Any) -> Any:
    """A constant (no gradient) of ``like``'s dtype, or None."""
    return None if array is None else lib.tensor(array, False).to(like.dtype)


def _reduce(loss: np.ndarray, reduction: str, denominator: float | None = None) -> np.ndarray:
    """'none' | 'sum' | 'mean' (the mean divides by ``denominator``, default: the count)."""
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / (loss.size if denominator is None else denominator)


# -- linear and the recurrent step -------------------------------------------------------------


@op("linear")
def _linear(draw: st.DrawFn) -> Case:
    """F.linear (ops.nn_ops.Linear): x (*batch, in) with 0 to 2 batch dims, W (out, in), b (out,)."""
    batch = draw(tst.shapes(max_dims=2, max_side=3))
    n_in, n_out = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    x, w = draw(values((*batch, n_in))), draw(values((n_out, n_in)))
    if draw(st.booleans()):
        b = draw(values((n_out,)))
        return Case(
            "linear(x, W, b)",
            (x, w, b),
            lambda lib, x, w, b: lib.F.linear(x, w, b),
            lambda x, w, b: x @ w.T + b,
        )
    return Case("linear(x, W)", (x, w), lambda lib, x, w: lib.F.linear(x, w), lambda x, w: x @ w.T)


def _rnn_cell(nonlinearity: str) -> None:
    """ops.recurrent.RNNCell: act(x W_ih^T + b_ih + h W_hh^T + b_hh), batched or not, biases or not."""

    def build(draw: st.DrawFn) -> Case:
        batch = draw(st.sampled_from([(), (1,), (2,), (3,)]))
        n_in, hidden = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        x = draw(values((*batch, n_in), -2.0, 2.0))
        h = draw(values((*batch, hidden), -1.0, 1.0))
        w_ih = draw(values((hidden, n_in), -1.0, 1.0))
        w_hh = draw(values((hidden, hidden), -1.0, 1.0))
        biases = (draw(values((hidden,), -1.0, 1.0)), draw(values((hidden,), -1.0, 1.0)))
        with_bias = draw(st.booleans())
        z = x @ w_ih.T + h @ w_hh.T + (biases[0] + biases[1] if with_bias else 0.0)
        if nonlinearity == "relu":  # the kink of relu at z = 0
            assume(np.all(np.abs(z) > 0.02))

        def ref(*arrays: np.ndarray) -> np.ndarray:
            x, h, w_ih, w_hh, *b = arrays
            z = x @ w_ih.T + h @ w_hh.T + (b[0] + b[1] if b else 0.0)
            return np.tanh(z) if nonlinearity == "tanh" else np.maximum(z, 0.0)

        def call(lib: Lib, x: Any, h: Any, w_ih: Any, w_hh: Any, *b: Any) -> Any:
            b_ih, b_hh = b if b else (None, None)
            return lib.rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh, nonlinearity)

        arrays = (x, h, w_ih, w_hh, *(biases if with_bias else ()))
        label = f"RNNCell({nonlinearity}, batch {batch}, bias={with_bias})"
        return Case(label, arrays, call, ref)

    op(f"rnn_cell_{nonlinearity}")(build)


_rnn_cell("tanh")
_rnn_cell("relu")


# -- classification losses ---------------------------------------------------------------------


@st.composite
def _class_problem(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Logits of shape (C,), (N, C) or (N, C, d), class-index targets of the input's shape without
    the class dim (some set to ``ignore_index``, never all), and that ignore_index."""
    c = draw(st.integers(2, 4))
    layout = draw(st.sampled_from(["(C,)", "(N, C)", "(N, C, d)"]))
    n, d = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    shape = {"(C,)": (c,), "(N, C)": (n, c), "(N, C, d)": (n, c, d)}[layout]
    target_shape = {"(C,)": (), "(N, C)": (n,), "(N, C, d)": (n, d)}[layout]
    x = draw(values(shape))
    target = draw(hnp.arrays(np.int64, target_shape, elements=st.integers(0, c - 1)))
    ignore_index = draw(st.sampled_from([-100, 0, c - 1]))  # the default, or a real class
    if ignore_index == -100 and target.size > 1 and draw(st.booleans()):
        target.flat[0] = -100  # an ignored row next to kept ones
    assume(np.any(target != ignore_index))  # all ignored: 0/0 in the mean
    return x, target, ignore_index, c


def _class_weights(draw: st.DrawFn, c: int) -> np.ndarray | None:
    return draw(st.one_of(st.none(), values((c,), 0.5, 2.0)))


def _index_loss_ref(
    logp: np.ndarray,
    target: np.ndarray,
    weight: np.ndarray | None,
    ignore_index: int,
    smoothing: float,
    reduction: str,
) -> np.ndarray:
    """PyTorch's definition, from log-probabilities (class dim 1, or 0 for an unbatched input):
    loss_i = -(1 - s) w_{y_i} logp_{i y_i} - (s / C) sum_c w_c logp_ic, 0 where y_i is ignored;
    the mean divides by the sum of w_{y_i} over the rows kept."""
    rows = np.moveaxis(logp[None] if logp.ndim == 1 else logp, 1, -1)  # class dim last
    c = rows.shape[-1]
    w = np.ones(c) if weight is None else weight
    keep = target != ignore_index
    safe = np.where(keep, target, 0)
    w_y = w[safe] * keep
    picked = np.take_along_axis(rows, safe.reshape(*rows.shape[:-1], 1), axis=-1)[..., 0]
    loss = -(1.0 - smoothing) * w_y * picked.reshape(target.shape)
    if smoothing:
        loss = loss - (smoothing / c) * keep * (rows * w).sum(-1).reshape(target.shape)
    return _reduce(loss, reduction, w_y.sum())


@op("cross_entropy")
def _cross_entropy(draw: st.DrawFn) -> Case:
    """Class-index targets: ops.nn_ops.CrossEntropy (its plain path when nothing is ignored,
    weighted or smoothed)."""
    x, target, ignore_index, c = draw(_class_problem())
    weight = _class_weights(draw, c)
    smoothing = draw(st.sampled_from([0.0, 0.0, 0.1, 0.3]))
    reduction = draw(st.sampled_from(REDUCTIONS))

    def call(lib: Lib, t: Any) -> Any:
        return lib.F.cross_entropy(
            t,
            lib.index(target),
            _const(lib, weight, t),
            ignore_index=ignore_index,
            reduction=reduction,
            label_smoothing=smoothing,
        )

    def ref(x: np.ndarray) -> np.ndarray:
        class_dim = 0 if x.ndim == 1 else 1
        logp = log_softmax(x, class_dim)
        return _index_loss_ref(logp, target, weight, ignore_index, smoothing, reduction)

    label = (
        f"cross_entropy(target {target.tolist()}, weight={weight is not None}, "
        f"ignore_index={ignore_index}, label_smoothing={smoothing}, reduction={reduction!r})"
    )
    return Case(label, (x,), call, ref)


@op("cross_entropy_probs")
def _cross_entropy_probs(draw: st.DrawFn) -> Case:
    """Class-probability targets (a float target of the input's shape, differentiable too)."""
    c = draw(st.integers(2, 4))
    shape = draw(st.sampled_from([(c,), (draw(st.integers(1, 3)), c), (2, c, 2)]))
    class_dim = 0 if len(shape) == 1 else 1
    x = draw(values(shape))
    target = np.exp(log_softmax(draw(values(shape, -1.0, 1.0)), class_dim))
    weight = _class_weights(draw, c)
    smoothing = draw(st.sampled_from([0.0, 0.2]))
    reduction = draw(st.sampled_from(REDUCTIONS))

    def call(lib: Lib, t: Any, p: Any) -> Any:
        return lib.F.cross_entropy(
            t, p, _const(lib, weight, t), reduction=reduction, label_smoothing=smoothing
        )

    def ref(x: np.ndarray, p: np.ndarray) -> np.ndarray:
        p = p * (1.0 - smoothing) + smoothing / c
        w = (np.ones(c) if weight is None else weight).reshape(
            (c,) + (1,) * (x.ndim - class_dim - 1)
        )
        loss = -(p * w * log_softmax(x, class_dim)).sum(axis=class_dim)
        return _reduce(loss, reduction, x.size / c)  # the mean is over samples

    label = (
        f"cross_entropy(probabilities, weight={weight is not None}, label_smoothing={smoothing}, "
        f"reduction={reduction!r})"
    )
    return Case(label, (x, target), call, ref)


@op("nll_loss")
def _nll_loss(draw: st.DrawFn) -> Case:
    x, target, ignore_index, c = draw(_class_problem())
    weight = _class_weights(draw, c)
    reduction = draw(st.sampled_from(REDUCTIONS))

    def call(lib: Lib, t: Any) -> Any:
        w = _const(lib, weight, t)
        return lib.F.nll_loss(
            t, lib.index(target), w, ignore_index=ignore_index, reduction=reduction
        )

    label = (
        f"nll_loss(target {target.tolist()}, weight={weight is not None}, "
        f"ignore_index={ignore_index}, reduction={reduction!r})"
    )
    return Case(
        label,
        (x,),
        call,
        lambda x: _index_loss_ref(x, target, weight, ignore_index, 0.0, reduction),
    )


@op("binary_cross_entropy")
def _binary_cross_entropy(draw: st.DrawFn) -> Case:
    """ops.nn_ops.BinaryCrossEntropy: gradients for the probabilities and the targets."""
    shape = draw(tst.shapes(min_dims=1))
    x, y = draw(values(shape, 0.05, 0.95)), draw(values(shape, 0.05, 0.95))
    weight = draw(st.one_of(st.none(), values(tst.broadcastable_shapes(shape), 0.5, 2.0)))
    reduction = draw(st.sampled_from(REDUCTIONS))

    def call(lib: Lib, p: Any, q: Any) -> Any:
        return lib.F.binary_cross_entropy(p, q, _const(lib, weight, p), reduction=reduction)

    def ref(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        loss = -(y * np.log(x) + (1.0 - y) * np.log(1.0 - x))
        return _reduce(loss if weight is None else loss * weight, reduction)

    wshape = None if weight is None else weight.shape
    return Case(f"binary_cross_entropy(weight {wshape}, {reduction!r})", (x, y), call, ref)


@op("binary_cross_entropy_with_logits")
def _bce_with_logits(draw: st.DrawFn) -> Case:
    """ops.nn_ops.BCEWithLogits, with and without weight and pos_weight (each broadcast to x)."""
    shape = draw(tst.shapes(min_dims=1))
    x, y = draw(values(shape)), draw(values(shape, 0.0, 1.0))
    weight = draw(st.one_of(st.none(), values(tst.broadcastable_shapes(shape), 0.5, 2.0)))
    pos_weight = draw(st.one_of(st.none(), values(tst.broadcastable_shapes(shape), 0.5, 3.0)))
    reduction = draw(st.sampled_from(REDUCTIONS))

    def call(lib: Lib, t: Any, q: Any) -> Any:
        return lib.F.binary_cross_entropy_with_logits(
            t,
            q,
            _const(lib, weight, t),
            reduction=reduction,
            pos_weight=_const(lib, pos_weight, t),
        )

    def ref(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        # -w (p y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))), p = pos_weight
        p = 1.0 if pos_weight is None else pos_weight
        loss = p * y * np.log1p(np.exp(-x)) + (1.0 - y) * (x + np.log1p(np.exp(-x)))
        return _reduce(loss if weight is None else loss * weight, reduction)

    shapes = [None if a is None else a.shape for a in (weight, pos_weight)]
    label = f"binary_cross_entropy_with_logits(weight {shapes[0]}, pos_weight {shapes[1]})"
    return Case(f"{label}, {reduction!r}", (x, y), call, ref)


# -- in-place: recorded on a tensor in a graph -------------------------------------------------

# The non-leaf an in-place op changes: a leaf that requires grad cannot be changed in place.
_NON_LEAF = {"clone()": lambda t: t.clone(), "* 1": lambda t: t * 1.0}


def _non_leaf(draw: st.DrawFn) -> tuple[str, Any]:
    name = draw(st.sampled_from(sorted(_NON_LEAF)))
    return name, _NON_LEAF[name]


@op("copy_")
def _copy(draw: st.DrawFn) -> Case:
    """ops.inplace.Overwrite as copy_ records it: src broadcast into a non-leaf."""
    x = draw(values(tst.shapes()))
    src = draw(values(tst.broadcastable_shapes(x.shape)))
    how, make = _non_leaf(draw)

    def call(lib: Lib, t: Any, s: Any) -> Any:
        return make(t).copy_(s)

    return Case(
        f"(x {how}).copy_(src {src.shape})",
        (x, src),
        call,
        lambda x, s: np.broadcast_to(s, x.shape).copy(),
    )


@op("fill_")
def _fill(draw: st.DrawFn) -> Case:
    """ops.inplace.Overwrite as fill_ records it, with a number or a 0-d tensor (which gets the
    gradient summed over every element)."""
    x = draw(values(tst.shapes()))
    how, make = _non_leaf(draw)
    if draw(st.booleans()):
        value = draw(st.floats(-3.0, 3.0))
        return Case(
            f"(x {how}).fill_({value})",
            (x,),
            lambda lib, t: make(t).fill_(value),
            lambda x: np.full_like(x, value),
        )
    v = draw(values(()))
    return Case(
        f"(x {how}).fill_(0-d tensor)",
        (x, v),
        lambda lib, t, s: make(t).fill_(s),
        lambda x, s: np.full_like(x, s),
    )


@st.composite
def _setitem_index(draw: st.DrawFn, shape: tuple[int, ...]) -> tuple[str, Any]:
    """A basic index, a boolean mask, or integer arrays without repeats (with repeats the value
    written last would win, an order neither library promises)."""
    kind = draw(st.sampled_from(["basic", "mask", "int array"]))
    if kind == "basic":
        return kind, draw(tst.basic_indices(shape))
    if kind == "mask":
        mask = draw(hnp.arrays(np.bool_, shape[: draw(st.integers(1, len(shape)))]))
        assume(mask.any())
        return kind, mask
    picks = draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=shape[0], unique=True))
    return kind, np.array(picks)


@op("setitem")
def _setitem(draw: st.DrawFn) -> Case:
    """ops.inplace.SetItem as ``y[index] = v`` records it on a non-leaf y."""
    x = draw(values(tst.shapes(min_dims=1)))
    kind, index = draw(_setitem_index(x.shape))
    v = draw(values(tst.broadcastable_shapes(x[index].shape)))
    how, make = _non_leaf(draw)

    def call(lib: Lib, t: Any, s: Any) -> Any:
        y = make(t)
        y[lib.index(index) if isinstance(index, np.ndarray) else index] = s
        return y

    def ref(x: np.ndarray, s: np.ndarray) -> np.ndarray:
        out = x.copy()
        out[index] = s
        return out

    return Case(f"y = x {how}; y[{kind} {index}] = v {v.shape}", (x, v), call, ref)


def _inplace_binary(
    method: str,
    ref: Any,
    x_range: tuple[float, float] = (-3.0, 3.0),
    y_range: tuple[float, float] = (-3.0, 3.0),
    y_avoid: tuple[float, ...] = (),
    alpha: bool = False,
) -> None:
    """y = x.clone() (or x * 1); y.<method>(other): other broadcasts to x's shape, as in place it
    must; ``alpha`` (add_ and sub_) is sometimes given."""

    def build(draw: st.DrawFn) -> Case:
        x = draw(values(tst.shapes(), *x_range))
        other = draw(values(tst.broadcastable_shapes(x.shape), *y_range, avoid=y_avoid))
        how, make = _non_leaf(draw)
        kwargs = {"alpha": draw(st.sampled_from([1, 2.5, -0.5]))} if alpha else {}

        def call(lib: Lib, t: Any, u: Any) -> Any:
            return getattr(make(t), method)(u, **kwargs)

        scale = kwargs.get("alpha", 1)
        return Case(
            f"(x {how}).{method}(other {other.shape}, {kwargs})",
            (x, other),
            call,
            lambda x, u: ref(x, u * scale) if alpha else ref(x, u),
        )

    op(method)(build)


_inplace_binary("add_", np.add, alpha=True)
_inplace_binary("sub_", np.subtract, alpha=True)
_inplace_binary("mul_", np.multiply)
_inplace_binary("div_", np.divide, y_range=(-2.0, 2.0), y_avoid=(0.0,))
# A positive base, an exponent away from 0 (see "pow" in op_table.py).
_inplace_binary("pow_", np.power, x_range=(0.3, 2.0), y_range=(-2.0, 2.0), y_avoid=(0.0,))


@op("pow__scalar")
def _pow_scalar_inplace(draw: st.DrawFn) -> Case:
    p = draw(st.sampled_from([2, 3, -1, 0.5, 1.5]))
    x = draw(values(tst.shapes(), 0.3, 2.0))
    how, make = _non_leaf(draw)
    return Case(f"(x {how}).pow_({p})", (x,), lambda lib, t: make(t).pow_(p), lambda a: a**p)


@op("clamp_")
def _clamp_inplace(draw: st.DrawFn) -> Case:
    lo, hi = draw(st.sampled_from([(-1.0, 1.0), (-0.5, None), (None, 0.5)]))
    x = draw(values(tst.shapes(), avoid=tuple(b for b in (lo, hi) if b is not None)))
    how, make = _non_leaf(draw)
    return Case(
        f"(x {how}).clamp_(min={lo}, max={hi})",
        (x,),
        lambda lib, t: make(t).clamp_(min=lo, max=hi),
        lambda a: np.clip(a, lo, hi),
    )
