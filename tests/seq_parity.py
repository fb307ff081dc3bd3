"""Comparing a sequence module with its torch twin: torch's weights loaded into ours, the same
inputs, and equal outputs and gradients. torch is imported only when a comparison runs, so the
test modules that import these stay collectable (and their other tests run) without it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from tinygrad_edu import Tensor

TOL = {np.float64: {"rtol": 1e-10, "atol": 1e-12}, np.float32: {"rtol": 2e-5, "atol": 2e-6}}


def _torch() -> Any:
    import torch

    return torch


def torch_dtype(dtype: Any) -> Any:
    return _torch().float64 if dtype == np.float64 else _torch().float32


def load_torch_weights(ours: Any, theirs: Any, dtype: Any) -> None:
    """torch's state dict into ours, no renaming; both modules then in ``dtype``."""
    assert list(ours.state_dict()) == list(theirs.state_dict())  # same names, same order
    for (k, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        assert a.shape == tuple(b.shape), k
    ours.load_state_dict(theirs.state_dict())  # torch tensors, read through np.asarray
    ours.to(dtype)
    theirs.to(torch_dtype(dtype))


def flat(out: Any) -> list[Any]:
    """(output, h_n) or (output, (h_n, c_n)) or a tensor, as a flat list of tensors."""
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in flat(o)]
    return [] if out is None else [out]


def check_same(
    ours: Any,
    theirs: Any,
    arrays: list[np.ndarray],
    call: Callable[[Any, list[Any]], Any],
    dtype: Any,
) -> None:
    """call(module, inputs) on both libraries: outputs, then the gradients of a random
    weighting of every output w.r.t. every input and parameter, must agree."""
    torch = _torch()
    tol = TOL[dtype]
    ins_o = [Tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    ins_t = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    outs_o, outs_t = flat(call(ours, ins_o)), flat(call(theirs, ins_t))
    assert len(outs_o) == len(outs_t)
    rng = np.random.default_rng(2)
    total_o, total_t = 0, 0
    for i, (o, t) in enumerate(zip(outs_o, outs_t)):
        assert o.shape == tuple(t.shape), f"output {i}"
        assert o.dtype == dtype, f"output {i}"
        np.testing.assert_allclose(o.numpy(), t.detach().numpy(), **tol, err_msg=f"output {i}")
        seed = rng.standard_normal(o.shape).astype(dtype)
        total_o = total_o + (o * Tensor(seed)).sum()
        total_t = total_t + (t * torch.tensor(seed)).sum()
    total_o.backward()
    total_t.backward()
    for i, (a, b) in enumerate(zip(ins_o, ins_t)):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **tol, err_msg=f"input {i}")
    for (k, p), q in zip(ours.named_parameters(), theirs.parameters()):
        assert p.grad.dtype == dtype, k
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), err_msg=k, **tol)


def raises_torchs_error_class(
    error: type[BaseException],
    call: Callable[..., Any],
    ours: tuple[Any, ...],
    theirs: Callable[[Any], tuple[Any, ...]],
) -> None:
    """``call(*ours)`` raises ``error`` with a message; where torch is installed,
    ``call(*theirs(torch))`` raises the same class. (Without torch ours is still checked.)"""
    with pytest.raises(error) as info:
        call(*ours)
    assert str(info.value)
    try:
        torch = _torch()
    except ImportError:
        return
    with pytest.raises(error):
        call(*theirs(torch))
