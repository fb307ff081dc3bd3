"""Embedding: a lookup table of learned vectors, one row per token (``torch.nn.Embedding``).

``emb(indices)`` is ``emb.weight[indices]``: a sentence of token ids becomes a sequence of
vectors, and backward adds each position's gradient into its token's row. The weight starts
N(0, 1), with the ``padding_idx`` row zero; that row never gets a gradient, so it stays what it
is (zeros, or a pretrained vector from ``from_pretrained``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu import inplace
from tinygrad_edu._tensor import Tensor
from tinygrad_edu.nn import init
from tinygrad_edu.nn.functional.embedding import embedding, padding_index
from tinygrad_edu.nn.module import Module
from tinygrad_edu.nn.parameter import Parameter


class Embedding(Module):
    """A (num_embeddings, embedding_dim) table; ``forward(input)`` looks up the rows of the
    integer tensor input, giving (*input.shape, embedding_dim)."""

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Any = None,
        _freeze: bool = False,
        device: object = None,
        dtype: object = None,
    ) -> None:
        super().__init__()
        if sparse:
            raise NotImplementedError(
                "Embedding: sparse gradients are not supported (sparse=False)"
            )
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_index(padding_idx, num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = Parameter(np.empty((num_embeddings, embedding_dim), np.float32))
            self.reset_parameters()
        else:
            weight = Parameter(_weight)
            if weight.shape != (num_embeddings, embedding_dim):
                raise AssertionError(
                    f"Shape of weight does not match num_embeddings and embedding_dim: "
                    f"{weight.shape} for ({num_embeddings}, {embedding_dim})"
                )
            self.weight = weight
        self.weight.requires_grad_(not _freeze)
        # (N(0, 1) drawn in float32, then cast: torch draws in the dtype asked for.) As in
        # torch, a given _weight keeps its own dtype; the device is checked either way.
        self.to(device=device, dtype=dtype if _weight is None else None)

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:  # the padding token's vector starts (and stays) zero
            zeroed = self.weight.data.copy()
            zeroed[self.padding_idx] = 0
            inplace.write(self.weight, zeroed, "reset_parameters")

    def forward(self, input: Tensor) -> Tensor:
        return embedding(
            input,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.sparse,
        )

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Any,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding holding ``embeddings`` (a 2-D tensor, kept as it is, padding row too);
        frozen (no gradient) unless ``freeze=False``."""
        shape = np.shape(embeddings.data if isinstance(embeddings, Tensor) else embeddings)
        if len(shape) != 2:
            raise AssertionError(
                f"Embeddings parameter is expected to be 2-dimensional, got shape {shape}"
            )
        return cls(
            shape[0],
            shape[1],
            padding_idx,
            max_norm,
            norm_type,
            scale_grad_by_freq,
            sparse,
            _weight=embeddings,
            _freeze=freeze,
        )

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        return s
