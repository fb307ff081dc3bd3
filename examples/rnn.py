"""A recurrent classifier: read a digit row by row and tell whether it is 5 or more.

Like Keras' ``SimpleRNN(100, activation="relu")`` followed by ``Dense(1)``: an ``nn.RNN`` with
100 ReLU units reads each 8x8 digit as a sequence of 8 rows of 8 pixels, and a linear layer turns
its last hidden state into one logit. The loss is binary cross-entropy on the logit
(``F.binary_cross_entropy_with_logits``, which is stable where a sigmoid followed by a log
would overflow), optimised with Adam. ``--cell gru`` or ``--cell lstm`` swaps the Elman RNN for
an ``nn.GRU`` or ``nn.LSTM`` of the same width (examples/vanishing_gradients.py shows why one
would).

    python examples/rnn.py
    python examples/rnn.py --cell lstm
    python examples/rnn.py --epochs 1 --limit 200
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
from tinygrad_edu.data import DataLoader, TensorDataset, load_digits


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--hidden", type=int, default=100)
    parser.add_argument(
        "--cell", choices=("rnn", "gru", "lstm"), default="rnn", help="the recurrent layer"
    )
    parser.add_argument("--limit", type=int, default=None, help="use only this many train images")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("out"), help="directory for the outputs")
    return parser.parse_args(argv)


class RowReader(nn.Module):
    """A recurrent layer over the rows, then a linear layer on the last hidden state."""

    def __init__(self, row_size: int, hidden: int, cell: str = "rnn") -> None:
        super().__init__()
        if cell == "rnn":
            self.rnn = nn.RNN(row_size, hidden, nonlinearity="relu", batch_first=True)
        elif cell == "gru":
            self.rnn = nn.GRU(row_size, hidden, batch_first=True)
        else:
            self.rnn = nn.LSTM(row_size, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, rows: Tensor) -> Tensor:
        outputs, _ = self.rnn(rows)  # (batch, steps, hidden)
        return self.head(outputs[:, -1]).squeeze(1)  # one logit per image


def evaluate(model: nn.Module, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    model.eval()
    with no_grad():
        logits = model(Tensor(x))
        loss = F.binary_cross_entropy_with_logits(logits, Tensor(y)).item()
    accuracy = float(((logits.numpy() > 0) == (y > 0.5)).mean())
    return loss, accuracy


def plot(history: dict[str, list[float]], path: Path) -> None:
    epochs = range(1, len(history["train_loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, history["train_loss"], label="train")
    ax_loss.plot(epochs, history["test_loss"], label="test")
    ax_loss.set(xlabel="epoch", ylabel="binary cross-entropy", title="loss")
    ax_acc.plot(epochs, history["train_acc"], label="train")
    ax_acc.plot(epochs, history["test_acc"], label="test")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title='accuracy of "digit >= 5"')
    for ax in (ax_loss, ax_acc):
        ax.legend()
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = parse_args(argv)
    tinygrad_edu.manual_seed(args.seed)
    (x_train, digits_train), (x_test, digits_test) = load_digits(flatten=False)  # (n, 8, 8)
    if args.limit is not None:
        x_train, digits_train = x_train[: args.limit], digits_train[: args.limit]
    # BCE targets are floats of the model's dtype: 1.0 for 5..9, 0.0 for 0..4.
    y_train = (digits_train >= 5).astype(np.float32)
    y_test = (digits_test >= 5).astype(np.float32)

    model = RowReader(row_size=x_train.shape[2], hidden=args.hidden, cell=args.cell)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=args.batch_size, shuffle=True)

    history: dict[str, list[float]] = {
        k: [] for k in ("train_loss", "test_loss", "train_acc", "test_acc")
    }
    progress = tqdm(range(args.epochs), desc=args.cell.upper(), unit="epoch")
    for _ in progress:
        model.train()
        for rows, target in loader:
            optimizer.zero_grad()
            loss = F.binary_cross_entropy_with_logits(model(rows), target)
            loss.backward()
            optimizer.step()
        train_loss, train_acc = evaluate(model, x_train, y_train)
        test_loss, test_acc = evaluate(model, x_test, y_test)
        for key, value in zip(history, (train_loss, test_loss, train_acc, test_acc)):
            history[key].append(value)
        progress.set_postfix(loss=f"{test_loss:.3f}", acc=f"{test_acc:.3f}", refresh=False)

    args.out.mkdir(parents=True, exist_ok=True)
    png = args.out / ("rnn.png" if args.cell == "rnn" else f"rnn_{args.cell}.png")
    plot(history, png)
    test_loss, test_acc = evaluate(model, x_test, y_test)
    print(
        f"{args.cell.upper()}: test loss {test_loss:.4f}, test accuracy {test_acc:.2%} on "
        '"digit >= 5"'
    )
    print(f"saved {png}")
    return {"test_loss": test_loss, "test_accuracy": test_acc}


if __name__ == "__main__":
    main()
