"""What every recurrent cell and layer shares: parameters, initialisation, input checks, and the
loop over layers, directions and time steps (RNNCellBase, RNNBase).

A layer's cell is a subclass's choice (nn/rnn.py: Elman; nn/gru_lstm.py: GRU and LSTM), each
one time step a fused node (ops/recurrent.py). Parameter names, shapes, layouts and
initialisation (every one U(-1/sqrt(hidden), 1/sqrt(hidden))) are PyTorch's, so state dicts move
between the libraries unchanged. Backpropagation through time needs no code of its own:
unrolling the loop in forward builds one graph over all time steps, and ``backward()`` walks it
like any other.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu._tensor import Tensor
from tinygrad_edu.creation import zeros
from tinygrad_edu.functions import cat
from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn import init
from tinygrad_edu.nn.module import Module
from tinygrad_edu.nn.parameter import Parameter
from tinygrad_edu.ops import recurrent

Weights = tuple[Tensor, Tensor, "Tensor | None", "Tensor | None"]  # w_ih, w_hh, b_ih, b_hh


def _param(*shape: int) -> Parameter:
    return Parameter(np.empty(shape, np.float32))


def _reset_uniform(module: Module, hidden_size: int) -> None:
    """PyTorch's recurrent initialisation: every weight and bias U(-1/sqrt(H), 1/sqrt(H))."""
    bound = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0.0
    for p in module.parameters():
        init.uniform_(p, -bound, bound)


def check_weights(
    name: Callable[[], str], weights: Weights, gates: int, n_in: int, n_h: int
) -> None:
    """The parameters still have the shapes the module was built with (a user may replace one);
    the per-step op then needs no checks of its own."""
    w_ih, w_hh, b_ih, b_hh = weights
    rows = gates * n_h
    if (
        w_ih.data.shape == (rows, n_in)
        and w_hh.data.shape == (rows, n_h)
        and (b_ih is None) == (b_hh is None)
        and (b_ih is None or b_ih.data.shape == b_hh.data.shape == (rows,))  # type: ignore[union-attr]
    ):
        return  # (the usual case, checked in one expression: this runs at every call)
    expected = {
        "weight_ih": (w_ih, (rows, n_in)),
        "weight_hh": (w_hh, (rows, n_h)),
        "bias_ih": (b_ih, (rows,)),
        "bias_hh": (b_hh, (rows,)),
    }
    for what, (p, shape) in expected.items():
        if p is not None and p.shape != shape:
            raise RuntimeError(f"{name()}: {what} has shape {p.shape}, expected {shape}")
    raise RuntimeError(f"{name()}: bias_ih and bias_hh must both be set or both be None")


def check_dtype(
    name: str, input: Tensor, weight: Tensor, error: type[Exception] = RuntimeError
) -> None:
    """PyTorch refuses to mix dtypes here (a layer with ValueError, a cell with RuntimeError)."""
    if input.dtype != weight.dtype:
        raise error(
            f"{name}: input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). "
            f"Convert the input (input.to({weight.dtype})) or the model (model.to({input.dtype}))"
        )


# -- cells: one time step -------------------------------------------------------------------------


