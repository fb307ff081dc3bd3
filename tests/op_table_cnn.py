"""The op table's entries for convolutional networks: dropout, normalisation, convolution and
pooling, each called through ``nn.functional`` (ours or torch's, whichever the library is).

Shapes stay tiny (side <= 4, a few channels): gradgradcheck differentiates every output with
respect to every input twice over. Values keep away from kinks as the rest of the table does:
max pooling gets distinct values (no ties), normalised groups at least two elements.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from op_table import OURS, Case, Lib, op, values

import tinygrad_edu
import tinygrad_edu.nn.functional as F_ours
from tinygrad_edu import Tensor
from tinygrad_edu.testing import strategies as tst


def functional(lib: Lib) -> Any:
    """The library's nn.functional."""
    if lib is OURS:
        return F_ours
    import torch.nn.functional

    return torch.nn.functional


def constant(lib: Lib, array: np.ndarray, like: Any) -> Any:
    """A constant (no gradient) of the dtype of the tensor ``like``, in the library's type."""
    if lib is OURS:
        return Tensor(np.asarray(array, dtype=like.dtype))
    import torch

    return torch.tensor(array, dtype=like.dtype)


# -- dropout -------------------------------------------------------------------------------------


def _our_mask(name: str, seed: int, shape: tuple[int, ...], p: float) -> np.ndarray:
    """The mask our F.<name> applies right after manual_seed(seed): its output on ones."""
    tinygrad_edu.manual_seed(seed)
    return getattr(F_ours, name)(Tensor(np.ones(shape)), p).data


def _dropout(name: str, min_dims: int, max_dims: int, inplace: bool = False) -> None:
    """Ours draws its mask after manual_seed; torch's generator is another, so the torch side
    multiplies by the very mask ours drew: parity then checks what is applied and how (the
    scaling, its dtype, the gradient), the statistics of the draws are tested separately."""

    def build(draw: st.DrawFn) -> Case:
        x = draw(values(tst.shapes(min_dims=min_dims, max_dims=max_dims)))
        p = draw(st.sampled_from([0.2, 0.5, 0.75]))
        seed = draw(st.integers(0, 2**16))
        mask = _our_mask(name, seed, x.shape, p)

        def call(lib: Lib, t: Any) -> Any:
            base = t * 1.0 if inplace else t  # in place needs a tensor that is not a leaf
            if lib is not OURS:
                return (
                    base.mul_(constant(lib, mask, t)) if inplace else base * constant(lib, mask, t)
                )
            tinygrad_edu.manual_seed(seed)
            return getattr(F_ours, name)(base, p, inplace=inplace)

        return Case(f"{name}(p={p}, inplace={inplace}) seed {seed}", (x,), call, lambda a: a * mask)

    op(name + ("_inplace" if inplace else ""))(build)


_dropout("dropout", 1, 3)
_dropout("dropout", 1, 3, inplace=True)
_dropout("dropout1d", 2, 3)
_dropout("dropout2d", 4, 4)


# -- normalisation -------------------------------------------------------------------------------


def distinct(shape: Any) -> st.SearchStrategy[np.ndarray]:
    """Values at least 0.2 apart: no ties for max pooling, no near-zero variance to normalise."""
    return tst.distinct_arrays(np.float64, shape, spacing=0.3)


# Every normalised set has at least three values: two standardise to -1 and 1 whatever they are,
# so their gradient is only the small effect of eps, all cancellation, which float32 cannot
# resolve to the parity tests' tolerance.


def _standardised(a: np.ndarray, axes: tuple[int, ...], eps: float = 1e-5) -> np.ndarray:
    mean = a.mean(axis=axes, keepdims=True)
    var = a.var(axis=axes, keepdims=True)
    return (a - mean) / np.sqrt(var + eps)


