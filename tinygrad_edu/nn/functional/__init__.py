"""Stateless neural-network functions, as ``torch.nn.functional`` (import it as ``F``).

One module per concept; this one gathers their names. Activations call the Tensor methods;
``linear`` and the cross-entropy losses use the fused ops of ``tinygrad_edu/ops/nn_ops.py``.
"""

from tinygrad_edu.functions.indexing import one_hot
from tinygrad_edu.nn.functional.activation import (
    celu,
    elu,
    gelu,
    hardtanh,
    leaky_relu,
    log_softmax,
    logsigmoid,
    mish,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softplus,
    softsign,
    tanh,
)
from tinygrad_edu.nn.functional.linear import linear
from tinygrad_edu.nn.functional.loss import (
    REDUCTIONS,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_loss,
    mse_loss,
    nll_loss,
)

__all__ = [
    "REDUCTIONS",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "celu",
    "cross_entropy",
    "elu",
    "gelu",
    "hardtanh",
    "l1_loss",
    "leaky_relu",
    "linear",
    "log_softmax",
    "logsigmoid",
    "mish",
    "mse_loss",
    "nll_loss",
    "one_hot",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "softsign",
    "tanh",
]
