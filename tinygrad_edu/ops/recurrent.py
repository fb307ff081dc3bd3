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

The gated cells run on arrays feature-major: W x^T (not x W^T) puts each gate's
pre-activations in a block of contiguous rows, (hidden, batch), where x W^T would interleave the
gates along every row. Elementwise work on contiguous blocks is several times faster, and the
matmuls are quicker in this orientation too. Inputs and outputs keep PyTorch's (batch, hidden)
shape; an output is the transpose of a feature-major array, so the next step reads it
contiguously again. Their plain ``backward()`` works in place on buffers of its own, from the
activations the forward kept (the speed path); under ``create_graph=True`` the same formulas
run on Tensors, with the activations recomputed from the inputs, so that the gradient is itself
differentiable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops.either import Gradient
from tinygrad_edu.ops.movement import Cat, IndexAdd, index_add

if TYPE_CHECKING:
    from tinygrad_edu._tensor import Tensor


# -- helpers ----------------------------------------------------------------------------------


def _sigmoid_(a: np.ndarray) -> np.ndarray:
    """a <- 1 / (1 + e^-a), in place, as (1 + tanh(a / 2)) / 2: the same function, stable for
    every a, and one transcendental call instead of the three of a where-based stable form."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


def _join(parts: Sequence[Tensor], axis: int) -> Tensor:
    """Tensors concatenated along an existing axis (a recorded op)."""
    return Cat.apply(*parts, axis % parts[0].ndim)


def _fm(a: np.ndarray) -> np.ndarray:
    """A (batch, n) array feature-major, (n, batch) and contiguous: copied only if it is not the
    transpose of a contiguous array already, as the steps' own outputs and gradients are."""
    return np.ascontiguousarray(a.T)


def _affine_fm(x: Any, w: Any, b: Any) -> Any:
    """(x W^T + b)^T = W x^T + b as a column: feature-major, (rows of W, batch)."""
    out = w @ x.T
    return out if b is None else out + b.reshape(-1, 1)


def _weight_grads(
    needs: tuple[bool, ...],
    da_x: Gradient,
    da_h: Gradient,
    x: Gradient,
    h: Gradient,
    w_ih: Gradient,
) -> tuple[Gradient | None, ...]:
    """The gradients a gated cell's backward ends with, for the inputs (x, state, w_ih, w_hh,
    b_ih, b_hh) but the state. The pre-activations were a_x = W_ih x^T + b_ih and
    a_h = W_hh h^T + b_hh (feature-major); given their gradients (rows, batch):
    dx = (W_ih^T da_x)^T,  dW_ih = da_x x,  db_ih = sum_columns da_x  (dW_hh, db_hh alike).
    x is (batch, input), h (batch, hidden); the state's gradient is the cell's to finish.
    ``needs`` is the node's needs_input_grad."""
    need_x, _, need_w_ih, need_w_hh, need_b_ih, need_b_hh = needs[:6]
    dx = (w_ih.T @ da_x).T if need_x else None
    dw_ih = da_x @ x if need_w_ih else None
    dw_hh = da_h @ h if need_w_hh else None
    db_ih = da_x.sum(axis=1) if need_b_ih else None
    db_hh = None
    if need_b_hh:  # one sum serves both biases where they are added to the same pre-activation
        db_hh = db_ih if da_h is da_x and db_ih is not None else da_h.sum(axis=1)
    return dx, dw_ih, dw_hh, db_ih, db_hh


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
        # Under create_graph, out is the output Tensor, a function of the inputs through this
        # very node: 1 - out^2 is differentiable as it stands.
        out, nonlinearity = ctx.output, ctx.inputs[6]
        need_x, need_h, need_w_ih, need_w_hh, need_b_ih, need_b_hh = ctx.needs_input_grad[:6]
        dz = grad * (1.0 - out * out) if nonlinearity == "tanh" else grad * (out > 0)
        hidden, n_in = w_ih.shape
        dz2 = dz.reshape(-1, hidden)  # an unbatched step is a batch of one
        dx = dz @ w_ih if need_x else None
        dh = dz @ w_hh if need_h else None
        dw_ih = dz2.T @ x.reshape(-1, n_in) if need_w_ih else None
        dw_hh = dz2.T @ h.reshape(-1, hidden) if need_w_hh else None
        db = dz2.sum(axis=0) if need_b_ih or need_b_hh else None
        return dx, dh, dw_ih, dw_hh, db if need_b_ih else None, db if need_b_hh else None


