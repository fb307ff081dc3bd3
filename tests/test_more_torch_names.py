"""The names PyTorch programs use around the model: device and backend switches, determinism flags,
dtype information, seeds, multinomial/bernoulli sampling, pad_sequence, and the edges of
normalize/cosine_similarity and the robust losses (their smooth parts are in the op table).

Where PyTorch is installed, values, signatures and error classes are compared with it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor, nn
from tinygrad_edu.nn.utils import rnn
from tinygrad_edu.nn.utils.rnn import pad_sequence


def _torch() -> Any:
    return pytest.importorskip("torch")


def _raises_like_torch(ours: Callable[[Any], Any], error: type[BaseException], match: str) -> None:
    """ours(lib) raises ``error`` (message matching ``match``) here, and the same class in torch."""
    with pytest.raises(error, match=match):
        ours(tinygrad_edu)
    torch = _torch()
    with pytest.raises(error):
        ours(torch)


# -- devices and backends --------------------------------------------------------------------------


def test_the_quickstart_device_line_picks_the_cpu() -> None:
    torch = tinygrad_edu
    device = (
        torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
    )
    assert device == "cpu"
    assert torch.accelerator.is_available() is False
    assert torch.accelerator.current_accelerator() is None
    assert torch.accelerator.current_accelerator(check_available=True) is None
    assert torch.accelerator.device_count() == 0
    assert tinygrad_edu.zeros(2, device=device).device == "cpu"


def test_backends_report_nothing_built_and_cudnn_flags_are_settable() -> None:
    backends = tinygrad_edu.backends
    assert backends.mps.is_available() is False
    assert backends.mps.is_built() is False
    assert backends.cuda.is_built() is False
    cudnn = backends.cudnn
    saved = (cudnn.deterministic, cudnn.benchmark, cudnn.enabled)
    assert saved == (False, False, True)  # PyTorch's defaults
    try:
        cudnn.deterministic, cudnn.benchmark, cudnn.enabled = True, True, False
        assert (cudnn.deterministic, cudnn.benchmark, cudnn.enabled) == (True, True, False)
    finally:
        cudnn.deterministic, cudnn.benchmark, cudnn.enabled = saved
    backends.cuda.matmul.allow_tf32 = backends.cuda.matmul.allow_tf32  # the boilerplate's line


def test_cuda_housekeeping_calls_are_no_ops() -> None:
    cuda = tinygrad_edu.cuda
    tinygrad_edu.manual_seed(5)
    expected = tinygrad_edu.rand(3)
    tinygrad_edu.manual_seed(5)
    assert cuda.manual_seed(1) is None
    assert cuda.manual_seed_all(2) is None
    assert cuda.empty_cache() is None
    np.testing.assert_array_equal(tinygrad_edu.rand(3).numpy(), expected.numpy())  # unchanged
    assert cuda.device_count() == 0
    assert cuda.is_available() is False


def test_deterministic_algorithms_flag_is_stored() -> None:
    assert tinygrad_edu.are_deterministic_algorithms_enabled() is False
    try:
        tinygrad_edu.use_deterministic_algorithms(True, warn_only=True)
        assert tinygrad_edu.are_deterministic_algorithms_enabled() is True
        assert tinygrad_edu.is_deterministic_algorithms_warn_only_enabled() is True
        tinygrad_edu.use_deterministic_algorithms(True)
        assert tinygrad_edu.is_deterministic_algorithms_warn_only_enabled() is False
    finally:
        tinygrad_edu.use_deterministic_algorithms(False)
    assert tinygrad_edu.are_deterministic_algorithms_enabled() is False
    with pytest.raises(TypeError, match="mode"):
        tinygrad_edu.use_deterministic_algorithms(1)  # type: ignore[arg-type]
    torch = _torch()
    with pytest.raises(TypeError):
        torch.use_deterministic_algorithms(1)


# -- dtypes and their limits -----------------------------------------------------------------------

FLOATS = ["float16", "float32", "float64"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]


def test_dtypes_are_instances_of_dtype() -> None:
    def nbytes(x: tinygrad_edu.dtype) -> int:
        return x.itemsize

    for name in [*FLOATS, *INTS, "bool", "long", "double"]:
        assert isinstance(getattr(tinygrad_edu, name), tinygrad_edu.dtype), name
    assert isinstance(tinygrad_edu.ones(2).dtype, tinygrad_edu.dtype)
    assert not isinstance("float32", tinygrad_edu.dtype)
    assert nbytes(tinygrad_edu.float64) == 8


@pytest.mark.parametrize("name", FLOATS)
def test_finfo_matches_torch(name: str) -> None:
    torch = _torch()
    ours, theirs = (
        tinygrad_edu.finfo(getattr(tinygrad_edu, name)),
        torch.finfo(getattr(torch, name)),
    )
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
        assert type(getattr(ours, attr)) is type(getattr(theirs, attr)), attr
    assert ours.dtype == theirs.dtype == name


def test_finfo_defaults_to_the_default_dtype() -> None:
    assert tinygrad_edu.finfo().eps == np.finfo(np.float32).eps
    try:
        tinygrad_edu.set_default_dtype(tinygrad_edu.float64)
        assert tinygrad_edu.finfo().dtype == "float64"
    finally:
        tinygrad_edu.set_default_dtype(tinygrad_edu.float32)
    assert tinygrad_edu.finfo(tinygrad_edu.float32) == tinygrad_edu.finfo()


@pytest.mark.parametrize("name", INTS)
def test_iinfo_matches_torch(name: str) -> None:
    torch = _torch()
    ours, theirs = (
        tinygrad_edu.iinfo(getattr(tinygrad_edu, name)),
        torch.iinfo(getattr(torch, name)),
    )
    assert (ours.bits, ours.max, ours.min, ours.dtype) == (
        theirs.bits,
        theirs.max,
        theirs.min,
        theirs.dtype,
    )
    assert type(ours.max) is int


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.finfo(lib.int32),
        lambda lib: lib.finfo(lib.bool),
        lambda lib: lib.iinfo(lib.float32),
        lambda lib: lib.iinfo(lib.bool),
    ],
)
def test_info_of_the_wrong_kind_of_dtype_is_a_type_error(call: Callable[[Any], Any]) -> None:
    _raises_like_torch(call, TypeError, "finfo|iinfo")


# -- seeds ------------------------------------------------------------------------------------------


def test_initial_seed_is_the_last_manual_seed() -> None:
    tinygrad_edu.manual_seed(1234)
    assert tinygrad_edu.initial_seed() == 1234
    s = tinygrad_edu.seed()
    assert tinygrad_edu.initial_seed() == s and 0 <= s < 2**64
    tinygrad_edu.manual_seed(-1)
    torch = _torch()
    assert tinygrad_edu.initial_seed() == torch.Generator().manual_seed(-1).initial_seed()
    with pytest.raises(ValueError, match="seed"):
        tinygrad_edu.manual_seed(2**64)
    with pytest.raises(ValueError):
        torch.Generator().manual_seed(2**64)


def test_the_same_seed_repeats_the_draws_after_a_negative_seed() -> None:
    tinygrad_edu.manual_seed(-5)
    a = tinygrad_edu.randn(4).numpy()
    tinygrad_edu.manual_seed(-5)
    np.testing.assert_array_equal(tinygrad_edu.randn(4).numpy(), a)


# -- multinomial ------------------------------------------------------------------------------------

WEIGHTS = np.array([1.0, 2.0, 3.0, 4.0])


@pytest.mark.parametrize("replacement", [False, True])
@pytest.mark.parametrize("shape", [(4,), (3, 4)])
def test_multinomial_shape_and_dtype_match_torch(shape: tuple[int, ...], replacement: bool) -> None:
    torch = _torch()
    w = np.broadcast_to(WEIGHTS, shape).copy()
    ours = tinygrad_edu.multinomial(Tensor(w), 3, replacement)
    theirs = torch.multinomial(torch.from_numpy(w), 3, replacement)
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype == tinygrad_edu.int64 and theirs.dtype == torch.int64
    assert not ours.requires_grad


def test_multinomial_frequencies_follow_the_weights() -> None:
    tinygrad_edu.manual_seed(0)
    draws = tinygrad_edu.multinomial(Tensor(WEIGHTS), 40_000, replacement=True).numpy()
    freq = np.bincount(draws, minlength=4) / draws.size
    np.testing.assert_allclose(freq, WEIGHTS / WEIGHTS.sum(), atol=0.01)
    # Without replacement the first pick of each row follows the weights too, and no row repeats.
    rows = tinygrad_edu.multinomial(Tensor(np.tile(WEIGHTS, (20_000, 1))), 4).numpy()
    first = np.bincount(rows[:, 0], minlength=4) / len(rows)
    np.testing.assert_allclose(first, WEIGHTS / WEIGHTS.sum(), atol=0.012)
    assert (np.sort(rows, axis=1) == np.arange(4)).all()
    # The second pick: P(j second) = sum_i p_i p_j / (1 - p_i) over i != j.
    p = WEIGHTS / WEIGHTS.sum()
    second = [sum(p[i] * p[j] / (1 - p[i]) for i in range(4) if i != j) for j in range(4)]
    np.testing.assert_allclose(np.bincount(rows[:, 1], minlength=4) / len(rows), second, atol=0.012)


def test_multinomial_never_picks_zero_weights_until_they_are_all_that_is_left() -> None:
    torch = _torch()
    w = np.array([[0.0, 5.0, 0.0, 1.0], [0.0, 0.0, 2.0, 0.0]])
    ours = tinygrad_edu.multinomial(Tensor(w), 50, replacement=True).numpy()
    assert set(ours[0]) <= {1, 3} and set(ours[1]) == {2}
    # Without replacement the weighted categories come first, then the zero-weight ones.
    only = tinygrad_edu.multinomial(Tensor(np.array([1.0, 0.0, 0.0])), 3).numpy()
    np.testing.assert_array_equal(only, torch.multinomial(torch.tensor([1.0, 0.0, 0.0]), 3).numpy())


def test_multinomial_is_reproducible_from_the_seed_and_takes_a_generator() -> None:
    w = Tensor(WEIGHTS)
    tinygrad_edu.manual_seed(7)
    a = tinygrad_edu.multinomial(w, 10, True).numpy()
    tinygrad_edu.manual_seed(7)
    np.testing.assert_array_equal(tinygrad_edu.multinomial(w, 10, True).numpy(), a)
    g1, g2 = np.random.default_rng(3), np.random.default_rng(3)
    np.testing.assert_array_equal(
        tinygrad_edu.multinomial(w, 4, generator=g1).numpy(),
        tinygrad_edu.multinomial(w, 4, generator=g2).numpy(),
    )


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda lib: lib.multinomial(lib.tensor([1.0, -1.0]), 1), RuntimeError, "< 0"),
        (lambda lib: lib.multinomial(lib.tensor([1.0, -1.0]), 2, True), RuntimeError, "< 0"),
        (lambda lib: lib.multinomial(lib.tensor([1.0, float("nan")]), 1), RuntimeError, "nan"),
        (
            lambda lib: lib.multinomial(lib.tensor([1.0, float("inf")]), 2, True),
            RuntimeError,
            "inf",
        ),
        (lambda lib: lib.multinomial(lib.tensor([0.0, 0.0]), 1), RuntimeError, "sum"),
        (
            lambda lib: lib.multinomial(lib.tensor([[1.0, 1.0], [0, 0]]), 2, True),
            RuntimeError,
            "sum",
        ),
        (
            lambda lib: lib.multinomial(lib.tensor([1.0, 1.0]), 3),
            RuntimeError,
            "without replacement",
        ),
        (lambda lib: lib.multinomial(lib.tensor([1.0, 1.0]), 0), RuntimeError, "n_sample <= 0"),
        (lambda lib: lib.multinomial(lib.tensor([1, 1]), 1), RuntimeError, "floating"),
        (lambda lib: lib.multinomial(lib.ones(2, 2, 2), 1), RuntimeError, "1 or 2 dim"),
        (lambda lib: lib.multinomial(lib.tensor([1.0, 1.0]), 1.5), TypeError, "num_samples"),
    ],
)
def test_multinomial_errors_match_torch(call: Any, error: type[BaseException], match: str) -> None:
    _raises_like_torch(call, error, match)


# -- bernoulli --------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_bernoulli_draws_zeros_and_ones_in_the_input_dtype(dtype: str) -> None:
    tinygrad_edu.manual_seed(0)
    p = tinygrad_edu.full((20_000,), 0.3, dtype=getattr(tinygrad_edu, dtype))
    out = tinygrad_edu.bernoulli(p)
    assert out.dtype == p.dtype and out.shape == p.shape
    assert set(np.unique(out.numpy())) == {0.0, 1.0}
    assert abs(float(out.numpy().astype(np.float64).mean()) - 0.3) < 0.015
    edges = tinygrad_edu.bernoulli(tinygrad_edu.tensor([0.0, 1.0, 0.0, 1.0]))
    np.testing.assert_array_equal(edges.numpy(), [0.0, 1.0, 0.0, 1.0])


def test_bernoulli_is_reproducible_and_its_gradient_is_zero_as_in_torch() -> None:
    torch = _torch()
    tinygrad_edu.manual_seed(11)
    p = tinygrad_edu.rand(6, requires_grad=True)
    a = tinygrad_edu.bernoulli(p)
    tinygrad_edu.manual_seed(11)
    q = tinygrad_edu.rand(6, requires_grad=True)
    np.testing.assert_array_equal(tinygrad_edu.bernoulli(q).numpy(), a.numpy())
    theirs = torch.bernoulli(torch.rand(6, requires_grad=True))
    assert a.requires_grad == theirs.requires_grad
    (a * 3.0).sum().backward()
    np.testing.assert_array_equal(p.grad.numpy(), np.zeros(6, np.float32))
    g = np.random.default_rng(1)
    assert tinygrad_edu.bernoulli(tinygrad_edu.full((3,), 0.5), generator=g).shape == (3,)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda lib: lib.bernoulli(lib.tensor([0.5, 1.5])), RuntimeError, r"\[0, 1\]"),
        (lambda lib: lib.bernoulli(lib.tensor([-0.5])), RuntimeError, r"\[0, 1\]"),
        (lambda lib: lib.bernoulli(lib.tensor([0, 1])), NotImplementedError, "int64"),
    ],
)
def test_bernoulli_errors_match_torch(call: Any, error: type[BaseException], match: str) -> None:
    _raises_like_torch(call, error, match)


# -- pad_sequence -----------------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pad_sequence_and_its_gradient_match_torch(batch_first: bool, side: str) -> None:
    torch = _torch()
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((n, 3)) for n in (2, 5, 1)]
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    kw = {"batch_first": batch_first, "padding_value": -2.0, "padding_side": side}
    out, ref = pad_sequence(ours, **kw), torch.nn.utils.rnn.pad_sequence(theirs, **kw)
    np.testing.assert_array_equal(out.numpy(), ref.detach().numpy())
    seed = rng.standard_normal(out.shape)
    out.backward(Tensor(seed))
    ref.backward(torch.from_numpy(seed))
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_pad_sequence_takes_the_first_dtype_and_a_tensor_of_sequences_like_torch() -> None:
    torch = _torch()
    for lengths_dtype in [("float32", "int64"), ("int64", "float32")]:
        ours = [
            tinygrad_edu.ones(n, dtype=getattr(tinygrad_edu, d))
            for n, d in zip((2, 3), lengths_dtype)
        ]
        theirs = [torch.ones(n, dtype=getattr(torch, d)) for n, d in zip((2, 3), lengths_dtype)]
        out, ref = (
            pad_sequence(ours, padding_value=0.5),
            torch.nn.utils.rnn.pad_sequence(theirs, padding_value=0.5),
        )
        assert str(out.dtype) == str(ref.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(out.numpy(), ref.numpy())
    stacked = np.arange(6.0).reshape(3, 2)
    np.testing.assert_array_equal(
        pad_sequence(Tensor(stacked)).numpy(),
        torch.nn.utils.rnn.pad_sequence(torch.from_numpy(stacked)).numpy(),
    )


def test_unpad_sequence_undoes_pad_sequence() -> None:
    seqs = [tinygrad_edu.randn(n, 2) for n in (3, 1, 2)]
    for batch_first in (False, True):
        back = rnn.unpad_sequence(
            pad_sequence(seqs, batch_first), tinygrad_edu.tensor([3, 1, 2]), batch_first
        )
        for a, b in zip(back, seqs):
            np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda lib: lib.nn.utils.rnn.pad_sequence([]), "empty"),
        (
            lambda lib: lib.nn.utils.rnn.pad_sequence([lib.ones(2)], padding_side="up"),
            "padding_side",
        ),
        (lambda lib: lib.nn.utils.rnn.pad_sequence([lib.ones(2, 3), lib.ones(2, 2)]), r"\(2, 2\)"),
        (lambda lib: lib.nn.utils.rnn.pad_sequence([lib.ones(())]), "0-d"),
    ],
)
def test_pad_sequence_errors_match_torch(call: Any, match: str) -> None:
    _raises_like_torch(call, RuntimeError, match)


@pytest.mark.parametrize("name", ["pack_padded_sequence", "pad_packed_sequence", "pack_sequence"])
def test_packed_sequences_say_to_pad_and_mask(name: str) -> None:
    fn = getattr(tinygrad_edu.nn.utils.rnn, name)
    args = (tinygrad_edu.ones(3, 2), [3, 2]) if name == "pack_padded_sequence" else (None,)
    with pytest.raises(NotImplementedError, match=f"{name}.*[Pp]ad.*mask"):
        fn(*args)


# -- normalize and cosine_similarity at their edges --------------------------------------------------


def _both(fn: Callable[[Any, Any], Any], arrays: list[np.ndarray]) -> None:
    """fn(lib, *tensors): the same value and gradient here as in torch."""
    torch = _torch()
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = fn(tinygrad_edu, *ours), fn(torch, *theirs)
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-12, atol=1e-15)
    seed = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(Tensor(seed))
    ref.backward(torch.from_numpy(seed))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_normalize_of_a_zero_row_matches_torch() -> None:
    x = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 2.0]])
    _both(lambda lib, t: lib.nn.functional.normalize(t), [x])
    _both(lambda lib, t: lib.nn.functional.normalize(t, p=1.0, dim=0, eps=0.5), [x])


def test_cosine_similarity_clamps_like_torch_for_vectors_shorter_than_eps() -> None:
    """PyTorch clamps the norms in place under no_grad: the value uses eps, the gradient does
    not see the clamp. A clamp_min in the graph would give a different gradient."""
    x1 = np.array([[1e-3, -2e-3, 1e-3], [1.0, 2.0, 3.0]])
    x2 = np.array([[0.5, 0.1, -0.3], [1e-4, 0.0, 2e-4]])
    _both(lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, eps=0.01), [x1, x2])
    _both(lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, 0, 0.01), [x1, x2])


def test_cosine_similarity_broadcasts_and_promotes_like_torch() -> None:
    torch = _torch()
    a, b = np.array([[1.0, 2.0, 3.0]]), np.array([[1.0], [-1.0]])
    ours = F.cosine_similarity(Tensor(a.astype(np.float32)), Tensor(b))
    ref = torch.nn.functional.cosine_similarity(
        torch.tensor(a, dtype=torch.float32), torch.tensor(b)
    )
    assert ours.shape == tuple(ref.shape) and str(ours.dtype) == str(ref.dtype).removeprefix(
        "torch."
    )
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-12)
    module = nn.CosineSimilarity(dim=0, eps=1e-6)
    assert (module.dim, module.eps) == (0, 1e-6)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda lib: lib.nn.functional.normalize(lib.ones(3)), IndexError, "range"),
        (
            lambda lib: lib.nn.functional.cosine_similarity(lib.ones(2, 3), lib.ones(2, 3), dim=2),
            IndexError,
            "range",
        ),
        (
            lambda lib: lib.nn.functional.cosine_similarity(lib.ones(2, 3), lib.ones(2, 4)),
            RuntimeError,
            r"\(2, 4\)",
        ),
        (
            lambda lib: lib.nn.functional.cosine_similarity(
                lib.ones(2, 3).long(), lib.ones(2, 3).long()
            ),
            RuntimeError,
            "int64",
        ),
    ],
)
def test_distance_errors_match_torch(call: Any, error: type[BaseException], match: str) -> None:
    _raises_like_torch(call, error, match)


# -- smooth L1 and Huber losses ----------------------------------------------------------------------


def test_smooth_l1_with_beta_zero_is_l1_and_huber_is_delta_times_smooth_l1() -> None:
    rng = np.random.default_rng(0)
    x, y = Tensor(rng.standard_normal(7)), Tensor(rng.standard_normal(7))
    np.testing.assert_array_equal(F.smooth_l1_loss(x, y, beta=0.0).numpy(), F.l1_loss(x, y).numpy())
    np.testing.assert_allclose(
        F.huber_loss(x, y, "none", 0.7).numpy(),
        0.7 * F.smooth_l1_loss(x, y, reduction="none", beta=0.7).numpy(),
    )


def test_losses_at_the_kink_match_torch() -> None:
    """|input - target| = beta exactly: both branches meet there; torch takes the linear one."""
    x, y = np.array([0.0, 1.0, 2.5]), np.array([1.0, 0.0, 0.0])
    _both(
        lambda lib, a, b: lib.nn.functional.smooth_l1_loss(a, b, reduction="sum", beta=1.0), [x, y]
    )
    _both(lambda lib, a, b: lib.nn.functional.huber_loss(a, b, "sum", 1.0), [x, y])


def test_loss_modules_store_options_with_torch_signatures() -> None:
    torch = _torch()
    assert nn.SmoothL1Loss(beta=0.5).beta == 0.5 and nn.HuberLoss("sum", 2.0).delta == 2.0
    huber = inspect.signature(nn.HuberLoss.__init__).parameters
    theirs = inspect.signature(torch.nn.HuberLoss.__init__).parameters
    assert [(p.name, p.default) for p in huber.values()] == [
        (p.name, p.default) for p in theirs.values()
    ]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda lib: lib.nn.functional.smooth_l1_loss(lib.ones(2), lib.ones(2), beta=-1.0),
            RuntimeError,
            "beta",
        ),
        (
            lambda lib: lib.nn.functional.huber_loss(lib.ones(2), lib.ones(2), delta=0.0),
            RuntimeError,
            "delta",
        ),
        (
            lambda lib: lib.nn.functional.huber_loss(lib.ones(2), lib.ones(2), "avg"),
            ValueError,
            "reduction",
        ),
        (
            lambda lib: lib.nn.functional.smooth_l1_loss(lib.ones(2), lib.ones(2), reduction="avg"),
            ValueError,
            "reduction",
        ),
        (
            lambda lib: lib.nn.functional.huber_loss(lib.ones(2), lib.ones(2), weight=lib.ones(3)),
            ValueError,
            "weight",
        ),
        (
            lambda lib: lib.nn.SmoothL1Loss(reduction="avg")(lib.ones(2), lib.ones(2)),
            ValueError,
            "reduction",
        ),
    ],
)
def test_loss_errors_match_torch(call: Any, error: type[BaseException], match: str) -> None:
    _raises_like_torch(call, error, match)


def test_losses_refuse_shapes_that_differ() -> None:
    """Ours only: PyTorch broadcasts (N, 1) against (N,) after a warning, almost always a bug."""
    for fn in (F.smooth_l1_loss, F.huber_loss):
        with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\)"):
            fn(tinygrad_edu.ones(4, 1), tinygrad_edu.ones(4))


# -- signatures --------------------------------------------------------------------------------------


def _params(fn: Any, drop: tuple[str, ...] = ()) -> list[tuple[str, Any, Any]]:
    return [
        (p.name, p.default, p.kind)
        for p in inspect.signature(fn).parameters.values()
        if p.name not in drop
    ]


@pytest.mark.parametrize(
    ("path", "drop"),
    [
        ("nn.functional.normalize", ("out",)),
        ("nn.functional.huber_loss", ()),
        ("nn.utils.rnn.pad_sequence", ()),
        ("use_deterministic_algorithms", ()),
        ("accelerator.current_accelerator", ()),
        ("nn.CosineSimilarity.__init__", ()),
    ],
)
def test_signatures_match_torch(path: str, drop: tuple[str, ...]) -> None:
    torch = _torch()

    def get(root: Any) -> Any:
        for part in path.split("."):
            root = getattr(root, part)
        return root

    assert _params(get(tinygrad_edu), drop) == _params(get(torch), drop)
