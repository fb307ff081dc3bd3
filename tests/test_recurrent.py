"""Recurrent cells and layers: gradients against central differences (first and second order, in
float64) for every combination of layers, directions and batch_first, the forward formulas
against NumPy, and bad input (the same error classes as PyTorch, with the shapes named)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from op_table_seq import gru_ref, lstm_ref, rnn_ref
from seq_parity import raises_torchs_error_class

import tinygrad_edu
from tinygrad_edu import Tensor, gradcheck, gradgradcheck, nn


def rand(*shape: int, seed: int = 0, requires_grad: bool = True) -> Tensor:
    data = np.random.default_rng(seed).standard_normal(shape)
    return Tensor(data, requires_grad=requires_grad)


def make(kind: str, *args: Any, **kwargs: Any) -> Any:
    if kind.startswith("rnn"):
        return nn.RNN(*args, nonlinearity=kind.removeprefix("rnn_"), **kwargs)
    return {"gru": nn.GRU, "lstm": nn.LSTM}[kind](*args, **kwargs)


def layer_fn(module: Any, n_states: int) -> Any:
    """(input, *initial states, *params) -> every output, joined: gradcheck wants one tensor."""

    def fn(x: Tensor, *rest: Tensor) -> Tensor:
        states = rest[:n_states]
        hx = None if not states else states[0] if n_states == 1 else tuple(states)
        out, final = module(x, hx)
        finals = final if isinstance(final, tuple) else (final,)
        return tinygrad_edu.cat([out.flatten(), *(f.flatten() for f in finals)])

    return fn


COMBOS = list(itertools.product([1, 2], [False, True], [False, True]))


@pytest.mark.parametrize("layers, bidirectional, batch_first", COMBOS, ids=str)
@pytest.mark.parametrize("kind", ["rnn_tanh", "gru", "lstm"])
def test_layer_gradcheck(kind, layers, bidirectional, batch_first):
    module = make(
        kind, 2, 2, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first
    ).double()
    directions = 2 if bidirectional else 1
    x = rand(2, 3, 2, seed=1)  # (batch, steps) or (steps, batch): 2 and 3 either way
    n_states = 2 if kind == "lstm" else 1
    batch = 2 if batch_first else 3
    states = [rand(layers * directions, batch, 2, seed=2 + i) for i in range(n_states)]
    params = list(module.parameters())
    assert gradcheck(layer_fn(module, n_states), [x, *states, *params])


@pytest.mark.parametrize("kind", ["rnn_tanh", "gru", "lstm"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_layer_gradgradcheck(kind, bidirectional):
    module = make(kind, 2, 2, num_layers=2, bidirectional=bidirectional).double()
    n_states = 2 if kind == "lstm" else 1
    directions = 2 if bidirectional else 1
    x = rand(2, 1, 2, seed=3)
    states = [rand(2 * directions, 1, 2, seed=4 + i) for i in range(n_states)]
    inputs = [x, *states, *module.parameters()]
    assert gradgradcheck(layer_fn(module, n_states), inputs)


@pytest.mark.parametrize("kind", ["rnn_relu", "gru", "lstm"])
def test_unbatched_layer_gradcheck(kind):
    module = make(kind, 2, 3, bidirectional=True).double()
    n_states = 2 if kind == "lstm" else 1
    x = rand(3, 2, seed=5)
    states = [rand(2, 3, seed=6 + i) for i in range(n_states)]
    fn = layer_fn(module, n_states)
    assert gradcheck(fn, [x, *states, *module.parameters()])
    assert gradgradcheck(fn, [x, *states])


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_cell_gradcheck_and_gradgradcheck(kind, bias, batched):
    lead = (2,) if batched else ()
    x = rand(*lead, 3, seed=7)
    if kind == "gru":
        cell = nn.GRUCell(3, 2, bias=bias).double()
        states = [rand(*lead, 2, seed=8)]

        def fn(x: Tensor, h: Tensor, *params: Tensor) -> Tensor:
            return cell(x, h)
    else:
        cell = nn.LSTMCell(3, 2, bias=bias).double()
        states = [rand(*lead, 2, seed=8), rand(*lead, 2, seed=9)]

        def fn(x: Tensor, h: Tensor, c: Tensor, *params: Tensor) -> Tensor:
            h2, c2 = cell(x, (h, c))
            return tinygrad_edu.stack([h2, c2])

    inputs = [x, *states, *cell.parameters()]
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


# -- forward formulas ---------------------------------------------------------------------------


def _params(module: Any, suffix: str = "") -> list[np.ndarray]:
    state = module.state_dict()
    return [
        state[f"{name}{suffix}"].numpy()
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    ]


@pytest.mark.parametrize("kind", ["rnn_tanh", "gru", "lstm"])
def test_bidirectional_layer_is_two_passes_side_by_side(kind):
    """Output at t = (forward state at t, backward state at t); h_n = (last forward, first
    backward), each direction computed here with the NumPy references."""
    module = make(kind, 3, 4, bidirectional=True).double()
    x = np.random.default_rng(10).standard_normal((5, 2, 3))
    out, final = module(Tensor(x))
    h_n = final[0] if kind == "lstm" else final
    runs = []
    for suffix, order in (("_l0", range(5)), ("_l0_reverse", range(4, -1, -1))):
        params = _params(module, suffix)
        h, c = np.zeros((2, 4)), np.zeros((2, 4))
        hs = [None] * 5
        for t in order:
            if kind == "lstm":
                h, c = lstm_ref(x[t], h, c, *params)
            elif kind == "gru":
                h = gru_ref(x[t], h, *params)
            else:
                h = rnn_ref("tanh", x[t], h, *params)
            hs[t] = h
        runs.append(np.stack(hs))
    np.testing.assert_allclose(out.numpy(), np.concatenate(runs, axis=-1), rtol=1e-12)
    np.testing.assert_allclose(h_n.numpy(), np.stack([runs[0][-1], runs[1][0]]), rtol=1e-12)


def test_batch_first_and_unbatched_are_the_same_computation():
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True).double()
    bf = nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True).double()
    bf.load_state_dict(lstm.state_dict())
    x = np.random.default_rng(11).standard_normal((5, 2, 3))
    out, (h, c) = lstm(Tensor(x))
    out_bf, (h_bf, c_bf) = bf(Tensor(x.transpose(1, 0, 2)))
    np.testing.assert_allclose(out_bf.numpy(), out.numpy().transpose(1, 0, 2), rtol=1e-12)
    np.testing.assert_allclose(h_bf.numpy(), h.numpy(), rtol=1e-12)
    np.testing.assert_allclose(c_bf.numpy(), c.numpy(), rtol=1e-12)
    out_u, (h_u, c_u) = lstm(Tensor(x[:, 1]))
    assert out_u.shape == (5, 8) and h_u.shape == c_u.shape == (4, 4)
    np.testing.assert_allclose(out_u.numpy(), out.numpy()[:, 1], rtol=1e-12)
    np.testing.assert_allclose(c_u.numpy(), c.numpy()[:, 1], rtol=1e-12)


def test_lstm_final_states_are_the_last_steps():
    lstm = nn.LSTM(2, 3, num_layers=2)
    out, (h_n, c_n) = lstm(Tensor(np.ones((4, 1, 2), np.float32)))
    assert out.dtype == h_n.dtype == c_n.dtype == np.float32
    np.testing.assert_array_equal(h_n[-1].numpy(), out[-1].numpy())
    assert not np.allclose(h_n.numpy(), c_n.numpy())


def test_one_node_per_step():
    """Each step is one fused node (plus the x[t] that feeds it): the graph grows linearly."""
    gru = nn.GRU(2, 3)
    out, _ = gru(Tensor(np.ones((7, 1, 2), np.float32)))
    node = out.grad_fn
    steps = [x for x in node.inputs[1:]]
    assert len(steps) == 7 and {type(s.grad_fn).__name__ for s in steps} == {"GRUCell"}


# -- bad input --------------------------------------------------------------------------------------

X32 = np.float32


def _x(*shape: int, dtype: Any = X32) -> np.ndarray:
    return np.zeros(shape, dtype)


# (what, builds the call for a library namespace: m is nn or torch.nn, t makes a tensor)
BAD = [
    ("input size", ValueError, lambda m, t: m.GRU(4, 3)(t(_x(2, 5, 2, 4)))),
    ("input features", RuntimeError, lambda m, t: m.LSTM(4, 3)(t(_x(5, 2, 3)))),
    ("hx layers", RuntimeError, lambda m, t: m.GRU(4, 3, 2)(t(_x(5, 2, 4)), t(_x(1, 2, 3)))),
    (
        "c0 layers",
        RuntimeError,
        lambda m, t: m.LSTM(4, 3, 2)(t(_x(5, 2, 4)), (t(_x(2, 2, 3)), t(_x(1, 2, 3)))),
    ),
    ("hx of a batch", RuntimeError, lambda m, t: m.GRU(4, 3)(t(_x(5, 4)), t(_x(1, 2, 3)))),
    ("hx unbatched", RuntimeError, lambda m, t: m.GRU(4, 3)(t(_x(5, 2, 4)), t(_x(1, 3)))),
    ("empty sequence", RuntimeError, lambda m, t: m.GRU(4, 3)(t(_x(0, 2, 4)))),
    ("float64 input", ValueError, lambda m, t: m.LSTM(4, 3)(t(_x(5, 2, 4, dtype=np.float64)))),
    ("cell input", RuntimeError, lambda m, t: m.GRUCell(4, 3)(t(_x(2, 5)))),
    ("cell input dims", ValueError, lambda m, t: m.LSTMCell(4, 3)(t(_x(2, 2, 4)))),
    ("cell hx batch", RuntimeError, lambda m, t: m.GRUCell(4, 3)(t(_x(2, 4)), t(_x(3, 3)))),
    ("cell hx size", RuntimeError, lambda m, t: m.GRUCell(4, 3)(t(_x(2, 4)), t(_x(2, 4)))),
    (
        "cell c size",
        RuntimeError,
        lambda m, t: m.LSTMCell(4, 3)(t(_x(2, 4)), (t(_x(2, 3)), t(_x(2, 4)))),
    ),
    ("one state", RuntimeError, lambda m, t: m.LSTMCell(4, 3)(t(_x(2, 4)), (t(_x(2, 3)),))),
    ("cell float64", RuntimeError, lambda m, t: m.GRUCell(4, 3)(t(_x(2, 4, dtype=np.float64)))),
    ("dropout > 1", ValueError, lambda m, t: m.GRU(4, 3, dropout=1.5)),
    ("dropout bool", ValueError, lambda m, t: m.LSTM(4, 3, dropout=True)),
    ("num_layers 0", ValueError, lambda m, t: m.GRU(4, 3, num_layers=0)),
    ("hidden_size 0", ValueError, lambda m, t: m.LSTM(4, 0)),
    ("hidden_size float", TypeError, lambda m, t: m.GRU(4, 3.0)),
    ("proj_size too big", ValueError, lambda m, t: m.LSTM(4, 3, proj_size=3)),
    ("proj_size negative", ValueError, lambda m, t: m.LSTM(4, 3, proj_size=-1)),
]


@pytest.mark.parametrize("what, error, call", BAD, ids=[b[0] for b in BAD])
def test_bad_input_raises_torchs_error_class(what, error, call):
    raises_torchs_error_class(error, call, (nn, Tensor), lambda torch: (torch.nn, torch.from_numpy))


def test_errors_name_the_shapes():
    with pytest.raises(RuntimeError, match=r"input has shape \(5, 2, 3\).*\(seq_len, batch, 4\)"):
        nn.LSTM(4, 3)(Tensor(_x(5, 2, 3)))
    with pytest.raises(RuntimeError, match=r"c_0 has shape \(1, 2, 3\).*must be \(2, 2, 3\)"):
        nn.LSTM(4, 3, 2)(Tensor(_x(5, 2, 4)), (Tensor(_x(2, 2, 3)), Tensor(_x(1, 2, 3))))
    with pytest.raises(RuntimeError, match=r"hx\[1\] has shape \(2, 4\).*must be \(2, 3\)"):
        nn.LSTMCell(4, 3)(Tensor(_x(2, 4)), (Tensor(_x(2, 3)), Tensor(_x(2, 4))))
    gru = nn.GRU(4, 3, bidirectional=True)
    gru.weight_hh_l0_reverse = nn.Parameter(_x(9, 4))
    with pytest.raises(RuntimeError, match=r"layer 0_reverse: weight_hh has shape \(9, 4\)"):
        gru(Tensor(_x(5, 2, 4)))


def test_dropout_with_one_layer_warns_as_torch_does():
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.GRU(4, 3, dropout=0.5)


def test_proj_size_is_not_supported():
    with pytest.raises(NotImplementedError, match="proj_size"):
        nn.LSTM(4, 3, proj_size=2)


# -- dropout between layers ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rnn_tanh", "gru", "lstm"])
def test_dropout_between_layers_only_in_training(kind):
    """In training the second layer sees a dropped-out first layer (the output changes from
    draw to draw); in eval the layer is deterministic and equals the same layer without
    dropout, as in PyTorch. The last layer's output is never dropped."""
    tinygrad_edu.manual_seed(0)
    module = make(kind, 3, 50, num_layers=2, dropout=0.5)
    plain = make(kind, 3, 50, num_layers=2)
    plain.load_state_dict(module.state_dict())
    x = Tensor(np.random.default_rng(12).standard_normal((4, 2, 3)).astype(np.float32))
    first, second = module(x)[0].numpy(), module(x)[0].numpy()
    assert not np.allclose(first, second)
    module.eval()
    np.testing.assert_array_equal(module(x)[0].numpy(), plain(x)[0].numpy())
    np.testing.assert_array_equal(module(x)[0].numpy(), module(x)[0].numpy())


