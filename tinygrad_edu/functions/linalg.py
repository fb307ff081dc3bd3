"""Products of vectors and matrices: matmul and its strict forms (mm, bmm, mv, dot, which
check their shapes as PyTorch does), outer, and einsum."""

from __future__ import annotations

import string
from typing import Any

from tinygrad_edu import arguments, ops
from tinygrad_edu._tensor import Tensor


def _input(x: Any, name: str, arg: str = "input", position: int = 1) -> Tensor:
    return arguments.tensor_arg(x, name, arg, position)


def _same_dtype(name: str, x: Tensor, y: Tensor) -> None:
    if x.dtype != y.dtype:
        raise RuntimeError(
            f"{name}(): expected both operands to have the same dtype, got {x.dtype} and {y.dtype}"
        )


def matmul(input: Tensor, other: Tensor) -> Tensor:
    return _input(input, "matmul") @ _input(other, "matmul", "other", 2)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """A matrix times a matrix: (n, k) @ (k, m)."""
    x, y = _input(input, "mm"), _input(mat2, "mm", "mat2", 2)
    if x.ndim != 2 or y.ndim != 2:
        raise RuntimeError(
            f"mm(): both arguments must be matrices, got shapes {x.data.shape} and {y.data.shape}"
        )
    if x.data.shape[1] != y.data.shape[0]:
        (a, b), (c, d) = x.data.shape, y.data.shape
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a}x{b} and {c}x{d})")
    _same_dtype("mm", x, y)
    return ops.MatMul.apply(x, y)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """A batch of matrix products: (b, n, k) @ (b, k, m), the same b (no broadcasting)."""
    x, y = _input(input, "bmm"), _input(mat2, "bmm", "mat2", 2)
    if x.ndim != 3 or y.ndim != 3:
        raise RuntimeError(
            f"bmm(): batch1 and batch2 must be 3D tensors, got shapes {x.data.shape} and {y.data.shape}"
        )
    if x.data.shape[0] != y.data.shape[0] or x.data.shape[2] != y.data.shape[1]:
        raise RuntimeError(
            f"bmm(): expected batch2 of shape [{x.data.shape[0]}, {x.data.shape[2]}, m], got "
            f"{list(y.data.shape)} for batch1 of shape {list(x.data.shape)}"
        )
    _same_dtype("bmm", x, y)
    return ops.MatMul.apply(x, y)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """A matrix times a vector: (n, k) @ (k,)."""
    x, v = _input(input, "mv"), _input(vec, "mv", "vec", 2)
    if x.ndim != 2 or v.ndim != 1 or x.data.shape[1] != v.data.shape[0]:
        raise RuntimeError(
            f"mv(): expected a matrix (n, k) and a vector (k,), got shapes {x.data.shape} and {v.data.shape}"
        )
    _same_dtype("mv", x, v)
    return ops.MatMul.apply(x, v)


def dot(input: Tensor, tensor: Tensor) -> Tensor:
    """The dot product of two vectors of the same length."""
    x, y = _input(input, "dot"), _input(tensor, "dot", "tensor", 2)
    if x.ndim != 1 or y.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {x.ndim}D and {y.ndim}D tensors")
    if x.data.shape != y.data.shape:
        n, m = x.data.shape[0], y.data.shape[0]
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same "
            f"number of elements, but got {n} and {m} elements respectively"
        )
    _same_dtype("dot", x, y)
    return ops.MatMul.apply(x, y)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """out[i, j] = input[i] * vec2[j], for two vectors."""
    x, y = _input(input, "outer"), _input(vec2, "outer", "vec2", 2)
    if x.ndim != 1 or y.ndim != 1:
        raise RuntimeError(
            f"outer(): expected two vectors, got shapes {x.data.shape} and {y.data.shape}"
        )
    return x.reshape(-1, 1) * y


ger = outer


def einsum(*args: Any) -> Tensor:
    """``einsum("ij,jk->ik", a, b)``, also with the operands in a list, or in the sublist form
    ``einsum(a, [0, 1], b, [1, 2], [0, 2])`` (ints for letters, ``...`` for the ellipsis)."""
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand")
    if isinstance(args[0], str):
        equation, operands = args[0], list(args[1:])
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = list(operands[0])
    else:
        equation, operands = _from_sublists(args)
    for i, o in enumerate(operands):
        _input(o, "einsum", f"operands[{i}]", i + 2)
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    dtypes = {o.dtype for o in operands}
    if len(dtypes) > 1:
        raise RuntimeError(
            f"einsum(): operands must have the same dtype, got {sorted(str(d) for d in dtypes)}"
        )
    return ops.Einsum.apply(equation, *operands)


def _from_sublists(args: tuple[Any, ...]) -> tuple[str, list[Any]]:
    """(operand, sublist, operand, sublist, ..., [output sublist]) as an equation string."""

    def letters(sublist: Any) -> str:
        out = ""
        for s in sublist:
            if s is Ellipsis:
                out += "..."
            elif arguments.is_int(s) and 0 <= s < 52:
                out += string.ascii_letters[s]
            else:
                raise ValueError(f"einsum(): subscript in a sublist must be in [0, 52), got {s!r}")
        return out

    pairs = list(args)
    output = letters(pairs.pop()) if len(pairs) % 2 else None
    operands, subs = pairs[0::2], [letters(s) for s in pairs[1::2]]
    equation = ",".join(subs) + ("" if output is None else "->" + output)
    return equation, operands
