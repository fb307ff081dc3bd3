"""The floor of the ``cnn`` workload: its training step written by hand in NumPy.

The fastest formulation found (on one BLAS thread), not a straw man:

- Each convolution is im2col and one BLAS product. im2col is 25 slice copies (one per kernel
  tap, each moving every window's element at that tap at once) into a preallocated
  (C*25, N*P) block, so the product W (O, C*25) @ cols lands channel-major, (O, N, H, W):
  that is the layout in which the next im2col reads contiguous rows, so no array is ever
  transposed between layers. dW = grad @ cols^T reuses the forward's columns; dx is one
  product and 25 slice additions (col2im).
- ReLU runs in place. 2x2 max pooling is three ``np.maximum`` calls over strided views; it
  records which of the four taps won (the first maximum, as PyTorch: ReLU's zeros tie), and its
  backward writes each tap's quarter of the gradient directly (the windows tile the input, so
  nothing needs zeroing). ReLU's backward folds into it: a window's max is positive exactly
  when the ReLU let its winner through.
- Every buffer is allocated once; updates run in place with ``out=``; Adam as in numpy_ref.py.

What it does not do: reformulate the model (pool before ReLU, cache the first layer's columns
across steps because the batch never changes), which no framework running the model's code could
do either.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from benchmarks.numpy_ref import _NumpyTrained
from benchmarks.workloads import Problem

TAPS = [(i, j) for i in range(2) for j in range(2)]  # a 2x2 window in scan order


def pool_forward(a: np.ndarray, out: np.ndarray, which: np.ndarray, tmp: np.ndarray) -> None:
    """2x2 max pooling of channel-major a into out; which: the tap of each window's first max."""
    views = [a[:, :, i::2, j::2] for i, j in TAPS]
    np.copyto(out, views[0])
    which.fill(0)
    for k in (1, 2, 3):
        np.greater(views[k], out, out=tmp)  # strictly: an earlier tap keeps a tie
        np.copyto(which, k, where=tmp)
        np.maximum(out, views[k], out=out)


def pool_backward(grad: np.ndarray, which: np.ndarray, out: np.ndarray, tmp: np.ndarray) -> None:
    """Each window's gradient to its winning tap; out is written everywhere (the windows tile
    it), so it needs no zeroing first."""
    for k, (i, j) in enumerate(TAPS):
        np.equal(which, k, out=tmp)
        np.multiply(grad, tmp, out=out[:, :, i::2, j::2])


