"""Op-table entries for sequence models: the fused recurrent steps, StackSteps, embeddings and
attention (see op_table.py for how a Case is built and what the table drives).

The fused steps have no public function of their own in PyTorch's namespace but ``torch.*_cell``
(``torch.gru_cell``, ``torch.lstm_cell``, ...), which take no unbatched input: the torch side of
each case adds and removes the batch dim itself. The NumPy references are the textbook formulas,
written here independently of the library's code.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_table import Case, Lib, op, values

import tinygrad_edu.nn.functional as F
from tinygrad_edu.ops import recurrent


def _torch() -> Any:
    import torch

    return torch


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


# -- references ----------------------------------------------------------------------------------


def rnn_ref(nonlinearity: str, x: np.ndarray, h: np.ndarray, wi, wh, bi=0.0, bh=0.0) -> np.ndarray:
    z = x @ wi.T + bi + h @ wh.T + bh
    return np.tanh(z) if nonlinearity == "tanh" else np.maximum(z, 0.0)


def gru_ref(x: np.ndarray, h: np.ndarray, wi, wh, bi=0.0, bh=0.0) -> np.ndarray:
    n_h = h.shape[-1]
    ax, ah = x @ wi.T + bi, h @ wh.T + bh
    r = _sigmoid(ax[..., :n_h] + ah[..., :n_h])
    z = _sigmoid(ax[..., n_h : 2 * n_h] + ah[..., n_h : 2 * n_h])
    n = np.tanh(ax[..., 2 * n_h :] + r * ah[..., 2 * n_h :])
    return (1.0 - z) * n + z * h


def lstm_ref(x: np.ndarray, h: np.ndarray, c: np.ndarray, wi, wh, bi=0.0, bh=0.0) -> np.ndarray:
    """(h', c') stacked on a new leading axis."""
    n_h = h.shape[-1]
    a = x @ wi.T + bi + h @ wh.T + bh
    i, f = _sigmoid(a[..., :n_h]), _sigmoid(a[..., n_h : 2 * n_h])
    g, o = np.tanh(a[..., 2 * n_h : 3 * n_h]), _sigmoid(a[..., 3 * n_h :])
    c_new = f * c + i * g
    return np.stack([o * np.tanh(c_new), c_new])


# -- the fused steps -----------------------------------------------------------------------------


def _cell_arrays(draw: st.DrawFn, chunks: int) -> tuple[tuple[np.ndarray, ...], bool, int]:
    """x, h, w_ih, w_hh (and b_ih, b_hh when drawn) for a cell with ``chunks`` gates."""
    batched = draw(st.booleans())
    lead = (draw(st.integers(1, 3)),) if batched else ()
    n_in, n_h = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    arrays = [
        draw(values((*lead, n_in))),
        draw(values((*lead, n_h))),
        draw(values((chunks * n_h, n_in), -1.0, 1.0)),
        draw(values((chunks * n_h, n_h), -1.0, 1.0)),
    ]
    if draw(st.booleans()):
        arrays += [draw(values((chunks * n_h,), -1.0, 1.0)) for _ in range(2)]
    return tuple(arrays), batched, n_h


def _torch_cell(fn: Any, batched: bool, x: Any, hx: Any, *ws: Any) -> Any:
    """A torch.*_cell call on possibly unbatched input (they take batches only)."""
    if batched:
        return fn(x, hx, *ws)
    hx = tuple(h.unsqueeze(0) for h in hx) if isinstance(hx, tuple) else hx.unsqueeze(0)
    out = fn(x.unsqueeze(0), hx, *ws)
    return tuple(o.squeeze(0) for o in out) if isinstance(out, tuple) else out.squeeze(0)


# (The Elman step, ops.recurrent.RNNCell, is in op_table_fused.py.)


@op("gru_cell")
def _gru_cell(draw: st.DrawFn) -> Case:
    arrays, batched, _ = _cell_arrays(draw, 3)

    def call(lib: Lib, x: Any, h: Any, *ws: Any) -> Any:
        full = (*ws, None, None) if len(ws) == 2 else ws
        if lib.name == "torch":
            return _torch_cell(_torch().gru_cell, batched, x, h, *full)
        return recurrent.GRUCell.apply(x, h, *full)

    return Case(f"GRUCell({len(arrays)} inputs)", arrays, call, gru_ref)


@op("lstm_cell")
def _lstm_cell(draw: st.DrawFn) -> Case:
    """The fused op takes h and c stacked; the case takes them apart, as LSTMCell does."""
    (x, h, *ws), batched, _ = _cell_arrays(draw, 4)
    c = draw(values(h.shape))

    def call(lib: Lib, x: Any, h: Any, c: Any, *ws: Any) -> Any:
        full = (*ws, None, None) if len(ws) == 2 else ws
        if lib.name == "torch":
            torch = _torch()
            return torch.stack(_torch_cell(torch.lstm_cell, batched, x, (h, c), *full))
        state = recurrent.StackSteps.apply(None, h, c)
        return recurrent.LSTMCell.apply(x, state, *full)

    return Case(f"LSTMCell({len(ws) + 3} inputs)", (x, h, c, *ws), call, lstm_ref)


@op("stack_steps")
def _stack_steps(draw: st.DrawFn) -> Case:
    """StackSteps joins T states, whole or one part of each (index (0,) or (1,) of a pair)."""
    index = draw(st.sampled_from([None, (0,), (1,)]))
    rest = draw(st.lists(st.integers(1, 3), min_size=0, max_size=2))
    shape = (2, *rest) if index is not None else tuple(rest)
    steps = draw(st.integers(1, 4))
    xs = tuple(draw(values(shape)) for _ in range(steps))

    def call(lib: Lib, *ts: Any) -> Any:
        if lib.name == "torch":
            return lib.stack([t if index is None else t[index] for t in ts])
        return recurrent.StackSteps.apply(index, *ts)

    return Case(
        f"StackSteps({index}) of {steps}",
        xs,
        call,
        lambda *a: np.stack([x if index is None else x[index] for x in a]),
    )


# -- embeddings ------------------------------------------------------------------------------------


@op("embedding")
def _embedding(draw: st.DrawFn) -> Case:
    """weight[indices] with repeated indices (their gradients add up), for index tensors of 0 to
    2 dims. padding_idx and scale_grad_by_freq change the gradient away from the derivative on
    purpose, so they are checked against torch in test_embedding.py, not by gradcheck here."""
    rows, dim = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    weight = draw(values((rows, dim)))
    idx_shape = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    size = int(np.prod(idx_shape))
    idx = np.array(draw(st.lists(st.integers(0, rows - 1), min_size=size, max_size=size)))
    idx = idx.reshape(idx_shape).astype(np.int64)

    return Case(
        f"embedding({idx.tolist()})",
        (weight,),
        lambda lib, w: lib.F.embedding(lib.index(idx), w),
        lambda w: w[idx],
    )


# -- attention -------------------------------------------------------------------------------------


def _torch_sdpa(*args: Any, **kwargs: Any) -> Any:
    """torch's scaled_dot_product_attention on its math backend: the fused CPU kernels it
    picks otherwise have no second derivative."""
    torch = _torch()
    from torch.nn.attention import SDPBackend, sdpa_kernel

    with sdpa_kernel([SDPBackend.MATH]):
        return torch.nn.functional.scaled_dot_product_attention(*args, **kwargs)


def sdpa_ref(q, k, v, keep=None, add=None, causal=False, scale=None):
    """softmax(q k^T scale + mask) v, where a row with no key kept gives zeros."""
    scores = q @ np.swapaxes(k, -1, -2) * (1 / np.sqrt(q.shape[-1]) if scale is None else scale)
    length, source = scores.shape[-2:]
    allowed = np.ones(scores.shape, bool)
    if causal:
        allowed &= np.tril(np.ones((length, source), bool))
    if keep is not None:
        allowed &= keep
    if add is not None:
        scores = scores + add
    scores = np.where(allowed, scores, -np.inf)
    top = np.max(scores, axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.exp(scores - top)
    total = e.sum(axis=-1, keepdims=True)
    weights = np.divide(e, total, out=np.zeros_like(e), where=total > 0)
    return weights @ v


@op("scaled_dot_product_attention")
def _sdpa(draw: st.DrawFn) -> Case:
    """Batch dims that broadcast, every mask kind (bool: some rows may keep no key; float: a
    further input whose gradient is checked too), causal, and an explicit scale."""
    lead = tuple(draw(st.lists(st.integers(1, 2), max_size=2)))
    length, source = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    e, ev = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    q = draw(values((*lead, length, e)))
    k = draw(values((*lead[len(lead) // 2 :], source, e)))  # fewer batch dims: they broadcast
    v = draw(values((*lead[len(lead) // 2 :], source, ev)))
    kind = draw(st.sampled_from(["none", "bool", "float", "causal"]))
    scale = draw(st.sampled_from([None, 0.5]))
    keep = None
    arrays = [q, k, v]
    if "bool" in kind:
        keep = draw(hnp.arrays(np.bool_, (length, source)))
    if kind == "float":
        arrays.append(draw(values((length, source), -1.0, 1.0)))
    causal = "causal" in kind

    def call(lib: Lib, q: Any, k: Any, v: Any, *mask: Any) -> Any:
        attn_mask = mask[0] if mask else None if keep is None else lib.index(keep)
        fn = _torch_sdpa if lib.name == "torch" else F.scaled_dot_product_attention
        return fn(q, k, v, attn_mask=attn_mask, is_causal=causal, scale=scale)

    def ref(q: np.ndarray, k: np.ndarray, v: np.ndarray, *mask: np.ndarray) -> np.ndarray:
        return sdpa_ref(q, k, v, keep, mask[0] if mask else None, causal, scale)

    return Case(f"sdpa({kind}, scale={scale})", tuple(arrays), call, ref)


@op("scaled_dot_product_attention_gqa")
def _sdpa_gqa(draw: st.DrawFn) -> Case:
    """Grouped-query attention: 2 or 4 query heads share the key and value heads (dim -3)."""
    kv_heads, groups = draw(st.integers(1, 2)), draw(st.sampled_from([1, 2]))
    length, source, e = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
    q = draw(values((1, kv_heads * groups, length, e)))
    k, v = draw(values((1, kv_heads, source, e))), draw(values((1, kv_heads, source, e)))

    def call(lib: Lib, q: Any, k: Any, v: Any) -> Any:
        fn = _torch_sdpa if lib.name == "torch" else F.scaled_dot_product_attention
        return fn(q, k, v, enable_gqa=True)

    def ref(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
        return sdpa_ref(q, np.repeat(k, groups, axis=1), np.repeat(v, groups, axis=1))

    return Case(f"sdpa(gqa {kv_heads}x{groups})", (q, k, v), call, ref)
