"""The floors of the ``lstm`` and ``gru`` workloads: forward, backpropagation through time and
Adam written by hand in NumPy.

As for the Elman RNN (numpy_ref.py), each step does what the model's structure implies and
nothing reformulated across steps: two matmuls forward (input and hidden side), three backward
(dW_ih, dW_hh, dh). Everything else is chosen for speed:

- feature-major: the states are kept as (hidden, batch) and a step computes W x^T + W h^T,
  which puts each gate in a block of contiguous rows (x W^T would interleave the gates along
  every row, and elementwise work on such strided blocks is several times slower; the matmuls
  are quicker in this orientation too). The inputs x_t^T are made contiguous once: they are
  constant data;
- every buffer is allocated once and every elementwise operation writes in place;
- the sigmoid is (1 + tanh(a / 2)) / 2: stable, and one transcendental call.

(The engine's fused steps are feature-major inside, with the same sigmoid.) Everything stays in
the problem's dtype.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from benchmarks.numpy_ref import _NumpyTrained
from benchmarks.workloads import Problem


def _sigmoid_(a: np.ndarray) -> None:
    """a <- sigmoid(a), in place."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5


class _NumpyRecurrent(_NumpyTrained):
    """What the two floors share: data, state buffers, the head and its loss, weight gradients."""

    gates = 1

    def __init__(self, problem: Problem, dtype: DTypeLike) -> None:
        super().__init__(problem.params, dtype)
        x = problem.data["x"].astype(dtype, copy=True)  # (steps, batch, input)
        self.xs = list(x)  # x_t, for dW_ih = da x_t
        self.xts = [np.ascontiguousarray(x_t.T) for x_t in x]  # x_t^T, for W_ih x_t^T
        self.target: np.ndarray = problem.data["target"].astype(dtype, copy=True)  # (batch, 1)
        steps, batch, _ = x.shape
        hidden = self.p["rnn.weight_hh_l0"].shape[1]
        rows = self.gates * hidden
        self.hidden = hidden
        self.hs = list(np.zeros((steps + 1, hidden, batch), dtype))  # h_t^T; h_0 stays 0
        self.acts = list(np.empty((steps, rows, batch), dtype))  # each step's activated gates
        self.tmp = np.empty((hidden, batch), dtype)
        self.dh = np.empty((hidden, batch), dtype)
        self.tmp_g = np.empty((rows, batch), dtype)
        self.tmp_ih = np.empty_like(self.p["rnn.weight_ih_l0"])
        self.tmp_hh = np.empty_like(self.p["rnn.weight_hh_l0"])
        self.tmp_b = np.empty((rows, 1), dtype)

    def head(self) -> np.floating:
        """Linear(hidden, 1) on the last state, BCE with logits (mean); fills the head's
        gradients and self.dh, the gradient of the last state (hidden, batch)."""
        p, g, last, y = self.p, self.g, self.hs[-1].T, self.target
        logit = last @ p["head.weight"].T + p["head.bias"]  # (batch, 1)
        # Stable form: max(l, 0) - l y + log(1 + e^-|l|); d/dl = sigmoid(l) - y.
        loss = (np.maximum(logit, 0) - logit * y + np.log1p(np.exp(-np.abs(logit)))).mean()
        dlogit = (1 / (1 + np.exp(-logit)) - y) / y.size
        np.matmul(dlogit.T, last, out=g["head.weight"])
        np.sum(dlogit, axis=0, out=g["head.bias"])
        np.matmul(p["head.weight"].T, dlogit.T, out=self.dh)
        return loss

    def zero_weight_grads(self) -> None:
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            self.g[f"rnn.{name}_l0"].fill(0)

    def add_weight_grads(self, da_x: np.ndarray, da_h: np.ndarray, t: int) -> None:
        """dW_ih += da_x x_t, dW_hh += da_h h_t, db += the sums over the batch."""
        g = self.g
        np.matmul(da_x, self.xs[t], out=self.tmp_ih)
        g["rnn.weight_ih_l0"] += self.tmp_ih
        np.matmul(da_h, self.hs[t].T, out=self.tmp_hh)
        g["rnn.weight_hh_l0"] += self.tmp_hh
        np.sum(da_x, axis=1, keepdims=True, out=self.tmp_b)
        g["rnn.bias_ih_l0"] += self.tmp_b[:, 0]
        if da_h is not da_x:
            np.sum(da_h, axis=1, keepdims=True, out=self.tmp_b)
        g["rnn.bias_hh_l0"] += self.tmp_b[:, 0]


