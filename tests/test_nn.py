"""nn: Module semantics, layers (gradchecked in float64), init, state dicts, bad input."""

from __future__ import annotations

import copy
import math
import re

import numpy as np
import pytest
from helpers import check_grads, first, rand
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor, gradcheck, gradgradcheck, nn, no_grad


def snapshot(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(3, 4), nn.Tanh())
        self.scale = nn.Parameter(np.ones(1, np.float32))
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.body(x)) * self.scale


# -- Module semantics -------------------------------------------------------------------------


def test_registration_follows_assignment_order_and_nesting():
    model = TwoLayer()
    names = [n for n, _ in model.named_parameters()]
    assert names == ["scale", "body.0.weight", "body.0.bias", "head.weight", "head.bias"]
    assert [n for n, _ in model.named_children()] == ["body", "head"]
    assert [type(m).__name__ for m in model.modules()] == [
        "TwoLayer",
        "Sequential",
        "Linear",
        "Tanh",
        "Linear",
    ]
    assert list(model.state_dict()) == names
    assert len(list(model.parameters())) == 5
    assert [n for n, _ in model.named_parameters(recurse=False)] == ["scale"]


def test_shared_parameter_is_listed_once():
    lin = nn.Linear(2, 2)
    model = nn.Sequential(lin, nn.ReLU(), lin)
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]


def test_reassigning_and_deleting_attributes():
    model = TwoLayer()
    model.head = nn.Linear(4, 3)  # replaced in place, keeps its slot in the order
    assert [n for n, _ in model.named_children()] == ["body", "head"]
    assert model.head.out_features == 3
    with pytest.raises(TypeError, match="Parameter or None"):
        model.scale = Tensor([1.0])
    model.scale = None
    assert "scale" not in [n for n, _ in model.named_parameters()]
    del model.head
    assert [n for n, _ in model.named_children()] == ["body"]
    with pytest.raises(AttributeError, match="head"):
        _ = model.head


def test_assigning_before_super_init_is_explained():
    class Bad(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match=r"super\(\)\.__init__"):
        Bad()


def test_train_eval_propagate_to_every_submodule():
    model = TwoLayer()
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_zero_grad_sets_none_or_zeros():
    model = TwoLayer()
    model(rand(5, 3, dtype=np.float32)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_repr_names_layers_like_pytorch():
    text = repr(TwoLayer())
    assert "(body): Sequential(" in text
    assert "(0): Linear(in_features=3, out_features=4, bias=True)" in text
    assert "(1): Tanh()" in text
    assert "(head): Linear(in_features=4, out_features=2, bias=True)" in text
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == "RNNCell(3, 4, nonlinearity=relu)"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(nn.Parameter([1.0])).startswith("Parameter containing:")


def test_sequential_indexing_and_iteration():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Linear"]
    assert [n for n, _ in seq[:2].named_parameters()] == ["0.weight", "0.bias"]
    with pytest.raises(IndexError, match="out of range"):
        seq[3]
    with pytest.raises(TypeError, match="not a Module"):
        nn.Sequential(nn.ReLU(), lambda x: x)
    layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2)])
    assert [n for n, _ in layers.named_parameters()][:2] == ["0.weight", "0.bias"]


def test_parameters_are_float32_leaves_that_require_grad():
    model = nn.Sequential(nn.Linear(3, 4), nn.RNNCell(4, 5), nn.RNN(5, 2, num_layers=2))
    for name, p in model.named_parameters():
        assert isinstance(p, nn.Parameter) and isinstance(p, Tensor), name
        assert p.dtype == np.float32 and p.requires_grad and p.is_leaf, name
    assert nn.Parameter([1, 2]).dtype == np.float32
    assert nn.Parameter(np.zeros(2)).dtype == np.float64  # an ndarray keeps its dtype
    t = Tensor([1.0, 2.0])
    assert nn.Parameter(t).data is t.data  # shares the tensor's array, as torch


def test_float32_in_float32_out():
    model = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 2))
    out = model(rand(5, 3, dtype=np.float32))
    assert out.dtype == np.float32
    F.mse_loss(out, np.zeros((5, 2))).backward()
    assert all(p.grad.dtype == np.float32 for p in model.parameters())


