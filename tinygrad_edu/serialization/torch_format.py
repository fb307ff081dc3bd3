"""PyTorch's checkpoint files: the zip container of ``torch.save``, and its older format.

Since PyTorch 1.6 ``torch.save`` writes a zip archive (uncompressed), every record under one
top-level folder::

    archive/data.pkl            the pickled object; tensors refer to storages by key
    archive/byteorder           "little" or "big": the byte order of the storages
    archive/data/0, data/1 ...  one record per storage: its raw values
    archive/version             "3", and .format_version, .storage_alignment

Before 1.6 it wrote one stream: pickles of a magic number, a protocol version and the machine's
byte order, then the object, then the list of storage keys, then each storage's element count
and values. Both are read here with the weights-only unpickler; the zip format is also written.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable
from pickle import UnpicklingError
from typing import IO, Any

import numpy as np

from tinygrad_edu.device import check_device, device
from tinygrad_edu.serialization.files import ZIP_ERRORS
from tinygrad_edu.serialization.pickler import TorchPickler
from tinygrad_edu.serialization.torch_types import (
    ALLOWED,
    REBUILD_FUNCTIONS,
    REFUSED,
    Storage,
    StorageType,
    rebuild_from_type_v2,
)
from tinygrad_edu.serialization.unpickler import WeightsOnlyUnpickler

ARCHIVE = "archive"  # the top-level folder name torch.save uses when writing to a buffer
ALIGNMENT = 64  # storages start at multiples of 64 bytes, as torch.save aligns them (for mmap)
LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001
StorageHook = Callable[[Storage, str], Any] | None


class CheckpointError(RuntimeError):
    """The file is not a readable PyTorch checkpoint (RuntimeError, as torch.load raises)."""


# -- writing --------------------------------------------------------------------------------------


def write_torch_zip(f: IO[bytes], obj: Any) -> None:
    pickler = TorchPickler()
    data_pkl = pickler.dump(obj)
    records: list[tuple[str, bytes | np.ndarray]] = [
        ("data.pkl", data_pkl),
        (".format_version", b"1"),
        (".storage_alignment", str(ALIGNMENT).encode()),
        ("byteorder", b"little"),
        *((f"data/{key}", values) for key, values in pickler.storages.items()),
        ("version", b"3\n"),
    ]
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, payload in records:
            _write_record(archive, f, f"{ARCHIVE}/{name}", payload)


def _write_record(
    archive: zipfile.ZipFile, f: IO[bytes], name: str, payload: bytes | np.ndarray
) -> None:
    """One stored (uncompressed) member, its data padded to start at a multiple of ALIGNMENT.

    The padding goes into the local header's "extra" field, as PyTorch's own writer does it.
    """
    raw = memoryview(payload.view(np.uint8).data if isinstance(payload, np.ndarray) else payload)
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # same state, same bytes
    info.compress_type = zipfile.ZIP_STORED
    info.file_size = raw.nbytes
    zip64 = raw.nbytes * 1.05 > zipfile.ZIP64_LIMIT  # zipfile's own rule for a zip64 header
    try:
        header_end = f.tell() + 30 + len(name.encode()) + 4 + (20 if zip64 else 0)
    except (OSError, AttributeError):  # a stream without tell(): no alignment, still valid
        header_end = 4
    padding = -header_end % ALIGNMENT
    info.extra = struct.pack("<HH", 0x4246, padding) + b"Z" * padding
    with archive.open(info, "w", force_zip64=zip64) as member:
        member.write(raw)


# -- reading --------------------------------------------------------------------------------------


def _location_hook(map_location: Any) -> StorageHook:
    """torch.load's map_location, where the CPU is the only place a tensor can go."""
    if map_location is None:
        return None
    if isinstance(map_location, (str, device)):
        check_device(map_location)
        return None
    if isinstance(map_location, dict):
        for target in map_location.values():
            check_device(target)
        return None
    if callable(map_location):
        return map_location
    raise TypeError(
        f"map_location must be None, a device, a string, a dict or a function, "
        f"got {type(map_location).__name__}"
    )


