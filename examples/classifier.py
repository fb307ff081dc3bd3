"""Classify handwritten digits with a one-hidden-layer MLP: softmax cross-entropy and Adam.

The classic first network (784-32 ReLU-10 on MNIST). By default it runs offline on
scikit-learn's 8x8 digits (64-32-10), where 10 epochs of Adam with batches of 32 reach about
97% test accuracy in a few seconds; ``--dataset mnist --data-dir DIR`` runs it on MNIST.

It saves the learning curves (``out/classifier.png``) and the trained weights
(``out/classifier.npz``, loadable by ``tinygrad_edu.load``, by ``dream.py`` and, key for key,
by the same model in PyTorch).

    python examples/classifier.py
    python examples/classifier.py --dataset mnist --data-dir ~/data/mnist --download
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # draw to files, no display needed
import matplotlib.pyplot as plt
import numpy as np
from tqdm import tqdm

import tinygrad_edu
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor, nn, no_grad, optim
from tinygrad_edu.data import DataLoader, TensorDataset, load_digits, load_mnist


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=["digits", "mnist"], default="digits")
    parser.add_argument("--data-dir", default="data/mnist", help="where the MNIST IDX files are")
    parser.add_argument("--download", action="store_true", help="fetch MNIST if it is missing")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=32)
    # A bit above Adam's usual 1e-3: 10 epochs of the small digits set are only 450 steps.
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--limit", type=int, default=None, help="use only this many train images")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("out"), help="directory for the outputs")
    return parser.parse_args(argv)


def load_data(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if args.dataset == "mnist":
        (x_train, y_train), (x_test, y_test) = load_mnist(args.data_dir, download=args.download)
    else:
        (x_train, y_train), (x_test, y_test) = load_digits()
    if args.limit is not None:
        x_train, y_train = x_train[: args.limit], y_train[: args.limit]
    return x_train, y_train, x_test, y_test


def make_model(n_inputs: int, hidden: int) -> nn.Module:
    return nn.Sequential(nn.Linear(n_inputs, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def evaluate(model: nn.Module, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Mean cross-entropy and accuracy, without recording a graph."""
    model.eval()
    with no_grad():
        logits = model(Tensor(x))
        loss = F.cross_entropy(logits, Tensor(y)).item()
    accuracy = float((logits.numpy().argmax(axis=1) == y).mean())
    return loss, accuracy


def plot(history: dict[str, list[float]], path: Path) -> None:
    epochs = range(1, len(history["train_loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, history["train_loss"], label="train")
    ax_loss.plot(epochs, history["test_loss"], label="test")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy", title="loss")
    ax_acc.plot(epochs, history["train_acc"], label="train")
    ax_acc.plot(epochs, history["test_acc"], label="test")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
    for ax in (ax_loss, ax_acc):
        ax.legend()
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = parse_args(argv)
    tinygrad_edu.manual_seed(args.seed)  # initialisation and shuffling are reproducible
    x_train, y_train, x_test, y_test = load_data(args)

    model = make_model(x_train.shape[1], args.hidden)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=args.batch_size, shuffle=True)

    history: dict[str, list[float]] = {
        k: [] for k in ("train_loss", "test_loss", "train_acc", "test_acc")
    }
    progress = tqdm(range(args.epochs), desc=f"{args.dataset} MLP", unit="epoch")
    for _ in progress:
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
        train_loss, train_acc = evaluate(model, x_train, y_train)
        test_loss, test_acc = evaluate(model, x_test, y_test)
        for key, value in zip(history, (train_loss, test_loss, train_acc, test_acc)):
            history[key].append(value)
        progress.set_postfix(loss=f"{test_loss:.3f}", acc=f"{test_acc:.3f}", refresh=False)

    args.out.mkdir(parents=True, exist_ok=True)
    tinygrad_edu.save(model.state_dict(), args.out / "classifier.npz")
    plot(history, args.out / "classifier.png")
    test_loss, test_acc = evaluate(model, x_test, y_test)
    print(f"test loss {test_loss:.4f}, test accuracy {test_acc:.2%} ({len(x_test)} images)")
    print(f"saved {args.out / 'classifier.npz'} and {args.out / 'classifier.png'}")
    return {"test_loss": test_loss, "test_accuracy": test_acc}


if __name__ == "__main__":
    main()
