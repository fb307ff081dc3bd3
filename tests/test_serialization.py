"""tinygrad_edu.save/load: round trips, dtypes, PyTorch compatibility, atomic writes, errors."""

import os
import re
import sys
import zipfile

import numpy as np
import pytest
from helpers import first

import tinygrad_edu
from tinygrad_edu import Tensor, load, save
from tinygrad_edu import serialization as ser

FORMATS = [".npz", ".safetensors"]


@pytest.fixture(params=FORMATS)
def ext(request):
    return request.param  # safetensors is read and written without the package


def _state() -> dict:
    rng = np.random.default_rng(0)
    return {
        "layer.weight": Tensor(rng.standard_normal((3, 4)).astype(np.float32)),
        "layer.bias": Tensor(rng.standard_normal(3).astype(np.float32)),
        "double": Tensor(rng.standard_normal((2, 2))),  # float64
        "counts": rng.integers(0, 9, 5),  # int64 ndarray
        "mask": np.array([True, False]),
        "scalar": Tensor(np.float32(2.5)),  # 0-d
        "empty": np.zeros((0, 3), np.float32),
    }


def test_flat_round_trip_keeps_values_and_dtypes(tmp_path, ext):
    state = _state()
    path = tmp_path / f"ckpt{ext}"
    save(state, path)
    loaded = load(path)
    assert list(loaded) == list(state)  # same keys, same order
    for key, value in state.items():
        expected = np.asarray(value)
        assert isinstance(loaded[key], Tensor)
        assert loaded[key].dtype == expected.dtype, key  # float32 stays float32
        assert loaded[key].shape == expected.shape
        np.testing.assert_array_equal(loaded[key].numpy(), expected)
        assert not loaded[key].requires_grad
        assert loaded[key].numpy().flags.writeable  # a tensor of its own, not a view of the file


def test_flat_npz_holds_only_the_tensors(tmp_path):
    save(_state(), tmp_path / "a.npz")
    with np.load(tmp_path / "a.npz", allow_pickle=False) as archive:
        assert sorted(archive.files) == sorted(_state())


def test_saving_a_grad_tensor_stores_only_values(tmp_path):
    w = Tensor(np.ones(3, np.float32), requires_grad=True)
    (w * 2).sum().backward()
    save({"w": w}, tmp_path / "w.npz")
    out = load(tmp_path / "w.npz")["w"]
    assert out.grad is None and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), np.ones(3, np.float32))


def test_nested_state_dict_round_trip(tmp_path, ext):
    exp_avg = np.arange(6, dtype=np.float32).reshape(2, 3)
    state = {
        "state": {0: {"step": 3, "exp_avg": exp_avg}, 1: {"step": 3, "exp_avg": exp_avg[0]}},
        "param_groups": [
            {
                "lr": 1e-3,
                "betas": (0.9, 0.999),
                "params": [0, 1],
                "amsgrad": False,
                "foreach": None,
                "name": "body",
            }
        ],
    }
    path = tmp_path / f"opt{ext}"
    save(state, path)
    loaded = load(path)
    assert set(loaded["state"]) == {0, 1}  # int keys come back as ints
    assert loaded["state"][0]["step"] == 3
    assert loaded["state"][1]["exp_avg"].dtype == np.float32
    np.testing.assert_array_equal(loaded["state"][0]["exp_avg"].numpy(), exp_avg)
    assert loaded["param_groups"] == state["param_groups"]  # tuples stay tuples, None stays None


def test_nested_keys_that_collide_are_refused(tmp_path):
    with pytest.raises(ValueError, match=re.escape("same key 'a.b'")):
        save({"a.b": np.zeros(1), "a": {"b": np.ones(1)}}, tmp_path / "x.npz")


@pytest.mark.parametrize(
    "obj, message",
    [
        ([np.zeros(2)], "expects a mapping"),
        ({"w": np.array([object()])}, "object array"),
        ({"w": np.zeros(1), "f": lambda: 0}, "cannot store 'f'"),
        ({"w": {(1, 2): np.zeros(1)}}, "keys must be str or int"),
    ],
)
def test_unsavable_objects_raise_clear_errors(tmp_path, obj, message):
    with pytest.raises(TypeError, match=message):
        save(obj, tmp_path / "x.npz")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["ckpt.pt", "ckpt.pth", "ckpt.bin", "ckpt.ckpt", "ckpt", "c.npy"])
def test_other_names_get_pytorchs_zip_format(tmp_path, name):
    save({"w": np.arange(3.0)}, tmp_path / name)
    with zipfile.ZipFile(tmp_path / name) as archive:
        assert "archive/data.pkl" in archive.namelist()
    np.testing.assert_array_equal(load(tmp_path / name)["w"].numpy(), np.arange(3.0))


def test_missing_directory_and_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save({"w": np.zeros(1)}, tmp_path / "nope" / "ckpt.npz")
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        load(tmp_path / "absent.npz")


def test_pickled_npz_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, w=np.array([{"payload": 1}], dtype=object))
    with pytest.raises(ValueError, match="pickle"):
        load(path)


