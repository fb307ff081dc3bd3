"""Fused recurrent steps: one node per time step, where the primitives would need a dozen.

- ``RNNCell``: the Elman step, act(x W_ih^T + b_ih + h W_hh^T + b_hh), act = tanh or relu.
- ``GRUCell``: the gated recurrent unit's step, PyTorch's formulas (the reset gate multiplies
  W_hn h + b_hn, not h).
- ``LSTMCell``: the long short-term memory step on the state (h, c), stacked in one array of
  shape (2, ..., hidden): a node has one output, and the two halves of the state always travel
  together, so they are one tensor between steps (the layer splits them only at the end).
- ``StackSteps``: the states of all time steps joined into one (steps, ...) tensor in one node,
  optionally picking a part of each first (the h of an LSTM state).

Each weight matrix holds the gates' blocks of ``hidden`` rows one under the other (GRU: r, z, n;
LSTM: i, f, g, o), as PyTorch lays them out, so one matmul computes every gate's pre-activation.

Backward: on arrays (the usual ``backward()``) from the activations forward kept; on Tensors
(``create_graph=True``) the activations are recomputed from the inputs with Tensor ops, so that
the gradient is itself differentiable (the same formulas, written once for either kind; see
ops/either.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops import either
from tinygrad_edu.ops.either import Gradient
from tinygrad_edu.ops.movement import Cat, IndexAdd, index_add

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor


# -- helpers for either kind of value (ndarray or Tensor) ----------------------------------------


def _sigmoid(a: Gradient) -> Gradient:
    """1 / (1 + e^-a). On arrays as (1 + tanh(a / 2)) / 2: the same function, stable for every a
    and one transcendental call instead of the three of a where-based stable form."""
    if either.is_tensor(a):
        return a.sigmoid()
    out = np.tanh(a * 0.5)
    out *= 0.5
    out += 0.5
    return out


def _tanh(a: Gradient) -> Gradient:
    return a.tanh() if either.is_tensor(a) else np.tanh(a)


def _join(parts: Sequence[Gradient], axis: int) -> Gradient:
    """Concatenate along an existing axis."""
    if either.is_tensor(parts[0]):
        return Cat.apply(*parts, axis % parts[0].ndim)
    return np.concatenate(parts, axis=axis)


def _stack2(a: Gradient, b: Gradient) -> Gradient:
    """(a, b) stacked on a new leading axis of length 2."""
    return _join([a.reshape(1, *a.shape), b.reshape(1, *b.shape)], 0)


def _affine(x: Gradient, w: Gradient, b: Gradient | None) -> Gradient:
    """x W^T + b (b may be None)."""
    out = x @ w.T
    return out if b is None else out + b


def _param_grads(
    ctx: Function,
    da_x: Gradient,
    da_h: Gradient,
    x: Gradient,
    h: Gradient,
    w_ih: Gradient,
    w_hh: Gradient,
) -> tuple[Gradient | None, ...]:
    """What every cell's backward ends with. The pre-activations were a_x = x W_ih^T + b_ih and
    a_h = h W_hh^T + b_hh; given their gradients:
    dx = da_x W_ih,  dW_ih = da_x^T x,  db_ih = sum_rows da_x   (and the same for h).
    The inputs are (x, h or state, w_ih, w_hh, b_ih, b_hh, ...); dh is returned as the part of
    the state's gradient that flows through W_hh (a cell adds what flows around it)."""
    need_x, need_h, need_w_ih, need_w_hh, need_b_ih, need_b_hh = ctx.needs_input_grad[:6]
    rows_x, n_in = w_ih.shape
    rows_h, hidden = w_hh.shape
    da_x2 = da_x.reshape(-1, rows_x)  # an unbatched step is a batch of one
    da_h2 = da_h.reshape(-1, rows_h)
    dx = da_x @ w_ih if need_x else None
    dh = da_h @ w_hh if need_h else None
    dw_ih = da_x2.T @ x.reshape(-1, n_in) if need_w_ih else None
    dw_hh = da_h2.T @ h.reshape(-1, hidden) if need_w_hh else None
    db_ih = da_x2.sum(axis=0) if need_b_ih else None
    db_hh = None
    if need_b_hh:  # one sum serves both biases where they are added to the same pre-activation
        db_hh = db_ih if da_h is da_x and db_ih is not None else da_h2.sum(axis=0)
    return dx, dh, dw_ih, dw_hh, db_ih, db_hh


# -- the cells ----------------------------------------------------------------------------------