class NumpyCNN(_NumpyTrained):
    """Conv(1, 8, 5) ReLU MaxPool(2) Conv(8, 16, 5) ReLU MaxPool(2) Flatten Linear(256, 10),
    softmax cross-entropy (mean over the batch), Adam."""

    def __init__(self, problem: Problem, dtype: DTypeLike = np.float32) -> None:
        super().__init__(problem.params, dtype)
        self.x: np.ndarray = problem.data["x"].astype(dtype, copy=True)[:, 0]  # (N, 28, 28)
        self.y = problem.data["y"].astype(np.int64, copy=True)
        n, side = self.x.shape[:2]
        c1, _, k, _ = self.p["conv1.weight"].shape
        c2 = self.p["conv2.weight"].shape[0]
        self.k = k
        h1 = side - k + 1  # 24
        q1 = h1 // 2  # 12
        h2 = q1 - k + 1  # 8
        q2 = h2 // 2  # 4
        self.sizes = h1, h2
        empty = lambda *shape: np.empty(shape, dtype)  # noqa: E731
        # Forward, channel-major: (channels, N, H, W).
        self.cols1, self.z1, self.m1 = (
            empty(k * k, n, h1, h1),
            empty(c1, n, h1, h1),
            empty(c1, n, q1, q1),
        )
        self.cols2, self.z2, self.m2 = (
            empty(c1, k, k, n, h2, h2),
            empty(c2, n, h2, h2),
            empty(c2, n, q2, q2),
        )
        # ReLU is np.maximum against zero arrays, not the scalar 0: NumPy 2.4 runs the scalar form
        # without SIMD, about 3 times slower here (tinygrad_edu's ReLU does the same).
        self.zeros1, self.zeros2 = np.zeros(self.z1.shape, dtype), np.zeros(self.z2.shape, dtype)
        self.which1 = np.empty(self.m1.shape, np.uint8)
        self.which2 = np.empty(self.m2.shape, np.uint8)
        self.flat, self.probs = empty(n, c2 * q2 * q2), empty(n, self.p["fc.weight"].shape[0])
        self.top: np.ndarray = empty(n, 1)
        self.rows = np.arange(n)
        # Backward.
        self.dflat, self.dm2 = empty(n, c2 * q2 * q2), empty(c2, n, q2, q2)
        self.dz2, self.dcols2 = empty(c2, n, h2, h2), empty(c1 * k * k, n * h2 * h2)
        self.dm1, self.dz1 = empty(c1, n, q1, q1), empty(c1, n, h1, h1)
        self.bool1, self.bool2 = (np.empty(s, bool) for s in (self.m1.shape, self.m2.shape))

    def step(self) -> np.floating:
        p, g, k = self.p, self.g, self.k
        h1, h2 = self.sizes
        n = self.x.shape[0]
        w1 = p["conv1.weight"].reshape(len(self.z1), -1)  # (8, 25)
        w2 = p["conv2.weight"].reshape(len(self.z2), -1)  # (16, 200)
        # conv1: im2col (one copy per tap), one product, bias, ReLU in place.
        for t in range(k * k):
            i, j = divmod(t, k)
            self.cols1[t] = self.x[:, i : i + h1, j : j + h1]
        z1 = self.z1
        np.matmul(w1, self.cols1.reshape(k * k, -1), out=z1.reshape(len(z1), -1))
        z1 += p["conv1.bias"][:, None, None, None]
        np.maximum(z1, self.zeros1, out=z1)
        pool_forward(z1, self.m1, self.which1, self.bool1)
        # conv2 on the pooled maps, which are channel-major already.
        m1, cols2 = self.m1, self.cols2
        for i in range(k):
            for j in range(k):
                cols2[:, i, j] = m1[:, :, i : i + h2, j : j + h2]
        z2 = self.z2
        np.matmul(w2, cols2.reshape(w2.shape[1], -1), out=z2.reshape(len(z2), -1))
        z2 += p["conv2.bias"][:, None, None, None]
        np.maximum(z2, self.zeros2, out=z2)
        pool_forward(z2, self.m2, self.which2, self.bool2)
        # Flatten to (N, 256) in PyTorch's order (channel, row, column), then the linear layer.
        flat = self.flat
        np.copyto(flat.reshape(n, *self.m2.shape[0:1], *self.m2.shape[2:]), self.m2.swapaxes(0, 1))
        logits, top = self.probs, self.top
        np.matmul(flat, p["fc.weight"].T, out=logits)
        logits += p["fc.bias"]
        # Cross-entropy: mean(logsumexp(z) - z[y]); dloss/dz = (softmax(z) - onehot) / N.
        np.max(logits, axis=1, keepdims=True, out=top)
        logits -= top
        picked = logits[self.rows, self.y]
        np.exp(logits, out=logits)
        np.sum(logits, axis=1, keepdims=True, out=top)
        loss = np.log(top).mean() - picked.mean()
        probs = logits
        probs /= top
        probs[self.rows, self.y] -= 1
        probs /= n
        # Backward: the linear layer.
        np.matmul(probs.T, flat, out=g["fc.weight"])
        np.sum(probs, axis=0, out=g["fc.bias"])
        np.matmul(probs, p["fc.weight"], out=self.dflat)
        # Pool 2 and ReLU 2: the gradient reaches z2 only where the window's max is positive.
        dm2 = self.dm2
        np.multiply(
            self.dflat.reshape(n, len(dm2), *dm2.shape[2:]).swapaxes(0, 1), self.m2 > 0, out=dm2
        )
        dz2 = self.dz2
        pool_backward(dm2, self.which2, dz2, self.bool2)
        # conv2: dW = dz cols^T, db, and dx = col2im(W^T dz).
        dz2_rows = dz2.reshape(len(dz2), -1)
        np.matmul(
            dz2_rows, cols2.reshape(w2.shape[1], -1).T, out=g["conv2.weight"].reshape(w2.shape)
        )
        np.sum(dz2_rows, axis=1, out=g["conv2.bias"])
        np.matmul(w2.T, dz2_rows, out=self.dcols2)
        dm1, dcols = self.dm1, self.dcols2.reshape(len(m1), k, k, n, h2, h2)
        dm1.fill(0)
        for i in range(k):
            for j in range(k):
                dm1[:, :, i : i + h2, j : j + h2] += dcols[:, i, j]
        # Pool 1 and ReLU 1, then conv1's weight gradient (its input needs none).
        dm1 *= self.m1 > 0
        dz1 = self.dz1
        pool_backward(dm1, self.which1, dz1, self.bool1)
        dz1_rows = dz1.reshape(len(dz1), -1)
        np.matmul(
            dz1_rows, self.cols1.reshape(k * k, -1).T, out=g["conv1.weight"].reshape(w1.shape)
        )
        np.sum(dz1_rows, axis=1, out=g["conv1.bias"])
        self.adam.step()
        return loss
