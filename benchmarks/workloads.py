"""The workloads: shared initial weights and data, and each training step written once for both
PyTorch and tinygrad_edu.

The framework versions below use only what the two libraries share (``nn.Module``, ``nn.Linear``,
``nn.RNNCell``, ``F.cross_entropy``, ``F.binary_cross_entropy_with_logits``, ``optim.Adam``,
``backward``), so the same lines run on both: that is the PyTorch-compatible API at work. The
hand-written NumPy floor is in ``numpy_ref.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MLP_SIZES = (784, 128, 64, 10)
RNN_INPUT, RNN_HIDDEN, RNN_STEPS, RNN_BATCH = 8, 100, 50, 32
CHAIN_WIDTH = 16
LR = 1e-3


@dataclass(frozen=True)
class Problem:
    """One workload's starting point, as NumPy arrays, so every implementation starts the same."""

    name: str
    kind: str  # "mlp", "rnn" or "chain"
    params: dict[str, np.ndarray]  # under PyTorch's state_dict names
    data: dict[str, np.ndarray]
    config: dict[str, int] = field(default_factory=dict)


def _uniform(rng: np.random.Generator, shape: tuple[int, ...], bound: float) -> np.ndarray:
    return rng.uniform(-bound, bound, size=shape).astype(np.float32)


def mlp_problem(batch: int, seed: int = 0) -> Problem:
    """MLP 784-128-64-10 with PyTorch's default Linear initialisation, and one random batch."""
    rng = np.random.default_rng(seed)
    params: dict[str, np.ndarray] = {}
    for i, (n_in, n_out) in enumerate(itertools.pairwise(MLP_SIZES), start=1):
        bound = 1 / np.sqrt(n_in)
        params[f"fc{i}.weight"] = _uniform(rng, (n_out, n_in), bound)
        params[f"fc{i}.bias"] = _uniform(rng, (n_out,), bound)
    data: dict[str, np.ndarray] = {
        "x": rng.standard_normal((batch, MLP_SIZES[0]), dtype=np.float32),
        "y": rng.integers(0, MLP_SIZES[-1], size=batch).astype(np.int64),
    }
    return Problem(f"mlp_b{batch}", "mlp", params, data, {"batch": batch})


def rnn_problem(seed: int = 0) -> Problem:
    """RNNCell(8, 100) over 50 steps of a batch of 32, then Linear(100, 1); 0/1 targets."""
    rng = np.random.default_rng(seed)
    bound = 1 / np.sqrt(RNN_HIDDEN)  # PyTorch's RNNCell initialisation
    params = {
        "cell.weight_ih": _uniform(rng, (RNN_HIDDEN, RNN_INPUT), bound),
        "cell.weight_hh": _uniform(rng, (RNN_HIDDEN, RNN_HIDDEN), bound),
        "cell.bias_ih": _uniform(rng, (RNN_HIDDEN,), bound),
        "cell.bias_hh": _uniform(rng, (RNN_HIDDEN,), bound),
        "head.weight": _uniform(rng, (1, RNN_HIDDEN), bound),
        "head.bias": _uniform(rng, (1,), bound),
    }
    data = {
        "x": rng.standard_normal((RNN_STEPS, RNN_BATCH, RNN_INPUT), dtype=np.float32),
        "target": rng.integers(0, 2, size=(RNN_BATCH, 1)).astype(np.float32),
    }
    return Problem("rnn", "rnn", params, data)


