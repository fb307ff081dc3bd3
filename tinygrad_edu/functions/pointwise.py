"""Elementwise maths as torch-level functions: ``torch.sin(x)`` is ``x.sin()``, and so on.

Each checks that ``input`` is a Tensor (PyTorch's TypeError otherwise) and calls the method, where
the op is chosen; the longer compositions (lerp, clamp with tensor bounds, division with a
rounding mode) are written out here, and the methods call them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu import arguments, dtypes, ops
from tinygrad_edu._tensor import Tensor

Number = int | float | bool


def _input(x: Any, name: str) -> Tensor:
    return arguments.tensor_arg(x, name)


# -- one input -----------------------------------------------------------------------------------


def abs(input: Tensor) -> Tensor:
    return _input(input, "abs").abs()


absolute = abs


def neg(input: Tensor) -> Tensor:
    return -_input(input, "neg")


negative = neg


def sign(input: Tensor) -> Tensor:
    return _input(input, "sign").sign()


def reciprocal(input: Tensor) -> Tensor:
    return _input(input, "reciprocal").reciprocal()


def square(input: Tensor) -> Tensor:
    return _input(input, "square").square()


def sqrt(input: Tensor) -> Tensor:
    return _input(input, "sqrt").sqrt()


def rsqrt(input: Tensor) -> Tensor:
    return _input(input, "rsqrt").rsqrt()


def exp(input: Tensor) -> Tensor:
    return _input(input, "exp").exp()


def exp2(input: Tensor) -> Tensor:
    return _input(input, "exp2").exp2()


def expm1(input: Tensor) -> Tensor:
    return _input(input, "expm1").expm1()


def log(input: Tensor) -> Tensor:
    return _input(input, "log").log()


def log2(input: Tensor) -> Tensor:
    return _input(input, "log2").log2()


def log10(input: Tensor) -> Tensor:
    return _input(input, "log10").log10()


def log1p(input: Tensor) -> Tensor:
    return _input(input, "log1p").log1p()


def sin(input: Tensor) -> Tensor:
    return _input(input, "sin").sin()


def cos(input: Tensor) -> Tensor:
    return _input(input, "cos").cos()


def tan(input: Tensor) -> Tensor:
    return _input(input, "tan").tan()


def asin(input: Tensor) -> Tensor:
    return _input(input, "asin").asin()


def acos(input: Tensor) -> Tensor:
    return _input(input, "acos").acos()


def atan(input: Tensor) -> Tensor:
    return _input(input, "atan").atan()


arcsin, arccos, arctan = asin, acos, atan


def sinh(input: Tensor) -> Tensor:
    return _input(input, "sinh").sinh()


def cosh(input: Tensor) -> Tensor:
    return _input(input, "cosh").cosh()


def tanh(input: Tensor) -> Tensor:
    return _input(input, "tanh").tanh()


def sigmoid(input: Tensor) -> Tensor:
    return _input(input, "sigmoid").sigmoid()


def relu(input: Tensor) -> Tensor:
    return _input(input, "relu").relu()


def erf(input: Tensor) -> Tensor:
    return _input(input, "erf").erf()


def erfc(input: Tensor) -> Tensor:
    return _input(input, "erfc").erfc()


def floor(input: Tensor) -> Tensor:
    return _input(input, "floor").floor()


def ceil(input: Tensor) -> Tensor:
    return _input(input, "ceil").ceil()


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    return _input(input, "round").round(decimals=decimals)


def trunc(input: Tensor) -> Tensor:
    return _input(input, "trunc").trunc()


fix = trunc


def frac(input: Tensor) -> Tensor:
    return _input(input, "frac").frac()


def softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    x = _input(input, "softmax")
    return (x if dtype is None else x.to(dtype)).softmax(dim)


def log_softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    x = _input(input, "log_softmax")
    return (x if dtype is None else x.to(dtype)).log_softmax(dim)


def rounded(x: Tensor, op: type[ops.Floor], *args: Any) -> Tensor:
    """floor/ceil/round/trunc: integers are already whole (NumPy would make them floats)."""
    if x.dtype.kind in "iub":
        return x.clone()
    return op.apply(x, *args)


# -- two inputs ----------------------------------------------------------------------------------


def add(input: Any, other: Any, *, alpha: Number = 1) -> Tensor:
    return _pair(input, other, "add").add(other, alpha=alpha)


def sub(input: Any, other: Any, *, alpha: Number = 1) -> Tensor:
    return _pair(input, other, "sub").sub(other, alpha=alpha)


subtract = sub


def mul(input: Any, other: Any) -> Tensor:
    return _pair(input, other, "mul").mul(other)


multiply = mul


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    return _pair(input, other, "div").div(other, rounding_mode=rounding_mode)


divide = div


def true_divide(dividend: Any, divisor: Any) -> Tensor:
    return _pair(dividend, divisor, "true_divide") / divisor


def floor_divide(input: Any, other: Any) -> Tensor:
    return _pair(input, other, "floor_divide").floor_divide(other)


def pow(input: Any, exponent: Any) -> Tensor:
    if not isinstance(input, Tensor):  # torch.pow(2, t): a number to tensor powers
        return arguments.tensor_arg(exponent, "pow", "exponent", 2).__rpow__(input)
    return input**exponent


def atan2(input: Tensor, other: Any) -> Tensor:
    return _input(input, "atan2").atan2(other)


arctan2 = atan2


def fmod(input: Tensor, other: Any) -> Tensor:
    return _input(input, "fmod").fmod(other)


def remainder(input: Any, other: Any) -> Tensor:
    return _pair(input, other, "remainder").remainder(other)


def maximum(input: Tensor, other: Tensor) -> Tensor:
    return _input(input, "maximum").maximum(arguments.tensor_arg(other, "maximum", "other", 2))


def minimum(input: Tensor, other: Tensor) -> Tensor:
    return _input(input, "minimum").minimum(arguments.tensor_arg(other, "minimum", "other", 2))


def _pair(x: Any, y: Any, name: str) -> Tensor:
    """The first operand as a Tensor: ``torch.add(2, t)`` is allowed, as in PyTorch."""
    if isinstance(x, Tensor):
        return x
    if isinstance(y, Tensor):
        return y._operand(x)
    return arguments.tensor_arg(x, name)


def divide_rounded(x: Tensor, y: Any, rounding_mode: str | None) -> Tensor:
    """x / y, then rounded towards 0 ('trunc') or down ('floor', Python's //): the quotient is a
    step function, so it carries no gradient (PyTorch records none either)."""
    if rounding_mode is None:
        return x / y
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"{rounding_mode!r}"
        )
    y_t = x._operand(y)
    dtype = dtypes.result_type(x.data, y_t.data)
    a, b = x.data.astype(dtype, copy=False), y_t.data.astype(dtype, copy=False)
    if dtype.kind in "iub" and not np.all(b):
        raise RuntimeError("ZeroDivisionError: integer division by zero")
    with np.errstate(divide="ignore", invalid="ignore"):
        if rounding_mode == "floor":  # (NumPy's floor_divide is Python's: 5.0 // 0.1 is 49)
            q = np.floor_divide(a, b)
        elif dtype.kind in "iub":  # floor, then up by one where the quotient was negative
            q = np.floor_divide(a, b)
            q = q + ((q < 0) & (q * b != a))
        else:
            q = np.trunc(a / b)
    return Tensor._plain(np.asarray(q, dtype=dtype))


# -- three inputs --------------------------------------------------------------------------------


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """input + weight * (end - input): the point a fraction ``weight`` of the way to ``end``."""
    start = _input(input, "lerp")
    arguments.tensor_arg(end, "lerp", "end", 2)
    return start + weight * (end - start)


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    return _input(input, "clamp").clamp(min, max)


clip = clamp


def clamp_min(input: Tensor, min: Any) -> Tensor:
    return _input(input, "clamp_min").clamp(min=min)


def clamp_max(input: Tensor, max: Any) -> Tensor:
    return _input(input, "clamp_max").clamp(max=max)


def clamp_tensors(x: Tensor, lo: Any, hi: Any) -> Tensor:
    """clamp with Tensor bounds (a number bound becomes one): the gradient goes to x where
    lo <= x <= hi (as the scalar clamp), else to the bound that was taken."""
    out = x
    if lo is not None:
        lo_t = x._operand(lo)
        out = out.where(out.data >= lo_t.data, lo_t)
    if hi is not None:
        hi_t = x._operand(hi)
        out = out.where(out.data <= hi_t.data, hi_t)
    return out


def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    """input where condition holds, other elsewhere; gradients flow to input and other, never to
    the condition. One of input and other may be a number. ``where(condition)`` alone is
    ``nonzero(condition, as_tuple=True)``."""
    if input is None and other is None:
        return tuple(Tensor._plain(i) for i in np.nonzero(np.asarray(condition)))
    if isinstance(input, Tensor):
        return input.where(condition, other)
    if isinstance(other, Tensor):
        return other._operand(input).where(condition, other)
    raise TypeError("where(): at least one of input and other must be a Tensor")


# -- conveniences ----------------------------------------------------------------------------------


def clone(input: Tensor) -> Tensor:
    """A copy with its own memory; gradients flow through it."""
    return _input(input, "clone").clone()


def is_floating_point(input: Tensor) -> bool:
    return _input(input, "is_floating_point").is_floating_point()
