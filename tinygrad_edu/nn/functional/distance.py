"""Lengths and angles of vectors, as torch.nn.functional's: ``normalize`` (scale each vector to
length 1) and ``cosine_similarity`` (the cosine of the angle between two vectors).

Both are written with differentiable Tensor ops (norm, clamp, divide, sum), so their first and
second derivatives come from those ops' formulas. ``eps`` keeps a zero vector from dividing by 0;
each clamps its norms the way PyTorch does, which is not the same way for the two (see each).
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu import arguments, dtypes
from tinygrad_edu._tensor import Tensor


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """input / max(||input||_p, eps), the p-norm taken along ``dim``: each vector scaled to length 1.

    As in PyTorch the clamp is ``clamp_min``, so where the norm is below eps (a zero vector) the
    denominator is the constant eps and no gradient flows through the norm. PyTorch's ``out=``
    is not offered."""
    input = arguments.tensor_arg(input, "normalize")
    arguments.dim_arg(dim, input.ndim)  # PyTorch's IndexError, before norm's own checks
    return input / input.norm(p, dim, keepdim=True).clamp_min(eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps)) along ``dim``: the cosine of the angle
    between x1 and x2, which broadcast against each other first (so the norms are of the
    broadcast vectors); ``dim`` is removed from the result.

    Each vector is divided by its norm before the product (PyTorch's order, which keeps the
    result in [-1, 1]). PyTorch clamps the norms at eps in place under no_grad: the value is
    max(||x||, eps), but the gradient is that of the unclamped norm. Here the same is written
    ``norm + (clamped - norm).detach()``, equal to the clamped value up to one rounding."""
    x1 = arguments.tensor_arg(x1, "cosine_similarity", "x1", 1)
    x2 = arguments.tensor_arg(x2, "cosine_similarity", "x2", 2)
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise RuntimeError(
            f"cosine_similarity: x1 of shape {tuple(x1.shape)} and x2 of shape "
            f"{tuple(x2.shape)} do not broadcast together"
        ) from None
    common = dtypes.promote_types(x1.dtype, x2.dtype)
    if not dtypes.is_floating(common):
        raise RuntimeError(
            f"cosine_similarity: expected common dtype to be floating point, yet common dtype "
            f"is {common} (x1: {x1.dtype}, x2: {x2.dtype})"
        )
    d = arguments.dim_arg(dim, len(shape))
    # As PyTorch: only an integer input is converted first; a float32 one keeps its precision
    # through its own norm, and the product promotes.
    a = x1 if dtypes.is_floating(x1.dtype) else x1.to(common)
    b = x2 if dtypes.is_floating(x2.dtype) else x2.to(common)
    a, b = a.expand(*shape), b.expand(*shape)
    return ((a / _clamped_norm(a, d, eps)) * (b / _clamped_norm(b, d, eps))).sum(d)


def _clamped_norm(x: Tensor, dim: int, eps: float) -> Tensor:
    """max(||x||_2, eps) in value, with the gradient of ||x||_2 (PyTorch's in-place clamp)."""
    norm = x.norm(2, dim, keepdim=True)
    return norm + (norm.clamp_min(eps) - norm).detach()
