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

import common
import numpy as np

import tinygrad_edu
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor, nn, optim
from tinygrad_edu.data import DataLoader, TensorDataset, load_digits


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = common.make_parser(__doc__)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--hidden", type=int, default=100)
    parser.add_argument(
        "--cell", choices=("rnn", "gru", "lstm"), default="rnn", help="the recurrent layer"
    )
    parser.add_argument("--limit", type=int, default=None, help="use only this many train images")
    return common.parse(parser, argv)  # adds --seed and --out


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
    """Mean BCE, and accuracy of "digit >= 5" where the logit is positive (probability > 1/2)."""
    return common.evaluate(
        model, x, y, F.binary_cross_entropy_with_logits, lambda logits: (logits > 0).astype(y.dtype)
    )


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

    curves = common.LearningCurves()
    progress = common.Progress(args.epochs, args.cell.upper(), unit="epoch")
    for _ in progress:
        model.train()
        for rows, target in loader:
            optimizer.zero_grad()
            loss = F.binary_cross_entropy_with_logits(model(rows), target)
            loss.backward()
            optimizer.step()
        test_loss, test_acc = evaluate(model, x_test, y_test)
        curves.record(train=evaluate(model, x_train, y_train), test=(test_loss, test_acc))
        progress.note(loss=test_loss, acc=test_acc)

    args.out.mkdir(parents=True, exist_ok=True)
    png = args.out / ("rnn.png" if args.cell == "rnn" else f"rnn_{args.cell}.png")
    curves.plot(png, "binary cross-entropy", 'accuracy of "digit >= 5"')
    test_loss, test_acc = evaluate(model, x_test, y_test)
    print(
        f"{args.cell.upper()}: test loss {test_loss:.4f}, test accuracy {test_acc:.2%} on "
        '"digit >= 5"'
    )
    print(f"saved {png}")
    return {"test_loss": test_loss, "test_accuracy": test_acc}


if __name__ == "__main__":
    main()
