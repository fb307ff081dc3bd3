"""Tensor: an ndarray, the gradient that flows back to it, and the node that made it.

Every differentiable method is a thin call into ``tinygrad_edu.ops``; the maths lives there, one
op per class with its forward and backward side by side. (The module is ``_tensor``, as PyTorch's
``torch/_tensor.py``: ``tinygrad_edu.tensor(...)`` is the factory function.)

The methods live in a chain of classes, one module per concept, each written (and type-checked)
against the ones below it; ``Tensor`` is the last, and the only one ever instantiated:

    _tensor_core.py         TensorCore: making a tensor, what it is, leaving the graph, backward,
                            dtypes
    _tensor_arithmetic.py   ArithmeticMethods: the operators, and changes in place
    _tensor_math.py         MathMethods: elementwise maths, comparisons and logic, products
    _tensor_shapes.py       ShapeMethods: shapes, views and indexing
    _tensor_reductions.py   ReductionMethods: sums, means, max and min, sorting

Most of PyTorch's Tensor API is one line each: the ops are in ops/, the longer bodies in
functions/ (next to the torch-level function of the same name).
"""

from __future__ import annotations

from tinygrad_edu._tensor_core import ArrayLike, Dims, RemovableHandle, Scalar
from tinygrad_edu._tensor_reductions import MaxResult, ReductionMethods
from tinygrad_edu.autograd import variable

__all__ = ["ArrayLike", "Dims", "MaxResult", "RemovableHandle", "Scalar", "Tensor"]


class Tensor(ReductionMethods):
    """An n-dimensional array that can record how it was computed and backpropagate through it."""

    __slots__ = ()


variable.set_tensor_class(Tensor)  # the autograd core makes every op result of this class


# The functions that hold the longer method bodies, which the classes of the chain call as
# tinygrad_edu.functions.<module>.<name>. (Imported last: they import Tensor.)
import tinygrad_edu.functions  # noqa: E402,F401
