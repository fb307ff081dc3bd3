"""What several test modules need: tensors to differentiate, and the checks they share.

Test modules import these by name (``from helpers import leaf``); pytest puts tests/ on the path,
as it does for op_table.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu import Tensor, gradcheck, gradgradcheck


def leaf(values: Any, dtype: Any = np.float64) -> Tensor:
    """A leaf tensor that requires grad, float64 unless told (what gradcheck wants)."""
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


def rand(
    *shape: int,
    seed: int = 0,
    scale: float = 1.0,
    dtype: Any = np.float64,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal values times ``scale``, reproducible by ``seed``."""
    data = (scale * np.random.default_rng(seed).standard_normal(shape)).astype(dtype)
    return Tensor(data, requires_grad=requires_grad)


def first(out: Any) -> Any:
    """A module's main output: the first of a tuple (an RNN's output before h_n), else itself."""
    return out[0] if isinstance(out, tuple) else out


def log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    """The NumPy reference: shifted by the max, so exp never overflows."""
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def check_grads(fn: Any, inputs: Any, second_order: bool = True) -> None:
    """First derivatives, and second ones unless told otherwise, against central differences."""
    assert gradcheck(fn, inputs)
    if second_order:
        assert gradgradcheck(fn, inputs)