class RNNCellBase(Module):
    """A single step with ``num_chunks`` gates: parameters, initialisation and input checks."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        num_chunks: int,
        device: object = None,
        dtype: object = None,
    ) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.num_chunks = num_chunks  # gates: blocks of hidden_size rows in each weight
        self.weight_ih = _param(num_chunks * hidden_size, input_size)
        self.weight_hh = _param(num_chunks * hidden_size, hidden_size)
        if bias:
            self.bias_ih = _param(num_chunks * hidden_size)
            self.bias_hh = _param(num_chunks * hidden_size)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()
        self.to(device=device, dtype=dtype)  # (drawn in float32, then cast: torch draws in dtype)

    def reset_parameters(self) -> None:
        _reset_uniform(self, self.hidden_size)

    def _check_input(self, input: Tensor) -> Weights:
        """Check the input (rank, size, dtype); return the parameters, checked too."""
        shape = input.data.shape
        if len(shape) not in (1, 2):
            raise ValueError(
                f"{type(self).__name__}: Expected input to be 1D or 2D, got {len(shape)}D "
                f"(shape {shape})"
            )
        if shape[-1] != self.input_size:
            raise RuntimeError(
                f"{self._name()}: input has shape {shape}, expected (batch, {self.input_size}) "
                f"or ({self.input_size},)"
            )
        params: dict[str, Any] = self._parameters
        weights = (params["weight_ih"], params["weight_hh"], params["bias_ih"], params["bias_hh"])
        check_weights(self._name, weights, self.num_chunks, self.input_size, self.hidden_size)
        if input.data.dtype is not weights[0].data.dtype:  # (the usual case in one test)
            check_dtype(type(self).__name__, input, weights[0])
        return weights

    def _state(self, input: Tensor, hx: Tensor | None, what: str = "hx") -> Tensor:
        """The given state checked against the input, or zeros."""
        expected = (*input.data.shape[:-1], self.hidden_size)
        if hx is None:
            return zeros(expected, dtype=input.dtype)
        if hx.data.shape != expected:
            raise RuntimeError(
                f"{self._name()}: {what} has shape {hx.shape}, but for an input of shape "
                f"{input.shape} it must be {expected}"
            )
        if hx.data.dtype is not input.data.dtype:
            check_dtype(f"{type(self).__name__} ({what})", hx, input)
        return hx

    def _name(self) -> str:
        return (
            f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size})"
        )

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


# -- layers: a stack of cells over a sequence -----------------------------------------------------


class RNNBase(Module):
    """What RNN, GRU and LSTM share: parameters for every layer and direction, the checks of the
    input and initial state, and the loop over layers, directions and time steps.

    Layer k, direction d has ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``,
    ``bias_hh_l{k}`` (with ``_reverse`` appended for the backward direction), as in PyTorch. A
    bidirectional layer runs a second set of weights from the last step to the first; its
    output at step t is the two directions' states at t, side by side. ``dropout`` zeroes
    elements of every layer's output but the last, in training mode.

    Subclasses say how many gates a weight holds (``num_chunks``), what one step is
    (``_step``), and how the state is laid out (LSTM: h and c stacked).
    """

    num_chunks = 1

    def __init__(
        self,
        mode: str,
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
        super().__init__()
        _check_sizes(mode, input_size, hidden_size, num_layers, dropout, proj_size)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        rows = self.num_chunks * hidden_size
        directions = 2 if bidirectional else 1
        for k in range(num_layers):
            layer_input = input_size if k == 0 else hidden_size * directions
            for suffix in ("", "_reverse")[:directions]:
                setattr(self, f"weight_ih_l{k}{suffix}", _param(rows, layer_input))
                setattr(self, f"weight_hh_l{k}{suffix}", _param(rows, hidden_size))
                if bias:
                    setattr(self, f"bias_ih_l{k}{suffix}", _param(rows))
                    setattr(self, f"bias_hh_l{k}{suffix}", _param(rows))
        self.reset_parameters()
        self.to(device=device, dtype=dtype)  # (drawn in float32, then cast: torch draws in dtype)

    def reset_parameters(self) -> None:
        _reset_uniform(self, self.hidden_size)

    # -- what a subclass fills in ---------------------------------------------------------------

    def _step(self, x: Tensor, state: Tensor, weights: Weights) -> Tensor:
        raise NotImplementedError

    # The part of a state that is the layer's output (None: all of it; LSTM: (0,), its h).
    _output_index: tuple[int, ...] | None = None

    def _initial_states(self, hx: Any, batch: int, input: Tensor) -> list[Tensor]:
        """One state per layer and direction, from hx (layers * directions, batch, hidden)."""
        h0 = self._check_hidden(hx, batch, input, "hx")
        if h0 is None:
            state = zeros(batch, self.hidden_size, dtype=input.dtype)
            return [state] * (self.num_layers * self._directions())
        return [h0[i] for i in range(h0.shape[0])]

    def _final(self, finals: list[Tensor], batched: bool) -> Any:
        """h_n: every layer's and direction's last state."""
        h_n = recurrent.StackSteps.apply(None, *finals)
        return h_n if batched else h_n.squeeze(1)

    # -- the shared loop -------------------------------------------------------------------------

    def _directions(self) -> int:
        return 2 if self.bidirectional else 1

    def forward(self, input: Tensor, hx: Any = None) -> tuple[Tensor, Any]:
        """(output, h_n): the last layer's state at every step (laid out like input, with
        hidden_size * directions features), and every layer's final state (hx's shape)."""
        if input.ndim not in (2, 3):
            raise ValueError(
                f"{type(self).__name__}: Expected input to be 2D or 3D, got {input.ndim}D "
                f"(shape {input.shape})"
            )
        if input.shape[-1] != self.input_size:
            layout = "(batch, seq_len, " if self.batch_first else "(seq_len, batch, "
            raise RuntimeError(
                f"{self._name()}: input has shape {input.shape}, expected {layout}"
                f"{self.input_size}) or unbatched (seq_len, {self.input_size})"
            )
        check_dtype(type(self).__name__, input, self.weight_ih_l0, ValueError)
        batched = input.ndim == 3
        if not batched:  # a batch of one, removed again at the end
            x = input.unsqueeze(1)
        else:
            x = input.transpose(0, 1) if self.batch_first else input
        if x.shape[0] == 0:
            raise RuntimeError(f"{self._name()}: Expected sequence length to be larger than 0")
        states = self._initial_states(hx, x.shape[1], input)
        steps, directions = x.shape[0], self._directions()
        xs = [x[t] for t in range(steps)]
        finals: list[Tensor] = []
        for k in range(self.num_layers):
            runs: list[list[Any]] = []  # each direction's states, in time order
            for d in range(directions):
                weights = self._layer(k, d)
                state = states[k * directions + d]
                run: list[Any] = [None] * steps
                for t in range(steps) if d == 0 else range(steps - 1, -1, -1):
                    state = run[t] = self._step(xs[t], state, weights)
                finals.append(state)
                runs.append(run)
            if k < self.num_layers - 1:
                xs = self._next_inputs(runs)
        index = self._output_index
        outs = [recurrent.StackSteps.apply(index, *run) for run in runs]
        output = outs[0] if directions == 1 else cat(outs, dim=-1)
        if not batched:
            output = output.squeeze(1)
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, self._final(finals, batched)

    def _next_inputs(self, runs: list[list[Any]]) -> list[Tensor]:
        """The next layer's input at each step: the directions' outputs side by side, with
        dropout in training mode."""
        index, p = self._output_index, self.dropout if self.training else 0.0
        xs = []
        for t in range(len(runs[0])):
            parts = [run[t] if index is None else run[t][index] for run in runs]
            x = parts[0] if len(parts) == 1 else cat(parts, dim=-1)
            xs.append(F.dropout(x, p) if p > 0 else x)  # (each step its own mask)
        return xs

    def _layer(self, k: int, d: int) -> Weights:
        suffix = "_reverse" if d else ""
        get = self._parameters.get
        weights: Weights = (
            self._parameters[f"weight_ih_l{k}{suffix}"],  # type: ignore[assignment]
            self._parameters[f"weight_hh_l{k}{suffix}"],
            get(f"bias_ih_l{k}{suffix}"),
            get(f"bias_hh_l{k}{suffix}"),
        )
        n_in = self.input_size if k == 0 else self.hidden_size * self._directions()
        check_weights(
            lambda: f"{self._name()}, layer {k}{suffix}",
            weights,
            self.num_chunks,
            n_in,
            self.hidden_size,
        )
        return weights

    def _check_hidden(self, hx: Any, batch: int, input: Tensor, what: str) -> Tensor | None:
        """hx checked against the input, and given a batch dim if the input has none."""
        if hx is None:
            return None
        if not isinstance(hx, Tensor):
            raise TypeError(f"{self._name()}: {what} must be a Tensor, got {type(hx).__name__}")
        batched = input.ndim == 3
        layers = self.num_layers * self._directions()
        want = (layers, batch, self.hidden_size) if batched else (layers, self.hidden_size)
        if hx.shape != want:
            kind = "batched 3-D" if batched else "unbatched 2-D"
            raise RuntimeError(
                f"{self._name()}: {what} has shape {hx.shape}, but for {kind} input of shape "
                f"{input.shape} it must be {want}"
            )
        if hx.dtype != input.dtype:
            raise RuntimeError(
                f"{self._name()}: {what} has dtype {hx.dtype}, but the input has {input.dtype}"
            )
        return hx if batched else hx.unsqueeze(1)

    def _name(self) -> str:
        return (
            f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size})"
        )

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:  # (PyTorch leaves an RNN's nonlinearity out, so do we)
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


def _check_sizes(
    mode: str, input_size: int, hidden_size: int, num_layers: int, dropout: Any, proj_size: int
) -> None:
    """PyTorch's checks of a recurrent layer's arguments, with its error classes."""
    if (
        not isinstance(dropout, numbers.Number)
        or isinstance(dropout, bool)
        or not 0 <= dropout <= 1  # type: ignore[operator]
    ):
        raise ValueError(
            "dropout should be a number in range [0, 1] representing the probability of an "
            f"element being zeroed, got {dropout!r}"
        )
    if dropout > 0 and num_layers == 1:  # type: ignore[operator]
        warnings.warn(
            "dropout option adds dropout after all but last recurrent layer, so non-zero "
            f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
            f"num_layers={num_layers}",
            stacklevel=3,
        )
    for what, value in (("input_size", input_size), ("hidden_size", hidden_size)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{what} should be of type int, got: {type(value).__name__}")
    if hidden_size <= 0:
        raise ValueError(f"hidden_size must be greater than zero, got {hidden_size}")
    if not isinstance(num_layers, int) or num_layers <= 0:
        raise ValueError(f"num_layers must be greater than zero, got {num_layers}")
    if proj_size < 0:
        raise ValueError(
            f"proj_size should be a positive integer or zero to disable projections, got {proj_size}"
        )
    if proj_size >= hidden_size:
        raise ValueError(f"proj_size has to be smaller than hidden_size, got {proj_size}")
    if proj_size and mode != "LSTM":
        raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
    if proj_size:
        raise NotImplementedError("LSTM: proj_size > 0 (projected hidden states) is not supported")
