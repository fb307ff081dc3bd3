"""The PyTorch-style custom Function API: forward/backward, ctx, gradcheck, create_graph."""

from __future__ import annotations

import re
from typing import ClassVar

import numpy as np
import pytest
from helpers import leaf

from tinygrad_edu import GradcheckError, Tensor, autograd, gradcheck, gradgradcheck, no_grad


class Cube(autograd.Function):
    """out = x^3;  dx = 3 x^2 grad (written with Tensor ops, so it is differentiable)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.data**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3.0 * x * x


class WrongCube(Cube):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2.0 * x * x  # should be 3 x^2


class ScaledAdd(autograd.Function):
    """out = x + alpha * y for a float alpha; records which inputs needed gradients."""

    seen: ClassVar[list[tuple[bool, ...]]] = []
    seen_in_forward: ClassVar[list[tuple[bool, ...]]] = []

    @staticmethod
    def forward(ctx, x, y, alpha):
        ctx.alpha = alpha
        ScaledAdd.seen_in_forward.append(ctx.needs_input_grad)  # as in torch: known already
        return x.data + alpha * y.data

    @staticmethod
    def backward(ctx, grad):
        ScaledAdd.seen.append(ctx.needs_input_grad)
        dx = grad if ctx.needs_input_grad[0] else None
        dy = grad * ctx.alpha if ctx.needs_input_grad[1] else None
        return dx, dy  # no gradient for alpha: missing trailing ones count as None


def test_custom_function_passes_gradcheck_and_gradgradcheck() -> None:
    x = leaf([0.5, -1.5, 2.0])
    assert gradcheck(Cube.apply, [x])
    assert gradgradcheck(Cube.apply, [x])


def test_wrong_backward_is_caught_and_the_message_shows_both_values() -> None:
    x = leaf([0.5, -1.5, 2.0])
    with pytest.raises(GradcheckError) as e:
        gradcheck(WrongCube.apply, [x])
    msg = str(e.value)
    analytical = float(re.search(r"analytical:\s*(\S+)", msg).group(1))
    numerical = float(re.search(r"numerical:\s*(\S+)", msg).group(1))
    assert analytical == pytest.approx(2 * 0.5**2) and numerical == pytest.approx(3 * 0.5**2)
    assert "input element (0,)" in msg


def test_needs_input_grad_and_non_tensor_arguments() -> None:
    ScaledAdd.seen.clear()
    ScaledAdd.seen_in_forward.clear()
    x, y = leaf([1.0, 2.0]), Tensor(np.array([3.0, 4.0]))
    out = ScaledAdd.apply(x, y, 0.5)
    np.testing.assert_allclose(out.numpy(), [2.5, 4.0])
    out.sum().backward()
    assert ScaledAdd.seen == [(True, False, False)]
    assert ScaledAdd.seen_in_forward == [(True, False, False)]
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 1.0])
    assert gradcheck(lambda a, b: ScaledAdd.apply(a, b, -2.0), [leaf([1.0]), leaf([2.0])])


def test_create_graph_through_a_custom_backward() -> None:
    x = leaf([2.0])
    (g,) = autograd.grad(Cube.apply(x).sum(), [x], create_graph=True)
    assert g.requires_grad
    (gg,) = autograd.grad(g.sum(), [x])
    np.testing.assert_allclose(g.numpy(), [12.0])
    np.testing.assert_allclose(gg.numpy(), [12.0])  # d/dx 3x^2 = 6x


def test_no_grad_records_nothing() -> None:
    x = leaf([2.0])
    with no_grad():
        y = Cube.apply(x)
    assert not y.requires_grad and y.grad_fn is None
    np.testing.assert_allclose(y.numpy(), [8.0])


def test_forward_may_compute_with_tensor_ops_and_saved_tensors_are_checked() -> None:
    class Softplus(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return (x.exp() + 1.0).log()  # a Tensor is fine: apply takes its data

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * x.sigmoid()

    x = leaf([-1.0, 0.0, 3.0])
    y = Softplus.apply(x)
    assert y.grad_fn is not None and type(y.grad_fn).__name__ == "Softplus"
    assert gradcheck(Softplus.apply, [x])
    h = x * 1.0
    z = Softplus.apply(h)
    h.add_(1.0)
    with pytest.raises(RuntimeError, match="Softplus: saved tensor 0"):
        z.sum().backward()


def test_custom_function_matches_torch() -> None:
    torch = pytest.importorskip("torch")

    class TorchCube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x * x

    a = np.array([0.3, -0.7])
    x = leaf(a)
    (Cube.apply(x) * x).sum().backward()
    xt = torch.tensor(a, requires_grad=True)
    (TorchCube.apply(xt) * xt).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-12)
