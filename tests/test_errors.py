"""Bad input gets an error that names what was wrong: shapes, dtypes, indices, and for gradcheck
the input, element and both values."""

import re

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import GradcheckError, Tensor, autograd, gradcheck, gradgradcheck


def shapes_named(message: str, *shapes: tuple[int, ...]) -> bool:
    return all(str(tuple(s)) in message for s in shapes)


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**", "maximum", "minimum"])
def test_broadcast_mismatch_names_both_shapes(op: str) -> None:
    x, y = tinygrad_edu.ones(2, 3), tinygrad_edu.ones(4)
    fns = {
        "+": lambda: x + y,
        "-": lambda: x - y,
        "*": lambda: x * y,
        "/": lambda: x / y,
        "**": lambda: x**y,
        "maximum": lambda: x.maximum(y),
        "minimum": lambda: x.minimum(y),
    }
    with pytest.raises(RuntimeError) as e:  # PyTorch's class for shape mismatches
        fns[op]()
    assert shapes_named(str(e.value), (2, 3), (4,)), str(e.value)


def test_where_mismatch_names_the_shapes() -> None:
    with pytest.raises(RuntimeError) as e:
        tinygrad_edu.ones(2, 3).where(np.ones((2, 3), bool), tinygrad_edu.ones(5))
    assert shapes_named(str(e.value), (2, 3), (5,)), str(e.value)


@pytest.mark.parametrize(
    "a, b",
    [((2, 3), (4, 5)), ((3,), (4,)), ((2, 2, 3), (3, 3, 4)), ((5,), (4, 2))],
    ids=str,
)
def test_matmul_mismatch_names_both_shapes(a, b) -> None:
    with pytest.raises(RuntimeError) as e:
        tinygrad_edu.ones(*a) @ tinygrad_edu.ones(*b)
    assert shapes_named(str(e.value), a, b), str(e.value)


def test_matmul_of_a_scalar_is_refused() -> None:
    with pytest.raises(RuntimeError, match="at least 1 dim"):
        Tensor(2.0) @ tinygrad_edu.ones(3)


@pytest.mark.parametrize(
    "index, bad",
    [
        (5, 5),
        (-6, -6),
        ((0, 9), 9),
        ((slice(None), 7), 7),
        ([0, 6], 6),
        (Tensor(np.array([1, 8])), 8),
    ],
    ids=str,
)
def test_index_out_of_range_names_index_and_shape(index, bad) -> None:
    with pytest.raises(IndexError) as e:
        tinygrad_edu.ones(5, 4)[index]
    msg = str(e.value)
    assert "(5, 4)" in msg and f"index {bad}" in msg, msg


def test_float_index_is_refused() -> None:
    with pytest.raises(IndexError, match="long, int or bool"):
        tinygrad_edu.ones(3)[Tensor([0.0, 1.0])]


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_requires_grad_on_an_integer_tensor(dtype) -> None:
    with pytest.raises(RuntimeError) as e:
        Tensor(np.array([1, 2]).astype(dtype), requires_grad=True)
    assert "floating point" in str(e.value) and str(np.dtype(dtype)) in str(e.value)


def test_non_scalar_backward_needs_a_gradient() -> None:
    y = tinygrad_edu.ones(2, 3, requires_grad=True) * 2.0
    with pytest.raises(RuntimeError) as e:
        y.backward()
    assert "scalar" in str(e.value) and "(2, 3)" in str(e.value)


def test_backward_gradient_of_the_wrong_shape() -> None:
    y = tinygrad_edu.ones(2, 3, requires_grad=True) * 2.0
    with pytest.raises(RuntimeError) as e:
        y.backward(np.ones((3, 2)))
    assert shapes_named(str(e.value), (3, 2), (2, 3)), str(e.value)


def test_backward_on_a_tensor_without_grad() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        tinygrad_edu.ones(2).sum().backward()


def test_backward_twice_without_retain_graph() -> None:
    x = tinygrad_edu.ones(3, requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"second time.*retain_graph=True"):
        y.backward()


def test_reshape_and_expand_errors_name_the_shapes() -> None:
    with pytest.raises(RuntimeError) as e:
        tinygrad_edu.ones(2, 3).reshape(4, 2)
    assert shapes_named(str(e.value), (2, 3), (4, 2)), str(e.value)
    with pytest.raises(RuntimeError) as e:
        tinygrad_edu.ones(2, 3).expand(4, 3)
    assert shapes_named(str(e.value), (2, 3), (4, 3)), str(e.value)


