"""Sequence modules against torch.nn: torch's weights loaded into ours, the same inputs, and equal
outputs, final states and gradients (for the input, the initial states and every parameter), in
float32 and float64, for every combination of layers, directions and batch_first."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from seq_parity import check_same, load_torch_weights

import tinygrad_edu
from tinygrad_edu import Tensor, nn

torch = pytest.importorskip("torch")

# -- recurrent layers ------------------------------------------------------------------------------

KINDS = ["rnn_tanh", "rnn_relu", "gru", "lstm"]


def layer_pair(kind: str, **kwargs: Any) -> tuple[Any, Any]:
    tinygrad_edu.manual_seed(0)
    torch.manual_seed(0)
    if kind.startswith("rnn"):
        kwargs["nonlinearity"] = kind.removeprefix("rnn_")
        return nn.RNN(3, 4, **kwargs), torch.nn.RNN(3, 4, **kwargs)
    ours, theirs = {"gru": (nn.GRU, torch.nn.GRU), "lstm": (nn.LSTM, torch.nn.LSTM)}[kind]
    return ours(3, 4, **kwargs), theirs(3, 4, **kwargs)


def layer_arrays(kind: str, layers: int, directions: int, shape: tuple[int, ...], with_h0: bool):
    """The input and, if wanted, the initial state(s) (one per layer and direction)."""
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(shape)]
    if with_h0:
        batch = (shape[1 if len(shape) == 3 else 0],) if len(shape) == 3 else ()
        h_shape = (layers * directions, *batch, 4)
        arrays += [rng.standard_normal(h_shape) for _ in range(2 if kind == "lstm" else 1)]
    return arrays


def call_layer(module: Any, ins: list[Any]) -> Any:
    if len(ins) == 1:
        return module(ins[0])
    return module(ins[0], tuple(ins[1:]) if len(ins) == 3 else ins[1])


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize(
    "layers, bidirectional, batch_first",
    list(itertools.product([1, 2], [False, True], [False, True])),
    ids=lambda v: str(v),
)
@pytest.mark.parametrize("kind", KINDS)
def test_layer_matches_torch(kind, layers, bidirectional, batch_first, dtype):
    ours, theirs = layer_pair(
        kind, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first
    )
    load_torch_weights(ours, theirs, dtype)
    directions = 2 if bidirectional else 1
    steps, batch = 4, 2
    shape = (batch, steps, 3) if batch_first else (steps, batch, 3)
    # h0 is (layers * directions, batch, hidden) whatever batch_first says
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(shape)]
    arrays += [
        rng.standard_normal((layers * directions, batch, 4))
        for _ in range(2 if kind == "lstm" else 1)
    ]
    check_same(ours, theirs, arrays[:1], call_layer, dtype)  # zero initial state
    ours.zero_grad()
    theirs.zero_grad()
    check_same(ours, theirs, arrays, call_layer, dtype)  # given h0 (and c0)


@pytest.mark.parametrize("with_h0", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_unbatched_layer_matches_torch(kind, with_h0):
    ours, theirs = layer_pair(kind, num_layers=2, bidirectional=True)
    load_torch_weights(ours, theirs, np.float64)
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal((5, 3))]
    if with_h0:
        arrays += [rng.standard_normal((4, 4)) for _ in range(2 if kind == "lstm" else 1)]
    check_same(ours, theirs, arrays, call_layer, np.float64)


@pytest.mark.parametrize("kind", KINDS)
def test_layer_without_bias_and_a_single_step(kind):
    ours, theirs = layer_pair(kind, bias=False, num_layers=2)
    assert len(list(ours.parameters())) == 4
    load_torch_weights(ours, theirs, np.float32)
    check_same(ours, theirs, [np.ones((1, 2, 3))], call_layer, np.float32)


# -- cells --------------------------------------------------------------------------------------------

CELLS = {
    "rnn_tanh": (lambda: nn.RNNCell(3, 4), lambda: torch.nn.RNNCell(3, 4)),
    "rnn_relu": (
        lambda: nn.RNNCell(3, 4, nonlinearity="relu"),
        lambda: torch.nn.RNNCell(3, 4, nonlinearity="relu"),
    ),
    "gru": (lambda: nn.GRUCell(3, 4), lambda: torch.nn.GRUCell(3, 4)),
    "gru_nobias": (lambda: nn.GRUCell(3, 4, bias=False), lambda: torch.nn.GRUCell(3, 4, False)),
    "lstm": (lambda: nn.LSTMCell(3, 4), lambda: torch.nn.LSTMCell(3, 4)),
    "lstm_nobias": (
        lambda: nn.LSTMCell(3, 4, bias=False),
        lambda: torch.nn.LSTMCell(3, 4, bias=False),
    ),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_hx", [True, False])
@pytest.mark.parametrize("kind", list(CELLS))
def test_cell_matches_torch(kind, with_hx, batched, dtype):
    tinygrad_edu.manual_seed(0)
    torch.manual_seed(0)
    ours, theirs = CELLS[kind][0](), CELLS[kind][1]()
    load_torch_weights(ours, theirs, dtype)
    lead = (2,) if batched else ()
    rng = np.random.default_rng(4)
    arrays = [rng.standard_normal((*lead, 3))]
    if with_hx:
        arrays += [rng.standard_normal((*lead, 4)) for _ in range(2 if "lstm" in kind else 1)]

    def call(cell: Any, ins: list[Any]) -> Any:
        if len(ins) == 3:
            return cell(ins[0], (ins[1], ins[2]))
        return cell(*ins)

    check_same(ours, theirs, arrays, call, dtype)


def test_a_cell_unrolled_by_hand_is_the_layer():
    """LSTMCell over the steps with the layer's weights gives the layer's output and state."""
    layer = nn.LSTM(3, 4).double()
    cell = nn.LSTMCell(3, 4).double()
    cell.load_state_dict({k.removesuffix("_l0"): v for k, v in layer.state_dict().items()})
    x = Tensor(np.random.default_rng(5).standard_normal((6, 2, 3)))
    out, (h_n, c_n) = layer(x)
    h, c = None, None
    for t in range(6):
        h, c = cell(x[t], None if h is None else (h, c))
        np.testing.assert_allclose(out[t].numpy(), h.numpy(), rtol=1e-12)
    np.testing.assert_allclose(h_n[0].numpy(), h.numpy(), rtol=1e-12)
    np.testing.assert_allclose(c_n[0].numpy(), c.numpy(), rtol=1e-12)


# -- state dicts and initialisation ------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_our_state_dict_loads_strictly_into_torch(kind):
    ours, theirs = layer_pair(kind, num_layers=2, bidirectional=True)
    state = {k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(state, strict=True)
    x = np.random.default_rng(6).standard_normal((5, 2, 3)).astype(np.float32)
    want = theirs(torch.from_numpy(x))[0].detach().numpy()
    np.testing.assert_allclose(ours(Tensor(x))[0].numpy(), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_default_init_is_torchs_distribution(kind):
    """U(-1/sqrt(H), 1/sqrt(H)) for every parameter: the same range and spread as torch's."""
    tinygrad_edu.manual_seed(0)
    torch.manual_seed(0)
    cls_o = nn.GRU if kind == "gru" else nn.LSTM
    cls_t = torch.nn.GRU if kind == "gru" else torch.nn.LSTM
    ours, theirs = cls_o(30, 64, num_layers=2), cls_t(30, 64, num_layers=2)
    for (k, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        a, b = a.numpy(), b.numpy()
        assert a.dtype == np.float32, k
        assert np.abs(a).max() <= 1 / 8
        np.testing.assert_allclose(np.abs(a).max(), np.abs(b).max(), rtol=0.05, err_msg=k)
        np.testing.assert_allclose(a.std(), b.std(), rtol=0.1, err_msg=k)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.LSTM(4, 3, num_layers=2, bidirectional=True, batch_first=True, bias=False),
        lambda m: m.GRU(4, 3),
        lambda m: m.RNN(4, 3, num_layers=2, nonlinearity="relu"),
        lambda m: m.GRUCell(4, 3, bias=False),
        lambda m: m.LSTMCell(4, 3),
    ],
)
def test_repr_matches_torch(make):
    assert repr(make(nn)) == repr(make(torch.nn))
