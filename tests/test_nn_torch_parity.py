"""Modules against torch.nn: same weights give the same outputs and gradients, and state dicts
move between the two libraries with strict loading and no renaming."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import first

import tinygrad_edu
from tinygrad_edu import Tensor, nn

torch = pytest.importorskip("torch")


def pairs():
    """(ours, theirs, input shape, extra-args maker) for each kind of module."""
    tinygrad_edu.manual_seed(0)
    torch.manual_seed(0)
    tn = torch.nn
    return {
        "linear": (nn.Linear(5, 3), tn.Linear(5, 3), (4, 5)),
        "linear_3d_nobias": (nn.Linear(5, 3, bias=False), tn.Linear(5, 3, bias=False), (2, 4, 5)),
        "mlp": (
            nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 2), nn.Sigmoid()),
            tn.Sequential(tn.Linear(5, 8), tn.ReLU(), tn.Linear(8, 2), tn.Sigmoid()),
            (4, 5),
        ),
        "rnncell_tanh": (nn.RNNCell(5, 6), tn.RNNCell(5, 6), (4, 5)),
        "rnncell_unbatched": (nn.RNNCell(5, 6), tn.RNNCell(5, 6), (5,)),
        "rnncell_relu": (
            nn.RNNCell(5, 6, bias=False, nonlinearity="relu"),
            tn.RNNCell(5, 6, bias=False, nonlinearity="relu"),
            (4, 5),
        ),
        "rnn": (nn.RNN(5, 6), tn.RNN(5, 6), (7, 2, 5)),
        "rnn_stacked_batch_first": (
            nn.RNN(5, 6, num_layers=3, nonlinearity="relu", batch_first=True),
            tn.RNN(5, 6, num_layers=3, nonlinearity="relu", batch_first=True),
            (2, 7, 5),
        ),
        "rnn_unbatched": (nn.RNN(5, 6, num_layers=2), tn.RNN(5, 6, num_layers=2), (7, 5)),
    }


def copy_torch_weights(ours, theirs, dtype):
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    ours.to(dtype)
    theirs.to(torch.float64 if dtype == np.float64 else torch.float32)


@pytest.mark.parametrize("name", list(pairs()))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_forward_and_gradients_match_torch(name, dtype):
    ours, theirs, shape = pairs()[name]
    assert list(ours.state_dict()) == list(theirs.state_dict())  # same names, same order
    for (k, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        assert a.shape == tuple(b.shape), k
    copy_torch_weights(ours, theirs, dtype)
    x = np.random.default_rng(1).standard_normal(shape).astype(dtype)
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    outs_o, outs_t = ours(xo), theirs(xt)
    outs_o = outs_o if isinstance(outs_o, tuple) else (outs_o,)
    outs_t = outs_t if isinstance(outs_t, tuple) else (outs_t,)
    tol = {"rtol": 1e-10, "atol": 1e-12} if dtype == np.float64 else {"rtol": 2e-5, "atol": 1e-6}
    rng = np.random.default_rng(2)
    total_o, total_t = 0, 0
    for o, t in zip(outs_o, outs_t):
        assert o.dtype == dtype
        np.testing.assert_allclose(o.numpy(), t.detach().numpy(), **tol)
        seed = rng.standard_normal(o.shape).astype(dtype)
        total_o = total_o + (o * Tensor(seed)).sum()
        total_t = total_t + (t * torch.tensor(seed)).sum()
    total_o.backward()
    total_t.backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), **tol)
    for (k, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), err_msg=k, **tol)


def test_rnn_with_initial_state_matches_torch():
    ours, theirs, shape = pairs()["rnn_stacked_batch_first"]
    copy_torch_weights(ours, theirs, np.float64)
    rng = np.random.default_rng(3)
    x, h0 = rng.standard_normal(shape), rng.standard_normal((3, 2, 6))
    out_o, h_o = ours(Tensor(x), Tensor(h0))
    out_t, h_t = theirs(torch.tensor(x), torch.tensor(h0))
    np.testing.assert_allclose(out_o.numpy(), out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h_o.numpy(), h_t.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "name", ["linear", "mlp", "rnn", "rnn_stacked_batch_first", "rnncell_tanh"]
)
def test_our_state_dict_loads_strictly_into_torch(name):
    ours, theirs, shape = pairs()[name]
    state = {k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(state, strict=True)
    assert all(v.dtype == torch.float32 for v in theirs.state_dict().values())
    x = np.random.default_rng(4).standard_normal(shape).astype(np.float32)
    want = first(theirs(torch.from_numpy(x))).detach().numpy()
    np.testing.assert_allclose(first(ours(Tensor(x))).numpy(), want, rtol=1e-5, atol=1e-6)


def test_torch_state_dict_loads_into_ours_directly():
    ours, theirs, shape = pairs()["mlp"]
    ours.load_state_dict(theirs.state_dict())  # torch tensors are read through np.asarray
    x = np.random.default_rng(5).standard_normal(shape).astype(np.float32)
    want = theirs(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(ours(Tensor(x)).numpy(), want, rtol=1e-5, atol=1e-6)


def test_default_init_distribution_matches_torch():
    """Different generators, same distribution: compare the ranges of many draws."""
    tinygrad_edu.manual_seed(0)
    torch.manual_seed(0)
    ours, theirs = nn.Linear(64, 256), torch.nn.Linear(64, 256)
    for (k, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        a, b = a.numpy(), b.numpy()
        np.testing.assert_allclose(np.abs(a).max(), np.abs(b).max(), rtol=0.02, err_msg=k)
        np.testing.assert_allclose(a.std(), b.std(), rtol=0.1, err_msg=k)
