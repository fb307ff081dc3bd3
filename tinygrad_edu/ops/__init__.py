"""The primitive differentiable operations, each a Function with forward and backward together."""

from tinygrad_edu.ops.arithmetic import Add, Div, Mul, Neg, Pow, PowScalar, Sub
from tinygrad_edu.ops.broadcast import unbroadcast
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
from tinygrad_edu.ops.reduce import Amax, Amin, Sum
from tinygrad_edu.ops.softmax import LogSoftmax, Softmax
from tinygrad_edu.ops.unary import Abs, Cast, Clamp, Clone, Exp, Log, ReLU, Sigmoid, Sqrt, Tanh

__all__ = [
    "Abs",
    "Add",
    "Amax",
    "Amin",
    "Cast",
    "Cat",
    "Clamp",
    "Clone",
    "Div",
    "Exp",
    "Expand",
    "GetItem",
    "IndexAdd",
    "Log",
    "LogSoftmax",
    "MatMul",
    "Maximum",
    "Minimum",
    "Mul",
    "Neg",
    "Permute",
    "Pow",
    "PowScalar",
    "ReLU",
    "Reshape",
    "Sigmoid",
    "Softmax",
    "Sqrt",
    "Sub",
    "Sum",
    "Tanh",
    "Where",
    "unbroadcast",
]
