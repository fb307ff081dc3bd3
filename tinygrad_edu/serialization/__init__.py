"""Save and load checkpoints: PyTorch's own ``.pt`` format, ``.npz`` and ``.safetensors``.

``save(obj, path)`` picks the format from the file name, as a user would expect:

- ``.npz``: NumPy's archive, one array per key (opens with ``np.load``);
- ``.safetensors``: the safetensors format (opens with ``safetensors`` or ``load_file``);
- anything else (``.pt``, ``.pth``, ``.bin``, ``.ckpt``, no suffix): PyTorch's zip format, the
  one ``torch.save`` writes, so ``torch.load(path, weights_only=True)`` reads it.

``load(path)`` reads all three, and the files ``torch.save`` writes (also its format from before
PyTorch 1.6), without PyTorch installed.

**Loading never runs code from the file.** ``torch.save`` uses pickle, and unpickling can call
any function the file names (``os.system``, ``eval``). Here ``.pt`` files are read by an
unpickler whose allow-list holds only the functions that rebuild tensors, the storage and dtype
names, and plain containers, as ``torch.load(weights_only=True)`` does; anything else is refused
with an error naming it. ``.npz`` is read without pickle and safetensors cannot hold code at all.

Differences from PyTorch, all for the CPU-and-NumPy world:

- tensors load as tinygrad_edu Tensors on the CPU, whatever device they were saved from
  (``map_location`` may say ``'cpu'``; another device is an error);
- tensors that shared a storage in PyTorch load as separate copies (the storage is read once);
- bfloat16 tensors load as float32, with exactly the same values (NumPy has no bfloat16);
- NumPy arrays in a saved object are written as tensors (``torch.load`` returns tensors);
- ``weights_only=False`` is refused: there is no unsafe mode. ``mmap`` is accepted and ignored.

Writes are atomic: the file is written to a temporary file in the same directory and renamed
over the target only when complete, so a crash (or Ctrl-C) never leaves a half-written
checkpoint; an existing file keeps its mode, a new one follows the umask.
"""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np

from tinygrad_edu._tensor import Tensor
from tinygrad_edu.serialization import files
from tinygrad_edu.serialization.files import DESCRIPTIONS, PathLike, atomic_write
from tinygrad_edu.serialization.npz import NpzError, read_npz, write_npz
from tinygrad_edu.serialization.safetensors_io import (
    SafetensorsError,
    read_safetensors,
    write_safetensors,
)
from tinygrad_edu.serialization.structure import (
    STRUCTURE_KEY,
    StructureError,
    flatten,
    is_flat,
    unflatten,
)
from tinygrad_edu.serialization.torch_format import (
    CheckpointError,
    read_torch_legacy,
    read_torch_zip,
    write_torch_zip,
)

__all__ = ["load", "save"]

FORMATS = {".npz": "npz", ".safetensors": "safetensors"}  # every other name: PyTorch's format
RENAME_HINT = {"npz": ".npz", "safetensors": ".safetensors", "torch": ".pt", "torch-legacy": ".pt"}


def _write_npz(f: IO[bytes], arrays: Mapping[str, np.ndarray], structure: str | None) -> None:
    write_npz(f, arrays, structure)


def _write_safetensors(
    f: IO[bytes], arrays: Mapping[str, np.ndarray], structure: str | None
) -> None:
    write_safetensors(f, arrays, None if structure is None else {STRUCTURE_KEY: structure})


Writer = Callable[[IO[bytes], Mapping[str, np.ndarray], str | None], None]
_WRITERS: dict[str, Writer] = {".npz": _write_npz, ".safetensors": _write_safetensors}


def _format_of(path: Path) -> str:
    return FORMATS.get(path.suffix.lower(), "torch")


# -- save -----------------------------------------------------------------------------------------


def save(
    obj: Any,
    f: PathLike | IO[bytes],
    pickle_module: Any = None,
    pickle_protocol: int = 2,
    _use_new_zipfile_serialization: bool = True,
) -> None:
    """Save ``obj`` (a state dict, an optimizer's state, a tensor, nested dicts/lists/tuples of
    tensors, numbers, strings and None) to ``f``, like torch.save.

    The format follows the file name: ``.npz``, ``.safetensors`` (both need a mapping, such as
    ``model.state_dict()``), or else PyTorch's zip format, which ``torch.load`` reads. ``f`` may
    also be a binary file object, which gets PyTorch's format. Only values are saved (no
    gradients, no graph); the write is atomic.
    """
    if pickle_module is not None and pickle_module is not pickle:
        raise ValueError(
            "save: pickle_module is not supported; tinygrad_edu writes PyTorch's format itself, "
            "with only the pickle instructions torch.load(weights_only=True) accepts"
        )
    if isinstance(pickle_protocol, bool) or pickle_protocol not in (2, 3, 4, 5):
        raise ValueError(f"save: pickle_protocol must be 2 to 5, got {pickle_protocol!r}")
    if not _use_new_zipfile_serialization:
        raise ValueError(
            "save: the format of before PyTorch 1.6 can be loaded but is not written; "
            "leave _use_new_zipfile_serialization=True"
        )
    if not isinstance(f, (str, os.PathLike)):  # a file object
        write_torch_zip(f, obj)
        return
    path = Path(f)
    suffix = path.suffix.lower()
    if suffix in _WRITERS:
        writer = _WRITERS[suffix]
        if not isinstance(obj, Mapping):
            raise TypeError(
                f"save to {suffix} expects a mapping such as model.state_dict(), got "
                f"{type(obj).__name__} (save to a .pt path to store any object)"
            )
        arrays, structure = flatten(obj)
        # A flat state dict keeps its keys and their order in the .npz itself: no structure, so
        # np.load shows exactly the state dict. (safetensors sorts its keys, so there the
        # structure, hidden in the metadata, is what remembers their order.)
        kept: str | None = None if suffix == ".npz" and is_flat(obj) else structure
        atomic_write(path, lambda out: writer(out, arrays, kept))
    else:
        atomic_write(path, lambda out: write_torch_zip(out, obj))