def _affine(draw: st.DrawFn, shape: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """Weight and bias of ``shape``: both, the weight alone, or neither."""
    which = draw(st.sampled_from(["both", "weight", "none"]))
    w, b = draw(values(shape, 0.5, 2.0)), draw(values(shape))
    return {"both": (w, b), "weight": (w,), "none": ()}[which]


def _scaled(out: np.ndarray, params: tuple[np.ndarray, ...], shape: tuple[int, ...]) -> np.ndarray:
    """out * w + b with w and b reshaped to ``shape``."""
    if params:
        out = out * params[0].reshape(shape)
    if len(params) == 2:
        out = out + params[1].reshape(shape)
    return out


def _params(ts: tuple[Any, ...]) -> tuple[Any, Any]:
    """(weight, bias) from the tensors after the input, None for those not given."""
    return (ts[0] if ts else None), (ts[1] if len(ts) == 2 else None)


@op("layer_norm")
def _layer_norm(draw: st.DrawFn) -> Case:
    full = draw(tst.shapes(min_dims=1, max_dims=3, min_side=2, max_side=3))
    k = draw(st.integers(1, len(full)))
    if int(np.prod(full[len(full) - k :])) < 3:
        full = (*full[:-1], 3)
    x = draw(distinct(full))
    shape = x.shape[x.ndim - k :]
    params = _affine(draw, shape)
    axes = tuple(range(x.ndim - k, x.ndim))

    def call(lib: Lib, t: Any, *ts: Any) -> Any:
        return functional(lib).layer_norm(t, list(shape), *_params(ts))

    return Case(
        f"layer_norm({list(shape)}, {len(params)} params)",
        (x, *params),
        call,
        lambda a, *ps: _scaled(_standardised(a, axes), ps, shape),
    )


@op("group_norm")
def _group_norm(draw: st.DrawFn) -> Case:
    groups = draw(st.sampled_from([1, 2]))
    c = groups * draw(st.integers(1, 2))
    rest = draw(tst.shapes(min_dims=0, max_dims=2, max_side=3))
    if c // groups * int(np.prod(rest)) < 3:  # (see above _standardised)
        rest = (3, *rest)
    x = draw(distinct((draw(st.integers(1, 2)), c, *rest)))
    params = _affine(draw, (c,))
    bshape = (c, *(1,) * len(rest))

    def ref(a: np.ndarray, *ps: np.ndarray) -> np.ndarray:
        grouped = a.reshape(a.shape[0], groups, -1)
        return _scaled(_standardised(grouped, (2,)).reshape(a.shape), ps, bshape)

    def call(lib: Lib, t: Any, *ts: Any) -> Any:
        return functional(lib).group_norm(t, groups, *_params(ts))

    return Case(f"group_norm({groups} groups, {len(params)} params)", (x, *params), call, ref)


def _bn_input(draw: st.DrawFn) -> np.ndarray:
    """(N, C), (N, C, L) or (N, C, H, W), with at least three values per channel."""
    c = draw(st.integers(1, 3))
    rest = draw(tst.shapes(min_dims=0, max_dims=2, max_side=3))
    n = draw(st.integers(1 if int(np.prod(rest)) >= 3 else 3, 3))
    return draw(distinct((n, c, *rest)))


@op("batch_norm_train")
def _batch_norm_train(draw: st.DrawFn) -> Case:
    """Training mode with running statistics (fresh ones each call: the update is in place)."""
    x = _bn_input(draw)
    c = x.shape[1]
    params = _affine(draw, (c,))
    bshape = (c, *(1,) * (x.ndim - 2))
    axes = (0, *range(2, x.ndim))

    def call(lib: Lib, t: Any, *ts: Any) -> Any:
        running_mean, running_var = t.new_zeros(c), t.new_ones(c)
        fn = functional(lib).batch_norm
        return fn(t, running_mean, running_var, *_params(ts), training=True, momentum=0.3)

    return Case(
        f"batch_norm(training, {len(params)} params)",
        (x, *params),
        call,
        lambda a, *ps: _scaled(_standardised(a, axes), ps, bshape),
    )


@op("batch_norm_eval")
def _batch_norm_eval(draw: st.DrawFn) -> Case:
    x = _bn_input(draw)
    c = x.shape[1]
    params = _affine(draw, (c,))
    mean, var = draw(values((c,))), draw(values((c,), 0.2, 2.0))
    bshape = (c, *(1,) * (x.ndim - 2))

    def call(lib: Lib, t: Any, *ts: Any) -> Any:
        stats = constant(lib, mean, t), constant(lib, var, t)
        return functional(lib).batch_norm(t, *stats, *_params(ts), training=False)

    def ref(a: np.ndarray, *ps: np.ndarray) -> np.ndarray:
        return _scaled((a - mean.reshape(bshape)) / np.sqrt(var.reshape(bshape) + 1e-5), ps, bshape)

    return Case(f"batch_norm(eval, {len(params)} params)", (x, *params), call, ref)
