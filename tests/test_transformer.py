"""TransformerEncoderLayer and TransformerEncoder against torch (post- and pre-norm, both
layouts, masks, activations, float32 and float64), gradchecks, and dropout only in training."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from seq_parity import check_same, load_torch_weights

import tinygrad_edu
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor, gradcheck, gradgradcheck, nn
from tinygrad_edu.nn.transformer import generate_square_subsequent_mask

CAUSAL = np.triu(np.ones((5, 5), bool), 1)  # True = masked
PADDED = np.array([[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]], bool)
ACTIVATIONS = ["relu", "gelu"]


def layer_pair(activation: str = "relu", **kwargs: Any) -> tuple[Any, Any]:
    torch = pytest.importorskip("torch")
    if activation == "gelu" and not hasattr(F, "gelu"):
        pytest.skip("F.gelu is not in this build yet")
    tinygrad_edu.manual_seed(0)
    torch.manual_seed(0)
    args = (8, 2)
    kwargs = {"dim_feedforward": 16, "dropout": 0.0, "activation": activation, **kwargs}
    return nn.TransformerEncoderLayer(*args, **kwargs), torch.nn.TransformerEncoderLayer(
        *args, **kwargs
    )


def with_masks(masks: dict[str, np.ndarray]) -> Any:
    def call(module: Any, ins: list[Any]) -> Any:
        lib_tensor = Tensor if isinstance(module, nn.Module) else __import__("torch").from_numpy
        return module(ins[0], **{k: lib_tensor(v) for k, v in masks.items()})

    return call


MASKS = {
    "none": {},
    "causal": {"src_mask": CAUSAL},
    "causal float": {"src_mask": np.where(CAUSAL, -np.inf, 0.0)},
    "padding": {"src_key_padding_mask": PADDED},
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize(
    "norm_first, batch_first", list(itertools.product([False, True], repeat=2)), ids=str
)
@pytest.mark.parametrize("masks", list(MASKS))
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_encoder_layer_matches_torch(activation, masks, norm_first, batch_first, dtype):
    ours, theirs = layer_pair(activation, norm_first=norm_first, batch_first=batch_first)
    assert repr(ours) == repr(theirs)
    load_torch_weights(ours, theirs, dtype)
    mask_arrays = {k: (v.astype(dtype) if v.dtype != bool else v) for k, v in MASKS[masks].items()}
    x = np.random.default_rng(0).standard_normal((2, 5, 8) if batch_first else (5, 2, 8))
    check_same(ours, theirs, [x], with_masks(mask_arrays), dtype)


def test_unbatched_layer_and_a_module_as_activation_match_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = layer_pair(nn.ReLU(), norm_first=True)
    ours.activation, theirs.activation = nn.ReLU(), torch.nn.ReLU()
    load_torch_weights(ours, theirs, np.float64)
    x = np.random.default_rng(1).standard_normal((5, 8))
    check_same(ours, theirs, [x], lambda m, ins: m(ins[0]), np.float64)


def test_encoder_stack_matches_torch():
    torch = pytest.importorskip("torch")
    ours_layer, theirs_layer = layer_pair(norm_first=True, batch_first=True)
    ours = nn.TransformerEncoder(ours_layer, 2, norm=nn.LayerNorm(8))
    theirs = torch.nn.TransformerEncoder(
        theirs_layer, 2, norm=torch.nn.LayerNorm(8), enable_nested_tensor=False
    )
    with torch.no_grad():  # the copies start equal: make them differ, to see each is used
        for p in theirs.layers[1].parameters():
            p.mul_(0.5)
    load_torch_weights(ours, theirs, np.float64)
    x = np.random.default_rng(2).standard_normal((2, 5, 8))
    mask = {"mask": np.where(CAUSAL, -np.inf, 0.0)}
    check_same(ours, theirs, [x], with_masks(mask), np.float64)


def test_square_subsequent_mask_is_torchs():
    torch = pytest.importorskip("torch")
    ours = generate_square_subsequent_mask(4)
    theirs = torch.nn.Transformer.generate_square_subsequent_mask(4)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert ours.dtype == np.float32


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_gradcheck(norm_first):
    tinygrad_edu.manual_seed(3)
    layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0, norm_first=norm_first)
    layer.double()
    x = Tensor(np.random.default_rng(3).standard_normal((3, 1, 4)), requires_grad=True)
    mask = generate_square_subsequent_mask(3, np.float64)

    def fn(x: Tensor, *params: Tensor) -> Tensor:
        return layer(x, src_mask=mask)

    assert gradcheck(fn, [x, *layer.parameters()])
    assert gradgradcheck(fn, [x])


def test_dropout_only_in_training():
    tinygrad_edu.manual_seed(4)
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.3)
    x = Tensor(np.random.default_rng(4).standard_normal((5, 2, 8)).astype(np.float32))
    assert not np.allclose(layer(x).numpy(), layer(x).numpy())
    layer.eval()
    np.testing.assert_array_equal(layer(x).numpy(), layer(x).numpy())


def test_bad_activation_is_named():
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
