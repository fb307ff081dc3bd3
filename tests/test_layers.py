"""The layers import one way: the autograd core knows nothing of the Tensor module.

The core (``CORE`` below) may import NumPy, the standard library and other core modules, and
nothing else of this package at import time (an import under ``if TYPE_CHECKING:`` is for the
type checker only, and allowed). The Tensor class reaches the core once, through
``variable.set_tensor_class``. A reader can then study the core on its own, and the package
imports in any order.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AUTOGRAD = ROOT / "tinygrad_edu" / "autograd"
CORE = ["config", "variable", "function", "graph", "engine", "delivery", "versions", "anomaly"]


def _runtime_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import that runs when the module is imported: at any depth,
    except inside ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text())
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "tinygrad_edu.autograd":  # from tinygrad_edu.autograd import x
                found += [(node.lineno, f"tinygrad_edu.autograd.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("name", CORE)
def test_the_autograd_core_imports_only_itself(name: str) -> None:
    allowed = {f"tinygrad_edu.autograd.{m}" for m in CORE}
    path = AUTOGRAD / f"{name}.py"
    wrong = [
        f"{path.name}:{line} imports {module}"
        for line, module in _runtime_imports(path)
        if module.startswith("tinygrad_edu") and module not in allowed
    ]
    assert not wrong, "the autograd core must not import the rest of the package: " + "; ".join(
        wrong
    )


def test_the_check_sees_an_import_of_the_tensor_module(tmp_path: Path) -> None:
    """The test above can fail: a core-like file that imports the Tensor module is caught, one
    that imports it only for the type checker is not."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from tinygrad_edu._tensor import Tensor\n    return Tensor\n")
    ok = tmp_path / "ok.py"
    ok.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from tinygrad_edu._tensor import Tensor\n"
    )
    assert (2, "tinygrad_edu._tensor") in _runtime_imports(bad)
    assert not [m for _, m in _runtime_imports(ok) if m.startswith("tinygrad_edu")]


@pytest.mark.parametrize(
    "module",
    [
        "tinygrad_edu.autograd.engine",
        "tinygrad_edu.autograd.function",
        "tinygrad_edu._tensor",
        "tinygrad_edu.ops",
        "tinygrad_edu.nn.functional",
        "tinygrad_edu.optim",
        "tinygrad_edu.serialization",
    ],
)
def test_any_module_can_be_imported_first(module: str) -> None:
    """In a fresh interpreter, importing this module first gives a working package."""
    code = (
        f"import {module}\n"
        "import tinygrad_edu as t\n"
        "x = t.tensor([1.0, 2.0], requires_grad=True)\n"
        "(x * x).sum().backward()\n"
        "assert x.grad.tolist() == [2.0, 4.0], x.grad\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
