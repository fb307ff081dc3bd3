"""Every Python block in README.md and docs/*.md runs as a reader would paste it.

The convention, which a reader sees in the Markdown and this test follows:

- A block fenced as ```python (or ```py) is code to paste. The blocks of one file run in order in
  one namespace, as if pasted into one Python session (``__name__ == "__main__"``), from a fresh
  temporary working directory, so that files they write land there. Tracebacks give the
  Markdown file's own line numbers.
- A Python block whose first line is a comment ``# excerpt from <path>`` (a file of this
  repository, optionally followed by what it is: ``# excerpt from tinygrad_edu/autograd/engine.py
  (Walk.send)``) quotes the library and is not run. Instead, every line of it except ``...``
  (lines left out) must still be a line of that file, leading whitespace aside: an excerpt that
  no longer matches the code fails here.
- A block that imports an optional package (``OPTIONAL``: hypothesis, matplotlib, ...) that is not
  installed is skipped; the file's other blocks still run, and the test reports the skip.
- Output (```text, or a fence with no language) and shell (```sh) blocks are not run.
- A NumPy RuntimeWarning raised by a block is an error: the docs show no numerical trouble that a
  reader would see as a warning.

New Markdown files in docs/, and new blocks in the README, are picked up with no change here.

The tour's minimal engine (the block whose first line starts with ``# minimal_engine.py``) is also
checked on its own: its gradients against tinygrad_edu's on a chain, a diamond, a small MLP with
tanh, and a chain deeper than Python's recursion limit, within 1e-12 in float64.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
import textwrap
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import dtypes, viz
from tinygrad_edu.autograd.config import Config

ROOT = Path(__file__).resolve().parent.parent
MARKDOWN = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TOUR = ROOT / "docs" / "how-backward-works.md"
PYTHON = {"python", "py", "python3"}
OPTIONAL = {"hypothesis", "matplotlib", "torch", "safetensors", "sklearn", "scipy", "tqdm"}
EXCERPT = re.compile(r"#\s*excerpt from\s+(\S+)")
MINIMAL_ENGINE = "# minimal_engine.py"
FENCE = re.compile(r"^(\s*)```\s*([\w+-]*)\s*$")


@dataclass(frozen=True)
class Block:
    """A fenced code block: its language, its code (dedented) and the line it starts on."""

    language: str
    code: str
    line: int  # 1-based line number of the block's first code line in the Markdown file

    @property
    def first_line(self) -> str:
        return self.code.lstrip("\n").split("\n", 1)[0].strip()

    @property
    def is_python(self) -> bool:
        return self.language.lower() in PYTHON

    @property
    def excerpt_of(self) -> str | None:
        """The file this block quotes, if it is marked as an excerpt."""
        match = EXCERPT.match(self.first_line)
        return match.group(1) if match else None


def blocks(text: str) -> list[Block]:
    """The fenced code blocks of a Markdown text, in order (fences may be indented, as in lists)."""
    found, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        start = i + 1
        i = start
        while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
            i += 1
        if i == len(lines):
            raise ValueError(f"the code block opened on line {start} is never closed")
        code = textwrap.dedent("\n".join(lines[start:i]))
        found.append(Block(opening.group(2), code, start + 1))
        i += 1
    return found


def missing_optional(code: str) -> list[str]:
    """The optional packages the code imports that are not installed."""
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return sorted(n for n in names & OPTIONAL if importlib.util.find_spec(n) is None)


def check_excerpt(block: Block, name: str) -> None:
    """Every line of the excerpt, but ``...``, is a line of the file it names."""
    path = ROOT / (block.excerpt_of or "")
    assert path.is_file(), f"{name}:{block.line}: the excerpt names {path}, which does not exist"
    source = {line.strip() for line in path.read_text().splitlines()}
    for offset, line in enumerate(block.code.split("\n")[1:], 1):
        if line.strip() and line.strip() != "..." and line.strip() not in source:
            raise AssertionError(
                f"{name}:{block.line + offset}: this line of an excerpt is not in "
                f"{block.excerpt_of} (any more?):\n    {line.strip()}"
            )


def run_markdown(text: str, name: str) -> list[str]:
    """Run the Python blocks of a Markdown text as a reader would; check its excerpts. Returns a
    note for each block skipped for a missing optional package. Run from a scratch directory."""
    namespace: dict[str, object] = {"__name__": "__main__"}
    skipped = []
    for block in blocks(text):
        if not block.is_python:
            continue
        if block.excerpt_of is not None:
            check_excerpt(block, name)
            continue
        missing = missing_optional(block.code)
        if missing:
            skipped.append(f"{name}:{block.line} needs {', '.join(missing)}")
            continue
        # Blank lines in front, so that a traceback gives the Markdown file's line numbers.
        code = compile("\n" * (block.line - 1) + block.code, name, "exec")
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            exec(code, namespace)
    return skipped


@pytest.fixture
def reader_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A scratch working directory, a non-interactive matplotlib, and the global flags and
    default dtype put back afterwards (a block may change them, as a reader may)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setattr(sys, "argv", ["docs"])
    flags = (Config.grad_enabled, Config.anomaly_enabled)
    default_dtype = dtypes.get_default_dtype()
    yield
    Config.grad_enabled, Config.anomaly_enabled = flags
    tinygrad_edu.set_default_dtype(default_dtype)


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
@pytest.mark.filterwarnings("ignore::tinygrad_edu.gradcheck.GradcheckKinkWarning")
def test_every_python_block_runs_as_pasted(path: Path, reader_session: None) -> None:
    skipped = run_markdown(path.read_text(), str(path.relative_to(ROOT)))
    if skipped:
        pytest.skip("the other blocks ran; skipped: " + "; ".join(skipped))


def test_the_docs_have_blocks_to_run() -> None:
    """The files exist and the parser finds their code (a broken parser would pass everything)."""
    assert TOUR in MARKDOWN and (ROOT / "README.md") in MARKDOWN
    for path in MARKDOWN:
        found = blocks(path.read_text())
        assert any(b.is_python and b.excerpt_of is None for b in found), path
    tour = blocks(TOUR.read_text())
    assert sum(b.excerpt_of is not None for b in tour) >= 5
    assert any(b.language == "text" for b in tour)


# -- the harness itself can fail ---------------------------------------------------------------


def test_a_failing_block_fails_with_the_markdown_line(reader_session: None) -> None:
    text = "# Title\n\n```python\nx = 1\n```\n\ntext\n\n```python\nassert x == 2\n```\n"
    with pytest.raises(AssertionError) as e:
        run_markdown(text, "fake.md")
    assert e.traceback[-1].lineno + 1 == 10  # (pytest counts lines from 0)


def test_blocks_share_one_namespace_and_skip_output_and_shell(reader_session: None) -> None:
    text = (
        "```python\nvalue = 41\n```\n```\nnot python at all\n```\n"
        "```text\nnor this\n```\n```sh\nmake test\n```\n"
        "- a list\n\n  ```python\n  value += 1\n  open('written.txt', 'w').write(str(value))\n  ```\n"
    )
    assert run_markdown(text, "fake.md") == []
    assert Path("written.txt").read_text() == "42"  # in the scratch directory


def test_excerpts_are_checked_against_their_file() -> None:
    good = "```python\n# excerpt from tinygrad_edu/autograd/engine.py (Walk)\n...\nclass Walk:\n```"
    assert run_markdown(good, "fake.md") == []
    stale = "```python\n# excerpt from tinygrad_edu/autograd/engine.py\nclass Walker:\n```"
    with pytest.raises(AssertionError, match="class Walker"):
        run_markdown(stale, "fake.md")
    missing = "```python\n# excerpt from tinygrad_edu/no_such_file.py\nx = 1\n```"
    with pytest.raises(AssertionError, match="does not exist"):
        run_markdown(missing, "fake.md")


def test_missing_optional_packages_skip_only_their_block(
    reader_session: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda n, *a: None if n == "hypothesis" else find_spec(n, *a)
    )
    text = (
        "```python\nfrom hypothesis import given\nraise RuntimeError\n```\n"
        "```python\nimport numpy\nran = True\n```\n"
    )
    assert run_markdown(text, "fake.md") == ["fake.md:2 needs hypothesis"]
    with pytest.raises(ModuleNotFoundError):  # not optional: a typo is an error, not a skip
        run_markdown("```python\nimport numpyy\n```\n", "fake.md")


def test_a_numpy_warning_in_a_block_is_an_error(reader_session: None) -> None:
    with pytest.raises(RuntimeWarning):
        run_markdown("```python\nimport numpy as np\nnp.log(np.zeros(1))\n```\n", "fake.md")


# -- the tour's minimal engine against the real one -------------------------------------------


def minimal_engine() -> types.ModuleType:
    """The tour's minimal engine, taken from the Markdown and run as a module."""
    found = [b for b in blocks(TOUR.read_text()) if b.first_line.startswith(MINIMAL_ENGINE)]
    assert len(found) == 1, f"the tour must hold exactly one block starting {MINIMAL_ENGINE!r}"
    module = types.ModuleType("minimal_engine")
    exec(compile("\n" * (found[0].line - 1) + found[0].code, str(TOUR), "exec"), module.__dict__)
    return module


