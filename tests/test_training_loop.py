"""One PyTorch training loop, run unchanged on both libraries: a model built from ModuleDict,
ParameterList and Unflatten, AdamW or RMSprop with a OneCycleLR or CosineAnnealingLR schedule,
and gradient clipping. The same weights go in; the same weights, losses, gradient norms and
learning rates must come out."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu

torch = pytest.importorskip("torch")


def make_model(lib):
    """The same model class, written once against either library (as a user's code is)."""
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleDict({"hidden": nn.Linear(6, 8), "out": nn.Linear(8, 6)})
            self.unflatten = nn.Unflatten(1, (2, 3))
            self.scales = nn.ParameterList([nn.Parameter(lib.ones(3, dtype=lib.float64))])

        def forward(self, x):
            h = self.layers["hidden"](x).tanh()
            return self.unflatten(self.layers["out"](h)) * self.scales[0]

    return Net().double()


def train(lib, model, x, y, optimizer_name, schedule, steps=30):
    """Plain PyTorch code; ``lib`` is ``torch`` or ``tinygrad_edu``."""
    if optimizer_name == "AdamW":
        optimizer = lib.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.05)
    else:
        optimizer = lib.optim.RMSprop(model.parameters(), lr=1e-2, momentum=0.5, centered=True)
    if schedule == "one_cycle":
        scheduler = lib.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.05, total_steps=steps)
    else:
        scheduler = lib.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10, eta_min=1e-3)
    record = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        norm = lib.nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.3)
        optimizer.step()
        scheduler.step()
        record.append((loss.item(), norm.item(), scheduler.get_last_lr()[0]))
    return record


@pytest.mark.parametrize("optimizer_name", ["AdamW", "RMSprop"])
@pytest.mark.parametrize("schedule", ["one_cycle", "cosine"])
def test_the_same_loop_gives_the_same_run(optimizer_name, schedule):
    theirs = make_model(torch)
    ours = make_model(tinygrad_edu)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((16, 6)), rng.standard_normal((16, 2, 3))
    record_t = train(torch, theirs, torch.tensor(x), torch.tensor(y), optimizer_name, schedule)
    record_o = train(
        tinygrad_edu, ours, tinygrad_edu.tensor(x), tinygrad_edu.tensor(y), optimizer_name, schedule
    )
    assert record_o[-1][0] < record_o[0][0]  # it learned
    assert any(norm > 0.3 for _, norm, _ in record_o)  # and clipping mattered
    np.testing.assert_allclose(record_o, record_t, rtol=1e-9, atol=1e-12)
    for (k, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-9, atol=1e-12, err_msg=k)