def test_dropout_zeroes_about_p_of_the_inputs_to_the_next_layer():
    """With p = 0.5 and a first layer that outputs only nonzero values, the second layer's
    input (read through a hook on its per-step op) is zero about half the time, and the
    survivors are doubled."""
    tinygrad_edu.manual_seed(1)
    gru = nn.GRU(2, 400, num_layers=2, dropout=0.5)
    plain = nn.GRU(2, 400, num_layers=2)
    plain.load_state_dict(gru.state_dict())
    x = Tensor(np.ones((1, 1, 2), np.float32))
    out, _ = gru(x)
    layer0 = plain(x)[1][0].numpy()  # the first layer's state: what the second layer reads
    step = out.grad_fn.inputs[1].grad_fn  # the last layer's (only) step
    seen = step.inputs[0].numpy()
    zero = seen == 0
    assert 0.4 < zero.mean() < 0.6
    np.testing.assert_allclose(seen[~zero], 2 * layer0[~zero], rtol=1e-6)


def test_op_table_covers_the_sequence_ops():
    """Every fused op of this part is in the op table (forward, gradcheck, gradgradcheck and
    torch parity run over it): a missing entry would silently go untested."""
    from op_table import OPS

    required = ["rnn_cell_tanh", "rnn_cell_relu", "gru_cell", "lstm_cell", "stack_steps"]
    required += ["embedding", "scaled_dot_product_attention", "scaled_dot_product_attention_gqa"]
    assert [n for n in required if n not in OPS] == []
