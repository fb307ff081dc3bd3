"""Nested checkpoints as flat arrays plus a JSON description, for ``.npz`` and ``.safetensors``.

Both formats hold only a flat mapping of names to arrays. An optimizer's ``state_dict()``
(``{"state": {0: {...}}, "param_groups": [...]}``) is flattened: every array is stored under its
dotted path (``state.0.exp_avg``), and everything else (the nesting, int keys, lists, tuples,
Python numbers, strings, None) goes into a small JSON description that rebuilds the object.

Containers become one-key JSON objects (``{"dict": [[key, node], ...]}``, ``{"list": [...]}``,
``{"tuple": [...]}``), arrays become ``{"tensor": name}``, and scalars stay as they are; since a
scalar is never a JSON object, decoding is unambiguous.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from tinygrad_edu._tensor import Tensor

# Where the JSON description of a nested object lives: an entry of the .npz archive, or a key of
# the safetensors metadata. Flat state dicts don't need one in .npz.
STRUCTURE_KEY = "__tinygrad_edu_structure__"


class StructureError(ValueError):
    """The stored description does not describe a checkpoint (the caller adds the path)."""


def is_array(value: Any) -> bool:
    return isinstance(value, (Tensor, np.ndarray))


def as_array(value: Tensor | np.ndarray, name: str) -> np.ndarray:
    """The values to store, C-contiguous; only values are saved, never the graph or the grad."""
    array = value.data if isinstance(value, Tensor) else value
    if array.dtype.hasobject:
        raise TypeError(f"save: {name!r} is an object array, which cannot be saved without pickle")
    # (np.ascontiguousarray would turn a 0-d array into a 1-d one.)
    return array if array.flags.c_contiguous else array.copy(order="C")


def is_flat(obj: Mapping[Any, Any]) -> bool:
    """A plain state dict: string keys, array values. Its .npz needs no structure entry."""
    return all(isinstance(k, str) and is_array(v) for k, v in obj.items())


def flatten(obj: Mapping[Any, Any]) -> tuple[dict[str, np.ndarray], str]:
    """The arrays of ``obj`` under their dotted paths, and the JSON that rebuilds ``obj``."""
    if STRUCTURE_KEY in obj:
        raise ValueError(f"save: the key {STRUCTURE_KEY!r} is reserved")
    arrays: dict[str, np.ndarray] = {}
    return arrays, json.dumps(_encode(obj, "", arrays))


def _encode(value: Any, path: str, arrays: dict[str, np.ndarray]) -> Any:
    if is_array(value):
        if path in arrays:
            raise ValueError(f"save: two entries flatten to the same key {path!r}")
        arrays[path] = as_array(value, path)
        return {"tensor": path}
    if isinstance(value, Mapping):
        items = []
        for key, item in value.items():
            # bool is an int subclass, but True as a key would come back as 1: refuse it.
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(
                    f"save: keys must be str or int, got {type(key).__name__} key {key!r} "
                    f"in {path or 'the top level'!r}"
                )
            child = f"{path}.{key}" if path else str(key)
            items.append([key, _encode(item, child, arrays)])
        return {"dict": items}
    if isinstance(value, (list, tuple)):
        kind = "list" if isinstance(value, list) else "tuple"
        return {kind: [_encode(v, f"{path}.{i}", arrays) for i, v in enumerate(value)]}
    if isinstance(value, np.generic):
        value = value.item()  # a NumPy scalar is stored as the Python number it holds
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(
        f"save: cannot store {path!r} of type {type(value).__name__}; checkpoints hold tensors, "
        f"arrays, numbers, strings, None, and dicts/lists/tuples of them"
    )


def unflatten(structure: str, arrays: dict[str, np.ndarray]) -> dict[Any, Any]:
    """Rebuild the saved object; a malformed description raises StructureError, never KeyError."""
    try:
        node = json.loads(structure)
        result = _decode(node, arrays)
    except json.JSONDecodeError as err:
        raise StructureError(f"its structure entry is not valid JSON ({err})") from None
    except RecursionError:
        raise StructureError("its structure entry is nested too deeply") from None
    if not isinstance(result, dict):
        raise StructureError("the stored structure is not a dict")
    return result


def _decode(node: Any, arrays: dict[str, np.ndarray]) -> Any:
    if not isinstance(node, dict):
        if isinstance(node, list):
            raise StructureError("its structure entry is malformed (a bare JSON list)")
        return node
    if len(node) != 1:
        raise StructureError(f"its structure entry is malformed (object with keys {list(node)})")
    ((kind, body),) = node.items()
    if kind == "tensor":
        if not isinstance(body, str) or body not in arrays:
            raise StructureError(
                f"its structure names a tensor {body!r} that the file lacks (or names it twice)"
            )
        return Tensor._plain(arrays.pop(body))  # popped: two tensors never share one array
    if kind == "dict" and isinstance(body, list):
        pairs = []
        for pair in body:
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], (str, int))):
                raise StructureError(f"its structure entry is malformed (dict item {pair!r})")
            pairs.append((pair[0], _decode(pair[1], arrays)))
        return dict(pairs)
    if kind in ("list", "tuple") and isinstance(body, list):
        items = [_decode(item, arrays) for item in body]
        return items if kind == "list" else tuple(items)
    raise StructureError(f"its structure entry is malformed (unknown node {kind!r})")
