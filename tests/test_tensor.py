"""Tensor itself: construction and dtype rules, factories, repr, leaving the graph, comparisons."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu
from tinygrad_edu import Tensor, manual_seed
from tinygrad_edu.testing import strategies as tst

# -- construction ---------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [1.5, True, [1, 2, 3], [[1.0, 2.0], [3.0, 4.0]], [True, False]])
def test_python_scalars_and_lists_become_float32(data) -> None:
    t = Tensor(data)
    assert t.dtype == np.float32
    np.testing.assert_array_equal(t.data, np.array(data, dtype=np.float32))


@pytest.mark.parametrize(
    "dtype", [np.float64, np.float32, np.float16, np.int64, np.int32, np.bool_]
)
def test_ndarray_keeps_its_dtype(dtype) -> None:
    a = np.array([1, 0, 2]).astype(dtype)
    t = Tensor(a)
    assert t.dtype == dtype
    np.testing.assert_array_equal(t.data, a)


def test_numpy_scalar_keeps_its_dtype() -> None:
    assert Tensor(np.float64(1.5)).dtype == np.float64


@pytest.mark.parametrize(
    "dtype, expected",
    [
        (np.float64, np.float64),
        ("float64", np.float64),
        (tinygrad_edu.float64, np.float64),
        (float, np.float32),
        (int, np.int64),
        (bool, np.bool_),
        (tinygrad_edu.int32, np.int32),
    ],
)
def test_dtype_argument(dtype, expected) -> None:
    assert Tensor([1, 2], dtype=dtype).dtype == expected
    assert Tensor(np.array([1.0, 2.0]), dtype=dtype).dtype == expected


def test_construction_copies_an_ndarray() -> None:
    a = np.array([1.0, 2.0])
    t = Tensor(a)
    a[0] = 100.0
    assert t.data[0] == 1.0


def test_tensor_from_tensor() -> None:
    t = Tensor(Tensor(np.array([1.0, 2.0])))
    assert t.dtype == np.float64 and t.tolist() == [1.0, 2.0]


def test_attributes() -> None:
    t = Tensor(np.zeros((2, 3, 4)))
    assert t.shape == (2, 3, 4) and t.ndim == 3 and t.dim() == 3
    assert t.size() == (2, 3, 4) and t.size(1) == 3 and t.numel() == 24 and len(t) == 2
    assert [s.shape for s in t] == [(3, 4), (3, 4)]
    assert t.is_leaf and t.grad is None and t.grad_fn is None and not t.requires_grad
    with pytest.raises(TypeError):
        len(Tensor(1.0))


def test_requires_grad_flag() -> None:
    t = Tensor([1.0, 2.0], requires_grad=True)
    assert t.requires_grad and t.is_leaf
    y = t * 2
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None
    assert not Tensor([1.0]).requires_grad_(False).requires_grad
    with pytest.raises(RuntimeError, match="detach"):
        y.requires_grad_(False)


# -- factories ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make", [tinygrad_edu.zeros, tinygrad_edu.ones, tinygrad_edu.zeros, tinygrad_edu.ones]
)
def test_zeros_ones(make) -> None:
    for args in [(2, 3), ((2, 3),), ([2, 3],)]:
        t = make(*args)
        assert t.shape == (2, 3) and t.dtype == np.float32
    fill = 0.0 if make in (tinygrad_edu.zeros, tinygrad_edu.zeros) else 1.0
    np.testing.assert_array_equal(make(4).data, np.full(4, fill))
    t = make(2, dtype=np.float64, requires_grad=True)
    assert t.dtype == np.float64 and t.requires_grad
    assert make(()).shape == ()


def test_full() -> None:
    t = tinygrad_edu.full((2, 2), 7.0)
    assert t.dtype == np.float32 and t.shape == (2, 2)
    np.testing.assert_array_equal(t.data, np.full((2, 2), 7.0))
    assert tinygrad_edu.full(3, 1.0, dtype=np.float64).dtype == np.float64
    assert tinygrad_edu.full((1,), 2.0).shape == (1,)


def test_randn_and_rand() -> None:
    manual_seed(0)
    n = tinygrad_edu.randn(200, 50)
    u = tinygrad_edu.rand(200, 50)
    assert n.dtype == np.float32 and u.dtype == np.float32 and n.shape == (200, 50)
    assert abs(float(n.data.mean())) < 0.05 and abs(float(n.data.std()) - 1) < 0.05
    assert u.data.min() >= 0.0 and u.data.max() < 1.0
    assert tinygrad_edu.randn(3, dtype=np.float64).dtype == np.float64
    assert tinygrad_edu.rand((2, 3), requires_grad=True).requires_grad


def test_manual_seed_makes_draws_reproducible() -> None:
    manual_seed(123)
    a, b = tinygrad_edu.randn(5), tinygrad_edu.rand(5)
    manual_seed(123)
    np.testing.assert_array_equal(tinygrad_edu.randn(5).data, a.data)
    np.testing.assert_array_equal(tinygrad_edu.rand(5).data, b.data)
    manual_seed(124)
    assert not np.array_equal(tinygrad_edu.randn(5).data, a.data)


@pytest.mark.parametrize(
    "args, dtype, expected",
    [
        ((5,), np.int64, [0, 1, 2, 3, 4]),
        ((2, 6, 2), np.int64, [2, 4]),
        ((0, 1, 0.25), np.float32, [0.0, 0.25, 0.5, 0.75]),
        ((3.0,), np.float32, [0.0, 1.0, 2.0]),
    ],
)
def test_arange(args, dtype, expected) -> None:
    t = tinygrad_edu.arange(*args)
    assert t.dtype == dtype
    np.testing.assert_array_equal(t.data, expected)
    assert tinygrad_edu.arange(3, dtype=np.float64).dtype == np.float64


def test_eye() -> None:
    np.testing.assert_array_equal(tinygrad_edu.eye(3).data, np.eye(3))
    assert tinygrad_edu.eye(3).dtype == np.float32
    np.testing.assert_array_equal(tinygrad_edu.eye(2, 4).data, np.eye(2, 4))


@pytest.mark.parametrize(
    "like",
    [
        tinygrad_edu.zeros_like,
        tinygrad_edu.ones_like,
        tinygrad_edu.randn_like,
        tinygrad_edu.rand_like,
        lambda t, **kw: tinygrad_edu.full_like(t, 3.0, **kw),
    ],
)
def test_like_factories_keep_shape_and_dtype(like) -> None:
    src = Tensor(np.zeros((2, 3)), requires_grad=True)
    t = like(src)
    assert t.shape == (2, 3) and t.dtype == np.float64 and not t.requires_grad
    assert like(src, dtype=np.float32).dtype == np.float32
    assert like(src, requires_grad=True).requires_grad


def test_like_factory_values() -> None:
    src = Tensor(np.zeros(3))
    np.testing.assert_array_equal(tinygrad_edu.ones_like(src).data, np.ones(3))
    np.testing.assert_array_equal(tinygrad_edu.full_like(src, 2.5).data, np.full(3, 2.5))


# -- repr -----------------------------------------------------------------------------------------


def test_repr() -> None:
    assert repr(Tensor([1.0, 2.5])) == "tensor([1. , 2.5])"
    r = repr(Tensor(np.array([1.0, 2.0])))
    assert r.startswith("tensor([1., 2.]") and "dtype=float64" in r
    assert "requires_grad=True" in repr(Tensor([1.0], requires_grad=True))
    y = Tensor([1.0], requires_grad=True) * 2
    assert "grad_fn=<MulBackward>" in repr(y)
    assert "dtype" not in repr(Tensor(np.array([1, 2])))  # int64 is the default integer dtype
    assert "dtype=int32" in repr(Tensor(np.array([1, 2], dtype=np.int32)))


# -- leaving the graph ----------------------------------------------------------------------------


def test_item() -> None:
    assert Tensor(2.5).item() == 2.5 and isinstance(Tensor(2.5).item(), float)
    assert Tensor(np.array([[3]])).item() == 3 and isinstance(Tensor(np.array(3)).item(), int)
    assert float(Tensor([1.5])) == 1.5 and int(Tensor(np.array([4]))) == 4
    assert bool(Tensor([1.0])) and not bool(Tensor(0.0))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(Tensor([1.0, 2.0]))


def test_numpy_and_asarray() -> None:
    t = Tensor(np.array([[1.0, 2.0]]), requires_grad=True)
    assert t.numpy() is t.data
    a = np.asarray(t)
    assert a.dtype == np.float64 and a.shape == (1, 2)
    np.testing.assert_array_equal(a, [[1.0, 2.0]])
    assert np.asarray(t, dtype=np.float32).dtype == np.float32
    assert t.tolist() == [[1.0, 2.0]]


def test_ndarray_on_the_left_defers_to_tensor() -> None:
    t = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    out = np.array([3.0, 4.0]) * t
    assert isinstance(out, Tensor) and out.requires_grad
    np.testing.assert_array_equal(out.data, [3.0, 8.0])


# -- comparisons ----------------------------------------------------------------------------------

COMPARISONS = {
    "==": (lambda a, b: a == b, np.equal),
    "!=": (lambda a, b: a != b, np.not_equal),
    "<": (lambda a, b: a < b, np.less),
    "<=": (lambda a, b: a <= b, np.less_equal),
    ">": (lambda a, b: a > b, np.greater),
    ">=": (lambda a, b: a >= b, np.greater_equal),
}


@pytest.mark.parametrize("op", sorted(COMPARISONS))
@given(pair=tst.mutually_broadcastable_pairs(elements=st.sampled_from([-1.0, 0.0, 1.0])))
def test_comparisons_give_bool_without_grad(op, pair) -> None:
    x, y = pair
    ours, ref = COMPARISONS[op]
    for other, other_data in ((y, y.data), (0.0, 0.0)):
        out = ours(x, other)
        assert out.dtype == np.bool_ and not out.requires_grad and out.grad_fn is None
        np.testing.assert_array_equal(out.data, ref(x.data, other_data))


def test_boolean_logic_and_reductions() -> None:
    x = Tensor([1.0, -1.0, 2.0])
    mask = (x > 0) & (x < 2)
    assert mask.tolist() == [True, False, False]
    assert (~mask).tolist() == [False, True, True]
    assert ((x > 1) | (x < 0)).tolist() == [False, True, True]
    assert bool((x > -2).all()) and not bool((x > 5).any())
    assert x.argmax().item() == 2 and x.argmin().item() == 1


def test_tensor_is_hashable_by_identity() -> None:
    a, b = Tensor([1.0]), Tensor([1.0])
    assert len({a, b}) == 2
