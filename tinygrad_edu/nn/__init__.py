"""Neural-network building blocks, as ``torch.nn``: modules, layers, losses, init, functional."""

from tinygrad_edu.nn import functional, init
from tinygrad_edu.nn.activation import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from tinygrad_edu.nn.container import ModuleList, Sequential
from tinygrad_edu.nn.gru_lstm import GRU, LSTM, GRUCell, LSTMCell
from tinygrad_edu.nn.linear import Flatten, Identity, Linear
from tinygrad_edu.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
)
from tinygrad_edu.nn.module import Module
from tinygrad_edu.nn.parameter import Parameter
from tinygrad_edu.nn.rnn import RNN, RNNBase, RNNCell, RNNCellBase

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "Flatten",
    "GRUCell",
    "Identity",
    "L1Loss",
    "LSTMCell",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "Module",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "RNNBase",
    "RNNCell",
    "RNNCellBase",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "functional",
    "init",
]
