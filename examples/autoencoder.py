"""A dense autoencoder on digits: compress each image to 32 numbers, then classify from those.

The encoder (64-128-64-32, ReLU) squeezes an image into a 32-d code and the decoder
(32-64-128-64, Tanh output) rebuilds the image from it, trained with MSE and Adam (lr 1e-3,
batches of 64). This is the classic 784-128-64-32 MNIST autoencoder, scaled to the 8x8 digits;
pixels are scaled to [-1, 1] to match the tanh output.

Then the encoder alone turns every image into its code (under ``no_grad``: no graph is needed),
the codes are saved to ``out/features.npz`` (compressed), and a single ``nn.Linear`` trained with
softmax cross-entropy on the codes shows how much of the digit's identity the 32 numbers kept.

    python examples/autoencoder.py
    python examples/autoencoder.py --epochs 2 --limit 200
"""

from __future__ import annotations

import argparse
from pathlib import Path

import common
import numpy as np

import tinygrad_edu
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor, nn, no_grad, optim
from tinygrad_edu.data import DataLoader, TensorDataset, load_digits


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = common.make_parser(__doc__)
    parser.add_argument("--epochs", type=int, default=40, help="autoencoder training epochs")
    parser.add_argument("--probe-epochs", type=int, default=50, help="linear classifier epochs")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--limit", type=int, default=None, help="use only this many train images")
    return common.parse(parser, argv)  # adds --seed and --out


def make_autoencoder(n_pixels: int) -> tuple[nn.Module, nn.Module]:
    encoder = nn.Sequential(
        nn.Linear(n_pixels, 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 32), nn.ReLU(),
    )  # fmt: skip
    decoder = nn.Sequential(
        nn.Linear(32, 64), nn.ReLU(),
        nn.Linear(64, 128), nn.ReLU(),
        nn.Linear(128, n_pixels), nn.Tanh(),
    )  # fmt: skip
    return encoder, decoder


def train_autoencoder(
    encoder: nn.Module, decoder: nn.Module, x: np.ndarray, args: argparse.Namespace
) -> list[float]:
    params = list(encoder.parameters()) + list(decoder.parameters())
    optimizer = optim.Adam(params, lr=args.lr)
    loader = DataLoader(TensorDataset(x), batch_size=args.batch_size, shuffle=True)
    losses = []
    progress = common.Progress(args.epochs, "autoencoder", unit="epoch")
    for _ in progress:
        total = 0.0
        for (batch,) in loader:
            optimizer.zero_grad()
            loss = F.mse_loss(decoder(encoder(batch)), batch)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(x))
        progress.note(mse=losses[-1])
    return losses


def train_probe(features: np.ndarray, labels: np.ndarray, args: argparse.Namespace) -> nn.Module:
    """A linear classifier on the frozen codes: softmax cross-entropy, Adam."""
    probe = nn.Linear(features.shape[1], 10)
    optimizer = optim.Adam(probe.parameters(), lr=1e-2)
    loader = DataLoader(TensorDataset(features, labels), batch_size=args.batch_size, shuffle=True)
    for _ in common.Progress(args.probe_epochs, "linear probe", unit="epoch"):
        for x, y in loader:
            optimizer.zero_grad()
            F.cross_entropy(probe(x), y).backward()
            optimizer.step()
    return probe


def plot(originals: np.ndarray, reconstructions: np.ndarray, mse: float, path: Path) -> None:
    n, side = len(originals), int(np.sqrt(originals.shape[1]))
    fig, axes = common.plt.subplots(2, n, figsize=(1.1 * n, 2.6))
    for row, images in enumerate((originals, reconstructions)):
        for i in range(n):
            axes[row, i].imshow(images[i].reshape(side, side), cmap="gray_r", vmin=-1, vmax=1)
            axes[row, i].set_xticks([])
            axes[row, i].set_yticks([])
    axes[0, 0].set_ylabel("original")
    axes[1, 0].set_ylabel("decoded")
    fig.suptitle(f"test images through the 32-d code (reconstruction MSE {mse:.4f})")
    common.save_figure(fig, path)


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = parse_args(argv)
    tinygrad_edu.manual_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = load_digits()
    if args.limit is not None:
        x_train, y_train = x_train[: args.limit], y_train[: args.limit]
    x_train, x_test = 2 * x_train - 1, 2 * x_test - 1  # [0, 1] -> [-1, 1], tanh's range

    encoder, decoder = make_autoencoder(x_train.shape[1])
    losses = train_autoencoder(encoder, decoder, x_train, args)

    with no_grad():  # inference only: no graph, no gradient bookkeeping
        codes_train = encoder(Tensor(x_train)).numpy()
        codes_test = encoder(Tensor(x_test)).numpy()
        reconstructions = decoder(Tensor(codes_test[:10])).numpy()
        test_mse = F.mse_loss(decoder(Tensor(codes_test)), Tensor(x_test)).item()

    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out / "features.npz",
        x_train=codes_train, y_train=y_train, x_test=codes_test, y_test=y_test,
    )  # fmt: skip

    probe = train_probe(codes_train, y_train, args)
    with no_grad():
        predicted = probe(Tensor(codes_test)).numpy().argmax(axis=1)
    accuracy = float((predicted == y_test).mean())

    plot(x_test[:10], reconstructions, test_mse, args.out / "autoencoder.png")
    print(f"reconstruction MSE: train {losses[-1]:.4f}, test {test_mse:.4f} (pixels in [-1, 1])")
    print(f"linear classifier on the 32-d codes: test accuracy {accuracy:.2%}")
    print(f"saved {args.out / 'features.npz'} and {args.out / 'autoencoder.png'}")
    return {"reconstruction_mse": test_mse, "probe_accuracy": accuracy}


if __name__ == "__main__":
    main()
