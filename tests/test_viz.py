"""The graph views: DOT source, rendered pictures, and the text backward order."""

from __future__ import annotations

import io
import re
import shutil

import numpy as np
import pytest

from tinygrad_edu import Tensor, viz


def small_graph() -> tuple[Tensor, dict[str, Tensor]]:
    w = Tensor(np.ones((3, 2), dtype=np.float32), requires_grad=True)
    b = Tensor(np.zeros(2, dtype=np.float32), requires_grad=True)
    x = Tensor(np.ones((4, 3), dtype=np.float32))  # data: needs no gradient, so not drawn
    loss = (x @ w + b).relu().sum()
    return loss, {"fc.weight": w, "fc.bias": b}


def nodes(dot: str) -> dict[str, str]:
    """node id -> label (with \\n left escaped)."""
    return dict(re.findall(r'^\s*(t\d+) \[label="([^"]*)"', dot, flags=re.M))


def edges(dot: str) -> list[tuple[str, str]]:
    return re.findall(r"^\s*(t\d+) -> (t\d+);", dot, flags=re.M)


def test_dot_names_ops_shapes_dtypes_and_parameters() -> None:
    loss, params = small_graph()
    dot = viz.to_dot(loss, params=params)
    labels = nodes(dot)
    assert sorted(labels.values()) == sorted(
        [
            "Sum\\n() float32",
            "ReLU\\n(4, 2) float32",
            "Add\\n(4, 2) float32",
            "MatMul\\n(4, 2) float32",
            "fc.weight\\n(3, 2) float32",
            "fc.bias\\n(2,) float32",
        ]
    )


def test_dot_edges_follow_the_gradient_from_output_to_leaves() -> None:
    loss, params = small_graph()
    dot = viz.to_dot(loss, params=params)
    labels = {k: v.split("\\n")[0] for k, v in nodes(dot).items()}
    named = {(labels[a], labels[b]) for a, b in edges(dot)}
    assert named == {
        ("Sum", "ReLU"),
        ("ReLU", "Add"),
        ("Add", "MatMul"),
        ("Add", "fc.bias"),
        ("MatMul", "fc.weight"),
    }


def test_unnamed_leaves_are_labelled_leaf_and_shared_nodes_appear_once() -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = x * x + x  # x used three times: one node, three edges into it
    dot = viz.to_dot(y)
    labels = nodes(dot)
    assert list(labels.values()).count("leaf\\n(2,) float64") == 1
    leaf = next(k for k, v in labels.items() if v.startswith("leaf"))
    assert sum(1 for _, b in edges(dot) if b == leaf) == 3


def test_graph_is_still_drawable_after_backward() -> None:
    loss, params = small_graph()
    before = viz.to_dot(loss, params)
    loss.backward()
    assert viz.to_dot(loss, params) == before


def test_backward_order_lists_every_step_in_engine_order() -> None:
    loss, params = small_graph()
    lines = viz.backward_order(loss, params)
    assert [line.split()[1] for line in lines] == [
        "Sum",
        "ReLU",
        "Add",
        "MatMul",
        "fc.bias",  # leaves come last, in the order the walk reaches them: Add sends to bias first
        "fc.weight",
    ]
    assert lines[2].rstrip().endswith("-> 3, 4")  # Add passes its gradient to MatMul and bias
    assert lines[4].rstrip().endswith("-> .grad")
    # The engine really runs in that order: hooks fire as each tensor's gradient is complete.
    fired: list[str] = []
    for name, p in params.items():
        p.register_hook(lambda g, name=name: fired.append(name))
    loss.backward()
    assert fired == ["fc.bias", "fc.weight"]
    out = io.StringIO()
    loss2, params2 = small_graph()
    viz.print_graph(loss2, params2, file=out)
    assert out.getvalue().splitlines()[1:] == lines


def test_text_views_refuse_a_tensor_without_graph() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        viz.backward_order(Tensor([1.0]))
    with pytest.raises(TypeError, match="Tensor"):
        viz.to_dot([1.0])  # type: ignore[arg-type]


def test_draw_explains_how_to_get_graphviz_when_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    loss, _ = small_graph()
    monkeypatch.setattr(viz.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="apt-get install graphviz") as e:
        viz.draw(loss, "never.svg")
    assert "pip install graphviz" in str(e.value)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_draw_renders_svg_and_png(tmp_path) -> None:
    loss, params = small_graph()
    svg = tmp_path / "g.svg"
    viz.draw(loss, str(svg), params)
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "fc.weight" in text and "MatMul" in text
    png = tmp_path / "g.png"
    viz.draw(loss, str(png), params)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
