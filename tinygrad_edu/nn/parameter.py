"""Parameter: a Tensor that a Module registers as something to train."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu._tensor import ArrayLike, Tensor


class Parameter(Tensor):
    """A leaf Tensor with ``requires_grad=True`` that a Module lists in ``parameters()``.

    Being a Tensor subclass is the whole trick: assigning one to a Module attribute registers it,
    and every op treats it as the tensor it is. Python numbers and lists become float32 (an
    ndarray keeps its dtype, as everywhere in tinygrad_edu). Made from a Tensor, it shares that
    tensor's array, as ``torch.nn.Parameter(t)`` shares t's storage.
    """

    __slots__ = ()

    def __init__(self, data: ArrayLike | None = None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.empty(0, dtype=np.float32)
        shared = data.data if isinstance(data, Tensor) else None
        super().__init__(data if shared is None else 0.0, requires_grad=False)
        if shared is not None:
            self.data = shared
        if requires_grad:
            self.requires_grad_(True)

    def __setattr__(self, name: str, value: Any) -> None:
        # ``layer.weight.data = torch.zeros(2, 2)``: PyTorch code swaps a parameter's values
        # so. Here .data is the array itself, so a Tensor's array is taken (shared, as in
        # PyTorch), never the Tensor. (On Parameter only: a plain tensor's attributes are set
        # on every op, and a Python __setattr__ would slow them all. A parameter's .grad is set
        # twice a step, so this stays one test and one C call: super() cost 3% of a small MLP.)
        if name == "data" and not isinstance(value, np.ndarray):
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"Parameter.data must be a Tensor or an ndarray, got {type(value).__name__}"
                )
            value = value.data
        _set_attribute(self, name, value)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol: Any) -> Any:
        # copy.deepcopy and pickle: rebuild from a copy of the values (the graph is never copied).
        return (Parameter, (self.data.copy(), self.requires_grad))


_set_attribute = object.__setattr__  # (fills the slots Tensor declares)
