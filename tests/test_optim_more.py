"""RMSprop, Adagrad, NAdam, RAdam against PyTorch's trajectories and state dicts; and the
optimizers' bad-input rules: everything checked before anything changes, NaN refused, clear
errors for the usual mistakes."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import Tensor, nn, optim

STEPS = 60  # long enough for RAdam to leave its warm-up (rho_t > 5) with beta2 = 0.999

CONFIGS = [
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-6}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.005, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.005, "momentum": 0.8, "centered": True, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "weight_decay": 0.05, "maximize": True}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-6}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1, "maximize": True}),
    ("NAdam", {}),
    ("NAdam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6}),
    ("NAdam", {"lr": 0.01, "momentum_decay": 0.02}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("NAdam", {"lr": 0.01, "maximize": True}),
    ("RAdam", {}),
    ("RAdam", {"lr": 0.01, "betas": (0.7, 0.9)}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {"lr": 0.01, "maximize": True, "eps": 1e-4}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
]
NEW = ["RMSprop", "Adagrad", "NAdam", "RAdam"]


def problem(dtype):
    rng = np.random.default_rng(0)
    return {
        "w": rng.standard_normal((3, 4)).astype(dtype),
        "b": rng.standard_normal(3).astype(dtype),
        "x": rng.standard_normal((5, 4)).astype(dtype),
        "y": rng.standard_normal((5, 3)).astype(dtype),
    }


def loss_fn(w, b, x, y):
    out = (x @ w.T + b).tanh()
    return ((out - y) ** 2).sum() / 5.0 + (w**2).sum() * 0.01


def library(lib):
    if lib == "ours":
        return (lambda a, g=False: Tensor(a, requires_grad=g)), optim
    torch = pytest.importorskip("torch")
    return (lambda a, g=False: torch.tensor(a, requires_grad=g)), torch.optim


def train(opt, w, b, x, y, steps, history=None):
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(w, b, x, y).backward()
        opt.step()
        if history is not None:
            history.append([w.detach().numpy().copy(), b.detach().numpy().copy()])


def run(lib, name, config, dtype, steps=STEPS):
    """Parameters after each step (two param groups: the second with its own lr)."""
    make, opt_mod = library(lib)
    data = problem(dtype)
    w, b = make(data["w"], True), make(data["b"], True)
    groups = [{"params": [w]}, {"params": [b], "lr": 0.02}]
    opt = getattr(opt_mod, name)(groups, **config)
    history: list = []
    train(opt, w, b, make(data["x"]), make(data["y"]), steps, history)
    return history, opt


@pytest.mark.parametrize(("name", "config"), CONFIGS, ids=str)
def test_trajectory_matches_torch_float64(name, config):
    pytest.importorskip("torch")
    ours, _ = run("ours", name, config, np.float64)
    theirs, _ = run("torch", name, config, np.float64)
    assert not np.allclose(ours[-1][0], problem(np.float64)["w"])  # the parameters did move
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for p_ours, p_torch in zip(a, b):
            np.testing.assert_allclose(
                p_ours, p_torch, rtol=1e-10, atol=1e-12, err_msg=f"step {step}"
            )


@pytest.mark.parametrize(("name", "config"), CONFIGS[::3], ids=str)
def test_trajectory_matches_torch_float32(name, config):
    pytest.importorskip("torch")
    ours, opt = run("ours", name, config, np.float32, steps=25)
    theirs, _ = run("torch", name, config, np.float32, steps=25)
    for a, b in zip(ours, theirs):
        for p_ours, p_torch in zip(a, b):
            assert p_ours.dtype == np.float32
            np.testing.assert_allclose(p_ours, p_torch, rtol=1e-4, atol=1e-5)
    for state in opt.state.values():  # the state stays float32 too
        assert all(v.dtype == np.float32 for v in state.values() if isinstance(v, Tensor))


def test_radam_takes_both_branches():
    # rho_t <= 5 for the first steps (plain momentum), > 5 after: the test above covers both.
    beta2 = 0.999
    rho_inf = 2 / (1 - beta2) - 1
    rho = [rho_inf - 2 * t * beta2**t / (1 - beta2**t) for t in range(1, STEPS + 1)]
    assert rho[0] <= 5 < rho[-1]


@pytest.mark.parametrize("default", [np.float32, np.float64])
def test_nadam_mu_product_rounds_like_torch(default):
    # PyTorch keeps mu_product as a 0-d tensor of its scalar dtype (float32 unless the default
    # dtype is float64), rounding it every step: the trajectories only agree if we do too.
    torch = pytest.importorskip("torch")
    saved = tinygrad_edu.get_default_dtype(), torch.get_default_dtype()
    tinygrad_edu.set_default_dtype(default)
    torch.set_default_dtype(torch.float64 if default == np.float64 else torch.float32)
    try:
        _, ours = run("ours", "NAdam", {"lr": 0.01}, np.float64, steps=30)
        _, theirs = run("torch", "NAdam", {"lr": 0.01}, np.float64, steps=30)
    finally:
        tinygrad_edu.set_default_dtype(saved[0])
        torch.set_default_dtype(saved[1])
    for p_ours, p_torch in zip(ours.state.values(), theirs.state.values()):
        mu_ours, mu_torch = p_ours["mu_product"], p_torch["mu_product"]
        assert mu_ours.dtype == default
        assert mu_ours.item() == mu_torch.item()


@pytest.mark.parametrize("name", NEW)
def test_defaults_and_param_group_keys_match_torch(name):
    torch = pytest.importorskip("torch")
    ours = getattr(optim, name)([Tensor([1.0], requires_grad=True)])
    theirs = getattr(torch.optim, name)([torch.tensor([1.0], requires_grad=True)])
    assert ours.defaults == theirs.defaults
    assert ours.state_dict()["param_groups"] == theirs.state_dict()["param_groups"]


def test_existing_optimizers_group_keys_match_torch():
    torch = pytest.importorskip("torch")
    for name in ["SGD", "Adam", "AdamW"]:
        ours = getattr(optim, name)([Tensor([1.0], requires_grad=True)])
        theirs = getattr(torch.optim, name)([torch.tensor([1.0], requires_grad=True)])
        assert ours.state_dict()["param_groups"] == theirs.state_dict()["param_groups"], name


def test_plain_sgd_keeps_no_state_like_torch():
    pytest.importorskip("torch")
    states = []
    for make, opt_mod in (library("ours"), library("torch")):
        p = make(np.array([1.0, 2.0]), True)
        opt = opt_mod.SGD([p], lr=0.1)
        (p * p).sum().backward()
        opt.step()
        states.append(opt.state_dict()["state"])
    assert states[0] == states[1] == {}


def test_adagrad_state_exists_before_any_step_as_in_torch():
    torch = pytest.importorskip("torch")
    ours = optim.Adagrad([Tensor([1.0, 2.0], requires_grad=True)], initial_accumulator_value=0.3)
    theirs = torch.optim.Adagrad(
        [torch.tensor([1.0, 2.0], requires_grad=True)], initial_accumulator_value=0.3
    )
    (o,), (t,) = ours.state_dict()["state"].values(), theirs.state_dict()["state"].values()
    assert o.keys() == t.keys() and o["step"] == t["step"].item() == 0
    np.testing.assert_array_equal(o["sum"].numpy(), t["sum"].numpy())


def test_adagrad_param_group_added_later_gets_its_state():
    a, b = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    opt = optim.Adagrad([a], lr=0.1)
    opt.add_param_group({"params": [b], "initial_accumulator_value": 1.0})
    a.grad, b.grad = Tensor([1.0]), Tensor([1.0])
    opt.step()
    assert opt.state[b]["step"] == 1
    np.testing.assert_allclose(opt.state[b]["sum"].numpy(), [2.0])  # 1.0 + g^2
    np.testing.assert_allclose(b.numpy(), [2.0 - 0.1 / (np.sqrt(2.0) + 1e-10)], rtol=1e-6)


def test_rmsprop_momentum_switched_on_between_steps():
    # OneCycleLR (or a user) may turn momentum on after the state was made without a buffer.
    p = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = optim.RMSprop([p], lr=0.01)
    for momentum in (0.0, 0.9, 0.9):
        opt.param_groups[0]["momentum"] = momentum
        opt.param_groups[0]["centered"] = momentum > 0
        opt.zero_grad()
        (p * p).sum().backward()
        opt.step()
    assert {"momentum_buffer", "grad_avg"} <= opt.state[p].keys()


# -- state dicts -----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "config"), [CONFIGS[4], CONFIGS[8], CONFIGS[14], CONFIGS[19]])
def test_state_dict_resumes_the_same_trajectory(name, config):
    make, _ = library("ours")
    data = problem(np.float64)
    x, y = make(data["x"]), make(data["y"])
    w, b = make(data["w"], True), make(data["b"], True)
    opt = getattr(optim, name)([w, b], **config)
    train(opt, w, b, x, y, 10)
    state = opt.state_dict()
    saved = [w.numpy().copy(), b.numpy().copy()]
    train(opt, w, b, x, y, 5)  # the snapshot must not follow these steps
    w2, b2 = make(saved[0], True), make(saved[1], True)
    opt2 = getattr(optim, name)([w2, b2], lr=123.0)
    opt2.load_state_dict(state)
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    train(opt2, w2, b2, x, y, 5)
    # Bit for bit, except NAdam: loading casts its float32 mu_product to the parameter's dtype,
    # as PyTorch's load_state_dict does, so the resumed run rounds it differently.
    tol = {"rtol": 1e-10, "atol": 1e-12} if name == "NAdam" else {"rtol": 0, "atol": 0}
    np.testing.assert_allclose(w2.numpy(), w.numpy(), **tol)
    np.testing.assert_allclose(b2.numpy(), b.numpy(), **tol)


@pytest.mark.parametrize(("name", "config"), [CONFIGS[4], CONFIGS[9], CONFIGS[14], CONFIGS[20]])
def test_torch_state_dict_loads_and_continues_identically(name, config):
    torch = pytest.importorskip("torch")
    _, topt = run("torch", name, config, np.float64, steps=8)
    tw, tb = (p for g in topt.param_groups for p in g["params"])
    w = Tensor(tw.detach().numpy().copy(), requires_grad=True)
    b = Tensor(tb.detach().numpy().copy(), requires_grad=True)
    opt = getattr(optim, name)([{"params": [w]}, {"params": [b]}])
    torch_state = topt.state_dict()
    opt.load_state_dict(torch_state)
    assert opt.state_dict()["state"].keys() == torch_state["state"].keys()
    for group, tgroup in zip(opt.param_groups, topt.param_groups):
        assert {k: v for k, v in group.items() if k != "params"} == {
            k: v for k, v in tgroup.items() if k != "params"
        }
    data = problem(np.float64)
    train(topt, tw, tb, torch.tensor(data["x"]), torch.tensor(data["y"]), 6)
    train(opt, w, b, Tensor(data["x"]), Tensor(data["y"]), 6)
    np.testing.assert_allclose(w.numpy(), tw.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.numpy(), tb.detach().numpy(), rtol=1e-10, atol=1e-12)
    ours_state, their_state = opt.state_dict()["state"], topt.state_dict()["state"]
    assert {k: list(v) for k, v in ours_state.items()} == {
        k: list(v) for k, v in their_state.items()
    }
    for k, v in their_state.items():
        assert ours_state[k]["step"] == v["step"].item() == 14


def test_named_parameters_are_accepted_as_in_torch():
    torch = pytest.importorskip("torch")
    ours = optim.SGD(nn.Linear(2, 1).named_parameters(), lr=0.1)
    theirs = torch.optim.SGD(torch.nn.Linear(2, 1).named_parameters(), lr=0.1)
    assert ours.state_dict()["param_groups"] == theirs.state_dict()["param_groups"]
    assert all(isinstance(p, Tensor) for p in ours.param_groups[0]["params"])
    with pytest.raises(ValueError, match="with/without names"):
        optim.SGD([("w", Tensor([1.0], requires_grad=True)), Tensor([1.0], requires_grad=True)])


# -- hyper-parameter validation ----------------------------------------------------------------

NAN = float("nan")
BAD = [
    # (optimizer, arguments, error class, message, does torch raise the same?)
    ("RMSprop", {"lr": -0.1}, ValueError, "Invalid learning rate: -0.1", True),
    ("RMSprop", {"alpha": -0.5}, ValueError, "Invalid alpha value: -0.5", True),
    ("RMSprop", {"momentum": -1}, ValueError, "Invalid momentum value: -1", True),
    ("RMSprop", {"eps": NAN}, ValueError, "Invalid epsilon value: nan", True),
    ("RMSprop", {"weight_decay": -1e-3}, ValueError, "Invalid weight_decay value", True),
    ("Adagrad", {"lr": NAN}, ValueError, "Invalid learning rate: nan", True),
    ("Adagrad", {"lr_decay": -1}, ValueError, "Invalid lr_decay value: -1", True),
    ("Adagrad", {"initial_accumulator_value": -1}, ValueError, "initial_accumulator_value", True),
    ("Adagrad", {"eps": -1}, ValueError, "Invalid epsilon value: -1", True),
    ("Adagrad", {"weight_decay": NAN}, ValueError, "Invalid weight_decay value: nan", True),
    ("NAdam", {"lr": NAN}, ValueError, "Invalid learning rate: nan", True),
    ("NAdam", {"betas": (1.0, 0.9)}, ValueError, "Invalid beta parameter at index 0: 1.0", True),
    ("NAdam", {"betas": (0.9, NAN)}, ValueError, "Invalid beta parameter at index 1: nan", True),
    ("NAdam", {"momentum_decay": -1}, ValueError, "Invalid momentum_decay value: -1", True),
    ("NAdam", {"weight_decay": -1}, ValueError, "Invalid weight_decay value: -1", True),
    ("RAdam", {"eps": NAN}, ValueError, "Invalid epsilon value: nan", True),
    ("RAdam", {"betas": (0.9, 1.5)}, ValueError, "Invalid beta parameter at index 1: 1.5", True),
    ("RAdam", {"weight_decay": NAN}, ValueError, "Invalid weight_decay value: nan", True),
    ("Adam", {"lr": NAN}, ValueError, "Invalid learning rate: nan", True),
    ("Adam", {"eps": NAN}, ValueError, "Invalid epsilon value: nan", True),
    ("Adam", {"weight_decay": NAN}, ValueError, "Invalid weight_decay value: nan", True),
    ("AdamW", {"lr": NAN}, ValueError, "Invalid learning rate: nan", True),
    ("AdamW", {"weight_decay": NAN}, ValueError, "Invalid weight_decay value: nan", True),
    ("Adam", {"betas": 0.9}, TypeError, r"betas must be a pair \(beta1, beta2\)", True),
    ("NAdam", {"betas": 0.9}, TypeError, r"betas must be a pair \(beta1, beta2\)", True),
    ("Adam", {"betas": (0.9,)}, ValueError, "betas must be a pair", False),  # torch: IndexError
    ("Adam", {"lr": "0.1"}, TypeError, "lr must be a real number, got str", True),
    ("SGD", {"lr": NAN}, ValueError, "Invalid learning rate: nan", False),  # torch takes it
    ("SGD", {"lr": 0.1, "momentum": NAN}, ValueError, "Invalid momentum value: nan", False),
    ("RMSprop", {"differentiable": True}, ValueError, "differentiable=True", False),
]


@pytest.mark.parametrize(("name", "kwargs", "error", "message", "torch_too"), BAD, ids=str)
def test_bad_hyper_parameters_are_refused(name, kwargs, error, message, torch_too):
    with pytest.raises(error, match=message):
        getattr(optim, name)([Tensor([1.0], requires_grad=True)], **kwargs)
    if torch_too:  # the same class as PyTorch's
        torch = pytest.importorskip("torch")
        with pytest.raises(error):
            getattr(torch.optim, name)([torch.tensor([1.0], requires_grad=True)], **kwargs)


def test_kernel_choices_are_accepted_and_change_nothing():
    p = Tensor([1.0], requires_grad=True)
    optim.RMSprop([p], foreach=False, capturable=False)
    optim.Adagrad([p], foreach=True, fused=None)
    optim.Adam([p], fused=True, foreach=False, capturable=True)
    optim.SGD([p], lr=0.1, foreach=True, fused=False)


# -- the bad-input issue: nothing half-changed ---------------------------------------------------


@pytest.mark.parametrize("name", ["SGD", "Adam", *NEW])
def test_a_bad_gradient_later_in_the_list_changes_nothing(name):
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = Tensor(np.array([3.0, 4.0, 5.0]), requires_grad=True)
    opt = getattr(optim, name)([a, b], lr=0.1, **({"momentum": 0.9} if name == "SGD" else {}))
    (a.sum() + b.sum()).backward()
    opt.step()  # one good step, so there is state to keep intact
    before = {
        p: {k: np.copy(getattr(v, "data", v)) for k, v in s.items()} for p, s in opt.state.items()
    }
    a_before = a.numpy().copy()
    b.data = np.zeros(4)  # the parameter was resized after backward: its gradient no longer fits
    with pytest.raises(RuntimeError, match=r"parameter 1 has shape \(4,\) but its gradient has"):
        opt.step()
    np.testing.assert_array_equal(a.numpy(), a_before)
    for p, saved in before.items():
        for k, v in saved.items():
            np.testing.assert_array_equal(getattr(opt.state[p][k], "data", opt.state[p][k]), v)


@pytest.mark.parametrize("name", ["SGD", "Adam", *NEW])
def test_a_read_only_parameter_is_refused_when_the_optimizer_is_built(name):
    # expand() makes a broadcast view: one memory cell for several elements, read-only.
    ok = Tensor([1.0], requires_grad=True)
    view = Tensor(np.array([1.0, 2.0])).expand(3, 2).requires_grad_()
    assert view.is_leaf
    with pytest.raises(RuntimeError, match=r"parameter 1 \(shape \(3, 2\)\).*read-only view"):
        getattr(optim, name)([ok, view], lr=0.1)
    opt = getattr(optim, name)([ok], lr=0.1)
    with pytest.raises(RuntimeError, match="read-only"):
        opt.add_param_group({"params": [view]})
    assert len(opt.param_groups) == 1


def test_a_parameter_made_read_only_later_is_refused_before_any_change():
    a, b = Tensor([1.0], requires_grad=True), Tensor([2.0, 3.0], requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    (a.sum() + b.sum()).backward()
    b.data = np.broadcast_to(np.array([2.0]), (2,))
    with pytest.raises(RuntimeError, match="parameter 1"):
        opt.step()
    assert a.item() == 1.0 and opt.state == {}


def _adam_state():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad, b.grad = Tensor([1.0, 1.0]), Tensor([1.0])
    opt.step()
    return opt, a, b


@pytest.mark.parametrize("missing", ["step", "exp_avg", "exp_avg_sq"])
def test_load_state_dict_with_a_missing_key_is_refused_and_changes_nothing(missing):
    opt, _, _ = _adam_state()
    state = opt.state_dict()
    del state["state"][1][missing]
    state["param_groups"][0]["lr"] = 0.5
    fresh = optim.Adam([Tensor([0.0, 0.0], requires_grad=True), Tensor([0.0], requires_grad=True)])
    with pytest.raises(ValueError, match=rf"parameter 1 is missing '{missing}'"):
        fresh.load_state_dict(state)
    assert fresh.state == {} and fresh.param_groups[0]["lr"] == 1e-3


def test_load_state_dict_checks_amsgrad_needs_its_maximum():
    opt, _, _ = _adam_state()
    state = opt.state_dict()
    state["param_groups"][0]["amsgrad"] = True  # but the saved state has no max_exp_avg_sq
    with pytest.raises(ValueError, match="parameter 0 is missing 'max_exp_avg_sq'"):
        optim.Adam(
            [Tensor([0.0, 0.0], requires_grad=True), Tensor([0.0], requires_grad=True)]
        ).load_state_dict(state)


def test_sgd_state_into_adam_is_refused():
    a = Tensor([1.0, 2.0], requires_grad=True)
    sgd = optim.SGD([a], lr=0.1, momentum=0.9)
    a.grad = Tensor([1.0, 1.0])
    sgd.step()
    adam = optim.Adam([Tensor([1.0, 2.0], requires_grad=True)])
    with pytest.raises(ValueError, match="parameter 0 is missing 'step'"):
        adam.load_state_dict(sgd.state_dict())
    state = sgd.state_dict()
    state["state"][0].update(step=1, exp_avg=np.zeros(2), exp_avg_sq=np.zeros(2))
    with pytest.raises(ValueError, match="parameter 0 has an unexpected key 'momentum_buffer'"):
        adam.load_state_dict(state)
    assert adam.state == {}


def test_load_state_dict_refuses_bad_hyper_parameters_and_changes_nothing():
    opt, _, _ = _adam_state()
    state = opt.state_dict()
    state["param_groups"][0]["lr"] = float("nan")
    other, _, _ = _adam_state()
    kept = other.state_dict()
    with pytest.raises(ValueError, match="Invalid learning rate: nan"):
        other.load_state_dict(state)
    assert other.param_groups[0]["lr"] == kept["param_groups"][0]["lr"]
    np.testing.assert_array_equal(
        next(iter(other.state.values()))["exp_avg"].numpy(), kept["state"][0]["exp_avg"].numpy()
    )


def test_load_state_dict_refuses_what_is_not_an_optimizer_state():
    opt = optim.Adam([Tensor([1.0], requires_grad=True)])
    with pytest.raises(ValueError, match="has no 'state' and no 'param_groups'"):
        opt.load_state_dict(nn.Linear(1, 1).state_dict())
    with pytest.raises(TypeError, match="must be a dict, got list"):
        opt.load_state_dict([])


def test_load_state_dict_scalar_state_is_checked():
    p = Tensor([1.0, 2.0], requires_grad=True)
    opt = optim.NAdam([p])
    p.grad = Tensor([1.0, 1.0])
    opt.step()
    state = opt.state_dict()
    state["state"][0]["mu_product"] = np.ones(2)
    with pytest.raises(ValueError, match="'mu_product' has shape \\(2,\\), it must be a single"):
        optim.NAdam([Tensor([1.0, 2.0], requires_grad=True)]).load_state_dict(state)


def test_older_torch_sgd_momentum_buffer_none_loads():
    p = Tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    opt.load_state_dict(
        {
            "state": {0: {"momentum_buffer": None}},
            "param_groups": [dict(opt.state_dict()["param_groups"][0])],
        }
    )
    p.grad = Tensor([1.0])
    opt.step()
    np.testing.assert_allclose(p.numpy(), [0.9])


def test_linear_refuses_an_array_as_in_features():
    with pytest.raises(TypeError, match=r"in_features must be an int, got ndarray of shape \(2,\)"):
        nn.Linear(np.ones(2), 3)
    with pytest.raises(TypeError, match=r"out_features must be an int, got float 3\.0"):
        nn.Linear(2, 3.0)
    assert nn.Linear(np.int64(2), 3).weight.shape == (3, 2)
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        torch.nn.Linear(np.ones(2), 3)
