"""Pooling, as torch.nn.functional's: max and average pooling over sliding windows (one fused op
each, ops/pooling.py), and their adaptive forms, which pick the windows from the output size.

Adaptive pooling whose output size divides the input size is ordinary pooling with kernel =
stride = input / output. Otherwise the windows differ in size (window i spans
floor(i L / O) .. ceil((i + 1) L / O)), and the op is built from others: an average is a
product with an averaging matrix along each dim, a max gathers the windows and takes ``max``.

One difference from PyTorch: an adaptive output size of 0 is refused here (PyTorch returns an
empty tensor).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu import dtypes
from tinygrad_edu._tensor import Tensor
from tinygrad_edu.nn.functional.conv import ntuple
from tinygrad_edu.ops.pooling import AvgPool, MaxPool, argmax_positions, window_max
from tinygrad_edu.ops.windows import Windows, output_size


def _batched(name: str, d: int, input: Tensor) -> Tensor:
    """The input with a batch dim (an unbatched (C, *spatial) input gets one of size 1)."""
    if input.ndim not in (d + 1, d + 2) or input.data.size == 0:
        raise RuntimeError(
            f"{name}: Expected {d + 1}D (unbatched) or {d + 2}D (batched) non-empty input, but "
            f"got input of size: {list(input.shape)}"
        )
    if not dtypes.is_floating(input.dtype):
        raise RuntimeError(f"{name}: the input must be a floating tensor, got dtype {input.dtype}")
    return input if input.ndim == d + 2 else input.unsqueeze(0)


def _unbatched(out: Tensor, input: Tensor, d: int) -> Tensor:
    return out if input.ndim == d + 2 else out.squeeze(0)


def _windows(
    name: str,
    d: int,
    x: Tensor,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
) -> Windows:
    what = "the pooling"
    kernel = ntuple(kernel_size, d, "kernel_size", what)
    no_stride = stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0)
    strides = kernel if no_stride else ntuple(stride, d, "stride", what)
    pads = ntuple(padding, d, "padding", what)
    dilations = ntuple(dilation, d, "dilation", what)
    for arg, values in (("kernel_size", kernel), ("stride", strides), ("dilation", dilations)):
        if any(v <= 0 for v in values):
            raise RuntimeError(f"{name}: {arg} must be greater than zero, but got {list(values)}")
    for p, k in zip(pads, kernel):
        if p < 0 or p > k // 2:  # (PyTorch's rule: half the kernel, however dilated)
            raise RuntimeError(
                f"{name}: pad should be at most half of kernel size, but got pad={p} and "
                f"kernel_size={k}"
            )
    size = x.shape[2:]
    sizes = [
        output_size(n, k, s, (p, p), v, ceil_mode)
        for n, k, s, p, v in zip(size, kernel, strides, pads, dilations)
    ]
    out = tuple(n for n, _ in sizes)
    if any(n <= 0 for n in out):
        c = x.shape[1]
        raise RuntimeError(
            f"{name}: Given input size: ({'x'.join(map(str, (c, *size)))}). Calculated output "
            f"size: ({'x'.join(map(str, (c, *out)))}). Output size is too small"
        )
    pad = tuple((p, after) for p, (_, after) in zip(pads, sizes))
    return Windows(tuple(size), kernel, strides, dilations, pad, out)


def _indices(x: Tensor, out: Tensor, w: Windows) -> Tensor:
    """Where each window's max is, as a flat index into its (N, C) plane, as PyTorch gives it."""
    node = out.grad_fn
    which = node.which if isinstance(node, MaxPool) else window_max(x.data, w)[1]
    flat = np.zeros(out.shape, np.int64)
    for position, n in zip(argmax_positions(which, w), w.size):
        flat = flat * n + position
    return Tensor._plain(flat)


