"""Derivatives of whole functions, with torch.autograd.functional's names, arguments and results.

``inputs`` is a Tensor or a tuple of Tensors and is passed to ``func`` as ``func(*inputs)``;
results mirror that nesting exactly as in PyTorch (a Tensor for a Tensor, a tuple for a tuple).

* ``vjp``: v^T J, one backward pass.
* ``jvp``: J v, by the "double-vjp" trick: g(u) = u^T J is linear in u, so differentiating
  g(u) . v with respect to u gives J v, using reverse mode twice instead of forward mode.
* ``jacobian``: one backward pass per output element (``vectorize`` is accepted and ignored).
* ``hessian``: the Jacobian of the gradient (the gradient built with ``create_graph=True``).
* ``vhp`` / ``hvp``: v^T H by differentiating grad . v; H v by the double-vjp trick on the
  gradient. For a twice continuously differentiable function H is symmetric and the two agree.

Unless ``create_graph=True``, the results are detached from any graph. With ``strict=True`` an
input that the outputs do not depend on is an error; otherwise its derivative is zeros.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tinygrad_edu import autograd
from tinygrad_edu._tensor import Tensor
from tinygrad_edu.autograd.config import enable_grad
from tinygrad_edu.creation import ones, zeros
from tinygrad_edu.functions import stack

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def _as_tuple(x: Any, arg: str, fn: str) -> tuple[bool, tuple[Tensor, ...]]:
    """(was it a tuple, the tensors as a tuple), refusing anything that is not a Tensor."""
    is_tuple = isinstance(x, (tuple, list))
    items = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            where = f"{arg}[{i}]" if is_tuple else arg
            raise TypeError(f"{fn}: {where} must be a Tensor, got {type(t).__name__}")
    return is_tuple, items


def _unpack(is_tuple: bool, items: tuple[Any, ...]) -> Any:
    return items if is_tuple else items[0]


def _prepare(inputs: tuple[Tensor, ...], create_graph: bool) -> tuple[Tensor, ...]:
    """Inputs to differentiate with respect to: fresh leaves, or (create_graph) linked copies
    so the result stays differentiable with respect to the caller's tensors."""
    return tuple(
        x.clone() if create_graph and x.requires_grad else x.detach().requires_grad_(True)
        for x in inputs
    )


def _finish(ts: tuple[Tensor, ...], create_graph: bool) -> tuple[Tensor, ...]:
    return ts if create_graph else tuple(t.detach() for t in ts)


def _check_v(v: tuple[Tensor, ...], like: tuple[Tensor, ...], what: str, fn: str) -> None:
    if len(v) != len(like):
        raise RuntimeError(f"{fn}: v has {len(v)} tensors but the {what} has {len(like)}")
    for i, (a, b) in enumerate(zip(v, like)):
        if a.shape != b.shape:
            raise RuntimeError(
                f"{fn}: v[{i}] has shape {a.shape} but {what} {i} has shape {b.shape}"
            )


def _default_v(like: tuple[Tensor, ...], what: str, fn: str) -> tuple[Tensor, ...]:
    if len(like) != 1 or like[0].data.size != 1:
        raise RuntimeError(
            f"{fn}: v can only be omitted when the {what} is a single one-element tensor "
            f"(got shapes {[t.shape for t in like]})"
        )
    return (ones(like[0].shape, dtype=like[0].dtype),)


def _grads(
    outputs: tuple[Tensor, ...],
    inputs: tuple[Tensor, ...],
    grad_outputs: tuple[Tensor, ...],
    create_graph: bool,
    strict: bool,
    fn: str,
) -> tuple[Tensor, ...]:
    """sum_k grad_outputs[k]^T d outputs[k] / d inputs, zeros where an input is unused."""
    live = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    found: tuple[Tensor | None, ...] = (None,) * len(inputs)
    if live:
        found = autograd.grad(
            [o for o, _ in live],
            list(inputs),
            [g for _, g in live],
            retain_graph=True,
            create_graph=create_graph,
            allow_unused=True,
        )
    out = []
    for i, (x, g) in enumerate(zip(inputs, found)):
        if g is None:
            if strict:
                raise RuntimeError(
                    f"{fn}: the output does not depend on input {i}, and strict=True; use "
                    "strict=False to get zeros for it"
                )
            g = zeros(x.shape, dtype=x.dtype)
        out.append(g)
    return tuple(out)


