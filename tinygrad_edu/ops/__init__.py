"""The primitive differentiable operations, each a Function with forward and backward together."""

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
