"""Fused ops for neural networks: one node where a chain of primitives would be slow or unstable.

- ``Linear``: x @ W^T + b in one node (one matmul forward, two backward, no transpose node).
- ``CrossEntropy``: log-softmax and negative log-likelihood with class-index targets. Fused, the
  gradient is simply softmax - one_hot: no log of a tiny probability, no (N, C) one-hot graph.
- ``BinaryCrossEntropy``: -(y log x + (1 - y) log(1 - x)) with logs clamped at -100 (PyTorch's
  rule), so x = 0 or 1 gives a finite loss; its gradient divides by max(x (1 - x), 1e-12).
- ``BCEWithLogits``: the same loss on logits, in the form that never overflows.

Like the primitive ops, each backward is written for either kind of ``Gradient`` (ops/either.py):
the engine runs it on arrays for a plain ``backward()`` (fast), and on Tensors under
``create_graph=True`` (so second derivatives work). Where a formula is cheaper written for
arrays alone, the branch is on ``isinstance(grad, np.ndarray)``. Weights, targets of class indices and the
reduction are constants: plain arrays or Python values. (The recurrent steps are fused ops too:
ops/recurrent.py.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops import either
from tinygrad_edu.ops.either import Gradient

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor


class Linear(Function):
    """out = x @ W^T + b;  dx = grad @ W, dW = grad^T @ x (over all batch rows), db = sum grad"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Linear, x: Tensor, weight: Tensor, bias: Tensor | None) -> np.ndarray:
        ctx.save_for_backward(x, weight)
        out = x.data @ weight.data.T
        if bias is not None:
            out += bias.data  # out is a fresh array: add in place
        return out

    @staticmethod
    def backward(
        ctx: Linear, grad: Gradient
    ) -> tuple[Gradient | None, Gradient | None, Gradient | None]:
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        out_f, in_f = weight.shape
        dx = grad @ weight if need_x else None
        # Every leading dim is a batch dim: fold them into one, so dW is one matmul.
        g2 = grad.reshape(-1, out_f)
        dw = g2.T @ x.reshape(-1, in_f) if need_w else None
        db = g2.sum(axis=0) if need_b else None
        return dx, dw, db


