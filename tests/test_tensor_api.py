"""The tensor API against PyTorch where the op table does not reach: results with no gradient
(orderings' indices, comparisons, unique, nonzero, rounding divisions), dtypes, Size,
grad_fn.next_functions, named tuples, bad input, numerical stability, and the modules of the
activations. (Gradients of the differentiable ops: tests/op_table_*.py.)"""

from __future__ import annotations

import math
import pickle
import warnings
from typing import Any

import numpy as np
import pytest

import tinygrad_edu
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Size, Tensor, gradcheck, gradgradcheck

torch = pytest.importorskip("torch")

LIBS = [tinygrad_edu, torch]


def same(ours: Any, theirs: Any, **tol: Any) -> None:
    """Equal values, shapes and dtypes (a tuple or list elementwise; Python values as they are)."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            same(a, b, **tol)
        return
    if not isinstance(theirs, torch.Tensor):
        assert ours == theirs and type(ours) is type(theirs)
        return
    assert isinstance(ours, Tensor), type(ours)
    assert ours.shape == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch."), (ours.dtype, theirs.dtype)
    np.testing.assert_allclose(ours.data, theirs.numpy(), **tol)


def both(fn: Any, *arrays: Any) -> tuple[Any, Any]:
    """fn(lib, *tensors) for tinygrad_edu and for torch, on tensors made from the same arrays."""
    out = []
    for lib in LIBS:
        ts = [lib.tensor(np.array(a)) if isinstance(a, (np.ndarray, list)) else a for a in arrays]
        out.append(fn(lib, *ts))
    return out[0], out[1]


# -- Size -------------------------------------------------------------------------------------


def test_shape_and_size_are_a_size_like_torch_size() -> None:
    x = tinygrad_edu.zeros(2, 3)
    assert type(x.shape) is Size and type(x.size()) is Size
    assert x.shape == (2, 3) and x.size() == torch.Size([2, 3])
    assert repr(x.shape) == str(x.shape) == "Size([2, 3])"
    assert x.size(1) == 3 and type(x.size(1)) is int
    assert x.shape.numel() == 6 and Size().numel() == 1 and Size([0, 4]).numel() == 0
    assert type(x.shape[1:]) is Size and x.shape[1:] == (3,) and x.shape[-1] == 3
    assert type(x.shape + (4,)) is Size and type((4,) + x.shape) is Size  # noqa: RUF005
    assert type(x.shape * 2) is Size and x.shape * 2 == (2, 3, 2, 3)
    assert hash(x.shape) == hash((2, 3))
    assert pickle.loads(pickle.dumps(x.shape)) == x.shape
    assert np.zeros(x.shape).shape == (2, 3)
    assert f"{x.shape}" == "(2, 3)"  # what error messages print


def test_size_refuses_what_is_not_an_int() -> None:
    for bad in ([2.5], ["2"], [None]):
        with pytest.raises(TypeError):
            torch.Size(bad)
        with pytest.raises(TypeError, match="item 0"):
            Size(bad)
    assert Size([np.int64(2), 3]) == (2, 3)


# -- grad_fn.next_functions -------------------------------------------------------------------


def structure(node: Any) -> Any:
    """The graph behind a node: 'leaf' for AccumulateGrad, None for no node, else the list of
    the next nodes' structures."""
    if node is None:
        return None
    if type(node).__name__ == "AccumulateGrad":
        return "leaf"
    return [structure(n) for n, _ in node.next_functions]


GRAPHS = [
    lambda lib, a, b, c: (a * 2).sum(),
    lambda lib, a, b, c: (a * b + c).mean(),
    lambda lib, a, b, c: (a.exp() - b).sum(),
    lambda lib, a, b, c: lib.cat([a, b]).sum(),
    lambda lib, a, b, c: lib.where(c > 0, a, b).sum(),
    lambda lib, a, b, c: a.sin().max(),
    lambda lib, a, b, c: a @ b,
    lambda lib, a, b, c: (a + 1).sum(),
]


@pytest.mark.parametrize("graph", GRAPHS)
def test_next_functions_show_the_graph_as_torch_does(graph: Any) -> None:
    shapes = []
    for lib in LIBS:
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, -1.0], requires_grad=True)
        c = lib.tensor([1.0, -1.0])
        out = graph(lib, a, b, c)
        shapes.append(structure(out.grad_fn))
        assert all(n == 0 for _, n in out.grad_fn.next_functions)
    assert shapes[0] == shapes[1]


def test_accumulate_grad_is_one_node_per_leaf_with_its_variable() -> None:
    a = tinygrad_edu.ones(2, requires_grad=True)
    first = (a * 2).grad_fn.next_functions[0][0]
    assert first is (a * 3).grad_fn.next_functions[0][0]
    assert first.variable is a and first.name() == "AccumulateGrad"
    assert first.next_functions == ()


def test_the_60_minute_tutorial_prints_the_graph() -> None:
    """torch's tutorial: print(loss.grad_fn), then next_functions[0][0] twice."""
    net = nn.Linear(3, 2)
    x, target = tinygrad_edu.randn(1, 3), tinygrad_edu.randn(1, 2)
    loss = nn.MSELoss()(net(x), target)
    texts = [
        repr(loss.grad_fn),
        repr(loss.grad_fn.next_functions[0][0]),
        repr(loss.grad_fn.next_functions[0][0].next_functions[0][0]),
    ]
    assert all(t.startswith("<") and t.endswith(">") for t in texts)
    assert "Backward" in texts[0]


