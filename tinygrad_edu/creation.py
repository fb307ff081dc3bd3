"""Making tensors, as torch does: from data, filled with a value, ranges, and random draws.

Every factory takes ``dtype=``, ``device=`` (the CPU, in any spelling: a PyTorch program's
``device=device`` runs unchanged) and ``requires_grad=`` by keyword, and sizes as
``zeros(2, 3)`` or ``zeros((2, 3))``. Floats come out as the default dtype (float32 unless ``set_default_dtype``
changed it); random draws come from the generator ``manual_seed`` seeds (tinygrad_edu.random).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu import arguments, dtypes
from tinygrad_edu._tensor import Tensor
from tinygrad_edu.device import check_device
from tinygrad_edu.random import generator_arg

Number = int | float | bool


def _made(data: np.ndarray, requires_grad: bool, device: Any = None) -> Tensor:
    if device is not None:
        check_device(device)  # the CPU in any spelling; anything else is refused, saying why
    t = Tensor._plain(data)
    return t.requires_grad_(True) if requires_grad else t


# -- from data --------------------------------------------------------------------------------


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data``, as torch.tensor: the dtype is inferred (Python
    floats: the default float dtype; ints: int64; bools: bool; an ndarray keeps its own)."""
    return _made(arguments.to_array(data, dtype, "tensor"), requires_grad, device)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like tensor(), but a Tensor or an ndarray of the right dtype is used without a copy."""
    if device is not None:
        check_device(device)
    if isinstance(data, Tensor) and (dtype is None or dtypes.as_dtype(dtype) == data.dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or dtypes.as_dtype(dtype) == data.dtype):
        return from_numpy(data)
    return tensor(data, dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory: changing one changes the other (torch.from_numpy)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected an np.ndarray, got {type(array).__name__}")
    if array.dtype.kind not in "biufc":
        raise TypeError(f"from_numpy: arrays of dtype {array.dtype} cannot become tensors")
    return Tensor._plain(array)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    return input.numel()


def _like(
    factory: Callable[..., Tensor], input: Tensor, dtype: Any, device: Any, requires_grad: bool
) -> Tensor:
    """``factory`` with input's shape, and its dtype unless another is asked for."""
    dt = input.dtype if dtype is None else dtype
    return factory(input.shape, dtype=dt, device=device, requires_grad=requires_grad)


# -- filled with a value ------------------------------------------------------------------------


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    shape = arguments.size_arg(size, "zeros")
    return _made(np.zeros(shape, arguments.float_dtype(dtype)), requires_grad, device)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    shape = arguments.size_arg(size, "ones")
    return _made(np.ones(shape, arguments.float_dtype(dtype)), requires_grad, device)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uninitialised in PyTorch; zeros here (reading garbage teaches nothing)."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(
    size: Any,
    fill_value: Number,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``size`` filled with ``fill_value``; the dtype follows the value (a bool gives bool, an
    int int64, a float the default float dtype), as torch.full."""
    shape = arguments.size_arg((size,) if arguments.is_int(size) else tuple(size), "full")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if not isinstance(fill_value, (int, float, bool, np.number, np.bool_)):
        raise TypeError(f"full(): fill_value must be a number, got {type(fill_value).__name__}")
    value = arguments.to_array(fill_value, dtype, "full")
    return _made(np.full(shape, value, value.dtype), requires_grad, device)


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    rows, cols = arguments.size_arg((n, n if m is None else m), "eye")
    return _made(np.eye(rows, cols, dtype=arguments.float_dtype(dtype)), requires_grad, device)


def zeros_like(
    input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _like(zeros, input, dtype, device, requires_grad)


def ones_like(
    input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _like(ones, input, dtype, device, requires_grad)


def empty_like(
    input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(
    input: Tensor,
    fill_value: Number,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    dt = input.dtype if dtype is None else dtype
    return full(input.shape, fill_value, dtype=dt, device=device, requires_grad=requires_grad)


# -- ranges -----------------------------------------------------------------------------------


def arange(
    start: Number,
    end: Number | None = None,
    step: Number = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """[start, end) in steps: int64 when every bound is an int, the default float otherwise."""
    if end is None:
        start, end = 0, start
    for name, v in (("start", start), ("end", end), ("step", step)):
        if not isinstance(v, (int, float, np.number)) or isinstance(v, bool):
            raise TypeError(f"arange(): {name} must be a number, got {type(v).__name__}")
        if not math.isfinite(v):
            raise RuntimeError(f"arange(): {name} must be finite, got {v}")
    if step == 0:
        raise RuntimeError("arange(): step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(
            f"arange(): upper bound and lower bound inconsistent with step sign "
            f"(start={start}, end={end}, step={step})"
        )
    if dtype is None:
        whole = all(arguments.is_int(v) for v in (start, end, step))
        dtype = dtypes.int64 if whole else dtypes.get_default_dtype()
    return _made(np.arange(start, end, step, dtype=dtypes.as_dtype(dtype)), requires_grad, device)


def linspace(
    start: float,
    end: float,
    steps: int,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` evenly spaced values from start to end, both included."""
    if not arguments.is_int(steps) or steps < 0:
        raise RuntimeError(f"linspace(): steps must be a non-negative int, got {steps!r}")
    data = np.linspace(start, end, int(steps), dtype=np.float64)
    return _made(data.astype(arguments.float_dtype(dtype)), requires_grad, device)


