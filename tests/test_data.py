"""DataLoader/TensorDataset semantics, the IDX parser, and the digits/MNIST loaders."""

import gzip
import hashlib
import io
import struct
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from tinygrad_edu import Tensor, manual_seed
from tinygrad_edu.data import (
    DataLoader,
    Dataset,
    TensorDataset,
    default_collate,
    load_mnist,
    read_idx,
)
from tinygrad_edu.data import datasets as datasets_module

# -- DataLoader ---------------------------------------------------------------------------------


def _pairs(n: int) -> TensorDataset:
    x = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    y = np.arange(n, dtype=np.int64)
    return TensorDataset(x, y)


class PairList(Dataset):
    """A plain (non-Tensor) dataset, to exercise the per-sample path."""

    def __init__(self, n: int) -> None:
        self.x = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
        self.n = n

    def __getitem__(self, i: int) -> tuple[np.ndarray, int]:
        return self.x[i], i

    def __len__(self) -> int:
        return self.n


@pytest.mark.parametrize("n, batch_size", [(10, 3), (9, 3), (1, 4), (7, 1), (0, 2)])
@pytest.mark.parametrize("drop_last", [False, True])
def test_len_and_batches_follow_pytorch(n, batch_size, drop_last):
    loader = DataLoader(_pairs(n), batch_size=batch_size, drop_last=drop_last)
    expected_len = n // batch_size if drop_last else -(-n // batch_size)
    batches = list(loader)
    assert len(loader) == expected_len == len(batches)
    seen = [int(i) for _, y in batches for i in y.numpy()]
    kept = expected_len * batch_size if drop_last else n
    assert seen == list(range(kept))  # in order, each sample once
    for x, y in batches[:-1]:
        assert x.shape == (batch_size, 3) and y.shape == (batch_size,)
    if batches:
        last = batches[-1][1].shape[0]
        assert last == (batch_size if drop_last or n % batch_size == 0 else n % batch_size)


def test_batches_are_tensors_with_dtypes_kept():
    x, y = next(iter(DataLoader(_pairs(5), batch_size=4)))
    assert isinstance(x, Tensor) and isinstance(y, Tensor)
    assert x.dtype == np.float32 and y.dtype == np.int64
    assert not x.requires_grad
    np.testing.assert_array_equal(x.numpy(), np.arange(12, dtype=np.float32).reshape(4, 3))


def test_shuffle_is_a_permutation_reproducible_with_manual_seed():
    loader = DataLoader(_pairs(50), batch_size=8, shuffle=True)

    def epoch() -> list[int]:
        return [int(i) for _, y in loader for i in y.numpy()]

    manual_seed(123)
    first, second = epoch(), epoch()
    manual_seed(123)
    again = epoch()
    assert sorted(first) == list(range(50))
    assert first != list(range(50))  # shuffled (probability of identity: 1/50!)
    assert first != second  # a new order every epoch
    assert first == again  # but the same sequence after re-seeding


def test_shuffle_rows_stay_paired():
    manual_seed(0)
    for x, y in DataLoader(_pairs(20), batch_size=6, shuffle=True):
        np.testing.assert_array_equal(x.numpy()[:, 0], 3 * y.numpy())


def test_explicit_generator_is_used():
    def order(seed: int) -> list[int]:
        loader = DataLoader(
            _pairs(30), batch_size=30, shuffle=True, generator=np.random.default_rng(seed)
        )
        return [int(i) for i in next(iter(loader))[1].numpy()]

    manual_seed(1)
    a = order(7)
    manual_seed(2)  # the global seed does not matter when a generator is given
    assert order(7) == a
    assert order(8) != a


def test_generic_dataset_matches_tensor_dataset_fast_path():
    fast = list(DataLoader(_pairs(11), batch_size=4))
    slow = list(DataLoader(PairList(11), batch_size=4))
    assert len(fast) == len(slow) == 3
    for (xf, yf), (xs, ys) in zip(fast, slow):
        np.testing.assert_array_equal(xf.numpy(), xs.numpy())
        np.testing.assert_array_equal(yf.numpy(), ys.numpy())
        assert xs.dtype == np.float32 and ys.dtype == np.int64  # Python ints -> int64


def test_default_collate_types():
    batch = default_collate([{"a": 1.5, "b": True, "c": 2}, {"a": 2.5, "b": False, "c": 3}])
    assert batch["a"].dtype == np.float32  # not float64: Python floats do not widen the model
    assert batch["b"].dtype == np.bool_ and batch["c"].dtype == np.int64
    stacked = default_collate([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])])
    assert stacked.shape == (2, 2)
    with pytest.raises(TypeError, match="batch must contain tensors"):
        default_collate([object(), object()])


def test_tensor_dataset_indexing_and_errors():
    ds = _pairs(4)
    x, y = ds[2]
    np.testing.assert_array_equal(x.numpy(), [6, 7, 8])
    assert int(y.item()) == 2 and len(ds) == 4
    with pytest.raises(ValueError, match="size mismatch"):
        TensorDataset(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])  # (None turns batching off, as in torch)
def test_bad_batch_size(bad):
    with pytest.raises((TypeError, ValueError), match="batch_size"):
        DataLoader(_pairs(3), batch_size=bad)


# -- IDX files ----------------------------------------------------------------------------------


