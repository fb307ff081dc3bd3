"""Save and load checkpoints (state dicts) as ``.npz`` or ``.safetensors``, never with pickle.

A checkpoint is a mapping of names to tensors, like ``model.state_dict()``. Such a flat mapping is
written as it is: one array per key, so the file opens in NumPy, or (as ``.safetensors``) in
PyTorch, under exactly the names ``nn.Module.state_dict`` uses; ``load`` returns Tensors.

Nested objects, such as an optimizer's ``state_dict()`` (``{"state": {0: {...}}, "param_groups":
[...]}``), are flattened: every array is stored under its dotted path (``state.0.exp_avg``), and
everything else (the nesting, int keys, lists, tuples, Python numbers, strings, None) goes into a
small JSON description of the structure that ``load`` uses to rebuild the object.

Why no pickle: unpickling runs arbitrary code, so a checkpoint from the internet could take over
the machine. ``.npz`` is read with ``allow_pickle=False`` and safetensors cannot hold code at all.

Writes are atomic: the file is written to a temporary file in the same directory and renamed over
the target only when complete, so a crash (or Ctrl-C) never leaves a half-written checkpoint.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np

from tinygrad_edu._tensor import Tensor

PathLike = str | os.PathLike[str]

# Where the JSON description of a nested object lives: an entry of the .npz archive, or a key of
# the safetensors metadata. Flat state dicts don't need one, so their files hold only tensors.
STRUCTURE_KEY = "__tinygrad_edu_structure__"
FORMATS = (".npz", ".safetensors")


# -- flattening a nested object into arrays + a JSON structure ---------------------------------


def _is_array(value: Any) -> bool:
    return isinstance(value, (Tensor, np.ndarray))


def _as_array(value: Tensor | np.ndarray, name: str) -> np.ndarray:
    array = value.data if isinstance(value, Tensor) else value
    if array.dtype.hasobject:
        raise TypeError(f"save: {name!r} is an object array, which cannot be saved without pickle")
    # .detach() is implied: only the values are saved, never the graph or the gradient.
    # (np.ascontiguousarray would turn a 0-d array into a 1-d one.)
    return array if array.flags.c_contiguous else array.copy(order="C")


def _is_flat(obj: Mapping[Any, Any]) -> bool:
    """A plain state dict: string keys, array values. Its .npz needs no structure entry."""
    return all(isinstance(k, str) and _is_array(v) for k, v in obj.items())


def _encode(value: Any, path: str, arrays: dict[str, np.ndarray]) -> Any:
    """Turn ``value`` into JSON, moving its arrays into ``arrays`` under their dotted path.

    Containers become one-key objects ({"dict": ...}, {"list": ...}, {"tuple": ...}), arrays
    become {"tensor": key}, and scalars stay as they are; since a scalar is never a JSON object,
    decoding is unambiguous.
    """
    if _is_array(value):
        if path in arrays:
            raise ValueError(f"save: two entries flatten to the same key {path!r}")
        arrays[path] = _as_array(value, path)
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


def _decode(node: Any, arrays: Mapping[str, np.ndarray]) -> Any:
    if not isinstance(node, dict):
        return node
    if "tensor" in node:
        return Tensor(arrays[node["tensor"]])
    if "dict" in node:
        return {key: _decode(item, arrays) for key, item in node["dict"]}
    if "list" in node:
        return [_decode(item, arrays) for item in node["list"]]
    return tuple(_decode(item, arrays) for item in node["tuple"])


# -- the two file formats ---------------------------------------------------------------------


def _write_npz(f: IO[bytes], arrays: Mapping[str, np.ndarray], structure: str | None) -> None:
    """An .npz is a zip of .npy files, one per key; written directly so any key name works."""
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as archive:
        entries: dict[str, np.ndarray] = dict(arrays)
        if structure is not None:
            entries[STRUCTURE_KEY] = np.array(structure)  # a unicode array: no pickle needed
        for key, array in entries.items():
            with archive.open(key + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def _read_npz(path: Path) -> tuple[dict[str, np.ndarray], str | None]:
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    structure = arrays.pop(STRUCTURE_KEY, None)
    return arrays, None if structure is None else str(structure)


def _safetensors() -> Any:
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError(
            "saving or loading .safetensors files needs the safetensors package "
            "(pip install safetensors); or use a .npz path, which needs nothing extra"
        ) from None
    return safetensors.numpy


def _write_safetensors(
    f: IO[bytes], arrays: Mapping[str, np.ndarray], structure: str | None
) -> None:
    metadata = None if structure is None else {STRUCTURE_KEY: structure}
    f.write(_safetensors().save(dict(arrays), metadata=metadata))


def _read_safetensors(path: Path) -> tuple[dict[str, np.ndarray], str | None]:
    _safetensors()
    from safetensors import safe_open

    with safe_open(str(path), framework="numpy") as archive:
        arrays = {key: archive.get_tensor(key) for key in archive.keys()}  # noqa: SIM118
        metadata = archive.metadata() or {}
    return arrays, metadata.get(STRUCTURE_KEY)


Writer = Callable[[IO[bytes], Mapping[str, np.ndarray], str | None], None]
_WRITERS: dict[str, Writer] = {".npz": _write_npz, ".safetensors": _write_safetensors}


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"cannot tell the checkpoint format of {str(path)!r}: its extension is "
            f"{suffix or '(none)'!r}, expected one of {', '.join(FORMATS)}"
        )
    return suffix


def _atomic_write(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write to a temporary file next to ``path``, then rename it over ``path`` in one step.

    os.replace is atomic when both names are on the same file system, which is why the temporary
    file sits in the target's own directory rather than in /tmp.
    """
    directory = path.parent
    if not directory.is_dir():
        raise FileNotFoundError(
            f"cannot save to {str(path)!r}: directory {str(directory)!r} does not exist"
        )
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())  # the bytes reach the disk before the name points at them
        os.replace(tmp_name, path)
    except BaseException:
        # Whatever went wrong (even KeyboardInterrupt), the old file is untouched: drop the temp.
        Path(tmp_name).unlink(missing_ok=True)
        raise


