"""In-place ops: PyTorch's rules, version counters, and gradients through rebased history."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import leaf

import tinygrad_edu
from tinygrad_edu import Tensor, gradcheck, no_grad

# -- the check fires only when it should ------------------------------------------------------


def test_changing_a_saved_input_raises_at_backward_naming_op_and_versions() -> None:
    x = leaf([1.0, 2.0])
    y = x * 2.0
    z = y * y  # Mul saves y
    y.add_(1.0)
    with pytest.raises(RuntimeError) as e:
        z.sum().backward()
    msg = str(e.value)
    assert "Mul" in msg and "add_" in msg, msg
    assert "version is 1" in msg and "needs version 0" in msg, msg


def test_a_weight_changed_between_forward_and_backward_is_caught() -> None:
    # Nodes made after every in-place change skip the version check (function.py); this is the
    # case the check is for: an optimizer step (which bumps each weight's version) between a
    # forward and its backward, after the weight had been changed before the forward too.
    w = tinygrad_edu.nn.Parameter(Tensor(np.array([1.0, 2.0])))
    opt = tinygrad_edu.optim.SGD([w], lr=0.1)
    for changed_between in (False, True):
        loss = (w * w).sum()  # Mul saves w
        if changed_between:
            opt.step()
        if changed_between:
            with pytest.raises(RuntimeError, match="version is 2") as e:
                loss.backward()
            assert "SGD.step" in str(e.value) and "needs version 1" in str(e.value)
        else:
            loss.backward()  # nothing changed since the forward: no error
            opt.step()  # version 1: the next forward saves w at version 1


def test_changing_a_saved_output_raises_at_backward() -> None:
    for make in (Tensor.exp, Tensor.sigmoid, Tensor.tanh):
        x = leaf([0.5, -0.5])
        y = make(x)  # these backward formulas read their output
        y.mul_(2.0)
        with pytest.raises(RuntimeError, match="its output") as e:
            y.sum().backward()
        assert "mul_" in str(e.value)


def test_changing_a_saved_output_under_no_grad_raises_too() -> None:
    x = leaf([0.5])
    y = x.exp()
    with no_grad():
        y.zero_()
    with pytest.raises(RuntimeError, match="Exp"):
        y.sum().backward()


def test_changing_an_unsaved_tensor_is_fine_and_the_gradient_is_right() -> None:
    x = leaf([1.0, 2.0, 3.0])
    y = x * 3.0  # Mul saves x and the constant, not y
    y.add_(x)  # y = 3x + x
    y += 1.0
    loss = (y * y).sum()  # d/dx (4x + 1)^2 = 8 (4x + 1)
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), 8 * (4 * x.numpy() + 1))


def test_optimizer_style_update_under_no_grad_is_fine() -> None:
    w = leaf([1.0, -2.0])
    loss = (w * w).sum()
    loss.backward()
    with no_grad():
        w.sub_(w.grad, alpha=0.1)
        w -= 0.0  # augmented assignment is in place too
    np.testing.assert_allclose(w.numpy(), [0.8, -1.6])
    assert w.is_leaf and w.requires_grad
    w.grad = None
    (w * w).sum().backward()  # the next step's graph works on the updated value
    np.testing.assert_allclose(w.grad.numpy(), [1.6, -3.2])


def test_in_place_on_a_leaf_that_requires_grad_is_refused_in_grad_mode() -> None:
    w = leaf([1.0])
    for change in (
        lambda: w.add_(1.0),
        lambda: w.mul_(2.0),
        lambda: w.zero_(),
        lambda: w.fill_(3.0),
        lambda: w.copy_(Tensor([2.0])),
        lambda: w.clamp_(0.0, 1.0),
        lambda: w.__setitem__(0, 5.0),
    ):
        with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
            change()
    with pytest.raises(RuntimeError, match="leaf"):
        w += 1.0
    np.testing.assert_allclose(w.numpy(), [1.0])  # and nothing was changed
    assert w._version == 0


# -- every op, in place vs out of place ----------------------------------------------------------


CASES = [
    ("add_", lambda t, o: t.add_(o), lambda t, o: t + o),
    ("add_ alpha", lambda t, o: t.add_(o, alpha=-2.0), lambda t, o: t - 2.0 * o),
    ("sub_", lambda t, o: t.sub_(o), lambda t, o: t - o),
    ("mul_", lambda t, o: t.mul_(o), lambda t, o: t * o),
    ("div_", lambda t, o: t.div_(o), lambda t, o: t / o),
    ("iadd", lambda t, o: t.__iadd__(o), lambda t, o: t + o),
    ("isub", lambda t, o: t.__isub__(o), lambda t, o: t - o),
    ("imul", lambda t, o: t.__imul__(o), lambda t, o: t * o),
    ("itruediv", lambda t, o: t.__itruediv__(o), lambda t, o: t / o),
    ("copy_", lambda t, o: t.copy_(o), lambda t, o: o * 1.0 + t * 0.0),
]


@pytest.mark.parametrize("name, in_place, out_of_place", CASES, ids=[c[0] for c in CASES])
def test_in_place_gives_the_out_of_place_values_and_gradients(
    name: str, in_place, out_of_place
) -> None:
    rng = np.random.default_rng(0)
    a, b = rng.uniform(0.5, 2.0, (2, 3)), rng.uniform(0.5, 2.0, (3,))  # b broadcasts

    def f(x: Tensor, y: Tensor) -> Tensor:
        t = x * 1.5  # a non-leaf with history (Mul saves x, not t)
        before = t._version
        out = in_place(t, y)
        assert out is t and t._version == before + 1
        return t * x

    def g(x: Tensor, y: Tensor) -> Tensor:
        return out_of_place(x * 1.5, y) * x

    x, y = leaf(a), leaf(b)
    np.testing.assert_allclose(f(x, y).numpy(), g(x, y).numpy())
    assert gradcheck(f, [x, y])


def test_clamp_fill_zero_and_setitem_gradients() -> None:
    x = leaf([-2.0, -0.5, 0.5, 2.0])
    v = leaf([7.0])

    def clamp(x: Tensor) -> Tensor:
        t = x * 1.0
        return t.clamp_(-1.0, 1.0) * x

    def setitem(x: Tensor, v: Tensor) -> Tensor:
        t = x * 2.0
        t[1:3] = v * v  # v broadcasts into two places
        return t * x

    def fill(x: Tensor) -> Tensor:
        t = x * 2.0
        t.fill_(3.0)  # the history before is gone: no gradient through t
        return t * x

    assert gradcheck(clamp, [x])
    assert gradcheck(setitem, [x, v])
    assert gradcheck(fill, [x])
    np.testing.assert_allclose(setitem(x, v).numpy(), [-2.0 * 2 * -2, 49 * -0.5, 49 * 0.5, 8.0])
    x.grad = None
    t = x * 2.0
    t.zero_()
    (t * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.zeros(4))


def test_setitem_on_a_plain_tensor_brings_it_into_the_graph() -> None:
    v = leaf([1.0, 2.0])
    buf = tinygrad_edu.zeros(2, 3, dtype=np.float64)
    buf[:, 1] = v
    assert buf.requires_grad and not buf.is_leaf
    (buf * buf).sum().backward()
    np.testing.assert_allclose(v.grad.numpy(), 2 * v.numpy())
    np.testing.assert_allclose(buf.numpy()[:, 1], [1.0, 2.0])


def test_in_place_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    a = np.array([0.3, -1.2, 2.5])

    def run(lib_tensor, x):
        y = x.sigmoid() * 2.0
        y.mul_(x)
        y.add_(1.0)
        y[0] = x[1] * 3.0
        y.clamp_(min=0.0)
        y /= 2.0
        return (y * y).sum()

    x = leaf(a)
    run(Tensor, x).backward()
    xt = torch.tensor(a, requires_grad=True)
    run(torch.tensor, xt).backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-12)


def _uses_before_and_after(x):
    """Ops that read t before it changes in place (no saved tensors: Add, Neg) and after."""
    t = x * 1.0
    before = -(t + 2.0)  # recorded before the in-place ops: these read t's old value
    t.mul_(3.0)
    t.add_(x)  # two rebases: the old value is two stand-ins back
    return (before * 5.0 + t * t).sum()


def test_nodes_recorded_before_an_in_place_change_get_the_old_value_s_gradient() -> None:
    x = leaf([0.5, -1.5, 2.0])
    _uses_before_and_after(x).backward()
    # before = -(x + 2), t = 3x + x = 4x: loss = sum(-5 (x + 2) + 16 x^2)
    np.testing.assert_allclose(x.grad.numpy(), -5 + 32 * x.numpy())
    assert gradcheck(_uses_before_and_after, (leaf([0.5, -1.5, 2.0]),))


def test_a_plain_tensor_brought_into_the_graph_sends_nothing_to_its_earlier_uses() -> None:
    x = leaf([1.0, 2.0])
    t = Tensor(np.zeros(2))
    early = t + x  # recorded (x needs a gradient) while t needed none: t's edge is dead
    t.add_(x)
    (early + t * t).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1 + 2 * x.numpy())


def test_uses_before_an_in_place_change_match_torch() -> None:
    torch = pytest.importorskip("torch")
    a = np.array([0.5, -1.5, 2.0])
    x, xt = leaf(a), torch.tensor(a, requires_grad=True)
    _uses_before_and_after(x).backward()
    _uses_before_and_after(xt).backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-12)


# -- versions, dtypes, shapes, views ---------------------------------------------------------


def test_detach_shares_data_and_version_counter() -> None:
    x = leaf([1.0, 2.0])
    y = x * 1.0
    z = y * y  # saves y
    d = y.detach()
    d.zero_()
    np.testing.assert_allclose(y.numpy(), [0.0, 0.0])  # same data, as in PyTorch
    assert y._version == d._version == 1
    with pytest.raises(RuntimeError, match="zero_"):
        z.sum().backward()


def test_float32_stays_float32_and_bad_dtypes_or_shapes_are_named() -> None:
    y = Tensor([1.0, 2.0]) * 1.0
    y += 0.5
    y *= Tensor(np.array([2.0, 2.0]))  # float64 other: stored as float32, as in PyTorch
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), [3.0, 5.0])
    n = Tensor(np.array([1, 2]))
    with pytest.raises(RuntimeError, match="int64"):
        n /= 2
    with pytest.raises(RuntimeError, match=r"shape \(2, 2\).*shape \(2,\)"):
        y.add_(tinygrad_edu.ones(2, 2))
    with pytest.raises(RuntimeError, match="setitem"):
        y[0:2] = tinygrad_edu.ones(3)


def test_version_counts_every_in_place_change() -> None:
    t = tinygrad_edu.zeros(3)
    assert t._version == 0
    t.add_(1.0)
    t[0] = 2.0
    t.fill_(0.0)
    t += 1.0
    assert t._version == 4
    assert (t * 1.0)._version == 0  # a new tensor starts at 0
