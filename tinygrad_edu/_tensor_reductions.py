"""ReductionMethods: sums, means, variances, max and min (with their indices), any/all,
cumulative sums and products, norms, and sorting.
"""

# mypy: disable-error-code="arg-type, return-value"
# (At run time self is always a Tensor, the last class of the chain and the only one ever made; to
# mypy it is an instance of this class, so it would refuse each place that passes self on, or
# returns it, as a Tensor. Those two checks are off in this module and on everywhere else; self's
# attributes and methods are checked, against this class and the ones below it.)

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

import numpy as np

import tinygrad_edu  # .functions.<module>, looked up when called (they import Tensor, made later)
from tinygrad_edu import arguments, dtypes, ops, return_types
from tinygrad_edu._tensor_core import TensorCore
from tinygrad_edu._tensor_shapes import ShapeMethods

if TYPE_CHECKING:
    import tinygrad_edu.functions.reductions
    import tinygrad_edu.functions.sorting
    from tinygrad_edu._tensor import Tensor
    from tinygrad_edu._tensor_core import Dims

MaxResult = return_types.max  # what max(dim) returns (min(dim): return_types.min)


class ReductionMethods(ShapeMethods):
    """Reductions and sorting."""

    __slots__ = ()

    # -- reductions ------------------------------------------------------------------------------

    def sum(
        self,
        dim: Dims = None,
        keepdim: bool = False,
        *,
        axis: Dims = None,
        keepdims: bool | None = None,
        dtype: Any = None,
    ) -> Tensor:
        """Sum over dims (all by default). ``axis``/``keepdims`` are NumPy-style aliases, as torch
        accepts, so backward formulas can call ``.sum`` alike on Tensors and ndarrays."""
        dims = arguments.dims_arg(dim if axis is None else axis, self.ndim)
        # Integers and bools are summed in int64, as in PyTorch (int8 sums would overflow).
        x = self.to(dtypes.int64) if self.dtype.kind in "biu" else self
        if dtype is not None:
            x = self.to(dtype)
        return ops.Sum.apply(x, dims, keepdim if keepdims is None else keepdims)

    def mean(self, dim: Dims = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        if dtype is not None:
            return self.to(dtype).mean(dim, keepdim)
        if not dtypes.is_floating(self.dtype):
            raise RuntimeError(
                f"mean(): could not infer the output dtype: the input dtype must be floating, got "
                f"{self.dtype}; use .float() first"
            )
        dims = arguments.dims_arg(dim, self.ndim)
        return ops.Mean.apply(self, dims, keepdim)

    def var(
        self,
        dim: Dims = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: int = 1,
    ) -> Tensor:
        """Variance with Bessel's correction by default (correction=1), as torch.var.

        As in torch, the second positional argument is ``unbiased``: pass ``keepdim=`` by name.
        """
        dims, correction = self._var_args(dim, unbiased, correction)
        _floating_only("var", self)
        return ops.Var.apply(self._float(), dims, keepdim, correction)

    def std(
        self,
        dim: Dims = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: int = 1,
    ) -> Tensor:
        dims, correction = self._var_args(dim, unbiased, correction)
        _floating_only("std", self)
        return ops.Std.apply(self._float(), dims, keepdim, correction)

    def _var_args(
        self, dim: Dims | builtins.bool, unbiased: builtins.bool | None, correction: int
    ) -> tuple[tuple[int, ...] | None, int]:
        """var's and std's arguments as (dims, correction). ``var(False)`` is torch's older
        ``var(unbiased)``; ``unbiased`` (if given) means correction 1 or 0."""
        if isinstance(dim, builtins.bool):
            dim, unbiased = None, dim
        if unbiased is not None:
            correction = 1 if unbiased else 0
        return arguments.dims_arg(dim, self.ndim), correction

    def amax(self, dim: Dims = None, keepdim: bool = False) -> Tensor:
        """Max over dims; tied elements share the gradient equally."""
        dims = arguments.dims_arg(dim, self.ndim)
        self._check_nonempty("amax", dims)
        return ops.Amax.apply(self, dims, keepdim)

    def amin(self, dim: Dims = None, keepdim: bool = False) -> Tensor:
        """Min over dims; tied elements share the gradient equally."""
        dims = arguments.dims_arg(dim, self.ndim)
        self._check_nonempty("amin", dims)
        return ops.Amin.apply(self, dims, keepdim)

    def max(self, dim: int | Tensor | None = None, keepdim: bool = False) -> Any:
        """Like torch.max: without dim, the max (ties share the gradient); with dim, (values,
        indices) where the gradient goes to the first index that holds the max; with a tensor,
        the elementwise maximum."""
        if isinstance(dim, TensorCore):
            return self.maximum(dim)
        if dim is None:
            return self.amax()
        return self._pick_along(self.argmax(dim, keepdim=True), dim, keepdim)

    def min(self, dim: int | Tensor | None = None, keepdim: bool = False) -> Any:
        """Like torch.min; see max."""
        if isinstance(dim, TensorCore):
            return self.minimum(dim)
        if dim is None:
            return self.amin()
        return self._pick_along(self.argmin(dim, keepdim=True), dim, keepdim, return_types.min)

    def _pick_along(
        self,
        index: Tensor,
        dim: int,
        keepdim: bool,
        kind: type[return_types.ValuesIndices] = return_types.max,
    ) -> return_types.ValuesIndices:
        d = self._dim(dim)
        values = self.gather(d, index)
        if not keepdim:
            values, index = values.squeeze(d), index.squeeze(d)
        return kind(values, index)

    def _check_nonempty(self, name: str, dims: Any) -> None:
        """max/min/argmax over nothing is undefined; PyTorch raises as here."""
        if self.data.size:
            return
        if dims is None:
            raise RuntimeError(
                f"{name}(): the tensor of shape {self.shape} is empty: give a dim to reduce over"
            )
        dims = dims if isinstance(dims, (tuple, list)) else (self._dim(dims),)
        if dims == () or any(self.shape[d] == 0 for d in dims):
            raise IndexError(
                f"{name}(): cannot reduce over a zero-size dim of a tensor of shape {self.shape}"
            )

    def any(self, dim: Dims = None, keepdim: bool = False) -> Tensor:
        return tinygrad_edu.functions.reductions.any_all(self, np.any, dim, keepdim)

    def all(self, dim: Dims = None, keepdim: bool = False) -> Tensor:
        return tinygrad_edu.functions.reductions.any_all(self, np.all, dim, keepdim)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        self._check_nonempty("argmax", dim)
        d = None if dim is None else self._dim(dim)
        return TensorCore._plain(np.asarray(np.argmax(self.data, axis=d, keepdims=keepdim)))

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        self._check_nonempty("argmin", dim)
        d = None if dim is None else self._dim(dim)
        return TensorCore._plain(np.asarray(np.argmin(self.data, axis=d, keepdims=keepdim)))

    def logsumexp(self, dim: Dims, keepdim: builtins.bool = False) -> Tensor:
        """log(sum(exp(self))) over dim, without overflow."""
        return tinygrad_edu.functions.reductions.log_sum_exp(self, dim, keepdim)

    # -- reductions, more ------------------------------------------------------------------------

    def prod(
        self, dim: builtins.int | None = None, keepdim: builtins.bool = False, *, dtype: Any = None
    ) -> Tensor:
        """The product over one dim (all by default); gradients stay right where an element is 0."""
        return tinygrad_edu.functions.reductions.product(self, dim, keepdim, dtype)

    def cumsum(self, dim: builtins.int, *, dtype: Any = None) -> Tensor:
        """Running sums along dim."""
        return tinygrad_edu.functions.reductions.scan(ops.CumSum, self, dim, dtype)

    def cumprod(self, dim: builtins.int, *, dtype: Any = None) -> Tensor:
        """Running products along dim."""
        return tinygrad_edu.functions.reductions.scan(ops.CumProd, self, dim, dtype)

    def norm(
        self, p: Any = "fro", dim: Dims = None, keepdim: builtins.bool = False, dtype: Any = None
    ) -> Tensor:
        """The p-norm over dim (all elements by default): 'fro' and 2 the Euclidean, 1, inf, ..."""
        return tinygrad_edu.functions.reductions.p_norm(self, p, dim, keepdim, dtype)

    def median(self, dim: builtins.int | None = None, keepdim: builtins.bool = False) -> Any:
        """median(): the lower median of all elements; median(dim): (values, indices)."""
        return tinygrad_edu.functions.sorting.median_values(self, dim, keepdim)

    def sort(
        self,
        dim: builtins.int = -1,
        descending: builtins.bool = False,
        *,
        stable: builtins.bool = False,
    ) -> return_types.sort:
        """(values, indices) in ascending (descending) order along dim; always stable."""
        return tinygrad_edu.functions.sorting.sort_values(self, dim, descending)

    def argsort(
        self,
        dim: builtins.int = -1,
        descending: builtins.bool = False,
        *,
        stable: builtins.bool = False,
    ) -> Tensor:
        return TensorCore._plain(
            tinygrad_edu.functions.sorting.order(self.data, self._dim(dim), descending)
        )

    def topk(
        self,
        k: builtins.int,
        dim: builtins.int = -1,
        largest: builtins.bool = True,
        sorted: builtins.bool = True,
    ) -> return_types.topk:
        """(values, indices) of the k largest (``largest=False``: smallest) along dim."""
        return tinygrad_edu.functions.sorting.topk_values(self, k, dim, largest)


def _floating_only(name: str, x: Tensor) -> None:
    if not dtypes.is_floating(x.dtype):
        raise RuntimeError(
            f"{name}(): only floating point tensors are supported, got dtype {x.dtype}; use "
            ".float() first"
        )
