"""Activation layers: modules that wrap one function of nn.functional, as in torch.nn."""

from __future__ import annotations

from tinygrad_edu._tensor import Tensor
from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn.module import Module


class ReLU(Module):
    """max(x, 0). ``inplace`` is accepted for PyTorch compatibility; the result is always new."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input)


class Sigmoid(Module):
    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class Tanh(Module):
    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class Softmax(Module):
    """softmax along ``dim`` (give it: the implicit choice is deprecated, as in PyTorch)."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim)
