"""Nothing is silently wrong: dtypes promote as PyTorch's do, reductions keep their precision, NaN
propagates, and the autograd API refuses what it cannot honour instead of guessing.

Each test here failed on the engine before the fix it covers (the issue "Bad input gets a clear
error and nothing is silently wrong")."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import Tensor, autograd, gradcheck

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


# -- dtype promotion ---------------------------------------------------------------------------


def test_the_exponent_is_never_cast_to_the_base_dtype() -> None:
    np.testing.assert_allclose(tinygrad_edu.arange(5) ** 0.5, np.sqrt(np.arange(5)), rtol=1e-6)
    assert (tinygrad_edu.arange(5) ** 0.5).dtype == np.float32


@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("b", DTYPES)
@pytest.mark.parametrize("b_shape", [(2,), ()], ids=["dims", "0-d"])
def test_mixed_dtypes_promote_as_pytorch(a: str, b: str, b_shape: tuple[int, ...]) -> None:
    torch = pytest.importorskip("torch")
    x = tinygrad_edu.tensor(np.ones(2, dtype=a))
    y = tinygrad_edu.tensor(np.ones(b_shape, dtype=b))
    tx = torch.ones(2, dtype=getattr(torch, "bool" if a == "bool" else a))
    ty = torch.ones(b_shape, dtype=getattr(torch, "bool" if b == "bool" else b))
    if a == b == "bool":
        return  # bool + bool is an error in both (checked below)
    assert str((x + y).dtype) == str((tx + ty).dtype).replace("torch.", "")


@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("number", [2, 2.5, True])
def test_python_numbers_promote_as_pytorch(a: str, number: object) -> None:
    torch = pytest.importorskip("torch")
    x = tinygrad_edu.tensor(np.ones(2, dtype=a))
    tx = torch.ones(2, dtype=getattr(torch, a))
    if a == "bool" and isinstance(number, bool):
        return
    assert str((x * number).dtype) == str((tx * number).dtype).replace("torch.", "")


def test_promotion_rules_without_torch() -> None:
    i64, f32 = tinygrad_edu.ones(2, dtype=tinygrad_edu.int64), tinygrad_edu.ones(2)
    assert (i64 + 2.5).dtype == np.float32  # int with a float number: the default float
    assert (i64 + f32).dtype == np.float32  # int64 + float32 is float32
    assert (f32 + tinygrad_edu.tensor(1.0, dtype=np.float64)).dtype == np.float32  # dims win
    assert (f32 + tinygrad_edu.ones(2, dtype=np.float64)).dtype == np.float64
    assert (tinygrad_edu.ones(2, dtype=np.int32) + tinygrad_edu.tensor(1)).dtype == np.int32


def test_gradients_flow_back_in_each_operands_dtype() -> None:
    x = tinygrad_edu.ones(3, requires_grad=True)
    y = tinygrad_edu.ones(3, dtype=tinygrad_edu.float64, requires_grad=True)
    (x * y).sum().backward()
    assert x.grad.dtype == np.float32 and y.grad.dtype == np.float64


# -- reductions ----------------------------------------------------------------------------------


def test_float16_reductions_accumulate_in_float32() -> None:
    data = np.random.default_rng(0).uniform(1.0, 2.0, (2000, 60)).astype(np.float16)
    x = tinygrad_edu.tensor(data)
    assert np.isfinite(x.mean().item()) and x.mean().dtype == np.float16
    np.testing.assert_allclose(x.mean().item(), data.astype(np.float64).mean(), rtol=1e-3)
    np.testing.assert_allclose(x.var().item(), data.astype(np.float64).var(ddof=1), rtol=1e-2)


def test_float32_variance_is_two_pass() -> None:
    x = tinygrad_edu.tensor([1e4, 1e4 + 1e-3, 1e4], dtype=np.float32)
    exact = np.var(np.array([1e4, 1e4 + 1e-3, 1e4], dtype=np.float32).astype(np.float64), ddof=1)
    np.testing.assert_allclose(x.var().item(), exact, rtol=1e-2)
    np.testing.assert_allclose(x.std().item(), np.sqrt(exact), rtol=1e-2)


def test_std_gradient_of_a_constant_row_is_zero_not_nan() -> None:
    x = tinygrad_edu.tensor([[1.0, 1.0, 1.0], [1.0, 2.0, 3.0]], requires_grad=True)
    x.std(dim=1).sum().backward()
    assert np.all(np.isfinite(x.grad.numpy()))
    np.testing.assert_array_equal(x.grad.numpy()[0], 0.0)


def test_softmax_over_an_empty_dim_is_empty() -> None:
    x = tinygrad_edu.ones(2, 0, requires_grad=True)
    for out in (x.softmax(1), x.log_softmax(1), tinygrad_edu.nn.functional.softmax(x, 1)):
        assert out.shape == (2, 0)
    x.softmax(1).sum().backward()
    assert x.grad.shape == (2, 0)


def test_maximum_and_minimum_propagate_nan() -> None:
    nan = tinygrad_edu.tensor([np.nan, 1.0])
    one = tinygrad_edu.tensor([1.0, np.nan])
    assert np.isnan(nan.maximum(one).numpy()).all()
    assert np.isnan(nan.minimum(one).numpy()).all()
    assert np.isnan(tinygrad_edu.tensor([np.nan, 1.0]).amax().item())


def test_relu_passes_the_gradient_of_a_nan_input_on() -> None:
    x = tinygrad_edu.tensor([np.nan, -1.0, 2.0], requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.0, 1.0])  # as PyTorch


def test_numpy_runtime_warnings_do_not_leak() -> None:
    code = (
        "import tinygrad_edu as t\n"
        "x = t.tensor([0.0, -1.0, 1e30], requires_grad=True)\n"
        "y = x.log().sum() + x.sqrt().sum() + (x / x).sum() + (x * 1e30).exp().sum()\n"
        "y.backward()\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error::RuntimeWarning", "-c", code], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_a_users_own_numpy_warnings_are_left_alone() -> None:
    import tinygrad_edu  # noqa: F401  (imported: its filter must not reach other code)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        np.log(np.zeros(1))
    assert any(issubclass(w.category, RuntimeWarning) for w in caught)


# -- the autograd API ----------------------------------------------------------------------------


def test_grad_of_the_same_input_twice() -> None:
    x = tinygrad_edu.tensor([1.0, 2.0], requires_grad=True)
    g1, g2 = autograd.grad((x * x).sum(), [x, x])
    np.testing.assert_array_equal(g1.numpy(), [2.0, 4.0])
    np.testing.assert_array_equal(g2.numpy(), [2.0, 4.0])


def test_grad_outputs_must_match_the_outputs() -> None:
    x = tinygrad_edu.ones(3, requires_grad=True)
    y, z = x * 2.0, x * 3.0
    with pytest.raises(RuntimeError, match="grad_outputs"):
        autograd.grad([y, z], [x], grad_outputs=[tinygrad_edu.ones(3)])
    with pytest.raises(RuntimeError, match=r"\(1,\).*\(3,\)"):
        autograd.grad(y, x, grad_outputs=tinygrad_edu.ones(1))


class _ForgetsAGradient(autograd.Function):
    @staticmethod
    def forward(ctx, x, y):  # type: ignore[no-untyped-def]
        return x.data * y.data

    @staticmethod
    def backward(ctx, grad):  # type: ignore[no-untyped-def]
        return grad  # one gradient for two inputs


def test_a_custom_function_returning_too_few_gradients_is_an_error() -> None:
    x = tinygrad_edu.ones(2, requires_grad=True)
    y = tinygrad_edu.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"returned 1 gradients for 2 inputs.*input 1"):
        _ForgetsAGradient.apply(x, y).sum().backward()


@pytest.mark.parametrize(
    "result, error",
    [
        (lambda g: g.sum(), RuntimeError),  # another shape
        (lambda g: g.double(), RuntimeError),  # another dtype
        (lambda g: g.numpy(), TypeError),  # not a Tensor
    ],
    ids=["shape", "dtype", "type"],
)
def test_a_hook_may_not_change_the_gradients_shape_dtype_or_type(result, error) -> None:
    x = tinygrad_edu.ones(3, requires_grad=True)
    x.register_hook(result)
    with pytest.raises(error, match="hook"):
        (x * 2.0).sum().backward()
    assert x.grad is None


def test_a_grad_of_the_wrong_shape_cannot_be_assigned() -> None:
    x = tinygrad_edu.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"\(2,\)"):
        x.grad = tinygrad_edu.ones(2)
    assert x.grad is None


# -- gradcheck -----------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["transposed", "fortran", "strided"])
def test_gradcheck_perturbs_inputs_of_any_layout(layout: str) -> None:
    w = np.random.default_rng(0).standard_normal((3, 4))
    data = {"transposed": w.T, "fortran": np.asfortranarray(w), "strided": w[:, ::2]}[layout]
    x = tinygrad_edu.from_numpy(data).requires_grad_()
    assert not x.data.flags.c_contiguous
    assert gradcheck(lambda t: (t * t).sum(), [x])
    with pytest.raises(tinygrad_edu.GradcheckError):
        gradcheck(lambda t: _Wrong.apply(t), [x])


class _Wrong(autograd.Function):
    @staticmethod
    def forward(ctx, x):  # type: ignore[no-untyped-def]
        return x.data**2

    @staticmethod
    def backward(ctx, grad):  # type: ignore[no-untyped-def]
        return grad  # should be 2 x grad


@pytest.mark.parametrize("fast_mode", [False, True])
def test_gradcheck_leaves_the_input_as_it_was_when_the_function_raises(fast_mode: bool) -> None:
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    calls = []

    def fails_on_the_second_call(t: Tensor) -> Tensor:
        calls.append(1)
        if len(calls) == 2:
            raise ValueError("boom")
        return t * 2.0

    with pytest.raises(ValueError, match="boom"):
        gradcheck(fails_on_the_second_call, [x], fast_mode=fast_mode)
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0, 3.0])


def test_reductions_over_an_empty_dim_list_reduce_everything_as_pytorch() -> None:
    x = tinygrad_edu.ones(2, 3)
    assert x.sum(dim=()).item() == 6.0 and x.mean(dim=()).item() == 1.0
    assert x.squeeze(()).shape == (2, 3)  # squeeze of no dims squeezes nothing


def test_var_and_std_of_integers_are_refused_as_in_pytorch() -> None:
    for name in ("var", "std"):
        with pytest.raises(RuntimeError, match="floating"):
            getattr(tinygrad_edu.tensor([1, 2, 3]), name)()


def test_and_or_are_bitwise_for_integers_and_logical_for_bools() -> None:
    a, b = tinygrad_edu.tensor([1, 2, 6]), tinygrad_edu.tensor([3, 1, 3])
    np.testing.assert_array_equal((a & b).numpy(), [1, 0, 2])
    np.testing.assert_array_equal((a | b).numpy(), [3, 3, 7])
    t, f = tinygrad_edu.tensor([True, True]), tinygrad_edu.tensor([True, False])
    np.testing.assert_array_equal((t & f).numpy(), [True, False])


def test_a_bool_tensor_squared_is_int64() -> None:
    assert (tinygrad_edu.tensor([True, False]) ** 2).dtype == np.int64


# -- NumPy arrays on the left of an operator, and .data (the array) changed in place -------------


def test_array_op_tensor_is_the_tensors_operator_and_records_the_graph() -> None:
    a = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    t = tinygrad_edu.tensor([1.0, -1.0, 2.0], requires_grad=True)
    for y, grad in [(a * t, a), (a - t, -np.ones(3)), (a / t, -a / t.data**2), (a @ t, a)]:
        assert isinstance(y, tinygrad_edu.Tensor) and y.grad_fn is not None
        (g,) = tinygrad_edu.autograd.grad(y.sum(), [t])
        np.testing.assert_allclose(g.numpy(), grad, rtol=1e-6)
    assert (a < t).tolist() == [False, False, False] and (a >= t).tolist() == [True, True, True]
    assert (a == t).tolist() == [True, False, False]


def test_a_ufunc_on_a_tensor_is_an_array_as_numpy_gives() -> None:
    t = tinygrad_edu.tensor([0.0, 1.0])
    s = np.sin(t)
    assert type(s) is np.ndarray and s.tolist() == pytest.approx([0.0, np.sin(1.0)])


def test_data_changed_in_place_by_a_tensor_stays_the_array() -> None:
    """``p.data -= lr * p.grad`` (old PyTorch code) changes p's memory; Python must not rebind
    p.data to a Tensor, which broke every later use of p."""
    p = tinygrad_edu.tensor([1.0, 2.0], requires_grad=True)
    (p * p).sum().backward()
    array = p.data
    p.data -= 0.25 * p.grad
    assert p.data is array and type(p.data) is np.ndarray
    np.testing.assert_allclose(p.data, [0.5, 1.0])
    p.data *= tinygrad_edu.tensor([2.0, 2.0])
    np.testing.assert_allclose(p.numpy(), [1.0, 2.0])
