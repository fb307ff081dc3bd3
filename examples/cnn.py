"""Classify handwritten digits with a small convolutional network: Conv-ReLU-Pool twice, then a
linear layer; softmax cross-entropy and Adam.

By default it runs offline on scikit-learn's 8x8 digits, where 10 epochs reach about 98-99% test
accuracy in half a minute; ``--dataset mnist --data-dir DIR`` runs it on MNIST's 28x28 images.
``--batchnorm`` puts a BatchNorm2d after each convolution, ``--dropout P`` a Dropout2d after
each pooling and a Dropout before the linear layer: compare the printed accuracy per epoch
(batch norm: higher after the first epochs) and the gap between training and test loss
(dropout: smaller).

It saves the learning curves (``out/cnn.png``), the first layer's filters and the feature maps
one digit produces in both layers (``out/cnn_features.png``), and the trained weights
(``out/cnn.npz``: ``dream.py --model cnn`` uses them, and they load, key for key, into the same
model in PyTorch).

    python examples/cnn.py
    python examples/cnn.py --batchnorm --dropout 0.2
    python examples/cnn.py --dataset mnist --data-dir ~/data/mnist --download
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import common
import numpy as np

import tinygrad_edu
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor, nn, no_grad, optim
from tinygrad_edu.data import DataLoader, TensorDataset, load_digits, load_mnist

CHANNELS = (16, 32)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = common.make_parser(__doc__)
    parser.add_argument("--dataset", choices=["digits", "mnist"], default="digits")
    parser.add_argument("--data-dir", default="data/mnist", help="where the MNIST IDX files are")
    parser.add_argument("--download", action="store_true", help="fetch MNIST if it is missing")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--batchnorm", action="store_true", help="BatchNorm2d after each conv")
    parser.add_argument("--dropout", type=float, default=0.0,
                        help="drop probability of Dropout2d/Dropout (0: none)")  # fmt: skip
    parser.add_argument("--limit", type=int, default=None, help="use only this many train images")
    return common.parse(parser, argv)  # adds --seed and --out


def load_data(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Images as (n, 1, side, side), one input channel as a Conv2d expects; pixels in [0, 1]."""
    if args.dataset == "mnist":
        split = load_mnist(args.data_dir, download=args.download, flatten=False)
    else:
        split = load_digits(flatten=False)
    (x_train, y_train), (x_test, y_test) = split
    if args.limit is not None:
        x_train, y_train = x_train[: args.limit], y_train[: args.limit]
    return x_train[:, None], y_train, x_test[:, None], y_test


class DigitCNN(nn.Module):
    """Pixels standardised with the training set's ``mean`` and ``std`` (buffers, saved with the
    weights, as torchvision's Normalize would do outside the model); then ``features``:
    [Conv(k, 'same') (BatchNorm) ReLU MaxPool(2) (Dropout2d)] x 2; then ``classifier``:
    Flatten, (Dropout), Linear to the 10 classes. The kernel is 3 for 8x8 digits, 5 for 28x28."""

    def __init__(
        self,
        side: int,
        batchnorm: bool = False,
        dropout: float = 0.0,
        mean: float = 0.0,
        std: float = 1.0,
    ) -> None:
        super().__init__()
        self.side = side
        self.register_buffer("mean", Tensor(np.float32(mean)))
        self.register_buffer("std", Tensor(np.float32(std)))
        kernel = 3 if side <= 8 else 5
        layers: list[nn.Module] = []
        channels_in = 1
        for channels in CHANNELS:
            layers.append(nn.Conv2d(channels_in, channels, kernel, padding="same"))
            if batchnorm:
                layers.append(nn.BatchNorm2d(channels))
            layers += [nn.ReLU(), nn.MaxPool2d(2)]
            if dropout:
                layers.append(nn.Dropout2d(dropout))
            channels_in = channels
        self.features = nn.Sequential(*layers)
        flat = CHANNELS[-1] * (side // 4) ** 2
        head: list[nn.Module] = [nn.Flatten()]
        if dropout:
            head.append(nn.Dropout(dropout))
        head.append(nn.Linear(flat, 10))
        self.classifier = nn.Sequential(*head)

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features((x - self.mean) / self.std))


