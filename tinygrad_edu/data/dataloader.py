"""Datasets and the DataLoader that cuts them into (optionally shuffled) mini-batches.

The same names and semantics as ``torch.utils.data``: a ``Dataset`` has ``__len__`` and
``__getitem__``; a ``DataLoader`` yields batches, stacking the samples' fields into Tensors.
A ``TensorDataset`` takes a fast path: each batch is one fancy-indexing call per array, with no
Python loop over samples, which matters when the model itself is small.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from tinygrad_edu._tensor import Tensor
from tinygrad_edu.random import default_generator


class Dataset:
    """A collection of samples: subclasses define ``__len__`` and ``__getitem__(index)``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


def _array(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


class TensorDataset(Dataset):
    """Samples are rows of the given tensors: ``dataset[i] == (t[i] for t in tensors)``."""

    def __init__(self, *tensors: Tensor | np.ndarray) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        arrays = [_array(t) for t in tensors]
        for i, a in enumerate(arrays):
            if a.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {i} is 0-d; samples are its rows")
        sizes = [a.shape[0] for a in arrays]
        if len(set(sizes)) != 1:
            raise ValueError(f"TensorDataset: size mismatch between tensors, first dims {sizes}")
        # Tensors are kept (not copied), like PyTorch; arrays are copied into Tensors once.
        self.tensors = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in tensors)

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


def default_collate(samples: Sequence[Any]) -> Any:
    """Stack a list of samples into a batch, field by field, like torch's default_collate.

    Tensors and arrays are stacked along a new first dim; Python ints become int64, floats
    float32 (the library's default: torch makes float64 here, which would silently widen a float32
    model), bools bool; tuples and lists become a list of batched fields, dicts a dict.
    """
    first = samples[0]
    if isinstance(first, (Tensor, np.ndarray, np.generic)):
        return Tensor(np.stack([_array(s) for s in samples]))
    if isinstance(first, bool):
        return Tensor(np.array(samples, dtype=np.bool_))
    if isinstance(first, int):
        return Tensor(np.array(samples, dtype=np.int64))
    if isinstance(first, float):
        return Tensor(np.array(samples, dtype=np.float32))
    if isinstance(first, Mapping):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    if isinstance(first, (tuple, list)):
        if any(len(s) != len(first) for s in samples):
            raise ValueError("default_collate: samples in a batch have different numbers of fields")
        # A list of fields, as torch returns for both tuple and list samples.
        return [default_collate(list(field)) for field in zip(*samples)]
    raise TypeError(f"default_collate: cannot batch samples of type {type(first).__name__}")


class DataLoader:
    """Iterate over a dataset in mini-batches, like torch.utils.data.DataLoader.

    ``shuffle=True`` draws a new order every epoch from ``generator`` (a ``np.random.Generator``),
    or by default from the library's generator, so ``manual_seed`` makes runs reproducible.
    With ``drop_last=True`` the final, smaller batch is skipped.
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        generator: np.random.Generator | None = None,
    ) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(f"batch_size must be a positive int, got {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.generator = generator

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _order(self) -> np.ndarray:
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        # Looked up at each epoch, not at construction: a later manual_seed still takes effect.
        generator = self.generator if self.generator is not None else default_generator()
        return generator.permutation(n)

    def __iter__(self) -> Iterator[Any]:
        order = self._order()
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            index = order[start : start + self.batch_size]
            if isinstance(self.dataset, TensorDataset):
                # Fast path: one indexing call per array, no per-sample Python work. Indexing with an
                # array already copies, so the batch wraps that copy instead of copying it again.
                yield [Tensor._wrap(t.data[index], False, None) for t in self.dataset.tensors]
            else:
                yield default_collate([self.dataset[int(i)] for i in index])
