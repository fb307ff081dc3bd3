"""The factory keyword arguments every PyTorch layer takes, ``device=None, dtype=None``: the CPU
in any spelling builds the layer, ``dtype`` casts every parameter and floating buffer (and so the
forward's result), another device raises the CPU-only error; and the constructors' parameter
names and order are torch's, where torch is installed."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import Tensor, nn


def _x(*shape: int) -> Tensor:
    return Tensor(np.cos(np.arange(np.prod(shape), dtype=np.float64)).reshape(shape))


def _qkv(*shape: int) -> tuple[Tensor, ...]:
    return _x(*shape), _x(*shape) * 0.5, _x(*shape) * -0.25


# name -> (class, constructor args, constructor kwargs, the forward's inputs (float64))
LAYERS: dict[str, tuple[type, tuple[Any, ...], dict[str, Any], Callable[[], tuple[Any, ...]]]] = {
    "Linear": (nn.Linear, (3, 2), {}, lambda: (_x(4, 3),)),
    "Embedding": (nn.Embedding, (5, 3), {"padding_idx": 0}, lambda: (Tensor(np.array([0, 4])),)),
    "RNN": (
        nn.RNN,
        (3, 4),
        {"num_layers": 2, "bidirectional": True},
        lambda: (_x(5, 2, 3),),
    ),
    "GRU": (nn.GRU, (3, 4), {"batch_first": True}, lambda: (_x(2, 5, 3),)),
    "LSTM": (nn.LSTM, (3, 4), {"num_layers": 2}, lambda: (_x(5, 2, 3),)),
    "RNNCell": (nn.RNNCell, (3, 4), {"nonlinearity": "relu"}, lambda: (_x(2, 3),)),
    "GRUCell": (nn.GRUCell, (3, 4), {}, lambda: (_x(2, 3),)),
    "LSTMCell": (nn.LSTMCell, (3, 4), {}, lambda: (_x(2, 3),)),
    "MultiheadAttention": (
        nn.MultiheadAttention,
        (4, 2),
        {"add_bias_kv": True},
        lambda: _qkv(3, 2, 4),
    ),
    "MultiheadAttention(kdim, vdim)": (
        nn.MultiheadAttention,
        (4, 2),
        {"kdim": 3, "vdim": 5, "batch_first": True},
        lambda: (_x(2, 3, 4), _x(2, 6, 3), _x(2, 6, 5)),
    ),
    "TransformerEncoderLayer": (
        nn.TransformerEncoderLayer,
        (4, 2),
        {"dim_feedforward": 8, "dropout": 0.0},
        lambda: (_x(3, 2, 4),),
    ),
    "Conv1d": (nn.Conv1d, (2, 3, 3), {}, lambda: (_x(1, 2, 5),)),
    "Conv2d": (nn.Conv2d, (2, 3, 3), {"padding": 1}, lambda: (_x(1, 2, 4, 4),)),
    "BatchNorm1d": (nn.BatchNorm1d, (3,), {}, lambda: (_x(4, 3),)),
    "LayerNorm": (nn.LayerNorm, (3,), {}, lambda: (_x(2, 3),)),
    "GroupNorm": (nn.GroupNorm, (2, 4), {}, lambda: (_x(2, 4, 3),)),
}

NAMES = list(LAYERS)


def build(name: str, **factory: Any) -> nn.Module:
    cls, args, kwargs, _ = LAYERS[name]
    return cls(*args, **kwargs, **factory)


def tensors(out: Any) -> list[Tensor]:
    """Every tensor in a forward's result (a tensor, or nested tuples of them, or None)."""
    if isinstance(out, Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in tensors(o)]
    return []


def floating_state(module: nn.Module) -> dict[str, Tensor]:
    """Every parameter and every floating buffer, by name."""
    state = dict(module.named_parameters())
    for key, b in module.named_buffers():
        if np.issubdtype(b.data.dtype, np.floating):
            state[key] = b
    return state


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "device", ["cpu", "cpu:0", tinygrad_edu.device("cpu")], ids=["str", "str:0", "device"]
)
def test_cpu_device_builds_the_usual_layer(name: str, device: Any) -> None:
    module = build(name, device=device)
    state = floating_state(module)
    assert state
    for key, t in state.items():
        assert t.dtype == tinygrad_edu.float32, key
    for key, p in module.named_parameters():
        assert isinstance(p, nn.Parameter), key
    inputs = [t.float() if t.is_floating_point() else t for t in LAYERS[name][3]()]
    for out in tensors(module(*inputs)):
        assert out.dtype == tinygrad_edu.float32


@pytest.mark.parametrize("name", NAMES)
def test_dtype_float64_casts_parameters_buffers_and_output(name: str) -> None:
    module = build(name, dtype=tinygrad_edu.float64)
    state = floating_state(module)
    assert state
    for key, t in state.items():
        assert t.dtype == tinygrad_edu.float64, key
    for key, p in module.named_parameters():
        assert isinstance(p, nn.Parameter), key
        assert p.requires_grad, key
    outs = tensors(module(*LAYERS[name][3]()))
    assert outs
    for out in outs:
        assert out.dtype == tinygrad_edu.float64
    sum(o.sum() for o in outs).backward()  # type: ignore[union-attr]
    for key, p in module.named_parameters():
        if p.grad is not None:
            assert p.grad.dtype == tinygrad_edu.float64, key


