"""Elman recurrent networks: RNNCell (one step) and RNN (a stack of layers over a sequence).

One step is h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act = tanh or relu. Parameter names,
shapes and initialisation (every one U(-1/sqrt(hidden), 1/sqrt(hidden))) are PyTorch's, so
state dicts move between the two libraries unchanged.

Backpropagation through time needs no code of its own: unrolling the loop in forward builds one
graph over all time steps, and ``backward()`` walks it like any other.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu._tensor import Tensor
from tinygrad_edu.creation import zeros
from tinygrad_edu.functions import stack
from tinygrad_edu.nn import init
from tinygrad_edu.nn.module import Module
from tinygrad_edu.nn.parameter import Parameter
from tinygrad_edu.ops import nn_ops

NONLINEARITIES = ("tanh", "relu")


def _check_nonlinearity(nonlinearity: str) -> None:
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"Unknown nonlinearity {nonlinearity!r}; expected 'tanh' or 'relu'")


def _check_weights(
    name: Callable[[], str],
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor | None,
    b_hh: Tensor | None,
    input_size: int,
    hidden_size: int,
) -> None:
    """The parameters still have the shapes the module was built with (a user may replace one);
    the per-step op then needs no checks of its own."""
    if (
        w_ih.data.shape == (hidden_size, input_size)
        and w_hh.data.shape == (hidden_size, hidden_size)
        and (b_ih is None) == (b_hh is None)
        and (b_ih is None or b_ih.data.shape == b_hh.data.shape == (hidden_size,))  # type: ignore[union-attr]
    ):
        return  # (the usual case, checked in one expression: this runs at every call)
    expected = {
        "weight_ih": (w_ih, (hidden_size, input_size)),
        "weight_hh": (w_hh, (hidden_size, hidden_size)),
        "bias_ih": (b_ih, (hidden_size,)),
        "bias_hh": (b_hh, (hidden_size,)),
    }
    for what, (p, shape) in expected.items():
        if p is not None and p.shape != shape:
            raise ValueError(f"{name()}: {what} has shape {p.shape}, expected {shape}")
    raise ValueError(f"{name()}: bias_ih and bias_hh must both be set or both be None")


# One time step is one fused node (ops/nn_ops.py): h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh).
_step = nn_ops.RNNCell.apply


def _param(*shape: int) -> Parameter:
    return Parameter(np.empty(shape, np.float32))


def _reset_uniform(module: Module, hidden_size: int) -> None:
    """PyTorch's RNN initialisation: every weight and bias U(-1/sqrt(hidden), 1/sqrt(hidden))."""
    bound = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0.0
    for p in module.parameters():
        init.uniform_(p, -bound, bound)


