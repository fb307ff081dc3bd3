"""The backward engine: accumulation, graph shapes, retain/create_graph, grad modes, deep graphs,
dtypes and hooks."""

import numpy as np
import pytest
from helpers import leaf
from hypothesis import given, settings
from hypothesis import strategies as st
from op_table import OPS, OURS

import tinygrad_edu
from tinygrad_edu import Tensor, autograd, enable_grad, is_grad_enabled, no_grad, set_grad_enabled

# -- accumulation and graph shapes ------------------------------------------------------------------


def test_gradients_accumulate_across_backward_calls() -> None:
    x = leaf([1.0, -2.0, 3.0])
    (x * x).sum().backward()
    first = x.grad.data.copy()
    np.testing.assert_allclose(first, [2.0, -4.0, 6.0])
    (x * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad.data, first + 3.0)
    x.grad = None
    (x * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 3.0, 3.0])


def test_accumulation_does_not_change_a_grad_held_elsewhere() -> None:
    x = leaf([1.0, 2.0])
    x.sum().backward()
    held = x.grad
    x.sum().backward()
    np.testing.assert_allclose(held.data, [1.0, 1.0])
    np.testing.assert_allclose(x.grad.data, [2.0, 2.0])


def test_non_leaf_grad_stays_none_unless_retained() -> None:
    x = leaf([1.0, 2.0])
    y = x * 2.0
    z = y * y
    assert not y.is_leaf and x.is_leaf
    z.sum().backward()
    assert y.grad is None
    np.testing.assert_allclose(x.grad.data, 8.0 * x.data)

    x2 = leaf([1.0, 2.0])
    y2 = x2 * 2.0
    y2.retain_grad()
    (y2 * y2).sum().backward()
    np.testing.assert_allclose(y2.grad.data, 2.0 * y2.data)


def test_reused_intermediate() -> None:
    """b = a + a; c = b * b: dc/da = 2b * 2 = 8a, the two uses of a and of b both counted."""
    a = leaf([0.5, -1.5, 2.0])
    b = a + a
    c = b * b
    c.sum().backward()
    np.testing.assert_allclose(a.grad.data, 8.0 * a.data)


def test_diamond_graph() -> None:
    """x feeds two branches that meet again: z = (2x) * e^x, dz/dx = 2e^x + 2x e^x."""
    x = leaf([0.3, -0.7])
    left, right = x * 2.0, x.exp()
    (left * right).sum().backward()
    e = np.exp(x.data)
    np.testing.assert_allclose(x.grad.data, 2 * e + 2 * x.data * e)


def test_the_same_leaf_twice_in_one_op() -> None:
    x = leaf([1.5, -2.0])
    (x * x * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, 3 * x.data**2)


def test_inputs_not_requiring_grad_get_none() -> None:
    x, c = leaf([1.0, 2.0]), Tensor(np.array([3.0, 4.0]))
    (x * c).sum().backward()
    assert c.grad is None
    np.testing.assert_allclose(x.grad.data, [3.0, 4.0])


# -- retain_graph and create_graph ----------------------------------------------------------------


def test_retain_graph_allows_a_second_backward() -> None:
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    once = x.grad.data.copy()
    y.backward()
    np.testing.assert_allclose(x.grad.data, 2 * once)


def test_second_backward_without_retain_graph_is_a_clear_error() -> None:
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_create_graph_gives_second_derivatives() -> None:
    x = leaf([0.5, -1.0, 2.0])
    (g,) = autograd.grad((x**3).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.data, 3 * x.data**2)
    assert g.requires_grad
    g.sum().backward()
    np.testing.assert_allclose(x.grad.data, 6 * x.data)


def test_backward_with_create_graph_makes_grad_differentiable() -> None:
    x = leaf([0.5, 2.0])
    (x.exp() * x).sum().backward(create_graph=True)
    g = x.grad
    assert g.requires_grad
    (g2,) = autograd.grad(g.sum(), x)
    e = np.exp(x.data)
    np.testing.assert_allclose(g2.data, 2 * e + x.data * e)  # d2/dx2 (x e^x) = (x + 2) e^x


def _loss(x: Tensor, w: Tensor) -> Tensor:
    return ((x @ w).tanh() ** 2).sum() + (x * x * x).sum()


def test_hessian_vector_product_against_finite_differences() -> None:
    """Hv = d/dx <grad f(x), v>, compared with (grad f(x + hv) - grad f(x - hv)) / 2h."""
    rng = np.random.default_rng(1)
    x0, v = rng.standard_normal(4), rng.standard_normal(4)
    w = Tensor(rng.standard_normal((4, 3)))

    def grad_at(xs: np.ndarray) -> np.ndarray:
        x = leaf(xs)
        (g,) = autograd.grad(_loss(x, w), x)
        return g.data

    x = leaf(x0)
    (g,) = autograd.grad(_loss(x, w), x, create_graph=True)
    (hv,) = autograd.grad((g * Tensor(v)).sum(), x)
    h = 1e-6
    numerical = (grad_at(x0 + h * v) - grad_at(x0 - h * v)) / (2 * h)
    np.testing.assert_allclose(hv.data, numerical, rtol=1e-6, atol=1e-8)


