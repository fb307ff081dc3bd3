"""Distance modules, as torch.nn's: ``CosineSimilarity`` (see F.cosine_similarity)."""

from __future__ import annotations

from tinygrad_edu._tensor import Tensor
from tinygrad_edu.nn.functional.distance import cosine_similarity
from tinygrad_edu.nn.module import Module


class CosineSimilarity(Module):
    """The cosine of the angle between x1 and x2 along ``dim``; see F.cosine_similarity."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return cosine_similarity(x1, x2, self.dim, self.eps)