def test_manual_seed_makes_init_reproducible():
    tinygrad_edu.manual_seed(123)
    a = nn.Sequential(nn.Linear(4, 3), nn.RNN(3, 2))
    tinygrad_edu.manual_seed(123)
    b = nn.Sequential(nn.Linear(4, 3), nn.RNN(3, 2))
    c = nn.Sequential(nn.Linear(4, 3), nn.RNN(3, 2))  # the generator moved on
    for (k, va), vb, vc in zip(
        a.state_dict().items(), b.state_dict().values(), c.state_dict().values()
    ):
        np.testing.assert_array_equal(va.numpy(), vb.numpy(), err_msg=k)
        assert not np.array_equal(va.numpy(), vc.numpy()), k


def test_default_init_bounds_are_pytorchs():
    tinygrad_edu.manual_seed(0)
    lin = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p in (lin.weight, lin.bias):
        assert np.abs(p.numpy()).max() <= bound
        assert np.abs(p.numpy()).max() > 0.95 * bound  # uses the whole range
    cell = nn.RNNCell(10, 400)
    for name, p in cell.named_parameters():
        assert np.abs(p.numpy()).max() <= 1 / math.sqrt(400), name
        assert np.abs(p.numpy()).max() > 0.95 / math.sqrt(400), name
    assert lin.weight.numpy().std() == pytest.approx(bound / math.sqrt(3), rel=0.02)


def test_deepcopy_gives_an_independent_model():
    model = TwoLayer()
    twin = copy.deepcopy(model)
    with no_grad():
        twin.head.weight.fill_(0.0)
    assert model.head.weight.numpy().any()
    assert [n for n, _ in twin.named_parameters()] == [n for n, _ in model.named_parameters()]


# -- layers: forward against NumPy, gradients against finite differences -------------------


def test_linear_forward_matches_numpy_for_any_batch_dims():
    lin = nn.Linear(3, 2)
    w, b = lin.weight.numpy(), lin.bias.numpy()
    for shape in [(3,), (4, 3), (2, 5, 3)]:
        x = rand(*shape, dtype=np.float32)
        np.testing.assert_allclose(lin(x).numpy(), x.numpy() @ w.T + b, rtol=1e-6, atol=1e-6)
    no_bias = nn.Linear(3, 2, bias=False)
    assert no_bias.bias is None and len(list(no_bias.parameters())) == 1
    x = rand(4, 3, dtype=np.float32)
    np.testing.assert_allclose(no_bias(x).numpy(), x.numpy() @ no_bias.weight.numpy().T, rtol=1e-6)


