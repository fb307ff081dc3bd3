"""Gated recurrent networks: GRUCell, LSTMCell (one step) and GRU, LSTM (layers over a sequence).

The Elman RNN's gradient through time is a product of one Jacobian per step, which shrinks (or
grows) geometrically with the distance travelled: it forgets. Gates fix that by making the
state's update additive, with a learned gate deciding how much of the old state to keep:

- GRU: r = sigmoid(a_r), z = sigmoid(a_z), n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn)),
  h' = (1 - z) n + z h: where z is near 1, h passes on (and so does its gradient) unchanged.
- LSTM: (i, f, g, o) = (sigmoid, sigmoid, tanh, sigmoid)(x W_ih^T + b_ih + h W_hh^T + b_hh),
  c' = f c + i g, h' = o tanh(c'): the cell state c carries the memory, scaled only by f.

(a_r = x W_ir^T + b_ir + h W_hr^T + b_hr, and a_z alike.) Gate order, formulas, parameter names
and layouts are PyTorch's: ``weight_ih`` is (3 hidden, input) for a GRU with the r, z, n blocks
one under the other, (4 hidden, input) with i, f, g, o for an LSTM. Each step is one fused node
(ops/recurrent.py); an LSTM's h and c travel between steps stacked in one (2, batch, hidden)
tensor, split only for the caller.
"""

from __future__ import annotations

from typing import Any

from tinygrad_edu._tensor import Tensor
from tinygrad_edu.creation import zeros
from tinygrad_edu.nn.rnn_base import RNNBase, RNNCellBase, Weights
from tinygrad_edu.ops import recurrent


class GRUCell(RNNCellBase):
    """One GRU step: ``cell(input, hx)`` -> the next hidden state.

    input is (batch, input_size) or unbatched (input_size,); hx has the matching shape
    (batch, hidden_size) or (hidden_size,), zeros when not given.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: object = None,
        dtype: object = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        weights = self._check_input(input)
        h = self._state(input, hx)
        return recurrent.GRUCell.apply(input, h, *weights)


class LSTMCell(RNNCellBase):
    """One LSTM step: ``cell(input, (h, c))`` -> ``(h', c')``.

    input is (batch, input_size) or unbatched (input_size,); h and c have the matching shape
    (batch, hidden_size) or (hidden_size,); both zeros when hx is not given.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: object = None,
        dtype: object = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(
        self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, Tensor]:
        weights = self._check_input(input)
        if hx is None:
            state = zeros(2, *input.shape[:-1], self.hidden_size, dtype=input.dtype)
        else:
            h, c = _pair(self._name(), hx)
            h, c = self._state(input, h, "hx[0]"), self._state(input, c, "hx[1]")
            state = recurrent.StackSteps.apply(None, h, c)
        out = recurrent.LSTMCell.apply(input, state, *weights)
        return out[0], out[1]


def _pair(name: str, hx: Any) -> tuple[Any, Any]:
    if not isinstance(hx, (tuple, list)) or len(hx) != 2:
        raise RuntimeError(
            f"{name}: an LSTM's hidden state is a pair (h, c) of tensors, got "
            f"{type(hx).__name__}"
            + (f" of length {len(hx)}" if isinstance(hx, (tuple, list)) else "")
        )
    return hx[0], hx[1]


class GRU(RNNBase):
    """A stack of ``num_layers`` GRU layers over a sequence: ``gru(input, h_0=None)`` returns
    ``(output, h_n)``, with the shapes and options of ``nn.RNN`` (``batch_first``, ``dropout``
    between layers, ``bidirectional``, unbatched input)."""

    num_chunks = 3

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: object = None,
        dtype: object = None,
    ) -> None:
        super().__init__(
            "GRU",
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

    def _step(self, x: Tensor, state: Tensor, weights: Weights) -> Tensor:
        return recurrent.GRUCell.apply(x, state, *weights)


class LSTM(RNNBase):
    """A stack of ``num_layers`` LSTM layers over a sequence: ``lstm(input, (h_0, c_0))``
    returns ``(output, (h_n, c_n))``; h_0 and c_0 (both zeros if hx is None) and h_n, c_n are
    (num_layers * directions, batch, hidden_size). Otherwise as ``nn.RNN``. ``proj_size`` > 0
    raises NotImplementedError."""

    num_chunks = 4
    _output_index = (0,)  # a state is (h, c) stacked: the output is its h

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: object = None,
        dtype: object = None,
    ) -> None:
        super().__init__(
            "LSTM",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            proj_size,
            device=device,
            dtype=dtype,
        )

    def _step(self, x: Tensor, state: Tensor, weights: Weights) -> Tensor:
        return recurrent.LSTMCell.apply(x, state, *weights)

    def _initial_states(self, hx: Any, batch: int, input: Tensor) -> list[Tensor]:
        layers = self.num_layers * self._directions()
        if hx is None:
            return [zeros(2, batch, self.hidden_size, dtype=input.dtype)] * layers
        h0, c0 = _pair(self._name(), hx)
        h0 = self._check_hidden(h0, batch, input, "h_0")
        c0 = self._check_hidden(c0, batch, input, "c_0")
        both = recurrent.StackSteps.apply(None, h0, c0)  # (2, layers, batch, hidden)
        return [both[:, i] for i in range(layers)]

    def _final(self, finals: list[Tensor], batched: bool) -> tuple[Tensor, Tensor]:
        h_n = recurrent.StackSteps.apply((0,), *finals)
        c_n = recurrent.StackSteps.apply((1,), *finals)
        return (h_n, c_n) if batched else (h_n.squeeze(1), c_n.squeeze(1))
