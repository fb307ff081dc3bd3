"""Look at a graph: DOT source for Graphviz, a rendered picture, or a text view for a terminal.

    from tinygrad_edu import viz
    loss = model(x).sum()
    print(viz.to_dot(loss, params=dict(model.named_parameters())))  # paste into any DOT viewer
    viz.draw(loss, "graph.svg", params=dict(model.named_parameters()))  # needs Graphviz's `dot`
    viz.print_graph(loss)                                              # the backward order

A node is a tensor that needs a gradient: an op's output (labelled with the op) or a leaf
(labelled with its parameter name when ``params`` knows it). Edges point the way gradients flow:
from a tensor to the inputs of the op that made it. Tensors that need no gradient (constants,
data) are left out, as torchviz does. The walk is the engine's own ``topological_order``, so the
picture shows exactly what ``backward()`` will visit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import TextIO

from tinygrad_edu._tensor import Tensor
from tinygrad_edu.autograd.engine import topological_order

__all__ = ["backward_order", "draw", "print_graph", "to_dot"]


def _names(params: dict[str, Tensor] | None) -> dict[int, str]:
    return {id(t): name for name, t in (params or {}).items()}


def _describe(t: Tensor, names: dict[int, str]) -> str:
    """What a node is: its op, or for a leaf its name."""
    if t.grad_fn is not None:
        return type(t.grad_fn).__name__
    return names.get(id(t), "leaf")


def _shape(t: Tensor) -> str:
    return "(" + ", ".join(str(n) for n in t.shape) + ("," if t.ndim == 1 else "") + ")"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _edges(order: list[Tensor]) -> list[tuple[int, int]]:
    """(i, j) when the gradient of order[i] flows into order[j]."""
    position = {id(t): i for i, t in enumerate(order)}
    edges = []
    for i, t in enumerate(order):
        if t.grad_fn is not None:
            for x in t.grad_fn.inputs:
                j = position.get(id(x))
                if j is not None:
                    edges.append((i, j))
    return edges


def to_dot(tensor: Tensor, params: dict[str, Tensor] | None = None) -> str:
    """DOT source for the graph behind ``tensor`` (no dependency needed to produce it).

    ``params`` maps names to leaf tensors, e.g. ``dict(model.named_parameters())``.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_dot: expected a Tensor, got {type(tensor).__name__}")
    names = _names(params)
    order = topological_order(tensor) if tensor.requires_grad else [tensor]
    lines = [
        "digraph backward {",
        "  // edges point the way gradients flow: from an op's output to its inputs",
        '  graph [rankdir=TB, fontname="Helvetica"];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
    ]
    for i, t in enumerate(order):
        label = f"{_describe(t, names)}\n{_shape(t)} {t.dtype}"
        if t.grad_fn is not None:
            color = "#c8e6c9" if i == 0 else "#e0e0e0"  # the output green, ops grey
        else:
            color = "#bbdefb" if id(t) in names else "#fff9c4"  # parameters blue, inputs yellow
        lines.append(f"  t{i} [label={_quote(label)}, fillcolor={_quote(color)}];")
    for i, j in _edges(order):
        lines.append(f"  t{i} -> t{j};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def draw(
    tensor: Tensor, path: str, params: dict[str, Tensor] | None = None, format: str | None = None
) -> None:
    """Render the graph to ``path`` (SVG, PNG, PDF...: taken from the suffix unless ``format``).

    Runs Graphviz's ``dot`` program, which must be installed on the system.
    """
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError(
            "draw() needs the Graphviz program `dot`, which was not found on PATH. Install it "
            "with your system's package manager: `apt-get install graphviz` (Debian/Ubuntu), "
            "`brew install graphviz` (macOS) or `conda install graphviz`. Note that "
            "`pip install graphviz` only installs Python bindings, not the `dot` program. "
            "to_dot() gives the DOT source without any dependency."
        )
    fmt = format or os.path.splitext(path)[1].lstrip(".").lower()
    if not fmt:
        raise ValueError(f"draw: cannot tell the image format of {path!r}; pass format='svg'")
    result = subprocess.run(
        [dot, f"-T{fmt}", "-o", path],
        input=to_dot(tensor, params).encode(),
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"draw: dot failed: {result.stderr.decode().strip()}")


def backward_order(tensor: Tensor, params: dict[str, Tensor] | None = None) -> list[str]:
    """One line per step of backward, in the order the engine runs them.

    Each line gives the step, what the node is, its shape and dtype, and the steps its gradient
    is passed to (``->``); leaves say where their gradient ends up (``.grad``).
    """
    if not tensor.requires_grad:
        raise RuntimeError("backward_order: the tensor does not require grad, so there is no graph")
    names = _names(params)
    order = topological_order(tensor)
    targets: list[list[int]] = [[] for _ in order]
    for i, j in _edges(order):
        targets[i].append(j)
    width = max(len(_describe(t, names)) for t in order)
    lines = []
    for i, t in enumerate(order):
        where = "-> " + ", ".join(map(str, targets[i])) if t.grad_fn is not None else "-> .grad"
        if t.grad_fn is not None and not targets[i]:
            where = "-> (no input needs a gradient)"
        lines.append(
            f"{i:>3}  {_describe(t, names):<{width}}  {_shape(t):<12} {t.dtype!s:<8} {where}"
        )
    return lines


def print_graph(
    tensor: Tensor, params: dict[str, Tensor] | None = None, file: TextIO | None = None
) -> None:
    """Print the backward order (see ``backward_order``) for a terminal."""
    out = file if file is not None else sys.stdout
    print("step  node (gradients flow from each step to the steps after ->)", file=out)
    for line in backward_order(tensor, params):
        print(line, file=out)
