"""The primitive differentiable operations, each a Function with forward and backward together."""

import warnings

from tinygrad_edu.ops.activation import (
    ELU,
    GELU,
    GELUTanh,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    SiLU,
    Softplus,
)
from tinygrad_edu.ops.arithmetic import Add, Div, Mul, Neg, Pow, PowScalar, Sub
from tinygrad_edu.ops.broadcast import unbroadcast
from tinygrad_edu.ops.diagonal import Diagonal
from tinygrad_edu.ops.einsum import Einsum
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
from tinygrad_edu.ops.norm import VectorNorm
from tinygrad_edu.ops.pointwise import (
    Ceil,
    Erf,
    Erfc,
    Exp2,
    Expm1,
    Floor,
    Fmod,
    Log2,
    Log10,
    Remainder,
    Round,
    Rsqrt,
    Sign,
    Trunc,
)
from tinygrad_edu.ops.reduce import Amax, Amin, Mean, Std, Sum, Var
from tinygrad_edu.ops.scan import CumProd, CumSum, Prod
from tinygrad_edu.ops.softmax import LogSoftmax, LogSumExp, Softmax
from tinygrad_edu.ops.sorting import Median
from tinygrad_edu.ops.trig import Acos, Asin, Atan, Atan2, Cos, Cosh, Sin, Sinh, Tan
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
    "ELU",
    "GELU",
    "Abs",
    "Acos",
    "Add",
    "Amax",
    "Amin",
    "Asin",
    "Atan",
    "Atan2",
    "Cast",
    "Cat",
    "Ceil",
    "Clamp",
    "Clone",
    "CopySlices",
    "Cos",
    "Cosh",
    "CumProd",
    "CumSum",
    "Diagonal",
    "Div",
    "Einsum",
    "Erf",
    "Erfc",
    "Exp",
    "Exp2",
    "Expand",
    "Expm1",
    "Floor",
    "Fmod",
    "GELUTanh",
    "GetItem",
    "Hardtanh",
    "IndexAdd",
    "LeakyReLU",
    "Log",
    "Log1p",
    "Log2",
    "Log10",
    "LogSigmoid",
    "LogSoftmax",
    "LogSumExp",
    "MatMul",
    "Maximum",
    "Mean",
    "Median",
    "Minimum",
    "Mul",
    "Neg",
    "Overwrite",
    "Permute",
    "Pow",
    "PowScalar",
    "Prod",
    "ReLU",
    "Remainder",
    "Reshape",
    "Round",
    "Rsqrt",
    "SetItem",
    "SiLU",
    "Sigmoid",
    "Sign",
    "Sin",
    "Sinh",
    "Softmax",
    "Softplus",
    "Sqrt",
    "Std",
    "Sub",
    "Sum",
    "Tan",
    "Tanh",
    "Trunc",
    "Var",
    "VectorNorm",
    "Where",
    "unbroadcast",
]