def test_cat_and_stack_errors_name_the_shapes() -> None:
    with pytest.raises(RuntimeError) as e:
        tinygrad_edu.cat([tinygrad_edu.ones(2, 3), tinygrad_edu.ones(2, 4)], dim=0)
    assert shapes_named(str(e.value), (2, 3), (2, 4)), str(e.value)
    with pytest.raises(RuntimeError) as e:
        tinygrad_edu.stack([tinygrad_edu.ones(2), tinygrad_edu.ones(3)])
    assert shapes_named(str(e.value), (2,), (3,)), str(e.value)


def test_bad_dim_is_named() -> None:
    with pytest.raises(IndexError, match="got 3"):
        tinygrad_edu.ones(2, 3).sum(dim=3)
    with pytest.raises(RuntimeError, match=r"permute"):
        tinygrad_edu.ones(2, 3).permute(0, 0)


def test_item_of_many_elements_names_the_shape() -> None:
    with pytest.raises(RuntimeError, match=r"\(2, 2\)"):
        tinygrad_edu.ones(2, 2).item()


def test_in_place_change_of_a_leaf_that_requires_grad() -> None:
    with pytest.raises(RuntimeError, match="no_grad"):
        tinygrad_edu.ones(2, requires_grad=True).zero_()


# -- gradcheck's own errors ------------------------------------------------------------------------


def test_gradcheck_refuses_float32_with_an_explanation() -> None:
    x = tinygrad_edu.ones(3, requires_grad=True)  # float32
    with pytest.raises(TypeError) as e:
        gradcheck(lambda t: t * 2.0, [x])
    msg = str(e.value)
    assert "float32" in msg and "float64" in msg and "input 0" in msg


def test_gradcheck_needs_an_input_that_requires_grad() -> None:
    with pytest.raises(ValueError, match="requires_grad"):
        gradcheck(lambda t: t * 2.0, [Tensor(np.ones(2))])


class WrongSquare(autograd.Function):
    """x^2 with a deliberately wrong backward: 3x instead of 2x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.data**2

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3.0 * x


def test_gradcheck_failure_names_input_element_and_both_values() -> None:
    x = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    y = Tensor(np.array([0.5, 0.5]), requires_grad=True)
    with pytest.raises(GradcheckError) as e:
        gradcheck(lambda a, b: a * b + WrongSquare.apply(b), [x, y])
    msg = str(e.value)
    assert "input 1" in msg, msg  # x's gradient is right; y's is not
    assert "element (0,)" in msg, msg
    analytical = float(re.search(r"analytical:\s*(\S+)", msg).group(1))
    numerical = float(re.search(r"numerical:\s*(\S+)", msg).group(1))
    # d/dy0 of out[0, 0] = x00 + 2 y0 = 2.0; the wrong backward says x00 + 3 y0 = 2.5
    assert analytical == pytest.approx(2.5)
    assert numerical == pytest.approx(2.0, abs=1e-6)


def test_gradcheck_without_raising_returns_false() -> None:
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    assert gradcheck(WrongSquare.apply, [x], raise_exception=False) is False
    assert gradcheck(lambda t: t**2, [x], raise_exception=False) is True


class ConstantBackwardSquare(WrongSquare):
    """x^2 whose backward is right but built from raw arrays, so it has no second derivative."""

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * Tensor(2.0 * x.data)


def test_gradgradcheck_catches_a_backward_that_is_not_differentiable() -> None:
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    assert gradcheck(ConstantBackwardSquare.apply, [x])
    with pytest.raises(GradcheckError, match="input 0"):
        gradgradcheck(ConstantBackwardSquare.apply, [x])
    assert gradgradcheck(ConstantBackwardSquare.apply, [x], raise_exception=False) is False


def test_backward_returning_a_wrong_shape_is_named() -> None:
    class BadShape(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.data * 2

        @staticmethod
        def backward(ctx, grad):
            return Tensor(np.ones(5))

    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(RuntimeError) as e:
        BadShape.apply(x).sum().backward()
    assert "BadShape" in str(e.value) and shapes_named(str(e.value), (5,), (3,))