@pytest.mark.parametrize("shape", [(3,), (4, 3), (2, 2, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_fused_linear_gradcheck_and_gradgradcheck(shape, bias):
    x = rand(*shape, seed=1, requires_grad=True)
    w = rand(2, 3, seed=2, requires_grad=True)
    b = rand(2, seed=3, requires_grad=True) if bias else None
    inputs = [x, w] + ([b] if bias else [])
    assert gradcheck(lambda x, w, *b: F.linear(x, w, *b), inputs)
    assert gradgradcheck(lambda x, w, *b: F.linear(x, w, *b), inputs)


def _module_gradcheck(model, *inputs, second_order=True):
    """gradcheck w.r.t. the inputs and every parameter (the model made float64 first)."""
    model.double()
    params = list(model.parameters())
    n = len(inputs)

    check_grads(lambda *args: first(model(*args[:n])), [*inputs, *params], second_order)


def test_linear_module_gradcheck():
    _module_gradcheck(nn.Linear(3, 2), rand(4, 3, requires_grad=True))


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnncell_gradcheck(nonlinearity):
    cell = nn.RNNCell(3, 4, nonlinearity=nonlinearity)
    _module_gradcheck(
        cell, rand(2, 3, seed=4, requires_grad=True), rand(2, 4, seed=5, requires_grad=True)
    )


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_fused_rnncell_step_gradcheck_and_gradgradcheck(batched, bias, nonlinearity):
    # One time step is one fused node: its backward finds dz once and shares the bias gradient.
    shape = (2,) if batched else ()
    cell = nn.RNNCell(3, 4, bias=bias, nonlinearity=nonlinearity)
    assert len(list(cell.parameters())) == (4 if bias else 2)
    x = rand(*shape, 3, seed=10, requires_grad=True)
    h = rand(*shape, 4, seed=11, requires_grad=True)
    _module_gradcheck(cell, x, h)


def test_fused_rnncell_step_gives_each_bias_its_own_gradient():
    cell = nn.RNNCell(3, 4)
    h = cell(rand(2, 3, dtype=np.float32), rand(2, 4, dtype=np.float32))
    (h * rand(2, 4, seed=12, dtype=np.float32)).sum().backward()
    assert cell.bias_ih.grad is not None and cell.bias_hh.grad is not None
    np.testing.assert_array_equal(cell.bias_ih.grad.numpy(), cell.bias_hh.grad.numpy())
    assert not np.shares_memory(cell.bias_ih.grad.numpy(), cell.bias_hh.grad.numpy())


def test_rnn_gradcheck_two_layers_batch_first():
    rnn = nn.RNN(2, 3, num_layers=2, batch_first=True)
    _module_gradcheck(rnn, rand(2, 3, 2, seed=6, requires_grad=True), second_order=False)


def test_rnn_h_n_gradcheck():
    rnn = nn.RNN(2, 3).double()
    x, h0 = rand(4, 1, 2, seed=7, requires_grad=True), rand(1, 1, 3, seed=8, requires_grad=True)
    assert gradcheck(lambda x, h0, *ps: rnn(x, h0)[1], [x, h0, *rnn.parameters()])


def test_sequential_mlp_gradcheck():
    model = nn.Sequential(
        nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 4), nn.Sigmoid(), nn.Linear(4, 2)
    )
    _module_gradcheck(model, rand(2, 3, requires_grad=True))


def test_rnncell_forward_is_the_elman_step():
    cell = nn.RNNCell(3, 4)
    x, h = rand(2, 3, dtype=np.float32), rand(2, 4, dtype=np.float32)
    p = {k: v.numpy() for k, v in cell.state_dict().items()}
    want = np.tanh(
        x.numpy() @ p["weight_ih"].T + p["bias_ih"] + h.numpy() @ p["weight_hh"].T + p["bias_hh"]
    )
    np.testing.assert_allclose(cell(x, h).numpy(), want, rtol=1e-5, atol=1e-6)
    # hx defaults to zeros, and an unbatched input gives an unbatched state
    np.testing.assert_allclose(cell(x).numpy(), cell(x, tinygrad_edu.zeros(2, 4)).numpy())
    assert cell(x[0]).shape == (4,)


def test_rnn_unrolls_cells_and_handles_layouts():
    rnn = nn.RNN(3, 4, num_layers=2)
    x = rand(5, 2, 3, dtype=np.float32)
    out, h_n = rnn(x)
    assert out.shape == (5, 2, 4) and h_n.shape == (2, 2, 4)
    # The same computation by hand with cells carrying the layers' weights.
    cells = []
    for k in range(2):
        cell = nn.RNNCell(3 if k == 0 else 4, 4)
        cell.load_state_dict(
            {
                name: rnn.state_dict()[f"{name}_l{k}"]
                for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
            }
        )
        cells.append(cell)
    hs = [tinygrad_edu.zeros(2, 4), tinygrad_edu.zeros(2, 4)]
    for t in range(5):
        hs[0] = cells[0](x[t], hs[0])
        hs[1] = cells[1](hs[0], hs[1])
    np.testing.assert_allclose(out[-1].numpy(), hs[1].numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h_n.numpy(), np.stack([h.numpy() for h in hs]), rtol=1e-5, atol=1e-6)
    # batch_first is the same computation transposed; unbatched is a batch of one
    bf = nn.RNN(3, 4, num_layers=2, batch_first=True)
    bf.load_state_dict(rnn.state_dict())
    out_bf, h_bf = bf(x.transpose(0, 1))
    np.testing.assert_allclose(out_bf.numpy(), out.numpy().transpose(1, 0, 2), rtol=1e-6)
    np.testing.assert_allclose(h_bf.numpy(), h_n.numpy(), rtol=1e-6)
    out_u, h_u = rnn(x[:, 0])
    assert out_u.shape == (5, 4) and h_u.shape == (2, 4)
    np.testing.assert_allclose(out_u.numpy(), out.numpy()[:, 0], rtol=1e-5, atol=1e-6)


def test_activation_and_shape_modules():
    x = rand(2, 3, 4, dtype=np.float32)
    np.testing.assert_allclose(nn.ReLU()(x).numpy(), np.maximum(x.numpy(), 0))
    np.testing.assert_allclose(nn.Tanh()(x).numpy(), np.tanh(x.numpy()), rtol=1e-6)
    np.testing.assert_allclose(nn.Sigmoid()(x).numpy(), 1 / (1 + np.exp(-x.numpy())), rtol=1e-6)
    sm = nn.Softmax(dim=1)(x).numpy()
    np.testing.assert_allclose(sm.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(nn.LogSoftmax(dim=1)(x).numpy(), np.log(sm), rtol=1e-5, atol=1e-6)
    assert nn.Identity(5, unused=True)(x) is x
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        F.softmax(x)


# -- bad input ---------------------------------------------------------------------------------


def test_linear_wrong_input_shape_names_the_shapes():
    with pytest.raises(
        ValueError, match=r"Linear\(in_features=4\): input has shape \(2, 3\), last dim must be 4"
    ):
        nn.Linear(4, 2)(rand(2, 3))
    with pytest.raises(ValueError, match=r"bias has shape \(3,\)"):
        F.linear(rand(2, 4), rand(2, 4), rand(3))


def test_rnncell_and_rnn_wrong_shapes_name_the_shapes():
    # RuntimeError, as PyTorch's recurrent layers raise for mismatched sizes.
    cell = nn.RNNCell(4, 3)
    x32 = np.float32
    with pytest.raises(RuntimeError, match=r"input has shape \(2, 5\), expected \(batch, 4\)"):
        cell(rand(2, 5, dtype=x32))
    with pytest.raises(RuntimeError, match=r"hx has shape \(2, 4\).*must be \(2, 3\)"):
        cell(rand(2, 4, dtype=x32), rand(2, 4, dtype=x32))
    rnn = nn.RNN(4, 3, num_layers=2)
    with pytest.raises(RuntimeError, match=r"input has shape \(5, 2, 3\)"):
        rnn(rand(5, 2, 3, dtype=x32))
    with pytest.raises(RuntimeError, match=r"hx has shape \(1, 2, 3\).*must be \(2, 2, 3\)"):
        rnn(rand(5, 2, 4, dtype=x32), rand(1, 2, 3, dtype=x32))
    with pytest.raises(ValueError, match="nonlinearity 'sigmoid'"):
        nn.RNN(2, 2, nonlinearity="sigmoid")
    cell.weight_hh = nn.Parameter(rand(3, 4, dtype=x32))  # replaced by hand with a wrong shape
    with pytest.raises(
        RuntimeError, match=r"RNNCell.*weight_hh has shape \(3, 4\), expected \(3, 3\)"
    ):
        cell(rand(2, 4, dtype=x32))
    rnn.bias_ih_l1 = nn.Parameter(rand(4, dtype=x32))
    with pytest.raises(RuntimeError, match=r"layer 1: bias_ih has shape \(4,\), expected \(3,\)"):
        rnn(rand(5, 2, 4, dtype=x32))
    # float64 data into a float32 model: refused, as in PyTorch (a layer: ValueError)
    with pytest.raises(ValueError, match=r"input dtype \(float64\) does not match weight dtype"):
        nn.RNN(4, 3)(rand(5, 2, 4))
    with pytest.raises(RuntimeError, match=r"input dtype \(float64\) does not match"):
        nn.RNNCell(4, 3)(rand(2, 4))


# -- state dicts -------------------------------------------------------------------------------


def test_state_dict_shares_memory_and_is_detached():
    model = nn.Linear(2, 2)
    sd = model.state_dict()
    assert list(sd) == ["weight", "bias"]
    assert not sd["weight"].requires_grad and sd["weight"].grad_fn is None
    with no_grad():
        model.weight.fill_(3.0)
    assert np.all(sd["weight"].numpy() == 3.0)  # shares memory, as in PyTorch
    assert model.state_dict(keep_vars=True)["weight"] is model.weight


def test_load_state_dict_from_numpy_keeps_float32_and_objects():
    model = TwoLayer()
    weight = model.head.weight
    state = {
        k: np.random.default_rng(0).standard_normal(v.shape) for k, v in model.state_dict().items()
    }
    result = model.load_state_dict(state)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert model.head.weight is weight  # copied into, so an optimizer holding it still works
    for k, v in model.state_dict().items():
        assert v.dtype == np.float32, k
        np.testing.assert_allclose(v.numpy(), state[k].astype(np.float32), err_msg=k)


def _bad_state(kind):
    model = TwoLayer()
    state = {k: v.numpy() * 0 + 7 for k, v in model.state_dict().items()}
    if kind == "missing":
        del state["head.bias"]
        return model, state, [r'Missing key\(s\) in state_dict: "head.bias"']
    if kind == "unexpected":
        state["head.extra"] = np.ones(2)
        return model, state, [r'Unexpected key\(s\) in state_dict: "head.extra"']
    if kind == "shape":
        state["body.0.weight"] = np.ones((4, 4))
        return model, state, ["size mismatch for body.0.weight", r"\(4, 4\)", r"\(4, 3\)"]
    state["head.weight"] = "not an array"
    return model, state, ["head.weight"]


@pytest.mark.parametrize("kind", ["missing", "unexpected", "shape", "type"])
def test_bad_state_dict_raises_naming_it_and_changes_nothing(kind):
    model, state, patterns = _bad_state(kind)
    before = snapshot(model)
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(state)
    for pattern in patterns:
        assert re.search(pattern, str(info.value)), (pattern, str(info.value))
    after = snapshot(model)
    assert list(after) == list(before)
    for k in before:
        np.testing.assert_array_equal(after[k], before[k], err_msg=k)


def test_load_state_dict_non_strict_reports_keys():
    model = nn.Linear(2, 2)
    result = model.load_state_dict({"weight": np.zeros((2, 2)), "other": np.ones(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["other"]
    assert not model.weight.numpy().any()
    with pytest.raises(RuntimeError, match="size mismatch for weight"):  # shapes: always checked
        model.load_state_dict({"weight": np.zeros((3, 2))}, strict=False)


def test_state_dict_round_trip_through_save_and_load(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.RNNCell(4, 2))
    tinygrad_edu.save(model.state_dict(), tmp_path / "m.npz")
    fresh = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.RNNCell(4, 2))
    fresh.load_state_dict(tinygrad_edu.load(tmp_path / "m.npz"))
    x = rand(2, 3, dtype=np.float32)
    np.testing.assert_array_equal(fresh(x).numpy(), model(x).numpy())


# -- init ---------------------------------------------------------------------------------------


def test_init_functions_fill_in_place_without_graph():
    p = nn.Parameter(np.zeros((300, 200), np.float32))
    data = p.data
    nn.init.uniform_(p, -2, 3)
    assert p.data is data and p.dtype == np.float32 and p.grad_fn is None
    assert -2 <= p.numpy().min() < -1.9 and 2.9 < p.numpy().max() < 3
    nn.init.normal_(p, 1.0, 0.5)
    assert p.numpy().mean() == pytest.approx(1.0, abs=0.01)
    assert p.numpy().std() == pytest.approx(0.5, rel=0.02)
    nn.init.constant_(p, 0.25)
    assert np.all(p.numpy() == 0.25)
    nn.init.zeros_(p)
    assert not p.numpy().any()
    nn.init.ones_(p)
    assert np.all(p.numpy() == 1)
    nn.init.xavier_uniform_(p)
    bound = math.sqrt(6 / 500)
    assert bound * 0.95 < np.abs(p.numpy()).max() <= bound
    nn.init.kaiming_uniform_(p, nonlinearity="relu")
    bound = math.sqrt(2) * math.sqrt(3 / 200)
    assert bound * 0.95 < np.abs(p.numpy()).max() <= bound
    nn.init.kaiming_uniform_(p, mode="fan_out", nonlinearity="relu")
    bound = math.sqrt(2) * math.sqrt(3 / 300)
    assert bound * 0.95 < np.abs(p.numpy()).max() <= bound
    with pytest.raises(ValueError, match="at least 2 dims"):
        nn.init.xavier_uniform_(nn.Parameter(np.zeros(3)))


def test_init_respects_manual_seed_and_generator():
    a, b = nn.Parameter(np.zeros(5)), nn.Parameter(np.zeros(5))
    tinygrad_edu.manual_seed(3)
    nn.init.normal_(a)
    tinygrad_edu.manual_seed(3)
    nn.init.normal_(b)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    nn.init.uniform_(a, generator=np.random.default_rng(1))
    nn.init.uniform_(b, generator=np.random.default_rng(1))
    np.testing.assert_array_equal(a.numpy(), b.numpy())


@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3))
def test_linear_property_gradcheck(n_in, n_out, batch):
    lin = nn.Linear(n_in, n_out).double()
    x = rand(batch, n_in, seed=n_in * 10 + n_out, requires_grad=True)
    assert gradcheck(lambda x, w, b: lin(x), [x, lin.weight, lin.bias])


def test_reassigning_a_parameter_or_module_keeps_its_place_in_the_state_dict() -> None:
    layer = nn.Linear(2, 3)
    layer.weight = nn.Parameter(tinygrad_edu.zeros(3, 2))
    assert list(layer.state_dict()) == ["weight", "bias"]
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    model[0] = nn.Linear(2, 2)
    setattr(model, "2", nn.Linear(2, 1))
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
