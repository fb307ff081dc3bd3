"""Optimizers, as ``torch.optim``: the same names, hyper-parameters and trajectories."""

from tinygrad_edu.optim import lr_scheduler
from tinygrad_edu.optim.adagrad import Adagrad
from tinygrad_edu.optim.adam import Adam, AdamW
from tinygrad_edu.optim.nadam import NAdam
from tinygrad_edu.optim.optimizer import Optimizer
from tinygrad_edu.optim.radam import RAdam
from tinygrad_edu.optim.rmsprop import RMSprop
from tinygrad_edu.optim.sgd import SGD

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "lr_scheduler",
]