def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """base ** linspace(start, end, steps)."""
    exponents = linspace(start, end, steps, dtype=np.float64).data
    return _made((base**exponents).astype(arguments.float_dtype(dtype)), requires_grad, device)


# -- random -------------------------------------------------------------------------------------


_rng = generator_arg


def rand(
    *size: Any,
    generator: np.random.Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Uniform samples in [0, 1)."""
    shape, dt = arguments.size_arg(size, "rand"), arguments.float_dtype(dtype)
    draw = _rng(generator).random(shape, dtype=dt if dt.itemsize >= 4 else np.float32)
    return _made(draw.astype(dt, copy=False), requires_grad, device)


def randn(
    *size: Any,
    generator: np.random.Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal samples."""
    shape, dt = arguments.size_arg(size, "randn"), arguments.float_dtype(dtype)
    draw = _rng(generator).standard_normal(shape, dtype=dt if dt.itemsize >= 4 else np.float32)
    return _made(draw.astype(dt, copy=False), requires_grad, device)


def randint(
    low: int,
    high: int | None = None,
    size: Any = None,
    *,
    generator: np.random.Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Integers in [low, high) (``randint(high, size)`` starts at 0), int64 by default."""
    if size is None:  # randint(high, size)
        if high is None:
            raise TypeError("randint(): size is required")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"randint(): expected low < high, got low={low}, high={high}")
    shape = arguments.size_arg((size,) if arguments.is_int(size) else tuple(size), "randint")
    dt = dtypes.int64 if dtype is None else dtypes.as_dtype(dtype)
    return _made(_rng(generator).integers(low, high, shape).astype(dt), requires_grad, device)


def randperm(
    n: int,
    *,
    generator: np.random.Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A random order of 0..n-1."""
    dt = dtypes.int64 if dtype is None else dtypes.as_dtype(dtype)
    return _made(_rng(generator).permutation(int(n)).astype(dt), requires_grad, device)


def normal(
    mean: float | Tensor,
    std: float | Tensor,
    size: Any = None,
    *,
    generator: np.random.Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Samples of N(mean, std^2); mean and std may be tensors (then the shape is theirs)."""
    m = mean.data if isinstance(mean, Tensor) else mean
    s = std.data if isinstance(std, Tensor) else std
    if np.any(np.asarray(s) < 0):
        raise RuntimeError("normal(): std must be >= 0")
    shape = (
        None
        if size is None
        else arguments.size_arg((size,) if arguments.is_int(size) else tuple(size), "normal")
    )
    like = m if isinstance(m, np.ndarray) else s if isinstance(s, np.ndarray) else None
    dt = arguments.float_dtype(dtype if dtype is not None or like is None else like.dtype)
    return _made(np.asarray(_rng(generator).normal(m, s, shape)).astype(dt), requires_grad, device)


def rand_like(
    input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _like(rand, input, dtype, device, requires_grad)


def randn_like(
    input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _like(randn, input, dtype, device, requires_grad)


def randint_like(
    input: Tensor,
    low: int,
    high: int | None = None,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    dt = input.dtype if dtype is None else dtype
    return randint(low, high, input.shape, dtype=dt, device=device, requires_grad=requires_grad)
