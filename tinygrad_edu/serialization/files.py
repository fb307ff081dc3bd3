"""The file side of checkpoints: atomic writes that keep the file's mode, and telling a file's
format from its first bytes (so an error can say what a file is, not only what it is not)."""

from __future__ import annotations

import os
import secrets
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO

PathLike = str | os.PathLike[str]

# The first bytes of each format.
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with members / an empty zip
NPY_MAGIC = b"\x93NUMPY"
GZIP_MAGIC = b"\x1f\x8b"
# torch.save's format before PyTorch 1.6: a pickled magic number (0x1950a86a20f9469cfc6c) first.
TORCH_LEGACY_MAGIC = b"\x80\x02\x8a\x0a" + (0x1950A86A20F9469CFC6C).to_bytes(10, "little")
SAFETENSORS_MAX_HEADER = 100_000_000  # the limit the safetensors library itself enforces
HEAD_SIZE = 512  # enough bytes to recognise every format above (tar's mark is at byte 257)
# Every way zipfile reports a damaged archive or member (a crafted header can reach each one).
ZIP_ERRORS = (
    zipfile.BadZipFile,
    NotImplementedError,
    RuntimeError,
    OSError,
    EOFError,
    ValueError,
    OverflowError,
    zlib.error,
)


def atomic_write(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write to a temporary file next to ``path``, then rename it over ``path`` in one step.

    os.replace is atomic when both names are on the same file system, which is why the temporary
    file sits in the target's own directory rather than in /tmp. The new file gets the mode a
    plain ``open(path, "wb")`` would give: an existing file's mode is kept, a new file follows
    the umask. (tempfile.mkstemp would make every checkpoint private, mode 0600.)
    """
    directory = path.parent
    if not directory.is_dir():
        raise FileNotFoundError(
            f"cannot save to {str(path)!r}: directory {str(directory)!r} does not exist"
        )
    if path.is_dir():
        raise IsADirectoryError(f"cannot save to {str(path)!r}: it is a directory")
    try:
        mode: int | None = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = None
    # The OS applies the umask to the mode asked for here, so a new file is never created more
    # open than it will end up, not even while it is being written.
    fd, tmp_name = _create_temp(directory, path.name, 0o666 if mode is None else mode)
    try:
        with os.fdopen(fd, "wb") as f:
            if mode is not None and stat.S_IMODE(os.fstat(f.fileno()).st_mode) != mode:
                os.chmod(tmp_name, mode)  # the umask took bits away that the old file had
            write(f)
            f.flush()
            os.fsync(f.fileno())  # the bytes reach the disk before the name points at them
        os.replace(tmp_name, path)
    except BaseException:
        # Whatever went wrong (even KeyboardInterrupt), the old file is untouched: drop the temp.
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _create_temp(directory: Path, name: str, mode: int) -> tuple[int, str]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp_name = str(directory / f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp_name, flags, mode), tmp_name
        except FileExistsError:  # a name another writer is using: draw another
            continue


def read_head(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(HEAD_SIZE)


def sniff(head: bytes) -> str:
    """The format the first bytes of a file announce: 'zip', 'npy', 'safetensors',
    'torch-legacy', 'pickle', 'gzip', 'tar', 'empty', 'text' or 'unknown'."""
    if not head:
        return "empty"
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(NPY_MAGIC):
        return "npy"
    if head.startswith(TORCH_LEGACY_MAGIC):
        return "torch-legacy"
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if len(head) > 262 and head[257:262] == b"ustar":
        return "tar"
    if len(head) >= 9 and head[8:9] == b"{":
        (header_size,) = struct.unpack("<Q", head[:8])
        if header_size <= SAFETENSORS_MAX_HEADER:
            return "safetensors"
    if head[0] == 0x80 and len(head) > 1 and 2 <= head[1] <= 5:  # PROTO 2..5
        return "pickle"
    if _looks_like_text(head):
        return "text"
    return "unknown"


def _looks_like_text(head: bytes) -> bool:
    text = head.decode("utf-8", errors="ignore")  # a character cut at the end is dropped
    return len(text) >= len(head) // 2 and all(c.isprintable() or c in "\t\r\n" for c in text)


DESCRIPTIONS = {
    "npz": "a NumPy .npz archive",
    "torch": "a PyTorch checkpoint (torch.save's zip format)",
    "torch-legacy": "a PyTorch checkpoint in the format before PyTorch 1.6",
    "torchscript": "a TorchScript archive (torch.jit.save)",
    "zip": "a zip archive that is neither an .npz nor a PyTorch checkpoint",
    "npy": "a single NumPy .npy array (np.save), not a checkpoint",
    "safetensors": "a safetensors file",
    "pickle": "a Python pickle, not a checkpoint",
    "gzip": "a gzip-compressed file",
    "tar": "a tar archive (PyTorch's format before 0.4, or another tar file)",
    "empty": "an empty file",
    "text": "a text file",
    "unknown": "not a file format tinygrad_edu knows",
}
