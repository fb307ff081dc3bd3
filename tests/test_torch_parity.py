"""Where PyTorch is installed: every op of the table against torch on the same inputs (forward,
gradients, second derivatives), in float64 and float32, plus the non-smooth points where a
convention decides the gradient (max/min ties, clamp bounds, abs and relu at 0)."""

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_table import OPS, OURS, Case, Lib

import tinygrad_edu
from tinygrad_edu import Tensor, autograd

torch = pytest.importorskip("torch")


def torch_rnn_cell(x: Any, h: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any, act: str) -> Any:
    """torch's step takes a batch: an unbatched step is a batch of one, as torch.nn.RNNCell does."""
    step = torch.rnn_tanh_cell if act == "tanh" else torch.rnn_relu_cell
    if x.ndim == 1:
        return step(x[None], h[None], w_ih, w_hh, b_ih, b_hh)[0]
    return step(x, h, w_ih, w_hh, b_ih, b_hh)


TORCH = Lib(
    name="torch",
    tensor=lambda a, rg: torch.tensor(a, requires_grad=rg),
    index=lambda a: torch.from_numpy(np.array(a)),
    cat=torch.cat,
    stack=torch.stack,
    where=torch.where,
    float32=torch.float32,
    float64=torch.float64,
    F=torch.nn.functional,
    rnn_cell=torch_rnn_cell,
    module=torch,
)

NAMES = sorted(OPS)
TOL = {np.float64: {"rtol": 1e-10, "atol": 1e-12}, np.float32: {"rtol": 2e-5, "atol": 2e-6}}


def to_numpy(t: Any) -> np.ndarray:
    if not isinstance(t, torch.Tensor):
        return np.asarray(t.data)
    if t._is_zerotensor():  # torch's lazily-zero gradients (e.g. the second derivative of abs)
        return np.zeros(tuple(t.shape))
    return t.detach().numpy()


def first_grads(lib: Lib, case: Case, dtype: Any, seed: np.ndarray | None) -> tuple[Any, ...]:
    """Forward output and input gradients for one library, seeded with the same upstream grad."""
    ins = case.tensors(lib, dtype)
    out = case.call(lib, *ins)
    if seed is None:
        return out, ins, None
    g = lib.tensor(seed.astype(dtype), False)
    out.backward(g)
    return out, ins, [to_numpy(x.grad) if x.grad is not None else np.zeros(x.shape) for x in ins]


def check_against_torch(case: Case, dtype: Any) -> None:
    ours, _, _ = first_grads(OURS, case, dtype, None)
    theirs, _, _ = first_grads(TORCH, case, dtype, None)
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype == np.dtype(str(theirs.dtype).removeprefix("torch.")), "dtype differs"
    np.testing.assert_allclose(ours.data, to_numpy(theirs), **TOL[dtype])

    seed = np.random.default_rng(ours.data.size).standard_normal(ours.shape)
    _, our_ins, our_grads = first_grads(OURS, case, dtype, seed)
    _, _, torch_grads = first_grads(TORCH, case, dtype, seed)
    for i, (a, b) in enumerate(zip(our_grads, torch_grads)):
        assert our_ins[i].grad is None or our_ins[i].grad.dtype == dtype
        # Rounding error in float32 scales with the largest value a gradient sums (a batch norm's
        # gradient cancels terms of that size): the absolute tolerance scales with it too.
        tol = dict(TOL[dtype])
        tol["atol"] *= max(1.0, float(np.abs(b).max(initial=0.0)))
        np.testing.assert_allclose(a, b, **tol, err_msg=f"{case.label}: grad of input {i}")


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=12)  # test_ops.py draws more; parity is about conventions, not coverage
@given(data=st.data())
def test_forward_and_gradients_match_torch(name: str, data: st.DataObject) -> None:
    """One drawn case, checked in float64 and again in float32."""
    case = data.draw(OPS[name].cases, label="case")
    check_against_torch(case, np.float64)
    check_against_torch(case, np.float32)