def test_hessian_vector_product_analytic() -> None:
    """f = sum(x^2 y): H = [[2y, 2x], [2x, 0]] blockwise, so Hv is known in closed form."""
    x, y = leaf([1.0, -2.0]), leaf([0.5, 3.0])
    vx, vy = np.array([1.0, 2.0]), np.array([-1.0, 0.5])
    gx, gy = autograd.grad((x * x * y).sum(), [x, y], create_graph=True)
    hx, hy = autograd.grad((gx * Tensor(vx)).sum() + (gy * Tensor(vy)).sum(), [x, y])
    np.testing.assert_allclose(hx.data, 2 * y.data * vx + 2 * x.data * vy)
    np.testing.assert_allclose(hy.data, 2 * x.data * vx)


def test_autograd_grad_returns_without_touching_dot_grad() -> None:
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    gx, gy = autograd.grad((x * y).sum(), [x, y])
    np.testing.assert_allclose(gx.data, y.data)
    np.testing.assert_allclose(gy.data, x.data)
    assert x.grad is None and y.grad is None


def test_autograd_grad_unused_input() -> None:
    x, unused = leaf([1.0]), leaf([2.0])
    with pytest.raises(RuntimeError, match="allow_unused"):
        autograd.grad((x * 2.0).sum(), [x, unused])
    gx, gu = autograd.grad((x * 2.0).sum(), [x, unused], allow_unused=True)
    assert gu is None
    np.testing.assert_allclose(gx.data, [2.0])


def test_autograd_grad_with_grad_outputs_and_several_outputs() -> None:
    x = leaf([1.0, 2.0, 3.0])
    a, b = x * 2.0, x * x
    (g,) = autograd.grad([a, b], x, [Tensor(np.ones(3)), Tensor(np.array([1.0, 0.0, 2.0]))])
    np.testing.assert_allclose(g.data, 2.0 + 2 * x.data * np.array([1.0, 0.0, 2.0]))


# -- grad mode ------------------------------------------------------------------------------------


def test_no_grad_and_enable_grad_as_context_managers() -> None:
    x = leaf([1.0])
    with no_grad():
        assert not is_grad_enabled()
        y = x * 2.0
        with enable_grad():
            assert is_grad_enabled()
            z = x * 2.0
        assert not is_grad_enabled()
    assert is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None


def test_grad_modes_as_decorators() -> None:
    @no_grad()
    def off(t: Tensor) -> Tensor:
        return t * 2.0

    @enable_grad()
    def on(t: Tensor) -> Tensor:
        return t * 2.0

    @set_grad_enabled(False)
    def off_too(t: Tensor) -> Tensor:
        return t * 2.0

    assert is_grad_enabled()  # decorating switches nothing
    x = leaf([1.0])
    assert not off(x).requires_grad and not off_too(x).requires_grad
    with no_grad():
        assert on(x).requires_grad
        assert not is_grad_enabled()
    assert is_grad_enabled()


@pytest.mark.parametrize("manager", [no_grad, enable_grad, lambda: set_grad_enabled(False)])
def test_grad_mode_is_restored_when_an_exception_escapes(manager) -> None:
    for outer in (True, False):
        with set_grad_enabled(outer):
            with pytest.raises(KeyError), manager():
                raise KeyError("boom")
            assert is_grad_enabled() is outer
    assert is_grad_enabled()


def test_decorated_function_restores_mode_after_exception() -> None:
    @no_grad()
    def fails() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError):
        fails()
    assert is_grad_enabled()


def test_set_grad_enabled_as_a_call_and_a_context_manager() -> None:
    try:
        set_grad_enabled(False)
        assert not is_grad_enabled()
        assert not (leaf([1.0]) * 2.0).requires_grad
        set_grad_enabled(True)
        assert is_grad_enabled()
        with set_grad_enabled(False):
            assert not is_grad_enabled()
        assert is_grad_enabled()
    finally:
        set_grad_enabled(True)


def test_no_grad_instance_can_be_reentered() -> None:
    ng = no_grad()
    with ng:
        with enable_grad(), ng:
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_detach_shares_data_and_cuts_the_graph() -> None:
    x = leaf([1.0, 2.0])
    y = x * 3.0
    d = y.detach()
    assert d.grad_fn is None and not d.requires_grad and d.is_leaf
    assert np.shares_memory(d.data, y.data)
    (d * x).sum().backward()  # d is a constant: x.grad is d, not d + 3x
    np.testing.assert_allclose(x.grad.data, y.data)


# -- deep graphs ----------------------------------------------------------------------------------


def test_a_100k_op_chain_backpropagates_without_recursion() -> None:
    """The walk is iterative: depth is not bounded by Python's recursion limit (1000 by default).
    How the time grows with depth is measured in benchmarks/ (depth_1e4, depth_1e5)."""
    x = leaf([1.0])
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.data[0] == 1.0


