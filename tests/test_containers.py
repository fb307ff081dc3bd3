"""ModuleDict, ParameterList, ParameterDict and Unflatten against torch.nn: registration,
iteration order, parameter and state-dict names, and the errors for bad keys."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import Tensor, nn

torch = pytest.importorskip("torch")
tnn = torch.nn


def lib_nn(lib):
    return nn if lib == "ours" else tnn


def zeros(lib, *shape):
    return Tensor(np.zeros(shape, np.float32)) if lib == "ours" else torch.zeros(*shape)


def names(module):
    return (
        [n for n, _ in module.named_parameters()],
        list(module.state_dict()),
        [n for n, _ in module.named_modules()],
    )


def shapes(module):
    return [tuple(p.shape) for p in module.parameters()]


# -- ModuleDict ----------------------------------------------------------------------------------


def build_module_dict(lib):
    m = lib_nn(lib)
    d = m.ModuleDict({"z": m.Linear(2, 3), "a": m.ReLU()})
    d.update([("mid", m.Linear(3, 1)), ("a", m.Tanh())])  # replacing keeps the key's place
    d["b"] = m.Sequential(m.Linear(1, 2), m.Linear(2, 2))
    d.update(OrderedDict([("c", m.Linear(2, 2, bias=False))]))
    d["z"] = m.Linear(2, 5)  # replaced: keeps its place
    d.pop("mid")
    d["mid2"] = m.Linear(4, 4)
    return d


def test_module_dict_registers_like_torch():
    ours, theirs = build_module_dict("ours"), build_module_dict("torch")
    assert names(ours) == names(theirs)
    assert shapes(ours) == shapes(theirs)
    assert list(ours) == list(theirs) == list(ours.keys())
    assert [type(v).__name__ for v in ours.values()] == [type(v).__name__ for v in theirs.values()]
    assert [k for k, _ in ours.items()] == list(theirs.keys())
    assert "a" in ours and "mid2" in ours and "mid" not in ours and len(ours) == len(theirs)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.ones((1, 2), np.float32)
    np.testing.assert_allclose(
        ours["z"](Tensor(x)).numpy(), theirs["z"](torch.tensor(x)).detach().numpy(), rtol=1e-6
    )
    del ours["z"]
    assert "z" not in ours and not any(n.startswith("z.") for n, _ in ours.named_parameters())
    ours.clear()
    assert len(ours) == 0 and list(ours.parameters()) == []


def test_module_dict_in_a_model_and_an_optimizer():
    class Heads(nn.Module):
        def __init__(self):
            super().__init__()
            self.heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "reg": nn.Linear(4, 1)})

        def forward(self, x, task):
            return self.heads[task](x)

    model = Heads()
    assert [n for n, _ in model.named_parameters()] == [
        "heads.cls.weight",
        "heads.cls.bias",
        "heads.reg.weight",
        "heads.reg.bias",
    ]
    opt = tinygrad_edu.optim.SGD(model.parameters(), lr=0.1)
    model(Tensor(np.ones((2, 4), np.float32)), "reg").sum().backward()
    before = model.heads["reg"].bias.numpy().copy()
    opt.step()
    assert not np.array_equal(model.heads["reg"].bias.numpy(), before)
    assert model.heads["cls"].weight.grad is None


MODULE_DICT_ERRORS = [
    (lambda d, m: d["missing"], KeyError),
    (lambda d, m: d.__setitem__("a.b", m.ReLU()), KeyError),
    (lambda d, m: d.__setitem__("", m.ReLU()), KeyError),
    (lambda d, m: d.__setitem__("keys", m.ReLU()), KeyError),
    (lambda d, m: d.__setitem__("training", m.ReLU()), KeyError),
    (lambda d, m: d.__setitem__(1, m.ReLU()), TypeError),
    (lambda d, m: d.__setitem__("x", 3), TypeError),
    (lambda d, m: d.update(3), TypeError),
    (lambda d, m: d.update([3]), TypeError),
    (lambda d, m: d.update([("a", m.ReLU(), 1)]), ValueError),
    (lambda d, m: d(1), NotImplementedError),
]


@pytest.mark.parametrize(("call", "error"), MODULE_DICT_ERRORS)
def test_module_dict_errors_like_torch(call, error):
    for lib in ("ours", "torch"):
        d = lib_nn(lib).ModuleDict({"a": lib_nn(lib).ReLU()})
        with pytest.raises(error):
            call(d, lib_nn(lib))
        assert list(d) == ["a"]  # nothing half-added


def test_module_dict_key_errors_say_what_is_wrong():
    d = nn.ModuleDict()
    with pytest.raises(KeyError, match=r"module name can.*contain.*got: a\.b"):
        d["a.b"] = nn.ReLU()
    with pytest.raises(KeyError, match="attribute 'train' already exists"):
        d["train"] = nn.ReLU()
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        d["x"] = 3


# -- ParameterList -------------------------------------------------------------------------------


def build_parameter_list(lib):
    m = lib_nn(lib)
    pl = m.ParameterList([m.Parameter(zeros(lib, 2, 3)), zeros(lib, 4)])
    pl.append(zeros(lib, 1))
    pl.extend([m.Parameter(zeros(lib, 5)), m.Linear(2, 2)])
    pl += [zeros(lib, 3, 1)]
    pl[1] = zeros(lib, 7)  # replaced in place
    return pl


def test_parameter_list_registers_like_torch():
    ours, theirs = build_parameter_list("ours"), build_parameter_list("torch")
    assert names(ours) == names(theirs)
    assert shapes(ours) == shapes(theirs)
    assert len(ours) == len(theirs) == 6
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in ours.parameters())
    assert [type(v).__name__ for v in ours] == [type(v).__name__ for v in theirs]
    assert ours[-1].shape == (3, 1) and isinstance(ours[4], nn.Linear)
    sliced = ours[1:4]
    assert type(sliced) is nn.ParameterList and len(sliced) == 3 and sliced[0] is ours[1]


def test_parameter_list_wraps_a_tensor_sharing_its_memory():
    t = Tensor(np.zeros(3, np.float32))
    pl = nn.ParameterList([t])
    assert isinstance(pl[0], nn.Parameter) and pl[0].data is t.data
    pl.append(None)  # as torch: kept, but not a parameter
    assert len(pl) == 2 and pl[1] is None and len(list(pl.parameters())) == 1


def test_parameter_list_trains_with_an_optimizer():
    pl = nn.ParameterList([Tensor(np.ones(2, np.float32)), Tensor(np.ones(3, np.float32))])
    opt = tinygrad_edu.optim.SGD(pl.parameters(), lr=0.5)
    (pl[0].sum() + (pl[1] * 2).sum()).backward()
    opt.step()
    np.testing.assert_allclose(pl[0].numpy(), [0.5, 0.5])
    np.testing.assert_allclose(pl[1].numpy(), [0.0, 0.0, 0.0])


PARAMETER_LIST_ERRORS = [
    (lambda pl, lib: pl[5], IndexError),
    (lambda pl, lib: pl[-6], IndexError),
    (lambda pl, lib: pl["0"], TypeError),
    (lambda pl, lib: pl.extend(zeros(lib, 2)), TypeError),
    (lambda pl, lib: pl.extend(3), TypeError),
    (lambda pl, lib: pl.__setitem__(2, zeros(lib, 1)), IndexError),
    (lambda pl, lib: pl(1), RuntimeError),
]


@pytest.mark.parametrize(("call", "error"), PARAMETER_LIST_ERRORS)
def test_parameter_list_errors_like_torch(call, error):
    for lib in ("ours", "torch"):
        pl = lib_nn(lib).ParameterList([zeros(lib, 1), zeros(lib, 2)])
        with pytest.raises(error):
            call(pl, lib)
        assert len(pl) == 2


# -- ParameterDict -------------------------------------------------------------------------------


def build_parameter_dict(lib):
    m = lib_nn(lib)
    pd = m.ParameterDict({"w": zeros(lib, 2), "b": m.Parameter(zeros(lib, 3))})  # sorted: b, w
    pd.update(OrderedDict([("z", zeros(lib, 1)), ("a", zeros(lib, 4))]))  # kept in order
    pd.update([("m", zeros(lib, 5))])
    pd["c"] = zeros(lib, 6)
    pd.setdefault("d", zeros(lib, 7))
    pd.setdefault("c", zeros(lib, 99))  # present: unchanged
    pd["w"] = zeros(lib, 8)  # replaced, keeps its place
    pd.pop("z")
    return pd


def test_parameter_dict_registers_like_torch():
    ours, theirs = build_parameter_dict("ours"), build_parameter_dict("torch")
    assert names(ours) == names(theirs)
    assert shapes(ours) == shapes(theirs)
    assert list(ours) == list(theirs) == list(ours.keys())
    assert list(reversed(ours)) == list(reversed(theirs))
    assert [k for k, _ in ours.items()] == [k for k, _ in theirs.items()]
    assert [tuple(v.shape) for v in ours.values()] == [tuple(v.shape) for v in theirs.values()]
    assert ours.get("nope", 5) == 5 and ours.get("c").shape == (6,)
    assert all(isinstance(p, nn.Parameter) for p in ours.values())
    k, v = ours.popitem()
    tk, tv = theirs.popitem()
    assert k == tk and v.shape == tuple(tv.shape)
    assert list(ours) == list(theirs)


def test_parameter_dict_copy_and_union():
    a = nn.ParameterDict(OrderedDict([("x", Tensor([1.0])), ("y", Tensor([2.0]))]))
    b = nn.ParameterDict({"z": Tensor([3.0])})
    c = a.copy()
    assert list(c) == ["x", "y"] and c["x"] is a["x"]
    assert list(a | b) == ["x", "y", "z"] and list(a) == ["x", "y"]
    a |= b
    assert list(a) == ["x", "y", "z"]
    f = a.fromkeys(["p", "q"], Tensor([0.0]))
    assert list(f) == ["p", "q"]
    a.clear()
    assert len(a) == 0 and list(a.parameters()) == []


PARAMETER_DICT_ERRORS = [
    (lambda pd, lib: pd.__setitem__("a.b", zeros(lib, 1)), KeyError),
    (lambda pd, lib: pd.__setitem__("", zeros(lib, 1)), KeyError),
    (lambda pd, lib: pd.__setitem__("keys", zeros(lib, 1)), KeyError),
    (lambda pd, lib: pd.__setitem__(1, zeros(lib, 1)), TypeError),
    (lambda pd, lib: pd.__setitem__("a", 3.0), TypeError),  # a float over a parameter
    (lambda pd, lib: pd.update(3), TypeError),
    (lambda pd, lib: pd.update([("x",)]), ValueError),
    (lambda pd, lib: pd(1), RuntimeError),
]


@pytest.mark.parametrize(("call", "error"), PARAMETER_DICT_ERRORS)
def test_parameter_dict_errors_like_torch(call, error):
    for lib in ("ours", "torch"):
        pd = lib_nn(lib).ParameterDict({"a": zeros(lib, 1)})
        with pytest.raises(error):
            call(pd, lib)
    # Ours leaves nothing behind (torch keeps a bad key in its key list).
    pd = nn.ParameterDict({"a": zeros("ours", 1)})
    with pytest.raises(error):
        call(pd, "ours")
    assert list(pd) == ["a"] and [n for n, _ in pd.named_parameters()] == ["a"]


def test_parameter_dict_missing_key_is_a_key_error():
    pd = nn.ParameterDict()
    with pytest.raises(KeyError, match="nope"):
        pd["nope"]
    with pytest.raises(KeyError):
        pd.pop("nope")


def test_state_dict_moves_between_the_libraries():
    ours, theirs = build_parameter_dict("ours"), build_parameter_dict("torch")
    for p in theirs.values():
        p.data.normal_()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    for k in ours:
        np.testing.assert_array_equal(ours[k].numpy(), theirs[k].detach().numpy())
    theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})


def test_reprs_show_what_is_held():
    pl = nn.ParameterList([Tensor(np.zeros((2, 3), np.float32)), "note"])
    text = repr(pl)
    assert "(0): Parameter containing: [float32 of size 2x3]" in text
    assert "(1): Object of type: str" in text
    assert "(w): Parameter containing" in repr(nn.ParameterDict({"w": Tensor([1.0])}))


# -- Unflatten -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dim", "sizes", "shape"),
    [(1, (2, 3), (4, 6)), (1, [2, -1], (4, 6)), (-1, (3, 2, 1), (2, 6)), (0, (2, 2), (4, 3, 1))],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_unflatten_matches_torch(dim, sizes, shape, dtype):
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    ours, theirs = nn.Unflatten(dim, sizes), tnn.Unflatten(dim, sizes)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = ours(xo), theirs(xt)
    assert out.shape == tuple(tout.shape) and out.dtype == dtype
    np.testing.assert_array_equal(out.numpy(), tout.detach().numpy())
    seed = np.random.default_rng(1).standard_normal(out.shape).astype(dtype)
    (out * Tensor(seed)).sum().backward()
    (tout * torch.tensor(seed)).sum().backward()
    np.testing.assert_array_equal(xo.grad.numpy(), xt.grad.numpy())


def test_unflatten_in_a_sequential_undoes_flatten():
    model = nn.Sequential(nn.Flatten(), nn.Unflatten(1, (3, 4)))
    x = Tensor(np.arange(24.0).reshape(2, 3, 4))
    np.testing.assert_array_equal(model(x).numpy(), x.numpy())


UNFLATTEN_ERRORS = [
    (lambda m: m.Unflatten(1, 6), None, TypeError),
    (lambda m: m.Unflatten(1, (2.0, 3)), None, TypeError),
    (lambda m: m.Unflatten(1, (2, 3)), (4, 5), RuntimeError),
    (lambda m: m.Unflatten(1, (4, -1)), (4, 6), RuntimeError),
    (lambda m: m.Unflatten(1, (-1, -1)), (4, 6), RuntimeError),
    (lambda m: m.Unflatten(1, ()), (4, 6), RuntimeError),
    (lambda m: m.Unflatten(3, (2, 3)), (4, 6), IndexError),
]


@pytest.mark.parametrize(("make", "shape", "error"), UNFLATTEN_ERRORS)
def test_unflatten_errors_like_torch(make, shape, error):
    for lib, tensor in (("ours", Tensor), ("torch", torch.tensor)):
        with pytest.raises(error):
            layer = make(lib_nn(lib))
            layer(tensor(np.zeros(shape, np.float32)))