def test_the_minimal_engine_is_minimal() -> None:
    code = next(b for b in blocks(TOUR.read_text()) if b.first_line.startswith(MINIMAL_ENGINE))
    lines = [line for line in code.code.split("\n") if line.strip()]
    assert len(lines) <= 55, f"the minimal engine has grown to {len(lines)} lines"
    for name in ("__add__", "__mul__", "__matmul__", "tanh", "exp", "sum", "topological_order"):
        assert f"def {name}(" in code.code


# A graph, written once for both engines: (how to make a tensor of an array, the leaves) -> loss.
Graph = Callable[[Callable[[np.ndarray], Any], dict[str, Any]], Any]


def chain(tensor: Callable[[np.ndarray], Any], p: dict[str, Any]) -> Any:
    y = p["x"]
    for _ in range(4):
        y = (y * p["w"]).tanh().exp()
    return y.sum()


def diamond(tensor: Callable[[np.ndarray], Any], p: dict[str, Any]) -> Any:
    h = (p["x"] * p["w"]).tanh()  # used four times: four shares to add
    return (h * h + h.exp() + h).sum()


def mlp(tensor: Callable[[np.ndarray], Any], p: dict[str, Any]) -> Any:
    x = tensor(np.linspace(-1.0, 1.0, 15).reshape(5, 3))
    out = (x @ p["W1"] + p["b1"]).tanh() @ p["W2"] + p["b2"]
    return (out * out).sum()


