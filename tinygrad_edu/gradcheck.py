"""Check analytical gradients against central finite differences, as torch.autograd.gradcheck.

For a function f of inputs x_1..x_n, the Jacobian d out / d x_i is computed twice:
  - numerically, one column per input element: (f(x + eps e_j) - f(x - eps e_j)) / (2 eps)
  - analytically, one row per output element: a backward pass seeded with a one-hot gradient
and the two must agree elementwise within ``atol + rtol * |numerical|``.

Two additions to PyTorch's recipe:
  - kink-aware checking (on by default): the one-sided differences (f(x) - f(x - eps)) / eps and
    (f(x + eps) - f(x)) / eps come almost for free. Where the central difference disagrees with
    the analytical value *and* the two one-sided differences disagree with each other, f has a
    kink there (relu or abs at 0, max at a tie), and any value between them is a valid
    subgradient: it is accepted, listed in the report and announced with a warning.
  - ``fast_mode``: compare random projections u^T J v instead of every entry.

Property-test your own op in a few lines (docs/how-backward-works.md has the full recipe)::

    from hypothesis import given
    from tinygrad_edu import gradcheck
    from tinygrad_edu.testing import strategies as tst

    @given(tst.tensors(avoid=(0.0,)))
    def test_my_op(x):
        assert gradcheck(MyOp.apply, [x])
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tinygrad_edu import autograd
from tinygrad_edu._tensor import Tensor
from tinygrad_edu.autograd.config import enable_grad, no_grad

Inputs = Tensor | Sequence[Any]
Jacobian = list[list[np.ndarray]]  # [input][output], each (output size, input size)


class GradcheckError(RuntimeError):
    """Analytical and numerical derivatives disagree (the message says where and by how much)."""


class GradcheckKinkWarning(UserWarning):
    """gradcheck passed, but accepted some entries at kinks (gradcheck_report lists them)."""


def _as_tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(fn: Callable[..., Any], inputs: tuple[Any, ...]) -> list[Tensor]:
    out = [o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor)]
    if not out:
        raise TypeError("gradcheck: the function must return a Tensor or a tuple of Tensors")
    return out


def _evaluate(fn: Callable[..., Any], inputs: tuple[Any, ...]) -> list[np.ndarray]:
    """The outputs of fn as flat float64 arrays."""
    return [o.data.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs)]


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


# -- the two Jacobians ---------------------------------------------------------------------------


def one_sided_jacobians(
    fn: Callable[..., Any], inputs: tuple[Any, ...], wanted: list[int], eps: float
) -> tuple[Jacobian, Jacobian, Jacobian]:
    """(central, left, right) difference Jacobians, laid out as ``numerical_jacobian``'s.

    left = (f(x) - f(x - eps)) / eps and right = (f(x + eps) - f(x)) / eps cost one extra call of
    f in all; central is their average. Where f is smooth the three agree to O(eps); at a kink
    (relu or abs at 0, a max at a tie) left and right differ by the jump in slope.
    """
    # Grad mode stays on: gradgradcheck's function itself runs a backward pass.
    with enable_grad():
        base = _evaluate(fn, inputs)
        central, left, right = [], [], []
        for i in wanted:
            # Perturb the input's own array, element by element: whatever its layout (a transposed
            # or Fortran-ordered array has no flat view to write through), fn reads the change.
            data = inputs[i].data
            sizes = [(b.size, data.size) for b in base]
            c_cols = [np.zeros(size) for size in sizes]
            l_cols = [np.zeros(size) for size in sizes]
            r_cols = [np.zeros(size) for size in sizes]
            for j, where in enumerate(np.ndindex(data.shape)):
                orig = data[where]
                try:
                    data[where] = orig + eps
                    plus = _evaluate(fn, inputs)
                    data[where] = orig - eps
                    minus = _evaluate(fn, inputs)
                finally:  # even if fn raises, the input is left as it was
                    data[where] = orig
                for k in range(len(base)):
                    c_cols[k][:, j] = (plus[k] - minus[k]) / (2 * eps)
                    l_cols[k][:, j] = (base[k] - minus[k]) / eps
                    r_cols[k][:, j] = (plus[k] - base[k]) / eps
            central.append(c_cols)
            left.append(l_cols)
            right.append(r_cols)
    return central, left, right


def numerical_jacobian(
    fn: Callable[..., Any], inputs: tuple[Any, ...], wanted: list[int], eps: float
) -> Jacobian:
    """jac[i][k] has shape (outputs[k].size, inputs[wanted[i]].size), by central differences."""
    return one_sided_jacobians(fn, inputs, wanted, eps)[0]


def analytical_jacobian(
    fn: Callable[..., Any], inputs: tuple[Any, ...], wanted: list[int]
) -> Jacobian:
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


# -- judging -------------------------------------------------------------------------------------


@dataclass
class Kink:
    """A Jacobian entry where the one-sided differences disagree and the analytical value was
    accepted because it lies between them (a subgradient, such as relu'(0) = 0)."""

    input: int
    output: int
    input_element: tuple[int, ...]  # () in fast mode, where the entry is a random projection
    output_element: int
    analytical: float
    left: float
    right: float


@dataclass
class GradcheckResult:
    """What gradcheck_report found; ``bool(result)`` is True when the gradients are right."""

    ok: bool
    message: str | None = None  # the first mismatch, described (None when ok)
    kinks: list[Kink] = field(default_factory=list)
    fast_mode: bool = False

    def __bool__(self) -> bool:
        return self.ok

    def summary(self) -> str:
        mode = " (fast mode: random projections u^T J v)" if self.fast_mode else ""
        lines = [f"gradcheck {'passed' if self.ok else 'FAILED'}{mode}"]
        if self.message:
            lines.append(self.message)
        for k in self.kinks:
            lines.append(
                f"kink accepted: output {k.output} element {k.output_element} w.r.t. input "
                f"{k.input} element {k.input_element}: analytical {k.analytical!r} lies between "
                f"the one-sided differences {k.left!r} (left) and {k.right!r} (right)"
            )
        return "\n".join(lines)


def _judge(
    a: np.ndarray,
    c: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    atol: float,
    rtol: float,
    kink_aware: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """(bad, kink) masks over Jacobian entries.

    An entry is good when the analytical value ``a`` matches the central difference ``c``. With
    ``kink_aware`` it is also good (and marked a kink) when the left and right differences
    ``lo``/``hi`` disagree with each other and ``a`` lies between them, give or take the
    tolerance. Smooth entries are never relaxed: there lo and hi agree, so the interval is empty.
    """
    bad = ~(np.abs(a - c) <= atol + rtol * np.abs(c))
    if not kink_aware or not bad.any():
        return bad, np.zeros_like(bad)
    low, high = np.minimum(lo, hi), np.maximum(lo, hi)
    tol = atol + rtol * np.maximum(np.abs(low), np.abs(high))
    kink = bad & (high - low > tol) & (a >= low - tol) & (a <= high + tol)
    return bad & ~kink, kink


def _describe(where: str, a: float, c: float, lo: float, hi: float, note: str) -> str:
    one_sided = ""
    if abs(hi - lo) > 1e-6 * max(1.0, abs(lo), abs(hi)):
        one_sided = (
            f"  (a kink? one-sided differences: left {lo!r}, right {hi!r}; "
            "a value between them would have been accepted)"
        )
    return f"{where}:\n    analytical: {a!r}\n    numerical:  {c!r}{one_sided}\n{note}"


def _element(j: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(e) for e in np.unravel_index(j, shape)) if shape else ()


def _full_check(
    func: Callable[..., Any],
    args: tuple[Any, ...],
    wanted: list[int],
    eps: float,
    atol: float,
    rtol: float,
    kink_aware: bool,
) -> GradcheckResult:
    central, left, right = one_sided_jacobians(func, args, wanted, eps)
    analytical = analytical_jacobian(func, args, wanted)
    kinks: list[Kink] = []
    message = None
    for i, idx in enumerate(wanted):
        shape = args[idx].shape
        for k in range(len(central[i])):
            a, c, lo, hi = analytical[i][k], central[i][k], left[i][k], right[i][k]
            bad, kink = _judge(a, c, lo, hi, atol, rtol, kink_aware)
            for r, j in np.argwhere(kink):
                kinks.append(Kink(idx, k, _element(j, shape), int(r), a[r, j], lo[r, j], hi[r, j]))
            if bad.any() and message is None:
                r, j = np.argwhere(bad)[0]
                message = _describe(
                    f"Jacobian mismatch for output {k} with respect to input {idx}, at input "
                    f"element {_element(j, shape)} and output element {int(r)}",
                    float(a[r, j]),
                    float(c[r, j]),
                    float(lo[r, j]),
                    float(hi[r, j]),
                    f"(atol={atol}, rtol={rtol}; {int(bad.sum())} of {bad.size} entries differ)",
                )
    for kk in kinks:  # plain floats in the report, not NumPy scalars
        kk.analytical, kk.left, kk.right = float(kk.analytical), float(kk.left), float(kk.right)
    return GradcheckResult(message is None, message, kinks)


def _unit(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    v = rng.standard_normal(shape)
    norm = np.linalg.norm(v)
    return v / norm if norm > 0 else v


def _fast_check(
    func: Callable[..., Any],
    args: tuple[Any, ...],
    wanted: list[int],
    eps: float,
    atol: float,
    rtol: float,
    kink_aware: bool,
    projections: int,
) -> GradcheckResult:
    """Compare u^T J v for random unit vectors u (output-shaped) and v (input-shaped).

    Numerically, J v is one directional difference per input instead of one per element;
    analytically, u^T J is one backward pass per output instead of one per output element. A
    wrong gradient almost surely changes u^T J v, so a few projections catch it cheaply.
    """
    rng = np.random.default_rng(0)  # fixed: the same check every run
    kinks: list[Kink] = []
    outs = _outputs(func, args)
    base = _evaluate(func, args)
    for _ in range(projections):
        us = [_unit(rng, o.shape) for o in outs]
        for idx in wanted:
            x = args[idx].data
            v = _unit(rng, x.shape)
            orig = x.copy()
            try:
                x[...] = orig + eps * v
                plus = _evaluate(func, args)
                x[...] = orig - eps * v
                minus = _evaluate(func, args)
            finally:  # even if func raises, the input is left as it was
                x[...] = orig
            for k, out in enumerate(outs):
                u = us[k].reshape(-1)
                c = float(u @ (plus[k] - minus[k])) / (2 * eps)
                lo = float(u @ (base[k] - minus[k])) / eps
                hi = float(u @ (plus[k] - base[k])) / eps
                a = 0.0
                if out.requires_grad:
                    seed = Tensor(us[k].astype(out.dtype))
                    (g,) = autograd.grad(
                        out, [args[idx]], seed, retain_graph=True, allow_unused=True
                    )
                    a = float(np.sum(g.data * v)) if g is not None else 0.0
                values = (np.array([a]), np.array([c]), np.array([lo]), np.array([hi]))
                bad, kink = _judge(*values, atol, rtol, kink_aware)
                if kink[0]:
                    kinks.append(Kink(idx, k, (), 0, a, lo, hi))
                if bad[0]:
                    message = _describe(
                        f"Jacobian mismatch (fast mode: u^T J v for random unit vectors u, v) "
                        f"for output {k} with respect to input {idx}",
                        a,
                        c,
                        lo,
                        hi,
                        f"(atol={atol}, rtol={rtol}; run with fast_mode=False to find the element)",
                    )
                    return GradcheckResult(False, message, kinks, fast_mode=True)
    return GradcheckResult(True, None, kinks, fast_mode=True)


# -- the public checks ---------------------------------------------------------------------------


def gradcheck_report(
    func: Callable[..., Any],
    inputs: Inputs,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    kink_aware: bool = True,
    fast_mode: bool = False,
    projections: int = 2,
) -> GradcheckResult:
    """gradcheck's findings as a GradcheckResult: passed or not, the first mismatch described,
    and every kink where a subgradient was accepted. Never raises on a mismatch."""
    args = _as_tuple(inputs)
    wanted = _check_inputs(args, "gradcheck")
    with enable_grad():
        if fast_mode:
            return _fast_check(func, args, wanted, eps, atol, rtol, kink_aware, projections)
        return _full_check(func, args, wanted, eps, atol, rtol, kink_aware)


def gradcheck(
    func: Callable[..., Any],
    inputs: Inputs,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    kink_aware: bool = True,
    fast_mode: bool = False,
) -> bool:
    """True if backward's gradients of ``func(*inputs)`` match central differences.

    On a mismatch, raises GradcheckError naming the input, the element and both values (or
    returns False with ``raise_exception=False``).

    ``kink_aware`` (default True): where f has a kink (its left and right differences disagree:
    relu or abs at 0, max at a tie) an analytical value between them is accepted, with a
    GradcheckKinkWarning; smooth points are judged exactly as without it. ``fast_mode``: compare
    random projections u^T J v instead of every entry, for large inputs (as PyTorch's). Use
    ``gradcheck_report`` for the details.
    """
    report = gradcheck_report(
        func, inputs, eps=eps, atol=atol, rtol=rtol, kink_aware=kink_aware, fast_mode=fast_mode
    )
    if report.kinks:
        warnings.warn(
            GradcheckKinkWarning(
                f"gradcheck accepted {len(report.kinks)} Jacobian entries at kinks, where the "
                "function has no derivative and the analytical value lies between the left and "
                "right differences; gradcheck_report() lists them"
            ),
            stacklevel=2,
        )
    if report.ok:
        return True
    if raise_exception:
        raise GradcheckError(report.message)
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
    kink_aware: bool = True,
    fast_mode: bool = False,
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
        kink_aware=kink_aware,
        fast_mode=fast_mode,
    )