class RNNCell(Function):
    """h' = act(z),  z = x W_ih^T + b_ih + h W_hh^T + b_hh,  act = tanh or relu.
    With dz = grad act'(z), read off h' alone (1 - h'^2 for tanh, 1[h' > 0] for relu):
    dx = dz W_ih,  dh = dz W_hh,  dW_ih = dz^T x,  dW_hh = dz^T h,  db_ih = db_hh = sum_rows dz

    x is (batch, input) or (input,), h is (batch, hidden) or (hidden,); the biases are both
    given or both None.
    """

    backward_on_arrays = True
    save_output = True

    @staticmethod
    def forward(
        ctx: RNNCell,
        x: Tensor,
        h: Tensor,
        w_ih: Tensor,
        w_hh: Tensor,
        b_ih: Tensor | None,
        b_hh: Tensor | None,
        nonlinearity: str,
    ) -> np.ndarray:
        ctx.save_for_backward(x, h, w_ih, w_hh)
        z = x.data @ w_ih.data.T
        z += h.data @ w_hh.data.T  # z is a fresh array: everything else is added in place
        if b_ih is not None:
            z += b_ih.data
            z += b_hh.data  # type: ignore[union-attr]  # both biases or neither
        return np.tanh(z, out=z) if nonlinearity == "tanh" else np.maximum(z, 0, out=z)

    @staticmethod
    def backward(ctx: RNNCell, grad: Gradient) -> tuple[Gradient | None, ...]:
        x, h, w_ih, w_hh = ctx.saved_tensors
        out, nonlinearity = ctx.output, ctx.inputs[6]
        dz = grad * (1.0 - out * out) if nonlinearity == "tanh" else grad * (out > 0)
        # The output is a function of the inputs' node: under create_graph, 1 - out^2 is
        # differentiable as it stands (no recomputation needed).
        return _param_grads(ctx, dz, dz, x, h, w_ih, w_hh)


def _gru_gates(
    x: Any, h: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any
) -> tuple[Any, Any, Any, Any]:
    """r, z, n and W_hn h + b_hn of a GRU step (arrays or Tensors alike)."""
    hidden = w_hh.shape[1]
    a_x, a_h = _affine(x, w_ih, b_ih), _affine(h, w_hh, b_hh)
    r = _sigmoid(a_x[..., :hidden] + a_h[..., :hidden])
    z = _sigmoid(a_x[..., hidden : 2 * hidden] + a_h[..., hidden : 2 * hidden])
    hn = a_h[..., 2 * hidden :]
    n = _tanh(a_x[..., 2 * hidden :] + r * hn)
    return r, z, n, hn


class GRUCell(Function):
    """r = sigmoid(a_r),  z = sigmoid(a_z),  n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn)),
    h' = (1 - z) n + z h,  where a_r = x W_ir^T + b_ir + h W_hr^T + b_hr (and a_z alike).
    With da_n = grad (1 - z)(1 - n^2):
    da_z = grad (h - n) z (1 - z),  da_r = da_n (h W_hn^T + b_hn) r (1 - r);
    the input side's pre-activations get (da_r, da_z, da_n), the hidden side's (da_r, da_z,
    da_n r); then dx, dW, db as for any affine map, and dh adds the direct path grad z.
    """

    backward_on_arrays = True
    gates: tuple[np.ndarray, ...]  # r, z, n, W_hn h + b_hn from forward (arrays)

    @staticmethod
    def forward(
        ctx: GRUCell,
        x: Tensor,
        h: Tensor,
        w_ih: Tensor,
        w_hh: Tensor,
        b_ih: Tensor | None,
        b_hh: Tensor | None,
    ) -> np.ndarray:
        ctx.save_for_backward(x, h, w_ih, w_hh)
        r, z, n, hn = _gru_gates(x.data, h.data, w_ih.data, w_hh.data, _data(b_ih), _data(b_hh))
        ctx.gates = (r, z, n, hn)
        return n + z * (h.data - n)

    @staticmethod
    def backward(ctx: GRUCell, grad: Gradient) -> tuple[Gradient | None, ...]:
        x, h, w_ih, w_hh = ctx.saved_tensors
        if isinstance(grad, np.ndarray):
            r, z, n, hn = ctx.gates
        else:  # create_graph: the gates again, as functions of the inputs
            b_ih, b_hh = ctx.inputs[4:6]
            r, z, n, hn = _gru_gates(x, h, w_ih, w_hh, b_ih, b_hh)
        da_n = grad * (1.0 - z) * (1.0 - n * n)
        da_z = grad * (h - n) * z * (1.0 - z)
        da_r = da_n * hn * r * (1.0 - r)
        da_x = _join([da_r, da_z, da_n], -1)
        da_h = _join([da_r, da_z, da_n * r], -1)
        dx, dh, *rest = _param_grads(ctx, da_x, da_h, x, h, w_ih, w_hh)
        if dh is not None:
            dh = dh + grad * z
        return (dx, dh, *rest)