def test_next_functions_follow_an_inplace_change_to_the_value_read() -> None:
    a = tinygrad_edu.ones(2, requires_grad=True)
    b = a * 1.0
    c = b * 3.0  # reads b before the in-place change
    b.add_(1.0)
    (node, _), _ = c.grad_fn.next_functions
    assert node is not b.grad_fn  # the value c read was made by the first multiplication
    assert structure(node) == ["leaf", None]


# -- named tuples --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, x: x.max(1),
        lambda lib, x: lib.min(x, 0),
        lambda lib, x: x.sort(1),
        lambda lib, x: lib.topk(x, 2),
        lambda lib, x: x.median(0),
    ],
)
def test_values_and_indices_named_tuples(call: Any) -> None:
    x = np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])
    ours, theirs = both(call, x)
    values, indices = ours
    assert values is ours.values and indices is ours.indices
    same(ours.values, theirs.values)
    same(ours.indices, theirs.indices)
    name = type(theirs).__name__
    assert type(ours).__name__ == name and repr(ours).startswith(f"return_types.{name}(")


# -- orderings: indices, ties and NaN, as torch -----------------------------------------------

ORDER_DATA = [
    [3.0, 1.0, 2.0, 1.0, 3.0],
    [[2.0, np.nan, 1.0], [1.0, 1.0, np.nan]],
    [[5, 1, 5, 2], [0, 0, 0, 0]],
    [[True, False, True]],
    [[np.inf, np.nan, -np.inf, 0.0]],
]


@pytest.mark.parametrize("data", ORDER_DATA, ids=str)
@pytest.mark.parametrize("descending", [False, True])
def test_sort_and_argsort_match_torch_stable(data: Any, descending: bool) -> None:
    ours, theirs = both(
        lambda lib, x: x.sort(dim=-1, descending=descending, stable=True), np.array(data)
    )
    same(ours.values, theirs.values)
    same(ours.indices, theirs.indices)
    ours, theirs = both(
        lambda lib, x: lib.argsort(x, dim=0, descending=descending, stable=True), np.array(data)
    )
    same(ours, theirs)


@pytest.mark.parametrize("largest", [True, False])
def test_topk_with_nan_and_k_of_every_size(largest: bool) -> None:
    x = np.array([[3.0, np.nan, 1.0, 2.0], [4.0, 0.0, -1.0, 9.0]])
    for k in range(5):
        ours, theirs = both(lambda lib, t, k=k: t.topk(k, largest=largest), x)
        same(ours.values, theirs.values)
        same(ours.indices, theirs.indices)


@pytest.mark.parametrize(
    "data",
    [
        [[1.0, 2.0, 2.0, 3.0], [2.0, 2.0, 2.0, 2.0]],
        [[1.0, np.nan, 0.0], [3.0, 1.0, 2.0]],
        [[4, 1, 3]],
    ],
    ids=str,
)
@pytest.mark.parametrize("keepdim", [False, True])
def test_median_values_and_indices_match_torch(data: Any, keepdim: bool) -> None:
    ours, theirs = both(lambda lib, x: x.median(1, keepdim), np.array(data))
    same(ours.values, theirs.values)
    same(ours.indices, theirs.indices)
    same(*both(lambda lib, x: lib.median(x), np.array(data)))
    same(*both(lambda lib, x: x.median(), np.zeros(0)))  # nan, as torch


def test_median_of_all_shares_the_gradient_among_ties_as_torch() -> None:
    grads = []
    for lib in LIBS:
        x = lib.tensor([1.0, 2.0, 2.0, 3.0, 2.0], requires_grad=True)
        x.median().backward()
        grads.append(np.asarray(x.grad))
    np.testing.assert_allclose(grads[0], grads[1])


def test_orderings_of_0d_tensors() -> None:
    for call in (
        lambda lib, x: x.sort().values,
        lambda lib, x: x.argsort(),
        lambda lib, x: x.topk(1).indices,
        lambda lib, x: x.median(0).indices,
        lambda lib, x: x.cumsum(0),
        lambda lib, x: x.cumprod(-1),
        lambda lib, x: x.flip(0),
        lambda lib, x: x.roll(1),
    ):
        same(*both(call, np.array(2.5)))


# -- indices, masks and unique -----------------------------------------------------------------


def test_nonzero_and_where_with_one_argument() -> None:
    x = np.array([[0, 1, 0], [2, 0, 3]])
    same(*both(lambda lib, t: t.nonzero(), x))
    same(*both(lambda lib, t: lib.nonzero(t, as_tuple=True), x))
    same(*both(lambda lib, t: lib.where(t > 0), x))
    same(*both(lambda lib, t: lib.nonzero(t), np.array(5)))


@pytest.mark.parametrize("dim", [None, 0, 1])
def test_unique_with_inverse_and_counts(dim: Any) -> None:
    x = np.array([[3, 1, 3], [1, 1, 2], [3, 1, 3]])
    same(*both(lambda lib, t: lib.unique(t, dim=dim), x))
    same(*both(lambda lib, t: t.unique(return_inverse=True, return_counts=True, dim=dim), x))
    same(*both(lambda lib, t: lib.unique(t, return_counts=True, dim=dim), x))


def test_one_hot_matches_torch_and_refuses_what_torch_refuses() -> None:
    same(*both(lambda lib, t: lib.nn.functional.one_hot(t), np.array([[0, 2], [1, 1]])))
    same(*both(lambda lib, t: lib.nn.functional.one_hot(t, 4), np.array([3, 0])))
    for bad, num_classes in (([-1], 3), ([5], 3), ([], -1)):
        for lib in LIBS:
            with pytest.raises(RuntimeError):
                lib.nn.functional.one_hot(lib.tensor(bad, dtype=lib.int64), num_classes)
    with pytest.raises(RuntimeError, match="index tensor"):
        F.one_hot(tinygrad_edu.tensor([1.0]))


