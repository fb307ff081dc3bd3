"""optim: update rules against PyTorch's trajectories, param groups, state dicts, validation."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn, optim

STEPS = 25

SGD_CONFIGS = [
    {"lr": 0.1},
    {"lr": 0.1, "momentum": 0.9},
    {"lr": 0.05, "momentum": 0.9, "dampening": 0.3},
    {"lr": 0.05, "momentum": 0.8, "nesterov": True},
    {"lr": 0.1, "weight_decay": 0.1},
    {"lr": 0.05, "momentum": 0.9, "dampening": 0.5, "weight_decay": 0.01},
    {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.05},
    {"lr": 0.05, "momentum": 0.5, "maximize": True},
]
ADAM_CONFIGS = [
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.02, "betas": (0.5, 0.9), "eps": 1e-6, "weight_decay": 0.1, "amsgrad": True}),
    ("Adam", {"lr": 0.02, "maximize": True}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True}),
]
CONFIGS = [("SGD", c) for c in SGD_CONFIGS] + ADAM_CONFIGS


def problem(dtype):
    rng = np.random.default_rng(0)
    return {
        "w": rng.standard_normal((3, 4)).astype(dtype),
        "b": rng.standard_normal(3).astype(dtype),
        "x": rng.standard_normal((5, 4)).astype(dtype),
        "y": rng.standard_normal((5, 3)).astype(dtype),
    }


def loss_fn(w, b, x, y):
    """A small nonlinear regression, written with operators both libraries share."""
    out = (x @ w.T + b).tanh()
    return ((out - y) ** 2).sum() / 5.0 + (w**2).sum() * 0.01


def run(lib, name, config, dtype, steps=STEPS):
    """Parameters after each step, as NumPy arrays."""
    data = problem(dtype)
    if lib == "ours":
        make, opt_mod = (lambda a, g: Tensor(a, requires_grad=g)), optim
    else:
        torch = pytest.importorskip("torch")
        make, opt_mod = (lambda a, g: torch.tensor(a, requires_grad=g)), torch.optim
    w, b = make(data["w"], True), make(data["b"], True)
    x, y = make(data["x"], False), make(data["y"], False)
    opt = getattr(opt_mod, name)([w, b], **config)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(w, b, x, y).backward()
        opt.step()
        history.append([w.detach().numpy().copy(), b.detach().numpy().copy()])
    return history


@pytest.mark.parametrize(("name", "config"), CONFIGS, ids=lambda v: str(v))
def test_trajectory_matches_torch_float64(name, config):
    pytest.importorskip("torch")
    ours, theirs = run("ours", name, config, np.float64), run("torch", name, config, np.float64)
    start = problem(np.float64)["w"]
    assert not np.allclose(ours[-1][0], start)  # the parameters did move
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for p_ours, p_torch in zip(a, b):
            np.testing.assert_allclose(
                p_ours, p_torch, rtol=1e-10, atol=1e-12, err_msg=f"step {step}"
            )


@pytest.mark.parametrize(("name", "config"), CONFIGS[::2], ids=lambda v: str(v))
def test_trajectory_matches_torch_float32(name, config):
    pytest.importorskip("torch")
    ours, theirs = run("ours", name, config, np.float32), run("torch", name, config, np.float32)
    for a, b in zip(ours, theirs):
        for p_ours, p_torch in zip(a, b):
            assert p_ours.dtype == np.float32
            np.testing.assert_allclose(p_ours, p_torch, rtol=1e-4, atol=1e-5)


def test_sgd_first_steps_by_hand():
    p = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.5)
    p.grad = Tensor(np.array([1.0, 1.0]))
    opt.step()  # buffer = grad at the first step (no dampening)
    np.testing.assert_allclose(p.numpy(), [0.9, -2.1])
    opt.step()  # buffer = 0.9 * 1 + 0.5 * 1 = 1.4
    np.testing.assert_allclose(p.numpy(), [0.76, -2.24])
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"].numpy(), [1.4, 1.4])


def test_adam_first_step_is_lr_times_sign():
    p = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    opt = optim.Adam([p], lr=0.01)
    p.grad = Tensor(np.array([0.5, -3.0, 1e-3]))
    opt.step()  # m_hat = g, v_hat = g^2: the step is lr * g / (|g| + eps)
    np.testing.assert_allclose(p.numpy(), [0.99, -1.99, 2.99], rtol=1e-6)
    assert opt.state[p]["step"] == 1


def test_param_groups_have_their_own_hyper_parameters():
    torch = pytest.importorskip("torch")
    data = problem(np.float64)
    results = []
    for lib in (optim, torch.optim):
        make = Tensor if lib is optim else torch.tensor
        w, b = make(data["w"], requires_grad=True), make(data["b"], requires_grad=True)
        opt = lib.SGD([{"params": [w]}, {"params": [b], "lr": 0.5, "momentum": 0.5}], lr=0.1)
        assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[1]["lr"] == 0.5
        assert opt.param_groups[0]["momentum"] == 0 and opt.param_groups[1]["momentum"] == 0.5
        for _ in range(5):
            opt.zero_grad()
            loss_fn(w, b, make(data["x"]), make(data["y"])).backward()
            opt.step()
        results.append((w.detach().numpy(), b.detach().numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_add_param_group_and_duplicates():
    a, b = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert opt.param_groups[1]["betas"] == (0.9, 0.999)  # filled from the defaults
    with pytest.raises(ValueError, match="more than once"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([a, a], lr=0.1)


def test_parameters_without_grad_are_skipped():
    a, b = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    for opt in (optim.SGD([a, b], lr=0.1, momentum=0.9, weight_decay=0.1), optim.Adam([a, b])):
        a.grad = Tensor([1.0])
        opt.step()
        assert b.item() == 2.0 and b not in opt.state
        assert a.item() != 1.0


def test_zero_grad_and_in_place_float32_updates():
    model = nn.Linear(3, 2)
    arrays = [p.data for p in model.parameters()]
    opt = optim.AdamW(model.parameters(), lr=0.1, amsgrad=True)
    (model(Tensor(np.ones((4, 3), np.float32))) ** 2).sum().backward()
    opt.step()
    for p, array in zip(model.parameters(), arrays):
        assert p.data is array and p.dtype == np.float32  # updated in place, still float32
        assert all(v.dtype == np.float32 for k, v in opt.state[p].items() if k != "step")
    opt.zero_grad(set_to_none=False)
    assert all(not p.grad.numpy().any() for p in model.parameters())
    opt.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_step_bumps_the_version_so_stale_graphs_are_caught():
    w = Tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()


def test_closure_is_called_and_its_loss_returned():
    w = Tensor([3.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 9.0
    assert w.item() == pytest.approx(1.5)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: optim.SGD(p, lr=-0.1), "Invalid learning rate: -0.1"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=-1), "Invalid momentum"),
        (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "Nesterov momentum requires a momentum"),
        (
            lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
            "zero dampening",
        ),
        (lambda p: optim.SGD(p, lr=0.1, weight_decay=-1), "Invalid weight_decay"),
        (lambda p: optim.Adam(p, lr=-1), "Invalid learning rate"),
        (lambda p: optim.Adam(p, betas=(1.0, 0.999)), "beta parameter at index 0: 1.0"),
        (lambda p: optim.Adam(p, betas=(0.9, -0.1)), "beta parameter at index 1"),
        (lambda p: optim.Adam(p, eps=-1e-8), "Invalid epsilon"),
        (lambda p: optim.AdamW(p, weight_decay=-0.1), "Invalid weight_decay"),
        (lambda p: optim.SGD([], lr=0.1), "empty parameter list"),
    ],
)
def test_bad_hyper_parameters_are_named(make, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        make([Tensor([1.0], requires_grad=True)])


def test_bad_params_arguments():
    p = Tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {p}}], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([p * 2], lr=0.1)
    with pytest.raises(TypeError, match="only optimize Tensors"):
        optim.SGD([np.ones(2)], lr=0.1)


# -- state dicts -----------------------------------------------------------------------------


def _train(opt, w, b, data, steps):
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(w, b, Tensor(data["x"]), Tensor(data["y"])).backward()
        opt.step()


@pytest.mark.parametrize(("name", "config"), [CONFIGS[1], CONFIGS[-1], CONFIGS[9]], ids=str)
def test_state_dict_resumes_the_same_trajectory(name, config):
    data = problem(np.float64)
    w, b = Tensor(data["w"], requires_grad=True), Tensor(data["b"], requires_grad=True)
    opt = getattr(optim, name)([w, b], **config)
    _train(opt, w, b, data, 10)
    state = opt.state_dict()
    saved = [w.numpy().copy(), b.numpy().copy()]
    _train(opt, w, b, data, 5)  # the snapshot must not follow these steps
    w2, b2 = Tensor(saved[0], requires_grad=True), Tensor(saved[1], requires_grad=True)
    opt2 = getattr(optim, name)([w2, b2], lr=123.0)
    opt2.load_state_dict(state)
    assert opt2.param_groups[0]["lr"] == config["lr"]
    _train(opt2, w2, b2, data, 5)
    np.testing.assert_array_equal(w2.numpy(), w.numpy())
    np.testing.assert_array_equal(b2.numpy(), b.numpy())


def test_load_state_dict_checks_groups_and_shapes():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
    opt = optim.Adam([a, b])
    a.grad, b.grad = Tensor([1.0, 1.0]), Tensor([1.0])
    opt.step()
    state = opt.state_dict()
    with pytest.raises(ValueError, match="doesn't match the size"):
        optim.Adam([a]).load_state_dict(state)
    swapped = optim.Adam([b, a])
    with pytest.raises(
        ValueError, match=r"'exp_avg' has shape \(2,\), the parameter has shape \(1,\)"
    ):
        swapped.load_state_dict(state)
    assert swapped.state == {}  # nothing was loaded


def test_torch_optimizer_state_loads_and_continues_identically():
    torch = pytest.importorskip("torch")
    data = problem(np.float64)
    tw, tb = (
        torch.tensor(data["w"], requires_grad=True),
        torch.tensor(data["b"], requires_grad=True),
    )
    topt = torch.optim.Adam([tw, tb], lr=0.05, amsgrad=True)
    tx, ty = torch.tensor(data["x"]), torch.tensor(data["y"])
    for _ in range(5):
        topt.zero_grad()
        loss_fn(tw, tb, tx, ty).backward()
        topt.step()
    w = Tensor(tw.detach().numpy().copy(), requires_grad=True)
    b = Tensor(tb.detach().numpy().copy(), requires_grad=True)
    opt = optim.Adam([w, b])
    opt.load_state_dict(topt.state_dict())
    assert opt.param_groups[0]["lr"] == 0.05 and opt.param_groups[0]["amsgrad"]
    for _ in range(5):
        topt.zero_grad()
        loss_fn(tw, tb, tx, ty).backward()
        topt.step()
    _train(opt, w, b, data, 5)
    np.testing.assert_allclose(w.numpy(), tw.detach().numpy(), rtol=1e-10)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW"])
def test_hyperparameters_changed_between_steps_take_effect(name) -> None:
    # A scheduler writes param_groups[i]["lr"] between steps: the next step must use the new
    # value (the optimizers read a group's settings once per step, never once and for all).
    p = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    opt = getattr(optim, name)([p], lr=0.1, **({"momentum": 0.9} if name == "SGD" else {}))
    for lr in (0.1, 0.0, 0.1):
        opt.param_groups[0]["lr"] = lr
        opt.zero_grad()
        (p * p).sum().backward()
        before = p.numpy().copy()
        opt.step()
        moved = not np.array_equal(p.numpy(), before)
        assert moved == (lr != 0.0), (name, lr)
    if name == "SGD":  # momentum too: with momentum 0 the step is lr * g exactly
        opt.param_groups[0]["momentum"] = 0.0
        opt.zero_grad()
        (p * p).sum().backward()
        expected = p.numpy() - 0.1 * 2 * p.numpy()
        opt.step()
        np.testing.assert_allclose(p.numpy(), expected, rtol=1e-12)
