"""Idioms of PyTorch programs that tutorials and custom layers use, each run on both libraries
where PyTorch is installed: the legacy constructor ``Tensor(3, 4)``, ``f"{loss:.4f}"``,
``x == None``, ``layer.weight.data = t``, and Functions written with ``setup_context``.

Each failed (or was silently different) before the change that brought it.
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np
import pytest

import tinygrad_edu


def _libs() -> list[Any]:
    try:
        import torch
    except ImportError:
        return [tinygrad_edu]
    return [tinygrad_edu, torch]


@pytest.fixture(params=["tinygrad_edu", "torch"])
def lib(request: pytest.FixtureRequest) -> types.ModuleType:
    if request.param == "torch":
        return pytest.importorskip("torch")
    return tinygrad_edu


def test_the_legacy_constructor_takes_sizes(lib: Any) -> None:
    assert tuple(lib.Tensor(3, 4).shape) == (3, 4)
    assert tuple(lib.Tensor(5).shape) == (5,)
    assert tuple(lib.Tensor().shape) == (0,)
    assert tuple(lib.Tensor(lib.ones(2, 3).shape).shape) == (2, 3)
    assert lib.Tensor((2, 3)).tolist() == [2.0, 3.0]  # a tuple is data
    assert lib.Tensor(3, 4).dtype == lib.float32
    with pytest.raises(TypeError):
        lib.Tensor(3, "a")


def test_a_custom_layer_built_on_the_legacy_constructor_initialises(lib: Any) -> None:
    w = lib.nn.Parameter(lib.Tensor(6, 4))
    lib.nn.init.kaiming_uniform_(w, a=5**0.5)
    assert tuple(w.shape) == (6, 4) and w.requires_grad
    assert 0 < float(w.detach().abs().max()) <= 0.5  # the bound 1/sqrt(fan_in) = 0.5


def test_a_0d_tensor_formats_as_its_number(lib: Any) -> None:
    acc = lib.tensor(0.5)
    assert f"{acc:.4f}" == "0.5000" and f"{lib.tensor(3):>3d}" == "  3"
    assert f"{acc}" == "0.5" and f"{lib.ones(2)}" == str(lib.ones(2))
    with pytest.raises(TypeError):
        f"{lib.ones(2):.3f}"


def test_comparing_with_none_is_a_bool(lib: Any) -> None:
    assert (lib.tensor(1) == None) is False  # noqa: E711 (the idiom under test)
    assert (lib.ones(2) != None) is True  # noqa: E711


def test_assigning_a_tensor_to_a_parameters_data_swaps_its_values(lib: Any) -> None:
    layer = lib.nn.Linear(2, 2)
    layer.weight.data = lib.zeros(2, 2)
    opt = lib.optim.SGD(layer.parameters(), lr=0.5)
    layer(lib.ones(1, 2)).sum().backward()
    opt.step()
    np.testing.assert_allclose(layer.weight.detach().numpy(), np.full((2, 2), -0.5))
    assert "Parameter containing" in repr(layer.weight)


class _Linear:
    """torch.autograd.Function's ctx-less forward with setup_context, for both libraries."""

    @staticmethod
    def make(lib: Any) -> Any:
        class LinearFunction(lib.autograd.Function):
            @staticmethod
            def forward(input: Any, weight: Any, bias: Any) -> Any:
                return input.mm(weight.t()) + bias

            @staticmethod
            def setup_context(ctx: Any, inputs: Any, output: Any) -> None:
                input, weight, bias = inputs
                ctx.save_for_backward(input, weight, bias)

            @staticmethod
            def backward(ctx: Any, grad_output: Any) -> Any:
                input, weight, _bias = ctx.saved_tensors
                return grad_output.mm(weight), grad_output.t().mm(input), grad_output.sum(0)

        return LinearFunction


def test_a_function_written_with_setup_context_is_differentiable(lib: Any) -> None:
    fn = _Linear.make(lib).apply
    rng = np.random.default_rng(0)
    a, w, b = (
        lib.tensor(rng.standard_normal(s), dtype=lib.float64, requires_grad=True)
        for s in ((4, 3), (2, 3), (2,))
    )
    assert lib.autograd.gradcheck(fn, (a, w, b))
    assert lib.autograd.gradgradcheck(fn, (a, w, b))
    fn(a, w, b).sum().backward()
    np.testing.assert_allclose(b.grad.numpy(), [4.0, 4.0])


def test_stride_and_type_as(lib: Any) -> None:
    x = lib.ones(2, 3)
    assert tuple(x.stride()) == (3, 1) and tuple(x.t().stride()) == (1, 3)
    assert tuple(x[:, 1:].stride()) == (3, 1) and x.stride(-1) == 1
    assert tuple(x.expand(4, 2, 3).stride()) == (0, 3, 1)
    y = lib.ones(3, dtype=lib.int64).type_as(x)
    assert y.dtype == lib.float32 and y.tolist() == [1.0, 1.0, 1.0]


def test_a_layer_refuses_an_input_of_another_dtype(lib: Any) -> None:
    layer = lib.nn.Linear(3, 2)
    with pytest.raises(RuntimeError):
        layer(lib.ones(1, 3, dtype=lib.float64))
    assert layer(lib.ones(1, 3)).dtype == lib.float32


def test_scatter_takes_a_0d_index_into_a_vector(lib: Any) -> None:
    """The one-hot target transform of PyTorch's data tutorial."""
    one_hot = lib.zeros(10, dtype=lib.float).scatter_(0, lib.tensor(3), value=1)
    assert one_hot.tolist() == [0.0, 0.0, 0.0, 1.0] + [0.0] * 6
    src = lib.tensor(5.0, requires_grad=True)
    lib.zeros(4).scatter(0, lib.tensor(1), src).sum().backward()
    assert src.grad.item() == 1.0
    assert lib.zeros(4).scatter_add(0, lib.tensor(2), lib.tensor(1.5)).tolist() == [0, 0, 1.5, 0]
    with pytest.raises(RuntimeError):
        lib.zeros(3, 4).scatter(0, lib.tensor(1), 2.0)


def test_the_typed_tensor_constructors_of_older_code(lib: Any) -> None:
    assert tuple(lib.FloatTensor(2, 3).shape) == (2, 3)
    assert lib.FloatTensor(2, 3).dtype == lib.float32
    longs = lib.LongTensor([1, 2])
    assert longs.dtype == lib.int64 and longs.tolist() == [1, 2]
    assert lib.DoubleTensor([1.5]).dtype == lib.float64 and lib.ByteTensor([1]).dtype == lib.uint8
    assert isinstance(lib.ones(2), lib.FloatTensor) and not isinstance(lib.ones(2), lib.LongTensor)
    assert lib.ones(2).type(lib.LongTensor).dtype == lib.int64


def test_variable_is_a_new_leaf_sharing_memory(lib: Any) -> None:
    x = lib.ones(2)
    v = lib.autograd.Variable(x, requires_grad=True)
    assert v is not x and v.requires_grad and v.is_leaf and not x.requires_grad
    assert isinstance(v, lib.autograd.Variable) and isinstance(x, lib.autograd.Variable)
    (v * 3).sum().backward()
    assert v.grad.tolist() == [3.0, 3.0]
    with lib.no_grad():
        v.add_(1)
    assert x.tolist() == [2.0, 2.0]  # the same memory
