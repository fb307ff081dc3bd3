"""Embedding and one_hot: PyTorch's lookup, its non-derivative gradient rules (padding_idx gets
none, scale_grad_by_freq divides by the count), max_norm's in-place renorm, from_pretrained, and
bad input; against torch where it is installed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from seq_parity import raises_torchs_error_class

import tinygrad_edu
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor, nn

IDX = np.array([[1, 2, 2, 0], [4, 1, 1, 1]])


def lookup_grads(lib: Any, weight: np.ndarray, idx: np.ndarray, **kwargs: Any):
    """(output, weight after the call, weight's gradient) of embedding(idx, weight, **kwargs)
    under a fixed upstream gradient, for tinygrad_edu (lib None) or torch."""
    seed = np.cos(np.arange(idx.size * weight.shape[1])).reshape(*idx.shape, weight.shape[1])
    if lib is None:
        w = Tensor(weight.copy(), requires_grad=True)
        out = F.embedding(Tensor(idx), w, **kwargs)
        out.backward(Tensor(seed))
        return out.numpy(), w.detach().numpy(), w.grad.numpy()
    w = lib.tensor(weight.copy(), requires_grad=True)
    out = lib.nn.functional.embedding(lib.from_numpy(idx), w, **kwargs)
    out.backward(lib.tensor(seed))
    return out.detach().numpy(), w.detach().numpy(), w.grad.numpy()


def test_gradient_adds_up_repeated_rows():
    weight = np.arange(15.0).reshape(5, 3)
    out, _, grad = lookup_grads(None, weight, IDX)
    np.testing.assert_array_equal(out, weight[IDX])
    seed = np.cos(np.arange(IDX.size * 3)).reshape(2, 4, 3)
    want = np.zeros_like(weight)
    np.add.at(want, IDX, seed)
    np.testing.assert_allclose(grad, want)


def test_padding_row_gets_no_gradient_and_scale_divides_by_the_count():
    weight = np.arange(15.0).reshape(5, 3)
    _, _, plain = lookup_grads(None, weight, IDX)
    _, _, padded = lookup_grads(None, weight, IDX, padding_idx=1)
    assert not padded[1].any() and plain[1].any()
    np.testing.assert_allclose(np.delete(padded, 1, 0), np.delete(plain, 1, 0))
    _, _, scaled = lookup_grads(None, weight, IDX, scale_grad_by_freq=True)
    counts = np.bincount(IDX.ravel(), minlength=5)
    np.testing.assert_allclose(
        scaled[counts > 0], (plain / np.maximum(counts, 1)[:, None])[counts > 0]
    )


def test_max_norm_renormalises_the_rows_looked_up_in_place():
    weight = np.arange(15.0).reshape(5, 3)
    w = Tensor(weight.copy(), requires_grad=True)
    out = F.embedding(Tensor(np.array([0, 3])), w, max_norm=3.0)
    norms = np.linalg.norm(w.numpy(), axis=1)
    assert norms[3] == pytest.approx(3.0, rel=1e-6)  # was 17.4: scaled down
    np.testing.assert_array_equal(w.numpy()[0], weight[0])  # norm 2.24 < 3: kept
    np.testing.assert_array_equal(w.numpy()[[1, 2, 4]], weight[[1, 2, 4]])  # not looked up
    np.testing.assert_array_equal(out.numpy(), w.numpy()[[0, 3]])
    assert w._version == 1 and w.grad_fn is None  # changed outside the graph


TORCH_CASES = {
    "plain": {},
    "padding": {"padding_idx": 1},
    "negative padding": {"padding_idx": -4},
    "scaled": {"scale_grad_by_freq": True},
    "both": {"padding_idx": 2, "scale_grad_by_freq": True},
    "max_norm": {"max_norm": 9.0},
    "max_norm 1-norm": {"max_norm": 8.0, "norm_type": 1.0},
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", list(TORCH_CASES))
def test_functional_embedding_matches_torch(case, dtype):
    torch = pytest.importorskip("torch")
    weight = np.arange(15.0, dtype=dtype).reshape(5, 3) - 7
    ours = lookup_grads(None, weight, IDX, **TORCH_CASES[case])
    theirs = lookup_grads(torch, weight, IDX, **TORCH_CASES[case])
    for what, a, b in zip(("output", "weight after", "gradient"), ours, theirs):
        assert a.dtype == dtype, what
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6, err_msg=what)


# -- the module ---------------------------------------------------------------------------------


def test_module_init_is_standard_normal_with_a_zero_padding_row():
    tinygrad_edu.manual_seed(0)
    emb = nn.Embedding(2000, 50, padding_idx=-1)
    assert emb.padding_idx == 1999 and emb.weight.dtype == np.float32
    w = emb.weight.numpy()
    assert not w[1999].any()
    assert abs(w[:-1].mean()) < 0.01 and w[:-1].std() == pytest.approx(1.0, rel=0.01)
    out = emb(Tensor(np.array([[0, 1999]])))
    out.sum().backward()
    assert not emb.weight.grad.numpy()[1999].any() and emb.weight.grad.numpy()[0].all()


def test_from_pretrained_keeps_the_values_and_freezes_them():
    vectors = Tensor(np.arange(6.0).reshape(3, 2))
    emb = nn.Embedding.from_pretrained(vectors, padding_idx=0)
    assert not emb.weight.requires_grad
    np.testing.assert_array_equal(emb.weight.numpy(), vectors.numpy())  # padding row kept
    trainable = nn.Embedding.from_pretrained(vectors, freeze=False, padding_idx=0)
    trainable(Tensor(np.array([0, 2]))).sum().backward()
    np.testing.assert_array_equal(trainable.weight.grad.numpy(), [[0, 0], [0, 0], [1, 1]])


def test_module_matches_torch_and_state_dicts_move_both_ways():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = torch.nn.Embedding(6, 4, padding_idx=2, scale_grad_by_freq=True)
    ours = nn.Embedding(6, 4, padding_idx=2, scale_grad_by_freq=True)
    assert repr(ours) == repr(theirs)
    ours.load_state_dict(theirs.state_dict())
    idx = np.array([[2, 5, 5], [0, 2, 1]])
    out_o, out_t = ours(Tensor(idx)), theirs(torch.from_numpy(idx))
    np.testing.assert_allclose(out_o.numpy(), out_t.detach().numpy())
    seed = np.random.default_rng(0).standard_normal(out_o.shape).astype(np.float32)
    out_o.backward(Tensor(seed))
    out_t.backward(torch.from_numpy(seed))
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-6)
    back = torch.nn.Embedding(6, 4, padding_idx=2)
    back.load_state_dict(
        {k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()}
    )
    np.testing.assert_array_equal(back.weight.detach().numpy(), ours.weight.numpy())


def test_reprs_match_torch():
    torch = pytest.importorskip("torch")
    for kwargs in ({}, {"padding_idx": 1, "max_norm": 1.0, "norm_type": 1.0}):
        assert repr(nn.Embedding(5, 3, **kwargs)) == repr(torch.nn.Embedding(5, 3, **kwargs))


# -- one_hot ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, classes", [([0, 2, 1], -1), ([[1, 0], [3, 3]], 5), (2, 4), ([], 3)], ids=str
)
def test_one_hot_matches_torch(values, classes):
    idx = np.array(values, dtype=np.int64)
    ours = F.one_hot(Tensor(idx), classes)
    assert ours.dtype == np.int64 and not ours.requires_grad
    want = np.eye(classes if classes > 0 else idx.max() + 1, dtype=np.int64)[idx]
    np.testing.assert_array_equal(ours.numpy(), want)
    torch = pytest.importorskip("torch")
    np.testing.assert_array_equal(
        ours.numpy(), torch.nn.functional.one_hot(torch.from_numpy(idx), classes).numpy()
    )


# -- bad input ----------------------------------------------------------------------------------

W = np.zeros((5, 3), np.float32)


def _long(*values: int) -> np.ndarray:
    return np.array(values, np.int64)


# (what, error, call(namespace F, tensor maker, module namespace nn))
BAD = [
    ("float indices", RuntimeError, lambda F, t, nn: F.embedding(t(np.ones(2, np.float32)), t(W))),
    ("int16 indices", RuntimeError, lambda F, t, nn: F.embedding(t(np.ones(2, np.int16)), t(W))),
    ("index too big", IndexError, lambda F, t, nn: F.embedding(t(_long(5)), t(W))),
    ("negative index", IndexError, lambda F, t, nn: F.embedding(t(_long(-1)), t(W))),
    ("1-D weight", RuntimeError, lambda F, t, nn: F.embedding(t(_long(1)), t(W[0]))),
    ("padding", AssertionError, lambda F, t, nn: F.embedding(t(_long(1)), t(W), padding_idx=5)),
    ("module padding", AssertionError, lambda F, t, nn: nn.Embedding(5, 3, padding_idx=-6)),
    ("_weight shape", AssertionError, lambda F, t, nn: nn.Embedding(5, 3, _weight=t(W[:4]))),
    ("pretrained 1-D", AssertionError, lambda F, t, nn: nn.Embedding.from_pretrained(t(W[0]))),
    ("one_hot float", RuntimeError, lambda F, t, nn: F.one_hot(t(np.ones(2, np.float32)))),
    ("one_hot int32", RuntimeError, lambda F, t, nn: F.one_hot(t(np.ones(2, np.int32)), 3)),
    ("one_hot negative", RuntimeError, lambda F, t, nn: F.one_hot(t(_long(1, -1)))),
    ("one_hot too big", RuntimeError, lambda F, t, nn: F.one_hot(t(_long(1, 3)), 3)),
    ("one_hot empty", RuntimeError, lambda F, t, nn: F.one_hot(t(_long()))),
]


@pytest.mark.parametrize("what, error, call", BAD, ids=[b[0] for b in BAD])
def test_bad_input_raises_torchs_error_class(what, error, call):
    theirs = lambda torch: (torch.nn.functional, torch.from_numpy, torch.nn)  # noqa: E731
    raises_torchs_error_class(error, call, (F, Tensor, nn), theirs)


def test_sparse_gradients_are_refused():
    with pytest.raises(NotImplementedError, match="sparse"):
        nn.Embedding(5, 3, sparse=True)
