"""lr_scheduler against torch.optim.lr_scheduler: the same learning-rate (and momentum) sequences
over many steps, the same state-dict keys, and round trips through state_dict."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import Tensor, optim
from tinygrad_edu.optim import lr_scheduler

STEPS = 60


def libs(lib):
    if lib == "ours":
        return (lambda: Tensor(np.zeros(2), requires_grad=True)), optim, lr_scheduler
    torch = pytest.importorskip("torch")
    return (lambda: torch.zeros(2, requires_grad=True)), torch.optim, torch.optim.lr_scheduler


def make_optimizer(lib, name="SGD", **kwargs):
    param, opt_mod, _ = libs(lib)
    kwargs = kwargs or ({"lr": 0.1, "momentum": 0.9} if name == "SGD" else {"lr": 0.1})
    groups = [{"params": [param()]}, {"params": [param()], "lr": 0.03}]
    return getattr(opt_mod, name)(groups, **kwargs)


def momenta(opt):
    return [g.get("momentum", g.get("betas")) for g in opt.param_groups]


def sequence(lib, build, steps=STEPS, opt_name="SGD", metrics=None, **opt_kwargs):
    """The lrs (get_last_lr() and the groups' own) and momenta after construction and each step."""
    _, _, sched_mod = libs(lib)
    opt = make_optimizer(lib, opt_name, **opt_kwargs)
    sched = build(sched_mod, opt)
    out = [(list(sched.get_last_lr()), [g["lr"] for g in opt.param_groups], momenta(opt))]
    for i in range(steps):
        opt.step()
        sched.step() if metrics is None else sched.step(metrics[i])
        out.append((list(sched.get_last_lr()), [g["lr"] for g in opt.param_groups], momenta(opt)))
    return out, sched, opt


SCHEDULES = {
    "LambdaLR": lambda m, o: m.LambdaLR(o, lambda epoch: 0.97**epoch + 0.1 * (epoch % 3)),
    "LambdaLR_per_group": lambda m, o: m.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.9**e]),
    "StepLR": lambda m, o: m.StepLR(o, step_size=4, gamma=0.7),
    "StepLR_default_gamma": lambda m, o: m.StepLR(o, 10),
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, milestones=[3, 10, 10, 25], gamma=0.5),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, gamma=0.93),
    "CosineAnnealingLR": lambda m, o: m.CosineAnnealingLR(o, T_max=9),
    "CosineAnnealingLR_eta_min": lambda m, o: m.CosineAnnealingLR(o, T_max=13, eta_min=0.004),
    "LinearLR": lambda m, o: m.LinearLR(o),
    "LinearLR_decay": lambda m, o: m.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=30),
    "OneCycleLR_cos": lambda m, o: m.OneCycleLR(o, max_lr=[1.0, 0.4], total_steps=STEPS),
    "OneCycleLR_linear_three_phase": lambda m, o: m.OneCycleLR(
        o, max_lr=0.8, epochs=6, steps_per_epoch=10, anneal_strategy="linear", three_phase=True
    ),
    "OneCycleLR_cos_three_phase": lambda m, o: m.OneCycleLR(
        o, max_lr=0.8, total_steps=STEPS, pct_start=0.25, three_phase=True, div_factor=10.0
    ),
    "OneCycleLR_no_momentum": lambda m, o: m.OneCycleLR(
        o, max_lr=0.5, total_steps=STEPS, cycle_momentum=False, final_div_factor=100.0
    ),
    "OneCycleLR_momenta": lambda m, o: m.OneCycleLR(
        o, max_lr=0.5, total_steps=STEPS, base_momentum=[0.8, 0.7], max_momentum=0.99
    ),
}


def assert_same(ours, theirs):
    assert len(ours) == len(theirs)
    for step, (a, b) in enumerate(zip(ours, theirs)):
        assert a == b, f"step {step}: {a} != {b}"  # exactly: the same float arithmetic


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_sequence_matches_torch(name):
    pytest.importorskip("torch")
    ours, _, _ = sequence("ours", SCHEDULES[name])
    theirs, _, _ = sequence("torch", SCHEDULES[name])
    assert len({lr for _, lrs, _ in ours for lr in lrs}) > 2  # the rate did change
    assert_same(ours, theirs)


