"""Losses: values against NumPy and PyTorch, gradients against finite differences (1st and 2nd
order, float64), stability at extreme logits, and clear errors for bad targets."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import check_grads, log_softmax, rand

import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor, nn

REDUCTIONS = ["mean", "sum", "none"]


def probs(*shape, seed=0, requires_grad=False):
    data = np.random.default_rng(seed).uniform(0.05, 0.95, shape)
    return Tensor(data, requires_grad=requires_grad)


def labels(n, classes, seed=0, shape=None):
    return np.random.default_rng(seed).integers(0, classes, (n,) if shape is None else shape)


def reduce(x, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction](x)


# -- values against NumPy and gradients against finite differences ----------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_and_l1(reduction):
    x, y = rand(3, 4, seed=1, requires_grad=True), rand(3, 4, seed=2, requires_grad=True)
    d = x.numpy() - y.numpy()
    np.testing.assert_allclose(
        F.mse_loss(x, y, reduction=reduction).numpy(), reduce(d**2, reduction)
    )
    np.testing.assert_allclose(
        F.l1_loss(x, y, reduction=reduction).numpy(), reduce(np.abs(d), reduction)
    )
    check_grads(lambda x, y: F.mse_loss(x, y, reduction=reduction), [x, y])
    check_grads(lambda x, y: F.l1_loss(x, y, reduction=reduction), [x, y], second_order=False)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 2), (3,)])
def test_cross_entropy_class_indices(reduction, shape):
    x = rand(*shape, seed=3, requires_grad=True)
    target = labels(0, 3, seed=4, shape=(shape[0], *shape[2:]) if len(shape) > 1 else ())
    dim = 0 if len(shape) == 1 else 1
    logp = np.moveaxis(log_softmax(x.numpy(), axis=dim), dim, -1)  # classes last
    picked = np.take_along_axis(logp, target[..., None], -1)[..., 0]
    want = reduce(-picked, reduction)
    got = F.cross_entropy(x, Tensor(target), reduction=reduction)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
    assert got.shape == np.shape(want)
    check_grads(lambda x: F.cross_entropy(x, target, reduction=reduction), [x])
    # nll_loss after log_softmax is the same function, through unfused ops
    composed = F.nll_loss(x.log_softmax(dim), target, reduction=reduction)
    np.testing.assert_allclose(composed.numpy(), want, rtol=1e-12)
    check_grads(lambda x: F.nll_loss(x.log_softmax(dim), target, reduction=reduction), [x])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_weight_ignore_index_label_smoothing(reduction):
    x = rand(6, 4, seed=5, requires_grad=True)
    target = np.array([0, 3, -100, 2, 1, 3])
    weight = np.array([0.5, 1.0, 2.0, 1.5])

    def fused(x):
        return F.cross_entropy(x, target, weight, reduction=reduction, label_smoothing=0.2)

    check_grads(fused, [x])
    # against the formula written out in NumPy
    logp = log_softmax(x.numpy(), 1)
    keep = target != -100
    safe = np.where(keep, target, 0)
    nll = -weight[safe] * logp[np.arange(6), safe] * keep
    smooth = -(logp * weight).sum(1) * keep
    per_row = 0.8 * nll + 0.2 / 4 * smooth
    want = (
        per_row.sum() / (weight[safe] * keep).sum()
        if reduction == "mean"
        else reduce(per_row, reduction)
    )
    np.testing.assert_allclose(fused(x).numpy(), want, rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_class_probabilities(reduction):
    x = rand(4, 3, seed=6, requires_grad=True)
    p = np.random.default_rng(7).dirichlet(np.ones(3), size=4)
    t = Tensor(p, requires_grad=True)
    want = reduce(-(p * log_softmax(x.numpy(), 1)).sum(1), reduction)
    np.testing.assert_allclose(F.cross_entropy(x, t, reduction=reduction).numpy(), want, rtol=1e-12)
    check_grads(
        lambda x, t: F.cross_entropy(x, t, reduction=reduction, label_smoothing=0.1), [x, t]
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_weights_and_ignore_index(reduction):
    x = rand(5, 3, seed=8, requires_grad=True)
    target = np.array([2, 0, 1, 1, 0])
    weight = np.array([1.0, 3.0, 0.5])
    check_grads(lambda x: F.nll_loss(x, target, weight, ignore_index=1, reduction=reduction), [x])
    keep = target != 1
    per = -x.numpy()[np.arange(5), target] * weight[target] * keep
    want = (
        per.sum() / (weight[target] * keep).sum() if reduction == "mean" else reduce(per, reduction)
    )
    got = F.nll_loss(x, target, weight, ignore_index=1, reduction=reduction)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction):
    x, y = probs(3, 4, seed=9, requires_grad=True), probs(3, 4, seed=10, requires_grad=True)
    w = np.random.default_rng(11).uniform(0.5, 2, (4,))
    xn, yn = x.numpy(), y.numpy()
    want = reduce(-w * (yn * np.log(xn) + (1 - yn) * np.log(1 - xn)), reduction)
    np.testing.assert_allclose(
        F.binary_cross_entropy(x, y, w, reduction=reduction).numpy(), want, rtol=1e-12
    )
    check_grads(lambda x, y: F.binary_cross_entropy(x, y, w, reduction=reduction), [x, y])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("with_pos_weight", [False, True])
def test_bce_with_logits(reduction, with_pos_weight):
    x, y = (
        rand(3, 4, seed=12, scale=3, requires_grad=True),
        probs(3, 4, seed=13, requires_grad=True),
    )
    pw = np.array([0.5, 1.0, 2.0, 3.0]) if with_pos_weight else None
    w = np.array([[1.0], [0.5], [2.0]])
    xn, yn = x.numpy(), y.numpy()
    sig = 1 / (1 + np.exp(-xn))
    pos = 1.0 if pw is None else pw
    want = reduce(-w * (pos * yn * np.log(sig) + (1 - yn) * np.log(1 - sig)), reduction)

    def fn(x, y):
        return F.binary_cross_entropy_with_logits(x, y, w, reduction=reduction, pos_weight=pw)

    np.testing.assert_allclose(fn(x, y).numpy(), want, rtol=1e-10)
    check_grads(fn, [x, y])
    # the same loss as BCE of the sigmoid, where both are well conditioned
    bce = F.binary_cross_entropy(x.sigmoid(), y, w, reduction=reduction)
    if pw is None:
        np.testing.assert_allclose(fn(x, y).numpy(), bce.numpy(), rtol=1e-10)


def test_bce_with_logits_second_derivatives_at_zero_logits():
    """All logits 0 (what a zero-initialised last layer gives): the stable log(1 + e^-x) is
    built from pieces with kinks at x = 0 (max(-x, 0), |x|), yet its derivative there must be
    the true -sigmoid(0) = -1/2, so that d2 loss / dx dy = -(1 + (pos_weight - 1) / 2)."""
    from tinygrad_edu import autograd

    p = np.array([0.5, 3.0])
    x = Tensor(np.zeros(2), requires_grad=True)
    y = Tensor(np.array([0.2, 0.7]), requires_grad=True)

    def fn(x, y):
        return F.binary_cross_entropy_with_logits(x, y, reduction="sum", pos_weight=p)

    _, dy = autograd.grad(fn(x, y), [x, y], create_graph=True)
    (dxdy,) = autograd.grad(dy.sum(), x)
    np.testing.assert_allclose(dxdy.numpy(), -(1 + (p - 1) / 2), rtol=1e-12)
    check_grads(fn, [x, y])


def test_loss_modules_call_the_functions():
    x, y = rand(4, 3, seed=14), rand(4, 3, seed=15)
    t = labels(4, 3, seed=16)
    cases = [
        (nn.MSELoss(reduction="sum"), F.mse_loss(x, y, reduction="sum"), (x, y)),
        (nn.L1Loss(), F.l1_loss(x, y), (x, y)),
        (
            nn.CrossEntropyLoss(label_smoothing=0.1),
            F.cross_entropy(x, t, label_smoothing=0.1),
            (x, t),
        ),
        (nn.NLLLoss(reduction="none"), F.nll_loss(x, t, reduction="none"), (x, t)),
        (
            nn.BCELoss(),
            F.binary_cross_entropy(x.sigmoid(), y.sigmoid()),
            (x.sigmoid(), y.sigmoid()),
        ),
        (
            nn.BCEWithLogitsLoss(pos_weight=Tensor([2.0, 1.0, 1.0])),
            F.binary_cross_entropy_with_logits(x, y.sigmoid(), pos_weight=[2.0, 1.0, 1.0]),
            (x, y.sigmoid()),
        ),
    ]
    for module, want, args in cases:
        np.testing.assert_array_equal(module(*args).numpy(), want.numpy(), err_msg=repr(module))
    assert repr(nn.MSELoss(reduction="sum")) == "MSELoss(reduction='sum')"


def test_float32_losses_stay_float32():
    x = rand(4, 3, dtype=np.float32, requires_grad=True)
    y = rand(4, 3, seed=1, dtype=np.float32)
    t = labels(4, 3)
    losses = [
        F.mse_loss(x, y),
        F.l1_loss(x, y),
        F.cross_entropy(x, t, label_smoothing=0.1),
        F.nll_loss(x.log_softmax(1), t),
        F.binary_cross_entropy(x.sigmoid(), y.sigmoid()),
        F.binary_cross_entropy_with_logits(x, y.sigmoid(), pos_weight=np.ones(3)),
    ]
    for loss in losses:
        assert loss.dtype == np.float32
        x.grad = None
        loss.backward()
        assert x.grad.dtype == np.float32


# -- stability --------------------------------------------------------------------------------


def test_losses_at_extreme_logits_are_finite():
    x = Tensor(
        np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]], np.float32), requires_grad=True
    )
    t = np.array([1, 0])
    targets01 = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0]], np.float32)
    for loss in [
        F.cross_entropy(x, t),
        F.cross_entropy(x, t, label_smoothing=0.1),
        F.binary_cross_entropy_with_logits(x, targets01),
        F.binary_cross_entropy(x.sigmoid(), targets01),
    ]:
        x.grad = None
        loss.backward()
        assert np.isfinite(loss.item()) and np.all(np.isfinite(x.grad.numpy()))
    assert F.cross_entropy(x, t).item() == pytest.approx(2000 + np.log1p(np.exp(-1)) / 2)
    # four logs clamped at -100, one log(0.5), one log(1)
    assert F.binary_cross_entropy(x.sigmoid(), targets01).item() == pytest.approx(
        (400 + np.log(2)) / 6
    )


# -- bad input --------------------------------------------------------------------------------


def test_class_target_out_of_range_names_value_and_classes():
    x = rand(3, 4)
    with pytest.raises(IndexError, match="target 7 is out of bounds: there are 4 classes"):
        F.cross_entropy(x, np.array([0, 7, 1]))
    with pytest.raises(IndexError, match="target -1 is out of bounds"):
        F.nll_loss(x, np.array([0, -1, 1]))
    F.cross_entropy(x, np.array([0, -100, 1]))  # ignore_index is not out of range


def test_loss_shape_and_dtype_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"input has shape \(4, 1\) but target has shape \(4,\)"):
        F.mse_loss(rand(4, 1), rand(4))
    with pytest.raises(ValueError, match=r"target must have shape \(3,\), got \(4,\)"):
        F.cross_entropy(rand(3, 5), np.array([0, 1, 2, 3]))
    with pytest.raises(RuntimeError, match="must be integers, got dtype float64"):
        F.cross_entropy(rand(3, 5), np.array([0.0, 1.0, 2.0]))
    with pytest.raises(RuntimeError, match=r"weight must have shape \(5,\)"):
        F.cross_entropy(rand(3, 5), np.array([0, 1, 2]), np.ones(4))
    with pytest.raises(RuntimeError, match="between 0 and 1"):  # PyTorch's classes
        F.binary_cross_entropy(rand(2, 2), probs(2, 2))
    with pytest.raises(ValueError, match=r"shape \(3,\) but target has shape \(3, 1\)"):
        F.binary_cross_entropy_with_logits(rand(3), rand(3, 1))
    with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        F.l1_loss(rand(2), rand(2), reduction="avg")
    with pytest.raises(ValueError, match="reduction"):
        nn.CrossEntropyLoss(reduction="average")


# -- PyTorch parity ---------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_every_loss_matches_torch(reduction):
    torch = pytest.importorskip("torch")
    tF = torch.nn.functional
    rng = np.random.default_rng(20)
    x = rng.standard_normal((5, 4)) * 3
    y = rng.standard_normal((5, 4))
    p = rng.uniform(0.01, 0.99, (5, 4))
    t = rng.integers(0, 4, 5)
    t_ignored = np.array([0, -100, 3, 2, -100])
    t_spatial = rng.integers(0, 4, (5, 2))
    x_spatial = rng.standard_normal((5, 4, 2))
    w = rng.uniform(0.5, 2, 4)
    soft = rng.dirichlet(np.ones(4), size=5)
    cases = {
        "mse": (lambda f, x, y: f.mse_loss(x, y, reduction=reduction), (x, y)),
        "l1": (lambda f, x, y: f.l1_loss(x, y, reduction=reduction), (x, y)),
        "ce": (lambda f, x, t: f.cross_entropy(x, t, reduction=reduction), (x, t)),
        "ce_options": (
            lambda f, x, t, w: f.cross_entropy(x, t, w, reduction=reduction, label_smoothing=0.3),
            (x, t_ignored, w),
        ),
        "ce_spatial": (
            lambda f, x, t: f.cross_entropy(x, t, reduction=reduction),
            (x_spatial, t_spatial),
        ),
        "ce_probs": (
            lambda f, x, s, w: f.cross_entropy(x, s, w, reduction=reduction, label_smoothing=0.1),
            (x, soft, w),
        ),
        "nll": (
            lambda f, x, t, w: f.nll_loss(x.log_softmax(1), t, w, reduction=reduction),
            (x, t_ignored, w),
        ),
        "bce": (
            lambda f, p, q, w: f.binary_cross_entropy(p, q, w, reduction=reduction),
            (p, p[::-1].copy(), w),
        ),
        "bce_logits": (
            lambda f, x, q, w: f.binary_cross_entropy_with_logits(
                x, q, reduction=reduction, pos_weight=w
            ),
            (x, p, w),
        ),
    }
    for name, (fn, arrays) in cases.items():
        ours = [
            Tensor(a, requires_grad=a.dtype.kind == "f" and i == 0) if i < 2 else a
            for i, a in enumerate(arrays)
        ]
        theirs = [
            torch.tensor(a, requires_grad=a.dtype.kind == "f" and i == 0)
            for i, a in enumerate(arrays)
        ]
        got, want = fn(F, *ours), fn(tF, *theirs)
        np.testing.assert_allclose(
            got.numpy(), want.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg=name
        )
        seed = rng.standard_normal(want.shape)
        got.backward(Tensor(seed))
        want.backward(torch.tensor(seed))
        np.testing.assert_allclose(
            ours[0].grad.numpy(), theirs[0].grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name
        )


def test_extreme_logits_match_torch():
    torch = pytest.importorskip("torch")
    x = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]], np.float32)
    t = np.array([1, 0])
    q = np.array([[0.0, 1.0, 0.3], [1.0, 0.0, 1.0]], np.float32)
    for name, fn, target in [
        ("ce", lambda f, x, y: f.cross_entropy(x, y, label_smoothing=0.1), t),
        ("bce_logits", lambda f, x, y: f.binary_cross_entropy_with_logits(x, y), q),
        ("bce", lambda f, x, y: f.binary_cross_entropy(x.sigmoid(), y), q),
    ]:
        ours, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        got, want = (
            fn(F, ours, Tensor(target)),
            fn(torch.nn.functional, theirs, torch.tensor(target)),
        )
        got.backward()
        want.backward()
        np.testing.assert_allclose(got.item(), want.item(), rtol=1e-6, err_msg=name)
        np.testing.assert_allclose(
            ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-5, atol=1e-7, err_msg=name
        )


def test_fused_ops_give_the_same_gradient_with_and_without_create_graph():
    """Their backward has two paths (arrays; Tensors under create_graph): they must agree."""
    from tinygrad_edu import autograd

    x = rand(6, 4, seed=30, requires_grad=True)
    y = probs(6, 4, seed=31, requires_grad=True)
    t = np.array([0, 3, -100, 2, 1, 3])
    w = np.array([0.5, 1.0, 2.0, 1.5])
    cases = {
        "linear": lambda x, y: F.linear(x, y, y[:, 0]).sum(),
        "ce": lambda x, y: F.cross_entropy(x, t, w, label_smoothing=0.2),
        "ce_plain": lambda x, y: F.cross_entropy(x, np.abs(t) % 4, reduction="sum"),
        "bce": lambda x, y: F.binary_cross_entropy(x.sigmoid(), y, w),
        "bce_logits": lambda x, y: F.binary_cross_entropy_with_logits(x, y, w, pos_weight=w),
    }
    for name, fn in cases.items():
        plain = autograd.grad(fn(x, y), [x, y], allow_unused=True)
        graphed = autograd.grad(fn(x, y), [x, y], create_graph=True, allow_unused=True)
        assert plain[0] is not None, name
        for a, b in zip(plain, graphed):
            if a is None:  # cross_entropy's cases do not use y
                assert b is None, name
                continue
            assert b is not None and b.requires_grad, name
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-14, err_msg=name)