def _gru_gates(x: Any, h: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any) -> tuple[Any, ...]:
    """r, z, n and W_hn h^T + b_hn of a GRU step as Tensors, each (hidden, batch) (x and h
    2-D): the forward's formulas again, for create_graph."""
    hidden = w_hh.shape[1]
    a_x, a_h = _affine_fm(x, w_ih, b_ih), _affine_fm(h, w_hh, b_hh)
    r = (a_x[:hidden] + a_h[:hidden]).sigmoid()
    z = (a_x[hidden : 2 * hidden] + a_h[hidden : 2 * hidden]).sigmoid()
    hn = a_h[2 * hidden :]
    n = (a_x[2 * hidden :] + r * hn).tanh()
    return r, z, n, hn


class GRUCell(Function):
    """r = sigmoid(a_r),  z = sigmoid(a_z),  n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn)),
    h' = (1 - z) n + z h,  where a_r = x W_ir^T + b_ir + h W_hr^T + b_hr (and a_z alike).
    With da_n = grad (1 - z)(1 - n^2):
    da_z = grad (h - n) z (1 - z),  da_r = da_n (h W_hn^T + b_hn) r (1 - r);
    the input side's pre-activations get (da_r, da_z, da_n), the hidden side's (da_r, da_z,
    da_n r); then dx, dW, db as for any affine map, and dh adds the direct path grad z.

    x is (batch, input) or (input,), h is (batch, hidden) or (hidden,).
    """

    backward_on_arrays = True
    gates: np.ndarray  # r, z, n one under the other, feature-major (3 hidden, batch)
    hn: np.ndarray  # W_hn h^T + b_hn

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
        n_in, hidden = w_ih.data.shape[1], w_hh.data.shape[1]
        h2 = h.data.reshape(-1, hidden)  # an unbatched step is a batch of one
        a_x = w_ih.data @ _fm(x.data.reshape(-1, n_in))  # (3 hidden, batch), fresh
        a_h = w_hh.data @ h2.T
        if b_ih is not None:
            a_x += b_ih.data[:, None]
            a_h += b_hh.data[:, None]  # type: ignore[union-attr]  # both biases or neither
        rz = a_x[: 2 * hidden]  # a_x's blocks become the gates, in place
        rz += a_h[: 2 * hidden]
        r, z = _sigmoid_(rz)[:hidden], rz[hidden:]
        hn = a_h[2 * hidden :]
        n = a_x[2 * hidden :]
        n += r * hn
        np.tanh(n, out=n)
        ctx.gates, ctx.hn = a_x, hn
        out = h2.T - n  # h' = n + z (h - n), feature-major, in one fresh buffer
        out *= z
        out += n
        return out.T.reshape(h.data.shape)

    @staticmethod
    def backward(ctx: GRUCell, grad: Gradient) -> tuple[Gradient | None, ...]:
        x, h, w_ih, w_hh = ctx.saved_tensors
        n_in, hidden = w_ih.shape[1], w_hh.shape[1]
        x2, h2 = x.reshape(-1, n_in), h.reshape(-1, hidden)
        needs = ctx.needs_input_grad
        need_h = needs[1]
        g: Any  # (arrays here, Tensors under create_graph: the branches share the names)
        da_x: Any
        da_h: Any
        dh: Any = None
        if isinstance(grad, np.ndarray):
            g = _fm(grad.reshape(-1, hidden))
            r, z, n = ctx.gates[:hidden], ctx.gates[hidden : 2 * hidden], ctx.gates[2 * hidden :]
            da_x = np.empty_like(ctx.gates)
            da_r, da_z, da_n = da_x[:hidden], da_x[hidden : 2 * hidden], da_x[2 * hidden :]
            one_minus_z = 1.0 - z
            np.multiply(n, n, out=da_n)  # da_n = g (1 - z) (1 - n^2)
            np.subtract(1.0, da_n, out=da_n)
            da_n *= one_minus_z
            da_n *= g
            np.subtract(h2.T, n, out=da_z)  # da_z = g (h - n) z (1 - z)
            da_z *= g
            da_z *= z
            da_z *= one_minus_z
            np.subtract(1.0, r, out=da_r)  # da_r = da_n hn r (1 - r)
            da_r *= r
            da_r *= ctx.hn
            da_r *= da_n
            da_h = np.empty_like(da_x)  # the hidden side: (da_r, da_z, da_n r)
            da_h[: 2 * hidden] = da_x[: 2 * hidden]
            np.multiply(da_n, r, out=da_h[2 * hidden :])
            if need_h:  # dh = W_hh^T da_h + g z
                dh = w_hh.T @ da_h
                g *= z
                dh += g
        else:  # create_graph: the same formulas on Tensors, the gates recomputed
            g = grad.reshape(-1, hidden).T
            r, z, n, hn = _gru_gates(x2, h2, w_ih, w_hh, *ctx.inputs[4:6])
            da_n = g * (1.0 - z) * (1.0 - n * n)
            da_z = g * (h2.T - n) * z * (1.0 - z)
            da_r = da_n * hn * r * (1.0 - r)
            da_x = _join([da_r, da_z, da_n], 0)
            da_h = _join([da_r, da_z, da_n * r], 0)
            dh = w_hh.T @ da_h + g * z if need_h else None
        dx, *rest = _weight_grads(needs, da_x, da_h, x2, h2, w_ih)
        dx = None if dx is None else dx.reshape(x.shape)
        return (dx, None if dh is None else dh.T.reshape(h.shape), *rest)


