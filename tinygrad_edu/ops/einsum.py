"""einsum: sums of products over named indices, one fused op whose backward is einsum again.

``einsum("ij,jk->ik", a, b)`` multiplies a_ij b_jk and sums over every letter missing from the
output (here j). The gradient of one operand is the same kind of sum: the output's gradient times
the other operands, summed over the letters the operand lacks. Two details make it exact:

- a letter the operand repeats (``"ii->i"``, a diagonal) gets a fresh letter in the gradient's
  subscripts, tied to the original by an identity matrix: the gradient lands on the diagonal;
- a letter only the operand has (``"ij->i"``: j is summed away) appears nowhere else, so a vector
  of ones names its size: the gradient is copied along it.

With those constant operands the gradient is one more einsum, recorded like any op under
``create_graph=True``, so second derivatives come for free.
"""

from __future__ import annotations

import string
from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops import either
from tinygrad_edu.ops.either import Gradient

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor

LETTERS = string.ascii_letters


def parse(equation: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str, dict[str, int]]:
    """The equation with ``...`` spelled out in spare letters and the output made explicit:
    (one subscript string per operand, the output's, each letter's size). PyTorch's errors."""
    eq = equation.replace(" ", "")
    for k, c in enumerate(eq):
        if c not in LETTERS and c not in ".,->":
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {k} in the equation string, "
                "subscripts must be in [a-zA-Z]"
            )
    lhs, arrow, rhs = eq.partition("->")
    given = lhs.split(",")
    if len(given) != len(shapes):
        fewer = len(shapes) < len(given)
        raise RuntimeError(
            f"einsum(): {'fewer' if fewer else 'more'} operands were provided than specified in "
            f"the equation ({len(shapes)} operands, {len(given)} in {equation!r})"
        )
    spare = [c for c in LETTERS if c not in eq]
    spans = [len(s) - len(sub.replace("...", "")) for sub, s in zip(given, shapes)]
    ellipsis = "".join(spare[: max([n for n, sub in zip(spans, given) if "..." in sub] or [0])])
    subs = []
    for i, (sub, shape) in enumerate(zip(given, shapes)):
        named = sub.replace("...", "")
        if "." in named or sub.count("...") > 1:
            raise RuntimeError(f"einsum(): found '.' that is not part of any ellipsis in {sub!r}")
        if "..." in sub and len(named) <= len(shape):
            sub = sub.replace("...", ellipsis[len(ellipsis) - (len(shape) - len(named)) :])
        if len(sub) != len(shape):
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(named)}) does not "
                f"match the number of dimensions ({len(shape)}) for operand {i}"
                + ("" if "..." in given[i] else " and no ellipsis was given")
            )
        subs.append(sub)
    if arrow:
        out = rhs.replace("...", ellipsis)
        if "." in out:
            raise RuntimeError("einsum(): found '.' that is not part of any ellipsis in the output")
        for c in out:
            if all(c not in sub for sub in subs):
                raise RuntimeError(
                    f"einsum(): output subscript {c} does not appear in the equation for any "
                    "input operand"
                )
            if out.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once")
    else:  # implicit: the ellipsis dims, then the letters used once, in alphabetical order
        counts = Counter(lhs.replace(".", "").replace(",", ""))
        out = ellipsis + "".join(sorted(c for c, n in counts.items() if n == 1))
    return subs, out, _sizes(subs, shapes)


def _sizes(subs: list[str], shapes: list[tuple[int, ...]]) -> dict[str, int]:
    """Each letter's size; a size of 1 broadcasts against any other, as in PyTorch."""
    sizes: dict[str, int] = {}
    for i, (sub, shape) in enumerate(zip(subs, shapes)):
        for c, n in zip(sub, shape):
            if sub.count(c) > 1 and len({m for d, m in zip(sub, shape) if d == c}) > 1:
                raise RuntimeError(
                    f"einsum(): subscript {c} is repeated for operand {i} but the sizes don't "
                    f"match, {shape}"
                )
            seen = sizes.get(c, 1)
            if n != 1 and seen not in (1, n):
                raise RuntimeError(
                    f"einsum(): subscript {c} has size {n} for operand {i} which does not "
                    f"broadcast with previously seen size {seen}"
                )
            sizes[c] = n if n != 1 else seen
    return sizes


