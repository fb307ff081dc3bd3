"""The embedding lookup: rows of a weight matrix picked by integer indices, as one node.

Picking rows is indexing (``weight[indices]``), and indexing's backward already adds up the
rows picked twice. The op exists for what PyTorch's embedding adds to that: the row of
``padding_idx`` gets no gradient, and ``scale_grad_by_freq`` divides each row's gradient by how
often its index occurs in the batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops.either import Gradient
from tinygrad_edu.ops.movement import IndexAdd, index_add

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor


class Embedding(Function):
    """out[p] = W[idx[p]] for every position p;
    dW[k] = sum over the positions p with idx[p] = k of grad[p] s[p], where s[p] is
    1 / (number of positions holding idx[p]) with scale_grad_by_freq (1 without), and
    0 where idx[p] is padding_idx.

    indices is an integer array (any shape), checked by the caller to lie in [0, rows).
    """

    backward_on_arrays = True

    @staticmethod
    def forward(
        ctx: Embedding,
        weight: Tensor,
        indices: np.ndarray,
        padding_idx: int | None,
        scale_grad_by_freq: bool,
    ) -> np.ndarray:
        return weight.data[indices]

    @staticmethod
    def backward(ctx: Embedding, grad: Gradient) -> Gradient:
        weight, indices, padding_idx, scale_grad_by_freq = ctx.inputs
        scale = None  # s[p], where it is not 1
        if scale_grad_by_freq:
            counts = np.bincount(indices.ravel(), minlength=weight.data.shape[0])
            scale = 1.0 / counts[indices]
        if padding_idx is not None:
            keep = indices != padding_idx
            scale = keep if scale is None else scale * keep
        if scale is not None:  # a constant factor: the gradient stays linear in grad
            grad = grad * scale[..., None].astype(weight.dtype)
        if isinstance(grad, np.ndarray):
            return index_add(grad, (indices,), weight.data.shape)
        return IndexAdd.apply(grad, (indices,), weight.data.shape)
