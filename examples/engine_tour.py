"""A guided tour of the engine in four stops, with nothing but NumPy and tinygrad_edu.

1. A custom autograd Function: forward and backward side by side, proved right by gradcheck.
2. create_graph=True: differentiate a gradient again, and compare with the second derivative
   worked out by hand.
3. A hook on a tensor: watch the gradient that reaches it, or change it on the way.
4. The graph itself: viz.print_graph lists the steps backward() will take, in order.

    python examples/engine_tour.py
"""

from __future__ import annotations

import numpy as np

import tinygrad_edu
from tinygrad_edu import Tensor, autograd, viz


def stop(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 70 - len(title)))


# -- 1. a custom Function -----------------------------------------------------------------------


class Softplus(autograd.Function):
    """out = log(1 + e^x);  dx = grad * sigmoid(x)

    forward computes on arrays (x.data) and keeps what backward needs on ctx; backward gets the
    gradient of the output and returns the gradient of the input. Written with Tensor ops, the
    backward is itself differentiable, so stop 2 can take a second derivative through it.
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.logaddexp(0.0, x.data)  # log(e^0 + e^x), without overflow for large x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.sigmoid()


class WrongSoftplus(Softplus):
    """The same forward with a classic slip in backward: e^x instead of e^x / (1 + e^x)."""

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.exp()


def custom_function(x: Tensor) -> None:
    stop("1. a custom Function, checked by gradcheck")
    y = Softplus.apply(x)
    y.sum().backward()
    print(f"x                 = {np.array2string(x.numpy(), precision=4)}")
    print(f"softplus(x)       = {np.array2string(y.numpy(), precision=4)}")
    print(f"x.grad (backward) = {np.array2string(x.grad.numpy(), precision=4)}")
    # gradcheck nudges each element of x by +-eps and compares the slope with backward's answer.
    ok = tinygrad_edu.gradcheck(Softplus.apply, [x])
    print(f"gradcheck(Softplus): {'passed' if ok else 'FAILED'}")
    wrong = tinygrad_edu.gradcheck(WrongSoftplus.apply, [x], raise_exception=False)
    print(f"gradcheck(WrongSoftplus): {'passed' if wrong else 'caught the wrong backward'}")


# -- 2. a second derivative with create_graph=True ------------------------------------------------


def second_derivative(x: Tensor) -> float:
    stop("2. create_graph=True: the derivative of a derivative")
    # create_graph=True records the backward pass itself, so its result can be differentiated.
    (slope,) = autograd.grad(Softplus.apply(x).sum(), x, create_graph=True)
    (curvature,) = autograd.grad(slope.sum(), x)
    sigmoid = 1.0 / (1.0 + np.exp(-x.numpy()))
    by_hand = sigmoid * (1.0 - sigmoid)  # d/dx sigmoid(x) = sigmoid(x) (1 - sigmoid(x))
    error = float(np.abs(curvature.numpy() - by_hand).max())
    print(f"d2/dx2 softplus, by the engine = {np.array2string(curvature.numpy(), precision=6)}")
    print(f"sigmoid(x) (1 - sigmoid(x))    = {np.array2string(by_hand, precision=6)}")
    print(f"largest difference: {error:.1e}")
    # gradgradcheck does the same against central differences of the first derivative.
    ok = tinygrad_edu.gradgradcheck(Softplus.apply, [x])
    print(f"gradgradcheck(Softplus): {'passed' if ok else 'FAILED'}")
    return error


# -- 3. hooks -------------------------------------------------------------------------------------


def hooks() -> np.ndarray:
    stop("3. hooks: watch a gradient, then change one")
    w = Tensor(np.array([0.5, -2.0, 3.0]), requires_grad=True)
    x = Tensor(np.array([4.0, 1.0, -6.0]))
    h = w * x  # an intermediate: its gradient is passed on, never stored in h.grad
    h.register_hook(lambda g: print(f"the gradient reaching h = w * x: {g.numpy()}"))
    # A hook that returns a tensor replaces the gradient: here, clip it to [-1, 1] before it
    # is stored in w.grad (per-parameter gradient clipping).
    w.register_hook(lambda g: g.clamp(-1.0, 1.0))
    loss = (h * h).sum() / 2.0  # d loss / dh = h, d loss / dw = h x
    loss.backward()
    print(f"d loss / dw before the hook = h x = {(w.numpy() * x.numpy()) * x.numpy()}")
    print(f"w.grad after the clipping hook    = {w.grad.numpy()}")
    return w.grad.numpy()


# -- 4. the graph ---------------------------------------------------------------------------------


def graph() -> None:
    stop("4. the graph backward() walks")
    tinygrad_edu.manual_seed(0)
    x = tinygrad_edu.randn(4, 3)  # data: needs no gradient, so it is not a node
    weight = tinygrad_edu.randn(2, 3, requires_grad=True)
    bias = tinygrad_edu.zeros(2, requires_grad=True)
    loss = ((x @ weight.T + bias).tanh() ** 2).mean()
    viz.print_graph(loss, params={"weight": weight, "bias": bias})
    print("(viz.to_dot(loss) gives the same graph as Graphviz source)")


def main() -> dict[str, float]:
    np.set_printoptions(suppress=True)
    x = Tensor(np.array([-2.0, -0.5, 0.0, 1.0, 3.0]), requires_grad=True)
    custom_function(x)
    error = second_derivative(Tensor(x.numpy(), requires_grad=True))
    clipped = hooks()
    graph()
    return {"second_derivative_error": error, "max_clipped_grad": float(np.abs(clipped).max())}


if __name__ == "__main__":
    main()
