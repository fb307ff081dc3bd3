"""Collation: turning a list of samples into one batch, field by field, as torch's
``default_collate`` does.

The type of the first sample decides how a field is batched:

- Tensors and arrays are stacked along a new first dim (all must have one shape);
- Python numbers become a tensor of them, its dtype inferred from *all* of them as
  ``tinygrad_edu.tensor`` infers it: ``[1, 2.5]`` gives float32 ``[1.0, 2.5]``, ``[True, 2]``
  gives int64 ``[1, 2]``, only bools give bool. (One documented difference: a batch of Python
  floats is float32, the library's default, where torch makes float64, which would silently
  widen a float32 model.)
- strings and bytes stay a list; dicts become a dict of batched fields, namedtuples the same
  namedtuple, and tuples and lists a list of batched fields.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

import numpy as np

from tinygrad_edu._tensor import Tensor
from tinygrad_edu.creation import tensor


def _batch_error(kind: Any) -> TypeError:
    return TypeError(
        f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {kind}"
    )


def _stack(samples: Sequence[Tensor | np.ndarray]) -> Tensor:
    arrays = [s.data if isinstance(s, Tensor) else s for s in samples]
    for i, a in enumerate(arrays[1:], start=1):
        if a.shape != arrays[0].shape:
            raise RuntimeError(
                f"default_collate: stack expects each tensor to be equal size, but got "
                f"{list(arrays[0].shape)} at entry 0 and {list(a.shape)} at entry {i}"
            )
    return Tensor._plain(np.stack(arrays))


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch (see the module docstring for the rules)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack(batch)
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "USOV":
            raise _batch_error(elem.dtype)
        return _stack(batch)
    if isinstance(elem, (np.bool_, np.number)):
        return Tensor._plain(np.asarray(batch))
    if isinstance(elem, (bool, int, float)):
        # Inferred from every sample, not the first: never truncate 2.5 to 2, nor 2 to True.
        try:
            return tensor(list(batch))
        except (TypeError, ValueError) as err:
            raise TypeError(
                f"default_collate: cannot batch the numbers of this batch: {err}"
            ) from None
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, Mapping):
        fields = {key: default_collate([sample[key] for sample in batch]) for key in elem}
        if isinstance(elem, MutableMapping):
            result = copy.copy(elem)  # the same mapping type (an OrderedDict stays one)
            result.update(fields)
            return result
        return fields
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple
        return type(elem)(*(default_collate(list(field)) for field in zip(*batch)))
    if isinstance(elem, Sequence):
        if any(len(sample) != len(elem) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        # Tuples and lists both become a list of batched fields, as in PyTorch.
        return [default_collate(list(field)) for field in zip(*batch)]
    raise _batch_error(type(elem))


def default_convert(data: Any) -> Any:
    """What a DataLoader with ``batch_size=None`` does to each sample: arrays (and NumPy
    scalars) become Tensors sharing their memory, inside dicts, lists and tuples too; anything
    else is left as it is."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        return data if data.dtype.kind in "USOV" else Tensor._plain(data)
    if isinstance(data, (np.bool_, np.number)):
        return Tensor._plain(np.asarray(data))
    if isinstance(data, Mapping):
        converted = {key: default_convert(value) for key, value in data.items()}
        if isinstance(data, MutableMapping):
            result = copy.copy(data)
            result.update(converted)
            return result
        return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (tuple, list)):
        return [default_convert(d) for d in data]
    return data
