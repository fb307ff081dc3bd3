"""The op table's entries for convolutional networks: dropout, normalisation, convolution and
pooling, each called through ``nn.functional`` (ours or torch's, whichever the library is).

Shapes stay tiny (side <= 4, a few channels): gradgradcheck differentiates every output with
respect to every input twice over. Values keep away from kinks as the rest of the table does:
max pooling gets distinct values (no ties), normalised groups at least two elements.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import assume
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


# -- convolution -------------------------------------------------------------------------------

EINSUM = {1: "ngcxk,gock->ngox", 2: "ngcxykl,gockl->ngoxy"}


def _window_stack(xp: np.ndarray, kernel, stride, dilation, out) -> np.ndarray:
    """(N, C, *out, *kernel): every window's elements, gathered one output position at a time
    (a slow, plain reference, independent of the library's strided slices)."""
    result = np.empty(xp.shape[:2] + tuple(out) + tuple(kernel), xp.dtype)
    for o in np.ndindex(*out):
        for j in np.ndindex(*kernel):
            pos = tuple(oi * s + ji * d for oi, ji, s, d in zip(o, j, stride, dilation))
            result[(slice(None), slice(None), *o, *j)] = xp[(slice(None), slice(None), *pos)]
    return result


def _conv_ref(x, w, b, stride, pads, dilation, groups) -> np.ndarray:
    d = w.ndim - 2
    xp = np.pad(x, ((0, 0), (0, 0), *pads))
    kernel = w.shape[2:]
    out = [
        (n - v * (k - 1) - 1) // s + 1 for n, k, s, v in zip(xp.shape[2:], kernel, stride, dilation)
    ]
    win = _window_stack(xp, kernel, stride, dilation, out)
    n, c = x.shape[:2]
    win = win.reshape(n, groups, c // groups, *win.shape[2:])
    wg = w.reshape(groups, w.shape[0] // groups, *w.shape[1:])
    result = np.einsum(EINSUM[d], win, wg).reshape(n, w.shape[0], *out)
    return result if b is None else result + b.reshape(-1, *(1,) * d)


def _conv_case(draw: st.DrawFn, d: int) -> Case:
    groups = draw(st.sampled_from([1, 1, 2]))
    c_in = groups * draw(st.integers(1, 2))
    c_out = groups * draw(st.integers(1, 2 if groups == 1 else 1))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(d))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(d))
    padding: Any = draw(
        st.one_of(
            st.tuples(*[st.integers(0, 2)] * d),
            st.just("valid"),
            st.just("same") if stride == (1,) * d else st.just(0),
        )
    )
    if padding == "same":
        total = [v * (k - 1) for k, v in zip(kernel, dilation)]
        pads = [(t // 2, t - t // 2) for t in total]
    elif padding == "valid":
        pads = [(0, 0)] * d
    else:
        pads = [(p, p) for p in (padding if isinstance(padding, tuple) else (padding,) * d)]
    spans = [v * (k - 1) + 1 for k, v in zip(kernel, dilation)]
    size = tuple(
        max(draw(st.integers(1, 4)), s - a - b) for s, (a, b) in zip(spans, pads)
    )  # the padded input holds at least one window
    batched = draw(st.booleans()) or d == 1
    n = draw(st.integers(1, 2)) if batched else 1
    x = draw(values((n, c_in, *size)))
    w = draw(values((c_out, c_in // groups, *kernel), -1.0, 1.0))
    bias = draw(st.booleans())
    arrays = (x, w) + ((draw(values((c_out,))),) if bias else ())
    name = f"conv{d}d"

    def call(lib: Lib, t: Any, wt: Any, *bt: Any) -> Any:
        f = getattr(functional(lib), name)
        b = bt[0] if bt else None
        if not batched:
            return f(t[0], wt, b, stride, padding, dilation, groups)
        return f(t, wt, b, stride, padding, dilation, groups)

    def ref(a: np.ndarray, wa: np.ndarray, *ba: np.ndarray) -> np.ndarray:
        out = _conv_ref(a, wa, ba[0] if ba else None, stride, pads, dilation, groups)
        return out if batched else out[0]

    label = (
        f"{name}(kernel {kernel}, stride={stride}, padding={padding!r}, dilation={dilation}, "
        f"groups={groups}, bias={bias}, batched={batched})"
    )
    return Case(label, arrays, call, ref)


@op("conv1d")
def _conv1d(draw: st.DrawFn) -> Case:
    return _conv_case(draw, 1)


@op("conv2d")
def _conv2d(draw: st.DrawFn) -> Case:
    return _conv_case(draw, 2)


# -- pooling -----------------------------------------------------------------------------------


def _pool_out(n: int, k: int, s: int, p: int, v: int, ceil_mode: bool) -> int:
    """PyTorch's documented output size."""
    room = n + 2 * p - v * (k - 1) - 1
    out = (-(-room // s) if ceil_mode else room // s) + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _pool_geometry(draw: st.DrawFn, d: int, dilate: bool) -> dict[str, Any]:
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(d))
    dilation = tuple(draw(st.integers(1, 2)) if dilate else 1 for _ in range(d))
    spans = [v * (k - 1) + 1 for k, v in zip(kernel, dilation)]
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    size = tuple(max(draw(st.integers(1, 4)), s - 2 * p) for s, p in zip(spans, padding))
    ceil_mode = draw(st.booleans())
    out = tuple(
        _pool_out(*args, ceil_mode) for args in zip(size, kernel, stride, padding, dilation)
    )
    default_stride = stride == kernel and draw(st.booleans())
    return {
        "kernel": kernel,
        "stride": None if default_stride else stride,
        "strides": stride,
        "padding": padding,
        "dilation": dilation,
        "size": size,
        "ceil_mode": ceil_mode,
        "out": out,
    }


def _pool_windows(a: np.ndarray, g: dict[str, Any], fill: float) -> tuple[np.ndarray, np.ndarray]:
    """Every window of ``a`` padded with ``fill`` (reaching past the padding where ceil_mode
    windows do), and what each element is: 0 the input, 1 padding, 2 beyond the padding."""
    extra = [
        max(0, (o - 1) * s + v * (k - 1) + 1 - n - 2 * p)
        for o, s, v, k, n, p in zip(
            g["out"], g["strides"], g["dilation"], g["kernel"], g["size"], g["padding"]
        )
    ]
    widths = [(0, 0), (0, 0)] + [(p, p + e) for p, e in zip(g["padding"], extra)]
    xp = np.pad(a, widths, constant_values=fill)
    kind = np.full(xp.shape[2:], 2)
    kind[tuple(slice(0, n + 2 * p) for n, p in zip(g["size"], g["padding"]))] = 1
    kind[tuple(slice(p, p + n) for n, p in zip(g["size"], g["padding"]))] = 0
    args = (g["kernel"], g["strides"], g["dilation"], g["out"])
    return _window_stack(xp, *args), _window_stack(kind[None, None], *args)[0, 0]


def _max_pool_case(draw: st.DrawFn, d: int) -> Case:
    g = _pool_geometry(draw, d, dilate=True)
    # With dilation a window's taps can all land in the padding: its max is -inf (PyTorch's
    # too), where differences mean nothing.
    _, kind = _pool_windows(np.zeros((1, 1, *g["size"])), g, 0.0)
    assume((kind == 0).any(axis=tuple(range(-d, 0))).all())
    x = draw(distinct((draw(st.integers(1, 2)), draw(st.integers(1, 2)), *g["size"])))
    name = f"max_pool{d}d"
    indices = draw(st.booleans())
    args = (g["kernel"], g["stride"], g["padding"], g["dilation"], g["ceil_mode"], indices)

    def call(lib: Lib, t: Any) -> Any:
        out = getattr(functional(lib), name)(t, *args)
        return out[0] if indices else out

    def ref(a: np.ndarray) -> np.ndarray:
        win, _ = _pool_windows(a, g, -np.inf)
        return win.max(axis=tuple(range(-d, 0)))

    return Case(f"{name}{args}", (x,), call, ref)


def _avg_pool_case(draw: st.DrawFn, d: int) -> Case:
    g = _pool_geometry(draw, d, dilate=False)
    x = draw(values((draw(st.integers(1, 2)), draw(st.integers(1, 2)), *g["size"])))
    include = draw(st.booleans())
    override = draw(st.sampled_from([None, None, 3])) if d == 2 else None
    name = f"avg_pool{d}d"
    args: tuple[Any, ...] = (g["kernel"], g["stride"], g["padding"], g["ceil_mode"], include)
    if override is not None:
        args = (*args, override)

    def call(lib: Lib, t: Any) -> Any:
        return getattr(functional(lib), name)(t, *args)

    def ref(a: np.ndarray) -> np.ndarray:
        win, kind = _pool_windows(a, g, 0.0)
        axes = tuple(range(-d, 0))
        counted = (kind <= 1) if include else (kind == 0)
        divisor = override if override is not None else counted.sum(axis=axes)
        return win.sum(axis=axes) / divisor

    return Case(f"{name}{args}", (x,), call, ref)


@op("max_pool1d")
def _max_pool1d(draw: st.DrawFn) -> Case:
    return _max_pool_case(draw, 1)


@op("max_pool2d")
def _max_pool2d(draw: st.DrawFn) -> Case:
    return _max_pool_case(draw, 2)


@op("avg_pool1d")
def _avg_pool1d(draw: st.DrawFn) -> Case:
    return _avg_pool_case(draw, 1)


@op("avg_pool2d")
def _avg_pool2d(draw: st.DrawFn) -> Case:
    return _avg_pool_case(draw, 2)


def _adaptive_case(draw: st.DrawFn, d: int, kind: str) -> Case:
    size = tuple(draw(st.integers(1, 5)) for _ in range(d))
    out = tuple(draw(st.integers(1, n)) for n in size)
    spec: Any = out if d == 2 and draw(st.booleans()) else out[0] if d == 1 else out
    if d == 2 and out[0] == size[0] and draw(st.booleans()):
        spec = (None, out[1])
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *size)
    x = draw(distinct(shape) if kind == "max" else values(shape))
    name = f"adaptive_{kind}_pool{d}d"

    def call(lib: Lib, t: Any) -> Any:
        return getattr(functional(lib), name)(t, spec)

    def ref(a: np.ndarray) -> np.ndarray:
        result = np.empty(a.shape[:2] + out)
        for o in np.ndindex(*out):
            window = tuple(slice(i * n // m, -(-(i + 1) * n // m)) for i, n, m in zip(o, size, out))
            part = a[(slice(None), slice(None), *window)].reshape(*a.shape[:2], -1)
            result[(slice(None), slice(None), *o)] = (
                part.max(-1) if kind == "max" else part.mean(-1)
            )
        return result

    return Case(f"{name}({spec!r}) of {size}", (x,), call, ref)


@op("adaptive_avg_pool1d")
def _adaptive_avg_pool1d(draw: st.DrawFn) -> Case:
    return _adaptive_case(draw, 1, "avg")


@op("adaptive_avg_pool2d")
def _adaptive_avg_pool2d(draw: st.DrawFn) -> Case:
    return _adaptive_case(draw, 2, "avg")


@op("adaptive_max_pool1d")
def _adaptive_max_pool1d(draw: st.DrawFn) -> Case:
    return _adaptive_case(draw, 1, "max")


@op("adaptive_max_pool2d")
def _adaptive_max_pool2d(draw: st.DrawFn) -> Case:
    return _adaptive_case(draw, 2, "max")
