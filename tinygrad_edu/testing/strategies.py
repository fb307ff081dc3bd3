"""Hypothesis strategies for property tests of tensor code (this module needs hypothesis).

They draw what gradient tests need: small shapes, values kept away from the kinks where a
derivative does not exist (``avoid=(0.0,)`` for relu/abs, ``distinct=True`` for max/min ties),
shapes that broadcast together, and operand shapes that ``@`` accepts. Example::

    from hypothesis import given
    from tinygrad_edu import gradcheck
    from tinygrad_edu.testing import strategies as tst

    @given(tst.tensors(avoid=(0.0,)))
    def test_abs_grad(x):
        assert gradcheck(lambda t: t.abs(), [x])

Everything defaults to float64 with ``requires_grad=True`` because that is what gradcheck wants.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu._tensor import Tensor

__all__ = [
    "arrays",
    "basic_indices",
    "broadcastable_shapes",
    "dims",
    "distinct_arrays",
    "elements",
    "matmul_pairs",
    "matmul_shapes",
    "mutually_broadcastable_pairs",
    "mutually_broadcastable_shapes",
    "reduce_dims",
    "shapes",
    "tensors",
]

Shape = tuple[int, ...]
ShapeArg = Shape | st.SearchStrategy[Shape] | None


def shapes(
    min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4
) -> st.SearchStrategy[Shape]:
    """Array shapes, small by default so that finite differences stay cheap.

    >>> shapes(min_dims=1, max_side=3).example()  # e.g. (2, 3)   # doctest: +SKIP
    """
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def elements(
    dtype: Any = np.float64,
    min_value: float = -3.0,
    max_value: float = 3.0,
    avoid: Sequence[float] = (),
    margin: float = 0.1,
) -> st.SearchStrategy[float]:
    """Finite floats in [min_value, max_value], each at least ``margin`` from every ``avoid`` point.

    ``avoid=(0.0,)`` keeps relu and abs differentiable; a margin far above gradcheck's step
    (1e-6) means the central difference never straddles the kink.
    """
    values = st.floats(
        min_value,
        max_value,
        allow_nan=False,
        allow_infinity=False,
        width=32 if np.dtype(dtype) == np.float32 else 64,
    )
    if avoid:
        kinks = tuple(float(a) for a in avoid)
        values = values.filter(lambda v: all(abs(v - a) >= margin for a in kinks))
    return values


def _shape_strategy(shape: ShapeArg) -> st.SearchStrategy[Shape]:
    if shape is None:
        return shapes()
    if isinstance(shape, st.SearchStrategy):
        return shape
    return st.just(tuple(shape))


def arrays(
    dtype: Any = np.float64,
    shape: ShapeArg = None,
    elements: st.SearchStrategy[Any] | None = None,
    *,
    min_value: float = -3.0,
    max_value: float = 3.0,
    avoid: Sequence[float] = (),
    margin: float = 0.1,
) -> st.SearchStrategy[np.ndarray]:
    """NumPy arrays of ``dtype``; ``shape`` is a tuple, a strategy of shapes, or None (any small one).

    >>> arrays(np.float64, (2, 3), min_value=0.5, max_value=2.0).example()  # doctest: +SKIP
    """
    elems = (
        elements if elements is not None else _elements(dtype, min_value, max_value, avoid, margin)
    )
    return hnp.arrays(np.dtype(dtype), _shape_strategy(shape), elements=elems)


_elements = elements  # arrays() has a parameter of the same name


@st.composite
def distinct_arrays(
    draw: st.DrawFn,
    dtype: Any = np.float64,
    shape: ShapeArg = None,
    spacing: float = 0.2,
    center: float = 0.0,
) -> np.ndarray:
    """Arrays whose elements are pairwise at least ``spacing`` apart: no ties for max, min, sort.

    The values are a random permutation of an evenly spaced grid around ``center``, each nudged by
    less than a quarter of the spacing so that not every gap is the same.
    """
    size_shape = draw(_shape_strategy(shape))
    n = int(np.prod(size_shape, dtype=np.int64))
    order = draw(st.permutations(range(n))) if n else []
    nudge = draw(hnp.arrays(np.float64, (n,), elements=st.floats(-spacing / 4, spacing / 4)))
    grid = (np.asarray(order, dtype=np.float64) - (n - 1) / 2) * spacing + center
    return (grid + nudge).reshape(size_shape).astype(dtype)


@st.composite
def tensors(
    draw: st.DrawFn,
    dtype: Any = np.float64,
    shape: ShapeArg = None,
    requires_grad: bool = True,
    min_value: float = -3.0,
    max_value: float = 3.0,
    avoid: Sequence[float] = (),
    margin: float = 0.1,
    elements: st.SearchStrategy[Any] | None = None,
    distinct: bool = False,
) -> Tensor:
    """Tensors of small shapes with values drawn like :func:`arrays`.

    ``distinct=True`` draws pairwise-distinct values (see :func:`distinct_arrays`) for ops that
    are not differentiable at ties, such as max and min. Example::

        @given(tst.tensors(shape=(3, 4), min_value=0.1))      # log and sqrt need x > 0
        def test_log(x): assert gradcheck(lambda t: t.log(), [x])
    """
    if distinct:
        data = draw(distinct_arrays(dtype, shape, spacing=max(margin, 1e-3) * 2))
    else:
        data = draw(
            arrays(
                dtype,
                shape,
                elements,
                min_value=min_value,
                max_value=max_value,
                avoid=avoid,
                margin=margin,
            )
        )
    return Tensor(data, requires_grad=requires_grad)


def broadcastable_shapes(
    shape: Shape, min_dims: int = 0, max_dims: int | None = None, max_side: int = 4
) -> st.SearchStrategy[Shape]:
    """Shapes that broadcast with ``shape`` to ``shape`` (fewer dims, or 1 in place of a side):
    what an in-place op's operand, a loss weight or a value written by ``x[i] = v`` may have.

    Hypothesis's own ``broadcastable_shapes`` also gives shapes that would *grow* ``shape``
    where it has a side of 1 (``(4, 2)`` for ``(1, 2)``); those sides are set to 1 here.
    """
    target = tuple(shape)

    def within(drawn: Shape) -> Shape:
        aligned = (1,) * max(len(drawn) - len(target), 0) + target[
            max(len(target) - len(drawn), 0) :
        ]
        return tuple(1 if t == 1 else n for n, t in zip(drawn, aligned))

    return hnp.broadcastable_shapes(
        target,
        min_dims=min_dims,
        max_dims=len(target) if max_dims is None else max_dims,
        min_side=1,
        max_side=max_side,
    ).map(within)


def mutually_broadcastable_shapes(
    num_shapes: int = 2, min_dims: int = 0, max_dims: int = 3, max_side: int = 4
) -> st.SearchStrategy[tuple[Shape, ...]]:
    """``num_shapes`` shapes that NumPy broadcasts together (to some larger result shape).

    A thin wrapper over ``hypothesis.extra.numpy.mutually_broadcastable_shapes`` that returns
    just the input shapes, e.g. ``((3, 1), (4,))``.
    """
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, max_side=max_side
    ).map(lambda b: b.input_shapes)


def mutually_broadcastable_pairs(
    dtype: Any = np.float64,
    requires_grad: bool = True,
    max_dims: int = 3,
    max_side: int = 4,
    **value_kwargs: Any,
) -> st.SearchStrategy[tuple[Tensor, Tensor]]:
    """Two tensors whose shapes broadcast together; ``value_kwargs`` go to :func:`tensors`.

    >>> mutually_broadcastable_pairs().example()  # e.g. shapes (2, 1) and (3,)  # doctest: +SKIP
    """
    return mutually_broadcastable_shapes(2, max_dims=max_dims, max_side=max_side).flatmap(
        lambda pair: st.tuples(
            *(tensors(dtype, s, requires_grad=requires_grad, **value_kwargs) for s in pair)
        )
    )


def matmul_shapes(
    max_batch_dims: int = 2, max_side: int = 4
) -> st.SearchStrategy[tuple[Shape, Shape]]:
    """Operand shapes that ``x @ y`` accepts: 1-D vectors, matrices, and broadcast batches.

    Uses NumPy's gufunc signature for matmul, ``(n?,k),(k,m?)->(n?,m?)``, where the ``?`` dims may
    be absent (a 1-D operand); the leading batch dims broadcast.
    """
    return hnp.mutually_broadcastable_shapes(
        signature="(n?,k),(k,m?)->(n?,m?)", max_dims=max_batch_dims, max_side=max_side
    ).map(lambda b: (b.input_shapes[0], b.input_shapes[1]))


def matmul_pairs(
    dtype: Any = np.float64, requires_grad: bool = True, max_batch_dims: int = 2, max_side: int = 4
) -> st.SearchStrategy[tuple[Tensor, Tensor]]:
    """Two tensors ``x, y`` for which ``x @ y`` is defined (see :func:`matmul_shapes`)."""
    return matmul_shapes(max_batch_dims, max_side).flatmap(
        lambda pair: st.tuples(
            tensors(dtype, pair[0], requires_grad=requires_grad),
            tensors(dtype, pair[1], requires_grad=requires_grad),
        )
    )


def dims(ndim: int) -> st.SearchStrategy[int]:
    """A valid ``dim`` argument for a tensor with ``ndim`` dims (ndim >= 1), negative ones too."""
    if ndim < 1:
        raise ValueError("dims(): a 0-d tensor has no dim to pick")
    return st.integers(-ndim, ndim - 1)


def reduce_dims(ndim: int) -> st.SearchStrategy[int | tuple[int, ...] | None]:
    """A ``dim`` argument for a reduction: None (all dims), one dim, or a tuple of distinct dims."""
    options: list[st.SearchStrategy[Any]] = [st.none()]
    if ndim > 0:
        options.append(dims(ndim))
        options.append(
            st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(tuple)
        )
    return st.one_of(*options)


@st.composite
def _slices(draw: st.DrawFn, side: int) -> slice:
    """A slice of a dim of length ``side``: any start/stop (negative too), positive steps."""
    bound = st.one_of(st.none(), st.integers(-side - 1, side + 1))
    return slice(draw(bound), draw(bound), draw(st.one_of(st.none(), st.integers(1, 3))))


@st.composite
def basic_indices(
    draw: st.DrawFn,
    shape: Shape,
    allow_none: bool = True,
    allow_ellipsis: bool = True,
    nonempty: bool = True,
) -> tuple[Any, ...]:
    """A basic index for an array of ``shape``: ints (negative too), slices with steps, None, ``...``.

    Steps are positive, as PyTorch supports. ``nonempty=True`` only returns indices that select at
    least one element. Example: ``(1, None, slice(None, None, 2))`` for shape (3, 4).
    """

    def item(side: int) -> list[Any]:
        """The index for one dim (sometimes after a None, which adds a dim and consumes none)."""
        out: list[Any] = [None] if allow_none and draw(st.integers(0, 5)) == 0 else []
        choice = draw(st.integers(0, 2))
        if choice == 0:
            out.append(draw(st.integers(-side, side - 1)))
        elif choice == 1:
            out.append(draw(_slices(side)))
        else:
            out.append(slice(None))
        return out

    # Leading dims indexed explicitly, then maybe `...` and some trailing dims after it.
    n_lead = draw(st.integers(0, len(shape)))
    items: list[Any] = [i for side in shape[:n_lead] for i in item(side)]
    if allow_ellipsis and draw(st.booleans()):
        n_trail = draw(st.integers(0, len(shape) - n_lead))
        items.append(Ellipsis)
        items += [i for side in shape[len(shape) - n_trail :] for i in item(side)]
    if allow_none and draw(st.booleans()):
        items.insert(draw(st.integers(0, len(items))), None)
    index = tuple(items)
    if nonempty:
        assume(np.empty(shape)[index].size > 0)
    return index