# -- the public API ---------------------------------------------------------------------------


def save(obj: Mapping[str, Any], path: PathLike) -> None:
    """Save a state dict (or a nested dict such as an optimizer's) to ``.npz`` or ``.safetensors``.

    The format follows the file extension. Tensors keep their dtype; only values are stored (no
    gradients, no graph). Like torch.save, but without pickle and with an atomic write.
    """
    if not isinstance(obj, Mapping):
        raise TypeError(
            f"save expects a mapping such as model.state_dict(), got {type(obj).__name__}"
        )
    path = Path(path)
    fmt = _format(path)
    writer = _WRITERS[fmt]
    if STRUCTURE_KEY in obj:
        raise ValueError(f"save: the key {STRUCTURE_KEY!r} is reserved")
    arrays: dict[str, np.ndarray] = {}
    structure: str | None = json.dumps(_encode(obj, "", arrays))
    if fmt == ".npz" and _is_flat(obj):
        # A flat state dict keeps its keys and their order in the zip itself: leave the structure
        # out, so np.load shows exactly the state dict. (safetensors sorts its keys, so there the
        # structure, hidden in the metadata, is what remembers their order.)
        structure = None
    _atomic_write(path, lambda f: writer(f, arrays, structure))


def load(path: PathLike) -> dict[Any, Any]:
    """Load what :func:`save` wrote: arrays come back as Tensors, with their saved dtypes.

    Any ``.npz`` or ``.safetensors`` file of arrays can be read, not only ours (without pickle).
    """
    path = Path(path)
    fmt = _format(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {str(path)!r}")
    arrays, structure = _read_npz(path) if fmt == ".npz" else _read_safetensors(path)
    if structure is None:
        return {key: Tensor(array) for key, array in arrays.items()}
    result = _decode(json.loads(structure), arrays)
    if not isinstance(result, dict):
        raise ValueError(f"{str(path)!r}: the stored structure is not a dict")
    return result
