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
    tinygrad_edu.manual_seed(0)
    torch.manual_seed(0)
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
        "conv2d": (nn.Conv2d(3, 4, 3), tn.Conv2d(3, 4, 3), (2, 3, 6, 5)),
        "conv2d_strided_padded_dilated_grouped": (
            nn.Conv2d(4, 6, (3, 2), (2, 1), (1, 2), (1, 2), groups=2, bias=False),
            tn.Conv2d(4, 6, (3, 2), (2, 1), (1, 2), (1, 2), groups=2, bias=False),
            (2, 4, 7, 6),
        ),
        "conv2d_same_even_kernel": (
            nn.Conv2d(3, 4, 4, padding="same", dilation=2),
            tn.Conv2d(3, 4, 4, padding="same", dilation=2),
            (2, 3, 7, 8),
        ),
        "conv2d_unbatched": (nn.Conv2d(2, 3, 3), tn.Conv2d(2, 3, 3), (2, 5, 5)),
        "conv1d": (nn.Conv1d(3, 5, 3, stride=2, padding=1), tn.Conv1d(3, 5, 3, 2, 1), (2, 3, 9)),
        "conv1d_depthwise_valid": (
            nn.Conv1d(4, 8, 2, padding="valid", groups=4),
            tn.Conv1d(4, 8, 2, padding="valid", groups=4),
            (3, 4, 6),
        ),
        "maxpool2d": (nn.MaxPool2d(2), tn.MaxPool2d(2), (2, 3, 6, 4)),
        "maxpool2d_overlapping_ceil": (
            nn.MaxPool2d(3, 2, 1, ceil_mode=True),
            tn.MaxPool2d(3, 2, 1, ceil_mode=True),
            (2, 3, 8, 7),
        ),
        "maxpool2d_dilated": (
            nn.MaxPool2d((2, 3), (1, 2), (1, 1), dilation=(2, 1)),
            tn.MaxPool2d((2, 3), (1, 2), (1, 1), dilation=(2, 1)),
            (2, 2, 6, 7),
        ),
        "maxpool1d": (nn.MaxPool1d(3, stride=2, padding=1), tn.MaxPool1d(3, 2, 1), (2, 3, 9)),
        "avgpool2d": (nn.AvgPool2d(2), tn.AvgPool2d(2), (2, 3, 6, 4)),
        "avgpool2d_ceil_exclude_pad": (
            nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
            tn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
            (2, 3, 8, 7),
        ),
        "avgpool2d_divisor": (
            nn.AvgPool2d((3, 2), divisor_override=4),
            tn.AvgPool2d((3, 2), divisor_override=4),
            (2, 3, 6, 7),
        ),
        "avgpool1d": (nn.AvgPool1d(3, 2, 1), tn.AvgPool1d(3, 2, 1), (2, 3, 9)),
        "adaptive_avgpool2d": (
            nn.AdaptiveAvgPool2d((3, 2)),
            tn.AdaptiveAvgPool2d((3, 2)),
            (2, 3, 7, 5),
        ),
        "adaptive_avgpool2d_global": (
            nn.AdaptiveAvgPool2d(1),
            tn.AdaptiveAvgPool2d(1),
            (2, 3, 5, 5),
        ),
        "adaptive_maxpool2d": (
            nn.AdaptiveMaxPool2d((3, 4)),
            tn.AdaptiveMaxPool2d((3, 4)),
            (2, 3, 7, 6),
        ),
        "adaptive_avgpool1d": (nn.AdaptiveAvgPool1d(4), tn.AdaptiveAvgPool1d(4), (2, 3, 10)),
        "adaptive_maxpool1d": (nn.AdaptiveMaxPool1d(3), tn.AdaptiveMaxPool1d(3), (2, 3, 8)),
        "lenet_tutorial": (lenet(nn), lenet(tn), (2, 1, 32, 32)),
        "cnn_batchnorm": (
            nn.Sequential(
                nn.Conv2d(1, 4, 3, padding=1),
                nn.BatchNorm2d(4),
                nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Conv2d(4, 6, 3),
                nn.GroupNorm(2, 6),
                nn.ReLU(),
                nn.AdaptiveAvgPool2d(1),
                nn.Flatten(),
                nn.Linear(6, 3),
            ),
            tn.Sequential(
                tn.Conv2d(1, 4, 3, padding=1),
                tn.BatchNorm2d(4),
                tn.ReLU(),
                tn.MaxPool2d(2),
                tn.Conv2d(4, 6, 3),
                tn.GroupNorm(2, 6),
                tn.ReLU(),
                tn.AdaptiveAvgPool2d(1),
                tn.Flatten(),
                tn.Linear(6, 3),
            ),
            (3, 1, 8, 8),
        ),
        "cnn_dropout2d_eval": (
            nn.Sequential(nn.Conv2d(2, 4, 3), nn.Dropout2d(0.5), nn.MaxPool2d(2)),
            tn.Sequential(tn.Conv2d(2, 4, 3), tn.Dropout2d(0.5), tn.MaxPool2d(2)),
            (2, 2, 6, 6),
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


EVAL_ONLY = {
    "dropout_eval",
    "dropout2d_eval",
    "mlp_dropout_batchnorm_layernorm",
    "cnn_dropout2d_eval",
}


def lenet(lib: Any) -> Any:
    """The LeNet of PyTorch's 60-minute tutorial, written once for either library."""
    nn_, F = lib, lib.functional

    class Net(nn_.Module):  # type: ignore[name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn_.Conv2d(1, 6, 5)
            self.conv2 = nn_.Conv2d(6, 16, 5)
            self.fc1 = nn_.Linear(16 * 5 * 5, 120)
            self.fc2 = nn_.Linear(120, 84)
            self.fc3 = nn_.Linear(84, 10)

        def forward(self, x: Any) -> Any:
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.flatten(1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    return Net()


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
    "name",
    [
        *("layernorm", "groupnorm", "batchnorm2d", "batchnorm1d_cumulative"),
        *("lenet_tutorial", "cnn_batchnorm", "conv1d_depthwise_valid"),
    ],
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


@pytest.mark.parametrize("d", [1, 2])
def test_max_pool_indices_match_torch(d: int) -> None:
    """return_indices: the flat positions of each window's first maximum, int64, as torch's
    (ReLU's zeros make ties: the first in scan order wins)."""
    shape = (2, 3, 7) if d == 1 else (2, 3, 7, 6)
    x = np.maximum(np.random.default_rng(7).standard_normal(shape), 0)
    for args in [(2,), (3, 2, 1), (3, 2, 1, 2, True)]:
        f_o = getattr(nn.functional, f"max_pool{d}d")
        f_t = getattr(tn.functional, f"max_pool{d}d")
        out_o, idx_o = f_o(Tensor(x), *args, return_indices=True)
        out_t, idx_t = f_t(torch.tensor(x), *args, return_indices=True)
        np.testing.assert_array_equal(out_o.numpy(), out_t.numpy())
        np.testing.assert_array_equal(idx_o.numpy(), idx_t.numpy())
        assert idx_o.dtype == np.int64
    out_o, idx_o = nn.AdaptiveMaxPool2d((3, 4), return_indices=True)(Tensor(np.ones((1, 2, 7, 6))))
    out_t, idx_t = tn.AdaptiveMaxPool2d((3, 4), return_indices=True)(torch.ones(1, 2, 7, 6))
    np.testing.assert_array_equal(idx_o.numpy(), idx_t.numpy())


def test_conv_default_init_matches_torch() -> None:
    """Different generators, same distribution: kaiming_uniform_(a=sqrt(5)) and the bias bound
    1/sqrt(fan_in), compared on many draws."""
    tinygrad_edu.manual_seed(0)
    torch.manual_seed(0)
    ours, theirs = nn.Conv2d(16, 64, 3, groups=2), tn.Conv2d(16, 64, 3, groups=2)
    for (k, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        a, b = a.numpy(), b.numpy()
        bound = 1 / np.sqrt(8 * 9)
        assert np.abs(a).max() <= bound and np.abs(b).max() <= bound
        np.testing.assert_allclose(np.abs(a).max(), bound, rtol=0.05, err_msg=k)
        np.testing.assert_allclose(a.std(), b.std(), rtol=0.1, err_msg=k)