def test_scatter_with_a_larger_src_uses_its_corner_and_its_gradient_flows() -> None:
    """PyTorch reads only src's leading corner, but its backward fails for a larger src: ours
    gives the corner its gradient (checked by finite differences)."""
    index = np.array([[1, 0], [0, 2]])
    x, src = np.arange(9.0).reshape(3, 3), np.arange(12.0).reshape(3, 4) + 10
    ours, theirs = both(lambda lib, a, b: a.scatter(1, lib.tensor(index), b), x, src)
    same(ours, theirs)
    ts = [Tensor(x, requires_grad=True), Tensor(src, requires_grad=True)]
    assert gradcheck(lambda a, b: a.scatter(1, tinygrad_edu.tensor(index), b), ts)
    same(*both(lambda lib, a: a.scatter(0, lib.tensor([[2, 0, 1]]), 7.5), x))
    same(*both(lambda lib, a: lib.scatter(a, 0, lib.tensor([[2, 0, 1]]), value=-1.0), x))


def test_masked_fill_keeps_the_dtype_and_broadcasts_like_torch() -> None:
    same(*both(lambda lib, t: t.masked_fill(lib.tensor([True, False, True]), 2.7), np.arange(3)))
    same(*both(lambda lib, t: t.masked_fill(lib.ones(2, 3, dtype=lib.bool), 0.0), np.ones(3)))
    same(*both(lambda lib, t: t.masked_fill(t > 1, float("-inf")), np.arange(4.0)))


# -- comparisons and logic ---------------------------------------------------------------------

PAIR = (np.array([1.0, np.nan, np.inf, -2.0, 0.0]), np.array([1.0, np.nan, np.inf, 2.0, -0.0]))


@pytest.mark.parametrize(
    "name", ["eq", "ne", "lt", "le", "gt", "ge", "greater", "less_equal", "not_equal"]
)
def test_comparison_functions_and_methods(name: str) -> None:
    same(*both(lambda lib, a, b: getattr(lib, name)(a, b), *PAIR))
    same(*both(lambda lib, a, b: getattr(a, name)(b), *PAIR))
    same(*both(lambda lib, a: getattr(a, name)(1.0), PAIR[0]))


@pytest.mark.parametrize("equal_nan", [False, True])
def test_isclose_allclose_equal(equal_nan: bool) -> None:
    a = np.array([1.0, 1.0 + 1e-9, np.nan, np.inf, -np.inf, 1.0])
    b = np.array([1.0, 1.0, np.nan, np.inf, np.inf, 1.1])
    same(*both(lambda lib, x, y: lib.isclose(x, y, equal_nan=equal_nan), a, b))
    same(*both(lambda lib, x, y: x.isclose(y, rtol=0.2, equal_nan=equal_nan), a, b))
    same(*both(lambda lib, x, y: lib.allclose(x[:2], y[:2]), a, b))
    same(*both(lambda lib, x, y: x.allclose(y, equal_nan=equal_nan), a, b))
    same(*both(lambda lib, x: lib.equal(x, x.clone()), a))  # NaN is not equal to itself
    same(*both(lambda lib, x: lib.equal(x[:2], x[:2].clone()), a))
    same(*both(lambda lib, x: lib.equal(x, x[:2]), a))


def test_isnan_isinf_isfinite_and_logic() -> None:
    x = np.array([1.0, np.nan, np.inf, -np.inf, 0.0])
    for name in ("isnan", "isinf", "isfinite", "logical_not"):
        same(*both(lambda lib, t, n=name: getattr(lib, n)(t), x))
        same(*both(lambda lib, t, n=name: getattr(t, n)(), np.array([1, 0, 2])))
    for name in ("logical_and", "logical_or", "logical_xor"):
        same(
            *both(lambda lib, a, b, n=name: getattr(lib, n)(a, b), [1.0, 0.0, 2.0], [0.0, 0.0, 3.0])
        )
    same(*both(lambda lib, a, b: a ^ b, np.array([True, False]), np.array([True, True])))
    same(*both(lambda lib, a, b: a ^ b, np.array([5, 3]), np.array([1, 1])))


@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_any_all_over_dims(dim: Any, keepdim: bool) -> None:
    x = np.array([[0.0, 1.0], [0.0, 0.0]])
    for name in ("any", "all"):
        if dim is None:
            same(*both(lambda lib, t, n=name: getattr(t, n)(), x))
        else:
            same(*both(lambda lib, t, n=name: getattr(lib, n)(t, dim, keepdim=keepdim), x))


# -- rounding divisions and remainders ---------------------------------------------------------

DIVIDENDS = [np.array([5, -5, 7, -7, 0]), np.array([5.0, -5.0, 7.5, -0.5, 0.0])]


