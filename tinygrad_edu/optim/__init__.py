"""Optimizers, as ``torch.optim``: the same names, hyper-parameters and trajectories."""

from tinygrad_edu.optim.adam import Adam, AdamW
from tinygrad_edu.optim.optimizer import Optimizer
from tinygrad_edu.optim.sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer"]