class _Storages:
    """persistent_load: turn ('storage', type, key, location, numel) into a Storage, reading
    each key's bytes once (tensors that share a storage are views of one read)."""

    def __init__(self, read: Callable[[str, int], bytes], big_endian: bool, hook: StorageHook):
        self.read = read
        self.big_endian = big_endian
        self.hook = hook
        self.loaded: dict[str, Storage] = {}
        self.wanted: dict[str, tuple[StorageType, int]] = {}  # the dry run's findings

    def pid(self, saved_id: Any) -> tuple[StorageType, str, str, int]:
        """Check a persistent id from the file: ('storage', type, key, location, numel)."""
        if not (isinstance(saved_id, tuple) and len(saved_id) in (5, 6)) or not (
            isinstance(tag := _text(saved_id[0]), str) and tag == "storage"
        ):
            raise UnpicklingError("unsupported persistent id: only references to storages load")
        storage_type, key, location, numel = saved_id[1], *map(_text, saved_id[2:4]), saved_id[4]
        if len(saved_id) == 6 and saved_id[5] is not None:
            raise UnpicklingError("storage views (PyTorch before 0.4) are not supported")
        if not (
            isinstance(storage_type, StorageType)
            and isinstance(key, str)
            and isinstance(location, str)
            and isinstance(numel, int)
            and numel >= 0
        ):
            raise UnpicklingError("malformed storage reference (corrupt checkpoint)")
        return storage_type, key, location, numel

    def record(self, saved_id: Any) -> None:
        """The dry run's persistent_load: note what each storage must hold."""
        storage_type, key, _, numel = self.pid(saved_id)
        self.wanted[key] = (storage_type, numel)

    def __call__(self, saved_id: Any) -> Storage:
        storage_type, key, location, numel = self.pid(saved_id)
        element = storage_type.element
        if key in self.loaded:
            storage = self.loaded[key]
            if storage.element != element:
                raise UnpicklingError(
                    f"storage {key!r} is referred to as both {storage.element.name} and "
                    f"{element.name} (corrupt checkpoint)"
                )
            return storage
        nbytes = numel * element.raw.itemsize
        data = self.read(key, nbytes)
        if len(data) != nbytes:
            raise UnpicklingError(
                f"storage {key!r} should hold {numel} {element.name} values ({nbytes} bytes) but "
                f"its record has {len(data)} bytes (corrupt checkpoint)"
            )
        raw = np.frombuffer(data, dtype=element.raw.newbyteorder(">" if self.big_endian else "<"))
        native = raw.astype(raw.dtype.newbyteorder("="), copy=False)  # a view unless swapped
        storage = Storage(key, element, native, self.big_endian)
        if self.hook is not None:
            mapped = self.hook(storage, location)
            if mapped is not storage:
                raise TypeError(
                    "a map_location function must return the storage it is given: every tensor "
                    "stays on the CPU in tinygrad_edu"
                )
        self.loaded[key] = storage
        return storage


def read_torch_zip(source: IO[bytes], map_location: Any, encoding: str) -> Any:
    hook = _location_hook(map_location)
    try:
        archive = zipfile.ZipFile(source)
    except ZIP_ERRORS as err:
        raise CheckpointError(f"it is a truncated or corrupt zip archive ({err})") from None
    with archive:
        prefix = _prefix(archive)
        names = set(archive.namelist())
        order = b"little"
        if f"{prefix}byteorder" in names:
            order = _record(archive, f"{prefix}byteorder")
        if order not in (b"little", b"big"):
            raise CheckpointError(f"its byteorder record says {order[:20]!r}")

        def read(key: str, nbytes: int) -> bytes:
            name = f"{prefix}data/{key}"
            if name not in names:
                raise UnpicklingError(
                    f"storage {key!r} has no record {name!r} (corrupt checkpoint)"
                )
            size = archive.getinfo(name).file_size
            if size != nbytes:  # checked before reading it: the size may be anything
                raise UnpicklingError(
                    f"storage {key!r} should hold {nbytes} bytes but its record has {size} bytes "
                    "(corrupt checkpoint)"
                )
            return _record(archive, name)

        storages = _Storages(read, order == b"big", hook)
        data_pkl = _record(archive, f"{prefix}data.pkl")
        return WeightsOnlyUnpickler(data_pkl, ALLOWED, storages, REFUSED, encoding).load()