@pytest.mark.parametrize("x", DIVIDENDS, ids=["int", "float"])
@pytest.mark.parametrize("y", [2, -3, 2.5, np.array([2, -2, 3, 4, -1])], ids=str)
def test_floor_trunc_division_and_remainders_match_torch(x: np.ndarray, y: Any) -> None:
    def other(lib: Any) -> Any:
        return lib.tensor(y) if isinstance(y, np.ndarray) else y

    same(*both(lambda lib, t: t // other(lib), x))
    same(*both(lambda lib, t: lib.floor_divide(t, other(lib)), x))
    same(*both(lambda lib, t: lib.div(t, other(lib), rounding_mode="trunc"), x))
    same(*both(lambda lib, t: t.div(other(lib), rounding_mode="floor"), x))
    same(*both(lambda lib, t: t % other(lib), x), rtol=1e-6)
    same(*both(lambda lib, t: lib.fmod(t, other(lib)), x), rtol=1e-6)
    same(*both(lambda lib, t: lib.true_divide(t, other(lib)), x), rtol=1e-6)
    same(*both(lambda lib, t: 7 // t[:2] + 7 % t[:2], x))


def test_floor_divide_of_floats_is_pythons() -> None:
    """5.0 // 0.1 is 49 in Python and PyTorch (0.1 is a little more than a tenth), not 50."""
    same(*both(lambda lib, t: t // 0.1, np.array([5.0, 1.0])))


def test_integer_division_by_zero_raises_as_in_torch() -> None:
    for lib in LIBS:
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            lib.tensor([1, 2]) // 0
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            lib.tensor([1, 2]) % lib.tensor([1, 0])
        with pytest.raises(RuntimeError, match="rounding_mode"):
            lib.div(lib.ones(2), 2, rounding_mode="round")


# -- dtypes of results -------------------------------------------------------------------------

INT_CALLS = {
    "sin": lambda lib, t: t.sin(),
    "erf": lambda lib, t: lib.erf(t),
    "floor": lambda lib, t: t.floor(),
    "round": lambda lib, t: lib.round(t),
    "sign": lambda lib, t: t.sign(),
    "abs": lambda lib, t: lib.abs(t),
    "square": lambda lib, t: t.square(),
    "reciprocal": lambda lib, t: t.reciprocal(),
    "rsqrt": lambda lib, t: t.rsqrt(),
    "prod": lambda lib, t: t.prod(),
    "prod_dim": lambda lib, t: lib.prod(t, 0, keepdim=True),
    "cumsum": lambda lib, t: t.cumsum(0),
    "cumprod": lambda lib, t: lib.cumprod(t, 0),
    "cumsum_dtype": lambda lib, t: t.cumsum(0, dtype=lib.float64),
    "sum_dtype": lambda lib, t: lib.sum(t, dtype=lib.float32),
    "mean_dtype": lambda lib, t: t.mean(dtype=lib.float64),
    "logsumexp": lambda lib, t: t.logsumexp(0),
    "median": lambda lib, t: t.median(),
    "max_dim": lambda lib, t: t.max(0).values,
    "remainder_float": lambda lib, t: t % 2.5,
    "clamp": lambda lib, t: t.clamp(min=2),
    "floor_divide_float": lambda lib, t: t // 2.5,
}


@pytest.mark.parametrize("dtype", ["int32", "int64", "bool"])
@pytest.mark.parametrize("name", sorted(INT_CALLS))
def test_integer_and_bool_inputs_give_torchs_dtypes(name: str, dtype: str) -> None:
    call = INT_CALLS[name]
    x = np.array([1, 3, 2]).astype(dtype)
    try:
        expected = call(torch, torch.tensor(x))
    except RuntimeError:
        return  # (torch refuses bool for some: nothing to compare)
    same(call(tinygrad_edu, tinygrad_edu.tensor(x)), expected, rtol=1e-6)


def test_float16_scans_and_products_accumulate_in_float32() -> None:
    x = np.full(4000, 1.0, dtype=np.float16)
    ours, theirs = both(lambda lib, t: t.cumsum(0), x)
    same(ours, theirs)
    assert ours.data[-1] == 4000  # float16 steps of 1 stop at 2048 when summed in float16
    # 3^8 = 6561 rounds to 6560 in float16; PyTorch's float16 product, rounded at every step,
    # ends at 6564.
    assert tinygrad_edu.tensor(np.full(8, 3.0, dtype=np.float16)).prod().item() == 6560


def test_dtype_conversions_and_type_names() -> None:
    x = tinygrad_edu.tensor([1.5, -2.0])
    t = torch.tensor([1.5, -2.0])
    for name in ("half", "int", "short", "char", "byte", "bool", "float", "double", "long"):
        same(getattr(x, name)(), getattr(t, name)())
    for dt in ("float16", "float64", "int64", "uint8", "bool", "int8", "int16", "int32"):
        assert x.to(getattr(tinygrad_edu, dt)).type() == t.to(getattr(torch, dt)).type()
    assert x.type() == "torch.FloatTensor"
    same(x.type(tinygrad_edu.float64), t.type(torch.float64))
    same(x.type("torch.DoubleTensor"), t.type("torch.DoubleTensor"))
    with pytest.raises(TypeError):
        x.type("torch.NoSuchTensor")


def test_conveniences_match_torch() -> None:
    x, t = tinygrad_edu.ones(2, 3), torch.ones(2, 3)
    assert (x.element_size(), x.nelement(), x.ndimension(), x.dim(), x.numel()) == (
        t.element_size(),
        t.nelement(),
        t.ndimension(),
        t.dim(),
        t.numel(),
    )
    assert (x.itemsize, x.nbytes) == (t.itemsize, t.nbytes)
    assert x.is_floating_point() and not x.long().is_floating_point()
    assert tinygrad_edu.is_floating_point(x) and tinygrad_edu.numel(x) == 6
    assert x.is_contiguous() == t.is_contiguous() and x.t().is_contiguous() == t.t().is_contiguous()
    assert x.t().contiguous().is_contiguous() and x.contiguous() is x
    same(x.new_tensor([1, 2]), t.new_tensor([1, 2]))
    same(x.new_tensor([1, 2], dtype=tinygrad_edu.int64), t.new_tensor([1, 2], dtype=torch.int64))
    same(x.new_empty(2).zero_(), t.new_empty(2).zero_())
    same(x.view_as(tinygrad_edu.ones(3, 2)), t.view_as(torch.ones(3, 2)))
    same(x.ravel(), t.ravel())
    same(abs(-x), abs(-t))


def test_contiguous_copy_passes_the_gradient() -> None:
    x = tinygrad_edu.randn(2, 3, requires_grad=True)
    y = x.t().contiguous()
    assert y.grad_fn is not None and y.is_contiguous()
    (y * tinygrad_edu.arange(6.0).reshape(3, 2)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.arange(6.0).reshape(3, 2).T)


# -- bad input: PyTorch's error classes --------------------------------------------------------

BAD = {
    "sin of a float": lambda lib: lib.sin(2.0),
    "mm of a vector": lambda lib: lib.mm(lib.ones(3), lib.ones(3, 2)),
    "mm shapes": lambda lib: lib.mm(lib.ones(2, 3), lib.ones(4, 2)),
    "bmm of matrices": lambda lib: lib.bmm(lib.ones(2, 3), lib.ones(3, 2)),
    "dot of matrices": lambda lib: lib.dot(lib.ones(2, 2), lib.ones(2)),
    "dot lengths": lambda lib: lib.dot(lib.ones(2), lib.ones(3)),
    "mv shapes": lambda lib: lib.mv(lib.ones(2, 3), lib.ones(2)),
    "einsum subscript": lambda lib: lib.einsum("i2->i", lib.ones(2)),
    "einsum operands": lambda lib: lib.einsum("ij,jk->ik", lib.ones(2, 2)),
    "einsum output": lambda lib: lib.einsum("ij->ik", lib.ones(2, 2)),
    "einsum repeated output": lambda lib: lib.einsum("ij->ii", lib.ones(2, 2)),
    "einsum ndim": lambda lib: lib.einsum("ijk->i", lib.ones(2, 2)),
    "einsum sizes": lambda lib: lib.einsum("ij,jk", lib.ones(2, 3), lib.ones(4, 2)),
    "einsum dtypes": lambda lib: lib.einsum("i,i", lib.ones(2), lib.ones(2, dtype=lib.float64)),
    "unflatten sizes": lambda lib: lib.ones(2, 6).unflatten(1, (4, 2)),
    "repeat too few": lambda lib: lib.ones(2, 3).repeat(2),
    "narrow too long": lambda lib: lib.ones(3).narrow(0, 2, 2),
    "select out of range": lambda lib: lib.ones(2, 3).select(1, 3),
    "index_select 2-d index": lambda lib: lib.ones(3).index_select(0, lib.tensor([[0]])),
    "index_select out of range": lambda lib: lib.ones(3).index_select(0, lib.tensor([3])),
    "masked_fill float mask": lambda lib: lib.ones(3).masked_fill(lib.ones(3), 0.0),
    "masked_fill vector value": lambda lib: lib.ones(3).masked_fill(lib.ones(3) > 0, lib.ones(3)),
    "masked_select float mask": lambda lib: lib.ones(3).masked_select(lib.ones(3)),
    "scatter dtypes": lambda lib: lib.zeros(3).scatter(
        0, lib.tensor([0]), lib.ones(1, dtype=lib.float64)
    ),
    "scatter out of bounds": lambda lib: lib.zeros(3).scatter(0, lib.tensor([3]), 1.0),
    "scatter ndim": lambda lib: lib.zeros(3, 2).scatter(0, lib.tensor([0]), 1.0),
    "scatter index too big": lambda lib: lib.zeros(3, 2).scatter(0, lib.tensor([[0, 1, 2]]), 1.0),
    "split sizes": lambda lib: lib.ones(3).split([1, 1]),
    "chunk zero": lambda lib: lib.ones(3).chunk(0),
    "topk too many": lambda lib: lib.ones(3).topk(4),
    "tril of a vector": lambda lib: lib.ones(3).tril(),
    "diag of 3-d": lambda lib: lib.diag(lib.ones(2, 2, 2)),
    "diagonal same dims": lambda lib: lib.ones(2, 2).diagonal(0, 1, 1),
    "movedim counts": lambda lib: lib.ones(2, 3).movedim((0, 1), (0,)),
    "fliplr of a vector": lambda lib: lib.ones(3).fliplr(),
    "prod of dims": lambda lib: lib.ones(2, 2).prod((0, 1)),
    "cumsum dim": lambda lib: lib.ones(2).cumsum(2),
    "norm of ints": lambda lib: lib.ones(2, dtype=lib.int64).norm(),
    "vector_norm -1 of nothing": lambda lib: lib.linalg.vector_norm(lib.ones(0), -1),
    "median of an empty dim": lambda lib: lib.ones(2, 0).median(1),
    "gelu approximate": lambda lib: lib.nn.functional.gelu(lib.ones(2), approximate="erf"),
    "hardtanh bounds": lambda lib: lib.nn.functional.hardtanh(lib.ones(2), 2.0, 1.0),
    "Hardtanh bounds": lambda lib: lib.nn.Hardtanh(2.0, 1.0),
    "celu alpha 0": lambda lib: lib.nn.functional.celu(lib.ones(2), 0.0),
    "clamp without bounds": lambda lib: lib.ones(2).clamp(),
    "lerp end": lambda lib: lib.lerp(lib.ones(2), 2.0, 0.5),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_raises_what_torch_raises(name: str) -> None:
    errors = []
    for lib in LIBS:
        with pytest.raises(Exception) as info:
            BAD[name](lib)
        errors.append(type(info.value))
    assert errors[0] is errors[1], f"ours {errors[0].__name__}, torch {errors[1].__name__}"


def test_what_needs_an_svd_says_so() -> None:
    x = tinygrad_edu.ones(2, 2)
    for call in (
        lambda: x.norm("nuc"),
        lambda: tinygrad_edu.linalg.matrix_norm(x, 2),
        lambda: tinygrad_edu.linalg.norm(x, "nuc"),
    ):
        with pytest.raises(NotImplementedError, match="SVD"):
            call()
    with pytest.raises(NotImplementedError, match="scatter_add"):
        x.scatter(0, tinygrad_edu.tensor([[0, 1]]), x, reduce="multiply")


# -- numerical stability: finite where PyTorch is, no warnings -------------------------------

EXTREMES = np.array([-1e4, -50.0, -1.0, -1e-30, 0.0, 1e-30, 1.0, 50.0, 1e4])

STABLE = {
    "gelu": lambda lib, t: lib.nn.functional.gelu(t),
    "gelu_tanh": lambda lib, t: lib.nn.functional.gelu(t, approximate="tanh"),
    "silu": lambda lib, t: lib.nn.functional.silu(t),
    "softplus": lambda lib, t: lib.nn.functional.softplus(t),
    "softplus_beta": lambda lib, t: lib.nn.functional.softplus(t, beta=3.0, threshold=100.0),
    "mish": lambda lib, t: lib.nn.functional.mish(t),
    "logsigmoid": lambda lib, t: lib.nn.functional.logsigmoid(t),
    "elu": lambda lib, t: lib.nn.functional.elu(t),
    "selu": lambda lib, t: lib.nn.functional.selu(t),
    "celu": lambda lib, t: lib.nn.functional.celu(t, 2.0),
    "leaky_relu": lambda lib, t: lib.nn.functional.leaky_relu(t),
    "softsign": lambda lib, t: lib.nn.functional.softsign(t),
    "erf": lambda lib, t: t.erf(),
    "erfc": lambda lib, t: t.erfc(),
    "logsumexp": lambda lib, t: t.logsumexp(0),
    "norm": lambda lib, t: (t * 1e-3).norm(),
    "sinh": lambda lib, t: (t * 1e-3).sinh(),
    "expm1": lambda lib, t: (t * 1e-3).expm1(),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(STABLE))
def test_activations_are_finite_and_match_torch_at_extremes(name: str, dtype: Any) -> None:
    call = STABLE[name]
    grads = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NumPy RuntimeWarning must not leak to the user
        for lib in LIBS:
            x = lib.tensor(EXTREMES.astype(dtype), requires_grad=True)
            out = call(lib, x)
            out.sum().backward()
            grads.append((out, x.grad))
    (ours, ours_grad), (theirs, theirs_grad) = grads
    tol = {"rtol": 1e-5, "atol": 1e-30} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-300}
    same(ours.detach(), theirs.detach(), **tol)
    same(ours_grad, theirs_grad, **tol)
    assert np.all(np.isfinite(ours.data) | ~np.isfinite(theirs.detach().numpy()))


def test_erf_is_accurate_to_the_last_digits() -> None:
    xs = np.concatenate([np.linspace(-7.0, 7.0, 20001), [0.0, 1e-300, 2.5, np.inf, -np.inf]])
    exact = np.array([math.erf(v) for v in xs])
    ours = tinygrad_edu.tensor(xs).erf().data
    np.testing.assert_allclose(ours, exact, rtol=4e-15, atol=1e-300)
    exact_c = np.array([math.erfc(v) for v in xs])
    np.testing.assert_allclose(tinygrad_edu.tensor(xs).erfc().data, exact_c, rtol=1e-11)
    assert np.isnan(tinygrad_edu.tensor([np.nan]).erf().data).all()
    x32 = xs.astype(np.float32)
    np.testing.assert_allclose(
        tinygrad_edu.tensor(x32).erf().data,
        torch.erf(torch.tensor(x32)).numpy(),
        rtol=2e-7,
        atol=1e-38,
    )


def test_norm_gradient_is_zero_at_zero_as_torch() -> None:
    for p in (2, 1, 3, 0.5, float("inf"), float("-inf")):
        grads = []
        for lib in LIBS:
            x = lib.tensor(
                [0.0, 0.0, 3.0] if p != float("-inf") else [1.0, -3.0, 3.0], requires_grad=True
            )
            zero = lib.tensor([0.0, 0.0], requires_grad=True)
            (x.norm(p) + lib.linalg.vector_norm(zero, p)).backward()
            grads.append((np.asarray(x.grad), np.asarray(zero.grad)))
        np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-6, err_msg=f"p={p}")
        np.testing.assert_array_equal(grads[0][1], grads[1][1], err_msg=f"p={p}")


def test_prod_and_cumprod_with_zeros_match_torch_to_second_order() -> None:
    x = np.array([[2.0, 0.0, 3.0, 0.0, 5.0], [1.5, -2.0, 0.0, 4.0, 1.0]])
    for call in (
        lambda lib, t: t.prod(1),
        lambda lib, t: t.prod(),
        lambda lib, t: t.cumprod(1),
        lambda lib, t: lib.cumprod(t, 0),
    ):
        results = []
        for lib in LIBS:
            t = lib.tensor(x, requires_grad=True)
            out = call(lib, t)
            seed = lib.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)))
            (g,) = lib.autograd.grad(out, t, seed, create_graph=True)
            (h,) = lib.autograd.grad((g * g).sum(), t)
            results.append((g.detach().numpy() if lib is torch else g.data, np.asarray(h)))
        np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
        np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)


def test_zero_safe_gradients_pass_gradcheck_at_zeros() -> None:
    x = Tensor(np.array([[2.0, 0.0, 3.0, 0.0], [1.5, -2.0, 0.0, 4.0]]), requires_grad=True)
    for fn in (
        lambda t: t.prod(1),
        lambda t: t.prod(),
        lambda t: t.cumprod(1),
        lambda t: t.cumprod(0),
    ):
        assert gradcheck(fn, [x])
        assert gradgradcheck(fn, [x])


# -- einsum, more ------------------------------------------------------------------------------


def test_einsum_sublist_and_list_forms_and_integers() -> None:
    a, b = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)
    same(*both(lambda lib, x, y: lib.einsum(x, [0, 1], y, [1, 2], [0, 2]), a, b))
    same(*both(lambda lib, x, y: lib.einsum(x, [0, Ellipsis], y, [Ellipsis, 2]), a, b), rtol=1e-12)
    same(*both(lambda lib, x, y: lib.einsum("ij,jk->ik", [x, y]), a, b))
    same(*both(lambda lib, x, y: lib.einsum("i j , j k -> k i", x, y), a, b))
    same(*both(lambda lib, x: lib.einsum("ii->", x), np.arange(9).reshape(3, 3)))


