"""Fit a 2-3-1 sigmoid network by plain gradient descent, with MSE and with MAE, and check backprop.

Many tutorials derive backpropagation for this little network by hand, and it is easy to get a
term wrong (a forgotten sigmoid derivative, a transposed weight) while the loss still goes down.
Here the engine does the derivatives, and ``tinygrad_edu.gradcheck`` proves them right: it
compares the gradient of the loss with respect to every weight against central finite
differences, in float64.

    python examples/regression.py
    python examples/regression.py --steps 500 --out /tmp/out
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path

import common
import numpy as np

import tinygrad_edu
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor, gradcheck, nn, optim

LOSSES = {"MSE": F.mse_loss, "MAE": F.l1_loss}
# The MAE gradient is the sign of each residual: it does not shrink near the optimum, so a step
# that suits MSE makes MAE bounce around; it gets a smaller one.
LEARNING_RATES = {"MSE": 0.3, "MAE": 0.05}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = common.make_parser(__doc__)
    parser.add_argument("--steps", type=int, default=3000, help="gradient-descent steps per fit")
    parser.add_argument("--lr", type=float, default=None, help="override both learning rates")
    parser.add_argument("--samples", type=int, default=200)
    return common.parse(parser, argv)  # adds --seed and --out


def make_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A smooth 2-D surface plus a little noise: y = 0.5 sin(1.5 x1) + 0.3 x2 + noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, size=(n, 2)).astype(np.float32)
    y = 0.5 * np.sin(1.5 * x[:, :1]) + 0.3 * x[:, 1:] + rng.normal(0, 0.05, size=(n, 1))
    return x, y.astype(np.float32)


def make_model() -> nn.Module:
    return nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1))


def fit(
    name: str, x: Tensor, y: Tensor, steps: int, lr: float, seed: int
) -> tuple[nn.Module, list[float]]:
    tinygrad_edu.manual_seed(seed)  # both fits start from the same weights
    model = make_model()
    optimizer = optim.SGD(model.parameters(), lr=lr)  # plain gradient descent, full batch
    loss_fn = LOSSES[name]
    curve = []
    progress = common.Progress(steps, f"fit with {name}", unit="step", every=100)
    for _ in progress:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        curve.append(loss.item())
        progress.note(loss=curve[-1])
    return model, curve


def check_gradients(model: nn.Module, x: np.ndarray, y: np.ndarray, name: str) -> bool:
    """gradcheck the loss with respect to all 13 weights of a float64 copy of the network.

    gradcheck nudges each weight in place, up and down by eps, and re-runs the function; the
    function reads the weights through the model, so it only needs the parameters as inputs.
    """
    model64 = copy.deepcopy(model)
    params = list(model64.parameters())
    for p in params:
        p.data = p.data.astype(np.float64)  # finite differences need float64's precision
    x64, y64 = Tensor(x.astype(np.float64)), Tensor(y.astype(np.float64))
    loss_fn = LOSSES[name]
    return gradcheck(lambda *weights: loss_fn(model64(x64), y64), tuple(params))


def plot(curves: dict[str, list[float]], path: Path) -> None:
    fig, ax = common.plt.subplots(figsize=(6, 4))
    for name, curve in curves.items():
        ax.plot(curve, label=f"{name} (final {curve[-1]:.4f})")
    ax.set(xlabel="step", ylabel="training loss", yscale="log", title="2-3-1 sigmoid net, plain GD")
    ax.legend()
    ax.grid(alpha=0.3)
    common.save_figure(fig, path)


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = parse_args(argv)
    x, y = make_data(args.samples, args.seed)
    xt, yt = Tensor(x), Tensor(y)

    curves, results = {}, {}
    for name in LOSSES:
        lr = args.lr if args.lr is not None else LEARNING_RATES[name]
        model, curves[name] = fit(name, xt, yt, args.steps, lr, args.seed)
        ok = check_gradients(model, x, y, name)
        n_weights = sum(p.numel() for p in model.parameters())
        print(
            f"gradcheck of the {name} loss w.r.t. all {n_weights} weights (float64): "
            f"{'passed' if ok else 'FAILED'}"
        )
        results[f"{name}_loss"] = curves[name][-1]

    args.out.mkdir(parents=True, exist_ok=True)
    plot(curves, args.out / "regression.png")
    print(
        f"final training loss: MSE fit {results['MSE_loss']:.4f} (MSE), "
        f"MAE fit {results['MAE_loss']:.4f} (MAE); targets' variance {float(y.var()):.4f}"
    )
    print(f"saved {args.out / 'regression.png'}")
    return results


if __name__ == "__main__":
    main()
