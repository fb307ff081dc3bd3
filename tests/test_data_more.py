"""torch.utils.data's names under tinygrad_edu.utils.data: samplers, splits, the DataLoader's
arguments and collation, compared with PyTorch where it is installed; and IDX/MNIST errors."""

from __future__ import annotations

import collections
import random
import struct
import warnings
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import Tensor, manual_seed
from tinygrad_edu.utils.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    Sampler,
    SequentialSampler,
    StackDataset,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    default_convert,
    get_worker_info,
    random_split,
)


def _torch():
    return pytest.importorskip("torch")


# -- the import paths -------------------------------------------------------------------------


def test_utils_data_is_importable_as_in_pytorch():
    import tinygrad_edu.utils.data as utils_data

    assert utils_data.DataLoader is tinygrad_edu.data.DataLoader
    assert tinygrad_edu.utils.data.TensorDataset is tinygrad_edu.data.TensorDataset
    torch_like = tinygrad_edu  # `import tinygrad_edu as torch`
    assert torch_like.utils.data.random_split is random_split


def test_the_names_of_torch_utils_data():
    torch = _torch()
    ours = set(tinygrad_edu.utils.data.__all__)
    # Left out on purpose: the DataPipes API (deprecated in PyTorch), DistributedSampler (no
    # process groups here) and the private _DatasetKind.
    left_out = {"DistributedSampler", "_DatasetKind", "DFIterDataPipe", "DataChunk",
                "IterDataPipe", "MapDataPipe", "argument_validation", "functional_datapipe",
                "guaranteed_datapipes_determinism", "non_deterministic", "runtime_validation",
                "runtime_validation_disabled"}  # fmt: skip
    assert set(torch.utils.data.__all__) - ours == left_out


# -- samplers ---------------------------------------------------------------------------------


def test_sequential_and_batch_sampler_match_torch():
    assert list(SequentialSampler(range(5))) == [0, 1, 2, 3, 4]
    for drop_last in (False, True):
        ours = BatchSampler(SequentialSampler(range(10)), 3, drop_last)
        expected = [[0, 1, 2], [3, 4, 5], [6, 7, 8]] + ([] if drop_last else [[9]])
        assert list(ours) == expected and len(ours) == len(expected)
    assert list(BatchSampler([5, 1, 4, 2], 2, False)) == [[5, 1], [4, 2]]  # any iterable


def test_random_sampler_orders():
    rng = np.random.default_rng(0)
    sampler = RandomSampler(range(10), generator=rng)
    first, second = list(sampler), list(sampler)
    assert sorted(first) == sorted(second) == list(range(10)) and first != second
    again = list(RandomSampler(range(10), generator=np.random.default_rng(0)))
    assert again == first  # the generator decides the order
    long = list(RandomSampler(range(4), num_samples=10, generator=rng))
    assert len(long) == 10 and sorted(long[:4]) == sorted(long[4:8]) == [0, 1, 2, 3]
    with_replacement = RandomSampler(range(3), replacement=True, num_samples=50, generator=rng)
    drawn = list(with_replacement)
    assert len(drawn) == len(with_replacement) == 50 and set(drawn) == {0, 1, 2}


def test_random_sampler_follows_manual_seed():
    sampler = RandomSampler(range(20))
    manual_seed(3)
    a = list(sampler)
    manual_seed(3)
    assert list(sampler) == a


def test_subset_and_weighted_samplers():
    picked = list(SubsetRandomSampler([10, 20, 30], generator=np.random.default_rng(1)))
    assert sorted(picked) == [10, 20, 30]
    weighted = WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], 40, generator=np.random.default_rng(2))
    drawn = list(weighted)
    assert len(drawn) == 40 and set(drawn) == {1, 3}
    unique = list(WeightedRandomSampler([1, 1, 1, 1], 4, replacement=False))
    assert sorted(unique) == [0, 1, 2, 3]
    with pytest.raises(RuntimeError, match="without replacement"):
        list(WeightedRandomSampler([1.0, 0.0], 2, replacement=False))
    with pytest.raises(RuntimeError, match="non-negative"):
        list(WeightedRandomSampler([1.0, -1.0], 2))