def test_einsum_gradient_is_einsum_again() -> None:
    a = tinygrad_edu.randn(2, 3, requires_grad=True)
    (g,) = tinygrad_edu.autograd.grad(tinygrad_edu.einsum("ij,ij->", a, a), a, create_graph=True)
    assert type(g.grad_fn).__name__ in ("Einsum", "Add")
    np.testing.assert_allclose(g.data, 2 * a.data)


# -- modules of the activations ----------------------------------------------------------------

MODULES = [
    ("GELU", ()),
    ("GELU", ("tanh",)),
    ("LeakyReLU", (0.2, True)),
    ("ELU", (0.5,)),
    ("CELU", (0.5, True)),
    ("SELU", ()),
    ("SiLU", (True,)),
    ("Mish", ()),
    ("Softplus", (2, 10)),
    ("Hardtanh", (-2, 2)),
    ("ReLU6", ()),
    ("LogSigmoid", ()),
    ("Softsign", ()),
]


@pytest.mark.parametrize("name, args", MODULES, ids=lambda v: str(v))
def test_activation_modules_print_and_compute_as_torch(name: str, args: tuple[Any, ...]) -> None:
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    x = np.linspace(-4, 4, 17)
    for dtype in (np.float32, np.float64):
        xo = tinygrad_edu.tensor(x.astype(dtype), requires_grad=True)
        xt = torch.tensor(x.astype(dtype), requires_grad=True)
        yo, yt = ours(xo), theirs(xt.clone() if "inplace" in repr(theirs) else xt)
        # (float32: PyTorch's GELU computes 1 + erf(x / sqrt 2), which cancels for x = -4)
        tol = (
            {"rtol": 2e-6, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-15}
        )
        same(yo.detach(), yt.detach(), **tol)
        yo.sum().backward()
        yt.sum().backward()
        same(xo.grad, xt.grad, **tol)


