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
from tinygrad_edu.nn.functional.attention import (
    multi_head_attention_forward,
    scaled_dot_product_attention,
)
from tinygrad_edu.nn.functional.conv import conv1d, conv2d
from tinygrad_edu.nn.functional.distance import cosine_similarity, normalize
from tinygrad_edu.nn.functional.dropout import dropout, dropout1d, dropout2d
from tinygrad_edu.nn.functional.embedding import embedding
from tinygrad_edu.nn.functional.linear import linear
from tinygrad_edu.nn.functional.loss import (
    REDUCTIONS,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from tinygrad_edu.nn.functional.normalization import batch_norm, group_norm, layer_norm
from tinygrad_edu.nn.functional.pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)

__all__ = [
    "REDUCTIONS",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "celu",
    "conv1d",
    "conv2d",
    "cosine_similarity",
    "cross_entropy",
    "dropout",
    "dropout1d",
    "dropout2d",
    "elu",
    "embedding",
    "gelu",
    "group_norm",
    "hardtanh",
    "huber_loss",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "logsigmoid",
    "max_pool1d",
    "max_pool2d",
    "mish",
    "mse_loss",
    "multi_head_attention_forward",
    "nll_loss",
    "normalize",
    "one_hot",
    "relu",
    "relu6",
    "scaled_dot_product_attention",
    "selu",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "softmax",
    "softplus",
    "softsign",
    "tanh",
]
