"""Turning what a user passes (data, sizes, dims, indices) into what NumPy wants, or a clear error.

Every check here names the argument and what was wrong with it, with the error class PyTorch
raises for the same mistake (TypeError for a wrong kind of value, IndexError for a dim or index
out of range, RuntimeError for a wrong shape).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu import dtypes
from tinygrad_edu.autograd import variable
from tinygrad_edu.size import Size


def is_int(value: Any) -> bool:
    """A Python or NumPy integer, but not a bool (True is an int to Python, not to PyTorch)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def to_array(data: Any, dtype: Any, name: str = "tensor") -> np.ndarray:
    """``data`` (numbers, nested lists, an ndarray) as a new array. ``dtype`` None: an ndarray
    keeps its dtype, Python floats give the default float dtype, ints int64, bools bool.

    None, strings and objects are refused: NumPy would make NaN or text of them."""
    if hasattr(data, "__array__") and not isinstance(data, np.ndarray):
        data = np.asarray(data)  # a Tensor, or another library's array
    if isinstance(data, (str, bytes)):
        raise TypeError(f"{name}(): data must be numbers, got the string {data!r}")
    try:
        array = np.array(data)
    except ValueError as e:  # ragged nested lists
        raise ValueError(
            f"{name}(): data must be a rectangular nested list of numbers: {e}"
        ) from None
    if array.dtype.kind not in "biufc":
        what = f"an array of dtype {array.dtype}" if array.dtype.kind != "O" else _what(data)
        # PyTorch's classes: tensor() "could not infer the dtype" of a None (RuntimeError);
        # everything else that is not a number is a TypeError.
        error = RuntimeError if name == "tensor" and "NoneType" in what else TypeError
        raise error(f"{name}(): data must be numbers (or nested lists of numbers), got {what}")
    if dtype is not None:
        return array.astype(dtypes.as_dtype(dtype), copy=False)
    if not isinstance(data, (np.ndarray, np.generic)) and array.dtype.kind == "f":
        return array.astype(dtypes.get_default_dtype(), copy=False)
    return array


def _what(data: Any) -> str:
    """The first thing in nested data that is not a number, for error messages."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        elif not isinstance(item, (int, float, complex, np.number, np.bool_)):
            return f"{type(item).__name__} {item!r}"
    return "objects"


def size_arg(size: tuple[Any, ...], name: str, allow_minus_one: bool = False) -> tuple[int, ...]:
    """zeros(2, 3), zeros((2, 3)) and zeros([2, 3]) mean the same, as in PyTorch."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for i, n in enumerate(size):
        if hasattr(n, "__index__") and not isinstance(n, (bool, np.bool_)):
            n = int(n.__index__())
        if not isinstance(n, int):
            raise TypeError(
                f"{name}(): argument 'size' must be a sequence of ints, but found element of type "
                f"{type(n).__name__} at position {i}"
            )
        if n < 0 and not (allow_minus_one and n == -1):
            raise RuntimeError(f"{name}(): negative size {n} in {tuple(size)}")
        out.append(n)
    return tuple(out)


def dim_arg(dim: Any, ndim: int, name: str = "dim") -> int:
    """One dim, normalised to 0..ndim-1 (a 0-d tensor accepts 0 and -1, as in PyTorch)."""
    if not is_int(dim):
        raise TypeError(f"{name} must be an int, got {type(dim).__name__} {dim!r}")
    top = max(ndim, 1)
    if not -top <= dim < top:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-top}, {top - 1}], but got {dim})"
        )
    return int(dim) % top


def dims_arg(
    dim: int | Sequence[int] | None, ndim: int, empty_means_all: bool = True
) -> tuple[int, ...] | None:
    """A dim or dims to reduce over, as a sorted tuple of non-negative dims (None: all; so is
    an empty list, for reductions, as in PyTorch: x.sum(dim=()) sums everything)."""
    if dim is None:
        return None
    dims = (dim,) if not isinstance(dim, (tuple, list)) else tuple(dim)
    if not dims and empty_means_all:
        return None
    out = [dim_arg(d, ndim) for d in dims]
    if len(set(out)) != len(out):
        repeated = next(d for d in out if out.count(d) > 1)
        raise RuntimeError(f"dim {repeated} appears multiple times in the list of dims {dims}")
    return tuple(sorted(out)) if ndim > 0 else ()


