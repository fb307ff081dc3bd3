"""autograd.functional: vjp, jvp, jacobian, hessian, hvp, vhp against finite differences and
torch.autograd.functional."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.autograd import functional as AF

RNG = np.random.default_rng(0)
A = RNG.uniform(-1.0, 1.0, (3,))
B = RNG.uniform(-1.0, 1.0, (2, 3))


def two_in_two_out(x, y):
    return (x * y).tanh(), (x.exp() * y).sum(1)


def scalar_fn(x, y=None):
    out = (x.exp() * x).sum() + (x * x * x).sum()
    return out if y is None else out + (x * y).sigmoid().sum()


def numeric_jacobian(f, arrays, i, eps=1e-6):
    """d f(arrays) / d arrays[i] by central differences: shape out.shape + in.shape, per output."""

    def outs(arrs):
        r = f(*[Tensor(a) for a in arrs])
        return [o.numpy() for o in (r if isinstance(r, tuple) else (r,))]

    base = outs(arrays)
    jac = [np.zeros(o.shape + arrays[i].shape) for o in base]
    for j in np.ndindex(arrays[i].shape):
        plus = [a.copy() for a in arrays]
        minus = [a.copy() for a in arrays]
        plus[i][j] += eps
        minus[i][j] -= eps
        for k, (p, m) in enumerate(zip(outs(plus), outs(minus))):
            jac[k][(Ellipsis, *j)] = (p - m) / (2 * eps)
    return jac


def test_jacobian_shapes_and_values_match_finite_differences() -> None:
    J = AF.jacobian(two_in_two_out, (Tensor(A), Tensor(B)))
    assert isinstance(J, tuple) and all(isinstance(row, tuple) and len(row) == 2 for row in J)
    for i in range(2):
        num = numeric_jacobian(two_in_two_out, [A, B], i)
        for k in range(2):
            np.testing.assert_allclose(J[k][i].numpy(), num[k], atol=1e-7)
    single = AF.jacobian(lambda x: x.tanh() * 2.0, Tensor(A))
    assert isinstance(single, Tensor) and single.shape == (3, 3)
    np.testing.assert_allclose(single.numpy(), np.diag(2 / np.cosh(A) ** 2), atol=1e-12)
    per_input = AF.jacobian(lambda x, y: (x * y).sum(1), (Tensor(A), Tensor(B)))
    assert isinstance(per_input, tuple) and [p.shape for p in per_input] == [(2, 3), (2, 2, 3)]


def test_vjp_and_jvp_are_the_two_products_with_the_jacobian() -> None:
    J = AF.jacobian(two_in_two_out, (Tensor(A), Tensor(B)))
    u = (RNG.standard_normal((2, 3)), RNG.standard_normal(2))
    v = (RNG.standard_normal(3), RNG.standard_normal((2, 3)))
    outs, vjp = AF.vjp(two_in_two_out, (Tensor(A), Tensor(B)), tuple(Tensor(t) for t in u))
    np.testing.assert_allclose(outs[0].numpy(), np.tanh(A * B))
    for i in range(2):
        want = sum(np.tensordot(u[k], J[k][i].numpy(), axes=u[k].ndim) for k in range(2))
        np.testing.assert_allclose(vjp[i].numpy(), want, atol=1e-12)
    _, jvp = AF.jvp(two_in_two_out, (Tensor(A), Tensor(B)), tuple(Tensor(t) for t in v))
    for k in range(2):
        nd = J[k][0].ndim
        want = sum(np.tensordot(J[k][i].numpy(), v[i], axes=v[i].ndim) for i in range(2))
        assert jvp[k].shape == J[k][0].shape[: nd - 1]
        np.testing.assert_allclose(jvp[k].numpy(), want, atol=1e-12)


def test_hessian_hvp_vhp_match_finite_differences_of_the_gradient() -> None:
    x = Tensor(A)
    H = AF.hessian(scalar_fn, x)
    grad_fn = lambda t: AF.vjp(scalar_fn, t)[1]  # noqa: E731
    num = numeric_jacobian(grad_fn, [A], 0)[0]
    np.testing.assert_allclose(H.numpy(), num, atol=1e-6)
    np.testing.assert_allclose(H.numpy(), H.numpy().T, atol=1e-12)
    v = RNG.standard_normal(3)
    out, hv = AF.hvp(scalar_fn, x, Tensor(v))
    _, vh = AF.vhp(scalar_fn, x, Tensor(v))
    np.testing.assert_allclose(out.numpy(), scalar_fn(Tensor(A)).numpy())
    np.testing.assert_allclose(hv.numpy(), H.numpy() @ v, atol=1e-12)
    np.testing.assert_allclose(vh.numpy(), v @ H.numpy(), atol=1e-12)
    H2 = AF.hessian(scalar_fn, (Tensor(A), Tensor(A[::-1].copy())))
    assert [[h.shape for h in row] for row in H2] == [[(3, 3)] * 2] * 2


def test_results_are_detached_unless_create_graph() -> None:
    x = Tensor(A, requires_grad=True)
    out, g = AF.vjp(lambda t: (t * t).sum(), x)
    assert not out.requires_grad and not g.requires_grad
    _, g = AF.vjp(lambda t: (t * t * t).sum(), x, create_graph=True)
    assert g.requires_grad
    g.sum().backward()  # d/dx sum(3 x^2) = 6 x, through the caller's x
    np.testing.assert_allclose(x.grad.numpy(), 6 * A)


def test_unused_inputs_give_zeros_or_raise_when_strict() -> None:
    def f(x, y):
        return x * 2.0

    _, g = AF.vjp(f, (Tensor(A), Tensor(A)), Tensor(np.ones(3)))
    np.testing.assert_allclose(g[1].numpy(), np.zeros(3))
    J = AF.jacobian(f, (Tensor(A), Tensor(A)))
    np.testing.assert_allclose(J[1].numpy(), np.zeros((3, 3)))
    with pytest.raises(RuntimeError, match="input 1"):
        AF.vjp(f, (Tensor(A), Tensor(A)), Tensor(np.ones(3)), strict=True)
    with pytest.raises(RuntimeError, match="input 1"):
        AF.jacobian(f, (Tensor(A), Tensor(A)), strict=True)


def test_bad_arguments_are_named() -> None:
    with pytest.raises(TypeError, match=r"inputs\[1\] must be a Tensor"):
        AF.jacobian(lambda x, y: x, (Tensor(A), 3.0))
    with pytest.raises(RuntimeError, match=r"v\[0\] has shape \(2,\)"):
        AF.vjp(lambda x: x * 2.0, Tensor(A), Tensor(np.ones(2)))
    with pytest.raises(RuntimeError, match="v can only be omitted"):
        AF.vjp(lambda x: x * 2.0, Tensor(A))
    with pytest.raises(RuntimeError, match="single one-element Tensor"):
        AF.hessian(lambda x: x * 2.0, Tensor(A))


def test_everything_matches_torch_autograd_functional() -> None:
    torch = pytest.importorskip("torch")
    TF = torch.autograd.functional
    ours = (Tensor(A), Tensor(B))
    theirs = (torch.tensor(A), torch.tensor(B))

    def same(a, b):
        if isinstance(b, (tuple, list)):
            assert isinstance(a, tuple) and len(a) == len(b)
            for x, y in zip(a, b):
                same(x, y)
        else:
            assert a.shape == tuple(b.shape)
            np.testing.assert_allclose(a.numpy(), b.detach().numpy(), atol=1e-12)

    same(AF.jacobian(two_in_two_out, ours), TF.jacobian(two_in_two_out, theirs))
    same(AF.jacobian(lambda x: x.sum(), ours[0]), TF.jacobian(lambda x: x.sum(), theirs[0]))
    u = (np.ones((2, 3)), np.arange(2.0))
    same(
        AF.vjp(two_in_two_out, ours, tuple(Tensor(t) for t in u)),
        TF.vjp(two_in_two_out, theirs, tuple(torch.tensor(t) for t in u)),
    )
    v = (np.arange(3.0), np.ones((2, 3)))
    same(
        AF.jvp(two_in_two_out, ours, tuple(Tensor(t) for t in v)),
        TF.jvp(two_in_two_out, theirs, tuple(torch.tensor(t) for t in v)),
    )
    same(AF.hessian(scalar_fn, ours[0]), TF.hessian(scalar_fn, theirs[0]))
    same(AF.hessian(scalar_fn, (ours[0], ours[0])), TF.hessian(scalar_fn, (theirs[0], theirs[0])))
    for name in ("hvp", "vhp"):
        same(
            getattr(AF, name)(scalar_fn, ours[0], Tensor(v[0])),
            getattr(TF, name)(scalar_fn, theirs[0], torch.tensor(v[0])),
        )