@pytest.mark.parametrize("name", [n for n in SCHEDULES if n.startswith("OneCycleLR")])
def test_one_cycle_cycles_adams_beta1_like_torch(name):
    pytest.importorskip("torch")
    ours, _, opt = sequence("ours", SCHEDULES[name], opt_name="Adam")
    theirs, _, _ = sequence("torch", SCHEDULES[name], opt_name="Adam")
    assert_same(ours, theirs)
    assert opt.param_groups[0]["betas"][1] == 0.999  # beta2 is left alone


def test_one_cycle_with_rmsprop_momentum_like_torch():
    pytest.importorskip("torch")
    build = SCHEDULES["OneCycleLR_cos"]
    assert_same(
        sequence("ours", build, opt_name="RMSprop")[0],
        sequence("torch", build, opt_name="RMSprop")[0],
    )


def test_one_cycle_refuses_a_step_past_the_end_and_stays_put():
    _, sched, _ = sequence("ours", SCHEDULES["OneCycleLR_cos"])
    last = sched.last_epoch
    with pytest.raises(ValueError, match=f"Tried to step {STEPS + 1} times"):
        sched.step()
    assert sched.last_epoch == last


PLATEAU = {
    "default": {},
    "patience_0_cooldown": {"patience": 0, "cooldown": 2, "factor": 0.5},
    "abs_threshold": {"threshold": 0.05, "threshold_mode": "abs", "patience": 2},
    "max_rel": {"mode": "max", "threshold": 0.02, "patience": 1, "factor": 0.3},
    "max_abs_min_lrs": {
        "mode": "max",
        "threshold_mode": "abs",
        "threshold": 0.01,
        "patience": 1,
        "min_lr": [0.01, 0.02],
        "factor": 0.5,
    },
    "min_lr_and_eps": {"patience": 1, "min_lr": 0.005, "eps": 1e-3, "factor": 0.5},
}


@pytest.mark.parametrize("name", list(PLATEAU))
def test_reduce_on_plateau_matches_torch(name):
    pytest.importorskip("torch")
    rng = np.random.default_rng(3)  # a noisy curve that improves, stalls, improves again
    curve = np.concatenate([np.linspace(2, 1, 15), np.full(20, 1.0), np.linspace(1, 0.5, 25)])
    metrics = [float(v) for v in curve + 0.03 * rng.standard_normal(STEPS)]
    if PLATEAU[name].get("mode") == "max":
        metrics = [-m for m in metrics]

    def build(m, o):
        return m.ReduceLROnPlateau(o, **PLATEAU[name])

    ours, sched, _ = sequence("ours", build, metrics=metrics)
    theirs, tsched, _ = sequence("torch", build, metrics=metrics)
    assert len({lrs[0] for _, lrs, _ in ours}) > 1  # it did reduce
    assert_same(ours, theirs)
    for key in ("best", "num_bad_epochs", "cooldown_counter", "last_epoch"):
        assert getattr(sched, key) == getattr(tsched, key), key


def test_reduce_on_plateau_takes_a_tensor_metric():
    opt = make_optimizer("ours")
    sched = lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    sched.step(Tensor(1.0))
    sched.step(Tensor(2.0))
    assert sched.get_last_lr() == [0.1 * 0.1, 0.03 * 0.1]


# -- state dicts -----------------------------------------------------------------------------


ALL = {**SCHEDULES, "ReduceLROnPlateau": lambda m, o: m.ReduceLROnPlateau(o, patience=2)}


@pytest.mark.parametrize("name", list(ALL))
def test_state_dict_keys_match_torch(name):
    pytest.importorskip("torch")
    ours = ALL[name](lr_scheduler, make_optimizer("ours"))
    theirs = ALL[name](libs("torch")[2], make_optimizer("torch"))
    assert list(ours.state_dict()) == list(theirs.state_dict())


