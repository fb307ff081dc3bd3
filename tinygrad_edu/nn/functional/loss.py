"""Loss functions, as torch.nn.functional's: every one takes ``reduction='mean' | 'sum' | 'none'``.

Differences from PyTorch, on purpose:
- The deprecated ``size_average`` and ``reduce`` arguments do not exist: the options after the
  positional ones that PyTorch also has (``input, target[, weight]``) are keyword-only, so a
  call written for PyTorch either means the same here or fails loudly.
- ``mse_loss``, ``l1_loss``, ``smooth_l1_loss`` and ``huber_loss`` raise a ValueError when
  input and target shapes differ, where PyTorch broadcasts them with a warning: (N, 1) against
  (N,) silently becomes (N, N), which is almost always a bug.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu import dtypes
from tinygrad_edu._tensor import ArrayLike, Tensor
from tinygrad_edu.ops import nn_ops

REDUCTIONS = ("mean", "sum", "none")

# -- losses: argument checks shared by all of them -------------------------------------------------


def _check_reduction(name: str, reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _as_tensor(value: ArrayLike, like: Tensor) -> Tensor:
    """A target given as an array or list becomes a tensor of the input's dtype."""
    return value if isinstance(value, Tensor) else Tensor(np.asarray(value), dtype=like.dtype)


def _same_shape(name: str, input: Tensor, target: Tensor) -> None:
    if input.shape != target.shape:
        raise ValueError(
            f"{name}: input has shape {input.shape} but target has shape {target.shape}; they "
            "must be the same (PyTorch would broadcast them, which is almost always a bug: "
            "reshape one, e.g. target.reshape(input.shape))"
        )


def _constant(name: str, what: str, value: Any, like: Tensor) -> np.ndarray | None:
    """A weight-like argument as a plain array of the input's dtype (it gets no gradient)."""
    if value is None:
        return None
    array = value.data if isinstance(value, Tensor) else np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name}: {what} must be numeric, got dtype {array.dtype}")
    return array.astype(like.dtype, copy=False)


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


# -- regression losses ------------------------------------------------------------------------


def mse_loss(input: Tensor, target: ArrayLike, *, reduction: str = "mean") -> Tensor:
    """(input - target)^2, averaged (or summed, or not reduced)."""
    _check_reduction("mse_loss", reduction)
    target = _as_tensor(target, input)
    _same_shape("mse_loss", input, target)
    diff = input - target
    return _reduce(diff * diff, reduction)


def l1_loss(input: Tensor, target: ArrayLike, *, reduction: str = "mean") -> Tensor:
    """|input - target|, averaged (or summed, or not reduced); gradient 0 where they are equal."""
    _check_reduction("l1_loss", reduction)
    target = _as_tensor(target, input)
    _same_shape("l1_loss", input, target)
    return _reduce((input - target).abs(), reduction)


def smooth_l1_loss(
    input: Tensor, target: ArrayLike, *, reduction: str = "mean", beta: float = 1.0
) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta, for d = input - target: squared
    near 0 (a gradient that shrinks with the error), absolute beyond (a bounded gradient).

    beta = 0 is l1_loss, as in PyTorch (the squared branch would divide by 0); a negative
    beta is a RuntimeError. The two branches meet with equal value and slope at |d| = beta,
    where the second derivative jumps from 1/beta to 0.
    """
    _check_reduction("smooth_l1_loss", reduction)
    if beta < 0:
        raise RuntimeError(
            f"smooth_l1_loss does not support negative values for beta, got beta={beta}"
        )
    target = _as_tensor(target, input)
    _same_shape("smooth_l1_loss", input, target)
    if beta == 0.0:
        return _reduce((input - target).abs(), reduction)
    diff = input - target
    size = diff.abs()
    loss = (diff * diff * (0.5 / beta)).where(size < beta, size - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(
    input: Tensor,
    target: ArrayLike,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: ArrayLike | None = None,
) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta), for d = input - target: that is
    delta * smooth_l1_loss with beta = delta (the same shape, with slope delta, not 1, beyond).

    delta must be positive (a RuntimeError otherwise, as in PyTorch). ``weight``, of the input's
    shape (a ValueError otherwise), multiplies each element's loss before the reduction; it gets
    a gradient if it requires one. PyTorch's arguments are all positional here too: it has no
    deprecated ones before ``reduction``.
    """
    _check_reduction("huber_loss", reduction)
    if not delta > 0:
        raise RuntimeError(
            f"huber_loss does not support non-positive values for delta, got delta={delta}"
        )
    target = _as_tensor(target, input)
    _same_shape("huber_loss", input, target)
    diff = input - target
    size = diff.abs()
    loss = (diff * diff * 0.5).where(size < delta, (size - 0.5 * delta) * delta)
    if weight is not None:
        w = _as_tensor(weight, input)
        if w.shape != input.shape:
            raise ValueError(
                f"huber_loss: weight has shape {w.shape} but input has shape {input.shape}; "
                "Weights and input must have the same size."
            )
        loss = loss * w
    return _reduce(loss, reduction)


