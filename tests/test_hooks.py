"""Tensor hooks and retain_grad, with PyTorch's semantics."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import leaf

from tinygrad_edu import Tensor, autograd


def test_hook_on_leaf_sees_and_replaces_the_gradient_before_accumulation() -> None:
    x = leaf([1.0, 2.0])
    seen = []

    def hook(g: Tensor) -> Tensor:
        seen.append(g.numpy().copy())
        return g * 10.0

    x.register_hook(hook)
    (x * x).sum().backward()
    np.testing.assert_allclose(seen[0], [2.0, 4.0])
    np.testing.assert_allclose(x.grad.numpy(), [20.0, 40.0])
    # A second backward accumulates, and the hook sees only the new contribution.
    (x * 3.0).sum().backward()
    np.testing.assert_allclose(seen[1], [3.0, 3.0])
    np.testing.assert_allclose(x.grad.numpy(), [50.0, 70.0])


def test_hook_returning_none_leaves_the_gradient_unchanged() -> None:
    x = leaf([1.0, -1.0])
    calls = []
    x.register_hook(lambda g: calls.append(g.numpy().copy()))
    (x * 2.0).sum().backward()
    assert len(calls) == 1
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_hook_on_non_leaf_changes_what_flows_further_back() -> None:
    x = leaf([1.0, 2.0])
    y = x * x
    y.register_hook(lambda g: g * 0.5)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 0.5 * 2 * np.array([1.0, 2.0]))
    assert y.grad is None  # a non-leaf keeps no .grad without retain_grad


def test_multiple_hooks_run_in_registration_order_each_seeing_the_last_result() -> None:
    x = leaf([1.0])
    order = []

    def add_one(g: Tensor) -> Tensor:
        order.append("add_one")
        return g + 1.0

    def double(g: Tensor) -> Tensor:
        order.append("double")
        return g * 2.0

    x.register_hook(add_one)
    x.register_hook(double)
    (x * 3.0).sum().backward()
    assert order == ["add_one", "double"]
    np.testing.assert_allclose(x.grad.numpy(), [(3.0 + 1.0) * 2.0])


def test_handle_remove_unregisters_only_that_hook() -> None:
    x = leaf([1.0])
    h1 = x.register_hook(lambda g: g * 2.0)
    x.register_hook(lambda g: g + 1.0)
    h1.remove()
    h1.remove()  # removing twice is harmless, as in PyTorch
    (x * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0])


def test_hooks_apply_to_autograd_grad_too() -> None:
    x = leaf([2.0])
    y = x * x
    y.register_hook(lambda g: g * 3.0)
    (g,) = autograd.grad(y.sum(), [x])
    np.testing.assert_allclose(g.numpy(), [3.0 * 4.0])


def test_hook_on_tensor_without_grad_is_refused() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).register_hook(lambda g: g)


def test_retain_grad_keeps_non_leaf_gradient_after_its_hooks() -> None:
    x = leaf([1.0, 2.0])
    y = x * 3.0
    y.retain_grad()
    y.register_hook(lambda g: g * 2.0)
    z = (y * y).sum()
    z.retain_grad()
    z.backward()
    np.testing.assert_allclose(z.grad.numpy(), 1.0)
    np.testing.assert_allclose(y.grad.numpy(), 2.0 * 2 * np.array([3.0, 6.0]))
    np.testing.assert_allclose(x.grad.numpy(), 3.0 * 2.0 * 2 * np.array([3.0, 6.0]))


def test_retain_grad_accumulates_over_backward_calls_and_is_a_noop_on_leaves() -> None:
    x = leaf([1.0])
    x.retain_grad()  # a leaf keeps its gradient anyway
    y = x * 2.0
    y.retain_grad()
    y.sum().backward(retain_graph=True)
    y.sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [2.0])
    np.testing.assert_allclose(x.grad.numpy(), [4.0])


def test_retain_grad_on_tensor_without_grad_is_refused() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).retain_grad()


def test_hook_gradients_match_torch() -> None:
    torch = pytest.importorskip("torch")
    values = np.array([0.5, -1.5, 2.0])
    x = leaf(values.tolist())
    y = x.tanh()
    y.register_hook(lambda g: g * g + 1.0)
    (y * y).sum().backward()
    xt = torch.tensor(values, requires_grad=True)
    yt = xt.tanh()
    yt.register_hook(lambda g: g * g + 1.0)
    (yt * yt).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-12)
