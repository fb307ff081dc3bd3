"""The DataLoader: a dataset, cut into batches in the order a sampler gives, as in PyTorch.

Its arguments and their checks are ``torch.utils.data.DataLoader``'s. An epoch is::

    for indices in batch_sampler:        # e.g. BatchSampler(RandomSampler(dataset), 32, False)
        yield collate_fn([dataset[i] for i in indices])

A ``TensorDataset`` with the default collation takes a fast path: each batch is one
fancy-indexing call per tensor, with no Python loop over samples, which matters when the model
itself is small.

Loading always happens in the calling process. ``num_workers > 0`` is accepted and loads the
same batches in the same order, in-process: no worker processes start, ``worker_init_fn`` is
not called and ``get_worker_info()`` is None, exactly as with ``num_workers=0``. ``pin_memory``,
``timeout``, ``prefetch_factor`` and ``persistent_workers`` are checked as PyTorch checks them
and have nothing to do on the CPU.
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

import numpy as np

from tinygrad_edu._tensor import Tensor
from tinygrad_edu.data.collate import default_collate, default_convert
from tinygrad_edu.data.dataset import Dataset, IterableDataset, TensorDataset
from tinygrad_edu.data.samplers import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    check_generator,
)

T_co = TypeVar("T_co", covariant=True)
# Set once in __init__; PyTorch refuses to change them afterwards, since the batch sampler was
# built from them.
FROZEN = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")


def get_worker_info() -> None:
    """None: data is always loaded in the main process here (see the module docstring)."""
    return None


class DataLoader(Generic[T_co]):
    """Iterate over ``dataset`` in batches, like torch.utils.data.DataLoader.

    ``shuffle=True`` draws a new order every epoch from ``generator`` (a
    ``np.random.Generator``) or, by default, from the library's generator, so ``manual_seed``
    makes runs reproducible. ``sampler`` or ``batch_sampler`` choose the order instead;
    ``batch_size=None`` turns batching off (each sample goes through ``default_convert``).
    """

    def __init__(
        self,
        dataset: Dataset[T_co],
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler[Any] | Iterable[Any] | None = None,
        batch_sampler: Sampler[list[Any]] | Iterable[list[Any]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[Any], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: np.random.Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if isinstance(num_workers, bool) or not isinstance(num_workers, int):
            raise TypeError(f"num_workers must be an int, got {num_workers!r}")
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable "
                "multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing. let "
                "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        if prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        _check_context(multiprocessing_context, num_workers)
        check_generator(generator, "DataLoader")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"collate_fn must be callable, got {type(collate_fn).__name__}")

        if isinstance(dataset, IterableDataset):  # a stream comes in its own order
            options = {
                "shuffle": None if shuffle is False else shuffle,
                "sampler": sampler,
                "batch_sampler": batch_sampler,
            }
            for name, value in options.items():
                if value is not None:
                    raise ValueError(
                        f"DataLoader with IterableDataset: expected unspecified {name} option, "
                        f"but got {name}={value}"
                    )
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with "
                "drop_last"
            )
        if sampler is None and not isinstance(dataset, IterableDataset):
            sampler = (
                RandomSampler(dataset, generator=generator)
                if shuffle
                else SequentialSampler(dataset)
            )
        if batch_size is not None and batch_sampler is None:
            if isinstance(dataset, IterableDataset):
                BatchSampler([], batch_size, drop_last)  # the same checks of batch_size, drop_last
            else:
                batch_sampler = BatchSampler(sampler, batch_size, drop_last)  # type: ignore[arg-type]

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        if collate_fn is None:  # batches are collated; single samples only converted
            batched = batch_size is not None or batch_sampler is not None
            collate_fn = default_collate if batched else default_convert
        self.collate_fn: Callable[[Any], Any] = collate_fn
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self._initialized = True

    def __setattr__(self, name: str, value: Any) -> None:
        if self.__dict__.get("_initialized") and name in FROZEN:
            raise ValueError(
                f"{name} attribute should not be set after {type(self).__name__} is initialized"
            )
        super().__setattr__(name, value)

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)  # type: ignore[arg-type]
        return len(self.sampler)  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[Any]:
        if isinstance(self.dataset, IterableDataset):
            return self._stream()
        if self.batch_sampler is None:  # batch_size=None: one sample at a time
            sampler: Iterable[Any] = self.sampler  # type: ignore[assignment]
            return (self.collate_fn(self.dataset[i]) for i in sampler)
        if self._tensor_fast_path():
            tensors = self.dataset.tensors  # type: ignore[attr-defined]
            return (
                [Tensor._plain(t.data[np.asarray(indices, dtype=np.intp)]) for t in tensors]
                for indices in self.batch_sampler
            )
        return (self.collate_fn(self._fetch(indices)) for indices in self.batch_sampler)

    def _tensor_fast_path(self) -> bool:
        """A TensorDataset whose rows default_collate would stack: index all rows at once.
        (Indexing with an array already copies, so the batch wraps that copy.)"""
        kind = type(self.dataset)
        return (
            isinstance(self.dataset, TensorDataset)
            and kind.__getitem__ is TensorDataset.__getitem__
            and not hasattr(kind, "__getitems__")
            and self.collate_fn is default_collate
        )

    def _fetch(self, indices: list[Any]) -> list[Any]:
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems):
            return list(getitems(indices))
        return [self.dataset[i] for i in indices]

    def _stream(self) -> Iterator[Any]:
        samples = iter(self.dataset)
        if self.batch_size is None:
            yield from (self.collate_fn(sample) for sample in samples)
            return
        while batch := [sample for _, sample in zip(range(self.batch_size), samples)]:
            if len(batch) < self.batch_size and self.drop_last:
                return
            yield self.collate_fn(batch)


def _check_context(context: Any, num_workers: int) -> None:
    if context is None:
        return
    if num_workers == 0:
        raise ValueError(
            "multiprocessing_context can only be used with multi-process loading "
            f"(num_workers > 0), but got num_workers={num_workers}"
        )
    if isinstance(context, str):
        methods = multiprocessing.get_all_start_methods()
        if context not in methods:
            raise ValueError(
                f"multiprocessing_context option should specify a valid start method in "
                f"{methods!r}, but got multiprocessing_context={context!r}"
            )
    elif not isinstance(context, multiprocessing.context.BaseContext):
        raise TypeError(
            "multiprocessing_context option should be a valid context object or a string "
            f"specifying the start method, but got multiprocessing_context={context}"
        )