class RNNCell(Module):
    """One step of an Elman RNN: ``cell(input, hx)`` -> the next hidden state.

    input is (batch, input_size) or unbatched (input_size,); hx has the matching shape
    (batch, hidden_size) or (hidden_size,), zeros when not given.
    """

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh"
    ) -> None:
        super().__init__()
        _check_nonlinearity(nonlinearity)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.nonlinearity = nonlinearity
        self.weight_ih = _param(hidden_size, input_size)
        self.weight_hh = _param(hidden_size, hidden_size)
        if bias:
            self.bias_ih = _param(hidden_size)
            self.bias_hh = _param(hidden_size)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_uniform(self, self.hidden_size)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        shape = input.data.shape
        if len(shape) not in (1, 2) or shape[-1] != self.input_size:
            raise ValueError(
                f"{self._name()}: input has shape {shape}, expected (batch, {self.input_size}) "
                f"or ({self.input_size},)"
            )
        expected = (*shape[:-1], self.hidden_size)
        if hx is None:
            hx = zeros(expected, dtype=input.dtype)
        elif hx.data.shape != expected:
            raise ValueError(
                f"{self._name()}: hx has shape {hx.shape}, but for an input of shape {shape} it "
                f"must be {expected}"
            )
        params: dict[str, Any] = self._parameters
        w_ih, w_hh = params["weight_ih"], params["weight_hh"]
        b_ih, b_hh = params["bias_ih"], params["bias_hh"]
        _check_weights(self._name, w_ih, w_hh, b_ih, b_hh, self.input_size, self.hidden_size)
        return _step(input, hx, w_ih, w_hh, b_ih, b_hh, self.nonlinearity)

    def _name(self) -> str:
        return f"RNNCell(input_size={self.input_size}, hidden_size={self.hidden_size})"

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if self.nonlinearity != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNN(Module):
    """A stack of ``num_layers`` Elman RNN layers run over a whole sequence.

    ``rnn(input, hx=None)`` returns ``(output, h_n)``:

    - input: (seq_len, batch, input_size), or (batch, seq_len, input_size) with
      ``batch_first=True``, or unbatched (seq_len, input_size);
    - hx: (num_layers, batch, hidden_size) (or (num_layers, hidden_size) unbatched), zeros if None;
    - output: the last layer's hidden state at every step, laid out like input (with hidden_size
      features); h_n: every layer's final hidden state, shaped like hx.

    Layer k has ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}``, as in
    ``torch.nn.RNN``. ``dropout`` and ``bidirectional`` are not supported (only their defaults).
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
    ) -> None:
        super().__init__()
        _check_nonlinearity(nonlinearity)
        if num_layers < 1:
            raise ValueError(f"RNN: num_layers must be at least 1, got {num_layers}")
        if dropout != 0.0 or bidirectional:
            raise NotImplementedError("RNN: dropout and bidirectional are not supported")
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.nonlinearity = nonlinearity
        self.bias = bias
        self.batch_first = batch_first
        for k in range(num_layers):
            layer_input = input_size if k == 0 else hidden_size
            setattr(self, f"weight_ih_l{k}", _param(hidden_size, layer_input))
            setattr(self, f"weight_hh_l{k}", _param(hidden_size, hidden_size))
            if bias:
                setattr(self, f"bias_ih_l{k}", _param(hidden_size))
                setattr(self, f"bias_hh_l{k}", _param(hidden_size))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_uniform(self, self.hidden_size)

    def _layer(self, k: int) -> tuple[Tensor, Tensor, Tensor | None, Tensor | None]:
        get = self._parameters.get
        return (
            self._parameters[f"weight_ih_l{k}"],  # type: ignore[return-value]
            self._parameters[f"weight_hh_l{k}"],
            get(f"bias_ih_l{k}"),
            get(f"bias_hh_l{k}"),
        )

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        name = f"RNN(input_size={self.input_size}, hidden_size={self.hidden_size})"
        layout = "(batch, seq_len, " if self.batch_first else "(seq_len, batch, "
        if input.ndim not in (2, 3) or input.shape[-1] != self.input_size:
            raise ValueError(
                f"{name}: input has shape {input.shape}, expected {layout}{self.input_size}) "
                f"or unbatched (seq_len, {self.input_size})"
            )
        batched = input.ndim == 3
        given_shape = input.shape
        if not batched:  # unbatched: a batch of one, taken away again at the end
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        steps, batch = input.shape[0], input.shape[1]
        expected = (self.num_layers, batch, self.hidden_size)
        if hx is None:
            hx = zeros(expected, dtype=input.dtype)
        else:
            want = expected if batched else (self.num_layers, self.hidden_size)
            if hx.shape != want:
                raise ValueError(
                    f"{name}: hx has shape {hx.shape}, but for an input of shape "
                    f"{given_shape} it must be {want}"
                )
            if not batched:
                hx = hx.unsqueeze(1)
        # Each layer reads the list of the previous layer's hidden states: no stacking and
        # re-slicing between layers.
        xs = [input[t] for t in range(steps)]
        finals = []
        for k in range(self.num_layers):
            w_ih, w_hh, b_ih, b_hh = self._layer(k)
            _check_weights(
                lambda: f"{name}, layer {k}",  # noqa: B023 (called at once, if at all)
                w_ih,
                w_hh,
                b_ih,
                b_hh,
                self.input_size if k == 0 else self.hidden_size,
                self.hidden_size,
            )
            h = hx[k]
            outs = []
            for x in xs:
                h = _step(x, h, w_ih, w_hh, b_ih, b_hh, self.nonlinearity)
                outs.append(h)
            finals.append(h)
            xs = outs
        output = stack(xs, dim=0) if xs else zeros(0, batch, self.hidden_size)
        h_n = stack(finals, dim=0)
        if not batched:
            return output.squeeze(1), h_n.squeeze(1)
        if self.batch_first:
            output = output.transpose(0, 1)
        return output, h_n

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.nonlinearity != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        return s
