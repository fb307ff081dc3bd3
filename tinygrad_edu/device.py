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
    """``torch.cuda``: no GPU here."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0

    @staticmethod
    def manual_seed(seed: int) -> None:
        """Nothing to seed: there is no GPU."""

    manual_seed_all = manual_seed


cuda = _Cuda()
