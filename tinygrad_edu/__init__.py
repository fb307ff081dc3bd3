"""tinygrad_edu: a from-scratch autograd engine on NumPy, and a small framework built on it."""

from tinygrad_edu.tensor import (  # noqa: I001  (tensor first: the ops import it by module)
    Tensor,
    full_like,
    ones_like,
    rand_like,
    randn_like,
    where,
    zeros_like,
)
from tinygrad_edu.autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from tinygrad_edu.dtypes import bool_, float16, float32, float64, int32, int64
from tinygrad_edu.gradcheck import GradcheckError, gradcheck, gradgradcheck
from tinygrad_edu.random import manual_seed
from tinygrad_edu.serialization import load, save
from tinygrad_edu import autograd, data, nn, optim  # as torch.nn: reachable after one import

zeros = Tensor.zeros
ones = Tensor.ones
full = Tensor.full
randn = Tensor.randn
rand = Tensor.rand
arange = Tensor.arange
eye = Tensor.eye
cat = Tensor.cat
stack = Tensor.stack

__version__ = "0.1.0"

__all__ = [
    "GradcheckError",
    "Tensor",
    "arange",
    "autograd",
    "bool_",
    "cat",
    "data",
    "enable_grad",
    "eye",
    "float16",
    "float32",
    "float64",
    "full",
    "full_like",
    "gradcheck",
    "gradgradcheck",
    "int32",
    "int64",
    "is_grad_enabled",
    "load",
    "manual_seed",
    "nn",
    "no_grad",
    "ones",
    "ones_like",
    "optim",
    "rand",
    "rand_like",
    "randn",
    "randn_like",
    "save",
    "set_grad_enabled",
    "stack",
    "where",
    "zeros",
    "zeros_like",
]