def _max_pool(
    name: str,
    d: int,
    input: Tensor,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
    return_indices: bool,
) -> Any:
    x = _batched(name, d, input)
    w = _windows(name, d, x, kernel_size, stride, padding, dilation, ceil_mode)
    out = MaxPool.apply(x, w)
    if not return_indices:
        return _unbatched(out, input, d)
    return _unbatched(out, input, d), _unbatched(_indices(x, out, w), input, d)


def max_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The max of each window of an (N, C, L) or (C, L) input; stride defaults to the kernel
    size. With return_indices, also where each max is (a flat index along L)."""
    args = (kernel_size, stride, padding, dilation, ceil_mode, return_indices)
    return _max_pool("max_pool1d", 1, input, *args)


def max_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The max of each window of an (N, C, H, W) or (C, H, W) input; stride defaults to the
    kernel size. With return_indices, also where each max is (a flat index h * W + w)."""
    args = (kernel_size, stride, padding, dilation, ceil_mode, return_indices)
    return _max_pool("max_pool2d", 2, input, *args)


def _divisor(
    w: Windows, count_include_pad: bool, divisor_override: int | None, dtype: np.dtype
) -> np.ndarray:
    """What each window's sum is divided by: its size, clipped to the padded input (or, without
    count_include_pad, to the input), as PyTorch counts; or divisor_override."""
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("avg_pool2d: divisor must be not zero")
        return np.asarray(divisor_override, dtype)
    divisor = np.ones((), dtype)
    for i, (n, k, s, (p, _)) in enumerate(zip(w.size, w.kernel, w.stride, w.pad)):
        start = np.arange(w.out[i]) * s - p
        end = np.minimum(start + k, n + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        divisor = np.multiply.outer(divisor, (end - start).astype(dtype))
    return divisor


def _avg_pool(
    name: str,
    d: int,
    input: Tensor,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: int | None = None,
) -> Tensor:
    x = _batched(name, d, input)
    w = _windows(name, d, x, kernel_size, stride, padding, 1, ceil_mode)
    divisor = _divisor(w, count_include_pad, divisor_override, x.dtype)
    return _unbatched(AvgPool.apply(x, w, divisor), input, d)


def avg_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """The mean of each window of an (N, C, L) or (C, L) input; stride defaults to the kernel
    size; ``count_include_pad`` False leaves the zero padding out of the count."""
    args = (kernel_size, stride, padding, ceil_mode, count_include_pad)
    return _avg_pool("avg_pool1d", 1, input, *args)


def avg_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """The mean of each window of an (N, C, H, W) or (C, H, W) input; stride defaults to the
    kernel size; ``count_include_pad`` False leaves the zero padding out of the count;
    ``divisor_override`` divides every window's sum by that number instead."""
    args = (kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)
    return _avg_pool("avg_pool2d", 2, input, *args)


# -- adaptive pooling ----------------------------------------------------------------------------


def _output_sizes(name: str, d: int, x: Tensor, output_size: Any) -> tuple[int, ...]:
    """The output size per spatial dim; None keeps the input's."""
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * d
    if len(sizes) != d:
        raise RuntimeError(f"{name}: output_size must be {d}, got {output_size!r}")
    out = tuple(n if o is None else o for o, n in zip(sizes, x.shape[2:]))
    if any(not isinstance(o, (int, np.integer)) or o <= 0 for o in out):
        raise RuntimeError(f"{name}: output_size must be positive integers, got {output_size!r}")
    return tuple(int(o) for o in out)


def _bounds(n: int, o: int) -> tuple[np.ndarray, np.ndarray]:
    """Where adaptive pooling's windows start and end along one dim of size n, for o outputs."""
    i = np.arange(o)
    return (i * n) // o, -(-((i + 1) * n) // o)


def _adaptive_avg(name: str, d: int, input: Tensor, output_size: Any) -> Tensor:
    x = _batched(name, d, input)
    out = _output_sizes(name, d, x, output_size)
    size = x.shape[2:]
    if all(n % o == 0 for n, o in zip(size, out)):
        kernel = tuple(n // o for n, o in zip(size, out))
        return _unbatched(avg_pool2d(x, kernel) if d == 2 else avg_pool1d(x, kernel), input, d)
    # Windows of different sizes: average along each dim with a matrix A (out, n),
    # A[i, start_i:end_i] = 1 / (end_i - start_i); the product of the two is the window mean.
    mats = []
    for n, o in zip(size, out):
        start, end = (b[:, None] for b in _bounds(n, o))
        inside = (np.arange(n) >= start) & (np.arange(n) < end)
        mats.append(Tensor._plain((inside / (end - start)).astype(x.dtype)))
    result = x @ mats[-1].T  # along the last dim
    if d == 2:
        result = mats[0] @ result  # along the one before
    return _unbatched(result, input, d)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling of an (N, C, L) or (C, L) input down to ``output_size`` positions."""
    return _adaptive_avg("adaptive_avg_pool1d", 1, input, output_size)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling of an (N, C, H, W) or (C, H, W) input down to ``output_size`` (an int,
    or (h, w) where None keeps that dim)."""
    return _adaptive_avg("adaptive_avg_pool2d", 2, input, output_size)


def _adaptive_max(name: str, d: int, input: Tensor, output_size: Any, return_indices: bool) -> Any:
    x = _batched(name, d, input)
    out = _output_sizes(name, d, x, output_size)
    size = x.shape[2:]
    if all(n % o == 0 for n, o in zip(size, out)):
        kernel = tuple(n // o for n, o in zip(size, out))
        pool = max_pool2d if d == 2 else max_pool1d
        result = pool(x, kernel, return_indices=return_indices)
    else:
        result = _gathered_max(x, size, out, return_indices)
    if not return_indices:
        return _unbatched(result, input, d)
    return _unbatched(result[0], input, d), _unbatched(result[1], input, d)


def _gathered_max(
    x: Tensor, size: tuple[int, ...], out: tuple[int, ...], return_indices: bool
) -> Any:
    """Windows of different sizes: gather each one, padded to the largest by repeating its last
    element (which never changes a max, nor which element is first to hold it), and take the
    max over it. Indexing and max(dim) carry the gradient."""
    picks, widths = [], []
    for n, o in zip(size, out):
        start, end = _bounds(n, o)
        k = int((end - start).max())
        picks.append(np.minimum(start[:, None] + np.arange(k), end[:, None] - 1))  # (o, k)
        widths.append(k)
    d = len(size)
    if d == 1:
        windows = x[:, :, picks[0]]  # (N, C, O, K)
    else:  # (N, C, Oh, Kh, Ow, Kw) -> (N, C, Oh, Ow, Kh * Kw), Kh major as PyTorch scans
        rows, cols = picks[0][:, :, None, None], picks[1][None, None, :, :]
        windows = x[:, :, rows, cols].permute(0, 1, 2, 4, 3, 5)
        windows = windows.reshape(*x.shape[:2], *out, widths[0] * widths[1])
    values, arg = windows.max(-1)
    if not return_indices:
        return values
    taps = arg.data
    if d == 1:
        flat = picks[0][np.arange(out[0]), taps]
    else:
        ih = np.arange(out[0])[:, None]
        iw = np.arange(out[1])[None, :]
        flat = picks[0][ih, taps // widths[1]] * size[1] + picks[1][iw, taps % widths[1]]
    return values, Tensor._plain(flat.astype(np.int64))


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max pooling of an (N, C, L) or (C, L) input down to ``output_size`` positions."""
    return _adaptive_max("adaptive_max_pool1d", 1, input, output_size, return_indices)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max pooling of an (N, C, H, W) or (C, H, W) input down to ``output_size`` (an int, or
    (h, w) where None keeps that dim)."""
    return _adaptive_max("adaptive_max_pool2d", 2, input, output_size, return_indices)
