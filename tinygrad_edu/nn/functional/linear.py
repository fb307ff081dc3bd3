"""``linear``: x W^T + b as one fused op (ops/nn_ops.py)."""

from __future__ import annotations

from tinygrad_edu import arguments
from tinygrad_edu._tensor import Tensor
from tinygrad_edu.ops import nn_ops


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input @ weight.T + bias, as one fused op. weight is (out_features, in_features)."""
    x_shape, w_shape = input.data.shape, weight.data.shape  # (once: every layer, every step)
    if len(w_shape) != 2:
        raise ValueError(f"linear: weight must be 2-D (out_features, in_features), got {w_shape}")
    if not x_shape or x_shape[-1] != w_shape[1]:
        raise ValueError(
            f"linear: input has shape {x_shape}, its last dim must be {w_shape[1]} "
            f"(in_features of the weight of shape {w_shape})"
        )
    if bias is not None and bias.data.shape != (w_shape[0],):
        raise ValueError(
            f"linear: bias has shape {bias.shape}, expected ({w_shape[0]},) for a weight "
            f"of shape {w_shape}"
        )
    dt = input.data.dtype
    if weight.data.dtype is not dt or (bias is not None and bias.data.dtype is not dt):
        arguments.check_layer_dtypes("linear", input, weight, bias)  # (raises)
    return nn_ops.Linear.apply(input, weight, bias)