def inputs(graph: Graph) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    if graph is mlp:
        shapes = {"W1": (3, 4), "b1": (4,), "W2": (4, 2), "b2": (1, 2)}
    else:
        shapes = {"x": (3,), "w": (3,)}
    return {k: rng.standard_normal(s) * 0.8 for k, s in shapes.items()}


@pytest.mark.parametrize("graph", [chain, diamond, mlp], ids=lambda g: g.__name__)
def test_the_minimal_engine_gives_tinygrad_edus_gradients(graph: Graph) -> None:
    engine = minimal_engine()
    arrays = inputs(graph)
    mini = {k: engine.Tensor(a) for k, a in arrays.items()}
    real = {k: tinygrad_edu.tensor(a, requires_grad=True) for k, a in arrays.items()}
    mini_loss = graph(engine.Tensor, mini)
    real_loss = graph(tinygrad_edu.tensor, real)
    assert real_loss.dtype == np.float64
    np.testing.assert_allclose(mini_loss.data, real_loss.item(), rtol=0, atol=1e-12)
    mini_loss.backward()
    real_loss.backward()
    for k in arrays:
        assert mini[k].grad.shape == arrays[k].shape, k
        np.testing.assert_allclose(mini[k].grad, real[k].grad.numpy(), rtol=0, atol=1e-12)
        assert np.abs(mini[k].grad).max() > 1e-3, k  # a gradient worth comparing


def test_the_minimal_engine_needs_no_recursion() -> None:
    """A chain longer than Python's recursion limit: the explicit stack handles it."""
    engine = minimal_engine()
    depth = sys.getrecursionlimit() + 500
    start = np.array([0.3, -0.5])
    x, tx = engine.Tensor(start), tinygrad_edu.tensor(start, requires_grad=True)
    y, ty = x, tx
    for _ in range(depth):
        y, ty = y.tanh(), ty.tanh()
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=0, atol=1e-12)
    assert (x.grad > 0).all()


# -- the tour's pictures show today's graphs ---------------------------------------------------


def graph_in_svg(path: Path) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """The nodes (id -> label lines) and edges of a picture Graphviz drew from viz.to_dot."""
    ns = {"svg": "http://www.w3.org/2000/svg"}
    nodes, edges = {}, set()
    for group in ElementTree.parse(path).getroot().iter("{http://www.w3.org/2000/svg}g"):
        title = group.findtext("svg:title", default="", namespaces=ns)
        if group.get("class") == "node":
            nodes[title] = "\n".join(t.text or "" for t in group.findall("svg:text", ns))
        elif group.get("class") == "edge":
            source, target = title.split("->")
            edges.add((source, target))
    return nodes, edges


def graph_in_dot(dot: str) -> tuple[dict[str, str], set[tuple[str, str]]]:
    nodes = {
        m.group(1): m.group(2).replace("\\n", "\n")
        for m in re.finditer(r'^\s*(t\d+) \[label="((?:[^"\\]|\\.)*)"', dot, flags=re.M)
    }
    edges = set(re.findall(r"^\s*(t\d+) -> (t\d+);", dot, flags=re.M))
    return nodes, edges


def test_the_pictures_show_todays_graphs() -> None:
    """Each picture in docs/img is the graph make_pictures.py builds now (redraw them with
    `python docs/img/make_pictures.py`, which needs Graphviz, when this fails)."""
    spec = importlib.util.spec_from_file_location(
        "make_pictures", ROOT / "docs/img/make_pictures.py"
    )
    assert spec is not None and spec.loader is not None
    make_pictures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_pictures)
    tour = TOUR.read_text()
    for name, make in make_pictures.PICTURES.items():
        assert f"(img/{name}.svg)" in tour, f"the tour does not show {name}.svg"
        tensor, params = make()
        expected = graph_in_dot(viz.to_dot(tensor, params))
        assert len(expected[0]) >= 3 and expected[1]
        assert graph_in_svg(ROOT / "docs" / "img" / f"{name}.svg") == expected, (
            f"docs/img/{name}.svg is out of date: run python docs/img/make_pictures.py"
        )