def load_model(path: Path) -> DigitCNN:
    """Rebuild the network a checkpoint was saved from (its shapes tell the image size, its
    keys whether it had batch norm), in evaluation mode."""
    state = tinygrad_edu.load(path)
    head = next(k for k in state if k.startswith("classifier.") and k.endswith(".weight"))
    side = 4 * math.isqrt(state[head].shape[1] // CHANNELS[-1])
    batchnorm = any(k.endswith("running_mean") for k in state)
    dropout = 0.5 if head != "classifier.1.weight" else 0.0  # (any p: evaluation ignores it)
    model = DigitCNN(side, batchnorm, dropout)
    model.load_state_dict(state)
    model.eval()
    return model


def evaluate(model: nn.Module, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Mean cross-entropy, and accuracy of the most likely class."""
    return common.evaluate(model, x, y, F.cross_entropy, lambda logits: logits.argmax(axis=1))


def feature_maps(model: DigitCNN, image: np.ndarray) -> list[np.ndarray]:
    """The activations after each ReLU for one image, caught by forward hooks."""
    maps: list[np.ndarray] = []
    relus = [m for m in model.features if isinstance(m, nn.ReLU)]
    handles = [
        r.register_forward_hook(lambda m, i, out: maps.append(out.numpy()[0])) for r in relus
    ]
    model.eval()
    with no_grad():
        model(Tensor(image[None]))
    for h in handles:
        h.remove()
    return maps


def plot_features(model: DigitCNN, image: np.ndarray, label: int, path: Path) -> None:
    """Left: the digit. Row 1: the first layer's filters; row 2: what each of them finds in the
    digit (after ReLU); rows 3 and 4: the second layer's 32 maps."""
    filters = model.features[0].weight.numpy()[:, 0]
    maps = feature_maps(model, image)
    n = len(filters)
    fig, axes = common.plt.subplots(4, n + 1, figsize=((n + 1) * 0.8, 3.8))
    for ax in axes.ravel():
        ax.axis("off")
    axes[1, 0].imshow(image[0], cmap="gray_r")
    axes[1, 0].set_title(f"a {label}", fontsize=8)
    limit = np.abs(filters).max()
    for i in range(n):
        axes[0, i + 1].imshow(filters[i], cmap="RdBu_r", vmin=-limit, vmax=limit)
        axes[1, i + 1].imshow(maps[0][i], cmap="viridis")
        axes[2, i + 1].imshow(maps[1][i], cmap="viridis")
        axes[3, i + 1].imshow(maps[1][n + i], cmap="viridis")
    for row, text in enumerate(["layer 1 filters", "layer 1 maps", "layer 2 maps", ""]):
        axes[row, 1].set_title(text, fontsize=8, loc="left")
    common.save_figure(fig, path)


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = parse_args(argv)
    tinygrad_edu.manual_seed(args.seed)  # initialisation, shuffling and dropout: reproducible
    x_train, y_train, x_test, y_test = load_data(args)

    side, mean, std = x_train.shape[-1], x_train.mean(), x_train.std()
    model = DigitCNN(side, args.batchnorm, args.dropout, mean, std)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=args.batch_size, shuffle=True)

    curves = common.LearningCurves()
    progress = common.Progress(args.epochs, f"{args.dataset} CNN", unit="epoch")
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
    tinygrad_edu.save(model.state_dict(), args.out / "cnn.npz")
    curves.plot(args.out / "cnn.png", loss_name="cross-entropy")
    plot_features(model, x_test[0], int(y_test[0]), args.out / "cnn_features.png")

    switches = f"batchnorm={'on' if args.batchnorm else 'off'}, dropout={args.dropout}"
    print(f"{model}\n{switches}")
    by_epoch = " ".join(f"{a:.1%}" for a in curves.accuracy["test"])
    print(f"test accuracy by epoch: {by_epoch}")
    train_loss, train_acc = curves.loss["train"][-1], curves.accuracy["train"][-1]
    test_loss, test_acc = curves.loss["test"][-1], curves.accuracy["test"][-1]
    print(
        f"train loss {train_loss:.4f}, accuracy {train_acc:.2%}; test loss {test_loss:.4f}, "
        f"accuracy {test_acc:.2%}; gap (test - train loss) {test_loss - train_loss:.4f}"
    )
    print(f"test loss {test_loss:.4f}, test accuracy {test_acc:.2%} ({len(x_test)} images)")
    saved = ", ".join(str(args.out / f) for f in ("cnn.npz", "cnn.png", "cnn_features.png"))
    print(f"saved {saved}")
    return {
        "test_accuracy": test_acc,
        "test_loss": test_loss,
        "train_loss": train_loss,
        "first_epoch_accuracy": curves.accuracy["test"][0],
    }


if __name__ == "__main__":
    main()