def second_grads(lib: Lib, case: Case, seed: np.ndarray, weights: list[np.ndarray]) -> list:
    """d/dx of sum_i <w_i, d<seed, f(x)>/dx_i>: a Hessian-vector product through create_graph."""
    grad_fn = autograd.grad if lib is OURS else torch.autograd.grad
    ins = case.tensors(lib, np.float64)
    out = case.call(lib, *ins)
    firsts = grad_fn(out, ins, lib.tensor(seed, False), create_graph=True, allow_unused=True)
    total = None
    for g, w in zip(firsts, weights):
        if g is not None and g.requires_grad:
            term = (g * lib.tensor(w, False)).sum()
            total = term if total is None else total + term
    if total is None:  # every first derivative is constant: the second derivatives are zero
        return [np.zeros(x.shape) for x in ins]
    seconds = grad_fn(total, ins, allow_unused=True)
    return [np.zeros(x.shape) if s is None else to_numpy(s) for x, s in zip(ins, seconds)]


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=5)
@given(data=st.data())
def test_second_derivatives_match_torch(name: str, data: st.DataObject) -> None:
    case = data.draw(OPS[name].cases, label="case")
    rng = np.random.default_rng(0)
    out_shape = case.expected().shape
    seed = rng.standard_normal(out_shape)
    weights = [rng.standard_normal(a.shape) for a in case.arrays]
    ours = second_grads(OURS, case, seed, weights)
    theirs = second_grads(TORCH, case, seed, weights)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        atol = 1e-11
        if name == "binary_cross_entropy":
            # torch's double backward of BCE adds 1e-12 to x and to 1 - x in its denominators,
            # an error of ~1e-11 relative to the terms it sums; where they nearly cancel, the
            # result is off by more than 1e-9 of itself (ours is exact: test_ops checks it).
            atol = 1e-9 * float(np.abs(b).max(initial=0.0))
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=atol, err_msg=f"input {i}")


# -- conventions at non-differentiable points ------------------------------------------------------


