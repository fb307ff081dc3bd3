"""Vanishing gradients, measured: can a recurrent network remember the first symbol it read?

The task: a sequence of T one-hot symbols whose class is its first symbol (one of 4); the other
T - 1 symbols are noise (4 other symbols, at random). To answer, the network must carry the
first symbol through T - 1 steps, and to learn that, the gradient of the loss must travel back
through those steps to where the symbol was read. For an Elman RNN that gradient is a product of
T - 1 Jacobians, each a contraction for the usual weights: it shrinks geometrically, and the
network learns nothing from the first step. GRU and LSTM update their state additively
through gates, which can learn to keep the path open.

For each cell and each length, a fresh model (PyTorch's default initialisation) trains with Adam
on fresh batches until its test accuracy reaches 99% or the step budget runs out. Measured with
the engine's own tools (``retain_grad`` on every hidden state h_t):

- the gradient norm ||dL/dh_t|| for every t, at initialisation and after training;
- the learning curves (test accuracy against steps);
- a table of which cell learns the task at which length.

"lstm-fb1" is an LSTM whose forget-gate bias starts at 1 (Jozefowicz et al., 2015; Keras'
default, not PyTorch's): the forget gate then starts mostly open, which shows how much of the
LSTM's memory is in its initialisation.

    python examples/vanishing_gradients.py                       # a couple of minutes
    python examples/vanishing_gradients.py --lengths 5,20,50 --steps 3000
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import common
import numpy as np
from common import plt

import tinygrad_edu
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor, nn, no_grad, optim

CLASSES, NOISE = 4, 4  # symbols 0..3 are the classes, 4..7 the noise
CELLS = ("rnn", "gru", "lstm", "lstm-fb1")
COLORS = {"rnn": "tab:red", "gru": "tab:blue", "lstm": "tab:green", "lstm-fb1": "tab:olive"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = common.make_parser(__doc__)
    parser.add_argument(
        "--lengths", default="5,10,20,40", help="sequence lengths T, comma-separated"
    )
    parser.add_argument("--cells", default=",".join(CELLS), help=f"from {', '.join(CELLS)}")
    parser.add_argument("--steps", type=int, default=1000, help="at most this many steps per run")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--eval-every", type=int, default=25)
    args = common.parse(parser, argv)  # adds --seed and --out
    args.lengths = [int(t) for t in args.lengths.split(",")]
    args.cells = args.cells.split(",")
    unknown = [c for c in args.cells if c not in CELLS]
    if unknown:
        parser.error(f"unknown cell {unknown[0]!r}; choose from {', '.join(CELLS)}")
    return args


def make_batch(rng: np.random.Generator, n: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """n sequences of ``length`` one-hot symbols, (length, n, 8), and their classes (n,)."""
    classes = rng.integers(0, CLASSES, n)
    symbols = rng.integers(CLASSES, CLASSES + NOISE, (length, n))
    symbols[0] = classes
    return np.eye(CLASSES + NOISE, dtype=np.float32)[symbols], classes


class Reader(nn.Module):
    """A recurrent cell unrolled over the sequence by hand (so every h_t is a tensor we can ask
    for its gradient), then a linear layer on the last hidden state."""

    def __init__(self, cell: str, hidden: int) -> None:
        super().__init__()
        symbols = CLASSES + NOISE
        self.lstm = cell.startswith("lstm")
        if cell == "rnn":
            self.cell: nn.Module = nn.RNNCell(symbols, hidden)  # tanh
        elif cell == "gru":
            self.cell = nn.GRUCell(symbols, hidden)
        else:
            self.cell = nn.LSTMCell(symbols, hidden)
        if cell == "lstm-fb1":  # the forget gate is the second block of hidden rows: i, f, g, o
            with no_grad():
                self.cell.bias_ih[hidden : 2 * hidden] = 1.0
                self.cell.bias_hh[hidden : 2 * hidden] = 0.0
        self.head = nn.Linear(hidden, CLASSES)

    def forward(self, x: Tensor, states: list[Tensor] | None = None) -> Tensor:
        state: Any = None
        for t in range(x.shape[0]):
            state = self.cell(x[t], state)
            if states is not None:  # keep h_t, and have backward store dL/dh_t in its .grad
                h = state[0] if self.lstm else state
                h.retain_grad()
                states.append(h)
        return self.head(state[0] if self.lstm else state)


def gradient_norms(model: Reader, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """||dL/dh_t|| for t = 1..T, averaged over the samples. The loss is summed over the batch,
    so each sample's row of dL/dh_t is the gradient of that sample's own loss."""
    states: list[Tensor] = []
    loss = F.cross_entropy(model(Tensor(x), states), Tensor(y), reduction="sum")
    loss.backward()
    model.zero_grad()  # (the parameters' gradients are not what we came for)
    return np.array([np.linalg.norm(h.grad.numpy(), axis=1).mean() for h in states])


def accuracy(model: Reader, x: np.ndarray, y: np.ndarray) -> float:
    with no_grad():
        return float((model(Tensor(x)).numpy().argmax(axis=1) == y).mean())


def run(cell: str, length: int, args: argparse.Namespace) -> dict[str, Any]:
    """Train one fresh model; its gradient norms before and after, and its learning curve."""
    tinygrad_edu.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    x_test, y_test = make_batch(np.random.default_rng(args.seed + 1), 256, length)
    model = Reader(cell, args.hidden)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    before = gradient_norms(model, x_test[:, :64], y_test[:64])
    curve = [(0, accuracy(model, x_test, y_test))]
    for step in range(1, args.steps + 1):
        x, y = make_batch(rng, args.batch_size, length)
        optimizer.zero_grad()
        F.cross_entropy(model(Tensor(x)), Tensor(y)).backward()
        optimizer.step()
        if step % args.eval_every == 0 or step == args.steps:
            curve.append((step, accuracy(model, x_test, y_test)))
            if curve[-1][1] >= 0.99:
                break
    after = gradient_norms(model, x_test[:, :64], y_test[:64])
    return {"before": before, "after": after, "curve": curve, "accuracy": curve[-1][1]}


def table(
    results: dict[tuple[str, int], dict[str, Any]], cells: list[str], lengths: list[int]
) -> str:
    """Which cell learns the task (test accuracy >= 99%) at which length, and when."""
    width = 16
    lines = [f"{'cell':<10}" + "".join(f"{f'T = {t}':>{width}}" for t in lengths)]
    for cell in cells:
        row = f"{cell:<10}"
        for t in lengths:
            result = results[cell, t]
            if result["accuracy"] >= 0.99:
                entry = f"yes ({result['curve'][-1][0]} st)"
            else:
                entry = f"no ({result['accuracy']:.0%})"
            row += f"{entry:>{width}}"
        lines.append(row)
    return "\n".join(lines)


def plot(
    results: dict[tuple[str, int], dict[str, Any]], args: argparse.Namespace, path: Path
) -> None:
    longest = max(args.lengths)
    fig = plt.figure(figsize=(4 * max(2, len(args.lengths)), 8))
    grid = fig.add_gridspec(2, 2 * len(args.lengths))
    half = len(args.lengths)
    for col, (when, title) in enumerate(
        (("before", "at initialisation"), ("after", "after training"))
    ):
        ax = fig.add_subplot(grid[0, col * half : (col + 1) * half])
        for cell in args.cells:
            norms = results[cell, longest][when]
            ax.semilogy(np.arange(1, longest + 1), norms, label=cell, color=COLORS[cell])
        ax.set(
            xlabel="time step t (the class is read at t = 1)",
            ylabel="||dL / dh_t||",
            title=f"gradient reaching h_t, T = {longest}, {title}",
        )
        ax.grid(alpha=0.3, which="both")
        ax.legend()
    for col, length in enumerate(args.lengths):
        ax = fig.add_subplot(grid[1, 2 * col : 2 * col + 2])
        for cell in args.cells:
            steps, accs = zip(*results[cell, length]["curve"])
            ax.plot(steps, accs, label=cell, color=COLORS[cell])
        ax.axhline(1 / CLASSES, color="gray", linestyle=":", label="chance")
        ax.set(
            xlabel="training step", ylabel="test accuracy", title=f"T = {length}", ylim=(0, 1.05)
        )
        ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    common.save_figure(fig, path)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    runs = [(cell, t) for t in args.lengths for cell in args.cells]
    results: dict[tuple[str, int], dict[str, Any]] = {}
    started = time.perf_counter()
    for i in common.Progress(len(runs), "runs", unit="run"):
        results[runs[i]] = run(*runs[i], args)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "vanishing_gradients.png"
    plot(results, args, path)
    longest = max(args.lengths)
    print(
        f"\n||dL/dh_1|| / ||dL/dh_T|| at initialisation, T = {longest} (how much gradient reaches"
    )
    print("the step that read the class, relative to the last step):")
    for cell in args.cells:
        norms = results[cell, longest]["before"]
        print(
            f"  {cell:<10}{norms[0] / norms[-1]:.1e}   (per step: x{(norms[0] / norms[-1]) ** (1 / max(longest - 1, 1)):.2f})"
        )
    print(f"\nlearned (test accuracy >= 99% within {args.steps} steps of batch {args.batch_size}):")
    print(table(results, args.cells, args.lengths))
    print(f"\nsaved {path} ({time.perf_counter() - started:.0f} s)")
    return {f"{cell}@{t}": r["accuracy"] for (cell, t), r in results.items()}


if __name__ == "__main__":
    main()
