"""PyTorch's older spellings, still common in tutorials and blog posts.

- The typed tensor constructors: ``torch.FloatTensor(3, 4)`` (sizes: zeros here, uninitialised in
  PyTorch), ``torch.LongTensor([1, 2])`` (data), ``isinstance(x, torch.FloatTensor)`` (a tensor of
  that dtype) and ``x.type(torch.LongTensor)``.
- ``autograd.Variable(t, requires_grad=True)``: since PyTorch 0.4 a Variable is a tensor; this
  gives a new leaf sharing t's memory, as PyTorch's does, and every tensor is a Variable.

They are made by metaclasses, so that calling one returns a Tensor (not an instance of the
spelling) and ``isinstance`` asks the question the old code means.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu._tensor import Tensor


class _TypedTensorMeta(type):
    """The type of ``FloatTensor`` and its siblings: each stands for one dtype."""

    dtype: np.dtype

    def __call__(cls, *args: Any) -> Tensor:
        return Tensor(*args, dtype=cls.dtype)  # (sizes or data, as Tensor's legacy form)

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


def _typed(name: str, dtype: type) -> Any:
    return _TypedTensorMeta(name, (), {"dtype": np.dtype(dtype), "__module__": __name__})


FloatTensor = _typed("FloatTensor", np.float32)
DoubleTensor = _typed("DoubleTensor", np.float64)
HalfTensor = _typed("HalfTensor", np.float16)
LongTensor = _typed("LongTensor", np.int64)
IntTensor = _typed("IntTensor", np.int32)
ShortTensor = _typed("ShortTensor", np.int16)
CharTensor = _typed("CharTensor", np.int8)
ByteTensor = _typed("ByteTensor", np.uint8)
BoolTensor = _typed("BoolTensor", np.bool_)


class _VariableMeta(type):
    def __call__(cls, data: Any, requires_grad: bool = False, volatile: bool = False) -> Tensor:
        t = data.detach() if isinstance(data, Tensor) else Tensor(data)
        return t.requires_grad_(True) if requires_grad else t

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(data, requires_grad=False)``: a tensor (a new leaf sharing data's memory)."""
