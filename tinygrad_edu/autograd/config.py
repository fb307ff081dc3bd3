"""The engine's two global switches, and the one context manager that changes them.

- ``Config.grad_enabled``: do operations record a graph for backward? (``no_grad`` turns it off.)
- ``Config.anomaly_enabled``: is every forward and backward value checked for NaN and inf?

Both are changed only through ``using_config`` (DeZero's idea), which restores the previous value
when its block ends, even by an exception: a ``with no_grad():`` block can never leave recording
switched off. PyTorch's names (``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode``, ``detect_anomaly``, ``set_detect_anomaly``) are small subclasses of it. The
only other module-level state is the node counter in function.py, which orders the backward walk.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Config:
    """The global flags, read as ``Config.grad_enabled`` on the hot path (a class attribute)."""

    grad_enabled: bool = True
    anomaly_enabled: bool = False


class using_config:
    """Set ``Config.<name>`` for a ``with`` block, or for every call of a decorated function."""

    def __init__(self, name: str, value: bool) -> None:
        if name not in ("grad_enabled", "anomaly_enabled"):
            raise AttributeError(f"using_config: there is no flag named {name!r}")
        self.name, self.value = name, bool(value)
        self._saved: list[bool] = []  # a stack, so one instance can be re-entered

    def __enter__(self) -> None:
        self._saved.append(getattr(Config, self.name))
        setattr(Config, self.name, self.value)

    def __exit__(self, *exc: object) -> None:
        setattr(Config, self.name, self._saved.pop())

    def __call__(self, fn: F) -> F:
        name, value = self.name, self.value

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with using_config(name, value):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _switch(using_config):
    """A flag set at once by the call itself, as ``torch.set_grad_enabled(False)`` is; as a
    ``with`` block or a decorator it still restores the value it found."""

    def __init__(self, name: str, value: bool) -> None:
        super().__init__(name, value)
        self._saved.append(getattr(Config, name))
        setattr(Config, name, self.value)

    def __enter__(self) -> None:
        pass  # switched already, by the constructor

    def __call__(self, fn: F) -> F:
        self.__exit__()  # decorating must not leave the flag switched
        return super().__call__(fn)


class no_grad(using_config):
    """Do not record a graph: for evaluation and for updating parameters in place."""

    def __init__(self) -> None:
        super().__init__("grad_enabled", False)


class enable_grad(using_config):
    """Record a graph again, even inside ``no_grad``."""

    def __init__(self) -> None:
        super().__init__("grad_enabled", True)


class inference_mode(using_config):
    """``no_grad`` under PyTorch's other name (this engine has no separate inference tensors)."""

    def __init__(self, mode: bool = True) -> None:
        super().__init__("grad_enabled", not mode)


class set_grad_enabled(_switch):
    """Turn graph recording on or off: at once when called, restored after a ``with`` block."""

    def __init__(self, mode: bool) -> None:
        super().__init__("grad_enabled", mode)


class detect_anomaly(using_config):
    """``with detect_anomaly():`` check every forward and backward for NaN and inf (anomaly.py)."""

    def __init__(self, check_nan: bool = True) -> None:
        super().__init__("anomaly_enabled", check_nan)


class set_detect_anomaly(_switch):
    """Turn anomaly detection on or off: at once when called, restored after a ``with`` block."""

    def __init__(self, mode: bool) -> None:
        super().__init__("anomaly_enabled", mode)


def is_grad_enabled() -> bool:
    """True when new operations record the graph they need for backward."""
    return Config.grad_enabled


def is_anomaly_enabled() -> bool:
    return Config.anomaly_enabled
