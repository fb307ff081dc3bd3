"""The floor: each workload's training step written by hand in NumPy.

Forward, backward and Adam are derived on paper and written with the same BLAS calls the model's
structure implies (one cell per time step for the RNN; nothing reformulated across steps, which no
per-step framework could do either). Everything stays float32, buffers are allocated once, and
the updates run in place with ``out=``: an autograd engine built on NumPy cannot beat this, so its
ratio to it is the cost of the engine's bookkeeping. (The tests also run it in float64.)

Every class has the interface of the framework versions in ``workloads.py``: ``step()`` returns
the loss, ``params()`` and ``grads()`` give arrays under PyTorch's ``state_dict`` names.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from benchmarks.workloads import Problem


class NumpyAdam:
    """torch.optim.Adam (no weight decay, no amsgrad), updating parameters in place."""

    def __init__(
        self,
        params: list[np.ndarray],
        grads: list[np.ndarray],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.params, self.grads = params, grads
        self.lr, self.betas, self.eps = lr, betas, eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        # One scratch buffer, the size of the largest parameter, serves them all in turn.
        buffer = np.empty(max(p.size for p in params), params[0].dtype)
        self.scratch = [buffer[: p.size].reshape(p.shape) for p in params]
        self.t = 0

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        step_size = self.lr / (1 - b1**self.t)
        bias2_sqrt = math.sqrt(1 - b2**self.t)
        # Python floats meet float32 arrays here; NumPy keeps the arrays' float32 (NEP 50).
        for p, g, m, v, tmp in zip(self.params, self.grads, self.m, self.v, self.scratch):
            m *= b1  # m = b1 m + (1 - b1) g
            np.multiply(g, 1 - b1, out=tmp)
            m += tmp
            v *= b2  # v = b2 v + (1 - b2) g^2
            np.multiply(g, g, out=tmp)
            tmp *= 1 - b2
            v += tmp
            np.sqrt(v, out=tmp)  # p -= step_size * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
            tmp /= bias2_sqrt
            tmp += self.eps
            np.divide(m, tmp, out=tmp)
            tmp *= step_size
            p -= tmp


class _NumpyTrained:
    """What the two trained floors share: float copies of the parameters, one gradient array for
    each (filled by ``step``), and Adam over the pairs."""

    def __init__(self, params: dict[str, np.ndarray], dtype: DTypeLike) -> None:
        self.p: dict[str, np.ndarray] = {k: v.astype(dtype, copy=True) for k, v in params.items()}
        self.g = {k: np.empty_like(v) for k, v in self.p.items()}
        self.adam = NumpyAdam(list(self.p.values()), list(self.g.values()))

    def params(self) -> dict[str, np.ndarray]:
        return self.p

    def grads(self) -> dict[str, np.ndarray]:
        return self.g


class NumpyMLP(_NumpyTrained):
    """Linear-ReLU-Linear-ReLU-Linear, softmax cross-entropy (mean over the batch), Adam."""

    def __init__(self, problem: Problem, dtype: DTypeLike = np.float32) -> None:
        super().__init__(problem.params, dtype)
        data = problem.data
        self.x: np.ndarray = data["x"].astype(dtype, copy=True)
        self.y = data["y"].astype(np.int64, copy=True)
        batch = self.x.shape[0]
        self.rows = np.arange(batch)
        widths = [self.p[f"fc{i}.weight"].shape[0] for i in (1, 2, 3)]
        self.z = [np.empty((batch, w), dtype) for w in widths]  # pre-activations
        self.dz = [np.empty((batch, w), dtype) for w in widths]
        self.masks = [np.empty((batch, w), bool) for w in widths[:2]]
        # ReLU is np.maximum against these, not against the scalar 0: NumPy 2.4 runs the scalar
        # form without SIMD, 3 times slower on large arrays (tinygrad_edu's ReLU does the same).
        self.zeros = [np.zeros((batch, w), dtype) for w in widths[:2]]
        self.top: np.ndarray = np.empty((batch, 1), dtype)  # per-row max, then per-row sum of exp

    def step(self) -> np.floating:
        p, g, z, dz, masks = self.p, self.g, self.z, self.dz, self.masks
        # Forward. ReLU in place: z1 and z2 then hold the activations, the masks their kinks.
        a = self.x
        for i in range(3):
            np.matmul(a, p[f"fc{i + 1}.weight"].T, out=z[i])
            z[i] += p[f"fc{i + 1}.bias"]
            if i < 2:
                np.greater(z[i], 0, out=masks[i])
                np.maximum(z[i], self.zeros[i], out=z[i])
            a = z[i]
        # Cross-entropy: loss = mean(logsumexp(z) - z[y]); dloss/dz = (softmax(z) - onehot) / B.
        logits, probs, top = z[2], dz[2], self.top
        np.max(logits, axis=1, keepdims=True, out=top)
        np.subtract(logits, top, out=probs)
        picked = probs[self.rows, self.y]  # shifted logits of the true classes
        np.exp(probs, out=probs)
        np.sum(probs, axis=1, keepdims=True, out=top)
        loss = np.log(top).mean() - picked.mean()
        probs /= top
        probs[self.rows, self.y] -= 1
        probs /= len(self.rows)
        # Backward, layer by layer from the top.
        for i in (2, 1, 0):
            below = z[i - 1] if i > 0 else self.x
            np.matmul(dz[i].T, below, out=g[f"fc{i + 1}.weight"])
            np.sum(dz[i], axis=0, out=g[f"fc{i + 1}.bias"])
            if i > 0:
                np.matmul(dz[i], p[f"fc{i + 1}.weight"], out=dz[i - 1])
                dz[i - 1] *= masks[i - 1]
        self.adam.step()
        return loss


class NumpyRNN(_NumpyTrained):
    """h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) from h_0 = 0; the last state goes
    through Linear(hidden, 1); binary cross-entropy with logits (mean); Adam."""

    def __init__(self, problem: Problem, dtype: DTypeLike = np.float32) -> None:
        super().__init__(problem.params, dtype)
        data = problem.data
        self.x: np.ndarray = data["x"].astype(dtype, copy=True)  # (steps, batch, input)
        self.target: np.ndarray = data["target"].astype(dtype, copy=True)  # (batch, 1)
        steps, batch, _ = self.x.shape
        hidden = self.p["cell.weight_hh"].shape[0]
        self.h = np.zeros((steps + 1, batch, hidden), dtype)  # h[0] stays 0
        self.hs = list(self.h)  # views made once, not per step
        self.xs = list(self.x)
        self.tmp: np.ndarray = np.empty((batch, hidden), dtype)
        self.dh: np.ndarray = np.empty((batch, hidden), dtype)
        self.dz: np.ndarray = np.empty((batch, hidden), dtype)
        self.tmp_ih = np.empty_like(self.p["cell.weight_ih"])
        self.tmp_hh = np.empty_like(self.p["cell.weight_hh"])
        self.tmp_b: np.ndarray = np.empty(hidden, dtype)
        self.bias: np.ndarray = np.empty(hidden, dtype)

    def step(self) -> np.floating:
        p, g, hs, xs, tmp = self.p, self.g, self.hs, self.xs, self.tmp
        w_ih_t, w_hh_t = p["cell.weight_ih"].T, p["cell.weight_hh"].T
        np.add(p["cell.bias_ih"], p["cell.bias_hh"], out=self.bias)
        for t in range(len(xs)):
            np.matmul(xs[t], w_ih_t, out=tmp)
            np.matmul(hs[t], w_hh_t, out=hs[t + 1])
            hs[t + 1] += tmp
            hs[t + 1] += self.bias
            np.tanh(hs[t + 1], out=hs[t + 1])
        last = hs[-1]
        logit = last @ p["head.weight"].T + p["head.bias"]  # (batch, 1)
        # BCE with logits, stable form: max(l, 0) - l y + log(1 + e^-|l|); d/dl = sigmoid(l) - y.
        y = self.target
        loss = (np.maximum(logit, 0) - logit * y + np.log1p(np.exp(-np.abs(logit)))).mean()
        dlogit = (1 / (1 + np.exp(-logit)) - y) / y.size
        np.matmul(dlogit.T, last, out=g["head.weight"])
        np.sum(dlogit, axis=0, out=g["head.bias"])
        dh, dz = self.dh, self.dz
        np.matmul(dlogit, p["head.weight"], out=dh)
        dw_ih, dw_hh, db = g["cell.weight_ih"], g["cell.weight_hh"], g["cell.bias_ih"]
        dw_ih.fill(0)
        dw_hh.fill(0)
        db.fill(0)
        for t in range(len(xs) - 1, -1, -1):
            h = hs[t + 1]
            np.multiply(h, h, out=dz)  # tanh' = 1 - out^2
            np.subtract(1, dz, out=dz)
            dz *= dh
            np.matmul(dz.T, xs[t], out=self.tmp_ih)
            dw_ih += self.tmp_ih
            np.matmul(dz.T, hs[t], out=self.tmp_hh)
            dw_hh += self.tmp_hh
            np.sum(dz, axis=0, out=self.tmp_b)
            db += self.tmp_b
            if t > 0:  # h_0 is a constant: no gradient needed below the first step
                np.matmul(dz, p["cell.weight_hh"], out=dh)
        g["cell.bias_hh"][...] = db  # both biases are added to the same sum
        self.adam.step()
        return loss


class NumpyChain:
    """The per-node workload: y <- tanh(y * w + c), repeated; loss = sum(y); dloss/dx.

    Three graph nodes per repetition (multiply, add, tanh); the backward of the add is the
    identity, so the floor spends nothing on it.
    """

    def __init__(self, problem: Problem, dtype: DTypeLike = np.float32) -> None:
        params, data = problem.params, problem.data
        self.x: np.ndarray = params["x"].astype(dtype, copy=True)
        self.w: np.ndarray = data["w"].astype(dtype, copy=True)
        self.c: np.ndarray = data["c"].astype(dtype, copy=True)
        blocks = problem.config["blocks"]
        self.outs: list[np.ndarray] = list(
            np.empty((blocks, self.x.size), dtype)
        )  # every tanh output
        self.tmp: np.ndarray = np.empty_like(self.x)
        self.dx = np.empty_like(self.x)

    def step(self) -> np.floating:
        w, c, tmp = self.w, self.c, self.tmp
        y = self.x
        for out in self.outs:
            np.multiply(y, w, out=tmp)
            tmp += c
            np.tanh(tmp, out=out)
            y = out
        loss = y.sum()
        grad = self.dx
        grad.fill(1)
        for out in reversed(self.outs):
            np.multiply(out, out, out=tmp)  # tanh' = 1 - out^2
            np.subtract(1, tmp, out=tmp)
            grad *= tmp
            grad *= w  # d(y * w)/dy
        return loss

    def params(self) -> dict[str, np.ndarray]:
        return {"x": self.x}

    def grads(self) -> dict[str, np.ndarray]:
        return {"x": self.dx}


def build_numpy(problem: Problem, dtype: DTypeLike = np.float32) -> Any:
    """The hand-written floor for a workload, starting from the problem's weights and data.

    The benchmark runs it in float32; the tests also run it in float64, to check its gradients
    against central differences.
    """
    if problem.kind in ("lstm", "gru"):  # benchmarks/recurrent_ref.py
        from benchmarks.recurrent_ref import build_recurrent_floor

        return build_recurrent_floor(problem, dtype)
    if problem.kind == "mlp":
        return NumpyMLP(problem, dtype)
    if problem.kind == "rnn":
        return NumpyRNN(problem, dtype)
    if problem.kind == "cnn":
        from benchmarks.cnn_ref import NumpyCNN  # (it imports this module)

        return NumpyCNN(problem, dtype)
    return NumpyChain(problem, dtype)
