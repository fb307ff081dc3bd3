"""nn.utils against torch.nn.utils: gradient clipping (norms of every order, the returned total
norm, non-finite norms) and parameters as one vector."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import tinygrad_edu
import tinygrad_edu.nn.utils
from tinygrad_edu import Tensor, nn
from tinygrad_edu.nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
    get_total_norm,
    parameters_to_vector,
    vector_to_parameters,
)

SHAPES = [(3, 4), (4,), (2, 2, 2), ()]


def grads(dtype, scale=1.0, seed=0):
    rng = np.random.default_rng(seed)
    return [np.asarray(scale * rng.standard_normal(s), dtype) for s in SHAPES]


def with_grads(lib, arrays, missing=(1,)):
    """Parameters holding ``arrays`` as gradients (those at the ``missing`` positions have none)."""
    params = []
    for i, g in enumerate(arrays):
        if lib == "ours":
            p = Tensor(np.zeros_like(g), requires_grad=True)
            if i not in missing:
                p.grad = Tensor(g.copy())
        else:
            torch = pytest.importorskip("torch")
            p = torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype, requires_grad=True)
            if i not in missing:
                p.grad = torch.from_numpy(g.copy())
        params.append(p)
    return params


def grad_arrays(params):
    return [None if p.grad is None else np.asarray(p.grad.numpy()) for p in params]


NORMS = [2.0, 1, 3, 0.5, math.inf, -math.inf, 0, -1.5, "inf"]


@pytest.mark.parametrize("norm_type", NORMS, ids=str)
@pytest.mark.parametrize("max_norm", [0.5, 1e3])  # clipping, and a bound that is not reached
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, dtype):
    torch = pytest.importorskip("torch")
    arrays = grads(dtype)
    ours, theirs = with_grads("ours", arrays), with_grads("torch", arrays)
    total = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    total_t = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert isinstance(total, Tensor) and total.shape == () and total.dtype == dtype
    tol = {"rtol": 1e-12} if dtype == np.float64 else {"rtol": 2e-6}
    np.testing.assert_allclose(total.item(), total_t.item(), **tol)
    for a, b in zip(grad_arrays(ours), grad_arrays(theirs)):
        if b is None:
            assert a is None
        else:
            assert a.dtype == dtype
            np.testing.assert_allclose(a, b, **tol)


def test_clipping_reaches_the_bound_and_keeps_directions():
    arrays = grads(np.float64, scale=10.0)
    params = with_grads("ours", arrays, missing=())
    before = get_total_norm([p.grad for p in params]).item()
    total = clip_grad_norm_(params, 1.0)
    assert total.item() == before > 1.0
    after = get_total_norm([p.grad for p in params]).item()
    assert after == pytest.approx(1.0, rel=1e-5)
    for p, g in zip(params, arrays):
        np.testing.assert_allclose(p.grad.numpy(), g * (1.0 / (before + 1e-6)), rtol=1e-12)


def test_gradients_are_scaled_in_place():
    p = Tensor(np.zeros(3), requires_grad=True)
    p.grad = Tensor(np.array([3.0, 4.0, 0.0]))
    grad, array = p.grad, p.grad.data
    clip_grad_norm_(p, 1.0)  # a single tensor is accepted, as in torch
    assert p.grad is grad and p.grad.data is array
    np.testing.assert_allclose(array, [0.6, 0.8, 0.0], rtol=1e-6)


def test_inf_norm_and_mixed_dtypes_like_torch():
    torch = pytest.importorskip("torch")
    arrays = [np.array([1.0, -7.0], np.float32), np.array([3.0, 2.0])]
    ours, theirs = with_grads("ours", arrays, ()), with_grads("torch", arrays, ())
    for norm in (math.inf, 2.0):
        t = clip_grad_norm_(ours, 2.0, norm)
        tt = torch.nn.utils.clip_grad_norm_(theirs, 2.0, norm)
        assert t.dtype == np.float64 and tt.dtype == torch.float64
        np.testing.assert_allclose(t.item(), tt.item(), rtol=1e-6)
    for a, b in zip(grad_arrays(ours), grad_arrays(theirs)):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_float16_gradients_are_summed_in_float32():
    torch = pytest.importorskip("torch")
    arrays = [np.full(1000, 300.0, np.float16)]  # sum of squares overflows float16
    ours, theirs = with_grads("ours", arrays, ()), with_grads("torch", arrays, ())
    total = clip_grad_norm_(ours, 1.0)
    total_t = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    assert total.dtype == np.float16 and np.isfinite(total.item())
    assert total.item() == total_t.item()
    np.testing.assert_allclose(grad_arrays(ours)[0], grad_arrays(theirs)[0], rtol=1e-3)


def test_no_gradients_gives_a_zero_norm_like_torch():
    p = Tensor(np.ones(2), requires_grad=True)
    assert clip_grad_norm_([p], 1.0).item() == 0.0
    with pytest.warns(UserWarning, match="empty generator"):
        assert clip_grad_norm_((q for q in []), 1.0).item() == 0.0


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_norm(bad):
    torch = pytest.importorskip("torch")
    arrays = [np.array([1.0, bad]), np.array([2.0])]
    ours = with_grads("ours", arrays, ())
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    assert grad_arrays(ours)[1][0] == 2.0  # the error leaves the gradients alone
    theirs = with_grads("torch", arrays, ())
    with pytest.raises(RuntimeError, match="non-finite"):
        torch.nn.utils.clip_grad_norm_(theirs, 1.0, error_if_nonfinite=True)
    # Without the flag: the same (NaN-filled) result as PyTorch.
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no NumPy RuntimeWarning
        total = clip_grad_norm_(ours, 1.0)
    total_t = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    np.testing.assert_equal(total.item(), total_t.item())
    for a, b in zip(grad_arrays(ours), grad_arrays(theirs)):
        np.testing.assert_array_equal(a, b)


def test_clip_grad_value_matches_torch():
    torch = pytest.importorskip("torch")
    arrays = grads(np.float32, scale=2.0)
    ours, theirs = with_grads("ours", arrays), with_grads("torch", arrays)
    assert clip_grad_value_(ours, 0.7) is None
    torch.nn.utils.clip_grad_value_(theirs, 0.7)
    for a, b in zip(grad_arrays(ours), grad_arrays(theirs)):
        if b is not None:
            assert a.dtype == np.float32 and np.abs(a).max() <= np.float32(0.7)
            np.testing.assert_array_equal(a, b)


BAD = [
    (lambda p: clip_grad_norm_(p, -1.0), ValueError, "max_norm must be >= 0"),
    (lambda p: clip_grad_norm_(p, float("nan")), ValueError, "max_norm must be >= 0"),
    (lambda p: clip_grad_norm_(p, "big"), TypeError, "max_norm must be a number"),
    (lambda p: clip_grad_norm_(p, 1.0, norm_type="fro"), TypeError, "norm_type must be a number"),
    (lambda p: clip_grad_norm_([*p, 3], 1.0), TypeError, "element 4 is int"),
    (lambda p: clip_grad_norm_(3, 1.0), TypeError, "a Tensor or an iterable of Tensors"),
    (lambda p: clip_grad_value_(p, -0.5), ValueError, "clip_value must be >= 0"),
    (lambda p: clip_grad_value_(p, None), TypeError, "clip_value must be a number"),
]


@pytest.mark.parametrize(("call", "error", "message"), BAD)
def test_bad_arguments_are_named_and_change_nothing(call, error, message):
    arrays = grads(np.float64, scale=5.0)
    params = with_grads("ours", arrays)
    with pytest.raises(error, match=message):
        call(params)
    for a, g in zip(grad_arrays(params), arrays):
        assert a is None or np.array_equal(a, g)


# -- parameters as a vector --------------------------------------------------------------------


def test_parameters_to_vector_matches_torch_and_is_differentiable():
    torch = pytest.importorskip("torch")
    tinygrad_edu.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    model.load_state_dict({k: v.detach().numpy() for k, v in tmodel.state_dict().items()})
    vec = parameters_to_vector(model.parameters())
    tvec = torch.nn.utils.parameters_to_vector(tmodel.parameters())
    np.testing.assert_array_equal(vec.numpy(), tvec.detach().numpy())
    weights = np.arange(vec.shape[0], dtype=np.float32)
    (vec * Tensor(weights)).sum().backward()
    (tvec * torch.from_numpy(weights)).sum().backward()
    for p, q in zip(model.parameters(), tmodel.parameters()):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())


def test_vector_to_parameters_round_trip_and_shares_memory_like_torch():
    model = nn.Linear(3, 2)
    vec = Tensor(np.arange(8, dtype=np.float32))
    vector_to_parameters(vec, model.parameters())
    np.testing.assert_array_equal(model.weight.numpy(), np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(model.bias.numpy(), [6, 7])
    np.testing.assert_array_equal(parameters_to_vector(model.parameters()).numpy(), vec.numpy())
    vec.data[0] = 100.0  # as in torch, the parameters are views of vec from now on
    assert model.weight.numpy()[0, 0] == 100.0
    optimizer = tinygrad_edu.optim.SGD(model.parameters(), lr=0.1)  # and can still be trained
    model(Tensor(np.ones((1, 3), np.float32))).sum().backward()
    optimizer.step()
    assert model.bias.numpy()[0] == pytest.approx(5.9)


@pytest.mark.parametrize(
    ("vec", "error", "message"),
    [
        (np.arange(8.0), TypeError, "expected torch.Tensor, but got: ndarray"),
        (Tensor(np.arange(7.0)), RuntimeError, "vec has 7 values, the parameters have 8"),
        (Tensor(np.arange(9.0)), RuntimeError, "vec has 9 values, the parameters have 8"),
        (Tensor(np.zeros((2, 4))), RuntimeError, r"vec must be 1-D, got shape \(2, 4\)"),
    ],
)
def test_vector_to_parameters_checks_before_changing(vec, error, message):
    model = nn.Linear(3, 2)
    before = [p.numpy().copy() for p in model.parameters()]
    with pytest.raises(error, match=message):
        vector_to_parameters(vec, model.parameters())
    for p, b in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.numpy(), b)


def test_import_paths_like_torch():
    from tinygrad_edu.nn.utils import clip_grad_norm_ as imported

    assert tinygrad_edu.nn.utils.clip_grad_norm_ is imported is clip_grad_norm_
    assert nn.utils.clip_grad.clip_grad_norm_ is clip_grad_norm_
    assert nn.utils.convert_parameters.parameters_to_vector is parameters_to_vector
    with pytest.warns(FutureWarning, match="deprecated"):
        nn.utils.clip_grad_norm([Tensor([1.0], requires_grad=True)], 1.0)