def chain_problem(nodes: int, name: str, seed: int = 0) -> Problem:
    """A chain of ``nodes`` tiny ops on a 16-vector: y <- tanh(y * w + c), three ops a round.

    w = 1 and c = 0 keep the chain from shrinking its gradient geometrically: tiny float32 values
    (denormals) would slow every column and measure the CPU, not the engine.
    """
    rng = np.random.default_rng(seed)
    blocks = max(1, nodes // 3)
    params = {"x": rng.uniform(-1, 1, size=CHAIN_WIDTH).astype(np.float32)}
    data = {"w": np.ones(CHAIN_WIDTH, np.float32), "c": np.zeros(CHAIN_WIDTH, np.float32)}
    return Problem(name, "chain", params, data, {"blocks": blocks, "nodes": 3 * blocks})


# -- the two frameworks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Framework:
    """What a workload needs from a PyTorch-like library."""

    name: str
    tensor: Callable[..., Any]  # (array, requires_grad=False) -> a tensor holding a copy
    nn: Any
    F: Any
    optim: Any


def tinygrad_edu_framework() -> Framework:
    """tinygrad_edu through its public API."""
    import tinygrad_edu.nn.functional as F
    from tinygrad_edu import Tensor, nn, optim

    def tensor(a: np.ndarray, requires_grad: bool = False) -> Any:
        return Tensor(a, requires_grad=requires_grad)

    return Framework("tinygrad_edu", tensor, nn, F, optim)


def torch_framework() -> Framework | None:
    """PyTorch on the CPU with one thread, or None where it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)

    def tensor(a: np.ndarray, requires_grad: bool = False) -> Any:
        return torch.tensor(a, requires_grad=requires_grad)

    return Framework("torch", tensor, torch.nn, torch.nn.functional, torch.optim)


def _mlp_model(fw: Framework) -> Any:
    nn = fw.nn

    class MLP(nn.Module):  # type: ignore[name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.fc1 = nn.Linear(MLP_SIZES[0], MLP_SIZES[1])
            self.fc2 = nn.Linear(MLP_SIZES[1], MLP_SIZES[2])
            self.fc3 = nn.Linear(MLP_SIZES[2], MLP_SIZES[3])

        def forward(self, x: Any) -> Any:
            return self.fc3(self.fc2(self.fc1(x).relu()).relu())

    return MLP()


def _rnn_model(fw: Framework) -> Any:
    nn = fw.nn

    class Reader(nn.Module):  # type: ignore[name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.cell = nn.RNNCell(RNN_INPUT, RNN_HIDDEN)  # tanh by default
            self.head = nn.Linear(RNN_HIDDEN, 1)

        def forward(self, x: Any, h: Any) -> Any:
            for t in range(x.shape[0]):
                h = self.cell(x[t], h)
            return self.head(h)

    return Reader()


class Train:
    """A model, its loss and Adam: ``step()`` is one training step, as in any PyTorch loop. Every
    workload with a model trains through this; the model starts from the problem's weights."""

    def __init__(
        self,
        model: Any,
        problem: Problem,
        fw: Framework,
        inputs: tuple[Any, ...],
        target: Any,
        loss_fn: Callable[[Any, Any], Any],
    ) -> None:
        self.model = model
        self.model.load_state_dict({k: fw.tensor(v) for k, v in problem.params.items()})
        self.opt = fw.optim.Adam(self.model.parameters(), lr=LR)
        self.inputs, self.target, self.loss_fn = inputs, target, loss_fn

    def step(self) -> Any:
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(*self.inputs), self.target)
        loss.backward()
        self.opt.step()
        return loss

    def params(self) -> dict[str, np.ndarray]:
        return {k: p.detach().numpy().copy() for k, p in self.model.named_parameters()}

    def grads(self) -> dict[str, np.ndarray]:
        return {k: p.grad.numpy().copy() for k, p in self.model.named_parameters()}


def _mlp_or_rnn_train(problem: Problem, fw: Framework) -> Train:
    data = problem.data
    if problem.kind == "mlp":
        x, y = fw.tensor(data["x"]), fw.tensor(data["y"])
        return Train(_mlp_model(fw), problem, fw, (x,), y, fw.F.cross_entropy)
    h0 = np.zeros((RNN_BATCH, RNN_HIDDEN), np.float32)
    inputs = (fw.tensor(data["x"]), fw.tensor(h0))
    loss_fn = fw.F.binary_cross_entropy_with_logits
    return Train(_rnn_model(fw), problem, fw, inputs, fw.tensor(data["target"]), loss_fn)


class Chain:
    """Forward and backward through a long chain of tiny ops: the engine's cost per node."""

    def __init__(self, problem: Problem, fw: Framework) -> None:
        self.x = fw.tensor(problem.params["x"], requires_grad=True)
        self.w = fw.tensor(problem.data["w"])
        self.c = fw.tensor(problem.data["c"])
        self.blocks = problem.config["blocks"]

    def step(self) -> Any:
        self.x.grad = None  # a fresh gradient each step, as the floor computes
        y, w, c = self.x, self.w, self.c
        for _ in range(self.blocks):
            y = (y * w + c).tanh()
        loss = y.sum()
        loss.backward()
        return loss

    def params(self) -> dict[str, np.ndarray]:
        return {"x": self.x.detach().numpy().copy()}

    def grads(self) -> dict[str, np.ndarray]:
        return {"x": self.x.grad.numpy().copy()}


def build(problem: Problem, fw: Framework) -> Any:
    """The framework version of a workload, starting from the problem's weights and data."""
    if problem.kind == "cnn":
        from benchmarks.cnn_workload import cnn_train  # (it imports this module)

        return cnn_train(problem, fw)
    if problem.kind in ("lstm", "gru"):  # benchmarks/recurrent_workloads.py
        from benchmarks.recurrent_workloads import recurrent_train

        return recurrent_train(problem, fw)
    return Chain(problem, fw) if problem.kind == "chain" else _mlp_or_rnn_train(problem, fw)