def _idx_bytes(array: np.ndarray, type_code: int) -> bytes:
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def _write(path: Path, payload: bytes, gz: bool) -> Path:
    path.write_bytes(gzip.compress(payload) if gz else payload)
    return path


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize(
    "array, code",
    [
        (np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4), 0x08),
        (np.array([-5, 7, 1 << 20], dtype=np.int32), 0x0C),
        (np.array([[0.5, -1.25], [3.0, 1e-3]], dtype=np.float32), 0x0D),
        (np.array([1.0, np.pi]), 0x0E),
    ],
)
def test_read_idx_round_trip(tmp_path, gz, array, code):
    path = _write(tmp_path / "data.idx", _idx_bytes(array, code), gz)
    out = read_idx(path)
    assert out.dtype == array.dtype.newbyteorder("=") and out.shape == array.shape
    np.testing.assert_array_equal(out, array)
    assert out.flags.writeable


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_wrong_magic(tmp_path, gz):
    good = _idx_bytes(np.zeros((2, 2), np.uint8), 0x08)
    for bad in (b"\x01" + good[1:], good[:2] + b"\x42" + good[3:]):
        path = _write(tmp_path / "bad.idx", bad, gz)
        with pytest.raises(ValueError, match="not an IDX file"):
            read_idx(path)


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_truncated_data_or_header(tmp_path, gz):
    good = _idx_bytes(np.arange(24, dtype=np.uint8).reshape(2, 3, 4), 0x08)
    for cut in (good[:-5], good[:9], good[:2]):
        path = _write(tmp_path / "cut.idx", cut, gz)
        with pytest.raises(ValueError, match="truncated"):
            read_idx(path)
    path = _write(tmp_path / "long.idx", good + b"\x00", gz)
    with pytest.raises(ValueError, match="longer than its header"):
        read_idx(path)


def test_read_idx_truncated_gzip_stream(tmp_path):
    compressed = gzip.compress(_idx_bytes(np.arange(1000, dtype=np.uint8), 0x08))
    path = tmp_path / "cut.gz"
    path.write_bytes(compressed[: len(compressed) // 2])
    with pytest.raises(ValueError, match="truncated or corrupt gzip"):
        read_idx(path)


# -- MNIST from a directory of (tiny, fake) IDX files -------------------------------------------


def _fake_mnist(directory: Path, n_train: int = 6, n_test: int = 4) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    directory.mkdir(parents=True, exist_ok=True)
    for i, (name, array) in enumerate(arrays.items()):
        gz = i % 2 == 0  # a mix of gzipped and raw files
        _write(directory / (name + (".gz" if gz else "")), _idx_bytes(array, 0x08), gz)
    return arrays


@pytest.mark.parametrize("layout", [".", "MNIST/raw"])
def test_load_mnist_from_idx_files(tmp_path, layout):
    raw = _fake_mnist(tmp_path / layout)
    (x_train, y_train), (x_test, y_test) = load_mnist(tmp_path)
    assert x_train.shape == (6, 784) and x_test.shape == (4, 784)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    np.testing.assert_allclose(
        x_train, raw["train-images-idx3-ubyte"].reshape(6, -1) / 255.0, rtol=1e-6
    )
    np.testing.assert_array_equal(y_test, raw["t10k-labels-idx1-ubyte"])
    (images, _), _ = load_mnist(tmp_path, flatten=False)
    assert images.shape == (6, 28, 28)


def test_load_mnist_label_count_mismatch(tmp_path):
    _fake_mnist(tmp_path)
    labels = np.zeros(5, np.uint8)  # 6 images, 5 labels
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx_bytes(labels, 0x08))
    with pytest.raises(ValueError, match="expected 6 labels"):
        load_mnist(tmp_path)


def test_load_mnist_missing_files_says_how_to_get_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="download=True"):
        load_mnist(tmp_path)


def test_load_mnist_download_offline_fails_clearly(tmp_path, monkeypatch):
    def offline(url, timeout=None):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(RuntimeError, match="offline"):
        load_mnist(tmp_path / "mnist", download=True)
    assert not any((tmp_path / "mnist").iterdir())  # nothing half-written


def test_load_mnist_download_rejects_bad_checksum(tmp_path, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout=None: io.BytesIO(b"junk"))
    with pytest.raises(RuntimeError, match="MD5"):
        load_mnist(tmp_path, download=True)


def test_load_mnist_download_saves_verified_files(tmp_path, monkeypatch):
    payloads = {}
    for name, array in _fake_mnist(tmp_path / "source").items():
        payloads[name + ".gz"] = gzip.compress(_idx_bytes(array, 0x08))
    monkeypatch.setattr(
        datasets_module,
        "MNIST_MD5",
        {name: hashlib.md5(data).hexdigest() for name, data in payloads.items()},
    )
    monkeypatch.setattr(
        urllib.request,
        "urlopen",
        lambda url, timeout=None: io.BytesIO(payloads[url.rsplit("/", 1)[1]]),
    )
    (x_train, _), (x_test, _) = load_mnist(tmp_path / "dest", download=True)
    assert x_train.shape == (6, 784) and x_test.shape == (4, 784)
    assert sorted(p.name for p in (tmp_path / "dest").iterdir()) == sorted(payloads)


# -- scikit-learn's digits ----------------------------------------------------------------------


def test_load_digits_split_and_dtypes():
    pytest.importorskip("sklearn")
    from tinygrad_edu.data import load_digits

    (x_train, y_train), (x_test, y_test) = load_digits()
    assert x_train.shape[1] == 64 and len(x_train) + len(x_test) == 1797
    assert len(x_test) == round(1797 * 0.2)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    assert x_train.min() >= 0.0 and x_train.max() == 1.0
    assert set(np.unique(y_test)) == set(range(10))
    (again, _), _ = load_digits()
    np.testing.assert_array_equal(again, x_train)  # the split is fixed
    (images, _), _ = load_digits(flatten=False)
    np.testing.assert_array_equal(images.reshape(len(images), -1), x_train)
    with pytest.raises(ValueError, match="test_size"):
        load_digits(test_size=1.5)