def _lstm_gates(x: Any, h: Any, c: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any) -> tuple:
    """i, f, g, o and c' of an LSTM step as Tensors, each (hidden, batch) (x, h and c 2-D): the
    forward's formulas again, for create_graph."""
    hidden = w_hh.shape[1]
    a = _affine_fm(x, w_ih, b_ih) + _affine_fm(h, w_hh, b_hh)
    i = a[:hidden].sigmoid()
    f = a[hidden : 2 * hidden].sigmoid()
    g = a[2 * hidden : 3 * hidden].tanh()
    o = a[3 * hidden :].sigmoid()
    return i, f, g, o, f * c.T + i * g


class LSTMCell(Function):
    """(i, f, g, o) = (sigmoid, sigmoid, tanh, sigmoid)(x W_ih^T + b_ih + h W_hh^T + b_hh),
    c' = f c + i g,  h' = o tanh(c'),  out = (h', c') stacked, from the stacked state s = (h, c).
    With dh', dc' the halves of grad, and dc* = dc' + dh' o (1 - tanh^2 c') (all that reaches c'):
    do = dh' tanh c',  di = dc* g,  df = dc* c,  dg = dc* i,  ds = (da W_hh, dc* f),
    da = (di i (1 - i), df f (1 - f), dg (1 - g^2), do o (1 - o)) for the four blocks;
    dx = da W_ih,  dW_ih = da^T x,  dW_hh = da^T h,  db_ih = db_hh = sum_rows da

    x is (batch, input) or (input,); s is (2, batch, hidden) or (2, hidden).
    """

    backward_on_arrays = True
    gates: np.ndarray  # i, f, g, o one under the other, feature-major (4 hidden, batch)
    tanh_c: np.ndarray  # tanh c'

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
        n_in, hidden = w_ih.data.shape[1], w_hh.data.shape[1]
        h, c = s.data.reshape(2, -1, hidden)  # an unbatched step is a batch of one
        a = w_ih.data @ _fm(x.data.reshape(-1, n_in))  # (4 hidden, batch), fresh
        a += w_hh.data @ h.T
        if b_ih is not None:  # (adding along rows is slow: one such add, of the summed biases)
            a += (b_ih.data + b_hh.data)[:, None]  # type: ignore[union-attr]  # both or neither
        _sigmoid_(a[: 2 * hidden])  # i, f
        np.tanh(a[2 * hidden : 3 * hidden], out=a[2 * hidden : 3 * hidden])  # g
        _sigmoid_(a[3 * hidden :])  # o
        i, f, g, o = (a[k * hidden : (k + 1) * hidden] for k in range(4))
        out = np.empty((2, hidden, a.shape[1]), a.dtype)  # (h', c'), feature-major
        h_new, c_new = out
        np.multiply(i, g, out=h_new)  # (h_new as scratch)
        np.multiply(f, c.T, out=c_new)
        c_new += h_new
        tanh_c = np.tanh(c_new)
        np.multiply(o, tanh_c, out=h_new)
        ctx.gates, ctx.tanh_c = a, tanh_c
        return out.transpose(0, 2, 1).reshape(s.data.shape)

    @staticmethod
    def backward(ctx: LSTMCell, grad: Gradient) -> tuple[Gradient | None, ...]:
        x, s, w_ih, w_hh = ctx.saved_tensors
        n_in, hidden = w_ih.shape[1], w_hh.shape[1]
        x2, s3 = x.reshape(-1, n_in), s.reshape(2, -1, hidden)
        h, c = s3[0], s3[1]
        grad3: Any = grad.reshape(2, -1, hidden)
        needs = ctx.needs_input_grad
        need_s = needs[1]
        ds: Any = None  # (arrays here, Tensors under create_graph: the branches share names)
        dh_out: Any
        dc_out: Any
        tanh_c: Any
        da: Any
        dc: Any
        if isinstance(grad, np.ndarray):
            dh_out, dc_out = _fm(grad3[0]), _fm(grad3[1])
            a, tanh_c = ctx.gates, ctx.tanh_c
            i, f, g, o = (a[k * hidden : (k + 1) * hidden] for k in range(4))
            da = np.empty_like(a)
            da_i, da_f, da_g, da_o = (da[k * hidden : (k + 1) * hidden] for k in range(4))
            dc = tanh_c * tanh_c  # dc = dc' + dh' o (1 - tanh^2 c')
            np.subtract(1.0, dc, out=dc)
            dc *= o
            dc *= dh_out
            dc += dc_out
            np.subtract(1.0, i, out=da_i)  # da_i = dc g i (1 - i)
            da_i *= i
            da_i *= g
            da_i *= dc
            np.subtract(1.0, f, out=da_f)  # da_f = dc c f (1 - f)
            da_f *= f
            da_f *= c.T
            da_f *= dc
            np.multiply(g, g, out=da_g)  # da_g = dc i (1 - g^2)
            np.subtract(1.0, da_g, out=da_g)
            da_g *= i
            da_g *= dc
            np.subtract(1.0, o, out=da_o)  # da_o = dh' tanh c' o (1 - o)
            da_o *= o
            da_o *= tanh_c
            da_o *= dh_out
            if need_s:  # (dh, dc f), feature-major, as the forward's output is
                ds_fm = np.empty((2, *dc.shape), dc.dtype)
                np.matmul(w_hh.T, da, out=ds_fm[0])
                np.multiply(dc, f, out=ds_fm[1])
                ds = ds_fm.transpose(0, 2, 1).reshape(s.shape)
        else:  # create_graph: the same formulas on Tensors, the gates recomputed
            dh_out, dc_out = grad3[0].T, grad3[1].T
            i, f, g, o, c_new = _lstm_gates(x2, h, c, w_ih, w_hh, *ctx.inputs[4:6])
            tanh_c = c_new.tanh()
            dc = dc_out + dh_out * o * (1.0 - tanh_c * tanh_c)
            parts = [
                dc * g * i * (1.0 - i),
                dc * c.T * f * (1.0 - f),
                dc * i * (1.0 - g * g),
                dh_out * tanh_c * o * (1.0 - o),
            ]
            da = _join(parts, 0)
            if need_s:
                dh, dc_f = w_hh.T @ da, dc * f
                ds = _join([dh.reshape(1, *dh.shape), dc_f.reshape(1, *dc_f.shape)], 0)
                ds = ds.permute(0, 2, 1).reshape(s.shape)
        dx, *rest = _weight_grads(needs, da, da, x2, h, w_ih)
        return (None if dx is None else dx.reshape(x.shape), ds, *rest)


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
                grads.append(index_add(grad[t], index, x.data.shape))
            else:
                grads.append(IndexAdd.apply(grad[t], index, x.data.shape))
        return tuple(grads)
