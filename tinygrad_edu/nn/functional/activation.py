"""Activation functions (torch.nn.functional's): relu, sigmoid, tanh and the softmaxes call the
Tensor methods of the same name; the others call their fused ops (ops/activation.py)."""

from __future__ import annotations

import math
import warnings

from tinygrad_edu import ops
from tinygrad_edu._tensor import Tensor


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0). ``inplace`` is accepted for PyTorch compatibility; the result is always new."""
    return input.relu()


def sigmoid(input: Tensor) -> Tensor:
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def _softmax_dim(name: str, input: Tensor, dim: int | None) -> int:
    """PyTorch's legacy rule when dim is not given: 0 for 0-, 1- and 3-d inputs, else 1."""
    if dim is not None:
        return dim
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        UserWarning,
        stacklevel=3,
    )
    return 0 if input.ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None) -> Tensor:
    return input.softmax(_softmax_dim("softmax", input, dim))


def log_softmax(input: Tensor, dim: int | None = None) -> Tensor:
    return input.log_softmax(_softmax_dim("log_softmax", input, dim))


# -- the smooth and the leaky ones (fused ops in ops/activation.py; mish and softsign composed) --

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _floating(input: Tensor, name: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
    return input._float()


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x Phi(x), Phi the standard normal CDF; ``approximate='tanh'``: GPT-2's tanh formula."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate!r}")
    op = ops.GELU if approximate == "none" else ops.GELUTanh
    return op.apply(_floating(input, "gelu"))


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, negative_slope * x otherwise."""
    return ops.LeakyReLU.apply(_floating(input, "leaky_relu"), negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha (e^x - 1) otherwise."""
    return ops.ELU.apply(_floating(input, "elu"), alpha)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with the self-normalising constants of Klambauer et al. (2017)."""
    return ops.ELU.apply(_floating(input, "selu"), SELU_ALPHA, SELU_SCALE)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha (e^(x/alpha) - 1) otherwise."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return ops.ELU.apply(_floating(input, "celu"), alpha, 1.0, 1.0 / alpha)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x sigmoid(x) (the swish)."""
    return ops.SiLU.apply(_floating(input, "silu"))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(beta x)) / beta, and x itself where beta x > threshold."""
    return ops.Softplus.apply(_floating(input, "softplus"), beta, threshold)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x tanh(softplus(x))."""
    x = _floating(input, "mish")
    return x * ops.Softplus.apply(x, 1.0, math.inf).tanh()


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """x clipped to [min_val, max_val]; the gradient is 0 at the bounds (clamp passes it)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return ops.Hardtanh.apply(_floating(input, "hardtanh"), min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6): hardtanh(x, 0, 6)."""
    return hardtanh(input, 0.0, 6.0)


def logsigmoid(input: Tensor) -> Tensor:
    """log sigmoid(x) = -softplus(-x), finite for every x."""
    return ops.LogSigmoid.apply(_floating(input, "logsigmoid"))


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    x = _floating(input, "softsign")
    return x / (x.abs() + 1)
