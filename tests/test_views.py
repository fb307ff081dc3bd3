"""Views share memory with their base, as in PyTorch, and in-place changes through either side are
seen by the other: in values, in version counters, and in the gradients backward computes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import Tensor, gradcheck, no_grad

VIEWS: dict[str, Callable[[Any], Any]] = {
    "int": lambda t: t[1],
    "slice": lambda t: t[:, 1:],
    "step": lambda t: t[::2],
    "none-ellipsis": lambda t: t[None, ..., 0],
    "view": lambda t: t.view(-1),
    "reshape": lambda t: t.reshape(2, 6),
    "transpose": lambda t: t.transpose(0, 1),
    "T": lambda t: t.T,
    "permute": lambda t: t.permute(1, 0),
    "squeeze-unsqueeze": lambda t: t.unsqueeze(0).squeeze(0),
    "flatten": lambda t: t.flatten(),
    "view-of-view": lambda t: t[1:].T[0],
}
COPIES: dict[str, Callable[[Any], Any]] = {
    "index-list": lambda t: t[[0, 2]],
    "index-array": lambda t: t[:, np.array([1, 1])],
    "mask": lambda t: t[t > 5],
}


def base() -> Tensor:
    return Tensor(np.arange(12.0).reshape(3, 4))


@pytest.mark.parametrize("make", VIEWS.values(), ids=VIEWS.keys())
def test_views_share_memory_both_ways_under_no_grad(make) -> None:
    b = base()
    v = make(b)
    assert np.shares_memory(v.numpy(), b.numpy())
    with no_grad():
        v.mul_(10.0)  # what initialisation code does to w[0], w.view(-1), w.T
    np.testing.assert_array_equal(make(Tensor(b.numpy().copy())).numpy(), v.numpy())
    expected = np.arange(12.0).reshape(3, 4)
    make(tinygrad_edu.from_numpy(expected)).numpy()[...] *= 10.0  # the same region, in NumPy
    np.testing.assert_array_equal(b.numpy(), expected)
    b.add_(1.0)  # the other direction: nothing requires grad, so it is written in place
    np.testing.assert_array_equal(v.numpy(), make(Tensor(expected + 1.0)).numpy())
    assert v._version == b._version == 2


@pytest.mark.parametrize("make", COPIES.values(), ids=COPIES.keys())
def test_index_tensors_lists_and_masks_copy(make) -> None:
    b = base()
    c = make(b)
    assert not np.shares_memory(c.numpy(), b.numpy())
    before = c.numpy().copy()
    b.mul_(0.0)
    np.testing.assert_array_equal(c.numpy(), before)


def test_a_parameter_initialised_through_views() -> None:
    w = tinygrad_edu.nn.Parameter(tinygrad_edu.ones(2, 3))
    with no_grad():
        w[0].zero_()
        w.view(-1).mul_(5.0)
        w.T.add_(1.0)
    np.testing.assert_array_equal(w.numpy(), [[1.0, 1.0, 1.0], [6.0, 6.0, 6.0]])


def test_in_place_on_a_view_of_a_leaf_that_requires_grad_is_refused() -> None:
    w = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="view of a leaf"):
        w[0].mul_(2.0)
    np.testing.assert_array_equal(w.numpy(), np.ones(3))


def test_writing_through_expand_is_refused() -> None:
    e = Tensor(np.ones(3)).expand(2, 3)
    with pytest.raises(RuntimeError, match="read-only"):
        e.add_(1.0)


def test_view_that_needs_a_copy_is_refused_as_in_pytorch() -> None:
    t = base().T
    with pytest.raises(RuntimeError, match="reshape"):
        t.view(12)
    assert t.reshape(12).shape == (12,)  # reshape copies where it must


# -- gradients through in-place changes of views and bases ---------------------------------------

Scenario = Callable[[Any, Any], Any]


def _through_view(lib: Any, x: Any) -> Any:
    y = x * 1.0
    v = y[1]  # a view of y
    v.mul_(3.0)  # changes y's row 1: y is rebased
    return (y * y).sum() + v.sum()


def _through_base(lib: Any, x: Any) -> Any:
    y = x * 2.0
    v = y[:, 1:]
    w = v * 3.0  # read v before the change: its gradient flows through the old history
    y.add_(x)  # v's values change with y's
    return (w * w).sum() + (v * v).sum() + y.sum()


def _transpose_then_setitem(lib: Any, x: Any) -> Any:
    y = x * 1.0
    t = y.T
    t[0] = t[0] * 2.0  # x[:, 0] doubled, through the transpose
    return (y * x).sum()


def _chain_of_views(lib: Any, x: Any) -> Any:
    y = x.clone()
    v = y.reshape(-1)[2:5]
    v.add_(x.reshape(-1)[:3])
    return (y * y).sum()


SCENARIOS = {
    "through-view": _through_view,
    "through-base": _through_base,
    "transpose-setitem": _transpose_then_setitem,
    "chain-of-views": _chain_of_views,
}


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_gradients_through_in_place_view_changes_match_finite_differences(scenario) -> None:
    x = Tensor(np.random.default_rng(0).uniform(0.5, 1.5, (3, 4)), requires_grad=True)
    assert gradcheck(lambda t: scenario(None, t), [x])


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_gradients_through_in_place_view_changes_match_torch(scenario) -> None:
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(1).uniform(0.5, 1.5, (3, 4))
    ours = Tensor(data, requires_grad=True)
    theirs = torch.tensor(data, requires_grad=True)
    out_ours, out_theirs = scenario(tinygrad_edu, ours), scenario(torch, theirs)
    np.testing.assert_allclose(out_ours.item(), out_theirs.item(), rtol=1e-12)
    out_ours.backward()
    out_theirs.backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)


def test_a_view_saved_for_backward_then_changed_through_its_base_is_caught() -> None:
    x = Tensor(np.ones(4), requires_grad=True)
    y = x * 2.0
    v = y[:2]
    z = v * v  # Mul saves v
    y.add_(1.0)  # changes v's values (and its version)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        z.sum().backward()
