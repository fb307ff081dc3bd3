"""What the training examples share: the command line, the progress bar, the evaluation, the
learning curves and the PNG files. The training loops themselves stay in each example.

The examples are scripts (``python examples/classifier.py``): Python puts a script's own folder
first on ``sys.path``, so ``from common import ...`` finds this file next to them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # draw to files, no display needed
import matplotlib.pyplot as plt
import numpy as np
from tqdm import tqdm

from tinygrad_edu import Tensor, nn, no_grad

__all__ = ["LearningCurves", "Progress", "evaluate", "make_parser", "parse", "plt", "save_figure"]


# -- the command line ---------------------------------------------------------------------------


def make_parser(doc: str) -> argparse.ArgumentParser:
    """A parser whose --help starts with the first paragraph of the example's docstring."""
    return argparse.ArgumentParser(description=doc.split("\n\n")[0])


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Add the flags every example has (last in --help), then parse ``argv`` (None: sys.argv)."""
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("out"), help="directory for the outputs")
    return parser.parse_args(argv)


# -- the progress bar ---------------------------------------------------------------------------


class Progress:
    """``for step in Progress(n, "XOR", "step"):`` runs over range(n) behind a tqdm bar (on
    stderr); ``note(loss=...)`` shows the latest numbers beside it, every ``every`` steps."""

    def __init__(self, total: int, desc: str, unit: str = "epoch", every: int = 1) -> None:
        self.bar = tqdm(range(total), desc=desc, unit=unit, miniters=every)
        self.every = every
        self.step = 0

    def __iter__(self) -> Iterator[int]:
        for step in self.bar:
            self.step = step  # for note()
            yield step

    def note(self, **numbers: float) -> None:
        if self.step % self.every == 0:
            self.bar.set_postfix({k: f"{v:.4f}" for k, v in numbers.items()}, refresh=False)


# -- evaluation and learning curves -------------------------------------------------------------


def evaluate(
    model: nn.Module,
    x: np.ndarray,
    y: np.ndarray,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    predict: Callable[[np.ndarray], np.ndarray],
) -> tuple[float, float]:
    """The model's mean loss on (x, y) and its accuracy, where ``predict`` turns the outputs into
    labels to compare with y. In eval mode and under no_grad: no graph is recorded."""
    model.eval()
    with no_grad():
        out = model(Tensor(x))
        loss = loss_fn(out, Tensor(y)).item()
    return loss, float((predict(out.numpy()) == y).mean())


class LearningCurves:
    """Loss and accuracy on the training and the test set, one point per epoch."""

    def __init__(self) -> None:
        self.loss: dict[str, list[float]] = {"train": [], "test": []}
        self.accuracy: dict[str, list[float]] = {"train": [], "test": []}

    def record(self, train: tuple[float, float], test: tuple[float, float]) -> None:
        """Add one epoch's (loss, accuracy) for each set."""
        for split, (loss, accuracy) in (("train", train), ("test", test)):
            self.loss[split].append(loss)
            self.accuracy[split].append(accuracy)

    def plot(self, path: Path, loss_name: str, accuracy_title: str = "accuracy") -> None:
        fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
        epochs = range(1, len(self.loss["train"]) + 1)
        for split in ("train", "test"):
            ax_loss.plot(epochs, self.loss[split], label=split)
            ax_acc.plot(epochs, self.accuracy[split], label=split)
        ax_loss.set(xlabel="epoch", ylabel=loss_name, title="loss")
        ax_acc.set(xlabel="epoch", ylabel="accuracy", title=accuracy_title)
        for ax in (ax_loss, ax_acc):
            ax.legend()
            ax.grid(alpha=0.3)
        save_figure(fig, path)


# -- files --------------------------------------------------------------------------------------


def save_figure(fig: Any, path: Path) -> None:
    """Lay the figure out, write it (a PNG for a .png path) and free it."""
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
