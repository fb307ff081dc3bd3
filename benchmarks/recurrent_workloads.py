"""The gated recurrent workloads, ``lstm`` and ``gru``: a layer over 50 steps of a batch of 32,
its last hidden state into Linear(100, 1), BCE with logits, Adam.

Like ``workloads.py``: the problem (PyTorch's initialisation, drawn once, under its state_dict
names), and the training step written once for PyTorch and tinygrad_edu (``nn.LSTM``/``nn.GRU``,
``nn.Linear``, ``F.binary_cross_entropy_with_logits``, ``optim.Adam``). The floors are in
``recurrent_ref.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.workloads import (
    RNN_BATCH,
    RNN_HIDDEN,
    RNN_INPUT,
    RNN_STEPS,
    Framework,
    Problem,
    Train,
)

KINDS = ("lstm", "gru")
GATES = {"lstm": 4, "gru": 3}


def recurrent_problem(
    kind: str,
    steps: int = RNN_STEPS,
    batch: int = RNN_BATCH,
    hidden: int = RNN_HIDDEN,
    n_in: int = RNN_INPUT,
    seed: int = 0,
) -> Problem:
    """nn.LSTM(8, 100) or nn.GRU(8, 100) over 50 steps of a batch of 32, then Linear(100, 1);
    0/1 targets. (The tests use smaller sizes.)"""
    rng = np.random.default_rng(seed)
    bound = 1 / np.sqrt(hidden)  # PyTorch's initialisation of every recurrent parameter

    def uniform(*shape: int) -> np.ndarray:
        return rng.uniform(-bound, bound, size=shape).astype(np.float32)

    rows = GATES[kind] * hidden
    params = {
        "rnn.weight_ih_l0": uniform(rows, n_in),
        "rnn.weight_hh_l0": uniform(rows, hidden),
        "rnn.bias_ih_l0": uniform(rows),
        "rnn.bias_hh_l0": uniform(rows),
        "head.weight": uniform(1, hidden),  # Linear(hidden, 1): also 1/sqrt(hidden)
        "head.bias": uniform(1),
    }
    data = {
        "x": rng.standard_normal((steps, batch, n_in), dtype=np.float32),
        "target": rng.integers(0, 2, size=(batch, 1)).astype(np.float32),
    }
    config = {"steps": steps, "batch": batch, "hidden": hidden, "input": n_in}
    return Problem(kind, kind, params, data, config)


def _model(kind: str, fw: Framework, n_in: int, hidden: int) -> Any:
    nn = fw.nn

    class Reader(nn.Module):  # type: ignore[name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.rnn = nn.LSTM(n_in, hidden) if kind == "lstm" else nn.GRU(n_in, hidden)
            self.head = nn.Linear(hidden, 1)

        def forward(self, x: Any) -> Any:
            _, h_n = self.rnn(x)
            if kind == "lstm":
                h_n = h_n[0]  # (h_n, c_n)
            return self.head(h_n[-1])  # the last layer's last state

    return Reader()


def recurrent_train(problem: Problem, fw: Framework) -> Train:
    """A model, BCE with logits and Adam: ``step()`` is one training step."""
    config = problem.config
    model = _model(problem.kind, fw, config["input"], config["hidden"])
    x, target = fw.tensor(problem.data["x"]), fw.tensor(problem.data["target"])
    return Train(model, problem, fw, (x,), target, fw.F.binary_cross_entropy_with_logits)
