"""Learn XOR with a 2-4-1 sigmoid MLP, mean squared error and plain gradient descent.

XOR is the classic problem a single neuron cannot solve (it is not linearly separable), while
one hidden layer can. The script prints the network's four predictions and draws the decision
surface it learned (``out/xor.png``).

    python examples/xor.py
    python examples/xor.py --steps 500
"""

from __future__ import annotations

import argparse
from pathlib import Path

import common
import numpy as np

import tinygrad_edu
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor, nn, no_grad, optim

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
Y = np.array([[0], [1], [1], [0]], dtype=np.float32)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = common.make_parser(__doc__)
    parser.add_argument("--steps", type=int, default=2000, help="gradient-descent steps")
    parser.add_argument("--lr", type=float, default=2.0)
    return common.parse(parser, argv)  # adds --seed and --out


def plot(model: nn.Module, losses: list[float], path: Path) -> None:
    grid = np.linspace(-0.5, 1.5, 201, dtype=np.float32)
    g1, g2 = np.meshgrid(grid, grid)
    with no_grad():
        surface = model(Tensor(np.stack([g1.ravel(), g2.ravel()], axis=1))).numpy()
    fig, (ax_surface, ax_loss) = common.plt.subplots(1, 2, figsize=(10, 4.2))
    filled = ax_surface.contourf(g1, g2, surface.reshape(g1.shape), levels=20, cmap="coolwarm")
    ax_surface.contour(g1, g2, surface.reshape(g1.shape), levels=[0.5], colors="k")
    ax_surface.scatter(X[:, 0], X[:, 1], c=Y[:, 0], cmap="coolwarm", edgecolors="k", s=120)
    ax_surface.set(xlabel="x1", ylabel="x2", title="output (black line: 0.5)")
    fig.colorbar(filled, ax=ax_surface)
    ax_loss.plot(losses)
    ax_loss.set(xlabel="step", ylabel="MSE", yscale="log", title="training loss")
    ax_loss.grid(alpha=0.3)
    common.save_figure(fig, path)


def main(argv: list[str] | None = None) -> dict[str, float]:
    args = parse_args(argv)
    tinygrad_edu.manual_seed(args.seed)
    model = nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 1), nn.Sigmoid())
    optimizer = optim.SGD(model.parameters(), lr=args.lr)  # plain gradient descent
    x, y = Tensor(X), Tensor(Y)

    losses = []
    progress = common.Progress(args.steps, "XOR", unit="step", every=100)
    for _ in progress:
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        progress.note(loss=losses[-1])

    with no_grad():
        predictions = model(x).numpy()[:, 0]
    correct = int(((predictions > 0.5) == (Y[:, 0] > 0.5)).sum())
    for (a, b), target, p in zip(X.astype(int), Y[:, 0].astype(int), predictions):
        print(f"  {a} xor {b} = {target}   predicted {p:.3f}")
    args.out.mkdir(parents=True, exist_ok=True)
    plot(model, losses, args.out / "xor.png")
    print(f"final MSE {losses[-1]:.5f}, {correct}/4 correct")
    print(f"saved {args.out / 'xor.png'}")
    return {"loss": losses[-1], "correct": correct}


if __name__ == "__main__":
    main()
