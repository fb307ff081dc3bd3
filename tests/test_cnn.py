"""Behaviour of the CNN layers that the op table does not cover: dropout's randomness and modes,
batch norm's running statistics and buffers, and the bad-input table (each error of PyTorch's
class, naming what was wrong; test_cnn_torch_parity checks the classes against torch itself)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor, nn


def ones(*shape: int, requires_grad: bool = False) -> Tensor:
    return Tensor(np.ones(shape), requires_grad=requires_grad)


# -- dropout ---------------------------------------------------------------------------------------


def test_dropout_is_reproducible_under_manual_seed() -> None:
    x = ones(8, 9)
    tinygrad_edu.manual_seed(3)
    a = F.dropout(x, 0.4).numpy()
    tinygrad_edu.manual_seed(3)
    b = nn.Dropout(0.4)(x).numpy()
    c = F.dropout(x, 0.4).numpy()  # the generator moved on: another mask
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_dropout_drops_a_fraction_p_and_scales_the_rest(p: float) -> None:
    tinygrad_edu.manual_seed(0)
    out = F.dropout(ones(200, 200), p).numpy()
    assert abs((out == 0).mean() - p) < 0.01  # 40,000 draws: the standard error is < 0.0025
    np.testing.assert_allclose(np.unique(out[out != 0]), [1 / (1 - p)])


def test_dropout_gradient_is_the_mask() -> None:
    x = Tensor(np.random.default_rng(0).standard_normal((5, 6)), requires_grad=True)
    tinygrad_edu.manual_seed(1)
    out = F.dropout(x, 0.5)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), out.numpy() / x.numpy())


def test_dropout_modes_and_extremes() -> None:
    x = ones(3, 4, requires_grad=True)
    layer = nn.Dropout(0.5)
    layer.eval()
    assert layer(x) is x  # evaluation: the identity, nothing recorded
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    np.testing.assert_array_equal(F.dropout(x, 1.0).numpy(), np.zeros((3, 4)))
    assert np.isfinite(F.dropout(x, 1.0).numpy()).all()  # no 0 * inf


@pytest.mark.parametrize(
    "fn, shape, channel_dims",
    [
        (F.dropout2d, (6, 40, 3, 3), 2),
        (F.dropout1d, (6, 40, 5), 2),
        (F.dropout1d, (40, 5), 1),  # unbatched: (C, L)
    ],
)
def test_channel_dropout_zeroes_whole_channels(fn: Callable[..., Tensor], shape, channel_dims):
    tinygrad_edu.manual_seed(0)
    out = fn(ones(*shape), 0.5).numpy()
    per_channel = out.reshape(*shape[:channel_dims], -1)
    assert ((per_channel == 0).all(-1) | (per_channel == 2).all(-1)).all()
    assert 0.2 < (per_channel[..., 0] == 0).mean() < 0.8


def test_dropout2d_reads_3d_input_as_batched_1d_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="3D input"):
        out = F.dropout2d(ones(4, 30, 5), 0.5).numpy()
    assert ((out == 0).all(-1) | (out == 2).all(-1)).all()


def test_inplace_dropout_changes_its_input_and_keeps_the_graph() -> None:
    w = ones(4, 5, requires_grad=True)
    h = w * 2.0
    tinygrad_edu.manual_seed(2)
    out = F.dropout(h, 0.5, inplace=True)
    assert out is h and h._version == 1
    h.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), h.numpy())  # d(2 w m)/dw = 2 m = h where w = 1


def test_dropout_keeps_float32() -> None:
    x = Tensor(np.ones((3, 3), np.float32), requires_grad=True)
    out = F.dropout(x, 0.3)
    out.sum().backward()
    assert out.dtype == x.grad.dtype == np.float32


# -- normalisation -------------------------------------------------------------------------------


def test_batchnorm_buffers_and_state_dict() -> None:
    bn = nn.BatchNorm2d(3)
    assert list(bn.state_dict()) == [
        "weight",
        "bias",
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    x = Tensor(np.random.default_rng(0).normal(2.0, 3.0, (8, 3, 4, 4)).astype(np.float32))
    bn(x)
    batch = x.numpy()
    mean, var = batch.mean(axis=(0, 2, 3)), batch.var(axis=(0, 2, 3), ddof=1)
    np.testing.assert_allclose(bn.running_mean.numpy(), 0.1 * mean, rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.numpy(), 0.9 + 0.1 * var, rtol=1e-5)
    assert bn.num_batches_tracked.item() == 1
    assert bn.running_mean.dtype == np.float32
    bn.eval()
    before = bn.running_mean.numpy().copy()
    bn(x)
    np.testing.assert_array_equal(bn.running_mean.numpy(), before)  # eval leaves them alone
    assert bn.num_batches_tracked.item() == 1


def test_batchnorm_normalises_each_channel_in_training() -> None:
    x = Tensor(np.random.default_rng(1).normal(5.0, 2.0, (16, 4, 3, 3)))
    out = nn.BatchNorm2d(4).double()(x).numpy()
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=(0, 2, 3)), 1, rtol=1e-4)  # eps 1e-5 shrinks it


def test_batchnorm_reset_and_double() -> None:
    bn = nn.BatchNorm1d(3)
    bn(Tensor(np.random.default_rng(2).standard_normal((5, 3)).astype(np.float32)))
    bn.reset_running_stats()
    np.testing.assert_array_equal(bn.running_mean.numpy(), 0)
    np.testing.assert_array_equal(bn.running_var.numpy(), 1)
    assert bn.num_batches_tracked.item() == 0
    bn.double()
    assert bn.running_mean.dtype == bn.weight.dtype == np.float64
    assert bn.num_batches_tracked.dtype == np.int64  # integer buffers keep their dtype


def test_layernorm_standardises_each_sample() -> None:
    x = Tensor(np.random.default_rng(3).normal(-4.0, 10.0, (2, 3, 6)))
    out = nn.LayerNorm([3, 6]).double()(x).numpy()
    np.testing.assert_allclose(out.mean(axis=(1, 2)), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=(1, 2)), 1, rtol=1e-6)


def test_layernorm_is_stable_far_from_zero() -> None:
    """Two-pass moments: values near 1e4 apart by 1e-2 keep their spread in float32."""
    x = Tensor((1e4 + np.array([[0.0, 1e-2, 2e-2, 3e-2]])).astype(np.float32))
    out = F.layer_norm(x, [4], eps=1e-12).numpy()
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out, [[-1.342, -0.447, 0.447, 1.342]], atol=0.05)


def test_norm_layers_repr() -> None:
    assert repr(nn.LayerNorm(4)) == (
        "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)"
    )
    assert repr(nn.BatchNorm2d(3, momentum=None)) == (
        "BatchNorm2d(3, eps=1e-05, momentum=None, affine=True, bias=True, track_running_stats=True)"
    )
    assert repr(nn.GroupNorm(2, 4)) == "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"
    assert repr(nn.Dropout2d(0.2)) == "Dropout2d(p=0.2, inplace=False)"


# -- convolution and pooling ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_conv_padding_modes_other_than_zeros_are_refused(mode: str) -> None:
    with pytest.raises(NotImplementedError, match=mode):
        nn.Conv2d(1, 2, 3, padding=1, padding_mode=mode)


def test_conv_backward_twice_with_retain_graph() -> None:
    """The columns forward kept are freed by the first backward and rebuilt by a second."""
    x = Tensor(np.random.default_rng(0).standard_normal((2, 3, 5, 5)), requires_grad=True)
    conv = nn.Conv2d(3, 4, 3).double()
    out = (conv(x) ** 2).sum()
    out.backward(retain_graph=True)
    first = conv.weight.grad.numpy().copy(), x.grad.numpy().copy()
    out.backward()
    np.testing.assert_allclose(conv.weight.grad.numpy(), 2 * first[0], rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), 2 * first[1], rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_conv_and_pooling_keep_the_dtype(dtype: Any) -> None:
    x = Tensor(
        np.random.default_rng(1).standard_normal((2, 3, 6, 6)).astype(dtype), requires_grad=True
    )
    conv = nn.Conv2d(3, 4, 3).to(dtype)
    out = F.avg_pool2d(F.max_pool2d(conv(x), 2, 1), 2)
    out.sum().backward()
    assert out.dtype == x.grad.dtype == conv.weight.grad.dtype == conv.bias.grad.dtype == dtype
    if dtype == np.float16:  # computed in float32, rounded once
        reference = nn.Conv2d(3, 4, 3)
        reference.load_state_dict(conv.state_dict())
        want = reference(Tensor(x.numpy().astype(np.float32))).numpy()
        np.testing.assert_allclose(conv(x).numpy(), want, rtol=2e-3, atol=2e-3)


def test_max_pool_gives_a_tie_to_the_first_maximum() -> None:
    x = Tensor(np.zeros((1, 1, 2, 4)), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], [[1, 0, 1, 0], [0, 0, 0, 0]])


def test_max_pool_propagates_nan() -> None:
    x = Tensor(np.array([[[1.0, np.nan, 2.0, 3.0]]]))
    np.testing.assert_array_equal(F.max_pool1d(x, 2).numpy(), [[[np.nan, 3.0]]])


def test_conv_output_is_laid_out_for_the_next_conv() -> None:
    """The product lands channel-major; ReLU and pooling keep that layout, so the next im2col
    reads contiguous rows (no transposing copy between layers)."""
    x = Tensor(np.random.default_rng(2).standard_normal((4, 1, 12, 12)).astype(np.float32))
    h = F.max_pool2d(F.relu(nn.Conv2d(1, 3, 3)(x)), 2)
    assert h.numpy().swapaxes(0, 1).flags.c_contiguous


# -- workspaces (ops/workspace.py) ---------------------------------------------------------------


def test_workspace_hands_out_only_arrays_nothing_refers_to() -> None:
    from tinygrad_edu.ops.workspace import workspace

    shape = (257, 257)  # above MIN_BYTES in float32
    a = workspace(shape, np.float32)
    b = workspace(shape, np.float32)
    assert a is not b  # a is held here
    a_id, view = id(a), a[1:]
    del a
    c = workspace(shape, np.float32)
    assert id(c) != a_id and c is not b  # a view still refers to a
    del view, c
    assert id(workspace(shape, np.float32)) == a_id  # free now: reused
    small = workspace((4, 4), np.float32)
    assert workspace((4, 4), np.float32) is not small  # small arrays are never cached


def test_shared_zeros_are_zero_read_only_and_shaped_like_the_array() -> None:
    from tinygrad_edu.ops.workspace import zeros_like

    for dtype in (np.float16, np.float32, np.float64):
        big, small = np.ones((300, 7), dtype), np.ones((2, 3, 4), dtype)
        for a in (small, big, small, big.T):  # growing the buffer, then asking again
            z = zeros_like(a)
            assert z.shape == a.shape and z.dtype == a.dtype and not z.any()
            assert not z.flags.writeable
            with pytest.raises(ValueError):
                z[...] = 1


def test_relu_matches_numpy_bit_for_bit_in_every_layout() -> None:
    # ReLU is np.maximum against shared zeros (3 times faster than against the scalar 0): the
    # same values, NaN and signed zeros included, for any layout of the input.
    rng = np.random.default_rng(5)
    for dtype in (np.float16, np.float32, np.float64):
        a = rng.standard_normal((64, 6, 24, 24)).astype(dtype)
        a[0, 0, 0, :4] = [np.nan, -0.0, 0.0, -np.inf]
        for x in (a, a.transpose(1, 0, 2, 3), a[:, :, ::2], a[:3]):
            got = F.relu(Tensor(x)).numpy()
            want = np.maximum(x, 0)
            assert got.dtype == want.dtype
            np.testing.assert_array_equal(
                got.view(np.uint8), np.ascontiguousarray(want).view(np.uint8)
            )


def test_kept_activations_are_not_overwritten_by_later_steps() -> None:
    rng = np.random.default_rng(4)
    conv = nn.Conv2d(2, 8, 3)
    x = Tensor(rng.standard_normal((64, 2, 26, 26)).astype(np.float32), requires_grad=True)
    kept = F.max_pool2d(F.relu(conv(x)), 2)
    kept_relu = F.relu(conv(x))
    copies = kept.numpy().copy(), kept_relu.numpy().copy()
    for _ in range(4):  # steps whose arrays have the same shapes
        out = F.max_pool2d(F.relu(conv(x * 2.0)), 2)
        out.sum().backward()
    np.testing.assert_array_equal(kept.numpy(), copies[0])
    np.testing.assert_array_equal(kept_relu.numpy(), copies[1])


# -- bad input -----------------------------------------------------------------------------------

# (name, call, error class, words the message must contain)
BAD: list[tuple[str, Callable[[Any, Any], Any], type[Exception], tuple[str, ...]]] = [
    ("dropout p > 1", lambda t, F: F.dropout(t.randn(2, 3), 1.5), ValueError, ("1.5",)),
    ("Dropout p < 0", lambda t, F: t.nn.Dropout(-0.1), ValueError, ("-0.1",)),
    ("dropout1d 4-d", lambda t, F: F.dropout1d(t.randn(2, 3, 4, 5)), RuntimeError, ("4D",)),
    (
        "layer_norm shape",
        lambda t, F: F.layer_norm(t.randn(2, 3, 4), [5]),
        RuntimeError,
        ("[5]", "[2, 3, 4]"),
    ),
    (
        "layer_norm weight",
        lambda t, F: F.layer_norm(t.randn(2, 3, 4), [3, 4], t.ones(4)),
        RuntimeError,
        ("weight", "[4]", "[3, 4]"),
    ),
    ("layer_norm int", lambda t, F: F.layer_norm(t.randn(2, 4), 4), TypeError, ("normalized",)),
    (
        "group_norm groups",
        lambda t, F: F.group_norm(t.randn(2, 3, 4), 2),
        RuntimeError,
        ("num_groups=2", "[2, 3, 4]"),
    ),
    ("GroupNorm groups", lambda t, F: t.nn.GroupNorm(2, 3), ValueError, ("(3)", "(2)")),
    (
        "batch_norm channels",
        lambda t, F: F.batch_norm(t.randn(2, 4), t.zeros(3), t.ones(3), training=True),
        RuntimeError,
        ("running_mean", "4", "3"),
    ),
    (
        "batch_norm one value",
        lambda t, F: F.batch_norm(t.randn(1, 3), t.zeros(3), t.ones(3), training=True),
        ValueError,
        ("more than 1 value",),
    ),
    (
        "batch_norm eval without stats",
        lambda t, F: F.batch_norm(t.randn(2, 3), None, None),
        RuntimeError,
        ("running_mean",),
    ),
    ("BatchNorm2d rank", lambda t, F: t.nn.BatchNorm2d(3)(t.randn(2, 3, 4)), ValueError, ("4D",)),
    ("BatchNorm1d rank", lambda t, F: t.nn.BatchNorm1d(3)(t.randn(3)), ValueError, ("1D",)),
    (
        "conv2d channels",
        lambda t, F: F.conv2d(t.randn(2, 3, 8, 8), t.randn(4, 2, 3, 3)),
        RuntimeError,
        ("[4, 2, 3, 3]", "[2, 3, 8, 8]", "2 channels", "3 channels"),
    ),
    (
        "Conv2d channels",
        lambda t, F: t.nn.Conv2d(3, 4, 3)(t.randn(2, 5, 8, 8)),
        RuntimeError,
        ("[2, 5, 8, 8]", "3 channels"),
    ),
    (
        "conv2d kernel too large",
        lambda t, F: F.conv2d(t.randn(1, 3, 4, 4), t.randn(2, 3, 5, 5)),
        RuntimeError,
        ("(4 x 4)", "(5 x 5)"),
    ),
    (
        "conv2d dilated kernel too large",
        lambda t, F: F.conv2d(t.randn(1, 3, 4, 4), t.randn(2, 3, 3, 3), dilation=2, padding=(0, 1)),
        RuntimeError,
        ("(4 x 6)", "(5 x 5)"),
    ),
    (
        "conv2d groups",
        lambda t, F: F.conv2d(t.randn(2, 4, 8, 8), t.randn(3, 2, 3, 3), groups=2),
        RuntimeError,
        ("groups=2", "[3, 2, 3, 3]"),
    ),
    ("Conv2d in groups", lambda t, F: t.nn.Conv2d(3, 4, 3, groups=2), ValueError, ("in_channels",)),
    ("Conv2d out groups", lambda t, F: t.nn.Conv2d(4, 3, 3, groups=2), ValueError, ("out_chan",)),
    (
        "conv2d rank",
        lambda t, F: F.conv2d(t.randn(8, 8), t.randn(4, 3, 3, 3)),
        RuntimeError,
        ("conv2d", "[8, 8]"),
    ),
    (
        "conv1d rank",
        lambda t, F: F.conv1d(t.randn(2, 3, 8, 8), t.randn(4, 3, 3)),
        RuntimeError,
        ("conv1d", "[2, 3, 8, 8]"),
    ),
    (
        "conv2d bias",
        lambda t, F: F.conv2d(t.randn(2, 3, 8, 8), t.randn(4, 3, 3, 3), t.randn(3)),
        RuntimeError,
        ("bias", "[3]", "4 elements"),
    ),
    (
        "conv2d stride",
        lambda t, F: F.conv2d(t.randn(2, 3, 8, 8), t.randn(4, 3, 3, 3), stride=0),
        RuntimeError,
        ("stride",),
    ),
    (
        "conv2d padding",
        lambda t, F: F.conv2d(t.randn(2, 3, 8, 8), t.randn(4, 3, 3, 3), padding=-1),
        RuntimeError,
        ("padding",),
    ),
    (
        "conv2d stride length",
        lambda t, F: F.conv2d(t.randn(2, 3, 8, 8), t.randn(4, 3, 3, 3), stride=(1, 2, 3)),
        RuntimeError,
        ("stride", "2 values"),
    ),
    (
        "conv2d same strided",
        lambda t, F: F.conv2d(t.randn(2, 3, 8, 8), t.randn(4, 3, 3, 3), padding="same", stride=2),
        RuntimeError,
        ("same", "strided"),
    ),
    (
        "conv2d padding string",
        lambda t, F: F.conv2d(t.randn(2, 3, 8, 8), t.randn(4, 3, 3, 3), padding="foo"),
        RuntimeError,
        ("'foo'",),
    ),
    (
        "Conv2d same strided",
        lambda t, F: t.nn.Conv2d(3, 4, 3, padding="same", stride=2),
        ValueError,
        ("same", "strided"),
    ),
    (
        "Conv2d padding string",
        lambda t, F: t.nn.Conv2d(3, 4, 3, padding="foo"),
        ValueError,
        ("'foo'",),
    ),
    (
        "Conv2d padding_mode",
        lambda t, F: t.nn.Conv2d(3, 4, 3, padding_mode="mirror"),
        ValueError,
        ("padding_mode", "'mirror'"),
    ),
    (
        "conv2d dtypes",
        lambda t, F: F.conv2d(t.randn(2, 3, 8, 8).double(), t.randn(4, 3, 3, 3)),
        RuntimeError,
        ("float",),
    ),
    (
        "max_pool2d padding",
        lambda t, F: F.max_pool2d(t.randn(2, 3, 8, 8), 4, padding=3),
        RuntimeError,
        ("pad", "3", "4"),
    ),
    (
        "max_pool2d output too small",
        lambda t, F: F.max_pool2d(t.randn(1, 1, 2, 2), 3),
        RuntimeError,
        ("(1x2x2)", "(1x0x0)"),
    ),
    (
        "max_pool2d stride",
        lambda t, F: F.max_pool2d(t.randn(1, 1, 4, 4), 2, stride=0),
        RuntimeError,
        ("stride",),
    ),
    ("max_pool2d rank", lambda t, F: F.max_pool2d(t.randn(8), 2), RuntimeError, ("[8]",)),
    ("max_pool1d rank", lambda t, F: F.max_pool1d(t.randn(8), 2), RuntimeError, ("[8]",)),
    (
        "avg_pool2d padding",
        lambda t, F: F.avg_pool2d(t.randn(2, 3, 8, 8), 4, padding=3),
        RuntimeError,
        ("pad", "3"),
    ),
    (
        "avg_pool2d output too small",
        lambda t, F: F.avg_pool2d(t.randn(1, 1, 2, 2), 3),
        RuntimeError,
        ("(1x2x2)", "(1x0x0)"),
    ),
    (
        "adaptive_avg_pool2d size",
        lambda t, F: F.adaptive_avg_pool2d(t.randn(2, 3, 8, 8), (2, 3, 4)),
        RuntimeError,
        ("output_size",),
    ),
    (
        "adaptive_max_pool2d rank",
        lambda t, F: F.adaptive_max_pool2d(t.randn(8), 2),
        RuntimeError,
        ("[8]",),
    ),
]


@pytest.mark.parametrize("name, call, error, words", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_named(name: str, call, error: type[Exception], words) -> None:
    with pytest.raises(error) as info:
        call(tinygrad_edu, F)
    for word in words:
        assert word in str(info.value), f"{name}: {word!r} not in {info.value}"
