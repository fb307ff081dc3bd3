"""The chain of classes Tensor is built from (tinygrad_edu/_tensor.py): slots all the way down,
and only Tensor itself is ever made."""

import numpy as np

import tinygrad_edu
from tinygrad_edu import Tensor, nn


def test_every_class_of_the_chain_declares_slots_so_a_tensor_has_no_dict() -> None:
    chain = [cls for cls in Tensor.__mro__ if cls is not object]
    assert len(chain) > 1  # (the chain exists: this test is about it)
    assert all("__slots__" in vars(cls) for cls in chain), [c.__name__ for c in chain]
    assert not hasattr(Tensor([1.0]), "__dict__")


def test_results_made_by_each_level_are_tensors() -> None:
    p = nn.Parameter(tinygrad_edu.ones(2, 3))
    results = [
        p.detach(),  # core
        p.to(tinygrad_edu.float64),
        p * 2,  # arithmetic
        p.new_zeros(2),
        p.exp(),  # math
        p > 0,
        p.reshape(3, 2),  # shapes
        p[0],
        p.sum(),  # reductions
        p.argmax(),
        Tensor(np.ones(2)).max(0).indices,
    ]
    assert [type(r).__name__ for r in results] == ["Tensor"] * len(results)