def _lstm_gates(x: Any, s: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any) -> tuple[Any, ...]:
    """i, f, g, o and c' of an LSTM step from the stacked state s = (h, c)."""
    hidden = w_hh.shape[1]
    a = _affine(x, w_ih, b_ih) + _affine(s[0], w_hh, b_hh)
    i = _sigmoid(a[..., :hidden])
    f = _sigmoid(a[..., hidden : 2 * hidden])
    g = _tanh(a[..., 2 * hidden : 3 * hidden])
    o = _sigmoid(a[..., 3 * hidden :])
    return i, f, g, o, f * s[1] + i * g


class LSTMCell(Function):
    """(i, f, g, o) = (sigmoid, sigmoid, tanh, sigmoid)(x W_ih^T + b_ih + h W_hh^T + b_hh),
    c' = f c + i g,  h' = o tanh(c'),  out = (h', c') stacked, from the stacked state s = (h, c).
    With dh', dc' the halves of grad, and dc* = dc' + dh' o (1 - tanh^2 c') (all that reaches c'):
    do = dh' tanh c',  di = dc* g,  df = dc* c,  dg = dc* i,  dc = dc* f,
    da = (di i (1 - i), df f (1 - f), dg (1 - g^2), do o (1 - o)) for the four blocks;
    dx = da W_ih,  dh = da W_hh,  dW_ih = da^T x,  dW_hh = da^T h,  db_ih = db_hh = sum_rows da

    x is (batch, input) or (input,); s is (2, batch, hidden) or (2, hidden).
    """

    backward_on_arrays = True
    gates: tuple[np.ndarray, ...]  # i, f, g, o, tanh c' from forward (arrays)

    @staticmethod
    def forward(
        ctx: LSTMCell,
        x: Tensor,
        s: Tensor,
        w_ih: Tensor,
        w_hh: Tensor,
        b_ih: Tensor | None,
        b_hh: Tensor | None,
    ) -> np.ndarray:
        ctx.save_for_backward(x, s, w_ih, w_hh)
        i, f, g, o, c = _lstm_gates(x.data, s.data, w_ih.data, w_hh.data, _data(b_ih), _data(b_hh))
        tanh_c = np.tanh(c)
        ctx.gates = (i, f, g, o, tanh_c)
        out = np.empty((2, *c.shape), c.dtype)
        np.multiply(o, tanh_c, out=out[0])
        out[1] = c
        return out

    @staticmethod
    def backward(ctx: LSTMCell, grad: Gradient) -> tuple[Gradient | None, ...]:
        x, s, w_ih, w_hh = ctx.saved_tensors
        if isinstance(grad, np.ndarray):
            i, f, g, o, tanh_c = ctx.gates
        else:  # create_graph: the gates again, as functions of the inputs
            b_ih, b_hh = ctx.inputs[4:6]
            i, f, g, o, c = _lstm_gates(x, s, w_ih, w_hh, b_ih, b_hh)
            tanh_c = c.tanh()
        dh_out, dc_out = grad[0], grad[1]
        dc = dc_out + dh_out * o * (1.0 - tanh_c * tanh_c)
        da = _join(
            [
                dc * g * i * (1.0 - i),
                dc * s[1] * f * (1.0 - f),
                dc * i * (1.0 - g * g),
                dh_out * tanh_c * o * (1.0 - o),
            ],
            -1,
        )
        dx, dh, *rest = _param_grads(ctx, da, da, x, s[0], w_ih, w_hh)
        ds = _stack2(dh, dc * f) if dh is not None else None
        return (dx, ds, *rest)


def _data(t: Tensor | None) -> np.ndarray | None:
    return None if t is None else t.data


# -- joining the steps ----------------------------------------------------------------------------


class StackSteps(Function):
    """out[t] = x_t[index] (or x_t when index is None), for the T tensors given;
    dx_t = grad[t] put back at index (zeros elsewhere)

    One node for a whole sequence of states, where ``stack`` needs one per step to add the new
    dim. ``index`` is a tuple of ints (a part of each state, e.g. (0,) for an LSTM's h) or None.
    """

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: StackSteps, index: tuple[int, ...] | None, *xs: Tensor) -> np.ndarray:
        if index is None:
            return np.stack([x.data for x in xs])
        return np.stack([x.data[index] for x in xs])

    @staticmethod
    def backward(ctx: StackSteps, grad: Gradient) -> tuple[Gradient | None, ...]:
        index, *xs = ctx.inputs
        grads: list[Gradient | None] = [None]
        for t, x in enumerate(xs):
            if not x.requires_grad:
                grads.append(None)
            elif index is None:
                grads.append(grad[t])
            elif isinstance(grad, np.ndarray):
                grads.append(index_add(grad[t], index, x.shape))
            else:
                grads.append(IndexAdd.apply(grad[t], index, x.shape))
        return tuple(grads)
