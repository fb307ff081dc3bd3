"""Every factory takes ``device=``, as PyTorch's: programs write ``torch.zeros(n, device=device)``.

The CPU in any spelling is accepted and changes nothing; any other device is refused with an
error that names it and says why, before anything is made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as t

x = t.ones(2, 3)
FACTORIES: dict[str, Callable[..., t.Tensor]] = {
    "tensor": lambda **kw: t.tensor([1.0, 2.0], **kw),
    "as_tensor": lambda **kw: t.as_tensor([1.0, 2.0], **kw),
    "zeros": lambda **kw: t.zeros(2, 3, **kw),
    "ones": lambda **kw: t.ones((2, 3), **kw),
    "empty": lambda **kw: t.empty(2, **kw),
    "full": lambda **kw: t.full((2,), 1.5, **kw),
    "eye": lambda **kw: t.eye(3, **kw),
    "arange": lambda **kw: t.arange(5, **kw),
    "linspace": lambda **kw: t.linspace(0, 1, 5, **kw),
    "logspace": lambda **kw: t.logspace(0, 1, 5, **kw),
    "rand": lambda **kw: t.rand(2, 3, **kw),
    "randn": lambda **kw: t.randn(2, 3, **kw),
    "randint": lambda **kw: t.randint(0, 5, (4,), **kw),
    "randperm": lambda **kw: t.randperm(5, **kw),
    "normal": lambda **kw: t.normal(0.0, 1.0, (3,), **kw),
    "zeros_like": lambda **kw: t.zeros_like(x, **kw),
    "ones_like": lambda **kw: t.ones_like(x, **kw),
    "empty_like": lambda **kw: t.empty_like(x, **kw),
    "full_like": lambda **kw: t.full_like(x, 2.0, **kw),
    "rand_like": lambda **kw: t.rand_like(x, **kw),
    "randn_like": lambda **kw: t.randn_like(x, **kw),
    "randint_like": lambda **kw: t.randint_like(x, 0, 5, **kw),
    "new_zeros": lambda **kw: x.new_zeros(2, **kw),
    "new_ones": lambda **kw: x.new_ones((2,), **kw),
    "new_full": lambda **kw: x.new_full((2,), 3.0, **kw),
    "new_empty": lambda **kw: x.new_empty(2, **kw),
    "new_tensor": lambda **kw: x.new_tensor([1.0], **kw),
}


def _made(name: str, **kw: Any) -> t.Tensor:
    t.manual_seed(0)  # the random ones draw the same numbers each time
    return FACTORIES[name](**kw)


@pytest.mark.parametrize("name", sorted(FACTORIES))
@pytest.mark.parametrize("device", ["cpu", "cpu:0", t.device("cpu")], ids=str)
def test_the_cpu_in_any_spelling_changes_nothing(name: str, device: Any) -> None:
    plain, placed = _made(name), _made(name, device=device)
    assert placed.device == t.device("cpu")
    assert placed.dtype == plain.dtype and placed.shape == plain.shape
    np.testing.assert_array_equal(placed.numpy(), plain.numpy())


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_another_device_is_refused_naming_it(name: str) -> None:
    with pytest.raises(RuntimeError, match=r"'cuda:1' is not available.*CPU with NumPy"):
        _made(name, device="cuda:1")


def test_device_goes_with_dtype_and_requires_grad() -> None:
    w = t.zeros(3, 2, dtype=t.float64, device="cpu", requires_grad=True)
    assert w.dtype == t.float64 and w.requires_grad and w.is_leaf
    with pytest.raises(RuntimeError, match="floating point"):
        t.randint(0, 5, (2,), device="cpu", requires_grad=True)


def test_a_program_that_picks_its_device_the_usual_way_runs() -> None:
    device = "cuda" if t.cuda.is_available() else "cpu"
    h = t.zeros(1, 4, device=device)
    y = t.tensor([1.0, 2.0, 3.0, 4.0], device=device) + h
    assert y.device.type == device and y.shape == (1, 4)
