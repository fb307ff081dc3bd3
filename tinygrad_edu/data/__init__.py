"""Data loading, as torch.utils.data: datasets, samplers, collation, the DataLoader; and two
small image datasets (scikit-learn's digits, MNIST). Also importable as
``tinygrad_edu.utils.data``, the path PyTorch code uses."""

from tinygrad_edu.data.collate import default_collate, default_convert
from tinygrad_edu.data.dataloader import DataLoader, get_worker_info
from tinygrad_edu.data.dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from tinygrad_edu.data.datasets import load_digits, load_mnist, read_idx
from tinygrad_edu.data.samplers import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "StackDataset",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "load_digits",
    "load_mnist",
    "random_split",
    "read_idx",
]
