"""Op-table entries for the elementwise ops of the tensor API: trigonometry, exponentials and
logs, erf, rounding (zero gradient), atan2, fmod/remainder, lerp, clamp with tensor bounds,
masked_fill, and the activations of nn.functional.

Values keep away from each op's kinks and poles; a ``lib.module``/``lib.F`` call runs
the torch-level function on both libraries.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_table import Case, op, values

from tinygrad_edu.testing import strategies as tst

INTEGERS = tuple(float(k) for k in range(-4, 5))
HALVES = tuple(k + 0.5 for k in range(-4, 4))
erf_ref = np.vectorize(math.erf)
erfc_ref = np.vectorize(math.erfc)


def unary(
    name: str,
    fn: Callable[[Any, Any], Any],
    ref: Callable[[np.ndarray], np.ndarray],
    lo: float = -3.0,
    hi: float = 3.0,
    avoid: tuple[float, ...] = (),
) -> None:
    """An entry for fn(lib, t) on one small tensor of values in [lo, hi] away from ``avoid``."""

    def build(draw: st.DrawFn) -> Case:
        x = draw(values(tst.shapes(), lo, hi, avoid))
        return Case(name, (x,), fn, ref)

    op(name)(build)


# -- trigonometry --------------------------------------------------------------------------------

unary("sin", lambda lib, t: t.sin(), np.sin)
unary("cos", lambda lib, t: lib.module.cos(t), np.cos)
unary("tan", lambda lib, t: t.tan(), np.tan, lo=-1.2, hi=1.2)
unary("asin", lambda lib, t: t.asin(), np.arcsin, lo=-0.9, hi=0.9)
unary("acos", lambda lib, t: lib.module.acos(t), np.arccos, lo=-0.9, hi=0.9)
unary("atan", lambda lib, t: t.arctan(), np.arctan)
unary("sinh", lambda lib, t: t.sinh(), np.sinh)
unary("cosh", lambda lib, t: lib.module.cosh(t), np.cosh)

# -- exponentials, logarithms, roots, erf -------------------------------------------------------

unary("exp2", lambda lib, t: t.exp2(), np.exp2)
unary("expm1", lambda lib, t: lib.module.expm1(t), np.expm1)
unary("log2", lambda lib, t: t.log2(), np.log2, lo=0.2)
unary("log10", lambda lib, t: lib.module.log10(t), np.log10, lo=0.2)
unary("log1p_fn", lambda lib, t: lib.module.log1p(t), np.log1p, lo=-0.8)
unary("rsqrt", lambda lib, t: t.rsqrt(), lambda a: 1 / np.sqrt(a), lo=0.2)
unary("square", lambda lib, t: lib.module.square(t), np.square)
unary("reciprocal", lambda lib, t: t.reciprocal(), np.reciprocal, lo=-2.0, hi=2.0, avoid=(0.0,))
unary("erf", lambda lib, t: t.erf(), erf_ref)
unary("erfc", lambda lib, t: lib.module.erfc(t), erfc_ref, lo=-3.0, hi=5.0)
unary("abs_fn", lambda lib, t: lib.module.abs(t), np.abs, avoid=(0.0,))
unary("neg_fn", lambda lib, t: lib.module.neg(t), np.negative)

# -- rounding: flat between the jumps, so the gradient is 0 ------------------------------------

unary("floor", lambda lib, t: t.floor(), np.floor, avoid=INTEGERS)
unary("ceil", lambda lib, t: lib.module.ceil(t), np.ceil, avoid=INTEGERS)
unary("trunc", lambda lib, t: t.trunc(), np.trunc, avoid=INTEGERS)
unary("round", lambda lib, t: lib.module.round(t), np.round, avoid=HALVES)
unary("sign", lambda lib, t: t.sign(), np.sign, avoid=(0.0,))
unary("frac", lambda lib, t: t.frac(), lambda a: a - np.trunc(a), avoid=INTEGERS)


@op("round_decimals")
def _round_decimals(draw: st.DrawFn) -> Case:
    halves = tuple(k / 10 + 0.05 for k in range(-30, 30))  # x.x5 rounds either way
    x = draw(
        tst.arrays(np.float64, tst.shapes(), min_value=-3, max_value=3, avoid=halves, margin=0.01)
    )
    return Case(
        "round(decimals=1)", (x,), lambda lib, t: t.round(decimals=1), lambda a: np.round(a, 1)
    )


# -- two and three inputs, broadcast ------------------------------------------------------------


@op("atan2")
def _atan2(draw: st.DrawFn) -> Case:
    sy, sx = draw(tst.mutually_broadcastable_shapes(2))
    y = draw(values(sy, avoid=(0.0,)))  # the branch cut is at y = 0, x < 0
    x = draw(values(sx, avoid=(0.0,)))
    return Case("atan2", (y, x), lambda lib, a, b: lib.module.atan2(a, b), np.arctan2)


def _remainder(name: str, method: str, ref: Callable[..., np.ndarray]) -> None:
    """x = y (k + f) with k whole and 0.1 <= f <= 0.9: x / y is never near a jump."""

    def build(draw: st.DrawFn) -> Case:
        sx, sy = draw(tst.mutually_broadcastable_shapes(2))
        y = draw(
            values(
                sy,
                -2.0,
                2.0,
                avoid=(0.0,),
            )
        )
        y = np.where(np.abs(y) < 0.5, np.sign(y) * 0.5, y)
        shape = np.broadcast_shapes(sx, sy)
        k = draw(hnp.arrays(np.int64, shape, elements=st.integers(-3, 3)))
        f = draw(values(shape, 0.1, 0.9))
        x = np.asarray(np.broadcast_to(y, shape) * (k + f))
        return Case(name, (x, y), lambda lib, a, b: getattr(a, method)(b), ref)

    op(name)(build)


_remainder("fmod", "fmod", np.fmod)
_remainder("remainder", "remainder", np.remainder)
_remainder("mod_operator", "__mod__", np.remainder)


@op("lerp")
def _lerp(draw: st.DrawFn) -> Case:
    s0, s1, s2 = draw(tst.mutually_broadcastable_shapes(3))
    a, b, w = draw(values(s0)), draw(values(s1)), draw(values(s2, -0.5, 1.5))
    return Case(
        "lerp(start, end, weight)",
        (a, b, w),
        lambda lib, x, y, z: lib.module.lerp(x, y, z),
        lambda x, y, z: x + z * (y - x),
    )


@op("lerp_scalar_weight")
def _lerp_scalar(draw: st.DrawFn) -> Case:
    sx, sy = draw(tst.mutually_broadcastable_shapes(2))
    a, b = draw(values(sx)), draw(values(sy))
    w = draw(st.sampled_from([0.0, 0.25, 0.5, 1.3]))
    return Case(
        f"lerp(weight={w})", (a, b), lambda lib, x, y: x.lerp(y, w), lambda x, y: x + w * (y - x)
    )


@op("clamp_tensor_bounds")
def _clamp_tensors(draw: st.DrawFn) -> Case:
    """x on even multiples of 0.1, the bounds on odd ones: never a tie. (x has the broadcast
    shape: PyTorch's backward fails when the bounds would broadcast x to a larger one.)"""
    shapes = draw(tst.mutually_broadcastable_shapes(3))
    full = np.broadcast_shapes(*shapes)
    x = draw(hnp.arrays(np.int64, full, elements=st.integers(-15, 15))) * 0.2
    lo = draw(hnp.arrays(np.int64, shapes[1], elements=st.integers(-15, 0))) * 0.2 + 0.1
    hi = draw(hnp.arrays(np.int64, shapes[2], elements=st.integers(1, 15))) * 0.2 + 0.1
    return Case(
        "clamp(x, min=tensor, max=tensor)",
        (x, lo, hi),
        lambda lib, a, b, c: lib.module.clamp(a, min=b, max=c),
        lambda a, b, c: np.minimum(np.maximum(a, b), c),
    )


@op("clamp_min_max")
def _clamp_min_max(draw: st.DrawFn) -> Case:
    lo, hi = draw(st.sampled_from([(-1.0, 0.5), (0.0, 2.0)]))
    x = draw(values(tst.shapes(), avoid=(lo, hi)))
    return Case(
        f"clamp_min({lo}).clamp_max({hi})",
        (x,),
        lambda lib, t: lib.module.clamp_max(t.clamp_min(lo), hi),
        lambda a: np.clip(a, lo, hi),
    )


@op("masked_fill")
def _masked_fill(draw: st.DrawFn) -> Case:
    """A 0-d value tensor gets the gradient of the filled positions."""
    sx, sm = draw(tst.mutually_broadcastable_shapes(2))
    x, v = draw(values(sx)), draw(values(()))
    mask = draw(hnp.arrays(np.bool_, sm))
    return Case(
        f"masked_fill(mask {sm}, tensor)",
        (x, v),
        lambda lib, a, b: a.masked_fill(lib.index(mask), b),
        lambda a, b: np.where(mask, b, a),
    )


# -- activations (nn.functional) ------------------------------------------------------------------

SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _phi(a: np.ndarray) -> np.ndarray:
    return 0.5 * erfc_ref(-a / math.sqrt(2))


def _softplus(a: np.ndarray) -> np.ndarray:
    return np.log1p(np.exp(a))


def _elu(a: np.ndarray, alpha: float, scale: float = 1.0, s: float = 1.0) -> np.ndarray:
    return scale * np.where(a > 0, a, alpha * np.expm1(s * np.minimum(a, 0)))


unary("gelu", lambda lib, t: lib.F.gelu(t), lambda a: a * _phi(a), lo=-5.0, hi=5.0)
unary(
    "gelu_tanh",
    lambda lib, t: lib.F.gelu(t, approximate="tanh"),
    lambda a: 0.5 * a * (1 + np.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a**3))),
    lo=-5.0,
    hi=5.0,
)
unary(
    "leaky_relu",
    lambda lib, t: lib.F.leaky_relu(t, 0.1),
    lambda a: np.where(a > 0, a, 0.1 * a),
    avoid=(0.0,),
)
unary("elu", lambda lib, t: lib.F.elu(t, 0.7), lambda a: _elu(a, 0.7), avoid=(0.0,))
unary(
    "selu",
    lambda lib, t: lib.F.selu(t),
    lambda a: _elu(a, SELU_ALPHA, SELU_SCALE),
    avoid=(0.0,),
)
unary(
    "celu",
    lambda lib, t: lib.F.celu(t, 0.5),
    lambda a: _elu(a, 0.5, 1.0, 2.0),
    avoid=(0.0,),
)
unary("silu", lambda lib, t: lib.F.silu(t), lambda a: a / (1 + np.exp(-a)))
unary("mish", lambda lib, t: lib.F.mish(t), lambda a: a * np.tanh(_softplus(a)))
unary(
    "hardtanh",
    lambda lib, t: lib.F.hardtanh(t, -1.5, 2.0),
    lambda a: np.clip(a, -1.5, 2.0),
    avoid=(-1.5, 2.0),
)
unary(
    "relu6",
    lambda lib, t: lib.F.relu6(t * 3),
    lambda a: np.clip(3 * a, 0, 6),
    avoid=(0.0, 2.0),
)
unary("logsigmoid", lambda lib, t: lib.F.logsigmoid(t), lambda a: -_softplus(-a))
unary(
    "softsign",
    lambda lib, t: lib.F.softsign(t),
    lambda a: a / (1 + np.abs(a)),
    avoid=(0.0,),
)


@op("softplus")
def _softplus_entry(draw: st.DrawFn) -> Case:
    """beta and threshold drawn; values kept off beta x = threshold, where it switches to x."""
    beta, threshold = draw(st.sampled_from([(1.0, 20.0), (2.0, 3.0), (0.5, 1.0)]))
    x = draw(values(tst.shapes(), avoid=(threshold / beta,)))
    return Case(
        f"softplus(beta={beta}, threshold={threshold})",
        (x,),
        lambda lib, t: lib.F.softplus(t, beta, threshold),
        lambda a: np.where(a * beta > threshold, a, _softplus(a * beta) / beta),
    )
