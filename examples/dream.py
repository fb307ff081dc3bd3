"""Dream up the digits a trained classifier believes in: gradient ascent on the input image.

Training changes the weights to fit the images; here the weights stay fixed and the *image*
changes. Starting from grey, each of ten images is nudged, step by step, along the gradient of
its class's logit with respect to the pixels, with a small L2 penalty that keeps pixels
from growing without limit, and a clamp to the valid pixel range [0, 1]. The result
(``out/dream.png``, or ``out/dream_cnn.png``: a 2x5 grid) shows what each class looks like to
the network.

It loads the checkpoint ``classifier.py`` saves (``out/classifier.npz``), or with ``--model cnn``
the convolutional classifier of ``cnn.py`` (``out/cnn.npz``); if there is none, it trains one
quickly first.

    python examples/classifier.py && python examples/dream.py
    python examples/cnn.py && python examples/dream.py --model cnn
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
    parser.add_argument("--model", choices=["mlp", "cnn"], default="mlp",
                        help="the MLP of classifier.py or the CNN of cnn.py")  # fmt: skip
    parser.add_argument("--checkpoint", type=Path, default=None,
                        help="classifier weights (default: OUT/classifier.npz or OUT/cnn.npz)")  # fmt: skip
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


def quick_train(out: Path, epochs: int, model: str) -> Path:
    """No checkpoint yet: run classifier.py or cnn.py (next to this file) on a small budget."""
    if model == "cnn":
        from cnn import main as train
    else:
        from classifier import main as train

    print("no classifier checkpoint found: training one first")
    train(["--epochs", str(epochs), "--out", str(out)])
    return out / ("cnn.npz" if model == "cnn" else "classifier.npz")


def dream(model: nn.Module, shape: tuple[int, ...], args: argparse.Namespace) -> np.ndarray:
    """Ten images of ``shape`` (one input of the model); image c climbs the logit of class c."""
    rng = np.random.default_rng(args.seed)
    start = 0.5 + 0.01 * rng.standard_normal((10, *shape))
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
    side = int(np.sqrt(images[0].size))
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
    name = "cnn.npz" if args.model == "cnn" else "classifier.npz"
    checkpoint = args.checkpoint or args.out / name
    if not checkpoint.exists():
        checkpoint = quick_train(args.out, args.train_epochs, args.model)
    if args.model == "cnn":
        from cnn import load_model

        model: nn.Module = load_model(checkpoint)
        shape: tuple[int, ...] = (1, model.side, model.side)
    else:
        model = load_classifier(checkpoint)
        shape = (model[0].in_features,)

    images = dream(model, shape, args)
    with no_grad():
        probabilities = model(Tensor(images)).softmax(dim=1).numpy()
    confidence = probabilities[np.arange(10), np.arange(10)]
    for c in range(10):
        print(f"  dreamed {c}: classifier says {probabilities[c].argmax()} "
              f"with confidence {confidence[c]:.1%} for {c}")  # fmt: skip
    figure = args.out / ("dream_cnn.png" if args.model == "cnn" else "dream.png")
    plot(images, confidence, figure)
    print(f"mean confidence of the dreamed digits: {confidence.mean():.1%}")
    print(f"saved {figure}")
    return {"mean_confidence": float(confidence.mean())}


if __name__ == "__main__":
    main()