def test_sampler_base_class():
    class Evens(Sampler[int]):
        def __init__(self, n: int) -> None:
            self.n = n

        def __iter__(self):
            return iter(range(0, self.n, 2))

        def __len__(self) -> int:
            return (self.n + 1) // 2

    loader = DataLoader(TensorDataset(np.arange(10)), batch_size=2, sampler=Evens(10))
    assert [b[0].tolist() for b in loader] == [[0, 2], [4, 6], [8]]
    with pytest.raises(NotImplementedError):
        iter(Sampler())


BAD_SAMPLERS = [
    ("RandomSampler", lambda m: m.RandomSampler(range(3), replacement=1)),
    ("RandomSampler", lambda m: m.RandomSampler(range(3), num_samples=0)),
    ("RandomSampler", lambda m: m.RandomSampler([], generator=None)),
    ("BatchSampler", lambda m: m.BatchSampler(range(3), 0, False)),
    ("BatchSampler", lambda m: m.BatchSampler(range(3), True, False)),
    ("BatchSampler", lambda m: m.BatchSampler(range(3), 2.5, False)),
    ("BatchSampler", lambda m: m.BatchSampler(range(3), 2, 1)),
    ("WeightedRandomSampler", lambda m: m.WeightedRandomSampler([1.0], 0)),
    ("WeightedRandomSampler", lambda m: m.WeightedRandomSampler([1.0], 1, replacement=None)),
    ("WeightedRandomSampler", lambda m: m.WeightedRandomSampler([[1.0]], 1)),
]


@pytest.mark.parametrize("name, make", BAD_SAMPLERS)
def test_bad_sampler_arguments_raise_what_torch_raises(name, make):
    with pytest.raises((TypeError, ValueError)) as ours:
        make(tinygrad_edu.utils.data)
    try:
        import torch.utils.data as theirs
    except ImportError:
        return
    with pytest.raises(Exception) as reference:
        make(theirs)
    assert type(ours.value) is type(reference.value), (ours.value, reference.value)


@pytest.mark.parametrize("bad", [random.Random(0), 3, "seed", np.random.RandomState(0)])
def test_generators_must_be_numpy_generators(bad):
    for make in (
        lambda: DataLoader(TensorDataset(np.arange(4)), shuffle=True, generator=bad),
        lambda: RandomSampler(range(4), generator=bad),
        lambda: SubsetRandomSampler([1, 2], generator=bad),
        lambda: random_split(range(4), [2, 2], generator=bad),
    ):
        with pytest.raises(TypeError, match=r"np\.random\.Generator"):
            make()


# -- the DataLoader's arguments ---------------------------------------------------------------

DATASET = list(range(10))  # a list is a map-style dataset too

BAD_LOADERS = [
    {"num_workers": -1},
    {"timeout": -1},
    {"prefetch_factor": 2},
    {"num_workers": 1, "prefetch_factor": -1},
    {"persistent_workers": True},
    {"multiprocessing_context": "spawn"},
    {"num_workers": 1, "multiprocessing_context": "no-such-method"},
    {"num_workers": 1, "multiprocessing_context": 3},
    {"shuffle": True, "sampler": [0, 1]},
    {"batch_sampler": [[0, 1]], "batch_size": 2},
    {"batch_sampler": [[0, 1]], "shuffle": True},
    {"batch_sampler": [[0, 1]], "sampler": [0, 1]},
    {"batch_sampler": [[0, 1]], "drop_last": True},
    {"batch_size": None, "drop_last": True},
    {"batch_size": 0},
    {"batch_size": -2},
    {"batch_size": 1.5},
    {"drop_last": "yes"},
]


@pytest.mark.parametrize("kwargs", BAD_LOADERS, ids=lambda k: ",".join(map(str, k.items())))
def test_bad_loader_arguments_raise_what_torch_raises(kwargs):
    with pytest.raises((TypeError, ValueError)) as ours:
        DataLoader(DATASET, **kwargs)
    try:
        import torch.utils.data as theirs
    except ImportError:
        return
    with pytest.raises(Exception) as reference:
        theirs.DataLoader(DATASET, **kwargs)
    assert type(ours.value) is type(reference.value), (ours.value, reference.value)


class Stream(IterableDataset):
    def __init__(self, n: int) -> None:
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self) -> int:
        return self.n