def einsum_arrays(equation: str, arrays: list[np.ndarray]) -> np.ndarray:
    """np.einsum, letting it plan the order of contractions (and hand pairs to BLAS) only where
    that pays: the planning costs about 10 us, a fused loop over tiny arrays less."""
    plan = len(arrays) > 2 or max(a.size for a in arrays) > 256
    out = np.asarray(np.einsum(equation, *arrays, optimize=plan))
    if len(arrays) == 1 and np.may_share_memory(out, arrays[0]):
        out = out.copy()  # 'ij->ji', 'ii->i': NumPy gives a view, which must not alias x
    return out


def contract(equation: str, operands: list[Any]) -> Any:
    """einsum on arrays, or recorded on Tensors (when the gradient is a Tensor)."""
    first = next((o for o in operands if either.is_tensor(o)), None)
    if first is None:
        return einsum_arrays(equation, operands)
    tensors = [o if either.is_tensor(o) else either.plain_like(first, o) for o in operands]
    return Einsum.apply(equation, *tensors)


class Einsum(Function):
    """out = einsum(equation, x_1, ..., x_n);
    dx_i = einsum(output, others, identities, ones -> x_i's subscripts) (see the module docstring)"""

    backward_on_arrays = True
    subs: list[str]  # each operand's subscripts, '...' spelled out
    out: str  # the output's subscripts

    @staticmethod
    def forward(ctx: Einsum, equation: str, *operands: Tensor) -> np.ndarray:
        ctx.subs, ctx.out, _ = parse(equation, [x.data.shape for x in operands])
        ctx.save_for_backward(*operands)
        return einsum_arrays(f"{','.join(ctx.subs)}->{ctx.out}", [x.data for x in operands])

    @staticmethod
    def backward(ctx: Einsum, grad: Gradient) -> tuple[Gradient | None, ...]:
        operands = ctx.saved_tensors
        needs = ctx.needs_input_grad[1:]
        grads = [
            _operand_grad(ctx, grad, operands, i) if need else None for i, need in enumerate(needs)
        ]
        return (None, *grads)


def _operand_grad(ctx: Einsum, grad: Gradient, operands: tuple[Any, ...], i: int) -> Gradient:
    sub, x = ctx.subs[i], operands[i]
    others = [j for j in range(len(operands)) if j != i]
    elsewhere = set(ctx.out).union(*(ctx.subs[j] for j in others))
    fresh = iter(c for c in LETTERS if c not in ctx.out and all(c not in s for s in ctx.subs))
    target, extra_subs, extra = "", [], []
    for c, n in zip(sub, x.shape):
        if c in target:  # a repeat: the gradient lives on the diagonal
            f = next(fresh)
            target += f
            extra_subs.append(c + f)
            extra.append(np.eye(n, dtype=x.dtype))
        else:
            target += c
            if c not in elsewhere:  # summed away in the forward: copy the gradient along it
                extra_subs.append(c)
                extra.append(np.ones(n, dtype=x.dtype))
    subscripts = ",".join([ctx.out, *(ctx.subs[j] for j in others), *extra_subs])
    g = contract(f"{subscripts}->{target}", [grad, *(operands[j] for j in others), *extra])
    # Undo broadcasting: a size-1 dim of x met a larger size elsewhere (or the reverse).
    summed = tuple(k for k, (c, n) in enumerate(zip(sub, x.shape)) if n == 1 and g.shape[k] != 1)
    if summed:
        g = g.sum(axis=summed, keepdims=True)
    return g if tuple(g.shape) == tuple(x.shape) else either.expand(g, tuple(x.shape))
