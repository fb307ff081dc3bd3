"""Normalisation, as torch.nn.functional's: ``layer_norm``, ``group_norm`` and ``batch_norm``.

Each standardises x over some dims (LayerNorm: each sample's last dims; GroupNorm: each sample's
groups of channels; BatchNorm: each channel over the batch and the positions) and then scales
and shifts it, per feature or per channel. All three are one fused op (ops/normalization.py).
BatchNorm in evaluation, which uses fixed running statistics, is an affine map of x written with
the Tensor's own operators.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu import dtypes, inplace
from tinygrad_edu._tensor import Tensor
from tinygrad_edu.ops.normalization import Normalize, moments


def _check_floating(name: str, input: Tensor, *params: Tensor | None) -> None:
    if not dtypes.is_floating(input.dtype):
        raise RuntimeError(f"{name}: the input must be a floating tensor, got dtype {input.dtype}")
    for p in params:
        if p is not None and p.dtype != input.dtype:
            raise RuntimeError(
                f"{name}: mixed dtypes: the input is {input.dtype} but a weight or bias is "
                f"{p.dtype}; all must share the same dtype"
            )


def layer_norm(
    input: Tensor,
    normalized_shape: Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Standardise over the last len(normalized_shape) dims (each sample on its own), then
    scale by weight and shift by bias, both of shape normalized_shape."""
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(
            "layer_norm(): argument 'normalized_shape' must be a tuple of ints, not "
            f"{type(normalized_shape).__name__} (nn.LayerNorm takes an int; F.layer_norm takes "
            "(n,))"
        )
    shape = tuple(int(n) for n in normalized_shape)
    k = len(shape)
    if k == 0 or input.ndim < k or input.shape[input.ndim - k :] != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size {list(input.shape)}"
        )
    for what, p in (("weight", weight), ("bias", bias)):
        if p is not None and p.shape != shape:
            raise RuntimeError(
                f"Expected {what} to be of same shape as normalized_shape, but got {what} of "
                f"shape {list(p.shape)} and normalized_shape = {list(shape)}"
            )
    _check_floating("layer_norm", input, weight, bias)
    dims = tuple(range(input.ndim - k, input.ndim))
    return Normalize.apply(input, weight, bias, dims, eps)


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Split the C channels of an (N, C, ...) input into num_groups groups and standardise each
    sample's group (its channels and positions together); then scale and shift per channel."""
    if input.ndim < 2:
        raise RuntimeError(
            f"group_norm: expected at least 2 dimensions (N, C, ...) for the input, got shape "
            f"{input.shape}"
        )
    n, c = input.shape[:2]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(input.shape)} and num_groups={num_groups}"
        )
    _check_per_channel("group_norm", c, weight=weight, bias=bias)
    _check_floating("group_norm", input, weight, bias)
    # (N, G, C/G, rest): the moments over dims 2 and 3; the weights broadcast as (G, C/G, 1).
    grouped = input.reshape(n, num_groups, c // num_groups, -1)
    w = weight.reshape(num_groups, c // num_groups, 1) if weight is not None else None
    b = bias.reshape(num_groups, c // num_groups, 1) if bias is not None else None
    return Normalize.apply(grouped, w, b, (2, 3), eps).reshape(input.shape)


def _check_per_channel(name: str, c: int, **tensors: Tensor | None) -> None:
    for what, t in tensors.items():
        if t is not None and t.data.size != c:
            raise RuntimeError(
                f"{name}: {what} should contain {c} elements not {t.data.size} (one per channel "
                f"of the input)"
            )


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Standardise each channel (dim 1) of an (N, C, ...) input, then scale and shift it.

    ``training=True``: with the batch's mean and biased variance over every dim but 1; the
    running statistics (if given) move towards the batch's, in place:
    running = (1 - momentum) running + momentum batch, with the unbiased variance.
    ``training=False``: with running_mean and running_var, which must be given.
    """
    if input.ndim < 2:
        raise RuntimeError(
            f"batch_norm: expected at least 2 dimensions (N, C, ...) for the input, got shape "
            f"{input.shape}"
        )
    c = input.shape[1]
    _check_per_channel(
        "batch_norm",
        c,
        running_mean=running_mean,
        running_var=running_var,
        weight=weight,
        bias=bias,
    )
    _check_floating("batch_norm", input, weight, bias)
    dims = (0, *range(2, input.ndim))
    stat_shape = (c, *(1,) * (input.ndim - 2))  # a per-channel value, broadcast along dim 1
    w = weight.reshape(stat_shape) if weight is not None else None
    b = bias.reshape(stat_shape) if bias is not None else None
    if training:
        n = input.data.size // c
        if n <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size "
                f"{input.shape}"
            )
        mean, var = moments(input.data, dims)
        if running_mean is not None:
            _update(running_mean, mean, momentum, "running_mean")
        if running_var is not None:
            _update(running_var, var * (n / (n - 1)), momentum, "running_var")
        return Normalize.apply(input, w, b, dims, eps, (mean, var))
    if running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    # Fixed statistics: out = (x - mean) * (w / sqrt(var + eps)) + b, an affine map of x.
    inv_std = 1.0 / np.sqrt(running_var.data.astype(input.dtype) + eps)
    scale: Any = Tensor._plain(inv_std.reshape(stat_shape))
    if w is not None:
        scale = scale * w
    out = (input - Tensor._plain(running_mean.data.astype(input.dtype).reshape(stat_shape))) * scale
    return out + b if b is not None else out


def _update(running: Tensor, batch: np.ndarray, momentum: float, name: str) -> None:
    """running <- (1 - momentum) running + momentum batch, in place, outside any graph."""
    new = running.data * (1.0 - momentum) + batch.reshape(-1).astype(running.dtype) * momentum
    inplace.write(running, new.astype(running.dtype, copy=False), f"batch_norm ({name})")
