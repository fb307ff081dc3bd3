"""Sampling from distributions a tensor describes: ``multinomial`` (indices drawn by weight) and
``bernoulli`` (coins of given probabilities), as torch's.

Both draw from the generator ``manual_seed`` seeds (or a ``generator=`` given: NumPy's, where
PyTorch takes a torch.Generator), so a seeded run repeats; the numbers differ from PyTorch's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu import arguments, dtypes
from tinygrad_edu._tensor import Tensor
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops import either
from tinygrad_edu.ops.either import Gradient
from tinygrad_edu.random import generator_arg


def multinomial(
    input: Tensor,
    num_samples: int,
    replacement: bool = False,
    *,
    generator: np.random.Generator | None = None,
) -> Tensor:
    """Category indices drawn with probability proportional to ``input``'s non-negative weights.

    ``input`` is one row of weights (C,) or a batch of rows (N, C); the result is int64 of shape
    (num_samples,) or (N, num_samples). Without replacement each row's indices are distinct (so
    at most C); once a row's categories of non-zero weight are used up, the rest come from its
    zero-weight ones, as in PyTorch. No gradient: indices are not differentiable.

    With replacement: inverse-CDF sampling, u ~ U(0, total) picks the first category whose
    cumulative weight exceeds u. Without: the exponential race, weight / E with E ~ Exp(1), sorted
    in decreasing order, which yields the categories in the order sequential draws without
    replacement would (PyTorch's CPU algorithm).
    """
    input = arguments.tensor_arg(input, "multinomial")
    if isinstance(num_samples, bool) or not arguments.is_int(num_samples):
        raise TypeError(
            "multinomial(): argument 'num_samples' (position 2) must be int, not "
            f"{type(num_samples).__name__}"
        )
    weights = input.data
    if weights.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {input.shape}")
    if not dtypes.is_floating(weights.dtype):
        raise RuntimeError(
            f"multinomial only supports floating-point dtypes for input, got: {weights.dtype}"
        )
    n = int(num_samples)
    if n <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples (num_samples={n})")
    categories = weights.shape[-1]
    if not replacement and n > categories:
        raise RuntimeError(
            f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples without "
            f"replacement (num_samples={n}, but input has {categories} categories)"
        )
    rows = weights.reshape(-1, categories).astype(np.float64)
    out_shape = (n,) if weights.ndim == 1 else (rows.shape[0], n)
    if rows.shape[0] == 0:
        return Tensor._plain(np.zeros(out_shape, dtype=np.int64))
    if categories == 0 or not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise RuntimeError(
            "multinomial: probability tensor contains either `inf`, `nan` or element < 0 (or "
            f"has no categories: shape {input.shape})"
        )
    totals = rows.sum(axis=1)
    if np.any(totals <= 0):
        raise RuntimeError(
            f"multinomial: invalid multinomial distribution (sum of probabilities <= 0) in row "
            f"{int(np.argmax(totals <= 0))}"
        )
    rng = generator_arg(generator)
    if replacement:
        picks = _with_replacement(rows, totals, n, rng)
    else:
        # Zero weights score 0 and come last; the stable sort takes them in index order.
        scores = rows / rng.exponential(size=rows.shape)
        picks = np.argsort(-scores, axis=1, kind="stable")[:, :n]
    return Tensor._plain(picks.astype(np.int64).reshape(out_shape))


def _with_replacement(
    rows: np.ndarray, totals: np.ndarray, n: int, rng: np.random.Generator
) -> np.ndarray:
    cdf = np.cumsum(rows, axis=1)
    u = rng.random((rows.shape[0], n)) * totals[:, None]
    picks = np.empty((rows.shape[0], n), dtype=np.int64)
    for i in range(rows.shape[0]):
        # side="right": a zero-weight category (a flat step of the CDF) is never picked.
        found = np.searchsorted(cdf[i], u[i], side="right")
        # u rounds up to the total once in a while: take the last category that has weight.
        picks[i] = np.minimum(found, np.flatnonzero(rows[i])[-1])
    return picks


class Bernoulli(Function):
    """out ~ Bernoulli(p): 1 with probability p, else 0, in p's dtype;  dp = 0

    A sample is not a differentiable function of p, and PyTorch's derivative of bernoulli is
    zeros_like(grad): the result requires grad when p does, and its gradient to p is 0."""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Bernoulli, p: Tensor, rng: np.random.Generator) -> np.ndarray:
        draws = rng.random(p.data.shape)
        return (draws < p.data).astype(p.dtype)

    @staticmethod
    def backward(ctx: Bernoulli, grad: Gradient) -> Gradient:
        return either.plain_like(grad, np.zeros(grad.shape, dtype=grad.dtype))


def bernoulli(input: Tensor, *, generator: np.random.Generator | None = None) -> Tensor:
    """0/1 samples, 1 with probability ``input`` (each element in [0, 1]), in input's dtype."""
    input = arguments.tensor_arg(input, "bernoulli")
    p = input.data
    if not dtypes.is_floating(p.dtype):
        # PyTorch's CPU kernel exists for floating dtypes only, and says so this way.
        raise NotImplementedError(f"bernoulli: not implemented for dtype {p.dtype} (input)")
    if p.size and not (np.all(p >= 0) and np.all(p <= 1)):
        raise RuntimeError(
            f"bernoulli: expected every probability in input to be in [0, 1] (found values in "
            f"[{np.nanmin(p)}, {np.nanmax(p)}])"
        )
    out: Any = Bernoulli.apply(input, generator_arg(generator))
    return out
