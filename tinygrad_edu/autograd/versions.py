"""The version counter: how a backward formula knows that a tensor it saved was changed.

Every in-place change bumps a tensor's version (``t._vc = [version, last in-place op]``, one list
shared by a tensor, its views and its detached copies, made the first time it is needed).
``Function.apply`` remembers the versions of the tensors a node saved, when any was ever changed;
``ctx.saved_tensors`` and ``ctx.output`` compare, and raise here, naming the op, the in-place op
and both versions, instead of computing a gradient from values that are gone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tinygrad_edu.autograd.function import Function
    from tinygrad_edu.autograd.variable import Variable


def version(t: Variable | None) -> int:
    vc = t._vc if t is not None else None
    return vc[0] if vc is not None else 0


def of(tensors: tuple[Variable | None, ...]) -> tuple[int, ...]:
    """``tuple(map(version, tensors))`` in one call: ``apply`` runs it for every node that saves
    a weight (a weight's version is not 0 once it has been initialised or stepped)."""
    found = []
    for t in tensors:
        vc = t._vc if t is not None else None
        found.append(vc[0] if vc is not None else 0)
    return tuple(found)


def last_inplace(t: Variable) -> str:
    """The name of the in-place op that last changed t, for error messages."""
    vc = t._vc
    return f"last by {vc[1]}" if vc is not None and vc[1] else "e.g. add_ or x[i] = v"


def check_saved(ctx: Function) -> None:
    """Raise if a tensor ``ctx`` saved has changed since forward saved it."""
    saved = ctx._saved or ()
    now, then = of(saved), getattr(ctx, "_versions", None) or (0,) * len(saved)
    if now == then:
        return
    i = next(i for i in range(len(now)) if now[i] != then[i])
    t: Any = saved[i]  # (changed in place: not None)
    raise RuntimeError(
        f"{type(ctx).__name__}: saved tensor {i} (shape {t.shape}) was modified by an in-place "
        f"operation ({last_inplace(t)}) after it was saved: its version is {now[i]}, the "
        f"backward formula needs version {then[i]}. Use an out-of-place op, or .clone() the "
        "tensor before changing it."
    )


def check_output(ctx: Function, out: Any) -> None:
    """Raise: the output that ``ctx``'s backward reads has changed since forward made it."""
    raise RuntimeError(
        f"{type(ctx).__name__}: its output (shape {out.shape}), which its backward formula "
        f"reads, was modified by an in-place operation ({last_inplace(out)}): its version is "
        f"{version(out)}, backward needs version {ctx._out_version}. Use an out-of-place op, "
        "or .clone() the output before changing it."
    )
