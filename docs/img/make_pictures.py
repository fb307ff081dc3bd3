"""Redraw the pictures in docs/img (needs Graphviz's `dot`): python docs/img/make_pictures.py

The first one is the network of section 2 of docs/how-backward-works.md, built the same way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import tinygrad_edu
from tinygrad_edu import Tensor, autograd, manual_seed, viz

HERE = Path(__file__).resolve().parent


def two_layer_net() -> tuple[Tensor, dict[str, Tensor]]:
    """loss = mean((relu(x W1^T + b1) W2^T + b2 - y)^2), the parameters named as nn would."""
    manual_seed(0)
    params = {
        "fc1.weight": tinygrad_edu.randn(4, 3, requires_grad=True),
        "fc1.bias": tinygrad_edu.zeros(4, requires_grad=True),
        "fc2.weight": tinygrad_edu.randn(1, 4, requires_grad=True),
        "fc2.bias": tinygrad_edu.zeros(1, requires_grad=True),
    }
    x, y = tinygrad_edu.randn(8, 3), tinygrad_edu.randn(8, 1)
    h = (x @ params["fc1.weight"].T + params["fc1.bias"]).relu()
    out = h @ params["fc2.weight"].T + params["fc2.bias"]
    return ((out - y) ** 2).mean(), params


def in_place() -> tuple[Tensor, dict[str, Tensor]]:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = x * 3.0
    y.add_(x)  # rebased: y's node is now the Add, whose first input is the old y
    return (y * y).sum(), {"x": x}


def gradient_graph() -> tuple[Tensor, dict[str, Tensor]]:
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    (g,) = autograd.grad((x * x * x).sum(), [x], create_graph=True)
    return g.sum(), {"x": x}


# The pictures of docs/how-backward-works.md, by file name (tests/test_docs.py checks that each
# picture still shows the graph its function builds today).
PICTURES = {"mlp": two_layer_net, "inplace": in_place, "create_graph": gradient_graph}

if __name__ == "__main__":
    for name, make in PICTURES.items():
        t, params = make()
        for suffix in ("svg", "png"):
            viz.draw(t, str(HERE / f"{name}.{suffix}"), params)
        print(name)
        viz.print_graph(t, params)
