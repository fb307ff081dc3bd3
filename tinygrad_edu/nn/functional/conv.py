"""Convolution, as torch.nn.functional's ``conv1d`` and ``conv2d``: one fused op (ops/conv.py),
im2col and one matrix product. This module turns PyTorch's arguments (ints or tuples, padding
as numbers or 'same'/'valid', unbatched inputs) into the op's window geometry, and refuses bad
ones with PyTorch's error class and a message naming the shapes."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from tinygrad_edu import arguments
from tinygrad_edu._tensor import Tensor
from tinygrad_edu.ops.conv import Conv
from tinygrad_edu.ops.windows import Windows, output_size

PADDING_STRINGS = ("valid", "same")


def ntuple(value: Any, n: int, name: str, what: str = "the convolution") -> tuple[int, ...]:
    """An int for every spatial dim: an int repeated, or a tuple or list of n ints."""
    if arguments.is_int(value):
        return (int(value),) * n
    if isinstance(value, (tuple, list)) and all(arguments.is_int(v) for v in value):
        if len(value) == 1:
            return (int(value[0]),) * n
        if len(value) == n:
            return tuple(int(v) for v in value)
    raise RuntimeError(
        f"expected {name} to be a single integer value or a list of {n} values to match "
        f"{what} dimensions, but got {name}={list(value) if isinstance(value, tuple) else value}"
    )


def _padding(
    padding: Any, kernel: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...]
) -> tuple[tuple[int, int], ...]:
    """(before, after) per spatial dim. 'same' pads dilation (k - 1) in all, the odd one after
    (as PyTorch); 'valid' pads nothing."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * len(kernel)
        if padding != "same":
            raise RuntimeError(
                f"Invalid padding string: {padding!r}, should be one of {set(PADDING_STRINGS)}"
            )
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        total = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in total)
    pads = ntuple(padding, len(kernel), "padding")
    if any(p < 0 for p in pads):
        raise RuntimeError(f"negative padding is not supported, got padding={list(pads)}")
    return tuple((p, p) for p in pads)


def hashable(value: Any) -> Any:
    """A list (or array) argument as a tuple, so that it can key a cache."""
    return tuple(np.asarray(value).tolist()) if isinstance(value, (list, np.ndarray)) else value


@functools.lru_cache(maxsize=256)
def _windows(
    size: tuple[int, ...], kernel: tuple[int, ...], stride: Any, padding: Any, dilation: Any
) -> Windows:
    """The geometry of a convolution, checked; worked out once for each set of arguments (a
    layer gets the same ones at every step), so the cache skips the Python work."""
    d = len(kernel)
    strides = ntuple(stride, d, "stride")
    dilations = ntuple(dilation, d, "dilation")
    if any(s <= 0 for s in strides):
        raise RuntimeError(f"non-positive stride is not supported, got stride={list(strides)}")
    if any(v <= 0 for v in dilations):
        raise RuntimeError(
            f"non-positive dilation is not supported, got dilation={list(dilations)}"
        )
    pads = _padding(padding, kernel, strides, dilations)
    padded = [n + a + b for n, (a, b) in zip(size, pads)]
    span = [v * (k - 1) + 1 for k, v in zip(kernel, dilations)]
    if any(p < s for p, s in zip(padded, span)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, span))}). Kernel size can't be greater than "
            "actual input size"
        )
    out = tuple(
        output_size(n, k, s, p, v, False)[0]
        for n, k, s, p, v in zip(size, kernel, strides, pads, dilations)
    )
    return Windows(size, kernel, strides, dilations, pads, out)


def _conv(
    name: str,
    d: int,
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
) -> Tensor:
    """The d-dimensional convolution behind conv1d (d = 1) and conv2d (d = 2)."""
    if input.ndim not in (d + 1, d + 2):
        raise RuntimeError(
            f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to {name}, but got input "
            f"of size: {list(input.shape)}"
        )
    if weight.ndim != d + 2:
        raise RuntimeError(
            f"{name}: the weight must be {d + 2}-D (out_channels, in_channels / groups, "
            f"{' x '.join(['k'] * d)} kernel), got shape {list(weight.shape)}"
        )
    arguments.check_layer_dtypes(name, input, weight, bias)
    batched = input.ndim == d + 2
    x = input if batched else input.unsqueeze(0)
    out_channels, group_channels, *kernel = weight.shape
    if not arguments.is_int(groups) or groups <= 0:
        raise RuntimeError(f"non-positive groups is not supported, got groups={groups}")
    if out_channels % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size {list(weight.shape)} instead"
        )
    if x.shape[1] != group_channels * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
            f"input{list(x.shape)} to have {group_channels * groups} channels, but got "
            f"{x.shape[1]} channels instead"
        )
    if bias is not None and bias.shape != (out_channels,):
        raise RuntimeError(
            f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
            f"{out_channels} elements, but got bias of size {list(bias.shape)} instead"
        )
    windows = _windows(
        x.shape[2:], tuple(kernel), hashable(stride), hashable(padding), hashable(dilation)
    )
    result = Conv.apply(x, weight, bias, windows, groups)
    return result if batched else result.squeeze(0)


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """1-D convolution (cross-correlation, as in PyTorch) of an (N, C, L) or (C, L) input with
    an (O, C / groups, k) weight."""
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution (cross-correlation, as in PyTorch) of an (N, C, H, W) or (C, H, W) input
    with an (O, C / groups, kH, kW) weight."""
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)
