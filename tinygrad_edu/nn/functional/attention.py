"""Attention, as torch.nn.functional's ``scaled_dot_product_attention`` and
``multi_head_attention_forward``.

Attention is a soft lookup: each query q_i scores every key k_j, the scores become weights by a
softmax over j, and the answer is the weighted mean of the values:

    out_i = sum_j softmax_j(q_i . k_j * scale + mask_ij) v_j,   scale = 1 / sqrt(head_dim)

Masks say which keys a query may look at: a bool mask keeps the scores where it is True (in
``scaled_dot_product_attention``; ``nn.MultiheadAttention`` reads True as *masked*, PyTorch's
conventions both), a float mask is added to the scores (-inf removes a key). A query that may
look at no key at all gets zero weights and a zero output (PyTorch's ``scaled_dot_product_attention``
does the same; its MultiheadAttention gives NaN there when it returns the weights).

Everything is written with Tensor ops (matmul, softmax, where), each one node with its own
tested backward, so second derivatives come for free.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinygrad_edu import dtypes
from tinygrad_edu._tensor import Tensor
from tinygrad_edu.creation import zeros
from tinygrad_edu.functions import cat
from tinygrad_edu.nn.functional.dropout import dropout
from tinygrad_edu.nn.functional.linear import linear


def masked_softmax(scores: Tensor) -> Tensor:
    """softmax over the last dim, where a row of scores that are all -inf (a query allowed no
    key) gives zeros instead of the NaN of 0/0."""
    dead = np.asarray(np.isneginf(scores.data).all(axis=-1, keepdims=True))
    if not dead.any():
        return scores.softmax(-1)
    alive = ~dead
    return scores.where(alive, 0.0).softmax(-1).where(alive, 0.0)


def _check_mask(mask: Tensor, query: Tensor) -> None:
    if mask.dtype != np.bool_ and not dtypes.is_floating(mask.dtype):
        raise RuntimeError(
            f"scaled_dot_product_attention: Expected attn_mask dtype to be bool or float, but "
            f"got {mask.dtype} (query is {query.dtype})"
        )


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """softmax(query key^T * scale + mask) value, over the last two dims: query (..., L, E),
    key (..., S, E), value (..., S, Ev) -> (..., L, Ev); the leading dims broadcast.

    ``attn_mask``: bool (True = may attend) or float (added), broadcastable to (..., L, S).
    ``is_causal``: query i attends to keys 0..i only (a lower-triangular mask, aligned at the
    top left as PyTorch's; not together with ``attn_mask``). ``dropout_p``: dropout
    on the attention weights (always applied: pass 0.0 in evaluation). ``enable_gqa``: key and
    value may have fewer heads (dim -3) than query, each shared by a group of query heads.
    """
    _check_qkv(query, key, value, enable_gqa)
    if is_causal and attn_mask is not None:
        raise RuntimeError(
            "scaled_dot_product_attention: Explicit attn_mask should not be set when "
            "is_causal=True (fold the causal mask into attn_mask instead)"
        )
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        key, value = _repeat_heads(key, query.shape[-3]), _repeat_heads(value, query.shape[-3])
    factor = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query @ key.mT) * factor  # (..., L, S)
    length, source = scores.shape[-2:]
    if is_causal:
        scores = scores.where(np.tril(np.ones((length, source), np.bool_)), -math.inf)
    if attn_mask is not None:
        _check_mask(attn_mask, query)
        try:
            np.broadcast_shapes(attn_mask.shape, scores.shape)
        except ValueError:
            raise RuntimeError(
                f"scaled_dot_product_attention: attn_mask of shape {attn_mask.shape} does not "
                f"broadcast to the scores' shape {scores.shape} (..., L, S)"
            ) from None
        if attn_mask.dtype == np.bool_:
            scores = scores.where(attn_mask, -math.inf)
        else:
            scores = scores + attn_mask
    weights = masked_softmax(scores)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return weights @ value


def _check_qkv(query: Tensor, key: Tensor, value: Tensor, enable_gqa: bool) -> None:
    """PyTorch's checks (RuntimeError), with the three shapes named."""
    shapes = f"query {query.shape}, key {key.shape}, value {value.shape}"
    if not query.dtype == key.dtype == value.dtype:
        raise RuntimeError(
            "scaled_dot_product_attention: Expected query, key, and value to have the same "
            f"dtype, but got {query.dtype}, {key.dtype} and {value.dtype}"
        )
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise RuntimeError(f"scaled_dot_product_attention: need at least 2 dims each; {shapes}")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise RuntimeError(
            "scaled_dot_product_attention: query and key must share the last dim (E), key and "
            f"value the sequence dim (S): {shapes}"
        )
    if enable_gqa and query.ndim >= 3 and query.shape[-3] % key.shape[-3] != 0:
        raise RuntimeError(
            f"scaled_dot_product_attention: with enable_gqa the query's heads must be a "
            f"multiple of the key's and value's (dim -3): {shapes}"
        )


def _repeat_heads(t: Tensor, heads: int) -> Tensor:
    """(..., h, S, E) -> (..., heads, S, E), each head repeated heads // h times in a row
    (repeat_interleave along dim -3)."""
    h, rest = t.shape[-3], t.shape[-2:]
    lead = t.shape[:-3]
    grouped = t.unsqueeze(-3).expand(*lead, h, heads // h, *rest)
    return grouped.reshape(*lead, heads, *rest)


# -- multi-head attention -------------------------------------------------------------------------


def _additive(mask: Tensor | None, name: str, dtype: Any) -> Tensor | None:
    """A bool mask (True = masked, MultiheadAttention's convention) as -inf/0 to add; a float
    mask as it is."""
    if mask is None:
        return None
    if mask.dtype == np.bool_:
        return Tensor._plain(np.where(mask.data, -np.inf, 0.0).astype(dtype))
    if not dtypes.is_floating(mask.dtype):
        raise AssertionError(
            f"only bool and floating types of {name} are supported, got {mask.dtype}"
        )
    return mask


def _pad_column(mask: Tensor | None) -> Tensor | None:
    """One more key (a bias_k or zero-attention key) that every query may look at."""
    if mask is None:
        return None
    return cat([mask, zeros(*mask.shape[:-1], 1, dtype=mask.dtype)], dim=-1)


def multi_head_attention_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor | None,
    training: bool = True,
    key_padding_mask: Tensor | None = None,
    need_weights: bool = True,
    attn_mask: Tensor | None = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None,
    static_k: Tensor | None = None,
    static_v: Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention on (L, N, E) query and (S, N, E_k), (S, N, E_v) key and value (or
    unbatched (L, E), ...): project, split into heads, attend, join the heads, project back.
    Returns (output (L, N, E), weights (N, L, S), per head (N, heads, L, S), or None)."""
    if static_k is not None or static_v is not None:
        raise NotImplementedError("multi_head_attention_forward: static_k/static_v")
    batched = _check_mha_shapes(query, key, value, embed_dim_to_check, key_padding_mask)
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask."
        )
    if not batched:  # a batch of one, taken away at the end
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    length, batch, embed = query.shape
    head_dim = embed // num_heads
    mask = _additive(attn_mask, "attn_mask", query.dtype)
    padding = _additive(key_padding_mask, "key_padding_mask", query.dtype)
    mask = _check_attn_mask(mask, length, key.shape[0], batch * num_heads)

    # Projections: one weight matrix stacking W_q, W_k, W_v, or three separate ones.
    if use_separate_proj_weight:
        w_q, w_k, w_v = q_proj_weight, k_proj_weight, v_proj_weight
    else:
        assert in_proj_weight is not None
        w_q, w_k, w_v = (in_proj_weight[i * embed : (i + 1) * embed] for i in range(3))
    b_q = b_k = b_v = None
    if in_proj_bias is not None:
        b_q, b_k, b_v = (in_proj_bias[i * embed : (i + 1) * embed] for i in range(3))
    q = linear(query, w_q, b_q)  # type: ignore[arg-type]
    k = linear(key, w_k, b_k)  # type: ignore[arg-type]
    v = linear(value, w_v, b_v)  # type: ignore[arg-type]
    if bias_k is not None and bias_v is not None:  # one more, learned, key and value
        k = cat([k, bias_k.expand(1, batch, embed)])
        v = cat([v, bias_v.expand(1, batch, embed)])
        mask, padding = _pad_column(mask), _pad_column(padding)

    # Heads: (seq, batch, embed) -> (batch * heads, seq, head_dim).
    q = q.reshape(length, batch * num_heads, head_dim).transpose(0, 1)
    k = k.reshape(k.shape[0], batch * num_heads, head_dim).transpose(0, 1)
    v = v.reshape(v.shape[0], batch * num_heads, head_dim).transpose(0, 1)
    if add_zero_attn:  # one more key and value, both zero
        k = cat([k, zeros(batch * num_heads, 1, head_dim, dtype=k.dtype)], dim=1)
        v = cat([v, zeros(batch * num_heads, 1, head_dim, dtype=v.dtype)], dim=1)
        mask, padding = _pad_column(mask), _pad_column(padding)
    source = k.shape[1]
    if padding is not None:  # (batch, S) -> (batch * heads, 1, S), added to the scores
        per_head = padding.reshape(batch, 1, 1, source).expand(batch, num_heads, 1, source)
        padding = per_head.reshape(batch * num_heads, 1, source)
        mask = padding if mask is None else mask + padding

    scores = (q @ k.mT) * (1.0 / math.sqrt(head_dim))  # (batch * heads, L, S)
    if mask is not None:
        scores = scores + mask
    weights = masked_softmax(scores)
    if dropout_p > 0.0 and training:
        weights = dropout(weights, dropout_p)
    heads = weights @ v  # (batch * heads, L, head_dim)
    joined = heads.transpose(0, 1).reshape(length, batch, embed)
    out = linear(joined, out_proj_weight, out_proj_bias)
    returned = None
    if need_weights:
        returned = weights.reshape(batch, num_heads, length, source)
        if average_attn_weights:
            returned = returned.mean(dim=1)
        if not batched:
            returned = returned.squeeze(0)
    return (out if batched else out.squeeze(1)), returned


def _check_mha_shapes(
    query: Tensor, key: Tensor, value: Tensor, embed: int, key_padding_mask: Tensor | None
) -> bool:
    """PyTorch's checks of MultiheadAttention's inputs (AssertionError, as its asserts);
    returns whether the input has a batch dim."""
    dims = (query.ndim, key.ndim, value.ndim)
    if dims == (3, 3, 3):
        batched = True
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                f"found {key_padding_mask.ndim}-D tensor instead"
            )
    elif dims == (2, 2, 2):
        batched = False
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D "
                f"but found {key_padding_mask.ndim}-D tensor instead"
            )
    else:
        raise AssertionError(
            f"query, key and value must be all 3-D (batched) or all 2-D (unbatched), got shapes "
            f"{query.shape}, {key.shape} and {value.shape}"
        )
    if query.shape[-1] != embed:
        raise AssertionError(
            f"was expecting embedding dimension of {embed}, but got {query.shape[-1]} (query "
            f"of shape {query.shape})"
        )
    if key.shape[:-1] != value.shape[:-1]:
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
    if batched and key.shape[1] != query.shape[1]:
        raise AssertionError(
            f"query {query.shape} and key {key.shape} must have the same batch size (dim 1)"
        )
    if key_padding_mask is not None and key_padding_mask.shape[-1] != key.shape[0]:
        raise AssertionError(
            f"Expected key_padded_mask.shape[-1] to be {key.shape[0]} (the keys), but got "
            f"shape {key_padding_mask.shape}"
        )
    return batched


def _check_attn_mask(mask: Tensor | None, length: int, source: int, groups: int) -> Tensor | None:
    """attn_mask as (1 or batch * heads, L, S)."""
    if mask is None:
        return None
    if mask.ndim == 2:
        if mask.shape != (length, source):
            raise RuntimeError(
                f"The shape of the 2D attn_mask is {mask.shape}, but should be ({length}, {source})."
            )
        return mask.unsqueeze(0)
    if mask.ndim == 3:
        if mask.shape != (groups, length, source):
            raise RuntimeError(
                f"The shape of the 3D attn_mask is {mask.shape}, but should be "
                f"({groups}, {length}, {source})."
            )
        return mask
    raise RuntimeError(f"attn_mask's dimension {mask.ndim} is not supported (shape {mask.shape})")
