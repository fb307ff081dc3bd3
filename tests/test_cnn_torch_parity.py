"""The layers of a convolutional network against torch.nn: load torch's state dict, feed the same
input, and compare outputs, input and parameter gradients and buffers, in float32 and float64;
state dicts move both ways with strict loading and no renaming."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from test_cnn import BAD

import tinygrad_edu
from tinygrad_edu import Tensor, nn

torch = pytest.importorskip("torch")
tn = torch.nn

TOL = {np.float64: {"rtol": 1e-10, "atol": 1e-12}, np.float32: {"rtol": 2e-5, "atol": 2e-6}}


def pairs() -> dict[str, tuple[Any, Any, tuple[int, ...]]]:
    """(ours, theirs, input shape) for each layer and setting."""
    return {
        "layernorm": (nn.LayerNorm(5), tn.LayerNorm(5), (3, 4, 5)),
        "layernorm_2d_nobias": (
            nn.LayerNorm([4, 5], bias=False),
            tn.LayerNorm([4, 5], bias=False),
            (3, 4, 5),
        ),
        "layernorm_no_affine": (
            nn.LayerNorm(5, eps=1e-3, elementwise_affine=False),
            tn.LayerNorm(5, eps=1e-3, elementwise_affine=False),
            (2, 5),
        ),
        "groupnorm": (nn.GroupNorm(2, 4), tn.GroupNorm(2, 4), (3, 4, 3, 2)),
        "groupnorm_1d_no_affine": (
            nn.GroupNorm(3, 6, affine=False),
            tn.GroupNorm(3, 6, affine=False),
            (2, 6, 5),
        ),
        "batchnorm1d": (nn.BatchNorm1d(4), tn.BatchNorm1d(4), (6, 4)),
        "batchnorm1d_3d": (nn.BatchNorm1d(4), tn.BatchNorm1d(4), (3, 4, 5)),
        "batchnorm1d_cumulative": (
            nn.BatchNorm1d(4, momentum=None),
            tn.BatchNorm1d(4, momentum=None),
            (5, 4),
        ),
        "batchnorm2d": (nn.BatchNorm2d(3), tn.BatchNorm2d(3), (2, 3, 4, 5)),
        "batchnorm2d_no_affine": (
            nn.BatchNorm2d(3, affine=False, eps=1e-3, momentum=0.5),
            tn.BatchNorm2d(3, affine=False, eps=1e-3, momentum=0.5),
            (2, 3, 4, 4),
        ),
        "batchnorm2d_nobias": (
            nn.BatchNorm2d(3, bias=False),
            tn.BatchNorm2d(3, bias=False),
            (2, 3, 2, 2),
        ),
        "batchnorm2d_untracked": (
            nn.BatchNorm2d(3, track_running_stats=False),
            tn.BatchNorm2d(3, track_running_stats=False),
            (2, 3, 3, 3),
        ),
        "dropout_eval": (nn.Dropout(0.3), tn.Dropout(0.3), (4, 5)),
        "dropout2d_eval": (nn.Dropout2d(0.3), tn.Dropout2d(0.3), (2, 3, 4, 4)),
        "mlp_dropout_batchnorm_layernorm": (
            nn.Sequential(
                nn.Linear(6, 8),
                nn.BatchNorm1d(8),
                nn.ReLU(),
                nn.Dropout(0.5),
                nn.Linear(8, 8),
                nn.LayerNorm(8),
                nn.Linear(8, 3),
            ),
            tn.Sequential(
                tn.Linear(6, 8),
                tn.BatchNorm1d(8),
                tn.ReLU(),
                tn.Dropout(0.5),
                tn.Linear(8, 8),
                tn.LayerNorm(8),
                tn.Linear(8, 3),
            ),
            (7, 6),
        ),
    }


EVAL_ONLY = {"dropout_eval", "dropout2d_eval", "mlp_dropout_batchnorm_layernorm"}


NORMS = (tn.BatchNorm1d, tn.BatchNorm2d, tn.LayerNorm, tn.GroupNorm)


def randomise(theirs: Any) -> None:
    """Normalisation layers get weights, biases and running statistics other than their initial
    ones (1, 0, 0, 1), so that every one of them matters."""
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for module in theirs.modules():
            if not isinstance(module, NORMS):
                continue
            for p in module.parameters():
                p.copy_(torch.rand(p.shape, generator=gen) + 0.5)
            for name, b in module.named_buffers():
                if b.dtype.is_floating_point:
                    b.copy_(torch.rand(b.shape, generator=gen) + (0.5 if "var" in name else -0.5))


def load_torch_state(ours: Any, theirs: Any, dtype: Any) -> None:
    ours.load_state_dict(theirs.state_dict())
    ours.to(dtype)
    theirs.to(torch.float64 if dtype == np.float64 else torch.float32)


def check_step(ours: Any, theirs: Any, x: np.ndarray, dtype: Any, seed: int) -> None:
    """One forward and backward on both: outputs, gradients and buffers agree."""
    tol = TOL[dtype]
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_o, out_t = ours(xo), theirs(xt)
    assert out_o.dtype == dtype and out_o.shape == tuple(out_t.shape)
    np.testing.assert_allclose(out_o.numpy(), out_t.detach().numpy(), **tol)
    g = np.random.default_rng(seed).standard_normal(out_o.shape).astype(dtype)
    (out_o * Tensor(g)).sum().backward()
    (out_t * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), err_msg="input grad", **tol)
    for (k, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), err_msg=k, **tol)
    ours_buffers = dict(ours.named_buffers())
    for k, b in theirs.named_buffers():
        assert ours_buffers[k].dtype == np.dtype(str(b.dtype).removeprefix("torch.")), k
        np.testing.assert_allclose(ours_buffers[k].numpy(), b.numpy(), err_msg=k, **tol)


@pytest.mark.parametrize("name", list(pairs()))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_layers_match_torch(name: str, dtype: Any) -> None:
    """Three training steps (the running statistics move), then one in evaluation."""
    ours, theirs, shape = pairs()[name]
    assert list(ours.state_dict()) == list(theirs.state_dict())  # same names, same order
    for (k, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        assert a.shape == tuple(b.shape) and a.dtype == np.dtype(str(b.dtype)[6:]), k
    randomise(theirs)
    load_torch_state(ours, theirs, dtype)
    rng = np.random.default_rng(1)
    if name not in EVAL_ONLY:
        for step in range(3):
            ours.zero_grad()
            theirs.zero_grad()
            check_step(ours, theirs, rng.standard_normal(shape).astype(dtype), dtype, step)
    ours.eval()
    theirs.eval()
    ours.zero_grad()
    theirs.zero_grad()
    check_step(ours, theirs, rng.standard_normal(shape).astype(dtype), dtype, 9)


@pytest.mark.parametrize(
    "name", ["layernorm", "groupnorm", "batchnorm2d", "batchnorm1d_cumulative"]
)
def test_our_state_dict_loads_strictly_into_torch(name: str) -> None:
    ours, theirs, shape = pairs()[name]
    x = np.random.default_rng(4).standard_normal(shape).astype(np.float32)
    ours(Tensor(x))  # a training step: the running statistics (and the count) move
    state = {k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(state, strict=True)
    ours.eval()
    theirs.eval()
    want = theirs(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(ours(Tensor(x)).numpy(), want, rtol=1e-5, atol=1e-6)


def test_batchnorm_counts_batches_like_torch() -> None:
    ours, theirs, shape = pairs()["batchnorm1d_cumulative"]
    rng = np.random.default_rng(5)
    for _ in range(4):
        x = rng.standard_normal(shape).astype(np.float32)
        ours(Tensor(x))
        theirs(torch.from_numpy(x))
    assert ours.num_batches_tracked.item() == theirs.num_batches_tracked.item() == 4
    assert ours.num_batches_tracked.dtype == np.int64
    np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy(), rtol=1e-5)


@pytest.mark.parametrize("p", [0.0, 0.25, 0.5, 1.0])
@pytest.mark.parametrize("kind", ["dropout", "dropout1d", "dropout2d"])
def test_dropout_scales_like_torch(p: float, kind: str) -> None:
    """Different generators, so not the same mask: but the values that survive are scaled
    exactly as torch scales them (float32), and p = 0 and p = 1 agree completely."""
    shape = {"dropout": (50, 40), "dropout1d": (20, 30, 4), "dropout2d": (10, 30, 2, 3)}[kind]
    x = np.random.default_rng(6).uniform(1, 2, shape).astype(np.float32)
    tinygrad_edu.manual_seed(0)
    torch.manual_seed(0)
    ours = getattr(nn.functional, kind)(Tensor(x), p).numpy()
    theirs = getattr(tn.functional, kind)(torch.from_numpy(x), p).numpy()
    assert ours.dtype == theirs.dtype == np.float32
    kept_o, kept_t = ours != 0, theirs != 0
    if p < 1:  # torch rounds 1 / (1 - p) to float32 and multiplies: so do we
        scale = np.float32(1 / (1 - p))
        np.testing.assert_array_equal(ours[kept_o], x[kept_o] * scale)
        np.testing.assert_allclose(theirs[kept_t], x[kept_t] * scale, rtol=1e-7)
    if p in (0.0, 1.0):
        np.testing.assert_array_equal(ours, theirs)
    else:  # the same law: the dropped fractions agree within sampling noise
        assert abs(kept_o.mean() - kept_t.mean()) < 0.1


@pytest.mark.parametrize("name, call, error, words", BAD, ids=[b[0] for b in BAD])
def test_bad_input_raises_what_torch_raises(name: str, call: Any, error: type, words: Any) -> None:
    """The bad-input table of test_cnn.py, run on torch: the same error class."""
    with pytest.raises(error):
        call(torch, tn.functional)