class NumpyLSTM(_NumpyRecurrent):
    """(i, f, g, o) = (sigmoid, sigmoid, tanh, sigmoid)(x W_ih^T + b_ih + h W_hh^T + b_hh),
    c' = f c + i g, h' = o tanh(c'), from h = c = 0."""

    gates = 4

    def __init__(self, problem: Problem, dtype: DTypeLike = np.float32) -> None:
        super().__init__(problem, dtype)
        self.cs = list(np.zeros((len(self.hs), *self.tmp.shape), self.tmp.dtype))  # c_0 = 0
        self.tanh_c = list(np.empty((len(self.xs), *self.tmp.shape), self.tmp.dtype))
        self.da = np.empty_like(self.tmp_g)
        self.dc = np.empty_like(self.dh)
        self.bias = np.empty_like(self.tmp_b)

    def step(self) -> np.floating:
        p, hs, cs, tmp, n = self.p, self.hs, self.cs, self.tmp, self.hidden
        w_ih, w_hh = p["rnn.weight_ih_l0"], p["rnn.weight_hh_l0"]
        np.add(p["rnn.bias_ih_l0"], p["rnn.bias_hh_l0"], out=self.bias[:, 0])
        for t in range(len(self.xs)):
            a = self.acts[t]
            np.matmul(w_ih, self.xts[t], out=a)
            np.matmul(w_hh, hs[t], out=self.tmp_g)
            a += self.tmp_g
            a += self.bias
            _sigmoid_(a[: 2 * n])  # i, f
            np.tanh(a[2 * n : 3 * n], out=a[2 * n : 3 * n])  # g
            _sigmoid_(a[3 * n :])  # o
            i, f, g, o = a[:n], a[n : 2 * n], a[2 * n : 3 * n], a[3 * n :]
            np.multiply(f, cs[t], out=cs[t + 1])
            np.multiply(i, g, out=tmp)
            cs[t + 1] += tmp
            np.tanh(cs[t + 1], out=self.tanh_c[t])
            np.multiply(o, self.tanh_c[t], out=hs[t + 1])
        loss = self.head()
        dh, dc, da = self.dh, self.dc, self.da
        dc.fill(0)
        self.zero_weight_grads()
        for t in range(len(self.xs) - 1, -1, -1):
            a, tanh_c = self.acts[t], self.tanh_c[t]
            i, f, g, o = a[:n], a[n : 2 * n], a[2 * n : 3 * n], a[3 * n :]
            np.multiply(tanh_c, tanh_c, out=tmp)  # dc += dh o (1 - tanh^2 c')
            np.subtract(1, tmp, out=tmp)
            tmp *= o
            tmp *= dh
            dc += tmp
            d_i, d_f, d_g, d_o = da[:n], da[n : 2 * n], da[2 * n : 3 * n], da[3 * n :]
            np.subtract(1, i, out=d_i)  # da_i = dc g i (1 - i)
            d_i *= i
            d_i *= g
            d_i *= dc
            np.subtract(1, f, out=d_f)  # da_f = dc c f (1 - f)
            d_f *= f
            d_f *= cs[t]
            d_f *= dc
            np.multiply(g, g, out=d_g)  # da_g = dc i (1 - g^2)
            np.subtract(1, d_g, out=d_g)
            d_g *= i
            d_g *= dc
            np.subtract(1, o, out=d_o)  # da_o = dh tanh(c') o (1 - o)
            d_o *= o
            d_o *= tanh_c
            d_o *= dh
            self.add_weight_grads(da, da, t)
            if t > 0:  # h_0 and c_0 are constants: no gradient needed below the first step
                np.matmul(w_hh.T, da, out=dh)
                dc *= f
        self.adam.step()
        return loss


