"""Learning-rate schedules, as ``torch.optim.lr_scheduler``: the same names, arguments, state
dicts and learning-rate sequences (tested against PyTorch's)."""

from tinygrad_edu.optim.lr_scheduler.base import LambdaLR, LRScheduler, _LRScheduler
from tinygrad_edu.optim.lr_scheduler.decay import (
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    MultiStepLR,
    StepLR,
)
from tinygrad_edu.optim.lr_scheduler.one_cycle import OneCycleLR
from tinygrad_edu.optim.lr_scheduler.plateau import ReduceLROnPlateau

__all__ = [
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "OneCycleLR",
    "ReduceLROnPlateau",
    "StepLR",
    "_LRScheduler",
]
