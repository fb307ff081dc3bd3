"""``.safetensors``, read and written in NumPy: the format is simple enough to need no package.

A file is an 8-byte little-endian length N, then N bytes of JSON, then the tensors' bytes::

    {"__metadata__": {"key": "text"},
     "fc.weight": {"dtype": "F32", "shape": [3, 4], "data_offsets": [0, 48]}, ...}

Offsets count from the first byte after the JSON; the tensors cover that buffer exactly, with no
gaps or overlaps; values are little-endian, in C order. A file can hold no code at all.

bfloat16 (``BF16``, what PyTorch writes for bf16 weights) has no NumPy dtype: it is read as
float32, exactly (a bfloat16 is the top half of the float32 with the same value).
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np

from tinygrad_edu.serialization.files import SAFETENSORS_MAX_HEADER

DTYPES: dict[str, np.dtype] = {
    "BOOL": np.dtype(np.bool_),
    "U8": np.dtype("<u1"),
    "I8": np.dtype("<i1"),
    "I16": np.dtype("<i2"),
    "U16": np.dtype("<u2"),
    "F16": np.dtype("<f2"),
    "BF16": np.dtype("<u2"),  # the raw bits; widened to float32 by bfloat16_to_float32
    "I32": np.dtype("<i4"),
    "U32": np.dtype("<u4"),
    "F32": np.dtype("<f4"),
    "I64": np.dtype("<i8"),
    "U64": np.dtype("<u8"),
    "F64": np.dtype("<f8"),
    "C64": np.dtype("<c8"),
}
NAMES = {dtype.newbyteorder("="): name for name, dtype in DTYPES.items() if name != "BF16"}
METADATA_KEY = "__metadata__"


class SafetensorsError(ValueError):
    """The file is not valid safetensors (the caller adds the path)."""


def bfloat16_to_float32(bits: np.ndarray) -> np.ndarray:
    """bfloat16 values, given as their uint16 bit patterns, as float32: the same numbers."""
    return (bits.astype(np.uint32) << 16).view(np.float32)


def write_safetensors(
    f: IO[bytes], arrays: Mapping[str, np.ndarray], metadata: Mapping[str, str] | None
) -> None:
    for key, array in arrays.items():
        if array.dtype.newbyteorder("=") not in NAMES:
            raise TypeError(f"save: {key!r} has dtype {array.dtype}, which safetensors cannot hold")
        try:
            key.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"save: the key {key!r} is not valid UTF-8 text") from None
    # Largest items first, then by name, as the safetensors library orders them: every tensor
    # then starts at a multiple of its item size (the header is padded to a multiple of 8).
    order = sorted(arrays, key=lambda k: (-arrays[k].dtype.itemsize, k))
    header: dict[str, Any] = {}
    if metadata:
        header[METADATA_KEY] = dict(metadata)
    offset = 0
    for key in order:
        array = arrays[key]
        name = NAMES[array.dtype.newbyteorder("=")]
        header[key] = {
            "dtype": name,
            "shape": list(array.shape),
            "data_offsets": [offset, offset + array.nbytes],
        }
        offset += array.nbytes
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    for key in order:
        array = arrays[key]
        little = array.astype(array.dtype.newbyteorder("<"), copy=False)
        f.write(np.ascontiguousarray(little).tobytes())


def read_safetensors(source: Path | IO[bytes]) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """The arrays in the file's order, and its metadata. Raises SafetensorsError."""
    data = source.read_bytes() if isinstance(source, Path) else source.read()
    if len(data) < 8:
        raise SafetensorsError(f"it is truncated: {len(data)} bytes, too short for a header")
    (size,) = struct.unpack("<Q", data[:8])
    if size > SAFETENSORS_MAX_HEADER or 8 + size > len(data):
        raise SafetensorsError(
            f"it is truncated or corrupt: its header claims {size} bytes, the file has "
            f"{len(data) - 8} after the length"
        )
    try:
        header = json.loads(data[8 : 8 + size].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise SafetensorsError(f"its header is not valid JSON ({err})") from None
    if not isinstance(header, dict):
        raise SafetensorsError("its header is not a JSON object")
    metadata = header.pop(METADATA_KEY, None) or {}
    if not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise SafetensorsError("its __metadata__ is not a mapping of strings to strings")
    buffer = memoryview(data)[8 + size :]
    spans = []
    arrays: dict[str, np.ndarray] = {}
    for key, entry in header.items():
        dtype, shape, (begin, end) = _entry(key, entry)
        if not 0 <= begin <= end <= len(buffer):
            raise SafetensorsError(
                f"{key!r} lies at bytes {begin}..{end}, outside the {len(buffer)}-byte data "
                "(the file is truncated or corrupt)"
            )
        if end - begin != math.prod(shape) * dtype.itemsize:
            raise SafetensorsError(
                f"{key!r} has shape {shape} of {entry['dtype']} but {end - begin} bytes of data"
            )
        spans.append((begin, end, key))
        array = np.frombuffer(buffer[begin:end], dtype=dtype).reshape(shape)
        if entry["dtype"] == "BF16":
            arrays[key] = bfloat16_to_float32(array)
        else:
            arrays[key] = array.astype(dtype.newbyteorder("="))  # a copy, in native order
    _check_coverage(sorted(spans), len(buffer))
    return arrays, metadata


def _entry(key: str, entry: Any) -> tuple[np.dtype, tuple[int, ...], tuple[int, int]]:
    if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
        raise SafetensorsError(f"its header entry for {key!r} is malformed: {entry!r}")
    name, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if name not in DTYPES:
        known = ", ".join(DTYPES)
        raise SafetensorsError(
            f"{key!r} has dtype {name!r}, which tinygrad_edu cannot hold (it reads {known})"
        )
    if not (isinstance(shape, list) and all(_is_size(n) for n in shape)):
        raise SafetensorsError(f"{key!r} has an invalid shape {shape!r}")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(map(_is_size, offsets))):
        raise SafetensorsError(f"{key!r} has invalid data_offsets {offsets!r}")
    return DTYPES[name], tuple(shape), (offsets[0], offsets[1])


def _is_size(n: Any) -> bool:
    return isinstance(n, int) and not isinstance(n, bool) and n >= 0


def _check_coverage(spans: list[tuple[int, int, str]], size: int) -> None:
    """The tensors must tile the data exactly, as the format requires: no hidden bytes."""
    position = 0
    for begin, end, key in spans:
        if begin != position:
            what = "overlaps another tensor" if begin < position else "leaves a gap before it"
            raise SafetensorsError(f"{key!r} {what} (corrupt file)")
        position = end
    if position != size:
        raise SafetensorsError(f"{size - position} bytes after the last tensor (corrupt file)")