def test_safetensors_needs_no_package(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "safetensors", None)
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    save({"w": np.arange(3, dtype=np.float32)}, tmp_path / "x.safetensors")
    np.testing.assert_array_equal(load(tmp_path / "x.safetensors")["w"].numpy(), np.arange(3))


# -- atomic writes ------------------------------------------------------------------------------


def _old_checkpoint(tmp_path, ext):
    path = tmp_path / f"model{ext}"
    save({"w": np.arange(4.0)}, path)
    return path, path.read_bytes()


def test_failure_while_writing_leaves_old_file_and_no_temp(tmp_path, ext, monkeypatch):
    path, before = _old_checkpoint(tmp_path, ext)

    def crashing_writer(f, arrays, structure):
        f.write(b"half a checkpoint")
        raise RuntimeError("disk full")

    monkeypatch.setitem(ser._WRITERS, ext, crashing_writer)
    with pytest.raises(RuntimeError, match="disk full"):
        save({"w": np.zeros(4)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == [path.name]  # the temporary file was removed
    np.testing.assert_array_equal(load(path)["w"].numpy(), np.arange(4.0))


def test_failure_at_rename_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    path, before = _old_checkpoint(tmp_path, ".npz")

    def failing_replace(src, dst):
        raise KeyboardInterrupt  # even an interrupt must clean up

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(KeyboardInterrupt):
        save({"w": np.zeros(4)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == [path.name]


def test_overwrite_replaces_the_file(tmp_path):
    path, _ = _old_checkpoint(tmp_path, ".npz")
    save({"v": np.ones(2, np.float32)}, path)
    assert list(load(path)) == ["v"]
    assert zipfile.is_zipfile(path)


# -- models: our checkpoints load into PyTorch and back -----------------------------------------


def _models():
    nn = pytest.importorskip("tinygrad_edu.nn")
    torch = pytest.importorskip("torch")
    tinygrad_edu.manual_seed(0)
    return [
        (nn.Linear(5, 3), torch.nn.Linear(5, 3), (4, 5)),
        (
            nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 2)),
            torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2)),
            (4, 5),
        ),
        (nn.RNN(5, 6, batch_first=True), torch.nn.RNN(5, 6, batch_first=True), (2, 7, 5)),
    ]


def test_checkpoint_loads_into_torch_with_same_outputs(tmp_path, ext):
    torch = pytest.importorskip("torch")
    for i, (ours, theirs, shape) in enumerate(_models()):
        path = tmp_path / f"model{i}{ext}"
        save(ours.state_dict(), path)
        state = {k: torch.from_numpy(v.numpy()) for k, v in load(path).items()}
        theirs.load_state_dict(state)  # strict: same keys and shapes, no renaming
        x = np.random.default_rng(i).standard_normal(shape).astype(np.float32)
        expected = first(theirs(torch.from_numpy(x))).detach().numpy()
        np.testing.assert_allclose(first(ours(Tensor(x))).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_checkpoint_round_trips_into_a_fresh_model(tmp_path, ext):
    nn = pytest.importorskip("tinygrad_edu.nn")
    tinygrad_edu.manual_seed(1)
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2))
    save(model.state_dict(), tmp_path / f"m{ext}")
    tinygrad_edu.manual_seed(2)
    fresh = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2))
    fresh.load_state_dict(load(tmp_path / f"m{ext}"))
    x = Tensor(np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32))
    np.testing.assert_array_equal(fresh(x).numpy(), model(x).numpy())


def test_safetensors_file_opens_in_torch_under_state_dict_names(tmp_path):
    pytest.importorskip("safetensors")
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    ours, theirs, _ = _models()[1]
    save(ours.state_dict(), tmp_path / "m.safetensors")
    state = load_file(tmp_path / "m.safetensors")
    assert sorted(state) == sorted(theirs.state_dict())
    assert all(t.dtype == torch.float32 for t in state.values())


def test_optimizer_state_dict_round_trip(tmp_path, ext):
    nn = pytest.importorskip("tinygrad_edu.nn")
    optim = pytest.importorskip("tinygrad_edu.optim")
    tinygrad_edu.manual_seed(0)
    model = nn.Linear(3, 2)
    opt = optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(2):
        opt.zero_grad()
        (model(Tensor(np.ones((4, 3), np.float32))) ** 2).mean().backward()
        opt.step()
    state = opt.state_dict()
    save(state, tmp_path / f"opt{ext}")
    _assert_same(load(tmp_path / f"opt{ext}"), state)


def _assert_same(got, want):
    if isinstance(want, (Tensor, np.ndarray)):
        assert isinstance(got, Tensor)
        assert got.dtype == np.asarray(want).dtype
        np.testing.assert_array_equal(got.numpy(), np.asarray(want))
    elif isinstance(want, dict):
        assert list(got) == list(want)
        for key in want:
            _assert_same(got[key], want[key])
    elif isinstance(want, (list, tuple)):
        assert type(got) is type(want) and len(got) == len(want)
        for g, w in zip(got, want):
            _assert_same(g, w)
    else:
        assert got == (want.item() if isinstance(want, np.generic) else want)
