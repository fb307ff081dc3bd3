"""The random generator behind randn/rand, initialisation and shuffling: seeded by manual_seed."""

from __future__ import annotations

import operator

import numpy as np

_UINT64 = 2**64


def _fresh_seed() -> int:
    """A seed from the operating system's entropy, as PyTorch picks at start and in seed()."""
    return int(np.random.SeedSequence().generate_state(1, np.uint64)[0])


_initial_seed = _fresh_seed()
_generator = np.random.default_rng(_initial_seed)


def manual_seed(seed: int) -> np.random.Generator:
    """Seed every random draw the library makes, for reproducible runs (like torch.manual_seed).

    As in PyTorch, a negative seed is taken as its 64-bit two's complement (-1 is 2**64 - 1),
    and one outside [-2**63, 2**64) is refused. The same seed gives different numbers than
    PyTorch's: the generator is NumPy's."""
    global _generator, _initial_seed
    try:
        value = operator.index(seed)
    except TypeError:
        value = int(seed)  # PyTorch accepts what int() takes, e.g. a float or a string of digits
    if not -(2**63) <= value < _UINT64:
        raise ValueError(f"manual_seed: seed {value} does not fit in 64 bits")
    _initial_seed = value % _UINT64
    _generator = np.random.default_rng(_initial_seed)
    return _generator


def seed() -> int:
    """Seed the generator from the operating system's entropy and return the seed (torch.seed)."""
    new = _fresh_seed()
    manual_seed(new)
    return new


def initial_seed() -> int:
    """The seed the generator started from: the last manual_seed (or seed()), else the one
    picked at import from the operating system's entropy (as torch.initial_seed)."""
    return _initial_seed


def default_generator() -> np.random.Generator:
    """The generator that factories, initialisers and data loaders draw from."""
    return _generator


def generator_arg(generator: np.random.Generator | None) -> np.random.Generator:
    """A function's ``generator=`` argument: the one given (NumPy's, where PyTorch takes a
    torch.Generator), else the default generator."""
    if generator is not None and not isinstance(generator, np.random.Generator):
        raise TypeError(
            f"generator must be an np.random.Generator (np.random.default_rng(seed)), got "
            f"{type(generator).__name__}"
        )
    return _generator if generator is None else generator