class NumpyGRU(_NumpyRecurrent):
    """r = sigmoid(a_r), z = sigmoid(a_z), n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn)),
    h' = (1 - z) n + z h, from h = 0."""

    gates = 3

    def __init__(self, problem: Problem, dtype: DTypeLike = np.float32) -> None:
        super().__init__(problem, dtype)
        self.hn = list(np.empty((len(self.xs), *self.tmp.shape), self.tmp.dtype))  # W_hn h + b
        self.ax = np.empty_like(self.tmp_g)
        self.da_x = np.empty_like(self.tmp_g)
        self.da_h = np.empty_like(self.tmp_g)

    def step(self) -> np.floating:
        p, hs, tmp, n = self.p, self.hs, self.tmp, self.hidden
        w_ih, w_hh = p["rnn.weight_ih_l0"], p["rnn.weight_hh_l0"]
        b_ih, b_hh = p["rnn.bias_ih_l0"][:, None], p["rnn.bias_hh_l0"][:, None]
        ax, ah = self.ax, self.tmp_g
        for t in range(len(self.xs)):
            a = self.acts[t]
            np.matmul(w_ih, self.xts[t], out=ax)
            ax += b_ih
            np.matmul(w_hh, hs[t], out=ah)
            ah += b_hh
            np.add(ax[: 2 * n], ah[: 2 * n], out=a[: 2 * n])
            _sigmoid_(a[: 2 * n])  # r, z
            r, z, n_gate = a[:n], a[n : 2 * n], a[2 * n :]
            self.hn[t][...] = ah[2 * n :]
            np.multiply(r, self.hn[t], out=n_gate)
            n_gate += ax[2 * n :]
            np.tanh(n_gate, out=n_gate)
            np.subtract(hs[t], n_gate, out=hs[t + 1])  # h' = n + z (h - n)
            hs[t + 1] *= z
            hs[t + 1] += n_gate
        loss = self.head()
        dh, da_x, da_h = self.dh, self.da_x, self.da_h
        self.zero_weight_grads()
        for t in range(len(self.xs) - 1, -1, -1):
            a = self.acts[t]
            r, z, n_gate = a[:n], a[n : 2 * n], a[2 * n :]
            d_r, d_z, d_n = da_x[:n], da_x[n : 2 * n], da_x[2 * n :]
            np.multiply(n_gate, n_gate, out=d_n)  # da_n = dh (1 - z) (1 - n^2)
            np.subtract(1, d_n, out=d_n)
            np.subtract(1, z, out=tmp)
            d_n *= tmp
            d_n *= dh
            np.subtract(hs[t], n_gate, out=d_z)  # da_z = dh (h - n) z (1 - z)
            d_z *= dh
            tmp *= z
            d_z *= tmp
            np.subtract(1, r, out=d_r)  # da_r = da_n hn r (1 - r)
            d_r *= r
            d_r *= self.hn[t]
            d_r *= d_n
            da_h[: 2 * n] = da_x[: 2 * n]  # the hidden side: (da_r, da_z, da_n r)
            np.multiply(d_n, r, out=da_h[2 * n :])
            self.add_weight_grads(da_x, da_h, t)
            if t > 0:  # h_0 is a constant: no gradient needed below the first step
                np.multiply(dh, z, out=tmp)  # dh = W_hh^T da_h + dh z
                np.matmul(w_hh.T, da_h, out=dh)
                dh += tmp
        self.adam.step()
        return loss


def build_recurrent_floor(problem: Problem, dtype: DTypeLike = np.float32) -> _NumpyRecurrent:
    return NumpyLSTM(problem, dtype) if problem.kind == "lstm" else NumpyGRU(problem, dtype)
