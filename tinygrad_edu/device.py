"""Device stand-ins: everything here runs on the CPU, in NumPy.

``x.device`` is ``device('cpu')``, ``.to('cpu')`` and ``.cpu()`` do nothing, and
``cuda.is_available()`` is False, so PyTorch programs that pick a device the usual way
(``"cuda" if torch.cuda.is_available() else "cpu"``) run unchanged. Asking for any other device
raises an error that says why.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu import dtypes


class device:
    """torch.device's stand-in: ``device('cpu')`` (or ``'cpu:0'``); nothing else exists here."""

    def __init__(self, type: Any = "cpu", index: int | None = None) -> None:
        name = str(type)
        check_device(name)
        self.type = "cpu"
        self.index = index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, (device, str)) and str(other).split(":")[0] == "cpu"

    def __hash__(self) -> int:
        return hash("cpu")

    def __str__(self) -> str:
        return "cpu"

    def __repr__(self) -> str:
        return "device(type='cpu')"


def check_device(d: Any) -> None:
    """Accept the CPU in any spelling; refuse the rest with the reason."""
    name = str(d).split(":")[0]
    if name != "cpu":
        raise RuntimeError(
            f"device {str(d)!r} is not available: tinygrad_edu runs on the CPU with NumPy "
            "(use 'cpu'; torch.cuda.is_available() is False here)"
        )


def device_and_dtype(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> np.dtype | None:
    """The dtype asked for by torch's ``to(...)`` arguments (None: only a device, which must be
    the CPU). Accepts ``to(dtype)``, ``to('cpu')``, ``to(device, dtype)``, ``to(other_tensor)``."""
    kwargs = dict(kwargs)
    dtype = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    kwargs.pop("copy", None)
    if kwargs:
        raise TypeError(f"{name}() got unexpected keyword arguments {sorted(kwargs)}")
    for a in args:
        if hasattr(a, "grad_fn") and hasattr(a, "dtype"):  # a Tensor: its dtype
            dtype = a.dtype
        elif isinstance(a, (str, device)):
            dev = a
        elif a is not None:
            dtype = a
    if dev is not None:
        check_device(dev)
    return None if dtype is None else dtypes.as_dtype(dtype)


CPU = device("cpu")


class _Cuda:
    """``torch.cuda``: no GPU here. The calls seeding and housekeeping code makes are accepted
    and do nothing, so that code runs unchanged."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0

    @staticmethod
    def manual_seed(seed: int) -> None:
        """A no-op: there is no GPU generator to seed (``manual_seed`` seeds the one there is)."""

    @staticmethod
    def manual_seed_all(seed: int) -> None:
        """A no-op, as ``manual_seed``: there are no GPUs."""

    @staticmethod
    def empty_cache() -> None:
        """A no-op: there is no GPU memory cache to release (NumPy frees arrays itself)."""

    @staticmethod
    def synchronize(device: Any = None) -> None:
        """A no-op: NumPy's calls have finished when they return, so there is nothing to wait for."""


cuda = _Cuda()


class _Accelerator:
    """``torch.accelerator``: the device-agnostic view of GPUs and the like; there is none here.

    PyTorch's Quickstart picks its device with
    ``torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"``,
    which gives "cpu" here."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def current_accelerator(check_available: bool = False) -> device | None:
        """None: no accelerator is present (PyTorch returns None too when it has none)."""
        return None

    @staticmethod
    def device_count() -> int:
        return 0

    @staticmethod
    def synchronize(device: Any = None) -> None:
        """A no-op: there is no accelerator to wait for."""


accelerator = _Accelerator()


# -- determinism -------------------------------------------------------------------------------

# NumPy on one thread gives the same result for the same inputs every time, so every op here is
# already deterministic; the flags are stored only so that code reading them back gets its answer.
_deterministic = False
_deterministic_warn_only = False


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record whether deterministic algorithms are asked for (as torch.use_deterministic_algorithms).

    Nothing changes: every op here is deterministic already, so no op ever raises or warns for
    lack of a deterministic implementation, whatever ``mode`` and ``warn_only`` say."""
    global _deterministic, _deterministic_warn_only
    for name, value, position in (("mode", mode, 1), ("warn_only", warn_only, 2)):
        if not isinstance(value, bool):
            raise TypeError(
                f"use_deterministic_algorithms(): argument '{name}' (position {position}) must "
                f"be bool, not {type(value).__name__}"
            )
    _deterministic, _deterministic_warn_only = mode, warn_only


def are_deterministic_algorithms_enabled() -> bool:
    """What ``use_deterministic_algorithms`` last set (False at start, as in PyTorch)."""
    return _deterministic


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """The ``warn_only`` that ``use_deterministic_algorithms`` last set."""
    return _deterministic_warn_only