@pytest.mark.parametrize("name", list(ALL))
def test_state_dict_round_trip_resumes_the_sequence(name):
    metrics = [1.0 / (1 + i % 7) for i in range(STEPS)]
    plateau = name == "ReduceLROnPlateau"
    full, _, _ = sequence("ours", ALL[name], metrics=metrics if plateau else None)
    _, sched, opt = sequence("ours", ALL[name], steps=20, metrics=metrics if plateau else None)
    saved_sched, saved_opt = sched.state_dict(), opt.state_dict()
    # A fresh optimizer and scheduler, restored: optimizer first (it carries initial_lr),
    # then the scheduler, as a checkpoint is loaded.
    opt2 = make_optimizer("ours")
    sched2 = ALL[name](lr_scheduler, opt2)
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved_sched)
    assert sched2.last_epoch == 20 and sched2.get_last_lr() == full[20][0]
    rest = []
    for i in range(20, STEPS):
        opt2.step()
        sched2.step(metrics[i]) if plateau else sched2.step()
        rest.append(
            (list(sched2.get_last_lr()), [g["lr"] for g in opt2.param_groups], momenta(opt2))
        )
    assert_same(rest, full[21:])


RESUMABLE = {
    "StepLR": {"step_size": 4, "gamma": 0.7},
    "ExponentialLR": {"gamma": 0.93},
    "CosineAnnealingLR": {"T_max": 9},
    "LinearLR": {},
}


@pytest.mark.parametrize("name", list(RESUMABLE))
def test_a_scheduler_made_after_loading_the_optimizer_resumes_like_torch(name):
    # The other usual order: optimizer state first (it carries initial_lr), then a scheduler
    # told the epoch reached (its own first step then counts one more, in PyTorch as here).
    pytest.importorskip("torch")
    results = []
    for lib in ("ours", "torch"):
        _, _, opt = sequence(lib, lambda m, o: getattr(m, name)(o, **RESUMABLE[name]), steps=20)
        opt2 = make_optimizer(lib)
        opt2.load_state_dict(opt.state_dict())
        resumed = getattr(libs(lib)[2], name)(opt2, last_epoch=20, **RESUMABLE[name])
        lrs = [resumed.get_last_lr()]
        for _ in range(20):
            opt2.step()
            resumed.step()
            lrs.append(resumed.get_last_lr())
        results.append(lrs)
    assert results[0] == results[1]


def test_torch_scheduler_state_loads_into_ours():
    pytest.importorskip("torch")
    build = SCHEDULES["CosineAnnealingLR_eta_min"]
    _, tsched, topt = sequence("torch", build, steps=20)
    opt = make_optimizer("ours")
    sched = build(lr_scheduler, opt)
    tstate = topt.state_dict()
    opt.load_state_dict(tstate)
    sched.load_state_dict(tsched.state_dict())
    full, _, _ = sequence("torch", build)
    for i in range(20, STEPS):
        opt.step()
        sched.step()
        assert sched.get_last_lr() == full[i + 1][0]


def test_lambda_lr_saves_callable_objects_state_not_functions():
    class Warmup:
        def __init__(self, n):
            self.n = n

        def __call__(self, epoch):
            return min(1.0, (epoch + 1) / self.n)

    opt = make_optimizer("ours")
    sched = lr_scheduler.LambdaLR(opt, [Warmup(5), lambda e: 1.0])
    state = sched.state_dict()
    assert state["lr_lambdas"] == [{"n": 5}, None]
    other = Warmup(1)
    sched2 = lr_scheduler.LambdaLR(make_optimizer("ours"), [other, lambda e: 1.0])
    sched2.load_state_dict(state)
    assert other.n == 5 and "lr_lambdas" in state  # the caller's dict is left whole


# -- the torch-style API -----------------------------------------------------------------------


def test_import_paths():
    from tinygrad_edu.optim.lr_scheduler import StepLR

    assert tinygrad_edu.optim.lr_scheduler.StepLR is StepLR
    assert issubclass(lr_scheduler._LRScheduler, lr_scheduler.LRScheduler)
    for name in [
        "LambdaLR",
        "StepLR",
        "MultiStepLR",
        "ExponentialLR",
        "CosineAnnealingLR",
        "LinearLR",
        "OneCycleLR",
        "ReduceLROnPlateau",
    ]:
        assert issubclass(getattr(lr_scheduler, name), lr_scheduler.LRScheduler)


