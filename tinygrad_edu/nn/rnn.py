"""Elman recurrent networks: RNNCell (one step) and RNN (a stack of layers over a sequence).

One step is h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act = tanh or relu, one fused node
(ops/recurrent.py). What the cell and the layer share with GRU and LSTM (parameters, checks,
the loop over layers, directions and steps) is in nn/rnn_base.py.
"""

from __future__ import annotations

from tinygrad_edu._tensor import Tensor
from tinygrad_edu.nn.rnn_base import RNNBase, RNNCellBase, Weights
from tinygrad_edu.ops import recurrent

NONLINEARITIES = ("tanh", "relu")


def _check_nonlinearity(nonlinearity: str) -> None:
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"Unknown nonlinearity {nonlinearity!r}; expected 'tanh' or 'relu'")


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: ``cell(input, hx)`` -> the next hidden state.

    input is (batch, input_size) or unbatched (input_size,); hx has the matching shape
    (batch, hidden_size) or (hidden_size,), zeros when not given.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: object = None,
        dtype: object = None,
    ) -> None:
        _check_nonlinearity(nonlinearity)
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        weights = self._check_input(input)
        h = self._state(input, hx)
        return recurrent.RNNCell.apply(input, h, *weights, self.nonlinearity)


class RNN(RNNBase):
    """A stack of ``num_layers`` Elman RNN layers run over a whole sequence.

    ``rnn(input, hx=None)`` returns ``(output, h_n)``:

    - input: (seq_len, batch, input_size), or (batch, seq_len, input_size) with
      ``batch_first=True``, or unbatched (seq_len, input_size);
    - hx: (num_layers * directions, batch, hidden_size) (no batch dim if unbatched), zeros if None;
    - output: the last layer's hidden state at every step, laid out like input, with
      hidden_size * directions features; h_n: every layer's final hidden state, shaped like hx.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: object = None,
        dtype: object = None,
    ) -> None:
        _check_nonlinearity(nonlinearity)
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(
            mode,
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
        )
        self.nonlinearity = nonlinearity

    def _step(self, x: Tensor, state: Tensor, weights: Weights) -> Tensor:
        return recurrent.RNNCell.apply(x, state, *weights, self.nonlinearity)
