"""MathMethods: elementwise functions (exp, tanh, clamp, where, softmax, ...), comparisons and
logic (bool tensors outside the graph), and products of vectors and matrices.
"""

# mypy: disable-error-code="arg-type, return-value"
# (At run time self is always a Tensor, the last class of the chain and the only one ever made; to
# mypy it is an instance of this class, so it would refuse each place that passes self on, or
# returns it, as a Tensor. Those two checks are off in this module and on everywhere else; self's
# attributes and methods are checked, against this class and the ones below it.)

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

import tinygrad_edu  # .functions.<module>, looked up when called (they import Tensor, made later)
from tinygrad_edu import dtypes, inplace, ops
from tinygrad_edu._tensor_arithmetic import ArithmeticMethods, _promoted
from tinygrad_edu._tensor_core import TensorCore

if TYPE_CHECKING:
    import tinygrad_edu.functions.comparisons
    import tinygrad_edu.functions.linalg
    import tinygrad_edu.functions.pointwise
    from tinygrad_edu._tensor import Tensor
    from tinygrad_edu._tensor_core import ArrayLike, Scalar


class MathMethods(ArithmeticMethods):
    """Elementwise maths, comparisons and logic, and products."""

    __slots__ = ()

    # -- comparisons: results are bool tensors outside the graph ---------------------------------

    def _compare(self, fn: Callable[..., Any], other: Any) -> Tensor:
        y = other.data if isinstance(other, TensorCore) else self._operand(other).data
        return TensorCore._plain(np.asarray(fn(self.data, y)))

    def __eq__(self, other: object) -> Tensor:  # type: ignore[override]
        if other is None:  # ``x == None`` is False, as in PyTorch (code compares defaults so)
            return False
        return self._compare(np.equal, other)

    def __ne__(self, other: object) -> Tensor:  # type: ignore[override]
        if other is None:
            return True
        return self._compare(np.not_equal, other)

    __hash__ = object.__hash__  # == is elementwise, so hash by identity (as torch.Tensor)

    def __lt__(self, other: ArrayLike) -> Tensor:
        return self._compare(np.less, other)

    def __le__(self, other: ArrayLike) -> Tensor:
        return self._compare(np.less_equal, other)

    def __gt__(self, other: ArrayLike) -> Tensor:
        return self._compare(np.greater, other)

    def __ge__(self, other: ArrayLike) -> Tensor:
        return self._compare(np.greater_equal, other)

    def eq(self, other: ArrayLike) -> Tensor:
        return self._compare(np.equal, other)

    def sign(self) -> Tensor:
        """-1, 0 or 1 (its gradient is 0, as in PyTorch)."""
        return ops.Sign.apply(self)

    def __invert__(self) -> Tensor:
        return TensorCore._plain(
            np.logical_not(self.data) if self.dtype == dtypes.bool_ else ~self.data
        )

    def __and__(self, other: ArrayLike) -> Tensor:
        """Logical for bool tensors, bitwise for integers, as in PyTorch."""
        return self._compare(
            np.logical_and if self.dtype == dtypes.bool_ else np.bitwise_and, other
        )

    def __or__(self, other: ArrayLike) -> Tensor:
        return self._compare(np.logical_or if self.dtype == dtypes.bool_ else np.bitwise_or, other)

    # -- elementwise functions -------------------------------------------------------------------

    def exp(self) -> Tensor:
        return ops.Exp.apply(self._float())

    def log(self) -> Tensor:
        return ops.Log.apply(self._float())

    def log1p(self) -> Tensor:
        return ops.Log1p.apply(self._float())

    def sqrt(self) -> Tensor:
        return ops.Sqrt.apply(self._float())

    def abs(self) -> Tensor:
        return ops.Abs.apply(self)

    def relu(self) -> Tensor:
        return ops.ReLU.apply(self)

    def sigmoid(self) -> Tensor:
        return ops.Sigmoid.apply(self._float())

    def tanh(self) -> Tensor:
        return ops.Tanh.apply(self._float())

    def clamp(
        self, min: Scalar | Tensor | None = None, max: Scalar | Tensor | None = None
    ) -> Tensor:
        if min is None and max is None:
            raise RuntimeError("clamp: at least one of min and max must be given")
        if isinstance(min, TensorCore) or isinstance(max, TensorCore):
            return tinygrad_edu.functions.pointwise.clamp_tensors(self, min, max)
        x = self
        for bound in (min, max):  # an integer tensor clamped to 2.5 becomes float, as in torch
            if bound is not None and dtypes.result_type(x.data, bound) != x.dtype:
                x = x.to(dtypes.result_type(x.data, bound))
        return ops.Clamp.apply(x, min, max)

    clip = clamp

    def clamp_(self, min: Scalar | None = None, max: Scalar | None = None) -> Tensor:
        return inplace.apply_inplace(self, "clamp_", lambda old: old.clamp(min, max))

    clip_ = clamp_

    def maximum(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Maximum, other)

    def minimum(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Minimum, other)

    def where(self, condition: ArrayLike, other: ArrayLike) -> Tensor:
        """self where condition holds, other elsewhere (torch.Tensor.where); gradients flow to
        self and other, never to the condition."""
        cond = condition.data if isinstance(condition, TensorCore) else np.asarray(condition)
        if cond.dtype != np.bool_:
            raise RuntimeError(
                f"where: the condition must be a bool tensor, got dtype {cond.dtype}"
            )
        x, y = self, self._operand(other)
        if x.data.dtype is not y.data.dtype:
            x, y = _promoted(x, y)
        try:
            np.broadcast_shapes(cond.shape, x.shape, y.shape)
        except ValueError:
            raise RuntimeError(
                f"where: condition {cond.shape}, input {x.shape} and other {y.shape} cannot be "
                "broadcast together"
            ) from None
        return ops.Where.apply(x, y, cond)

    def softmax(self, dim: int) -> Tensor:
        return ops.Softmax.apply(self._float(), self._dim(dim))

    def log_softmax(self, dim: int) -> Tensor:
        return ops.LogSoftmax.apply(self._float(), self._dim(dim))

    # -- elementwise maths, more -----------------------------------------------------------------

    def sin(self) -> Tensor:
        return ops.Sin.apply(self._float())

    def cos(self) -> Tensor:
        return ops.Cos.apply(self._float())

    def tan(self) -> Tensor:
        return ops.Tan.apply(self._float())

    def asin(self) -> Tensor:
        return ops.Asin.apply(self._float())

    def acos(self) -> Tensor:
        return ops.Acos.apply(self._float())

    def atan(self) -> Tensor:
        return ops.Atan.apply(self._float())

    arcsin, arccos, arctan = asin, acos, atan

    def sinh(self) -> Tensor:
        return ops.Sinh.apply(self._float())

    def cosh(self) -> Tensor:
        return ops.Cosh.apply(self._float())

    def exp2(self) -> Tensor:
        return ops.Exp2.apply(self._float())

    def expm1(self) -> Tensor:
        return ops.Expm1.apply(self._float())

    def log2(self) -> Tensor:
        return ops.Log2.apply(self._float())

    def log10(self) -> Tensor:
        return ops.Log10.apply(self._float())

    def rsqrt(self) -> Tensor:
        return ops.Rsqrt.apply(self._float())

    def erf(self) -> Tensor:
        return ops.Erf.apply(self._float())

    def erfc(self) -> Tensor:
        return ops.Erfc.apply(self._float())

    def square(self) -> Tensor:
        return (self.long() if self.dtype == dtypes.bool_ else self) ** 2

    def reciprocal(self) -> Tensor:
        return 1 / self._float()

    def floor(self) -> Tensor:
        """The largest whole number <= each element (its gradient is 0, as in PyTorch)."""
        return tinygrad_edu.functions.pointwise.rounded(self, ops.Floor)

    def ceil(self) -> Tensor:
        return tinygrad_edu.functions.pointwise.rounded(self, ops.Ceil)

    def trunc(self) -> Tensor:
        return tinygrad_edu.functions.pointwise.rounded(self, ops.Trunc)

    fix = trunc

    def round(self, decimals: builtins.int = 0) -> Tensor:
        """Rounded to ``decimals`` places, halves to even."""
        return tinygrad_edu.functions.pointwise.rounded(self, ops.Round, decimals)

    def frac(self) -> Tensor:
        """The fractional part, x - trunc(x), with x's sign."""
        return self - self.trunc()

    def __abs__(self) -> Tensor:
        return self.abs()

    absolute = abs

    def atan2(self, other: ArrayLike) -> Tensor:
        """The angle of the point (other, self): atan(self / other) in the right quadrant."""
        return self._float()._binary(ops.Atan2, other)

    arctan2 = atan2

    def lerp(self, end: Tensor, weight: ArrayLike) -> Tensor:
        """self + weight * (end - self)."""
        return tinygrad_edu.functions.pointwise.lerp(self, end, weight)

    def clamp_min(self, min: Scalar | Tensor) -> Tensor:
        return self.clamp(min=min)

    def clamp_max(self, max: Scalar | Tensor) -> Tensor:
        return self.clamp(max=max)

    def clamp_min_(self, min: Scalar | Tensor) -> Tensor:
        return inplace.apply_inplace(self, "clamp_min_", lambda old: old.clamp(min=min))

    def clamp_max_(self, max: Scalar | Tensor) -> Tensor:
        return inplace.apply_inplace(self, "clamp_max_", lambda old: old.clamp(max=max))

    # -- comparisons and logic, more: bool tensors outside the graph -----------------------------

    def ne(self, other: ArrayLike) -> Tensor:
        return self._compare(np.not_equal, other)

    def lt(self, other: ArrayLike) -> Tensor:
        return self._compare(np.less, other)

    def le(self, other: ArrayLike) -> Tensor:
        return self._compare(np.less_equal, other)

    def gt(self, other: ArrayLike) -> Tensor:
        return self._compare(np.greater, other)

    def ge(self, other: ArrayLike) -> Tensor:
        return self._compare(np.greater_equal, other)

    not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge

    def isclose(
        self,
        other: ArrayLike,
        rtol: builtins.float = 1e-05,
        atol: builtins.float = 1e-08,
        equal_nan: builtins.bool = False,
    ) -> Tensor:
        return tinygrad_edu.functions.comparisons.isclose(self, other, rtol, atol, equal_nan)

    def allclose(
        self,
        other: ArrayLike,
        rtol: builtins.float = 1e-05,
        atol: builtins.float = 1e-08,
        equal_nan: builtins.bool = False,
    ) -> builtins.bool:
        return tinygrad_edu.functions.comparisons.allclose(self, other, rtol, atol, equal_nan)

    def equal(self, other: Tensor) -> builtins.bool:
        return tinygrad_edu.functions.comparisons.equal(self, other)

    def isnan(self) -> Tensor:
        return TensorCore._plain(np.isnan(self.data))

    def isinf(self) -> Tensor:
        return TensorCore._plain(np.isinf(self.data))

    def isfinite(self) -> Tensor:
        return TensorCore._plain(np.isfinite(self.data))

    def logical_not(self) -> Tensor:
        return TensorCore._plain(np.logical_not(self.data))

    def logical_and(self, other: ArrayLike) -> Tensor:
        return self._compare(np.logical_and, other)

    def logical_or(self, other: ArrayLike) -> Tensor:
        return self._compare(np.logical_or, other)

    def logical_xor(self, other: ArrayLike) -> Tensor:
        return self._compare(np.logical_xor, other)

    def __xor__(self, other: ArrayLike) -> Tensor:
        return self._compare(
            np.logical_xor if self.dtype == dtypes.bool_ else np.bitwise_xor, other
        )

    # -- products of vectors and matrices --------------------------------------------------------

    def mm(self, mat2: Tensor) -> Tensor:
        return tinygrad_edu.functions.linalg.mm(self, mat2)

    def bmm(self, mat2: Tensor) -> Tensor:
        return tinygrad_edu.functions.linalg.bmm(self, mat2)

    def mv(self, vec: Tensor) -> Tensor:
        return tinygrad_edu.functions.linalg.mv(self, vec)

    def dot(self, other: Tensor) -> Tensor:
        return tinygrad_edu.functions.linalg.dot(self, other)

    def outer(self, vec2: Tensor) -> Tensor:
        return tinygrad_edu.functions.linalg.outer(self, vec2)

    ger = outer