# -- the public names ----------------------------------------------------------------------------

OURS_ONLY = {"GradcheckError", "bool_", "data", "gradcheck", "gradgradcheck", "return_types"}


def test_every_public_name_is_torchs() -> None:
    missing = [n for n in tinygrad_edu.__all__ if n not in OURS_ONLY and not hasattr(torch, n)]
    assert missing == []
    missing_f = [n for n in F.__all__ if n != "REDUCTIONS" and not hasattr(torch.nn.functional, n)]
    assert missing_f == []
    assert all(hasattr(torch.linalg, n) for n in tinygrad_edu.linalg.__all__)


def test_every_new_tensor_method_is_torchs() -> None:
    ours = {n for n in dir(Tensor) if not n.startswith("_")}
    assert sorted(n for n in ours - {"data"} if not hasattr(torch.Tensor, n)) == []


def test_a_0d_leaf_used_twice_gets_its_summed_gradient() -> None:
    x = tinygrad_edu.tensor(1.5, requires_grad=True)
    (x * x + x.exp()).backward()
    assert x.grad.shape == () and x.grad.item() == pytest.approx(3 + math.exp(1.5))


INPLACE = {
    "masked_fill_": lambda lib, t, s: t.masked_fill_(t > 0.5, 2.0) * s,
    "scatter_": lambda lib, t, s: t.scatter_(1, lib.tensor([[2, 0], [1, 1]]), s[:, :2]),
    "scatter_add_": lambda lib, t, s: t.scatter_add_(0, lib.tensor([[1, 0, 1]]), s[:1]),
    "clamp_min_": lambda lib, t, s: t.clamp_min_(s[0]) * s,
    "clamp_max_": lambda lib, t, s: t.clamp_max_(0.25) * s,
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_variants_change_the_tensor_and_pass_gradients_as_torch(name: str) -> None:
    results = []
    for lib in LIBS:
        x = lib.tensor([[0.1, 0.7, -0.4], [0.9, 0.2, 0.3]], dtype=lib.float64, requires_grad=True)
        s = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=lib.float64, requires_grad=True)
        t = x.clone()
        out = INPLACE[name](lib, t, s)
        out.sum().backward()
        results.append([np.asarray(v.detach() if lib is torch else v) for v in (t, x.grad, s.grad)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, x: x.var(False),
        lambda lib, x: lib.std(x, False),
        lambda lib, x: lib.var(x, 1, True, True),
        lambda lib, x: lib.std(x, dim=0, correction=0, keepdim=True),
        lambda lib, x: lib.var(x, (0, 1), correction=2),
    ],
)
def test_var_and_std_functions_take_torchs_three_spellings(call: Any) -> None:
    same(*both(call, np.arange(12.0).reshape(3, 4) ** 1.5), rtol=1e-12)


