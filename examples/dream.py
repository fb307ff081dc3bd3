"""Dream up the digits a trained classifier believes in: gradient ascent on the input image.

Training changes the weights to fit the images; here the weights stay fixed and the *image*
changes. Starting from grey, each of ten images is nudged, step by step, along the gradient of
its class's logit with respect to the pixels, with a small L2 penalty that keeps pixels
from growing without limit, and a clamp to the valid pixel range [0, 1]. The result
(``out/dream.png``, a 2x5 grid) shows what each class looks like to the network.

It loads the checkpoint ``classifier.py`` saves (``out/classifier.npz``); if there is none, it
trains one quickly first.

    python examples/classifier.py && python examples/dream.py
    python examples/dream.py --steps 50
"""

from __future__ import annotations

import argparse
from pathlib import Path

import common
import numpy as np

import tinygrad_edu
from tinygrad_edu import Tensor, nn, no_grad, optim


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = common.make_parser(__doc__)
    parser.add_argument("--checkpoint", type=Path, default=None,
                        help="classifier weights (default: OUT/classifier.npz)")  # fmt: skip
    parser.add_argument("--steps", type=int, default=300, help="gradient-ascent steps")
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--l2", type=float, default=0.2, help="weight of the L2 pixel penalty")
    parser.add_argument("--train-epochs", type=int, default=5,
                        help="epochs for the quick training when no checkpoint exists")  # fmt: skip
    return common.parse(parser, argv)  # adds --seed and --out


def load_classifier(path: Path) -> nn.Module:
    """Rebuild the MLP from the checkpoint's own shapes, so any --hidden or dataset works."""
    state = tinygrad_edu.load(path)
    hidden, n_inputs = state["0.weight"].shape
    model = nn.Sequential(nn.Linear(n_inputs, hidden), nn.ReLU(), nn.Linear(hidden, 10))
    model.load_state_dict(state)
    model.eval()
    return model


def quick_train(out: Path, epochs: int) -> Path:
    """No checkpoint yet: run classifier.py (next to this file) on a small budget."""
    from classifier import main as train_classifier

    print("no classifier checkpoint found: training one first")
    train_classifier(["--epochs", str(epochs), "--out", str(out)])
    return out / "classifier.npz"


def dream(model: nn.Module, n_pixels: int, args: argparse.Namespace) -> np.ndarray:
    # The ten images are one batch; image c climbs the logit of class c.
    rng = np.random.default_rng(args.seed)
    start = 0.5 + 0.01 * rng.standard_normal((10, n_pixels))
    images = Tensor(start.astype(np.float32), requires_grad=True)
    for p in model.parameters():
        p.requires_grad_(False)  # the weights are fixed: only the pixels get gradients
    optimizer = optim.Adam([images], lr=args.lr)
    classes = np.arange(10)
    progress = common.Progress(args.steps, "dreaming", unit="step", every=25)
    for _ in progress:
        optimizer.zero_grad()
        logits = model(images)
        score = logits[classes, classes].sum() - args.l2 * (images * images).sum()
        (-score).backward()  # the optimizer minimises, so climb the score by descending -score
        optimizer.step()
        np.clip(images.data, 0.0, 1.0, out=images.data)  # stay inside the pixel range
        progress.note(score=score.item())
    return images.data.copy()


def plot(images: np.ndarray, confidence: np.ndarray, path: Path) -> None:
    side = int(np.sqrt(images.shape[1]))
    fig, axes = common.plt.subplots(2, 5, figsize=(9, 4.3))
    for c, ax in enumerate(axes.ravel()):
        ax.imshow(images[c].reshape(side, side), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"{c}: {confidence[c]:.1%}", fontsize=10)
        ax.axis("off")
    fig.suptitle("what the classifier thinks each digit looks like (its confidence)")
    common.save_figure(fig, path)


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = parse_args(argv)
    tinygrad_edu.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    checkpoint = args.checkpoint or args.out / "classifier.npz"
    if not checkpoint.exists():
        checkpoint = quick_train(args.out, args.train_epochs)
    model = load_classifier(checkpoint)

    images = dream(model, model[0].in_features, args)
    with no_grad():
        probabilities = model(Tensor(images)).softmax(dim=1).numpy()
    confidence = probabilities[np.arange(10), np.arange(10)]
    for c in range(10):
        print(f"  dreamed {c}: classifier says {probabilities[c].argmax()} "
              f"with confidence {confidence[c]:.1%} for {c}")  # fmt: skip
    plot(images, confidence, args.out / "dream.png")
    print(f"mean confidence of the dreamed digits: {confidence.mean():.1%}")
    print(f"saved {args.out / 'dream.png'}")
    return {"mean_confidence": float(confidence.mean())}


if __name__ == "__main__":
    main()
