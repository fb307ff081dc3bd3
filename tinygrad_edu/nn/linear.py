"""Layers without an activation: Linear, and the shape-only Identity, Flatten and Unflatten."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinygrad_edu import arguments
from tinygrad_edu._tensor import Tensor
from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn import init
from tinygrad_edu.nn.module import Module
from tinygrad_edu.nn.parameter import Parameter


class Linear(Module):
    """y = x W^T + b, with ``weight`` (out_features, in_features) and ``bias`` (out_features,).

    Initialised as PyTorch's: W ~ kaiming_uniform_(a=sqrt(5)) = U(-1/sqrt(in), 1/sqrt(in)), and
    b ~ U(-1/sqrt(in), 1/sqrt(in)), drawn from the generator ``manual_seed`` seeds.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: object = None,
        dtype: object = None,
    ) -> None:
        super().__init__()
        for name, n in (("in_features", in_features), ("out_features", out_features)):
            if not arguments.is_int(n):
                raise TypeError(
                    f"Linear: {name} must be an int, got {type(n).__name__}"
                    + (f" of shape {n.shape}" if isinstance(n, np.ndarray) else f" {n!r}")
                )
        in_features, out_features = int(in_features), int(out_features)
        if in_features < 0 or out_features < 0:
            raise ValueError(
                f"Linear: in_features and out_features must be >= 0, got {in_features} and "
                f"{out_features}"
            )
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(np.empty((out_features, in_features), np.float32))
        if bias:
            self.bias = Parameter(np.empty(out_features, np.float32))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
        self.to(device=device, dtype=dtype)  # (drawn in float32, then cast: torch draws in dtype)

    def reset_parameters(self) -> None:
        if self.in_features > 0:
            init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        shape = input.data.shape
        if not shape or shape[-1] != self.in_features:
            raise ValueError(
                f"Linear(in_features={self.in_features}): input has shape {shape}, last "
                f"dim must be {self.in_features}"
            )
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. to switch a layer off)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Flatten(Module):
    """Flattens dims start_dim..end_dim into one; by default everything but the batch dim."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Splits dim ``dim`` into the dims ``unflattened_size`` (one of them may be -1, inferred):
    the inverse of Flatten, e.g. (N, 12) -> (N, 3, 4) with ``Unflatten(1, (3, 4))``."""

    def __init__(self, dim: int, unflattened_size: tuple[int, ...] | list[int]) -> None:
        super().__init__()
        if not arguments.is_int(dim):
            raise TypeError(
                f"Unflatten: dim must be an int (named tensors are not supported), got "
                f"{type(dim).__name__} {dim!r}"
            )
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(
                "unflattened_size must be a tuple of ints, but found type "
                f"{type(unflattened_size).__name__}"
            )
        for i, n in enumerate(unflattened_size):
            if not arguments.is_int(n):
                raise TypeError(
                    "unflattened_size must be tuple of ints, but found element of type "
                    f"{type(n).__name__} at pos {i}"
                )
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input: Tensor) -> Tensor:
        shape = input.shape
        d = arguments.dim_arg(self.dim, input.ndim)
        sizes = [int(n) for n in self.unflattened_size]
        if not sizes:
            raise RuntimeError("unflatten: sizes must be non-empty")
        if sizes.count(-1) > 1:
            raise RuntimeError(f"unflatten: only one dimension can be inferred, got sizes {sizes}")
        known = math.prod(n for n in sizes if n != -1)
        if -1 in sizes and known != 0 and shape[d] % known == 0:
            sizes[sizes.index(-1)] = shape[d] // known
        if math.prod(sizes) != shape[d] or any(n < 0 for n in sizes):
            raise RuntimeError(
                f"unflatten: Provided sizes {list(self.unflattened_size)} don't multiply up to "
                f"the size of dim {self.dim} ({shape[d]}) in the input tensor"
            )
        return input.reshape(*shape[:d], *sizes, *shape[d + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