def index_arg(index: Any, shape: tuple[int, ...]) -> tuple[Any, ...]:
    """Make an index NumPy-ready: a tuple, with Tensors and lists as arrays, masks as positions.

    A boolean mask must match the shape of the dims it covers (NumPy would quietly accept a
    mask of another shape and use its True positions)."""
    if not isinstance(index, tuple):
        index = (index,)
    items: list[Any] = []
    for i in index:
        if hasattr(i, "grad_fn"):  # a Tensor
            i = i.data
        elif isinstance(i, list):
            i = np.asarray(i)
        if isinstance(i, np.ndarray) and i.dtype.kind not in "iub":
            raise IndexError(f"tensors used as indices must be long, int or bool, got {i.dtype}")
        items.append(i)
    consumed = sum(_dims_taken(i) for i in items if i is not Ellipsis)
    out: list[Any] = []
    pos = 0
    for i in items:
        if i is Ellipsis:
            pos += len(shape) - consumed
        elif isinstance(i, np.ndarray) and i.dtype == np.bool_ and i.ndim > 0:
            covered = shape[pos : pos + i.ndim]
            if i.shape != covered:
                raise IndexError(
                    f"the shape of the mask {i.shape} at index {pos} does not match the shape "
                    f"{covered} of the indexed tensor (shape {shape}) at that index"
                )
            out.extend(i.nonzero())  # a mask picks the positions where it is True
            pos += i.ndim
            continue
        else:
            pos += _dims_taken(i)
        out.append(i)
    return tuple(out)


def _dims_taken(i: Any) -> int:
    """How many dims of the indexed tensor one index item uses up."""
    if i is None:
        return 0
    if isinstance(i, np.ndarray) and i.dtype == np.bool_:
        return i.ndim
    return 1


def ints_first(index: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
    """Split an index mixing Python ints and index arrays into (ints and slices, arrays)."""
    is_int_ = [is_int(i) for i in index]
    if not any(is_int_) or not any(isinstance(i, np.ndarray) for i in index):
        return None
    first = tuple(slice(None) if isinstance(i, np.ndarray) else i for i in index)
    rest = tuple(
        i if isinstance(i, np.ndarray) or i is Ellipsis else slice(None)
        for i, integer in zip(index, is_int_)
        if not integer
    )
    return first, rest


def legacy_sizes(args: tuple[Any, ...]) -> tuple[int, ...] | None:
    """The shape that ``Tensor(*args)`` asks for when it is called with sizes, as PyTorch's
    legacy constructor is (``Tensor(3, 4)``, ``Tensor(5)``, ``Tensor(size)``, ``Tensor()``), or
    None when it is called with data. A tuple or list is data, as in PyTorch; a Size is a size."""
    if not args:
        return (0,)
    if len(args) == 1 and not is_int(args[0]):
        return size_arg(tuple(args[0]), "Tensor") if isinstance(args[0], Size) else None
    if not all(is_int(a) for a in args):
        raise TypeError(
            "Tensor(): expected one argument (data) or sizes (ints), got "
            f"({', '.join(type(a).__name__ for a in args)}); requires_grad and dtype go by "
            "keyword"
        )
    return size_arg(args, "Tensor")


def float_dtype(dtype: Any) -> np.dtype:
    """A factory's dtype: the default float dtype unless told otherwise."""
    return dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype)


def tensor_arg(value: Any, function: str, name: str = "input", position: int = 1) -> Any:
    """A torch-level function's tensor argument, or PyTorch's TypeError naming it. (A Tensor is
    what has a grad_fn: this module sits below the Tensor class and cannot import it.)

    An ndarray of numbers is taken as a tensor without a graph, sharing its memory: PyTorch code
    passes ``x.data`` (``torch.max(outputs.data, 1)``), which here is the array itself."""
    if type(value) is np.ndarray and value.dtype.kind in "biufc":
        return variable.tensor_class._plain(value)
    if not hasattr(value, "grad_fn") or isinstance(value, type):
        raise TypeError(
            f"{function}(): argument '{name}' (position {position}) must be Tensor, not "
            f"{type(value).__name__}"
        )
    return value


def check_layer_dtypes(name: str, input: Any, weight: Any, bias: Any) -> None:
    """A layer's input, weight and bias must share one floating dtype, as in PyTorch (which
    refuses ``mat1 and mat2 must have the same dtype``): no silent promotion inside a layer."""
    if not dtypes.is_floating(input.dtype):
        raise RuntimeError(f"{name}: the input must be a floating tensor, got dtype {input.dtype}")
    for what, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.dtype != input.dtype:
            raise RuntimeError(
                f"{name}: the input has dtype {input.dtype} but the {what} has dtype {t.dtype}; "
                "they must be the same"
            )