# -- dtypes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=8)  # dtype rules do not depend on values; test_ops covers those
@given(data=st.data())
def test_float32_in_float32_out_for_every_op(name: str, data: st.DataObject) -> None:
    spec = OPS[name]
    case = data.draw(spec.cases, label="case")
    ins = case.tensors(OURS, np.float32)
    out = case.call(OURS, *ins)
    assert out.dtype == (np.float32 if spec.out_dtype is None else spec.out_dtype)
    out.backward(Tensor(np.ones(out.shape, out.dtype)))
    for x in ins:
        assert x.grad is not None and x.grad.dtype == np.float32, f"{case.label}: {x.grad}"


def test_python_scalars_do_not_widen_float32() -> None:
    x = leaf([1.0, 2.0], np.float32)
    for y in (x + 1, x * 2.0, 2.0 - x, 3.0 / x, x / 3, x**2, x**0.5, 2.0**x, x.clamp(0.5, 1.5)):
        assert y.dtype == np.float32
        x.grad = None
        y.sum().backward()
        assert x.grad.dtype == np.float32


def test_float64_stays_float64() -> None:
    x = leaf([1.0, 2.0])
    y = (x * 2.0 + 1).exp().softmax(0) @ x
    assert y.dtype == np.float64
    y.backward()
    assert x.grad.dtype == np.float64


def test_mixed_precision_gradient_comes_back_in_the_input_dtype() -> None:
    x32 = leaf([1.0, 2.0], np.float32)
    w64 = leaf([3.0, 4.0])
    y = x32.double() * w64
    assert y.dtype == np.float64
    y.sum().backward()
    assert x32.grad.dtype == np.float32 and w64.grad.dtype == np.float64
    np.testing.assert_allclose(x32.grad.data, [3.0, 4.0])


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_integer_and_bool_tensors_exist_but_cannot_require_grad(dtype) -> None:
    t = Tensor(np.array([1, 0, 1], dtype=dtype))
    assert t.dtype == dtype and not t.requires_grad
    with pytest.raises(RuntimeError, match="floating point"):
        t.requires_grad_()
    with pytest.raises(RuntimeError, match="floating point"):
        Tensor(np.array([1, 2], dtype=dtype), requires_grad=True)


def test_integer_tensor_in_a_graph_gets_no_gradient() -> None:
    x = leaf([1.0, 2.0])
    n = Tensor(np.array([3, 4]))
    (x * n).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 4.0])
    assert n.grad is None


# -- hooks ----------------------------------------------------------------------------------------


def test_hook_sees_and_replaces_the_gradient() -> None:
    x = leaf([1.0, 2.0])
    seen = []

    def double(g: Tensor) -> Tensor:
        seen.append(g.data.copy())
        return g * 2.0

    handle = x.register_hook(double)
    (x * 3.0).sum().backward()
    np.testing.assert_allclose(seen[0], [3.0, 3.0])
    np.testing.assert_allclose(x.grad.data, [6.0, 6.0])

    handle.remove()
    x.grad = None
    (x * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 3.0])
    assert len(seen) == 1


def test_hook_on_an_intermediate_changes_what_flows_upstream() -> None:
    x = leaf([1.0, 2.0])
    y = x * x
    y.register_hook(lambda g: g * 0.0 + 1.0)
    (y * 5.0).sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * x.data)  # 1 * dy/dx instead of 5 * dy/dx


def test_hook_returning_none_leaves_the_gradient() -> None:
    x = leaf([1.0, 2.0])
    calls = []
    x.register_hook(lambda g: calls.append(1))
    (x * 3.0).sum().backward()
    assert calls == [1]
    np.testing.assert_allclose(x.grad.data, [3.0, 3.0])


def test_shares_summed_in_place_never_reach_another_tensors_gradient() -> None:
    """Add hands the same array to both inputs; later shares into one must not change the other
    (the engine adds in place only into sums it made itself)."""
    x = leaf([1.0, -2.0, 0.5])
    a, b = x * 1.0, x * 2.0
    a.retain_grad()
    b.retain_grad()
    s = a + b  # one gradient array, sent to a and to b
    (s + a + a + b * 3.0).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [3.0, 3.0, 3.0])  # 1 from s, 2 more
    np.testing.assert_allclose(b.grad.numpy(), [4.0, 4.0, 4.0])  # 1 from s, 3 more
    np.testing.assert_allclose(x.grad.numpy(), [11.0, 11.0, 11.0])  # 3 * 1 + 4 * 2


def _unrolled(w: Tensor) -> Tensor:
    h = Tensor(np.array([1.0, 2.0]))
    for _ in range(50):  # like an RNN's weight: 50 shares of its gradient
        h = h * w + 1.0
    return h.sum()


def test_a_weight_used_at_many_steps_gets_the_sum_of_every_share() -> None:
    assert tinygrad_edu.gradcheck(_unrolled, (leaf([0.5, -0.9]),))
