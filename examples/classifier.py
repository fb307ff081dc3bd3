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

import common
import numpy as np

import tinygrad_edu
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim
from tinygrad_edu.data import DataLoader, TensorDataset, load_digits, load_mnist


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = common.make_parser(__doc__)
    parser.add_argument("--dataset", choices=["digits", "mnist"], default="digits")
    parser.add_argument("--data-dir", default="data/mnist", help="where the MNIST IDX files are")
    parser.add_argument("--download", action="store_true", help="fetch MNIST if it is missing")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=32)
    # A bit above Adam's usual 1e-3: 10 epochs of the small digits set are only 450 steps.
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--limit", type=int, default=None, help="use only this many train images")
    return common.parse(parser, argv)  # adds --seed and --out


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
    """Mean cross-entropy, and accuracy of the most likely class."""
    return common.evaluate(model, x, y, F.cross_entropy, lambda logits: logits.argmax(axis=1))


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = parse_args(argv)
    tinygrad_edu.manual_seed(args.seed)  # initialisation and shuffling are reproducible
    x_train, y_train, x_test, y_test = load_data(args)

    model = make_model(x_train.shape[1], args.hidden)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=args.batch_size, shuffle=True)

    curves = common.LearningCurves()
    progress = common.Progress(args.epochs, f"{args.dataset} MLP", unit="epoch")
    for _ in progress:
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
        test_loss, test_acc = evaluate(model, x_test, y_test)
        curves.record(train=evaluate(model, x_train, y_train), test=(test_loss, test_acc))
        progress.note(loss=test_loss, acc=test_acc)

    args.out.mkdir(parents=True, exist_ok=True)
    tinygrad_edu.save(model.state_dict(), args.out / "classifier.npz")
    curves.plot(args.out / "classifier.png", loss_name="cross-entropy")
    test_loss, test_acc = evaluate(model, x_test, y_test)
    print(f"test loss {test_loss:.4f}, test accuracy {test_acc:.2%} ({len(x_test)} images)")
    print(f"saved {args.out / 'classifier.npz'} and {args.out / 'classifier.png'}")
    return {"test_loss": test_loss, "test_accuracy": test_acc}


if __name__ == "__main__":
    main()