@pytest.mark.parametrize("name", NAMES)
def test_device_and_dtype_together(name: str) -> None:
    module = build(name, device=tinygrad_edu.device("cpu"), dtype=tinygrad_edu.float64)
    for key, t in floating_state(module).items():
        assert t.dtype == tinygrad_edu.float64, key


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("device", ["cuda", "cuda:0", "mps"])
def test_other_devices_raise_the_cpu_only_error(name: str, device: str) -> None:
    with pytest.raises(RuntimeError, match=r"(?s)CPU.*NumPy"):
        build(name, device=device)
    with pytest.raises(RuntimeError, match=r"(?s)CPU.*NumPy"):
        build(name, device=device, dtype=tinygrad_edu.float64)


def test_factory_kwargs_can_be_given_by_position_as_in_torch() -> None:
    linear = nn.Linear(3, 2, False, "cpu", tinygrad_edu.float64)
    assert linear.bias is None and linear.weight.dtype == tinygrad_edu.float64
    cell = nn.RNNCell(3, 4, True, "tanh", "cpu", tinygrad_edu.float64)
    assert cell.weight_ih.dtype == tinygrad_edu.float64
    gru = nn.GRU(3, 4, 1, True, False, 0.0, False, "cpu", tinygrad_edu.float64)
    assert gru.weight_hh_l0.dtype == tinygrad_edu.float64


def test_float64_layer_holds_the_float32_initial_values_cast_up() -> None:
    tinygrad_edu.manual_seed(0)
    a = nn.Linear(3, 2)
    tinygrad_edu.manual_seed(0)
    b = nn.Linear(3, 2, dtype=tinygrad_edu.float64)
    np.testing.assert_array_equal(b.weight.numpy(), a.weight.numpy().astype(np.float64))


def test_embedding_given_weight_keeps_its_dtype_as_in_torch() -> None:
    weight = np.arange(6.0, dtype=np.float32).reshape(3, 2)
    emb = nn.Embedding(3, 2, _weight=Tensor(weight), dtype=tinygrad_edu.float64)
    assert emb.weight.dtype == tinygrad_edu.float32
    with pytest.raises(RuntimeError, match="CPU"):
        nn.Embedding(3, 2, _weight=Tensor(weight), device="cuda")
    frozen = nn.Embedding(3, 2, _freeze=True, dtype=tinygrad_edu.float64)
    assert frozen.weight.dtype == tinygrad_edu.float64 and not frozen.weight.requires_grad


def test_batchnorm_counter_stays_an_integer() -> None:
    bn = nn.BatchNorm1d(3, dtype=tinygrad_edu.float64)
    assert bn.running_mean.dtype == bn.running_var.dtype == tinygrad_edu.float64
    assert bn.num_batches_tracked.dtype == tinygrad_edu.int64


# -- against torch --------------------------------------------------------------------------------

# torch's class of the same name (the bases too: RNN, GRU and LSTM pass their arguments on)
SIGNATURE_CLASSES: dict[str, type] = {
    **{name: LAYERS[name][0] for name in NAMES if "(" not in name},
    "RNNBase": nn.RNNBase,
    "RNNCellBase": nn.RNNCellBase,
}


def _signature(init: Any) -> list[tuple[str, Any]]:
    """(name, kind) of each of a constructor's parameters but self."""
    params = list(inspect.signature(init).parameters.values())[1:]
    return [(p.name, p.kind) for p in params]


def _torch_signature(torch_cls: Any) -> list[tuple[str, Any]]:
    """torch's constructor signature; for RNN, GRU and LSTM (``__init__(*args, **kwargs)``), the
    typed overload that their documentation shows."""
    sig = _signature(torch_cls.__init__)
    if {kind for _, kind in sig} == {
        inspect.Parameter.VAR_POSITIONAL,
        inspect.Parameter.VAR_KEYWORD,
    }:
        typed = [
            _signature(o)
            for o in typing.get_overloads(torch_cls.__init__)
            if "input_size" in inspect.signature(o).parameters
        ]
        assert typed, f"torch's {torch_cls.__name__} documents no typed signature"
        sig = typed[0]
    return sig


@pytest.mark.parametrize("name", list(SIGNATURE_CLASSES))
def test_constructor_signature_is_torchs(name: str) -> None:
    torch = pytest.importorskip("torch")
    theirs = _torch_signature(getattr(torch.nn, name))
    mine = _signature(SIGNATURE_CLASSES[name].__init__)
    assert ("device", inspect.Parameter.POSITIONAL_OR_KEYWORD) in theirs
    # every one of torch's parameters, in torch's order and of torch's kind (positional or
    # keyword-only); anything we add must come in between, not in their place
    assert [p for p in mine if p in theirs] == theirs, (mine, theirs)


@pytest.mark.parametrize("name", ["Linear", "GRU", "LSTMCell", "MultiheadAttention", "LayerNorm"])
def test_same_dtype_as_torch_for_the_same_factory_kwargs(name: str) -> None:
    torch = pytest.importorskip("torch")
    cls, args, kwargs, _ = LAYERS[name]
    theirs = getattr(torch.nn, name)(*args, **kwargs, device="cpu", dtype=torch.float64)
    mine = cls(*args, **kwargs, device="cpu", dtype=tinygrad_edu.float64)
    assert [k for k, _ in mine.named_parameters()] == [k for k, _ in theirs.named_parameters()]
    for (k, p), (_, q) in zip(mine.named_parameters(), theirs.named_parameters()):
        assert str(p.dtype).split(".")[-1] == str(q.dtype).split(".")[-1], k
