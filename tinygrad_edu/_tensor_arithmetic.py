"""ArithmeticMethods: the operators (``+ - * / // % ** @``, their reflected and in-place forms)
and the in-place methods with their version counter. How in-place changes are recorded:
tinygrad_edu/inplace.py.
"""

# mypy: disable-error-code="arg-type, return-value"
# (At run time self is always a Tensor, the last class of the chain and the only one ever made; to
# mypy it is an instance of this class, so it would refuse each place that passes self on, or
# returns it, as a Tensor. Those two checks are off in this module and on everywhere else; self's
# attributes and methods are checked, against this class and the ones below it.)

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

import numpy as np

import tinygrad_edu  # .functions.<module>, looked up when called (they import Tensor, made later)
from tinygrad_edu import arguments, dtypes, inplace, ops
from tinygrad_edu._tensor_core import TensorCore
from tinygrad_edu.autograd import function, variable
from tinygrad_edu.autograd.config import Config
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.device import check_device
from tinygrad_edu.random import generator_arg

if TYPE_CHECKING:
    from collections.abc import Sequence

    import tinygrad_edu.functions.pointwise
    from tinygrad_edu._tensor import Tensor
    from tinygrad_edu._tensor_core import ArrayLike, Scalar


class ArithmeticMethods(TensorCore):
    """Operators, and changing a tensor in place."""

    __slots__ = ()

    # -- arithmetic ------------------------------------------------------------------------------

    def _operand(self, other: Any) -> Tensor:
        """The other side of a binary op as a Tensor. A Python number gets the dtype PyTorch
        gives it (x32 * 2.0 stays float32; an integer tensor times 2.5 becomes float)."""
        if isinstance(other, TensorCore):
            return other
        if isinstance(other, (builtins.int, builtins.float, builtins.bool, np.number, np.bool_)):
            other = other.item() if isinstance(other, np.generic) else other
            return TensorCore._plain(np.asarray(other, dtypes.result_type(self.data, other)))
        if isinstance(other, np.ndarray):
            return TensorCore._plain(arguments.to_array(other, None, "operand"))
        raise TypeError(
            f"unsupported operand: a Tensor and {type(other).__name__} {other!r} (expected a "
            "Tensor, an ndarray or a number; make a list a tensor first: tensor([...]))"
        )

    def _binary(self, op: type[Function], other: ArrayLike, reflected: bool = False) -> Tensor:
        y = other if type(other) is type(self) else self._operand(other)  # (the usual case first)
        x = self
        if x.data.dtype is not y.data.dtype:  # (an identity check first: the usual case)
            x, y = _promoted(x, y)
        if reflected:
            x, y = y, x
        try:
            return op.apply(x, y)
        except ValueError as e:
            if x.shape != y.shape and "broadcast" in str(e):
                raise RuntimeError(
                    f"{op.__name__.lower()}: shapes {x.shape} and {y.shape} cannot be broadcast together"
                ) from None
            raise

    def __add__(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Add, other)

    def __radd__(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Add, other, reflected=True)

    def __sub__(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Sub, other)

    def __rsub__(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Sub, other, reflected=True)

    def __mul__(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Mul, other)

    def __rmul__(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Mul, other, reflected=True)

    def __truediv__(self, other: ArrayLike) -> Tensor:
        return self._float()._binary(ops.Div, other)

    def __rtruediv__(self, other: ArrayLike) -> Tensor:
        return self._float()._binary(ops.Div, other, reflected=True)

    def __matmul__(self, other: ArrayLike) -> Tensor:
        x, y = self, self._operand(other)
        if x.data.dtype is not y.data.dtype:
            x, y = _promoted(x, y)
        return ops.MatMul.apply(x, y)

    def __rmatmul__(self, other: ArrayLike) -> Tensor:
        return self._operand(other).__matmul__(self)  # type: ignore[operator]  # (self: a Tensor)

    def __pow__(self, exponent: ArrayLike) -> Tensor:
        if isinstance(exponent, (builtins.int, builtins.float)) and not isinstance(
            exponent, builtins.bool
        ):
            x = self
            if isinstance(exponent, builtins.float) and not dtypes.is_floating(x.dtype):
                x = x.to(dtypes.get_default_dtype())  # arange(5) ** 0.5 is a float tensor
            elif exponent < 0 and x.dtype.kind in "iub":
                raise RuntimeError("Integers to negative integer powers are not allowed")
            elif x.dtype == dtypes.bool_:
                x = x.to(dtypes.int64)  # True ** 2 is an int64 1, as in PyTorch
            return ops.PowScalar.apply(x, exponent)
        return self._binary(ops.Pow, exponent)

    def __rpow__(self, base: ArrayLike) -> Tensor:
        return self._binary(ops.Pow, base, reflected=True)

    def __neg__(self) -> Tensor:
        return ops.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def add(self, other: ArrayLike, *, alpha: Scalar = 1) -> Tensor:
        return self + (other if alpha == 1 else self._operand(other) * alpha)

    def sub(self, other: ArrayLike, *, alpha: Scalar = 1) -> Tensor:
        return self - (other if alpha == 1 else self._operand(other) * alpha)

    def mul(self, other: ArrayLike) -> Tensor:
        return self * other

    def div(self, other: ArrayLike, *, rounding_mode: str | None = None) -> Tensor:
        """self / other; rounding_mode 'trunc' or 'floor' rounds the quotient (no gradient)."""
        if rounding_mode is None:
            return self / other
        return tinygrad_edu.functions.pointwise.divide_rounded(self, other, rounding_mode)

    def pow(self, exponent: ArrayLike) -> Tensor:
        return self**exponent

    def matmul(self, other: ArrayLike) -> Tensor:
        return self @ other

    def neg(self) -> Tensor:
        return -self

    def _float(self) -> Tensor:
        """Integers become the default float dtype for division and float functions, as in
        PyTorch (arange(4).exp() is a float tensor)."""
        return self if self.data.dtype.kind == "f" else self.to(dtypes.get_default_dtype())

    def fmod(self, other: ArrayLike) -> Tensor:
        """The remainder of self / other with the sign of self (C's fmod)."""
        return self._binary(ops.Fmod, other)

    def remainder(self, other: ArrayLike) -> Tensor:
        """The remainder of self / other with the sign of other (Python's %)."""
        return self._binary(ops.Remainder, other)

    def __mod__(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Remainder, other)

    def __rmod__(self, other: ArrayLike) -> Tensor:
        return self._binary(ops.Remainder, other, reflected=True)

    def floor_divide(self, other: ArrayLike) -> Tensor:
        """self / other rounded down (Python's //); no gradient, as in PyTorch."""
        return tinygrad_edu.functions.pointwise.divide_rounded(self, other, "floor")

    def __floordiv__(self, other: ArrayLike) -> Tensor:
        return self.floor_divide(other)

    def __rfloordiv__(self, other: ArrayLike) -> Tensor:
        return tinygrad_edu.functions.pointwise.divide_rounded(self._operand(other), self, "floor")

    def true_divide(self, other: ArrayLike) -> Tensor:
        return self / other

    multiply, divide, subtract, negative = mul, div, sub, neg

    # -- in place (the rules and how they work: tinygrad_edu/inplace.py) ---------------------

    @property
    def _version(self) -> int:
        """How many times this tensor (or one sharing its data through detach) changed in place.

        The counter is a small list shared with detached tensors, made only when first needed.
        """
        return self._vc[0] if self._vc is not None else 0

    def _bump_version(self, op: str) -> None:
        if self._vc is None:
            self._vc = [0, ""]
        self._vc[0] += 1
        self._vc[1] = op  # named in the error when a backward finds the tensor changed
        function.note_inplace_change()

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """NumPy hands here every ufunc that has a Tensor among its operands (NEP 13).

        ``array <op> tensor`` is the tensor's operator, recorded like ``tensor <op> array``.
        Anything else runs on the arrays, as NumPy would: ``np.sin(t)`` is an ndarray, and an
        in-place ``p.data -= lr * p.grad`` (PyTorch's idiom for a change outside the graph; here
        ``.data`` is the array itself) changes p's array in place, where without this method
        Python would rebind ``p.data`` to a Tensor."""
        out = kwargs.get("out")
        if out is None and method == "__call__" and ufunc in _OPERATORS and len(inputs) == 2:
            x, y = inputs
            forward, reflected = _OPERATORS[ufunc]
            return getattr(x, forward)(y) if isinstance(x, TensorCore) else getattr(y, reflected)(x)
        arrays = [x.data if isinstance(x, TensorCore) else x for x in inputs]
        if out is not None:
            kwargs["out"] = tuple(o.data if isinstance(o, TensorCore) else o for o in out)
        return getattr(ufunc, method)(*arrays, **kwargs)

    def zero_(self) -> Tensor:
        return self.fill_(0, _name="zero_")

    def fill_(self, value: Scalar | Tensor, *, _name: str = "fill_") -> Tensor:
        fill = self._operand(value)
        if Config.grad_enabled and (self.requires_grad or fill.requires_grad):
            # In a graph: recorded (gradients stop here; they flow to a tensor fill value).
            return inplace.apply_inplace(self, _name, lambda old: ops.Overwrite.apply(old, fill))
        inplace.check_leaf(self, _name)
        inplace.write(self, np.broadcast_to(fill.data, self.shape), _name)
        return self

    def uniform_(
        self, from_: Scalar = 0.0, to: Scalar = 1.0, *, generator: np.random.Generator | None = None
    ) -> Tensor:
        """Fill with samples of U(from, to), as torch's (initialising code calls it)."""
        draw = generator_arg(generator).uniform(from_, to, self.data.shape)
        return self.fill_(TensorCore._plain(draw.astype(self.data.dtype)), _name="uniform_")

    def normal_(
        self, mean: Scalar = 0.0, std: Scalar = 1.0, *, generator: np.random.Generator | None = None
    ) -> Tensor:
        """Fill with samples of N(mean, std^2), as torch's."""
        draw = generator_arg(generator).normal(mean, std, self.data.shape)
        return self.fill_(TensorCore._plain(draw.astype(self.data.dtype)), _name="normal_")

    def copy_(self, src: ArrayLike) -> Tensor:
        """Copy src's values (broadcast to this shape) into this tensor; gradients flow to src."""
        source = self._operand(src)
        return inplace.apply_inplace(self, "copy_", lambda old: ops.Overwrite.apply(old, source))

    def add_(self, other: ArrayLike, *, alpha: Scalar = 1) -> Tensor:
        """self += alpha * other, in place."""
        y = other if alpha == 1 else self._operand(other) * alpha
        return inplace.apply_inplace(self, "add_", lambda old: old + y)

    def sub_(self, other: ArrayLike, *, alpha: Scalar = 1) -> Tensor:
        """self -= alpha * other, in place."""
        y = other if alpha == 1 else self._operand(other) * alpha
        return inplace.apply_inplace(self, "sub_", lambda old: old - y)

    def mul_(self, other: ArrayLike) -> Tensor:
        return inplace.apply_inplace(self, "mul_", lambda old: old * other)

    def div_(self, other: ArrayLike) -> Tensor:
        return inplace.apply_inplace(self, "div_", lambda old: old / other)

    def pow_(self, exponent: ArrayLike) -> Tensor:
        return inplace.apply_inplace(self, "pow_", lambda old: old**exponent)

    def __iadd__(self, other: ArrayLike) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: ArrayLike) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: ArrayLike) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: ArrayLike) -> Tensor:
        return self.div_(other)

    def __ipow__(self, exponent: ArrayLike) -> Tensor:
        return self.pow_(exponent)

    def type_as(self, other: Tensor) -> Tensor:
        """This tensor in ``other``'s dtype (itself if it already is)."""
        return self.to(other.dtype)

    def new_zeros(
        self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
    ) -> Tensor:
        """Zeros with this tensor's dtype (or ``dtype``)."""
        shape = arguments.size_arg(size, "new_zeros")
        return self.new_full(shape, 0, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_ones(
        self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
    ) -> Tensor:
        shape = arguments.size_arg(size, "new_ones")
        return self.new_full(shape, 1, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_full(
        self,
        size: Sequence[int],
        fill_value: Scalar,
        *,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
    ) -> Tensor:
        if device is not None:
            check_device(device)
        dt = self.dtype if dtype is None else dtypes.as_dtype(dtype)
        out = TensorCore._plain(np.full(arguments.size_arg((size,), "new_full"), fill_value, dt))
        return out.requires_grad_(True) if requires_grad else out

    def new_empty(
        self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
    ) -> Tensor:
        """Zeros (PyTorch leaves them uninitialised) with this tensor's dtype (or ``dtype``)."""
        return self.new_zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_tensor(
        self, data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
    ) -> Tensor:
        """A copy of data, in this tensor's dtype unless ``dtype`` is given."""
        if device is not None:
            check_device(device)
        dt = self.dtype if dtype is None else dtype
        out = variable.tensor_class(np.asarray(data, dtype=dt))  # (a number is data, not a size)
        return out.requires_grad_(True) if requires_grad else out


def _promoted(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """x and y cast (recorded, so gradients flow back in each one's dtype) to the dtype PyTorch
    gives ``x <op> y``: see dtypes.result_type."""
    target = dtypes.result_type(x.data, y.data)
    return x.to(target), y.to(target)


# ufunc -> (the Tensor operator for ``tensor <op> other``, the one for ``other <op> tensor``)
_OPERATORS: dict[np.ufunc, tuple[str, str]] = {
    np.add: ("__add__", "__radd__"),
    np.subtract: ("__sub__", "__rsub__"),
    np.multiply: ("__mul__", "__rmul__"),
    np.true_divide: ("__truediv__", "__rtruediv__"),
    np.floor_divide: ("__floordiv__", "__rfloordiv__"),
    np.remainder: ("__mod__", "__rmod__"),
    np.power: ("__pow__", "__rpow__"),
    np.matmul: ("__matmul__", "__rmatmul__"),
    np.equal: ("__eq__", "__eq__"),
    np.not_equal: ("__ne__", "__ne__"),
    np.less: ("__lt__", "__gt__"),
    np.less_equal: ("__le__", "__ge__"),
    np.greater: ("__gt__", "__lt__"),
    np.greater_equal: ("__ge__", "__le__"),
    np.bitwise_and: ("__and__", "__and__"),
    np.bitwise_or: ("__or__", "__or__"),
    np.bitwise_xor: ("__xor__", "__xor__"),
}
