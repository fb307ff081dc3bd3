"""Attention: nn.MultiheadAttention against torch (every option, both layouts, masks of both
kinds, float32 and float64), gradchecks to second order, the fully masked query, dropout, and
bad input (scaled_dot_product_attention's own checks are in the op table)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from seq_parity import check_same, load_torch_weights, raises_torchs_error_class

import tinygrad_edu
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor, gradcheck, gradgradcheck, nn

SEQ = ((3, 2, 4), (5, 2, 4), (5, 2, 4))  # (L, N, E), (S, N, E), (S, N, E)
KPM = np.zeros((2, 5), bool)
KPM[0, 1] = KPM[1, 4] = True
CAUSAL = np.triu(np.ones((3, 5), bool), 1)  # True = masked, MultiheadAttention's convention

# name: (constructor kwargs, forward kwargs (arrays become tensors), input shapes)
MHA_CASES: dict[str, tuple[dict, dict, tuple]] = {
    "plain": ({}, {}, SEQ),
    "no bias": ({"bias": False}, {}, SEQ),
    "bias_kv zero_attn": ({"add_bias_kv": True, "add_zero_attn": True}, {}, SEQ),
    "kdim vdim": ({"kdim": 3, "vdim": 5}, {}, ((3, 2, 4), (5, 2, 3), (5, 2, 5))),
    "batch_first": ({"batch_first": True}, {}, ((2, 3, 4), (2, 5, 4), (2, 5, 4))),
    "key padding, per head": ({}, {"key_padding_mask": KPM, "average_attn_weights": False}, SEQ),
    "bool attn_mask": ({}, {"attn_mask": CAUSAL}, SEQ),
    "float 3-D attn_mask": ({}, {"attn_mask": np.cos(np.arange(60.0)).reshape(4, 3, 5)}, SEQ),
    "both masks, bias_kv": (
        {"add_bias_kv": True},
        {"key_padding_mask": KPM, "attn_mask": CAUSAL},
        SEQ,
    ),
    "float key padding": ({}, {"key_padding_mask": np.where(KPM, -np.inf, 0.5)}, SEQ),
    "no weights": ({}, {"need_weights": False}, SEQ),
    "unbatched": ({}, {}, ((3, 4), (5, 4), (5, 4))),
    "unbatched batch_first": (
        {"batch_first": True},
        {"key_padding_mask": KPM[0]},
        ((3, 4), (5, 4), (5, 4)),
    ),
}


def mha_pair(kwargs: dict) -> tuple[Any, Any]:
    torch = pytest.importorskip("torch")
    tinygrad_edu.manual_seed(0)
    torch.manual_seed(0)
    return nn.MultiheadAttention(4, 2, **kwargs), torch.nn.MultiheadAttention(4, 2, **kwargs)


def mha_call(forward_kwargs: dict) -> Any:
    """call(module, [q, k, v]) with the forward kwargs as the module's library's tensors."""

    def call(module: Any, ins: list[Any]) -> Any:
        ours = isinstance(module, nn.Module)
        kwargs = {}
        for name, value in forward_kwargs.items():
            if isinstance(value, np.ndarray):
                if ours:
                    value = Tensor(value.astype(ins[0].dtype) if value.dtype != bool else value)
                else:
                    torch = pytest.importorskip("torch")
                    value = torch.from_numpy(
                        value.astype(np.float64 if ins[0].dtype == torch.float64 else np.float32)
                        if value.dtype != bool
                        else value
                    )
            kwargs[name] = value
        return module(*ins, **kwargs)

    return call


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("case", list(MHA_CASES))
def test_multihead_attention_matches_torch(case, dtype):
    init_kwargs, forward_kwargs, shapes = MHA_CASES[case]
    ours, theirs = mha_pair(init_kwargs)
    load_torch_weights(ours, theirs, dtype)
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in shapes]
    check_same(ours, theirs, arrays, mha_call(forward_kwargs), dtype)


def test_self_attention_with_one_tensor_matches_torch():
    """query is key is value: torch projects once with the stacked weight; the same numbers."""
    ours, theirs = mha_pair({"batch_first": True})
    load_torch_weights(ours, theirs, np.float64)
    x = np.random.default_rng(1).standard_normal((2, 3, 4))
    check_same(ours, theirs, [x], lambda m, ins: m(ins[0], ins[0], ins[0]), np.float64)


def test_a_query_with_no_key_gets_zeros_as_in_torchs_sdpa_path():
    """Every key of sample 0 padded: torch's need_weights=False path gives zero attention (its
    need_weights=True path gives NaN); ours gives zeros either way."""
    torch = pytest.importorskip("torch")
    ours, theirs = mha_pair({})
    load_torch_weights(ours, theirs, np.float64)
    x = np.random.default_rng(2).standard_normal((3, 2, 4))
    padded = np.zeros((2, 3), bool)
    padded[0] = True
    out_o, w_o = ours(*(Tensor(x),) * 3, key_padding_mask=Tensor(padded))
    out_t, _ = theirs(
        *(torch.from_numpy(x),) * 3, key_padding_mask=torch.from_numpy(padded), need_weights=False
    )
    np.testing.assert_allclose(out_o.numpy(), out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert not w_o.numpy()[0].any() and np.allclose(w_o.numpy()[1].sum(-1), 1.0)
    out_o.sum().backward()  # and the gradients stay finite
    assert all(np.isfinite(p.grad.numpy()).all() for p in ours.parameters())


def test_state_dict_keys_and_init_are_torchs():
    torch = pytest.importorskip("torch")
    for kwargs in ({}, {"kdim": 3, "vdim": 5, "add_bias_kv": True}, {"bias": False}):
        ours, theirs = mha_pair(kwargs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert repr(ours) == repr(theirs)
        theirs.load_state_dict(
            {k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()}
        )
    tinygrad_edu.manual_seed(0)
    big = nn.MultiheadAttention(64, 4, add_bias_kv=True)
    bound = np.sqrt(6 / (64 + 3 * 64))  # xavier_uniform_ on (3E, E)
    w = big.in_proj_weight.numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert not big.in_proj_bias.numpy().any() and not big.out_proj.bias.numpy().any()
    assert np.abs(big.out_proj.weight.numpy()).max() <= 1 / 8  # Linear's own init
    assert big.bias_k.numpy().std() > 0


@pytest.mark.parametrize("kwargs", [{}, {"add_bias_kv": True, "add_zero_attn": True, "kdim": 3}])
def test_multihead_attention_gradcheck(kwargs):
    tinygrad_edu.manual_seed(3)
    mha = nn.MultiheadAttention(4, 2, **kwargs).double()
    rng = np.random.default_rng(3)
    q = Tensor(rng.standard_normal((2, 1, 4)), requires_grad=True)
    k = Tensor(rng.standard_normal((3, 1, mha.kdim)), requires_grad=True)
    v = Tensor(rng.standard_normal((3, 1, 4)), requires_grad=True)
    mask = Tensor(np.array([[False, True, False], [False, False, False]]))

    def fn(q: Tensor, k: Tensor, v: Tensor, *params: Tensor) -> Tensor:
        out, weights = mha(q, k, v, attn_mask=mask)
        return tinygrad_edu.cat([out.flatten(), weights.flatten()])

    assert gradcheck(fn, [q, k, v, *mha.parameters()])
    assert gradgradcheck(fn, [q, k, v])


def test_dropout_on_the_weights_only_in_training():
    tinygrad_edu.manual_seed(4)
    mha = nn.MultiheadAttention(8, 2, dropout=0.5)
    x = Tensor(np.random.default_rng(4).standard_normal((6, 3, 8)).astype(np.float32))
    _, w1 = mha(x, x, x, average_attn_weights=False)
    _, w2 = mha(x, x, x, average_attn_weights=False)
    assert not np.allclose(w1.numpy(), w2.numpy())
    zero = w1.numpy() == 0
    assert 0.3 < zero.mean() < 0.7
    mha.eval()
    _, w3 = mha(x, x, x)
    np.testing.assert_allclose(w3.numpy().sum(-1), 1.0, rtol=1e-6)


def test_sdpa_with_dropout_scales_the_survivors():
    tinygrad_edu.manual_seed(5)
    q = Tensor(np.zeros((1, 4, 2)))
    v = Tensor(np.eye(4)[None])
    out = F.scaled_dot_product_attention(q, q, v, dropout_p=0.5)  # uniform weights 1/4
    values = np.unique(out.numpy())
    assert set(np.round(values, 12)) <= {0.0, 0.5}  # 1/4 dropped or doubled


# -- bad input --------------------------------------------------------------------------------


def _t(*shape: int, dtype: Any = np.float32) -> np.ndarray:
    return np.zeros(shape, dtype)


# (what, error, call(F namespace, tensor maker, nn namespace))
BAD = [
    (
        "sdpa dtypes",
        RuntimeError,
        lambda F, t, nn: F.scaled_dot_product_attention(
            t(_t(2, 3, dtype=np.float64)), t(_t(4, 3)), t(_t(4, 3))
        ),
    ),
    (
        "sdpa head dims",
        RuntimeError,
        lambda F, t, nn: F.scaled_dot_product_attention(
            t(_t(1, 2, 3)), t(_t(1, 4, 2)), t(_t(1, 4, 3))
        ),
    ),
    (
        "sdpa int mask",
        RuntimeError,
        lambda F, t, nn: F.scaled_dot_product_attention(
            t(_t(2, 3)), t(_t(4, 3)), t(_t(4, 3)), attn_mask=t(_t(2, 4, dtype=np.int64))
        ),
    ),
    (
        "sdpa mask shape",
        RuntimeError,
        lambda F, t, nn: F.scaled_dot_product_attention(
            t(_t(1, 2, 3)), t(_t(1, 4, 3)), t(_t(1, 4, 3)), attn_mask=t(_t(3, 4, dtype=bool))
        ),
    ),
    ("mha heads", AssertionError, lambda F, t, nn: nn.MultiheadAttention(5, 2)),
    ("mha zero", ValueError, lambda F, t, nn: nn.MultiheadAttention(0, 2)),
    (
        "mha 2-D mask",
        RuntimeError,
        lambda F, t, nn: nn.MultiheadAttention(4, 2)(
            t(_t(3, 2, 4)), t(_t(5, 2, 4)), t(_t(5, 2, 4)), attn_mask=t(_t(4, 5, dtype=bool))
        ),
    ),
    (
        "mha 3-D mask",
        RuntimeError,
        lambda F, t, nn: nn.MultiheadAttention(4, 2)(
            t(_t(3, 2, 4)), t(_t(5, 2, 4)), t(_t(5, 2, 4)), attn_mask=t(_t(2, 3, 5, dtype=bool))
        ),
    ),
    (
        "mha key padding",
        AssertionError,
        lambda F, t, nn: nn.MultiheadAttention(4, 2)(
            t(_t(3, 2, 4)), t(_t(5, 2, 4)), t(_t(5, 2, 4)), key_padding_mask=t(_t(2, 4, dtype=bool))
        ),
    ),
    (
        "mha causal hint",
        RuntimeError,
        lambda F, t, nn: nn.MultiheadAttention(4, 2)(
            t(_t(3, 2, 4)), t(_t(5, 2, 4)), t(_t(5, 2, 4)), is_causal=True
        ),
    ),
    (
        "mha key vs value",
        AssertionError,
        lambda F, t, nn: nn.MultiheadAttention(4, 2)(
            t(_t(3, 2, 4)), t(_t(4, 2, 4)), t(_t(5, 2, 4))
        ),
    ),
    (
        "mha embed",
        AssertionError,
        lambda F, t, nn: nn.MultiheadAttention(4, 2)(
            t(_t(3, 2, 3)), t(_t(5, 2, 4)), t(_t(5, 2, 4))
        ),
    ),
    (
        "mha ranks",
        AssertionError,
        lambda F, t, nn: nn.MultiheadAttention(4, 2)(t(_t(3, 4)), t(_t(5, 2, 4)), t(_t(5, 2, 4))),
    ),
]


@pytest.mark.parametrize("what, error, call", BAD, ids=[b[0] for b in BAD])
def test_bad_input_raises_torchs_error_class(what, error, call):
    theirs = lambda torch: (torch.nn.functional, torch.from_numpy, torch.nn)  # noqa: E731
    raises_torchs_error_class(error, call, (F, Tensor, nn), theirs)
