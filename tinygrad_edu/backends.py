"""``torch.backends``: the switches of PyTorch's GPU and CPU backends, as they look without a GPU.

Seeding boilerplate sets ``torch.backends.cudnn.deterministic = True`` and
``torch.backends.cudnn.benchmark = False``; the attributes are stored and can be read back, and
change nothing: there is no cuDNN here, and NumPy on one thread is deterministic already.
"""

from __future__ import annotations


class _CuDNN:
    """``torch.backends.cudnn``: settable flags with PyTorch's defaults; no library behind them."""

    def __init__(self) -> None:
        self.enabled = True
        self.benchmark = False
        self.deterministic = False
        self.allow_tf32 = True

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def version() -> int | None:
        """None: cuDNN is not there (PyTorch returns None too when it is not)."""
        return None


class _Matmul:
    """``torch.backends.cuda.matmul``: the TensorFloat-32 switch, stored and unused."""

    def __init__(self) -> None:
        self.allow_tf32 = False


class _CudaBackend:
    """``torch.backends.cuda``: not built in (everything runs in NumPy)."""

    def __init__(self) -> None:
        self.matmul = _Matmul()

    @staticmethod
    def is_built() -> bool:
        return False


class _MPS:
    """``torch.backends.mps``: Apple's Metal backend, neither built in nor available."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def is_built() -> bool:
        return False


cudnn = _CuDNN()
cuda = _CudaBackend()
mps = _MPS()

__all__ = ["cuda", "cudnn", "mps"]