def target_weights(
    target: np.ndarray, weight: np.ndarray | None, ignore_index: int, dtype: np.dtype
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For class-index targets (cross-entropy, NLL): which rows count (target != ignore_index),
    a class index that is safe to read in every row, and each row's weight w_y (0 if ignored)."""
    keep = target != ignore_index
    safe = np.where(keep, target, 0)  # ignored rows read class 0, then get weight 0
    w_target = (weight[safe] if weight is not None else np.ones(len(target), dtype)) * keep
    return keep, safe, w_target.astype(dtype, copy=False)


def _reduce(loss: np.ndarray, reduction: str, denominator: float | None = None) -> np.ndarray:
    """Apply 'none' | 'sum' | 'mean' (mean divides by ``denominator``, default: the count)."""
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return np.asarray(total)
    count = float(loss.size if denominator is None else denominator)
    if count == 0:  # every row ignored (or no rows): 0/0 is nan, as in PyTorch
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(total / count, dtype=loss.dtype)
    return np.asarray(total / count, dtype=loss.dtype)


def _per_element_grad(grad: Any, reduction: str, denominator: float) -> Any:
    """The upstream gradient of each element of the unreduced loss. After a reduction it is the
    same for every element: a 0-d value, which broadcasts against the loss's shape by itself."""
    if reduction == "mean":
        return grad / denominator
    return grad


class CrossEntropy(Function):
    """loss_i = -sum_c q_ic log softmax(x_i)_c  with  q_ic = (1 - s) w_y 1[c = y_i] + s w_c / C;
    dx_i = grad_i (softmax(x_i) sum_c q_ic - q_i)

    x is (N, C) logits, target (N,) class indices (an int array), ``weight`` (C,) class weights
    or None, s the label smoothing. Rows whose target is ``ignore_index`` have q = 0. The mean
    divides by sum_i w_{y_i} over the rows not ignored, as PyTorch's. Without weights, smoothing
    or ignored rows (``plain``: the usual case) this is log(sum_c e^x_ic) - x_iy, gradient
    softmax(x_i) - one_hot(y_i), computed directly.
    """

    backward_on_arrays = True
    probs: np.ndarray  # softmax(x), kept for backward
    rows: np.ndarray
    denominator: float  # what the mean divides by
    safe: np.ndarray  # see target_weights
    keep: np.ndarray
    w_target: np.ndarray

    @staticmethod
    def forward(
        ctx: CrossEntropy,
        x: Tensor,
        target: np.ndarray,
        weight: np.ndarray | None,
        ignore_index: int,
        smoothing: float,
        reduction: str,
        plain: bool,
    ) -> np.ndarray:
        n, c = x.data.shape
        rows = np.arange(n)
        # Shift by the row max so exp never overflows; keep softmax for backward (e / sum is more
        # accurate than exp(log-softmax) where the log-probability is large and negative).
        shifted = x.data - x.data.max(axis=1, keepdims=True)  # (the method: less overhead)
        probs = np.exp(shifted)
        total = probs.sum(axis=1, keepdims=True)
        probs /= total
        log_total = np.log(total[:, 0])
        ctx.probs, ctx.rows = probs, rows
        if plain:  # -log softmax(x)_y = log(sum e^shifted) - shifted_y
            ctx.denominator = float(n)
            return _reduce(log_total - shifted[rows, target], reduction, n)
        keep, safe, w_target = target_weights(target, weight, ignore_index, probs.dtype)
        loss = (log_total - shifted[rows, safe]) * w_target
        if smoothing:  # -sum_c w_c log softmax_c = sum_c w_c (log_total - shifted_c)
            w_all = weight if weight is not None else np.ones(c, probs.dtype)
            smooth = (log_total * w_all.sum() - shifted @ w_all) * keep
            loss = (1.0 - smoothing) * loss + (smoothing / c) * smooth
        ctx.safe, ctx.keep, ctx.w_target = safe, keep, w_target
        ctx.denominator = float(w_target.sum())
        return _reduce(loss.astype(probs.dtype, copy=False), reduction, ctx.denominator)

    @staticmethod
    def backward(ctx: CrossEntropy, grad: Gradient) -> Gradient:
        x, target, weight, _, smoothing, reduction, plain = ctx.inputs
        n, c = x.data.shape
        g = _per_element_grad(grad, reduction, ctx.denominator)
        g = g.reshape(n, 1) if reduction == "none" else g  # one per row, along the classes
        rows, dtype = ctx.rows, ctx.probs.dtype
        safe: np.ndarray
        w_target: Any
        keep: Any
        if plain:
            safe, w_target, keep = target, 1.0, True
        else:
            safe, w_target, keep = ctx.safe, ctx.w_target, ctx.keep
        if isinstance(grad, np.ndarray):  # plain backward: build the result in one buffer
            if plain:  # softmax - one_hot
                dx = ctx.probs.copy()
                dx[rows, safe] -= 1.0
            else:
                dx = ctx.probs * _q_sum(w_target, keep, weight, smoothing, c, dtype)[:, None]
                dx -= _q(n, c, rows, safe, w_target, keep, weight, smoothing, dtype)
            dx *= g
            return dx
        # create_graph: the same formula in Tensor ops, softmax recomputed differentiably from x.
        q = _q(n, c, rows, safe, w_target, keep, weight, smoothing, dtype)
        if plain:
            return (x.softmax(1) - q) * g
        q_sum = _q_sum(w_target, keep, weight, smoothing, c, dtype)
        return (x.softmax(1) * q_sum[:, None] - q) * g


def _q(
    n: int,
    c: int,
    rows: Any,
    safe: Any,
    w_target: Any,
    keep: Any,
    weight: Any,
    smoothing: float,
    dtype: Any,
) -> np.ndarray:
    """The (N, C) target weights q of CrossEntropy (a smoothed, weighted one-hot)."""
    q = np.zeros((n, c), dtype)
    q[rows, safe] = (1.0 - smoothing) * w_target
    if smoothing:
        w_row = weight if weight is not None else np.ones(c, dtype)
        q += (keep * (smoothing / c))[:, None] * w_row
    return q


def _q_sum(w_target: Any, keep: Any, weight: Any, smoothing: float, c: int, dtype: Any) -> Any:
    """sum_c q_ic for each row: the coefficient of softmax in CrossEntropy's gradient."""
    q_sum = (1.0 - smoothing) * w_target
    if smoothing:
        q_sum = q_sum + (smoothing / c) * (weight.sum() if weight is not None else c) * keep
    return np.asarray(q_sum, dtype=dtype)


def _log_clamped(a: np.ndarray) -> np.ndarray:
    """log(a), but never below -100 (PyTorch's BCE rule, so log(0) does not give inf)."""
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(a), -100.0)