@pytest.mark.parametrize("kwargs", [{"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}])
def test_iterable_datasets_take_no_order(kwargs):
    with pytest.raises(ValueError, match="IterableDataset"):
        DataLoader(Stream(3), **kwargs)


def test_settings_cannot_change_after_construction():
    loader = DataLoader(DATASET, batch_size=2)
    with pytest.raises(ValueError, match="batch_size attribute should not be set"):
        loader.batch_size = 4
    loader.num_workers = 0  # others may change, as in torch


# -- the same batches as torch for the same orders --------------------------------------------


class Records(Dataset):
    """Samples of every kind default_collate handles."""

    Point = collections.namedtuple("Point", "x y")

    def __init__(self, n: int) -> None:
        self.n = n

    def __getitem__(self, i: int):
        features = np.arange(3, dtype=np.float32) + i
        return {
            "features": features,
            "label": i % 3,
            "weight": np.float64(i) / 2,
            "name": f"sample{i}",
            "pair": (i, [i * 2, True]),
            "point": self.Point(i, -i),
        }

    def __len__(self) -> int:
        return self.n


def _plain(value):
    """A batch as nested Python lists and NumPy arrays, to compare ours with torch's."""
    if hasattr(value, "numpy"):
        return value.detach().numpy() if hasattr(value, "detach") else value.numpy()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _assert_same_batches(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_equal(_plain(a), _plain(b))


ORDERS = [
    {"batch_size": 3},
    {"batch_size": 3, "drop_last": True},
    {"batch_size": 4, "sampler": [7, 0, 3, 3, 9, 1]},
    {"batch_sampler": [[4, 2], [0], [9, 8, 7, 6]]},
    {"batch_size": None, "sampler": [2, 5]},
    {"batch_size": 2, "num_workers": 2},  # in-process here, the same batches
]


@pytest.mark.parametrize("kwargs", ORDERS, ids=lambda k: ",".join(map(str, k.items())))
def test_tensor_dataset_batches_match_torch(kwargs):
    torch = _torch()
    x = np.arange(30, dtype=np.float32).reshape(10, 3)
    y = np.arange(10, dtype=np.int64)
    ours = list(DataLoader(TensorDataset(x, y), **kwargs))
    theirs_ds = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    theirs = list(torch.utils.data.DataLoader(theirs_ds, **kwargs))
    _assert_same_batches(ours, theirs)
    assert all(isinstance(t, Tensor) for batch in ours for t in batch)


@pytest.mark.parametrize("kwargs", ORDERS[:5], ids=lambda k: ",".join(map(str, k.items())))
def test_generic_dataset_batches_match_torch(kwargs):
    torch = _torch()
    ours = list(DataLoader(Records(10), **kwargs))
    theirs = list(torch.utils.data.DataLoader(Records(10), **kwargs))
    _assert_same_batches(ours, theirs)


def test_iterable_dataset_batches_match_torch():
    torch = _torch()

    class TorchStream(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(7))

        def __len__(self):
            return 7

    for kwargs in ({"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": None}):
        ours = DataLoader(Stream(7), **kwargs)
        theirs = torch.utils.data.DataLoader(TorchStream(), **kwargs)
        assert len(ours) == len(theirs)
        _assert_same_batches(list(ours), list(theirs))


def test_shuffled_epochs_are_permutations_and_rows_stay_paired():
    manual_seed(0)
    loader = DataLoader(
        TensorDataset(np.arange(20) * 10, np.arange(20)), batch_size=6, shuffle=True
    )
    seen = []
    for x, y in loader:
        np.testing.assert_array_equal(x.numpy(), 10 * y.numpy())
        seen += y.tolist()
    assert sorted(seen) == list(range(20)) and seen != list(range(20))


def test_a_tensor_dataset_subclass_keeps_its_getitem():
    class Doubled(TensorDataset):
        def __getitem__(self, index):
            (x,) = super().__getitem__(index)
            return (x * 2,)

    (batch,) = next(iter(DataLoader(Doubled(np.arange(4.0)), batch_size=4)))
    assert batch.tolist() == [0.0, 2.0, 4.0, 6.0]


def test_workers_run_in_process():
    calls = []
    loader = DataLoader(
        Records(4),
        batch_size=2,
        num_workers=3,
        worker_init_fn=calls.append,
        persistent_workers=True,
    )
    plain = DataLoader(Records(4), batch_size=2)
    _assert_same_batches(list(loader), list(plain))
    assert calls == [] and get_worker_info() is None


# -- collation ----------------------------------------------------------------------------------


def test_python_numbers_are_never_truncated():
    mixed = default_collate([1, 2.5])
    assert mixed.dtype == np.float32 and mixed.tolist() == [1.0, 2.5]
    ints = default_collate([True, 2])
    assert ints.dtype == np.int64 and ints.tolist() == [1, 2]
    assert default_collate([True, False]).dtype == np.bool_
    assert default_collate([2.5, 1]).dtype == np.float32  # (torch: float64; see collate.py)
    batches = list(DataLoader([1, 2.5, True, 2], batch_size=2))
    assert batches[0].tolist() == [1.0, 2.5] and batches[1].tolist() == [1, 2]


def test_numbers_collate_like_torch():
    torch = _torch()
    from torch.utils.data import default_collate as torch_collate

    for batch in ([1, 2.5], [True, 2], [True, False], [3, 4], [np.int32(1), np.int32(2)]):
        ours, theirs = default_collate(batch), torch_collate(batch)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        assert ours.dtype == theirs.numpy().dtype, batch
    assert torch.is_tensor(torch_collate([1.5]))


def test_collating_unequal_shapes_names_them():
    with pytest.raises(RuntimeError, match=r"\[3\] at entry 0 and \[2\] at entry 1"):
        default_collate([np.zeros(3), np.zeros(2)])
    with pytest.raises(RuntimeError, match=r"\[2, 2\] at entry 0 and \[2, 3\] at entry 2"):
        default_collate([Tensor(np.zeros((2, 2)))] * 2 + [Tensor(np.zeros((2, 3)))])
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([(1, 2), (1, 2, 3)])


@pytest.mark.parametrize(
    "batch", [[None, None], [np.array(["a"]), np.array(["b"])], [1, "a"], [2**70, 1]]
)
def test_what_cannot_be_batched(batch):
    with pytest.raises(TypeError, match="default_collate"):
        default_collate(batch)


def test_strings_namedtuples_and_mappings():
    batch = default_collate([Records(2)[0], Records(2)[1]])
    assert batch["name"] == ["sample0", "sample1"]
    assert type(batch["point"]) is Records.Point and batch["point"].y.tolist() == [0, -1]
    assert batch["pair"][1][1].dtype == np.bool_
    ordered = default_collate([collections.OrderedDict(b=1, a=2)] * 2)
    assert type(ordered) is collections.OrderedDict and list(ordered) == ["b", "a"]


def test_default_convert():
    converted = default_convert({"x": np.arange(3), "n": 1, "t": (np.float32(2), "s")})
    assert isinstance(converted["x"], Tensor) and converted["n"] == 1
    assert isinstance(converted["t"], list) and converted["t"][0].item() == 2.0


# -- splitting and combining datasets -----------------------------------------------------------


def test_random_split_with_lengths_and_fractions():
    parts = random_split(range(10), [3, 7], generator=np.random.default_rng(0))
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))
    again = random_split(range(10), [3, 7], generator=np.random.default_rng(0))
    assert again[0].indices == parts[0].indices  # the generator decides
    assert [len(p) for p in random_split(range(10), [0.25, 0.25, 0.5])] == [3, 2, 5]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert [len(p) for p in random_split(range(3), [0.9, 0.1])] == [3, 0]
    assert "Length of split at index 1 is 0" in str(caught[0].message)


@pytest.mark.parametrize("lengths", [[0.5, 0.5], [0.3, 0.7], [0.1, 0.1, 0.8], [3, 7], [1.0]])
def test_random_split_sizes_match_torch(lengths):
    torch = _torch()
    ours = [len(p) for p in random_split(range(10), lengths)]
    theirs = [len(p) for p in torch.utils.data.random_split(range(10), lengths)]
    assert ours == theirs


@pytest.mark.parametrize("lengths", [[3, 3], [0.5, 0.2], [1.5, -0.5], [11, -1]])
def test_random_split_refuses_lengths_that_do_not_fit(lengths):
    with pytest.raises(ValueError):
        random_split(range(10), lengths)


def test_subset_concat_stack_chain():
    base = list(range(100, 110))
    subset = Subset(base, [9, 0, 4])
    assert [subset[i] for i in range(3)] == [109, 100, 104] and len(subset) == 3
    assert subset.__getitems__([2, 0]) == [104, 109]
    both = ConcatDataset([base, subset])
    assert len(both) == 13 and both[10] == 109 and both[-1] == 104 and both[9] == 109
    with pytest.raises(ValueError, match="should not exceed"):
        both[-14]
    with pytest.raises(IndexError):
        both[13]
    with pytest.raises(ValueError, match="empty"):
        ConcatDataset([])
    added = TensorDataset(np.arange(2)) + TensorDataset(np.arange(3))
    assert isinstance(added, ConcatDataset) and len(added) == 5
    stacked = StackDataset(base, subset.indices * 3 + [0])
    assert stacked[1] == (101, 0)
    named = StackDataset(image=base, label=base)
    assert named[2] == {"image": 102, "label": 102}
    with pytest.raises(ValueError, match="Size mismatch"):
        StackDataset(base, [1])
    chained = Stream(2) + Stream(3)
    assert isinstance(chained, ChainDataset) and list(chained) == [0, 1, 0, 1, 2]
    assert len(chained) == 5


def test_loader_over_subsets_uses_getitems():
    class Counting(Dataset):
        def __init__(self) -> None:
            self.batches = []

        def __getitems__(self, indices):
            self.batches.append(list(indices))
            return [float(i) for i in indices]

        def __getitem__(self, i):
            raise AssertionError("a batch is fetched at once")

        def __len__(self) -> int:
            return 10

    inner = Counting()
    batches = list(DataLoader(Subset(inner, [9, 8, 7, 6]), batch_size=3))
    assert inner.batches == [[9, 8, 7], [6]]
    assert batches[0].tolist() == [9.0, 8.0, 7.0]


# -- IDX and MNIST files with the wrong contents --------------------------------------------------


def _idx(path: Path, type_code: int, shape: tuple[int, ...], payload: bytes) -> Path:
    header = bytes([0, 0, type_code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)
    path.write_bytes(header + payload)
    return path


@pytest.mark.parametrize(
    "shape, payload",
    [((0xFFFFFFFF,) * 4, b"\0" * 10), ((2**16,) * 4, b"\0" * 10), ((2**16,) * 4, b"")],
)
def test_idx_dims_that_overflow_int64(tmp_path, shape, payload):
    """The element count is 2**64 or more: NumPy's int64 product wraps (to 0, or negative)."""
    from tinygrad_edu.data import read_idx

    path = _idx(tmp_path / "huge.idx", 0x08, shape, payload)
    with pytest.raises(ValueError, match=r"huge\.idx' is truncated") as err:
        read_idx(path)
    assert f"needs {np.prod(shape, dtype=object)} bytes" in str(err.value)


def _mnist(directory: Path, image_code=0x08, label_code=0x08) -> Path:
    dtypes = {0x08: ">u1", 0x0D: ">f4", 0x0C: ">i4"}
    images = np.zeros((2, 28, 28), dtypes[image_code])
    labels = np.array([1, 7], dtypes[label_code])
    for prefix in ("train", "t10k"):
        _idx(directory / f"{prefix}-images-idx3-ubyte", image_code, images.shape, images.tobytes())
        _idx(directory / f"{prefix}-labels-idx1-ubyte", label_code, labels.shape, labels.tobytes())
    return directory


def test_mnist_with_float_labels_is_refused(tmp_path):
    from tinygrad_edu.data import load_mnist

    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte.*integers.*float32"):
        load_mnist(_mnist(tmp_path, label_code=0x0D))


@pytest.mark.parametrize("code", [0x0D, 0x0C])
def test_mnist_with_non_uint8_images_is_refused(tmp_path, code):
    from tinygrad_edu.data import load_mnist

    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte.*uint8"):
        load_mnist(_mnist(tmp_path, image_code=code))


def test_mnist_with_int32_labels_loads(tmp_path):
    from tinygrad_edu.data import load_mnist

    (_, y), _ = load_mnist(_mnist(tmp_path, label_code=0x0C))
    assert y.dtype == np.int64 and y.tolist() == [1, 7]
