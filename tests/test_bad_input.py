"""Bad input gets a clear error: the class PyTorch raises for the same mistake, and a message that
names what was wrong (the argument, the shapes, the dtype).

Each case is written once against a library: ``fn(lib)`` makes the mistake with ``lib`` being
tinygrad_edu or torch. Our error must have the expected class and a message matching ``names``;
where PyTorch is installed, it must raise the same class (cases marked ``ours_only`` are
mistakes PyTorch accepts, or refuses by a different route, and say why).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import tinygrad_edu


@dataclass(frozen=True)
class Bad:
    label: str
    fn: Callable[[Any], Any]
    error: type[BaseException]
    names: str  # a regex the message must match: what was wrong
    ours_only: str = ""  # why PyTorch is not compared, when it is not


def F(lib: Any) -> Any:
    return lib.nn.functional


CASES = [
    # -- data that is not numbers ----------------------------------------------------------------
    Bad("Tensor(None)", lambda lib: lib.Tensor(None), TypeError, "NoneType|None"),
    Bad("Tensor([1., None])", lambda lib: lib.Tensor([1.0, None]), TypeError, "None"),
    Bad("tensor([1., None])", lambda lib: lib.tensor([1.0, None]), RuntimeError, "None"),
    Bad("Tensor('1.5')", lambda lib: lib.Tensor("1.5"), TypeError, "str"),
    Bad("tensor('1.5')", lambda lib: lib.tensor("1.5"), TypeError, "str"),
    Bad(
        "tensor(object array)",
        lambda lib: lib.tensor(np.array([1, None], dtype=object)),
        TypeError,
        "object",
    ),
    Bad("tensor(str array)", lambda lib: lib.tensor(np.array(["a"])), TypeError, "<U1|str"),
    Bad("full(s, None)", lambda lib: lib.full((2,), None), TypeError, "fill_value"),
    Bad("x + None", lambda lib: lib.ones(2) + None, TypeError, "NoneType"),
    Bad("x + '3'", lambda lib: lib.ones(2) + "3", TypeError, "str"),
    Bad("x * [1, 2]", lambda lib: lib.ones(2) * [1, 2], TypeError, "list"),
    # -- sizes, dims and shapes --------------------------------------------------------------------
    Bad("zeros(2.5)", lambda lib: lib.zeros(2.5), TypeError, "size.*float"),
    Bad("zeros(-1)", lambda lib: lib.zeros(-1), RuntimeError, "negative"),
    Bad("reshape(2.7, 3)", lambda lib: lib.ones(6).reshape(2.7, 3), TypeError, "float|size"),
    Bad("reshape to a wrong size", lambda lib: lib.ones(2, 3).reshape(4, 2), RuntimeError, r"4, 2"),
    Bad("flatten(1, 0)", lambda lib: lib.ones(2, 3).flatten(1, 0), RuntimeError, "start_dim"),
    Bad("expand(-1, 3) on a new dim", lambda lib: lib.ones(3).expand(-1, 3), RuntimeError, "-1"),
    Bad("expand to a smaller shape", lambda lib: lib.ones(2, 3).expand(4, 3), RuntimeError, r"4"),
    Bad("stack(dim=-4) of 2-d", lambda lib: lib.stack([lib.ones(2, 2)], dim=-4), IndexError, "-4"),
    Bad("sum((0, 0))", lambda lib: lib.ones(2, 3).sum((0, 0)), RuntimeError, "multiple times"),
    Bad("sum(dim=3)", lambda lib: lib.ones(2, 3).sum(dim=3), IndexError, "got 3"),
    Bad(
        "softmax(dim=(0, 1))",
        lambda lib: lib.ones(2, 2).softmax(dim=(0, 1)),
        TypeError,
        "tuple|int",
    ),
    Bad("permute(0, 0)", lambda lib: lib.ones(2, 3).permute(0, 0), RuntimeError, "permute"),
    Bad("unsqueeze(3) of 1-d", lambda lib: lib.ones(2).unsqueeze(3), IndexError, "got 3"),
    Bad("t() of 3-d", lambda lib: lib.ones(2, 2, 2).t(), RuntimeError, "2"),
    Bad(
        "view needing a copy", lambda lib: lib.ones(2, 3).t().view(6), RuntimeError, "view|reshape"
    ),
    # -- broadcasting, matmul, joining -------------------------------------------------------------
    Bad("(2, 3) + (4,)", lambda lib: lib.ones(2, 3) + lib.ones(4), RuntimeError, r"3|4"),
    Bad(
        "matmul (2, 3) @ (4, 2)", lambda lib: lib.ones(2, 3) @ lib.ones(4, 2), RuntimeError, "2x3|3"
    ),
    Bad("matmul of a 0-d", lambda lib: lib.tensor(2.0) @ lib.ones(3), RuntimeError, "1.?[Dd]"),
    Bad(
        "cat of mismatched",
        lambda lib: lib.cat([lib.ones(2, 3), lib.ones(2, 4)]),
        RuntimeError,
        r"3|4",
    ),
    Bad(
        "cat of 0-d",
        lambda lib: lib.cat([lib.tensor(1.0), lib.tensor(2.0)]),
        RuntimeError,
        "zero-dim",
    ),
    Bad(
        "cat([t, ndarray])",
        lambda lib: lib.cat([lib.ones(2), np.ones(2)]),
        TypeError,
        "ndarray|element 1",
    ),
    Bad("cat of nothing", lambda lib: lib.cat([]), ValueError, "non-empty"),
    Bad(
        "stack of mismatched",
        lambda lib: lib.stack([lib.ones(2), lib.ones(3)]),
        RuntimeError,
        r"2|3",
    ),
    Bad(
        "where with a float condition",
        lambda lib: lib.where(lib.ones(3), lib.ones(3), lib.zeros(3)),
        RuntimeError,
        "bool",
    ),
    Bad(
        "where shapes",
        lambda lib: lib.where(lib.ones(2, 3) > 0, lib.ones(2, 3), lib.ones(5)),
        RuntimeError,
        r"5",
    ),
    # -- indexing ----------------------------------------------------------------------------------
    Bad("index out of range", lambda lib: lib.ones(5, 4)[7], IndexError, "7"),
    Bad(
        "float index tensor",
        lambda lib: lib.ones(3)[lib.tensor([0.0, 1.0])],
        IndexError,
        "long|int",
    ),
    Bad(
        "mask of the wrong shape (read)",
        lambda lib: lib.ones(4)[lib.tensor([True, False, True])],
        IndexError,
        "mask",
    ),
    Bad(
        "mask of the wrong shape (write)",
        lambda lib: lib.ones(4).__setitem__(lib.tensor([True, False, True]), 0.0),
        IndexError,
        "mask",
    ),
    Bad(
        "gather with index -1",
        lambda lib: lib.ones(3).gather(0, lib.tensor([-1])),
        RuntimeError,
        "-1",
    ),
    Bad(
        "gather with a float index",
        lambda lib: lib.ones(3).gather(0, lib.tensor([0.0])),
        RuntimeError,
        "int",
    ),
    Bad(
        "setitem of a wrong shape",
        lambda lib: lib.ones(2).__setitem__(slice(0, 2), lib.ones(3)),
        RuntimeError,
        r"3",
    ),
    # -- values and reductions ---------------------------------------------------------------------
    Bad("item of many", lambda lib: lib.ones(2, 2).item(), RuntimeError, "4|2, 2"),
    Bad("bool of many", lambda lib: bool(lib.ones(2)), RuntimeError, "ambiguous"),
    Bad("len of 0-d", lambda lib: len(lib.tensor(1.0)), TypeError, "0-d"),
    Bad("max over an empty dim", lambda lib: lib.ones(0, 3).max(0), IndexError, "zero|non-zero"),
    Bad("amax of empty", lambda lib: lib.ones(0).amax(), RuntimeError, "empty"),
    Bad(
        "argmax over an empty dim",
        lambda lib: lib.ones(0, 3).argmax(0),
        IndexError,
        "zero|non-zero|empty",
    ),
    Bad("int ** -1", lambda lib: lib.ones(2, dtype=lib.int64) ** -1, RuntimeError, "negative"),
    Bad("arange step 0", lambda lib: lib.arange(0, 5, 0), RuntimeError, "step"),
    Bad("arange wrong sign", lambda lib: lib.arange(0, 5, -1), RuntimeError, "step|bound"),
    Bad(
        "requires_grad on int",
        lambda lib: lib.tensor([1, 2], requires_grad=True),
        RuntimeError,
        "floating",
    ),
    Bad(
        "device cuda",
        lambda lib: lib.ones(2).to("cuda:7"),
        RuntimeError,
        "cuda",
        ours_only="PyTorch's CPU build raises AssertionError; a RuntimeError that says why is clearer",
    ),
    # -- autograd ----------------------------------------------------------------------------------
    Bad(
        "backward of non-scalar",
        lambda lib: (lib.ones(2, requires_grad=True) * 2).backward(),
        RuntimeError,
        "scalar",
    ),
    Bad("backward without grad", lambda lib: lib.ones(2).sum().backward(), RuntimeError, "grad"),
    Bad(
        "grad of wrong shape",
        lambda lib: setattr(lib.ones(3, requires_grad=True), "grad", lib.ones(2)),
        RuntimeError,
        r"2|3",
    ),
    Bad(
        "grad of wrong dtype",
        lambda lib: setattr(
            lib.ones(3, requires_grad=True), "grad", lib.ones(3, dtype=lib.float64)
        ),
        RuntimeError,
        "dtype|double|float64",
    ),
    Bad(
        "autograd.grad with fewer grad_outputs",
        lambda lib: lib.autograd.grad(
            [lib.ones(2, requires_grad=True) * 2, lib.ones(2, requires_grad=True) * 3],
            [],
            grad_outputs=[lib.ones(2)],
        ),
        RuntimeError,
        "grad_outputs|1",
        ours_only="torch raises a different message route for an empty inputs list",
    ),
    Bad(
        "autograd.grad with a (1,) grad_output for a (3,) output",
        lambda lib: lib.autograd.grad(
            lib.ones(3, requires_grad=True) * 2,
            lib.ones(3, requires_grad=True),
            grad_outputs=lib.ones(1),
        ),
        RuntimeError,
        r"3|1",
    ),
    # -- losses --------------------------------------------------------------------------------------
    Bad(
        "BCE target outside [0, 1]",
        lambda lib: F(lib).binary_cross_entropy(lib.full((2,), 0.5), lib.tensor([0.0, 2.0])),
        RuntimeError,
        "target.*between 0 and 1",
    ),
    Bad(
        "BCE input outside [0, 1]",
        lambda lib: F(lib).binary_cross_entropy(lib.tensor([0.5, 1.5]), lib.tensor([0.0, 1.0])),
        RuntimeError,
        "input.*between 0 and 1",
    ),
    Bad(
        "cross_entropy class out of range",
        lambda lib: F(lib).cross_entropy(lib.ones(2, 3), lib.tensor([0, 3])),
        IndexError,
        "3",
    ),
    Bad(
        "cross_entropy float targets of another shape",
        lambda lib: F(lib).cross_entropy(lib.ones(2, 3), lib.ones(2)),
        RuntimeError,
        "target|shape|dtype|expected",
    ),
]


def _id(case: Bad) -> str:
    return case.label


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_ours_raises_a_clear_error(case: Bad) -> None:
    with pytest.raises(case.error) as e:
        case.fn(tinygrad_edu)
    assert re.search(case.names, str(e.value)), f"{case.label}: {e.value}"


@pytest.mark.parametrize("case", [c for c in CASES if not c.ours_only], ids=_id)
def test_torch_raises_the_same_class(case: Bad) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(case.error):
        case.fn(torch)