def both(values: list[Any], fn: Any, seed: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """x.grad after fn(x).backward(seed), for tinygrad_edu and for torch."""
    grads = []
    for lib in (OURS, TORCH):
        x = lib.tensor(np.array(values, dtype=np.float64), True)
        out = fn(lib, x)
        out.backward(None if seed is None else lib.tensor(np.array(seed, np.float64), False))
        grads.append(to_numpy(x.grad))
    return grads[0], grads[1]


TIES = [[1.0, 3.0, 3.0, 2.0], [[2.0, 2.0], [2.0, 1.0]], [[5.0, 1.0, 5.0], [0.0, 0.0, 0.0]]]


@pytest.mark.parametrize("values", TIES)
@pytest.mark.parametrize("method", ["max", "min", "amax", "amin"])
def test_full_reduction_spreads_gradient_over_ties(values: list[Any], method: str) -> None:
    ours, theirs = both(values, lambda lib, x: getattr(x, method)())
    np.testing.assert_allclose(ours, theirs)
    assert ours.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("method", ["amax", "amin"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_amax_over_dim_spreads_gradient_over_ties(method: str, dim: int) -> None:
    values = [[5.0, 1.0, 5.0], [0.0, 0.0, 0.0]]
    ours, theirs = both(
        values, lambda lib, x: getattr(x, method)(dim=dim), [1.0, 2.0, 3.0][: 3 - dim % 2]
    )
    np.testing.assert_allclose(ours, theirs)


@pytest.mark.parametrize("method", ["max", "min"])
@pytest.mark.parametrize("dim", [0, 1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_dim_gives_gradient_to_one_index(method: str, dim: int, keepdim: bool) -> None:
    values = [[5.0, 1.0, 5.0], [0.0, 0.0, 0.0]]
    ours, theirs = both(values, lambda lib, x: getattr(x, method)(dim, keepdim).values.sum())
    np.testing.assert_allclose(ours, theirs)
    # one winner per reduced slice, each with the whole gradient
    assert sorted(np.unique(ours).tolist()) == [0.0, 1.0]
    x = np.array(values)
    assert ours.sum() == x.shape[1 - dim]
    # and the indices agree with torch too
    ours_idx = getattr(Tensor(x), method)(dim, keepdim).indices.data
    theirs_idx = getattr(torch.tensor(x), method)(dim, keepdim).indices.numpy()
    np.testing.assert_array_equal(ours_idx, theirs_idx)


@pytest.mark.parametrize("method", ["maximum", "minimum"])
def test_elementwise_max_splits_ties_in_half(method: str) -> None:
    x_vals, y_vals = [1.0, 2.0, 3.0, -1.0], [1.0, 0.0, 4.0, -1.0]
    grads = []
    for lib in (OURS, TORCH):
        x = lib.tensor(np.array(x_vals), True)
        y = lib.tensor(np.array(y_vals), True)
        getattr(x, method)(y).sum().backward()
        grads.append((to_numpy(x.grad), to_numpy(y.grad)))
    np.testing.assert_allclose(grads[0][0], grads[1][0])
    np.testing.assert_allclose(grads[0][1], grads[1][1])
    assert grads[0][0][0] == 0.5 and grads[0][1][0] == 0.5


@pytest.mark.parametrize("bounds", [(-1.0, 1.0), (-1.0, None), (None, 1.0), (1.0, 1.0)])
def test_clamp_gradient_at_the_bounds(bounds: tuple[Any, Any]) -> None:
    lo, hi = bounds
    values = [-2.0, -1.0, 0.0, 1.0, 2.0]
    ours, theirs = both(values, lambda lib, x: x.clamp(min=lo, max=hi).sum())
    np.testing.assert_allclose(ours, theirs)


@pytest.mark.parametrize("method", ["abs", "relu"])
def test_gradient_at_zero(method: str) -> None:
    ours, theirs = both([-1.0, 0.0, 2.0], lambda lib, x: getattr(x, method)().sum())
    np.testing.assert_allclose(ours, theirs)
    assert ours[1] == 0.0


def test_sqrt_and_log_at_zero_match_torch() -> None:
    with np.errstate(divide="ignore", invalid="ignore"):
        for method in ("sqrt", "log"):
            ours, theirs = both([0.0, 1.0], lambda lib, x, m=method: getattr(x, m)().sum())
            np.testing.assert_allclose(ours, theirs)


@pytest.mark.parametrize(
    "index",
    [
        (0, slice(None), np.array([0, 1, 1])),
        (np.array([1, 0]), slice(None), 0),
        (slice(None), 0, slice(None), np.array([2, 0])),
        (0, np.array([1, 1])),
    ],
    ids=repr,
)
def test_int_and_array_index_layout_matches_torch(index: tuple[Any, ...]) -> None:
    """An int separated from an index array by a slice: PyTorch applies the int first (as a
    select), NumPy treats it as advanced and moves the indexed dims to the front."""
    x = np.arange(2 * 3 * 4 * 3, dtype=np.float64).reshape(2, 3, 4, 3)
    ours, theirs = both(
        x.tolist(),
        lambda lib, t: (
            t[tuple(lib.index(i) if isinstance(i, np.ndarray) else i for i in index)] ** 2
        ).sum(),
    )
    np.testing.assert_allclose(ours, theirs)
    ours_fwd = Tensor(x)[index]
    theirs_fwd = torch.tensor(x)[
        tuple(torch.from_numpy(i) if isinstance(i, np.ndarray) else i for i in index)
    ]
    assert ours_fwd.shape == tuple(theirs_fwd.shape)
    np.testing.assert_array_equal(ours_fwd.data, theirs_fwd.numpy())


def test_python_scalars_keep_float32_like_torch() -> None:
    for fn in (
        lambda t: t * 2.0,
        lambda t: 2.0 - t,
        lambda t: t**2.5,
        lambda t: 1 / t,
        lambda t: t + 1,
    ):
        ours = fn(tinygrad_edu.ones(3))
        theirs = fn(torch.ones(3))
        assert ours.dtype == np.float32 and theirs.dtype == torch.float32


@pytest.mark.parametrize("method", ["var", "std"])
@pytest.mark.parametrize(
    "args, kwargs",
    [((0,), {}), ((1, False), {}), ((1, True), {"keepdim": True}), ((None,), {"correction": 0})],
    ids=str,
)
def test_var_and_std_arguments_mean_what_they_mean_in_torch(method: str, args, kwargs) -> None:
    """torch's second positional argument is ``unbiased``, not ``keepdim``."""
    x = np.arange(12.0).reshape(3, 4) ** 1.5
    ours = getattr(Tensor(x), method)(*args, **kwargs)
    theirs = getattr(torch.tensor(x), method)(*args, **kwargs)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)
