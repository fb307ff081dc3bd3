"""The primitive differentiable operations, each a Function with forward and backward together."""

import warnings

from tinygrad_edu.ops.arithmetic import Add, Div, Mul, Neg, Pow, PowScalar, Sub
from tinygrad_edu.ops.broadcast import unbroadcast
from tinygrad_edu.ops.inplace import CopySlices, Overwrite, SetItem
from tinygrad_edu.ops.linalg import MatMul
from tinygrad_edu.ops.movement import (
    Cat,
    Expand,
    GetItem,
    IndexAdd,
    Maximum,
    Minimum,
    Permute,
    Reshape,
    Where,
)
from tinygrad_edu.ops.reduce import Amax, Amin, Mean, Std, Sum, Var
from tinygrad_edu.ops.softmax import LogSoftmax, Softmax
from tinygrad_edu.ops.unary import (
    Abs,
    Cast,
    Clamp,
    Clone,
    Exp,
    Log,
    Log1p,
    ReLU,
    Sigmoid,
    Sqrt,
    Tanh,
)

# NumPy warns (RuntimeWarning) when an op makes an inf or a NaN: log(0), sqrt(-1), 0/0. PyTorch
# is silent, and anomaly mode (autograd.detect_anomaly) is the tool for finding where they come
# from. The filter matches warnings raised from this package's own code, so a user's own NumPy
# calls still warn as usual.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"tinygrad_edu(\.|$)")

__all__ = [
    "Abs",
    "Add",
    "Amax",
    "Amin",
    "Cast",
    "Cat",
    "Clamp",
    "Clone",
    "CopySlices",
    "Div",
    "Exp",
    "Expand",
    "GetItem",
    "IndexAdd",
    "Log",
    "Log1p",
    "LogSoftmax",
    "MatMul",
    "Maximum",
    "Mean",
    "Minimum",
    "Mul",
    "Neg",
    "Overwrite",
    "Permute",
    "Pow",
    "PowScalar",
    "ReLU",
    "Reshape",
    "SetItem",
    "Sigmoid",
    "Softmax",
    "Sqrt",
    "Std",
    "Sub",
    "Sum",
    "Tanh",
    "Var",
    "Where",
    "unbroadcast",
]