def test_a_custom_scheduler_subclass():
    class Halving(lr_scheduler._LRScheduler):
        def get_lr(self):
            return [base * 0.5**self.last_epoch for base in self.base_lrs]

    opt = make_optimizer("ours")
    sched = Halving(opt)
    for _ in range(3):
        opt.step()
        sched.step()
    assert sched.get_last_lr() == [0.1 / 8, 0.03 / 8]


def test_initial_lr_recorded_and_resuming_needs_it():
    opt = make_optimizer("ours")
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(opt, 3, last_epoch=5)
    lr_scheduler.StepLR(opt, 3)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.03]


def test_warnings_match_torch_usage_rules():
    opt = make_optimizer("ours")
    sched = lr_scheduler.ExponentialLR(opt, 0.5)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched.get_lr()
    opt2 = make_optimizer("ours")
    sched2 = lr_scheduler.ExponentialLR(opt2, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt2.step()
        sched2.step()  # the right order: no warning


def test_step_with_an_epoch_uses_the_closed_form_like_torch():
    pytest.importorskip("torch")
    for name in ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR"]:
        results = []
        for lib in ("ours", "torch"):
            opt = make_optimizer(lib)
            sched = SCHEDULES[name](libs(lib)[2], opt)
            opt.step()
            with pytest.warns(UserWarning, match="epoch parameter"):
                sched.step(17)
            results.append(sched.get_last_lr())
        assert results[0] == results[1], name


BAD = [
    (lambda o: lr_scheduler.StepLR(o, 0), ValueError, "step_size must be a positive"),
    (lambda o: lr_scheduler.CosineAnnealingLR(o, 0), ValueError, "T_max must be a positive"),
    (lambda o: lr_scheduler.LinearLR(o, start_factor=0), ValueError, "Starting multiplicative"),
    (lambda o: lr_scheduler.LinearLR(o, end_factor=2), ValueError, "Ending multiplicative"),
    (lambda o: lr_scheduler.LambdaLR(o, [lambda e: 1.0]), ValueError, "Expected 2 lr_lambdas"),
    (lambda o: lr_scheduler.LambdaLR(o, 3), TypeError, "lr_lambda should be a function"),
    (lambda o: lr_scheduler.OneCycleLR(o, 1.0), ValueError, "You must define either total"),
    (lambda o: lr_scheduler.OneCycleLR(o, 1.0, total_steps=0), ValueError, "positive integer"),
    (lambda o: lr_scheduler.OneCycleLR(o, 1.0, 10, pct_start=1.5), ValueError, "pct_start"),
    (
        lambda o: lr_scheduler.OneCycleLR(o, 1.0, 10, anneal_strategy="exp"),
        ValueError,
        "anneal_strategy must be one of 'cos' or 'linear'",
    ),
    (lambda o: lr_scheduler.OneCycleLR(o, [1.0], 10), ValueError, "max_lr must have the same"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="mean"), ValueError, "mode mean"),
    (
        lambda o: lr_scheduler.ReduceLROnPlateau(o, threshold_mode="x"),
        ValueError,
        "threshold mode x",
    ),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "expected 2 min_lrs"),
    (lambda o: lr_scheduler.StepLR(object(), 3), TypeError, "object is not an Optimizer"),
]


@pytest.mark.parametrize(("make", "error", "message"), BAD)
def test_bad_arguments_are_named(make, error, message):
    with pytest.raises(error, match=message):
        make(make_optimizer("ours"))


def test_one_cycle_needs_momentum_or_betas():
    opt = optim.Adagrad([Tensor([1.0], requires_grad=True)])
    with pytest.raises(ValueError, match="momentum or beta1"):
        lr_scheduler.OneCycleLR(opt, 1.0, total_steps=10)
    lr_scheduler.OneCycleLR(opt, 1.0, total_steps=10, cycle_momentum=False)
