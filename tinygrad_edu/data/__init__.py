"""Data loading, like torch.utils.data: Dataset, TensorDataset, DataLoader; and small data sets."""

from tinygrad_edu.data.dataloader import DataLoader, Dataset, TensorDataset, default_collate
from tinygrad_edu.data.datasets import load_digits, load_mnist, read_idx

__all__ = [
    "DataLoader",
    "Dataset",
    "TensorDataset",
    "default_collate",
    "load_digits",
    "load_mnist",
    "read_idx",
]
