"""The random generator behind randn/rand, initialisation and shuffling: seeded by manual_seed."""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed every random draw the library makes, for reproducible runs (like torch.manual_seed)."""
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def default_generator() -> np.random.Generator:
    """The generator that factories, initialisers and data loaders draw from."""
    return _generator
