"""MultiheadAttention (``torch.nn.MultiheadAttention``): attention with learned projections, in
several heads at once.

Queries, keys and values are projected (``in_proj_weight`` stacks W_q, W_k, W_v as PyTorch
does, or ``q_proj_weight``... when keys and values have other sizes), split into ``num_heads``
heads of ``embed_dim // num_heads`` features, each head attends on its own
(nn/functional/attention.py), and the heads are joined and projected by ``out_proj``. Parameter
names, shapes, initialisation and state-dict keys are PyTorch's.
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu._tensor import Tensor
from tinygrad_edu.nn import init
from tinygrad_edu.nn.functional.attention import multi_head_attention_forward
from tinygrad_edu.nn.linear import Linear
from tinygrad_edu.nn.module import Module
from tinygrad_edu.nn.parameter import Parameter


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear by another name: PyTorch's class of ``out_proj`` (the name is all it changes,
    and it shows in the repr)."""


def _param(*shape: int) -> Parameter:
    return Parameter(np.empty(shape, np.float32))


class MultiheadAttention(Module):
    """``attn(query, key, value)`` -> ``(output, weights)``.

    query is (L, N, E) (or (N, L, E) with ``batch_first``, or unbatched (L, E)); key and value
    (S, N, kdim) and (S, N, vdim), laid out alike. ``key_padding_mask`` (N, S) marks keys to
    ignore (True, or -inf added); ``attn_mask`` (L, S) or (N * num_heads, L, S) likewise per
    query (True = may not attend). ``weights`` are averaged over the heads, (N, L, S), or kept
    per head (N, num_heads, L, S) with ``average_attn_weights=False``; None unless
    ``need_weights``. ``dropout`` applies to the attention weights in training.
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device: object = None,
        dtype: object = None,
    ) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                f"num_heads={num_heads} instead"
            )
        if embed_dim % num_heads:
            raise AssertionError(
                f"embed_dim must be divisible by num_heads (got {embed_dim} and {num_heads})"
            )
        self.embed_dim = embed_dim
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self._qkv_same_embed_dim:
            self.in_proj_weight = _param(3 * embed_dim, embed_dim)
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = _param(embed_dim, embed_dim)
            self.k_proj_weight = _param(embed_dim, self.kdim)
            self.v_proj_weight = _param(embed_dim, self.vdim)
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = _param(3 * embed_dim)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias)
        self.bias_k: Parameter | None = None  # (plain None attributes, as in PyTorch)
        self.bias_v: Parameter | None = None
        if add_bias_kv:
            self.bias_k = _param(1, 1, embed_dim)
            self.bias_v = _param(1, 1, embed_dim)
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()
        self.to(device=device, dtype=dtype)  # (drawn in float32, then cast: torch draws in dtype)

    def _reset_parameters(self) -> None:
        """PyTorch's: Xavier-uniform projections, zero biases (out_proj's weight keeps Linear's
        initialisation), Xavier-normal bias_k and bias_v."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None and self.bias_v is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        if self.batch_first and query.ndim == 3:  # the functional form is sequence-first
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        out, weights = multi_head_attention_forward(
            query,
            key,
            value,
            self.embed_dim,
            self.num_heads,
            self.in_proj_weight,
            self.in_proj_bias,
            self.bias_k,
            self.bias_v,
            self.add_zero_attn,
            self.dropout,
            self.out_proj.weight,
            self.out_proj.bias,
            training=self.training,
            key_padding_mask=key_padding_mask,
            need_weights=need_weights,
            attn_mask=attn_mask,
            use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights,
            is_causal=is_causal,
        )
        if self.batch_first and query.ndim == 3:
            out = out.transpose(0, 1)
        return out, weights
