"""Anomaly detection: find the op that first produced a NaN or an infinity.

With the mode on (``with detect_anomaly():``), every op records where the user created it (the
first stack frame outside this package) and its forward output is checked for NaN/inf; the engine
checks what each backward returns. The first bad value raises a RuntimeError naming the op, the
pass (forward or backward) and the user's ``file:line``. Like PyTorch's ``detect_anomaly`` it is a
debugging tool: walking the stack for every op is slow.

The switch is ``Config.anomaly_enabled`` (autograd/config.py: ``detect_anomaly()`` and
``set_detect_anomaly(mode)``). When it is off, ``apply`` and the engine pay for one flag check
each, nothing more.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import numpy as np

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def user_frame() -> str:
    """``file:line in function`` of the innermost caller outside tinygrad_edu."""
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "<inside tinygrad_edu>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"


def _bad(values: Any) -> str | None:
    """'nan' or 'inf' if the array holds one (floating dtypes only), else None."""
    data = values if isinstance(values, np.ndarray) else getattr(values, "data", values)
    if not isinstance(data, np.ndarray) or data.dtype.kind not in "fc":
        return None
    if np.isnan(data).any():
        return "nan"
    if np.isinf(data).any():
        return "inf"
    return None


def check_forward(ctx: Any, out: np.ndarray) -> None:
    """Remember where the op was made; raise if its output holds NaN or inf."""
    ctx._anomaly_site = user_frame()
    bad = _bad(out)
    if bad is not None:
        raise RuntimeError(
            f"Anomaly detected in forward: {type(ctx).__name__} produced {bad} values in its "
            f"output (shape {out.shape}). The op was created at {ctx._anomaly_site}."
        )


def check_backward(ctx: Any, grads: tuple[Any, ...]) -> None:
    """Raise if a backward returned a gradient holding NaN or inf."""
    for i, g in enumerate(grads):
        bad = _bad(g) if g is not None else None
        if bad is not None:
            site = getattr(ctx, "_anomaly_site", None) or (
                "<unknown: anomaly detection was off when the op was created>"
            )
            raise RuntimeError(
                f"Anomaly detected in backward: {type(ctx).__name__}.backward returned {bad} "
                f"values in the gradient for its input {i}. The op was created at {site}."
            )