# -- classification losses ------------------------------------------------------------------


def _class_targets(
    name: str, input: Tensor, target: ArrayLike, ignore_index: int
) -> tuple[Tensor, np.ndarray, tuple[int, ...], bool]:
    """Check class-index targets; return input as (M, C) rows, targets as (M,), the shape of
    the unreduced loss, and whether any target is ``ignore_index``. Inputs are (C,), (N, C) or
    (N, C, d1, ...): the class dim is 1."""
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    shape = input.data.shape  # (NumPy's tuple: this runs at every step of every classifier)
    ndim = len(shape)
    if ndim == 0:
        raise RuntimeError(f"{name}: input must have a class dim, got a 0-d tensor")
    c = shape[0] if ndim == 1 else shape[1]
    expected = () if ndim == 1 else (shape[0], *shape[2:])
    if t.dtype.kind not in "iu":
        raise RuntimeError(
            f"{name}: class-index targets must be integers, got dtype {t.dtype} with shape "
            f"{t.shape} (use .long(), or pass class probabilities of the input's shape "
            f"{input.shape})"
        )
    if t.shape != expected:
        raise ValueError(
            f"{name}: input has shape {shape} (class dim {0 if ndim == 1 else 1} of "
            f"size {c}), so the target must have shape {expected}, got {t.shape}"
        )
    # Two reductions settle the usual case (every target a class); only otherwise look closer.
    in_range = t.size == 0 or (t.min() >= 0 and t.max() < c)
    bad = None if in_range else (t != ignore_index) & ((t < 0) | (t >= c))
    if bad is not None and bad.any():
        value = int(t[bad].flat[0])
        raise IndexError(
            f"{name}: target {value} is out of bounds: there are {c} classes, so class-index "
            f"targets must be in [0, {c - 1}] (or ignore_index={ignore_index})"
        )
    if ndim == 1:
        rows = input.reshape(1, c)
    elif ndim == 2:
        rows = input
    else:  # (N, C, d1, ...) -> (N, d1, ..., C) -> (M, C)
        order = (0, *range(2, ndim), 1)
        rows = input.permute(*order).reshape(-1, c)
    classes = t.reshape(-1).astype(np.int64, copy=False)
    ignored = not in_range or (0 <= ignore_index < c and bool((classes == ignore_index).any()))
    return rows, classes, expected, ignored


def _check_weight(name: str, weight: np.ndarray | None, classes: int) -> None:
    if weight is not None and weight.shape != (classes,):
        raise RuntimeError(
            f"{name}: weight must have shape ({classes},), one per class, got {weight.shape}"
        )


