"""Whether operations record a graph: the global state that matters to users.

(The rest of the module-level state is anomaly mode, in autograd/anomaly.py, and the node counter in
autograd/function.py, which only orders the backward walk.) Grad mode is changed only through
context managers that restore the previous value in ``finally``, so an exception inside a
``with no_grad():`` block can never leave recording switched off.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_enabled = True


def is_grad_enabled() -> bool:
    """True when new operations record the graph they need for backward."""
    return _enabled


class set_grad_enabled:
    """Turn graph recording on or off: as a call, a context manager, or a decorator."""

    def __init__(self, mode: bool) -> None:
        global _enabled
        self.prev = _enabled
        self.mode = bool(mode)
        # Like torch.set_grad_enabled, calling it as a plain function switches the mode at once.
        _enabled = self.mode

    def __enter__(self) -> None:
        global _enabled
        _enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        global _enabled
        _enabled = self.prev

    def __call__(self, fn: F) -> F:
        mode = self.mode
        # Decorating must not leave the mode switched: undo the constructor's change.
        self.__exit__()

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _GradMode:
    """Shared body of no_grad/enable_grad: a context manager that is also a decorator."""

    mode = True

    def __init__(self) -> None:
        self.prev: list[bool] = []  # a stack, so one instance can be re-entered

    def __enter__(self) -> None:
        global _enabled
        self.prev.append(_enabled)
        _enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        global _enabled
        _enabled = self.prev.pop()

    def __call__(self, fn: F) -> F:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradMode):
    """Do not record a graph: for evaluation and for updating parameters in place."""

    mode = False


class enable_grad(_GradMode):
    """Record a graph again, even inside ``no_grad``."""

    mode = True