def test_op_table_covers_the_new_differentiable_ops() -> None:
    """The brief's list: a missing entry would silently go untested."""
    from op_table import OPS

    required = [
        *("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "exp2", "expm1", "log2"),
        *("log10", "rsqrt", "square", "reciprocal", "erf", "erfc", "floor", "ceil", "round"),
        *("trunc", "sign", "frac", "atan2", "fmod", "remainder", "lerp", "clamp_tensor_bounds"),
        *("clamp_min_max", "masked_fill", "gelu", "gelu_tanh", "leaky_relu", "elu", "selu"),
        *("celu", "silu", "mish", "hardtanh", "relu6", "logsigmoid", "softsign", "softplus"),
        *("prod", "cumsum", "cumprod", "logsumexp", "norm", "vector_norm", "matrix_norm"),
        *("median_all", "median_dim", "sort", "topk", "max_dim_function", "unflatten"),
        *("movedim", "swapaxes", "repeat", "tile", "repeat_interleave", "flip", "roll"),
        *("tril_triu", "diag", "diagonal", "narrow_select", "split", "chunk", "unbind"),
        *("hstack_vstack", "index_select", "masked_select", "scatter", "scatter_add"),
        *("mm", "bmm", "mv", "dot", "outer", "einsum", "einsum_list"),
    ]
    assert [n for n in required if n not in OPS] == []


# -- views where PyTorch has views, new tensors where it has copies ----------------------------

VIEW_OR_COPY = {
    "diagonal": lambda lib, t: t.diagonal(),
    "diagonal_offset_dims": lambda lib, t: lib.diagonal(t, -1, 1, 0),
    "narrow": lambda lib, t: t.narrow(1, 1, 2),
    "select": lambda lib, t: lib.select(t, 0, 1),
    "split": lambda lib, t: t.split(2, 1)[1],
    "chunk": lambda lib, t: lib.chunk(t, 3, 0)[2],
    "unbind": lambda lib, t: t.unbind(1)[0],
    "movedim": lambda lib, t: t.movedim(0, 1),
    "unflatten": lambda lib, t: t.unflatten(1, (3, 1)),
    "swapaxes": lambda lib, t: lib.swapaxes(t, 0, 1),
    "view_as": lambda lib, t: t.view_as(lib.ones(9)),
    "flip": lambda lib, t: t.flip(0),
    "roll": lambda lib, t: t.roll(1, 0),
    "repeat_ones": lambda lib, t: t.repeat(1, 1),
    "tile": lambda lib, t: lib.tile(t, (1,)),
    "diag": lambda lib, t: lib.diag(t),
    "tril": lambda lib, t: t.tril(),
    "repeat_interleave": lambda lib, t: t.repeat_interleave(1, 0),
}


# PyTorch refuses a recorded in-place change to a piece of split, chunk or unbind (the pieces come
# from one multi-output node); ours records it. Its gradients are compared with the same view
# made by narrow or select, which PyTorch records.
SAME_VIEW = {
    "split": lambda lib, t: t.narrow(1, 2, 1),
    "chunk": lambda lib, t: t.narrow(0, 2, 1),
    "unbind": lambda lib, t: t.select(1, 0),
}


@pytest.mark.parametrize("name", sorted(VIEW_OR_COPY))
def test_inplace_through_the_result_reaches_the_base_exactly_when_torch_s_does(name: str) -> None:
    """Unrecorded (plain tensors) and recorded (a graph, gradients compared) changes."""
    results = []
    for lib in LIBS:
        base = lib.arange(9.0).reshape(3, 3)
        VIEW_OR_COPY[name](lib, base).mul_(10)
        x = lib.tensor(np.arange(9.0).reshape(3, 3), dtype=lib.float64, requires_grad=True)
        y = x * 1.0
        take = SAME_VIEW.get(name, VIEW_OR_COPY[name]) if lib is torch else VIEW_OR_COPY[name]
        part = take(lib, y)
        part.mul_(lib.arange(float(part.numel()), dtype=lib.float64).reshape(part.shape) + 2)
        (y * y).sum().backward()
        results.append([np.asarray(base), np.asarray(y.detach()), np.asarray(x.grad)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs)


def test_einsum_of_one_operand_does_not_alias_it() -> None:
    """NumPy's einsum returns a view for a transpose or a diagonal; ours is a new tensor, so
    changing the input later cannot change it (PyTorch returns a registered view there)."""
    x = tinygrad_edu.arange(9.0).reshape(3, 3)
    for equation in ("ij->ji", "ii->i", "ij"):
        out = tinygrad_edu.einsum(equation, x)
        before = out.data.copy()
        x.add_(1.0)
        np.testing.assert_array_equal(out.data, before)


def test_normal_and_uniform_fill_in_place_outside_the_graph() -> None:
    tinygrad_edu.manual_seed(0)
    w = tinygrad_edu.empty(20000)
    assert w.normal_(1.0, 0.5) is w and w.dtype == tinygrad_edu.float32
    assert abs(w.mean().item() - 1.0) < 0.02 and abs(w.std().item() - 0.5) < 0.02
    u = tinygrad_edu.zeros(20000, dtype=tinygrad_edu.float64).uniform_(-1.0, 3.0)
    assert u.dtype == tinygrad_edu.float64 and -1.0 <= u.min().item() < u.max().item() < 3.0
    assert abs(u.mean().item() - 1.0) < 0.05
    p = tinygrad_edu.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="normal_: a leaf tensor that requires grad"):
        p.normal_()
    with tinygrad_edu.no_grad():
        p.uniform_(-0.1, 0.1, generator=np.random.default_rng(1))
    assert p.requires_grad and p.is_leaf and float(p.abs().max()) <= 0.1
