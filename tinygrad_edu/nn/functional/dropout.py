"""Dropout, as torch.nn.functional's: ``dropout`` zeroes single elements, ``dropout1d`` and
``dropout2d`` whole channels (feature maps).

In training each element (or channel) is kept with probability 1 - p and scaled by 1 / (1 - p),
so the expected output is the input and nothing needs rescaling at test time; with
``training=False`` the input is returned as it is. The masks are drawn from the generator
``tinygrad_edu.manual_seed`` seeds, so runs are reproducible (but not PyTorch's draws: its
generator is another one).
"""

from __future__ import annotations

import warnings

from tinygrad_edu import dtypes
from tinygrad_edu import inplace as inplace_ops
from tinygrad_edu._tensor import Tensor
from tinygrad_edu.ops.dropout import Dropout, dropout_mask
from tinygrad_edu.random import default_generator


def _check_p(p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _apply(input: Tensor, p: float, mask_shape: tuple[int, ...], inplace: bool) -> Tensor:
    if not dtypes.is_floating(input.dtype):
        raise RuntimeError(f"dropout: the input must be a floating tensor, got dtype {input.dtype}")
    mask = dropout_mask(default_generator(), mask_shape, p, input.dtype)
    if inplace:
        return inplace_ops.apply_inplace(input, "dropout_", lambda old: Dropout.apply(old, mask))
    return Dropout.apply(input, mask)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1 / (1 - p) (in training)."""
    _check_p(p)
    if not training or p == 0:
        return input
    return _apply(input, p, input.shape, inplace)


def _channel_dropout(
    input: Tensor, p: float, training: bool, inplace: bool, batched: bool
) -> Tensor:
    """One draw per (sample, channel): the mask has size 1 along every dim after the channels.
    ``batched`` False: the input has no batch dim, its channels are dim 0."""
    _check_p(p)
    if not training or p == 0:
        return input
    lead = 2 if batched else 1
    mask_shape = (*input.shape[:lead], *(1,) * (input.ndim - lead))
    return _apply(input, p, mask_shape, inplace)


def dropout1d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels of an (N, C, L) or (C, L) input with probability p."""
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input (shape "
            f"{input.shape}). dropout1d zeroes channels of inputs with 1 spatial dimension, a "
            "channel dimension, and an optional batch dimension."
        )
    return _channel_dropout(input, p, training, inplace, batched=input.ndim == 3)


def dropout2d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels (feature maps) of an (N, C, H, W) input with probability p.

    As in PyTorch, a 3-D input is read as (N, C, L) (with a warning: PyTorch plans to read it as
    an unbatched (C, H, W) one day); other ranks are deprecated and warn too.
    """
    if input.ndim < 2:
        raise RuntimeError(
            f"dropout2d: channel dropout needs at least 2 dims (N, C, ...), got shape {input.shape}"
        )
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated. "
            "dropout2d zeroes channels of (N, C, H, W) inputs; use dropout for others.",
            UserWarning,
            stacklevel=2,
        )
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), as PyTorch "
            "does. Use dropout1d to say so and silence this warning.",
            UserWarning,
            stacklevel=2,
        )
    return _channel_dropout(input, p, training, inplace, batched=True)
