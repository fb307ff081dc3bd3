"""``.npz``: a zip of ``.npy`` files, one per key, read and written without pickle.

Written directly with zipfile (not np.savez) so any key name works, and read member by member so
every way a file can be wrong (not a zip, truncated, a member that is not an array, an object
array that would need pickle) gets an error that names the file and the member.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO

import numpy as np

from tinygrad_edu.serialization.files import ZIP_ERRORS
from tinygrad_edu.serialization.structure import STRUCTURE_KEY

NPY_SUFFIX = ".npy"


class NpzError(ValueError):
    """The archive is not a readable .npz of arrays (the caller adds the path)."""


def write_npz(f: IO[bytes], arrays: Mapping[str, np.ndarray], structure: str | None) -> None:
    entries: dict[str, np.ndarray] = dict(arrays)
    if structure is not None:
        entries[STRUCTURE_KEY] = np.array(structure)  # a unicode array: no pickle needed
    for key in entries:
        # A zip member name ends at a NUL, so 'a\0b' and 'a\0c' would both be stored as 'a'.
        if "\x00" in key:
            raise ValueError(
                f"save: the key {key!r} contains a NUL character, which .npz cannot store"
            )
        try:
            key.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"save: the key {key!r} is not valid UTF-8 text") from None
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as archive:
        for key, array in entries.items():
            with archive.open(key + NPY_SUFFIX, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def read_npz(source: Path | IO[bytes]) -> tuple[dict[str, np.ndarray], str | None]:
    """The arrays by key, and the structure entry if there is one. Raises NpzError."""
    try:
        archive = zipfile.ZipFile(source)
    except ZIP_ERRORS as err:
        raise NpzError(f"it is a truncated or corrupt zip archive ({err})") from None
    arrays: dict[str, np.ndarray] = {}
    with archive:
        for info in archive.infolist():
            name = info.filename
            if not name.endswith(NPY_SUFFIX) or info.is_dir():
                raise NpzError(
                    f"its member {name!r} is not a .npy array, so this is not an .npz checkpoint"
                )
            key = name[: -len(NPY_SUFFIX)]
            if key in arrays:
                raise NpzError(f"it holds the member {name!r} twice")
            arrays[key] = _read_member(archive, info)
    structure = arrays.pop(STRUCTURE_KEY, None)
    if structure is None:
        return arrays, None
    if structure.dtype.kind != "U" or structure.ndim != 0:
        raise NpzError(f"its structure entry is a {structure.dtype} array, not a JSON string")
    return arrays, str(structure)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    name = info.filename
    try:
        with archive.open(info) as member:
            if member.read(len(b"\x93NUMPY")) != b"\x93NUMPY":
                raise NpzError(f"its member {name!r} is not a .npy array (no NumPy header)")
        with archive.open(info) as member:
            return np.lib.format.read_array(member, allow_pickle=False)
    except NpzError:
        raise
    except ValueError as err:
        if "allow_pickle" in str(err):
            # NumPy's own message suggests allow_pickle=True: that would run code from the file.
            raise NpzError(
                f"its member {name!r} is an object array of pickled Python objects; loading "
                "it could run code hidden in the file, so tinygrad_edu refuses it"
            ) from None
        raise NpzError(f"its member {name!r} is not a valid .npy array ({err})") from None
    except ZIP_ERRORS as err:
        raise NpzError(f"its member {name!r} is truncated or corrupt ({err})") from None
