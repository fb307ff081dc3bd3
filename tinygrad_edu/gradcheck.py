"""Check analytical gradients against central finite differences, as torch.autograd.gradcheck.

For a function f of inputs x_1..x_n, the Jacobian d out / d x_i is computed twice:
  - numerically, one column per input element: (f(x + eps e_j) - f(x - eps e_j)) / (2 eps)
  - analytically, one row per output element: a backward pass seeded with a one-hot gradient
and the two must agree elementwise within ``atol + rtol * |numerical|``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinygrad_edu import autograd
from tinygrad_edu.autograd.grad_mode import enable_grad, no_grad
from tinygrad_edu.tensor import Tensor

Inputs = Tensor | Sequence[Any]


class GradcheckError(RuntimeError):
    """Analytical and numerical derivatives disagree (the message says where and by how much)."""


def _as_tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(fn: Callable[..., Any], inputs: tuple[Any, ...]) -> list[Tensor]:
    out = [o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor)]
    if not out:
        raise TypeError("gradcheck: the function must return a Tensor or a tuple of Tensors")
    return out


def _check_inputs(inputs: tuple[Any, ...], name: str) -> list[int]:
    """Indices of the inputs to differentiate; refuse float32, where differences are noise."""
    wanted = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not wanted:
        raise ValueError(f"{name}: no input has requires_grad=True, so there is nothing to check")
    for i in wanted:
        if inputs[i].dtype != np.float64:
            raise TypeError(
                f"{name}: input {i} is {inputs[i].dtype}; finite differences need float64. With "
                f"eps=1e-6 a float32 input (about 7 significant digits) changes by rounding noise "
                f"as large as the step, so the numerical gradient is meaningless. Pass "
                f"x.double() (or dtype=np.float64)."
            )
    return wanted


def numerical_jacobian(
    fn: Callable[..., Any], inputs: tuple[Any, ...], wanted: list[int], eps: float
) -> list[list[np.ndarray]]:
    """jac[i][k] has shape (outputs[k].size, inputs[wanted[i]].size), by central differences."""
    # Grad mode stays on: gradgradcheck's function itself runs a backward pass.
    with enable_grad():
        sizes = [o.data.size for o in _outputs(fn, inputs)]
        jac = []
        for i in wanted:
            x = inputs[i].data
            flat = x.reshape(-1)  # a view: writing it perturbs the input the function reads
            cols = [np.zeros((n, flat.size)) for n in sizes]
            for j in range(flat.size):
                orig = flat[j]
                flat[j] = orig + eps
                plus = [o.data.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs)]
                flat[j] = orig - eps
                minus = [o.data.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs)]
                flat[j] = orig
                for k in range(len(sizes)):
                    cols[k][:, j] = (plus[k] - minus[k]) / (2 * eps)
            jac.append(cols)
    return jac


def analytical_jacobian(
    fn: Callable[..., Any], inputs: tuple[Any, ...], wanted: list[int]
) -> list[list[np.ndarray]]:
    """jac[i][k]: row r is the gradient of outputs[k].flat[r] with respect to inputs[wanted[i]]."""
    outs = _outputs(fn, inputs)
    targets = [inputs[i] for i in wanted]
    jac = [[np.zeros((o.data.size, inputs[i].data.size)) for o in outs] for i in wanted]
    for k, out in enumerate(outs):
        if not out.requires_grad:
            continue  # a constant output: its Jacobian rows stay zero
        for r in range(out.data.size):
            seed = np.zeros(out.data.size, dtype=out.dtype)
            seed[r] = 1
            grads = autograd.grad(
                out, targets, Tensor(seed.reshape(out.shape)), retain_graph=True, allow_unused=True
            )
            for i, g in enumerate(grads):
                if g is not None:
                    jac[i][k][r, :] = g.data.reshape(-1)
    return jac


def _compare(
    analytical: list[list[np.ndarray]],
    numerical: list[list[np.ndarray]],
    wanted: list[int],
    inputs: tuple[Any, ...],
    atol: float,
    rtol: float,
    what: str,
) -> str | None:
    """The first disagreement, described; None if every element agrees."""
    for i, (a_cols, n_cols) in enumerate(zip(analytical, numerical)):
        for k, (a, n) in enumerate(zip(a_cols, n_cols)):
            bad = ~(np.abs(a - n) <= atol + rtol * np.abs(n))
            if bad.any():
                r, j = np.argwhere(bad)[0]
                shape = inputs[wanted[i]].shape
                element = np.unravel_index(j, shape) if shape else ()
                return (
                    f"{what} mismatch for output {k} with respect to input {wanted[i]}, "
                    f"at input element {tuple(int(e) for e in element)} and output element {int(r)}:\n"
                    f"    analytical: {float(a[r, j])!r}\n"
                    f"    numerical:  {float(n[r, j])!r}\n"
                    f"(atol={atol}, rtol={rtol}; {int(bad.sum())} of {bad.size} entries differ)"
                )
    return None


def gradcheck(
    func: Callable[..., Any],
    inputs: Inputs,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """True if backward's gradients of ``func(*inputs)`` match central differences.

    On a mismatch, raises GradcheckError naming the input, the element and both values (or
    returns False with ``raise_exception=False``).
    """
    args = _as_tuple(inputs)
    wanted = _check_inputs(args, "gradcheck")
    with enable_grad():
        numerical = numerical_jacobian(func, args, wanted, eps)
        analytical = analytical_jacobian(func, args, wanted)
    problem = _compare(analytical, numerical, wanted, args, atol, rtol, "Jacobian")
    if problem is None:
        return True
    if raise_exception:
        raise GradcheckError(problem)
    return False


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Inputs,
    grad_outputs: Sequence[Tensor] | Tensor | None = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """gradcheck of the first derivatives: second derivatives against central differences.

    The checked function maps (inputs, grad_outputs) to the vector-Jacobian products
    ``grad_outputs^T d func / d inputs`` computed with ``create_graph=True``; random
    ``grad_outputs`` are drawn when not given, and are differentiated too (as in PyTorch).
    """
    args = _as_tuple(inputs)
    wanted = _check_inputs(args, "gradgradcheck")
    with no_grad():
        outs = _outputs(func, args)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        gos = tuple(
            Tensor(rng.standard_normal(o.shape), requires_grad=True, dtype=np.float64) for o in outs
        )
    else:
        gos = _as_tuple(grad_outputs)
    n = len(args)

    def first_derivatives(*all_args: Any) -> tuple[Tensor, ...]:
        xs, seeds = all_args[:n], all_args[n:]
        outs = _outputs(func, xs)
        ys = [o for o in outs if o.requires_grad]
        used = [s for o, s in zip(outs, seeds) if o.requires_grad]
        if not ys:
            return tuple(xs[i].new_zeros(xs[i].shape) for i in wanted)
        grads = autograd.grad(
            ys, [xs[i] for i in wanted], used, create_graph=True, allow_unused=True
        )
        return tuple(
            g if g is not None else xs[i].new_zeros(xs[i].shape) for g, i in zip(grads, wanted)
        )

    return gradcheck(
        first_derivatives,
        (*args, *gos),
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
    )
