"""Anomaly mode names the op, the pass and the user's file:line of the first NaN or inf."""

from __future__ import annotations

import inspect
import os

import numpy as np
import pytest

from tinygrad_edu import Tensor, autograd
from tinygrad_edu import autograd as anomaly
from tinygrad_edu.autograd import detect_anomaly, set_detect_anomaly

HERE = os.path.abspath(__file__)


def line_of(marker: str) -> int:
    """The line in this file that contains ``marker`` (so the tests need no line numbers)."""
    lines = inspect.getsource(inspect.getmodule(line_of)).splitlines()  # type: ignore[arg-type]
    return next(i + 1 for i, text in enumerate(lines) if marker in text and "line_of" not in text)


@pytest.fixture(autouse=True)
def _quiet_numpy():
    with np.errstate(all="ignore"):
        yield


def test_nan_in_forward_names_the_op_and_this_line() -> None:
    x = Tensor(np.array([1.0, -1.0]), requires_grad=True)
    with detect_anomaly(), pytest.raises(RuntimeError) as e:
        x.log()  # MARK-forward
    msg = str(e.value)
    assert "forward" in msg and "Log" in msg and "nan" in msg, msg
    assert f"{HERE}:{line_of('MARK-forward')}" in msg, msg


def test_inf_in_backward_names_the_op_and_the_line_that_created_it() -> None:
    x = Tensor(np.array([0.0, 4.0]), requires_grad=True)
    with detect_anomaly():
        y = x.sqrt()  # MARK-backward: d sqrt(x)/dx = 1 / (2 sqrt x) is inf at 0
        loss = y.sum()
        with pytest.raises(RuntimeError) as e:
            loss.backward()
    msg = str(e.value)
    assert "backward" in msg and "Sqrt" in msg and "inf" in msg, msg
    assert f"{HERE}:{line_of('MARK-backward')}" in msg, msg


def test_user_function_ops_are_located_in_user_code() -> None:
    class Reciprocal(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return 1.0 / x.data

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return -grad / (x * x)

    x = Tensor(np.array([0.0]), requires_grad=True)
    with detect_anomaly(), pytest.raises(RuntimeError) as e:
        Reciprocal.apply(x)  # MARK-custom
    assert "Reciprocal" in str(e.value)
    assert f"{HERE}:{line_of('MARK-custom')}" in str(e.value)


def test_off_by_default_and_nan_passes_silently() -> None:
    assert not anomaly.is_anomaly_enabled()
    x = Tensor(np.array([-1.0]), requires_grad=True)
    y = x.log()
    assert np.isnan(y.numpy()).all()
    y.sum().backward()  # gradient -1 is finite: nothing to complain about either way


def test_a_nan_backward_is_found_even_when_the_forward_was_fine() -> None:
    x = Tensor(np.array([0.0]), requires_grad=True)
    with detect_anomaly():
        y = (x * x).sqrt()  # forward 0 is fine; backward is 0 * inf = nan
        with pytest.raises(RuntimeError, match=r"backward: Sqrt\.backward returned inf"):
            y.sum().backward()


def test_mode_is_restored_after_an_exception_and_can_be_switched_by_call() -> None:
    with pytest.raises(ValueError), detect_anomaly():
        assert anomaly.is_anomaly_enabled()
        raise ValueError("boom")
    assert not anomaly.is_anomaly_enabled()
    set_detect_anomaly(True)
    try:
        assert anomaly.is_anomaly_enabled()
        with set_detect_anomaly(False):
            assert not anomaly.is_anomaly_enabled()
        assert anomaly.is_anomaly_enabled()
    finally:
        set_detect_anomaly(False)
    assert not anomaly.is_anomaly_enabled()


def test_clean_computation_runs_normally_in_anomaly_mode() -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    with detect_anomaly():
        (x.exp() * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([1.0, 2.0]) * (1 + np.array([1.0, 2.0])))