def vjp(
    func: Callable[..., Any],
    inputs: Tensor | tuple[Tensor, ...],
    v: Tensor | tuple[Tensor, ...] | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(*inputs), v^T J): the vector-Jacobian product, shaped like ``inputs``."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "vjp")
    with enable_grad():
        xs = _prepare(xs, create_graph)
        out_tuple, outs = _as_tuple(func(*xs), "outputs of the user-provided function", "vjp")
        if v is None:
            vs = _default_v(outs, "output", "vjp")
        else:
            vs = _as_tuple(v, "v", "vjp")[1]
            _check_v(vs, outs, "output", "vjp")
        result = _grads(outs, xs, vs, create_graph, strict, "vjp")
    return (
        _unpack(out_tuple, _finish(outs, create_graph)),
        _unpack(in_tuple, _finish(result, create_graph)),
    )


def jvp(
    func: Callable[..., Any],
    inputs: Tensor | tuple[Tensor, ...],
    v: Tensor | tuple[Tensor, ...] | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(*inputs), J v): the Jacobian-vector product, shaped like the outputs."""
    _, xs = _as_tuple(inputs, "inputs", "jvp")
    with enable_grad():
        xs = _prepare(xs, create_graph)
        if v is None:
            vs = _default_v(xs, "input", "jvp")
        else:
            vs = _as_tuple(v, "v", "jvp")[1]
            _check_v(vs, xs, "input", "jvp")
        out_tuple, outs = _as_tuple(func(*xs), "outputs of the user-provided function", "jvp")
        # g(u) = u^T J for a dummy u; its value does not matter since g is linear in u.
        us = tuple(zeros(o.shape, dtype=o.dtype, requires_grad=True) for o in outs)
        g = _grads(outs, xs, us, True, strict, "jvp")
        # d (g(u) . v) / du = J v. Inputs g does not depend on give no term.
        live = [(gi, vi) for gi, vi in zip(g, vs) if gi.requires_grad]
        if live:
            found = autograd.grad(
                [gi for gi, _ in live],
                list(us),
                [vi for _, vi in live],
                create_graph=create_graph,
                allow_unused=True,
            )
        else:
            found = (None,) * len(us)
        result = []
        for k, (u, r) in enumerate(zip(us, found)):
            if r is None:
                if strict:
                    raise RuntimeError(f"jvp: output {k} does not depend on the inputs (strict)")
                r = zeros(u.shape, dtype=u.dtype)
            result.append(r)
    return (
        _unpack(out_tuple, _finish(outs, create_graph)),
        _unpack(out_tuple, _finish(tuple(result), create_graph)),
    )


def jacobian(
    func: Callable[..., Any],
    inputs: Tensor | tuple[Tensor, ...],
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """d func(*inputs) / d inputs, entry [out][in] of shape ``out.shape + in.shape``.

    A single output and a single input give one Tensor; a tuple on either side gives a tuple
    over it; tuples on both sides give a tuple (over outputs) of tuples (over inputs).
    """
    if strategy != "reverse-mode":
        raise ValueError(f"jacobian: only strategy='reverse-mode' is implemented, got {strategy!r}")
    in_tuple, xs = _as_tuple(inputs, "inputs", "jacobian")
    with enable_grad():
        xs = _prepare(xs, create_graph)
        out_tuple, outs = _as_tuple(func(*xs), "outputs of the user-provided function", "jacobian")
        if strict:  # some output must reach each input (torch's rule for jacobian)
            seeds = tuple(ones(o.shape, dtype=o.dtype) for o in outs)
            _grads(outs, xs, seeds, False, True, "jacobian")
        table = []
        for out in outs:
            rows: list[list[Tensor]] = [[] for _ in xs]
            flat = out.reshape(-1)
            for r in range(out.data.size):
                # One backward per output element, seeded with a one-hot vector: row r of J.
                if out.requires_grad:
                    grads = _grads(
                        (flat[r],),
                        xs,
                        (ones((), dtype=out.dtype),),
                        create_graph,
                        False,  # one row may miss an input; strict was checked above
                        "jacobian",
                    )
                else:
                    grads = tuple(zeros(x.shape, dtype=x.dtype) for x in xs)
                for i, g in enumerate(grads):
                    rows[i].append(g)
            entries = []
            for i, x in enumerate(xs):
                if rows[i]:
                    block = stack(rows[i]).reshape(*out.shape, *x.shape)
                else:  # an empty output
                    block = zeros(*out.shape, *x.shape, dtype=x.dtype)
                entries.append(block if create_graph else block.detach())
            table.append(_unpack(in_tuple, tuple(entries)))
    return _unpack(out_tuple, tuple(table))


def _scalar_output(func: Callable[..., Any], fn: str) -> Callable[..., Tensor]:
    def wrapped(*xs: Tensor) -> Tensor:
        out = func(*xs)
        if not isinstance(out, Tensor) or out.data.size != 1:
            what = out.shape if isinstance(out, Tensor) else type(out).__name__
            raise RuntimeError(
                f"{fn}: the function must return a single one-element Tensor, got {what}"
            )
        return out

    return wrapped


def hessian(
    func: Callable[..., Any],
    inputs: Tensor | tuple[Tensor, ...],
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """Second derivatives of a scalar function: [i][j] has shape ``in_i.shape + in_j.shape``."""
    in_tuple, _ = _as_tuple(inputs, "inputs", "hessian")
    scalar = _scalar_output(func, "hessian")

    def gradient(*xs: Tensor) -> Any:
        out = scalar(*xs)
        return _unpack(
            in_tuple,
            _grads((out,), xs, (ones(out.shape, dtype=out.dtype),), True, strict, "hessian"),
        )

    return jacobian(
        gradient, inputs, create_graph=create_graph, strict=strict, strategy=outer_jacobian_strategy
    )


def _gradient_of_scalar(
    func: Callable[..., Any],
    inputs: Tensor | tuple[Tensor, ...],
    v: Tensor | tuple[Tensor, ...] | None,
    create_graph: bool,
    strict: bool,
    name: str,
) -> tuple[bool, tuple[Tensor, ...], tuple[Tensor, ...], Tensor, tuple[Any, ...]]:
    """What vhp and hvp share: checked inputs and v, the scalar output, and its gradient as a
    graph (to be differentiated once more). Call it with grad mode on."""
    in_tuple, xs = _as_tuple(inputs, "inputs", name)
    scalar = _scalar_output(func, name)
    xs = _prepare(xs, create_graph)
    vs = _default_v(xs, "input", name) if v is None else _as_tuple(v, "v", name)[1]
    _check_v(vs, xs, "input", name)
    out = scalar(*xs)
    g = _grads((out,), xs, (ones(out.shape, dtype=out.dtype),), True, strict, name)
    return in_tuple, xs, vs, out, g


def vhp(
    func: Callable[..., Any],
    inputs: Tensor | tuple[Tensor, ...],
    v: Tensor | tuple[Tensor, ...] | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Tensor, Any]:
    """(func(*inputs), v^T H) for a scalar function."""
    with enable_grad():
        in_tuple, xs, vs, out, g = _gradient_of_scalar(func, inputs, v, create_graph, strict, "vhp")
        result = _grads(g, xs, vs, create_graph, strict, "vhp")
    return _finish((out,), create_graph)[0], _unpack(in_tuple, _finish(result, create_graph))


def hvp(
    func: Callable[..., Any],
    inputs: Tensor | tuple[Tensor, ...],
    v: Tensor | tuple[Tensor, ...] | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Tensor, Any]:
    """(func(*inputs), H v) for a scalar function, by the double-vjp trick on the gradient."""
    with enable_grad():
        in_tuple, xs, vs, out, g = _gradient_of_scalar(func, inputs, v, create_graph, strict, "hvp")
        # u^T H for a dummy u, then its derivative along v with respect to u: H v.
        us = tuple(zeros(x.shape, dtype=x.dtype, requires_grad=True) for x in xs)
        uh = _grads(g, xs, us, True, strict, "hvp")
        result = _grads(uh, us, vs, create_graph, strict, "hvp")
    return _finish((out,), create_graph)[0], _unpack(in_tuple, _finish(result, create_graph))
