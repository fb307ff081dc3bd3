"""Op-table entries for the products of the tensor API: mm, bmm, mv, dot, outer and einsum
(its equations cover contractions, diagonals, traces, letters summed away, broadcasting and the
ellipsis, and three operands)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from op_table import Case, op, values

SIDES = st.integers(1, 3)


@op("mm")
def _mm(draw: st.DrawFn) -> Case:
    n, k, m = draw(SIDES), draw(SIDES), draw(SIDES)
    x, y = draw(values((n, k))), draw(values((k, m)))
    return Case("mm", (x, y), lambda lib, a, b: lib.module.mm(a, b), np.matmul)


@op("bmm")
def _bmm(draw: st.DrawFn) -> Case:
    b, n, k, m = draw(SIDES), draw(SIDES), draw(SIDES), draw(SIDES)
    x, y = draw(values((b, n, k))), draw(values((b, k, m)))
    return Case("bmm", (x, y), lambda lib, p, q: p.bmm(q), np.matmul)


@op("mv")
def _mv(draw: st.DrawFn) -> Case:
    n, k = draw(SIDES), draw(SIDES)
    x, v = draw(values((n, k))), draw(values((k,)))
    return Case("mv", (x, v), lambda lib, a, b: lib.module.mv(a, b), np.matmul)


@op("dot")
def _dot(draw: st.DrawFn) -> Case:
    n = draw(SIDES)
    x, y = draw(values((n,))), draw(values((n,)))
    return Case("dot", (x, y), lambda lib, a, b: a.dot(b), np.dot)


@op("outer")
def _outer(draw: st.DrawFn) -> Case:
    x, y = draw(values((draw(SIDES),))), draw(values((draw(SIDES),)))
    return Case("outer", (x, y), lambda lib, a, b: lib.module.outer(a, b), np.outer)


# (equation, a function of three sides giving the operands' shapes)
EQUATIONS = [
    ("ij,jk->ik", lambda i, j, k: [(i, j), (j, k)]),
    ("ij,jk", lambda i, j, k: [(i, j), (j, k)]),  # implicit output: ik
    ("bij,bjk->bik", lambda i, j, k: [(k, i, j), (k, j, i)]),
    ("ii->i", lambda i, j, k: [(i, i)]),  # a diagonal
    ("ii", lambda i, j, k: [(i, i)]),  # a trace
    ("iij->j", lambda i, j, k: [(i, i, j)]),
    ("ij->", lambda i, j, k: [(i, j)]),
    ("ij->j", lambda i, j, k: [(i, j)]),  # i summed away: the gradient is copied along it
    ("ijk->kji", lambda i, j, k: [(i, j, k)]),
    ("i,j->ij", lambda i, j, k: [(i,), (j,)]),
    ("i,i->", lambda i, j, k: [(i,), (i,)]),
    ("ij,ij->i", lambda i, j, k: [(i, j), (1, j)]),  # a size-1 dim broadcasts
    ("...ij,...jk->...ik", lambda i, j, k: [(k, i, j), (j, k)]),
    ("i...->...", lambda i, j, k: [(i, j, k)]),
    ("ab,bc,cd->ad", lambda i, j, k: [(i, j), (j, k), (k, i)]),
    ("ij,ki,i->jk", lambda i, j, k: [(i, j), (k, i), (i,)]),
]


@op("einsum")
def _einsum(draw: st.DrawFn) -> Case:
    equation, shapes = draw(st.sampled_from(EQUATIONS))
    arrays = tuple(draw(values(s)) for s in shapes(draw(SIDES), draw(SIDES), draw(SIDES)))
    return Case(
        f"einsum({equation!r})",
        arrays,
        lambda lib, *ts: lib.module.einsum(equation, *ts),
        lambda *arrs: np.einsum(equation, *arrs),
    )


@op("einsum_list")
def _einsum_list(draw: st.DrawFn) -> Case:
    """The operands in one list, as torch.einsum also accepts them."""
    i, j = draw(SIDES), draw(SIDES)
    x, y = draw(values((i, j))), draw(values((i, j)))
    return Case(
        "einsum('ij,ij->ji', [x, y])",
        (x, y),
        lambda lib, a, b: lib.module.einsum("ij,ij->ji", [a, b]),
        lambda a, b: np.einsum("ij,ij->ji", a, b),
    )
