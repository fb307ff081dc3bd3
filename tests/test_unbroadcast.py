"""unbroadcast, the one place broadcasting is undone, against references computed differently."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu import Tensor, gradcheck
from tinygrad_edu.ops import unbroadcast

# An input shape and the (larger or equal) shape it was broadcast to.
broadcasts = hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=4).map(
    lambda b: (b.input_shapes[0], b.result_shape)
)


def sum_over_copies(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Reference 1: walk every element of grad and add it into the input element it copies."""
    out = np.zeros(shape)
    lead = grad.ndim - len(shape)
    for pos in np.ndindex(*grad.shape):
        src = tuple(0 if n == 1 else p for p, n in zip(pos[lead:], shape))
        out[src] += grad[pos]
    return out


def vjp_via_jacobian(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Reference 2: broadcasting is linear; build its 0/1 Jacobian column by column with
    np.broadcast_to of one-hot inputs, then take grad^T J."""
    size = int(np.prod(shape, dtype=np.int64))
    jac = np.zeros((grad.size, size))
    for j in range(size):
        onehot = np.zeros(size)
        onehot[j] = 1.0
        jac[:, j] = np.broadcast_to(onehot.reshape(shape), grad.shape).reshape(-1)
    return (grad.reshape(-1) @ jac).reshape(shape)


@given(broadcasts, st.data())
def test_unbroadcast_sums_over_copies(shapes, data) -> None:
    shape, big = shapes
    grad = data.draw(hnp.arrays(np.float64, big, elements=st.floats(-10, 10)))
    out = unbroadcast(Tensor(grad), shape)
    assert out.shape == shape
    np.testing.assert_allclose(out.data, sum_over_copies(grad, shape), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out.data, vjp_via_jacobian(grad, shape), rtol=1e-12, atol=1e-12)


@given(broadcasts)
def test_unbroadcast_of_ones_counts_copies(shapes) -> None:
    """With a gradient of ones, each input element receives the number of its copies."""
    shape, big = shapes
    out = unbroadcast(Tensor(np.ones(big)), shape)
    copies = int(np.prod(big, dtype=np.int64)) // int(np.prod(shape, dtype=np.int64))
    np.testing.assert_array_equal(out.data, np.full(shape, float(copies)))


@given(broadcasts)
def test_unbroadcast_keeps_dtype(shapes) -> None:
    shape, big = shapes
    assert unbroadcast(Tensor(np.ones(big, np.float32)), shape).dtype == np.float32


@given(broadcasts, st.data())
def test_unbroadcast_is_differentiable(shapes, data) -> None:
    """unbroadcast is built from Tensor ops, so create_graph=True can go through it."""
    shape, big = shapes
    grad = data.draw(hnp.arrays(np.float64, big, elements=st.floats(-3, 3)))
    assert gradcheck(lambda g: unbroadcast(g, shape), [Tensor(grad, requires_grad=True)])


@given(broadcasts, st.data())
def test_add_gradient_is_unbroadcast(shapes, data) -> None:
    """End to end: x + y with x broadcast gives x.grad = the sum of the upstream grad over copies."""
    shape, big = shapes
    x = Tensor(np.zeros(shape), requires_grad=True)
    y = Tensor(np.zeros(big), requires_grad=True)
    upstream = data.draw(hnp.arrays(np.float64, big, elements=st.floats(-10, 10)))
    (x + y).backward(upstream)
    assert x.grad is not None and y.grad is not None
    np.testing.assert_allclose(x.grad.data, sum_over_copies(upstream, shape), atol=1e-12)
    np.testing.assert_array_equal(y.grad.data, upstream)
