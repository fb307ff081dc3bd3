"""Small image datasets as NumPy arrays: scikit-learn's 8x8 digits (offline) and MNIST (IDX files).

Both loaders return ``(x_train, y_train), (x_test, y_test)``, as ``keras.datasets.mnist.load_data``
does: images as float32 scaled to [0, 1] (flattened to one row per image unless
``flatten=False``), labels as int64, the dtype cross-entropy expects for class indices.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import tempfile
import urllib.error
import urllib.request
from functools import lru_cache
from pathlib import Path

import numpy as np

Split = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

# -- IDX: the file format of MNIST ----------------------------------------------------------------
#
# Big-endian. Bytes 0-1 are zero, byte 2 says the element type, byte 3 the number of dims; then one
# uint32 per dim, then the elements in C order.
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed if it is gzipped (told by its content, not its name)."""
    raw = path.read_bytes()
    if not raw.startswith(GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, gzip.BadGzipFile, OSError) as err:
        raise ValueError(f"{str(path)!r} is a truncated or corrupt gzip file: {err}") from None


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read one IDX file (raw or gzipped) into an array of its native type, in native byte order."""
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise ValueError(
            f"{str(path)!r} is truncated: {len(data)} bytes, too short for an IDX header"
        )
    zero0, zero1, type_code, ndim = data[:4]
    if zero0 != 0 or zero1 != 0 or type_code not in IDX_DTYPES:
        raise ValueError(
            f"{str(path)!r} is not an IDX file: magic number {data[:4].hex()} should be 0000 then a "
            f"type code ({', '.join(f'{c:02x}' for c in IDX_DTYPES)}) and the number of dims"
        )
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise ValueError(
            f"{str(path)!r} is truncated: its header needs {header_size} bytes, found {len(data)}"
        )
    shape = tuple(int(n) for n in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_DTYPES[type_code]
    # math.prod of Python ints: np.prod would wrap around in int64 for huge (corrupt) dims.
    expected = math.prod(shape) * dtype.itemsize
    found = len(data) - header_size
    if found != expected:
        problem = "truncated" if found < expected else "longer than its header says"
        raise ValueError(
            f"{str(path)!r} is {problem}: shape {shape} of {dtype.name} needs {expected} bytes "
            f"of data, found {found}"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header_size).reshape(shape)
    return array.astype(dtype.newbyteorder("="))  # a writable copy in the machine's byte order


# -- scikit-learn's digits ------------------------------------------------------------------------


def _split(x: np.ndarray, y: np.ndarray, test_size: float, seed: int) -> Split:
    """A fixed random train/test split: its own seeded generator, untouched by manual_seed."""
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must be between 0 and 1, got {test_size}")
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = round(len(x) * test_size)
    test, train = order[:n_test], order[n_test:]
    return (x[train], y[train]), (x[test], y[test])


@lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError:
        raise ImportError(
            "load_digits needs scikit-learn, which ships the 8x8 digits data set: "
            "pip install scikit-learn (or pip install 'tinygrad_edu[examples]')"
        ) from None
    bunch = sklearn_digits()
    images = (np.asarray(bunch.images) / 16.0).astype(np.float32)  # pixels are 0..16
    return images, np.asarray(bunch.target, dtype=np.int64)


def load_digits(test_size: float = 0.2, seed: int = 0, flatten: bool = True) -> Split:
    """The 1797 8x8 handwritten digits bundled with scikit-learn (no download needed).

    Returns ``(x_train, y_train), (x_test, y_test)``: images float32 in [0, 1], shape (n, 64), or
    (n, 8, 8) with ``flatten=False``; labels int64 in 0..9. The split is the same on every call
    (``seed`` fixes it; ``test_size`` is the fraction held out, 359 test images by default).
    """
    images, labels = _digits()
    x = images.reshape(len(images), -1) if flatten else images.copy()
    return _split(x, labels.copy(), test_size, seed)


# -- MNIST ----------------------------------------------------------------------------------------

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
# MD5 of the gzipped originals, so a broken or tampered download is caught.
MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)


def _find(root: Path, name: str) -> Path | None:
    """Look for ``name`` or ``name.gz`` in root, and in root/MNIST/raw (torchvision's layout)."""
    for directory in (root, root / "MNIST" / "raw"):
        for candidate in (directory / name, directory / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    return None


def _download(root: Path, filename: str) -> None:
    """Fetch one gzipped file, check its MD5, and move it into place only when complete."""
    errors = []
    for mirror in MNIST_MIRRORS:
        url = mirror + filename
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                payload = response.read()
        except (urllib.error.URLError, OSError) as err:
            errors.append(f"{url}: {err}")
            continue
        if hashlib.md5(payload).hexdigest() != MNIST_MD5[filename]:
            errors.append(f"{url}: MD5 checksum mismatch (corrupt download)")
            continue
        fd, tmp = tempfile.mkstemp(prefix=f".{filename}.", suffix=".tmp", dir=root)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
            os.replace(tmp, root / filename)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return
    raise RuntimeError(
        f"could not download {filename} (is this machine offline?). Tried:\n  "
        + "\n  ".join(errors)
        + f"\nDownload the four MNIST files by hand into {str(root)!r}, or use load_digits()."
    )


def load_mnist(root: str | os.PathLike[str], download: bool = False, flatten: bool = True) -> Split:
    """MNIST's 60000 training and 10000 test images, read from the standard IDX files in ``root``.

    The files (``train-images-idx3-ubyte`` etc., gzipped or not) are looked for in ``root`` and in
    ``root/MNIST/raw``. With ``download=True`` missing ones are fetched into ``root`` first.
    Returns ``(x_train, y_train), (x_test, y_test)``: images float32 in [0, 1], shape (n, 784) or
    (n, 28, 28) with ``flatten=False``; labels int64.
    """
    root = Path(root)
    paths: dict[str, Path] = {}
    for key, name in MNIST_FILES.items():
        found = _find(root, name)
        if found is None and download:
            root.mkdir(parents=True, exist_ok=True)
            _download(root, name + ".gz")
            found = root / f"{name}.gz"
        if found is None:
            raise FileNotFoundError(
                f"MNIST file {name}[.gz] not found in {str(root)!r} (nor in its MNIST/raw); "
                f"pass download=True to fetch it, or copy the files there"
            )
        paths[key] = found

    def images(key: str) -> np.ndarray:
        x = read_idx(paths[key])
        if x.ndim != 3:
            raise ValueError(f"{str(paths[key])!r}: expected images (n, rows, cols), got {x.shape}")
        if x.dtype != np.uint8:  # pixels 0..255: dividing anything else by 255 is meaningless
            raise ValueError(
                f"{str(paths[key])!r}: MNIST images must be uint8 pixels (IDX type 0x08), "
                f"got {x.dtype}"
            )
        x = (x / np.float32(255.0)).astype(np.float32)
        return x.reshape(len(x), -1) if flatten else x

    def labels(key: str, n: int) -> np.ndarray:
        y = read_idx(paths[key])
        if y.dtype.kind not in "iu":  # float labels would be truncated to class indices
            raise ValueError(
                f"{str(paths[key])!r}: MNIST labels must be integers (IDX type 0x08), got {y.dtype}"
            )
        if y.shape != (n,):
            raise ValueError(f"{str(paths[key])!r}: expected {n} labels, got shape {y.shape}")
        if y.size and y.min() < 0:
            raise ValueError(f"{str(paths[key])!r}: labels must be class indices >= 0")
        return y.astype(np.int64)

    x_train, x_test = images("train_images"), images("test_images")
    return (x_train, labels("train_labels", len(x_train))), (
        x_test,
        labels("test_labels", len(x_test)),
    )