class BinaryCrossEntropy(Function):
    """loss = -w (y log x + (1 - y) log(1 - x)), logs >= -100;
    dx = grad w (x - y) / max(x (1 - x), 1e-12),  dy = grad w (log(1 - x) - log x)"""

    backward_on_arrays = True
    log_x: np.ndarray  # the clamped logs, for dy on the array path
    log_1mx: np.ndarray

    @staticmethod
    def forward(
        ctx: BinaryCrossEntropy, x: Tensor, y: Tensor, weight: np.ndarray | None, reduction: str
    ) -> np.ndarray:
        ctx.save_for_backward(x, y)
        dtype = x.dtype
        log_x, log_1mx = _log_clamped(x.data), _log_clamped(1.0 - x.data)
        loss = -(y.data * log_x + (1.0 - y.data) * log_1mx)
        if weight is not None:
            loss = loss * weight
        ctx.log_x, ctx.log_1mx = log_x, log_1mx  # for dy on the array path
        return _reduce(loss.astype(dtype, copy=False), reduction)

    @staticmethod
    def backward(
        ctx: BinaryCrossEntropy, grad: Gradient
    ) -> tuple[Gradient | None, Gradient | None]:
        x, y = ctx.saved_tensors
        weight, reduction = ctx.inputs[2], ctx.inputs[3]
        g = _per_element_grad(grad, reduction, float(np.prod(x.shape)))
        if weight is not None:
            g = g * weight.astype(x.dtype, copy=False)
        need_x, need_y = ctx.needs_input_grad[:2]
        dx = g * (x - y) / either.clamp_min(x * (1.0 - x), 1e-12) if need_x else None
        dy = None
        if need_y:
            if isinstance(grad, np.ndarray):
                dy = g * (ctx.log_1mx - ctx.log_x)
            else:  # differentiable logs; clamp keeps them finite where x is exactly 0 or 1
                dy = g * ((1.0 - x).log().clamp(min=-100.0) - x.log().clamp(min=-100.0))
        return dx, dy


def _softplus_neg(x: Gradient) -> Gradient:
    """log(1 + e^-x) = m + log1p(e^-m - 1 + e^(-x-m)) for any m; m = max(-x, 0) means no
    positive number is ever exponentiated. The identity holds for every m, so m is held
    constant: the derivatives are the true ones at every x, where max(-x, 0) + log1p(e^-|x|)
    would carry the kinks of max and |x| at x = 0 into them (d/dx 0 there, not -1/2)."""
    m = np.maximum(-either.constant(x), 0.0)
    return m + either.log1p(np.expm1(-m) + either.exp(-x - m))


class BCEWithLogits(Function):
    """loss = w ((1 - y) x + l log(1 + e^-x)), l = 1 + (p - 1) y (p: pos_weight; l = 1 without);
    dx = grad w ((1 - y) - l sigmoid(-x)),  dy = grad w ((p - 1) log(1 + e^-x) - x)"""

    backward_on_arrays = True

    @staticmethod
    def forward(
        ctx: BCEWithLogits,
        x: Tensor,
        y: Any,
        weight: np.ndarray | None,
        pos_weight: np.ndarray | None,
        reduction: str,
    ) -> np.ndarray:
        ctx.save_for_backward(x, y)
        sp = _softplus_neg(x.data)
        if pos_weight is None:
            loss = (1.0 - y.data) * x.data + sp
        else:
            loss = (1.0 - y.data) * x.data + (1.0 + (pos_weight - 1.0) * y.data) * sp
        if weight is not None:
            loss = loss * weight
        return _reduce(loss.astype(x.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx: BCEWithLogits, grad: Gradient) -> tuple[Gradient | None, Gradient | None]:
        x, y = ctx.saved_tensors
        weight, pos_weight, reduction = ctx.inputs[2:5]
        dtype = x.dtype
        g = _per_element_grad(grad, reduction, float(np.prod(x.shape)))
        if weight is not None:
            g = g * weight.astype(dtype, copy=False)
        need_x, need_y = ctx.needs_input_grad[:2]
        dx = dy = None
        if pos_weight is None:
            dx = g * (either.sigmoid(x) - y) if need_x else None
            dy = g * -x if need_y else None
        else:
            pm1 = (pos_weight - 1.0).astype(dtype, copy=False)
            if need_x:
                dx = g * ((1.0 - y) - (y * pm1 + 1.0) * (1.0 - either.sigmoid(x)))
            if need_y:
                dy = g * (_softplus_neg(x) * pm1 - x)
        # (F.binary_cross_entropy_with_logits checks that weight and pos_weight broadcast to x's
        # shape, which y has too: dx and dy have their inputs' shapes.)
        return dx, dy
