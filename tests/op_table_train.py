"""Op-table entries for the training helpers' layers: nn.Unflatten (a reshape, as a module)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st
from op_table import Case, Lib, op, values

import tinygrad_edu
from tinygrad_edu.testing import strategies as tst


def _nn(lib: Lib) -> Any:
    if lib.name == "torch":
        import torch  # only the PyTorch-parity test uses this Lib, and it has torch

        return torch.nn
    return tinygrad_edu.nn


@op("nn_unflatten")
def _unflatten(draw: st.DrawFn) -> Case:
    x = draw(values(tst.shapes(min_dims=1)))
    d_arg = draw(tst.dims(x.ndim))  # negative ones too
    d = d_arg % x.ndim
    n = x.shape[d]
    first = draw(st.sampled_from([k for k in range(1, n + 1) if n % k == 0] or [1]))
    sizes: list[int] = [first, n // first] if n else [0, 1]
    if draw(st.booleans()) and n:  # let the layer infer one size
        sizes[draw(st.integers(0, 1))] = -1
    known = math.prod(s for s in sizes if s != -1)
    target = (*x.shape[:d], *[s if s != -1 else n // known for s in sizes], *x.shape[d + 1 :])
    return Case(
        f"Unflatten({d_arg}, {tuple(sizes)})",
        (x,),
        lambda lib, t: _nn(lib).Unflatten(d_arg, tuple(sizes))(t),
        lambda a: np.reshape(a, target),
    )