def cross_entropy(
    input: Tensor,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of logits ``input`` (C,), (N, C) or (N, C, d1, ...) against ``target``.

    The target is either class indices (an integer tensor shaped like the input without its
    class dim) or class probabilities (a float tensor of the input's shape). Class indices use a
    fused log-softmax + NLL op: stable at any logit size, gradient softmax - one_hot.
    """
    _check_reduction("cross_entropy", reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(
            f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}"
        )
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind == "f" and t.shape == input.data.shape:
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    rows, classes, loss_shape, ignored = _class_targets("cross_entropy", input, t, ignore_index)
    w = _constant("cross_entropy", "weight", weight, input)
    _check_weight("cross_entropy", w, rows.shape[1])
    plain = w is None and not label_smoothing and not ignored
    loss = nn_ops.CrossEntropy.apply(
        rows, classes, w, int(ignore_index), float(label_smoothing), reduction, plain
    )
    return loss.reshape(loss_shape) if reduction == "none" else loss


def _cross_entropy_probs(
    input: Tensor, target: ArrayLike, weight: Any, reduction: str, label_smoothing: float
) -> Tensor:
    """-sum_c w_c t_c log softmax(x)_c, from differentiable ops (the target gets a gradient too)."""
    t = _as_tensor(target, input)
    dim = 0 if input.ndim == 1 else 1
    c = input.shape[dim]
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + label_smoothing / c
    logp = input.log_softmax(dim)
    w = _constant("cross_entropy", "weight", weight, input)
    _check_weight("cross_entropy", w, c)
    if w is not None:  # weight per class, along the class dim
        logp = logp * w.reshape((c,) + (1,) * (input.ndim - dim - 1))
    loss = -(t * logp).sum(dim)
    if reduction == "mean":  # PyTorch divides by the number of samples, not by the weights
        return loss.sum() / float(max(input.data.size // c, 1))
    return _reduce(loss, reduction)


def nll_loss(
    input: Tensor,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """-w_y input[y]: the negative log-likelihood of log-probabilities ``input`` (the class dim
    is 1, as in cross_entropy, which is log_softmax followed by this)."""
    _check_reduction("nll_loss", reduction)
    rows, classes, loss_shape, _ = _class_targets("nll_loss", input, target, ignore_index)
    w = _constant("nll_loss", "weight", weight, input)
    _check_weight("nll_loss", w, rows.shape[1])
    _, safe, w_target = nn_ops.target_weights(classes, w, ignore_index, input.dtype)
    loss = -rows[np.arange(len(safe)), safe] * w_target
    if reduction == "none":
        return loss.reshape(loss_shape)
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / float(w_target.sum())


def binary_cross_entropy(
    input: Tensor, target: ArrayLike, weight: ArrayLike | None = None, *, reduction: str = "mean"
) -> Tensor:
    """-w (y log x + (1 - y) log(1 - x)) for probabilities x in [0, 1]; logs are clamped at
    -100 as in PyTorch, so x = 0 or 1 gives a finite loss and gradient."""
    _check_reduction("binary_cross_entropy", reduction)
    target = _as_tensor(target, input)
    _same_shape("binary_cross_entropy", input, target)
    x = input.data
    if x.size and not (np.all(x >= 0) and np.all(x <= 1)):
        raise RuntimeError(
            f"binary_cross_entropy: all elements of input should be between 0 and 1 (found "
            f"values in [{x.min()}, {x.max()}]); for logits use binary_cross_entropy_with_logits"
        )
    y = target.data
    if y.size and not (np.all(y >= 0) and np.all(y <= 1)):
        raise RuntimeError(
            f"binary_cross_entropy: all elements of target should be between 0 and 1 (found "
            f"values in [{y.min()}, {y.max()}])"
        )
    w = _broadcast_weight("binary_cross_entropy", "weight", weight, input)
    return nn_ops.BinaryCrossEntropy.apply(input, target, w, reduction)


def _broadcast_weight(name: str, what: str, value: Any, input: Tensor) -> np.ndarray | None:
    w = _constant(name, what, value, input)
    if w is not None:
        try:
            ok = np.broadcast_shapes(w.shape, input.shape) == input.shape
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(
                f"{name}: {what} of shape {w.shape} does not broadcast to the input's shape "
                f"{input.shape}"
            )
    return w


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    *,
    reduction: str = "mean",
    pos_weight: ArrayLike | None = None,
) -> Tensor:
    """Binary cross-entropy of sigmoid(input), computed from the logits without ever forming
    sigmoid: max(x, 0) - x y + log(1 + e^-|x|), finite for any x. ``pos_weight`` (broadcast
    along the last dim) weighs the positive term, as in PyTorch."""
    _check_reduction("binary_cross_entropy_with_logits", reduction)
    target = _as_tensor(target, input)
    _same_shape("binary_cross_entropy_with_logits", input, target)
    if not dtypes.is_floating(input.dtype):
        raise TypeError(
            f"binary_cross_entropy_with_logits: input must be floating, got {input.dtype}"
        )
    name = "binary_cross_entropy_with_logits"
    w = _broadcast_weight(name, "weight", weight, input)
    pw = _broadcast_weight(name, "pos_weight", pos_weight, input)
    return nn_ops.BCEWithLogits.apply(input, target, w, pw, reduction)