def _record(archive: zipfile.ZipFile, name: str) -> bytes:
    """One member's bytes; every way zipfile reports a damaged member becomes one error."""
    try:
        return archive.read(name)
    except ZIP_ERRORS as err:
        raise CheckpointError(f"its record {name!r} is corrupt ({err})") from None


def _prefix(archive: zipfile.ZipFile) -> str:
    """The top-level folder holding data.pkl (torch.save names it after the file)."""
    names = archive.namelist()
    folders = {name.split("/", 1)[0] for name in names}
    pickles = [name for name in names if name.count("/") == 1 and name.endswith("/data.pkl")]
    if any(name.endswith("/constants.pkl") for name in names):
        raise CheckpointError(
            "it is a TorchScript archive (torch.jit.save), which holds code; only checkpoints "
            "written by torch.save load here"
        )
    if len(pickles) != 1 or len(folders) != 1:
        raise CheckpointError(
            "it is a zip archive but not a PyTorch checkpoint (no single folder with a data.pkl)"
        )
    return pickles[0][: -len("data.pkl")]


def read_torch_legacy(data: bytes, map_location: Any, encoding: str) -> Any:
    hook = _location_hook(map_location)
    plain = WeightsOnlyUnpickler(data, {}, _no_storage, REFUSED, encoding)
    magic, protocol, sys_info = plain.load(), plain.load(), plain.load()
    if magic != LEGACY_MAGIC or protocol != LEGACY_PROTOCOL or not isinstance(sys_info, dict):
        raise CheckpointError("it starts like a PyTorch checkpoint of before 1.6 but is corrupt")
    big_endian = not sys_info.get("little_endian", True)
    start = plain.position

    # The storages come after the object, so a first, dry run of its pickle (rebuilding
    # nothing) finds which storages it needs, and of which dtype, and where its pickle ends.
    storages = _Storages(lambda key, n: b"", big_endian, hook)
    rebuilders = (*REBUILD_FUNCTIONS, rebuild_from_type_v2)
    dry = {
        name: _ignore if any(value is f for f in rebuilders) else value
        for name, value in ALLOWED.items()
    }
    dry_run = WeightsOnlyUnpickler(data, dry, storages.record, REFUSED, encoding, start)
    dry_run.load()
    keys_reader = WeightsOnlyUnpickler(data, {}, _no_storage, REFUSED, encoding, dry_run.position)
    keys = keys_reader.load()
    if not (isinstance(keys, list) and all(isinstance(k, str) for k in keys)):
        raise CheckpointError("its list of storage keys is corrupt")
    position = keys_reader.position
    records: dict[str, bytes] = {}
    for key in keys:
        if key not in storages.wanted:
            raise CheckpointError(f"it holds storage {key!r}, which the object never uses")
        storage_type, numel = storages.wanted[key]
        nbytes = numel * storage_type.element.raw.itemsize
        if position + 8 + nbytes > len(data):
            raise CheckpointError(f"storage {key!r} is truncated")
        (count,) = struct.unpack(">q" if big_endian else "<q", data[position : position + 8])
        if count != numel:
            raise CheckpointError(f"storage {key!r} holds {count} values, its tensors say {numel}")
        records[key] = data[position + 8 : position + 8 + nbytes]
        position += 8 + nbytes

    def read(key: str, nbytes: int) -> bytes:
        if key not in records:
            raise UnpicklingError(f"storage {key!r} is missing from the file (corrupt checkpoint)")
        return records[key]

    loader = _Storages(read, big_endian, hook)
    return WeightsOnlyUnpickler(data, ALLOWED, loader, REFUSED, encoding, start).load()


def _text(value: Any) -> Any:
    """A name as text: Python 2 pickles (read with encoding='bytes') give bytes."""
    return value.decode("ascii", "replace") if isinstance(value, bytes) else value


def _no_storage(saved_id: Any) -> Any:
    raise UnpicklingError("a storage reference where none belongs (corrupt checkpoint)")


def _ignore(*args: Any) -> None:
    return None
