"""Gradient clipping, as ``torch.nn.utils``: rescale or clamp the ``.grad`` of parameters in
place, between ``loss.backward()`` and ``optimizer.step()``.

    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()
"""

from __future__ import annotations

import math
import types
import warnings
from collections.abc import Iterable

import numpy as np

from tinygrad_edu import dtypes
from tinygrad_edu._tensor import Tensor

TensorOrTensors = Tensor | Iterable[Tensor]


def _tensor_list(name: str, tensors: TensorOrTensors) -> list[Tensor]:
    if isinstance(tensors, Tensor):
        return [tensors]
    if not isinstance(tensors, Iterable):
        raise TypeError(
            f"{name}: expected a Tensor or an iterable of Tensors, got {type(tensors).__name__}"
        )
    out = list(tensors)
    for i, t in enumerate(out):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}: expected Tensors, but element {i} is {type(t).__name__}")
    return out


def _number(name: str, arg: str, value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TypeError(
            f"{name}: {arg} must be a number, got {type(value).__name__} {value!r}"
        ) from None


def _vector_norm(x: np.ndarray, p: float) -> np.ndarray:
    """The p-norm of all of x's elements, (sum |x_i|^p)^(1/p), as a 0-d array of x's dtype:
    max |x_i| for p = inf, min for -inf, the count of non-zeros for p = 0. float16 is summed in
    float32. An empty x has norm 0 (PyTorch refuses the +-inf norms of an empty tensor)."""
    wide = x.astype(np.float32) if x.dtype == np.float16 else x
    a = np.abs(wide.ravel())
    if a.size == 0:
        norm = np.zeros((), wide.dtype)
    elif p == math.inf:
        norm = a.max()
    elif p == -math.inf:
        norm = a.min()
    elif p == 0:
        norm = np.asarray(np.count_nonzero(a), wide.dtype)
    else:
        # Quietly, as PyTorch: an overflow makes the norm inf, an inf or NaN gradient makes it
        # inf or NaN (error_if_nonfinite is the check), and |0|^p = inf for p < 0 gives norm 0.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if p == 1:
                norm = a.sum()
            elif p == 2:
                norm = np.sqrt(np.dot(a, a))
            else:
                norm = (a**p).sum() ** (1.0 / p)
    return np.asarray(norm, dtype=x.dtype)


def get_total_norm(
    tensors: TensorOrTensors,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The norm of the norms of ``tensors`` (= the norm of all their elements as one vector).

    ``foreach`` is accepted for PyTorch's sake; there is one NumPy implementation."""
    ts = _tensor_list("get_total_norm", tensors)
    p = _number("get_total_norm", "norm_type", norm_type)
    if not ts:
        return Tensor(0.0)
    norms = [_vector_norm(t.data, p) for t in ts]
    dtype = norms[0].dtype
    for n in norms[1:]:
        dtype = dtypes.promote_types(dtype, n.dtype)
    total = _vector_norm(np.array(norms, dtype=dtype), p)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {p} for gradients from `parameters` is non-finite, so it "
            "cannot be clipped. To disable this error and scale the gradients by the non-finite "
            "norm anyway, set `error_if_nonfinite=False`"
        )
    return Tensor(np.asarray(total))


def clip_grads_with_norm_(
    parameters: TensorOrTensors,
    max_norm: float,
    total_norm: Tensor,
    foreach: bool | None = None,
) -> None:
    """Scale every gradient by min(1, max_norm / (total_norm + 1e-6)), in place."""
    params = _tensor_list("clip_grads_with_norm_", parameters)
    limit = _number("clip_grads_with_norm_", "max_norm", max_norm)
    if not limit >= 0:
        raise ValueError(
            f"clip_grads_with_norm_: max_norm must be >= 0, got {limit} (a negative max_norm "
            "would flip the gradients' sign)"
        )
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    total = np.asarray(total_norm.data if isinstance(total_norm, Tensor) else total_norm)
    # PyTorch computes max_norm / x as reciprocal(x) * max_norm, in the norm's dtype: the same
    # here, so the clipped gradients agree bit for bit.
    coef = np.minimum(np.reciprocal(total + 1e-6) * limit, 1.0)
    for g in grads:
        _scale_in_place(g, coef, "clip_grad_norm_")


def clip_grad_norm_(
    parameters: TensorOrTensors,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Rescale the gradients so that their total ``norm_type``-norm (all gradients taken as one
    vector) is at most ``max_norm``; return the total norm from before clipping, as a Tensor.

    With ``error_if_nonfinite`` a NaN or infinite norm raises a RuntimeError instead of turning
    every gradient into NaN. A negative ``max_norm`` is refused (PyTorch would flip the signs).
    """
    is_generator = isinstance(parameters, types.GeneratorType)
    params = _tensor_list("clip_grad_norm_", parameters)
    if is_generator and not params:
        warnings.warn(
            "`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2
        )
    _number("clip_grad_norm_", "max_norm", max_norm)
    grads = [p.grad for p in params if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(params, max_norm, total, foreach)
    return total


def clip_grad_norm(
    parameters: TensorOrTensors,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The old name of ``clip_grad_norm_`` (deprecated in PyTorch)."""
    warnings.warn(
        "`nn.utils.clip_grad_norm` is now deprecated in favor of `nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(
    parameters: TensorOrTensors, clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp every gradient element to [-clip_value, clip_value], in place."""
    params = _tensor_list("clip_grad_value_", parameters)
    c = _number("clip_grad_value_", "clip_value", clip_value)
    if not c >= 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0, got {c}")
    for p in params:
        g = p.grad
        if g is None:
            continue
        if g.data.flags.writeable:
            np.clip(g.data, -c, c, out=g.data)
            g._bump_version("clip_grad_value_")
        else:
            p.grad = Tensor._plain(np.clip(g.data, -c, c))


def _scale_in_place(g: Tensor, coef: np.ndarray, op: str) -> None:
    """g *= coef, computed in the wider of the two dtypes and stored in g's (PyTorch's mul_)."""
    with np.errstate(invalid="ignore"):  # inf * 0 (a non-finite norm): NaN, as in PyTorch
        if g.data.flags.writeable:
            np.multiply(g.data, coef, out=g.data, casting="same_kind")
            g._bump_version(op)  # a graph that saved this gradient (create_graph=True) is stale
        else:  # (a read-only array cannot be scaled where it is: the gradient gets a new one)
            g.data = np.multiply(g.data, coef).astype(g.dtype, copy=False)