# -- load -----------------------------------------------------------------------------------------


def load(
    f: PathLike | IO[bytes],
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = True,
    mmap: bool | None = None,
    **pickle_load_args: Any,
) -> Any:
    """Load what :func:`save` or ``torch.save`` wrote; tensors come back as Tensors with their
    saved dtypes, shapes and values.

    Never runs code from the file: a ``.pt`` file naming any global beyond tensor rebuilding,
    storages and plain containers is refused (``pickle.UnpicklingError`` naming the global).
    ``map_location`` may be None, ``'cpu'``, a dict or a function returning the storage it gets;
    ``mmap`` is accepted and has no effect; ``encoding`` is the one pickle argument accepted.
    """
    if weights_only is False:
        raise ValueError(
            "load: weights_only=False is not supported. It would let the file run any code it "
            "names while loading; tinygrad_edu loads only tensors, numbers, strings and "
            "containers of them, and refuses anything else with an error naming it"
        )
    if weights_only not in (True, None):
        raise TypeError(f"load: weights_only must be a bool, got {weights_only!r}")
    if pickle_module is not None and pickle_module is not pickle:
        raise RuntimeError("load: an explicit pickle_module cannot load weights safely")
    if mmap not in (None, True, False):
        raise TypeError(f"load: mmap must be a bool, got {mmap!r}")
    encoding = pickle_load_args.pop("encoding", "utf-8")
    if pickle_load_args:
        raise TypeError(f"load() got unexpected keyword arguments {sorted(pickle_load_args)}")
    if not isinstance(encoding, str):
        raise TypeError(f"load: encoding must be a str, got {encoding!r}")

    if not isinstance(f, (str, os.PathLike)):  # a file object
        data = f.read()
        name = str(getattr(f, "name", "the buffer"))
        kind = _kind(files.sniff(data[: files.HEAD_SIZE]), io.BytesIO(data))
        expected = kind if kind in ("npz", "safetensors") else "torch"  # the content decides
        return _load_as(expected, kind, io.BytesIO(data), name, map_location, encoding)
    path = Path(f)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {str(path)!r}")
    expected = _format_of(path)
    kind = _kind(files.sniff(files.read_head(path)), path)
    return _load_as(expected, kind, path, str(path), map_location, encoding)


def _kind(sniffed: str, source: Path | IO[bytes]) -> str:
    """What the file is: a zip is told apart by its members, anything else by its first bytes."""
    if sniffed != "zip":
        return sniffed
    try:
        with zipfile.ZipFile(source) as archive:
            names = archive.namelist()
    except files.ZIP_ERRORS:
        return "zip"  # corrupt: the reader of the expected format says how
    finally:
        if not isinstance(source, Path):
            source.seek(0)
    if any(name.endswith("/constants.pkl") for name in names):
        return "torchscript"
    if any(name.count("/") == 1 and name.endswith("/data.pkl") for name in names):
        return "torch"
    if all(name.endswith(".npy") for name in names):
        return "npz"
    return "zip"


def _load_as(
    expected: str, kind: str, source: Path | IO[bytes], name: str, map_location: Any, encoding: str
) -> Any:
    readable = {
        "npz": ("npz", "zip"),
        "safetensors": ("safetensors",),
        "torch": ("torch", "torch-legacy", "torchscript", "zip"),
    }
    if kind not in readable[expected]:
        problem = f"{name!r} is not a {_what(expected)}: it is {DESCRIPTIONS[kind]}"
        if kind in RENAME_HINT:
            problem += f"; rename it to end in {RENAME_HINT[kind]} to load it"
        raise (CheckpointError if expected == "torch" else ValueError)(problem)
    try:
        if expected == "npz":
            arrays, structure = read_npz(source)
            return _rebuilt(arrays, structure)
        if expected == "safetensors":
            arrays, metadata = read_safetensors(source)
            return _rebuilt(arrays, metadata.get(STRUCTURE_KEY))
        if kind == "torch-legacy":
            data = source.read_bytes() if isinstance(source, Path) else source.read()
            return read_torch_legacy(data, map_location, encoding)
        if isinstance(source, Path):
            with open(source, "rb") as stream:
                return read_torch_zip(stream, map_location, encoding)
        return read_torch_zip(source, map_location, encoding)
    except (NpzError, SafetensorsError, StructureError) as err:
        raise ValueError(f"cannot load {name!r}: {err}") from None
    except CheckpointError as err:
        raise CheckpointError(f"cannot load {name!r}: {err}") from None
    except pickle.UnpicklingError as err:
        raise pickle.UnpicklingError(f"cannot load {name!r}: {err}") from None


def _what(fmt: str) -> str:
    return {"npz": ".npz archive", "safetensors": "safetensors file"}.get(fmt, "PyTorch checkpoint")


def _rebuilt(arrays: dict[str, np.ndarray], structure: str | None) -> dict[Any, Any]:
    if structure is None:
        # The arrays were just read, owned by nobody else: wrap them without another copy.
        return {key: Tensor._plain(array) for key, array in arrays.items()}
    return unflatten(structure, arrays)
