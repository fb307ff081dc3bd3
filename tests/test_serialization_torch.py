"""PyTorch's .pt format: files torch.save wrote load without PyTorch, files we write load in
torch.load(weights_only=True), and a file can never run code while it loads.

The checkpoints under tests/fixtures/ were written by torch.save itself
(tests/fixtures/make_torch_fixtures.py), so everything above the round trips runs without PyTorch.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import Tensor, load, nn, optim, save
from tinygrad_edu.serialization.torch_format import CheckpointError

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> Path:
    return FIXTURES / name


# -- files written by torch.save ------------------------------------------------------------------

ARANGE = np.arange(6).reshape(2, 3)


@pytest.mark.parametrize(
    "name, dtype",
    [
        ("float32", np.float32),
        ("float64", np.float64),
        ("float16", np.float16),
        ("int8", np.int8),
        ("int16", np.int16),
        ("int32", np.int32),
        ("int64", np.int64),
        ("uint8", np.uint8),
        ("uint16", np.uint16),  # saved as untyped bytes + dtype (_rebuild_tensor_v3)
        ("uint32", np.uint32),
        ("uint64", np.uint64),
    ],
)
def test_each_dtype_loads_with_its_dtype_and_values(name, dtype):
    loaded = load(fixture("dtypes.pt"))[name]
    assert isinstance(loaded, Tensor) and loaded.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(loaded.numpy(), ARANGE.astype(dtype))


def test_bool_complex_bfloat16_scalar_and_empty():
    state = load(fixture("dtypes.pt"))
    assert state["bool"].dtype == np.bool_
    np.testing.assert_array_equal(state["bool"].numpy(), ARANGE % 2 == 1)
    assert state["complex64"].dtype == np.complex64
    np.testing.assert_array_equal(state["complex64"].numpy(), ARANGE - 1j * ARANGE)
    # bfloat16 has no NumPy dtype: it loads as float32, with exactly the saved values.
    assert state["bfloat16"].dtype == np.float32
    np.testing.assert_array_equal(state["bfloat16"].numpy(), ARANGE * 0.5)
    assert state["scalar"].shape == () and state["scalar"].item() == 2.5
    assert state["empty"].shape == (0, 3) and state["empty"].dtype == np.float32


def test_views_load_with_their_strides_and_offsets():
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    views = load(fixture("views.pt"))
    expected = {
        "base": base,
        "T": base.T,
        "slice": base[1:, ::2],
        "column": base[:, 2],
        "row": base[2],
        "expanded": np.broadcast_to(base[0, :3], (2, 3)),
    }
    for key, want in expected.items():
        assert views[key].shape == want.shape, key
        np.testing.assert_array_equal(views[key].numpy(), want, err_msg=key)
    z = np.arange(3.0) + 1j * (np.arange(3.0) + 1)
    np.testing.assert_array_equal(views["conj"].numpy(), np.conj(z))  # the conj bit applied
    np.testing.assert_array_equal(views["neg"].numpy(), -(np.arange(3.0) + 1))  # the neg bit


def test_a_shared_storage_is_read_once_and_views_are_independent_copies(monkeypatch):
    reads: list[str] = []
    real_read = zipfile.ZipFile.read

    def counting_read(self, name, pwd=None):
        reads.append(name if isinstance(name, str) else name.filename)
        return real_read(self, name, pwd)

    monkeypatch.setattr(zipfile.ZipFile, "read", counting_read)
    views = load(fixture("views.pt"))
    storage_reads = [name for name in reads if "/data/" in name]
    assert len(storage_reads) == len(set(storage_reads)) == 3  # base's, conj's, neg's
    views["T"].data[0, 0] = 100.0  # loaded tensors are copies: one never changes another
    assert views["base"].numpy()[0, 0] == 0.0


@pytest.mark.parametrize("name", ["nested.pt", "nested_protocol4.pt"])
def test_nested_python_values(name):
    obj = load(fixture(name))
    assert obj["int"] == 3 and obj["big"] == 2**70 and obj["negative"] == -5
    assert obj["float"] == 1.5 and obj["str"] == "tinygrad_edu" and obj["none"] is None
    assert obj["bool"] is True and obj["bytes"] == b"ab" and obj["complex"] == 1 + 2j
    assert obj["set"] == {1, 2} and obj["size"] == (2, 3)
    assert type(obj["ordered"]) is OrderedDict and list(obj["ordered"]) == ["z", "y"]
    assert obj["nested"][7] == "int key"
    inner = obj["nested"]["a"]["b"][0]
    assert inner.dtype == np.int32 and inner.numpy().tolist() == [1, 1]
    shared, one, x = obj["list"]
    assert (one, x) == (1, "x") and isinstance(obj["tuple"], tuple)
    assert obj["tuple"][0] is shared  # one tensor saved twice is one object, as in torch
    np.testing.assert_array_equal(shared.numpy(), np.arange(4.0))


def test_a_single_tensor_and_a_parameter():
    t = load(fixture("tensor.pt"))
    assert isinstance(t, Tensor) and t.dtype == np.int16 and t.tolist() == [0, 1, 2, 3, 4]
    p = load(fixture("parameter.pt"))
    assert isinstance(p, nn.Parameter) and p.requires_grad
    np.testing.assert_array_equal(p.numpy(), np.arange(3.0, dtype=np.float32))


def test_the_format_of_before_pytorch_1_6():
    state = load(fixture("legacy_format.pt"))
    assert type(state) is OrderedDict and list(state) == ["w", "col"]
    np.testing.assert_array_equal(state["w"].numpy(), np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(state["col"].numpy(), [1.0, 4.0])


def test_a_big_endian_checkpoint_is_byte_swapped():
    state = load(fixture("big_endian.pt"))
    np.testing.assert_array_equal(state["w"].numpy(), np.arange(4, dtype=np.float32))
    assert state["i"].dtype == np.int64 and state["i"].tolist() == [0, 1, 2]


# -- PyTorch state dicts into tinygrad_edu models -------------------------------------------------


def test_torch_state_dicts_load_into_the_equivalent_models():
    io_ = load(fixture("models_io.pt"))
    mlp = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    state = load(fixture("mlp_state_dict.pt"))
    assert type(state) is OrderedDict and hasattr(state, "_metadata")  # as torch's state dicts
    mlp.load_state_dict(state)
    np.testing.assert_allclose(mlp(io_["x"]).numpy(), io_["y"].numpy(), rtol=1e-5, atol=1e-6)

    rnn = nn.RNN(3, 4, batch_first=True)
    rnn.load_state_dict(load(fixture("rnn_state_dict.pt")))
    out, _ = rnn(io_["seq"])
    np.testing.assert_allclose(out.numpy(), io_["rnn_out"].numpy(), rtol=1e-5, atol=1e-6)


def test_a_torch_optimizer_checkpoint_resumes_here():
    checkpoint = load(fixture("adam_checkpoint.pt"))
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    model.load_state_dict(checkpoint["model"])
    optimizer = optim.Adam(model.parameters(), lr=0.5)
    optimizer.load_state_dict(checkpoint["optimizer"])
    assert optimizer.param_groups[0]["lr"] == 0.01  # the saved hyper-parameters win
    state = optimizer.state[model[0].weight]
    assert state["exp_avg"].shape == (3, 4)
    saved = checkpoint["optimizer"]["state"][0]
    np.testing.assert_array_equal(state["exp_avg_sq"].numpy(), saved["exp_avg_sq"].numpy())


# -- map_location and the other torch.load arguments ----------------------------------------------


@pytest.mark.parametrize(
    "map_location",
    [None, "cpu", tinygrad_edu.device("cpu"), {"cuda:0": "cpu"}, lambda storage, loc: storage],
)
def test_map_location_to_the_cpu(map_location):
    t = load(fixture("tensor.pt"), map_location=map_location)
    assert t.tolist() == [0, 1, 2, 3, 4]


def test_map_location_elsewhere_is_refused():
    with pytest.raises(RuntimeError, match="not available"):
        load(fixture("tensor.pt"), map_location="cuda")
    with pytest.raises(TypeError, match="must return the storage"):
        load(fixture("tensor.pt"), map_location=lambda storage, loc: "cuda")
    with pytest.raises(TypeError, match="map_location"):
        load(fixture("tensor.pt"), map_location=3)


def test_weights_only_false_is_refused_with_the_reason():
    with pytest.raises(ValueError, match=r"weights_only=False.*run any code"):
        load(fixture("tensor.pt"), weights_only=False)
    assert load(fixture("tensor.pt"), weights_only=True, mmap=True).tolist() == [0, 1, 2, 3, 4]
    with pytest.raises(RuntimeError, match="pickle_module"):
        load(fixture("tensor.pt"), pickle_module=object())
    with pytest.raises(TypeError, match="unexpected keyword"):
        load(fixture("tensor.pt"), fix_imports=True)


# -- malicious files: refused, with nothing executed ----------------------------------------------


def _pt_file(path: Path, data_pkl: bytes, records: dict[str, bytes] | None = None) -> Path:
    """A checkpoint in torch.save's layout around the given pickle and storage records."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", data_pkl)
        archive.writestr("archive/byteorder", b"little")
        for key, data in (records or {}).items():
            archive.writestr(f"archive/data/{key}", data)
        archive.writestr("archive/version", b"3\n")
    return path


class RunsShellCommand:
    """What an attacker pickles: unpickling it would call os.system(command)."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


@pytest.fixture
def marker(tmp_path):
    path = tmp_path / "pwned"
    yield path
    assert not path.exists(), "the file ran code while it was loaded"


def test_reduce_calling_os_system_is_refused(tmp_path, marker):
    payload = pickle.dumps({"w": RunsShellCommand(f"touch {marker}")}, protocol=2)
    path = _pt_file(tmp_path / "evil.pt", payload)
    with pytest.raises(pickle.UnpicklingError, match=r"(posix|nt|os)\.system") as info:
        load(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("protocol", [2, 4])
def test_a_global_such_as_eval_is_refused(tmp_path, marker, protocol):
    payload = pickle.dumps({"f": eval}, protocol=protocol)  # GLOBAL or STACK_GLOBAL
    with pytest.raises(pickle.UnpicklingError, match=r"'builtins\.eval'"):
        load(_pt_file(tmp_path / "eval.pt", payload))


def test_a_plain_pickle_named_pt_is_not_unpickled(tmp_path, marker):
    path = tmp_path / "model.pt"
    path.write_bytes(pickle.dumps(RunsShellCommand(f"touch {marker}"), protocol=2))
    with pytest.raises(CheckpointError, match=r"not a PyTorch checkpoint.*pickle"):
        load(path)


def test_the_legacy_format_with_a_malicious_object_is_refused(tmp_path, marker):
    header = b"".join(pickle.dumps(x, protocol=2) for x in (0x1950A86A20F9469CFC6C, 1001, {}))
    payload = pickle.dumps(RunsShellCommand(f"touch {marker}"), protocol=2)
    path = tmp_path / "old.pt"
    path.write_bytes(header + payload + pickle.dumps([], protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="system"):
        load(path)


def test_npz_object_array_that_would_run_code_is_refused(tmp_path, marker):
    path = tmp_path / "evil.npz"
    np.savez(path, w=np.array([RunsShellCommand(f"touch {marker}")], dtype=object))
    with pytest.raises(ValueError, match="pickled Python objects"):
        load(path)


# Hand-written pickles in torch.save's shape, to fake storages and views.


def _str(s: str) -> bytes:
    raw = s.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def _int(n: int) -> bytes:
    return b"J" + struct.pack("<i", n)


def _ints(values: tuple[int, ...]) -> bytes:
    return b"(" + b"".join(_int(n) for n in values) + b"t"


def _global(module: str, name: str) -> bytes:
    return b"c" + f"{module}\n{name}\n".encode()


def _tensor_pickle(key="0", numel=4, size=(4,), stride=(1,), offset=0, pid_kind="storage"):
    """pickle of _rebuild_tensor_v2(('storage', FloatStorage, key, 'cpu', numel), ...)."""
    pid = b"(" + _str(pid_kind) + _global("torch", "FloatStorage") + _str(key) + _str("cpu")
    pid += _int(numel) + b"tQ"
    hooks = _global("collections", "OrderedDict") + b")R"
    args = b"(" + pid + _int(offset) + _ints(size) + _ints(stride) + b"\x89" + hooks + b"t"
    return b"\x80\x02" + _global("torch._utils", "_rebuild_tensor_v2") + args + b"R."


FOUR_FLOATS = np.arange(4, dtype="<f4").tobytes()


def test_the_hand_written_tensor_pickle_is_valid(tmp_path):
    """The malicious variants below differ from this one in one field each."""
    path = _pt_file(tmp_path / "ok.pt", _tensor_pickle(), {"0": FOUR_FLOATS})
    np.testing.assert_array_equal(load(path).numpy(), np.arange(4, dtype=np.float32))


@pytest.mark.parametrize(
    "pickle_args, records, message",
    [
        ({"numel": 1000}, {"0": FOUR_FLOATS}, "should hold 4000 bytes but its record has 16"),
        ({}, {"0": FOUR_FLOATS[:8]}, "its record has 8 bytes"),
        ({"key": "7"}, {"0": FOUR_FLOATS}, "no record"),
        ({"size": (100,)}, {"0": FOUR_FLOATS}, "reaches element 99"),
        ({"size": (2, 2), "stride": (3, 1)}, {"0": FOUR_FLOATS}, "reaches element 4"),
        ({"offset": 4}, {"0": FOUR_FLOATS}, "reaches element"),
        ({"size": (2, 2), "stride": (1,)}, {"0": FOUR_FLOATS}, "size"),
        ({"pid_kind": "module"}, {"0": FOUR_FLOATS}, "persistent id"),
    ],
)
def test_fake_storages_and_views_beyond_them_are_refused(tmp_path, pickle_args, records, message):
    path = _pt_file(tmp_path / "fake.pt", _tensor_pickle(**pickle_args), records)
    with pytest.raises(pickle.UnpicklingError, match=message):
        load(path)


@pytest.mark.parametrize(
    "data_pkl, message",
    [
        # BUILD on a list: only an OrderedDict's attributes may be set.
        (b"\x80\x02]}b.", "state of a list"),
        # BUILD that would hide OrderedDict.keys behind an attribute.
        (
            b"\x80\x02" + _global("collections", "OrderedDict") + b")R}" + _str("keys") + b"Nsb.",
            "attribute 'keys'",
        ),
        # REDUCE on something that is not an allowed function.
        (b"\x80\x02" + _str("os") + b")R.", "not an allowed function"),
        # The first argument of a tensor rebuild is not a storage.
        (
            b"\x80\x02"
            + _global("torch._utils", "_rebuild_tensor")
            + b"("
            + _str("x")
            + _int(0)
            + _ints((1,))
            + _ints((1,))
            + b"tR.",
            "built on a storage",
        ),
        (b"\x80\x02" + _global("torch._utils", "_rebuild_qtensor") + b".", "quantized"),
        (b"\x80\x02(", "truncated"),
        (b"\x80\x02I1\n.", "unsupported pickle instruction"),
    ],
)
def test_other_crafted_pickles_are_refused(tmp_path, data_pkl, message):
    with pytest.raises(pickle.UnpicklingError, match=message):
        load(_pt_file(tmp_path / "crafted.pt", data_pkl))


def test_torchscript_archives_and_corrupt_zips(tmp_path):
    path = tmp_path / "scripted.pt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("scripted/data.pkl", b"\x80\x02N.")
        archive.writestr("scripted/constants.pkl", b"\x80\x02N.")
    with pytest.raises(CheckpointError, match="TorchScript"):
        load(path)
    good = tmp_path / "good.pt"
    save({"w": np.arange(100.0)}, good)
    cut = tmp_path / "cut.pt"
    cut.write_bytes(good.read_bytes()[:300])
    with pytest.raises(RuntimeError, match=r"cut\.pt.*(truncated|corrupt)"):
        load(cut)


# -- what we write --------------------------------------------------------------------------------


def _objects() -> dict:
    t = tinygrad_edu.tensor(np.arange(12.0, dtype=np.float32).reshape(3, 4))
    return {
        "t": t,
        "again": t,  # the same tensor twice
        "transposed": t.T,  # a non-contiguous view is saved by value
        "int": tinygrad_edu.tensor([1, 2, 3]),
        "half": np.ones(2, np.float16),
        "bool": np.array([True, False]),
        "uint16": np.array([1, 65535], np.uint16),
        "complex": np.array([1 + 2j], np.complex64),
        "empty": np.zeros((0, 3), np.float32),
        "scalar": Tensor(np.float64(2.5)),
        "numbers": (1, 2.5, -(2**70), True, None, "text", b"raw", 1 + 2j),
        "list": [t, {"deep": [1, 2]}],
        "ordered": OrderedDict(b=1, a=2),
        "set": {1, 2},
        7: "int key",
        "param": nn.Parameter(tinygrad_edu.ones(2)),
    }


def _assert_same(got, want):
    if isinstance(want, (Tensor, np.ndarray)):
        assert isinstance(got, Tensor)
        assert got.dtype == np.asarray(want).dtype
        np.testing.assert_array_equal(got.numpy(), np.asarray(want))
    elif isinstance(want, dict):
        assert type(got) is type(want) and list(got) == list(want)
        for key in want:
            _assert_same(got[key], want[key])
    elif isinstance(want, (list, tuple)):
        assert type(got) is type(want) and len(got) == len(want)
        for g, w in zip(got, want):
            _assert_same(g, w)
    else:
        assert got == want and type(got) is type(want)


def test_round_trip_through_our_own_pt_files(tmp_path):
    obj = _objects()
    save(obj, tmp_path / "all.pt")
    loaded = load(tmp_path / "all.pt")
    _assert_same(loaded, obj)
    assert all(loaded[k].numpy().flags.writeable for k in ("t", "transposed", "empty", "scalar"))
    assert loaded["t"] is loaded["again"] and loaded["list"][0] is loaded["t"]
    assert isinstance(loaded["param"], nn.Parameter) and loaded["param"].requires_grad
    buffer = io.BytesIO()
    save(obj, buffer)
    buffer.seek(0)
    _assert_same(load(buffer), obj)


def test_same_state_same_bytes(tmp_path):
    save(_objects(), tmp_path / "a.pt")
    save(_objects(), tmp_path / "b.pt")
    assert (tmp_path / "a.pt").read_bytes() == (tmp_path / "b.pt").read_bytes()


def test_storages_are_aligned_for_mmap(tmp_path):
    save(_objects(), tmp_path / "a.pt")
    raw = (tmp_path / "a.pt").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.pt") as archive:
        for info in archive.infolist():
            name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26 :][:4])
            assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0, info.filename


@pytest.mark.parametrize(
    "obj, message",
    [
        ({"model": nn.Linear(2, 2)}, "state_dict"),
        ({"f": print}, "cannot store 'f'"),
        ({"w": np.array(["text"])}, "dtype <U4"),
        ({"s": frozenset([1])}, "cannot store 's' of type frozenset"),
        ({frozenset([1]): 1}, "keys must be"),
    ],
)
def test_what_cannot_be_saved_is_named(tmp_path, obj, message):
    with pytest.raises(TypeError, match=message):
        save(obj, tmp_path / "x.pt")
    assert list(tmp_path.iterdir()) == []


def test_a_cycle_is_refused(tmp_path):
    cyclic: list = [1]
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match="contains itself"):
        save({"c": cyclic}, tmp_path / "x.pt")


def test_save_arguments_follow_torch_save(tmp_path):
    save({"w": np.zeros(1)}, tmp_path / "a.pt", pickle_module=pickle, pickle_protocol=4)
    with pytest.raises(ValueError, match=r"before PyTorch 1\.6"):
        save({"w": np.zeros(1)}, tmp_path / "b.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(ValueError, match="pickle_protocol"):
        save({"w": np.zeros(1)}, tmp_path / "b.pt", pickle_protocol=1)


# -- round trips with PyTorch itself --------------------------------------------------------------


def test_torch_loads_what_we_save_with_weights_only(tmp_path):
    torch = pytest.importorskip("torch")
    obj = _objects()
    save(obj, tmp_path / "ours.pt")
    for mmap in (False, True):
        theirs = torch.load(tmp_path / "ours.pt", weights_only=True, mmap=mmap)
        assert theirs["t"] is theirs["again"]
        assert isinstance(theirs["param"], torch.nn.Parameter) and theirs["param"].requires_grad
        assert theirs["numbers"] == obj["numbers"] and theirs[7] == "int key"
        assert theirs["set"] == {1, 2}
        assert type(theirs["ordered"]) is OrderedDict and list(theirs["ordered"]) == ["b", "a"]
        for key in ("t", "transposed", "int", "half", "bool", "uint16", "complex", "empty"):
            want = np.asarray(obj[key])
            assert theirs[key].numpy().dtype == want.dtype, key
            np.testing.assert_array_equal(theirs[key].numpy(), want, err_msg=key)
        assert theirs["scalar"].shape == () and theirs["scalar"].item() == 2.5


def test_we_load_what_torch_saves(tmp_path):
    torch = pytest.importorskip("torch")
    g = torch.Generator().manual_seed(0)
    base = torch.randn(5, 6, generator=g)
    obj = {
        "base": base,
        "views": [base.T, base[1:4, ::2], base[:, 3], base[0].expand(4, 6)],
        "bf16": base.to(torch.bfloat16),
        "ints": torch.randint(-100, 100, (3, 4), generator=g, dtype=torch.int32),
        "step": torch.tensor(3.0),
    }
    torch.save(obj, tmp_path / "theirs.pt")
    ours = load(tmp_path / "theirs.pt")
    np.testing.assert_array_equal(ours["base"].numpy(), base.numpy())
    for got, want in zip(ours["views"], obj["views"]):
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    np.testing.assert_array_equal(ours["bf16"].numpy(), obj["bf16"].float().numpy())
    assert ours["ints"].dtype == np.int32 and ours["step"].item() == 3.0


def test_our_state_dict_loads_into_torch_and_back(tmp_path):
    torch = pytest.importorskip("torch")
    tinygrad_edu.manual_seed(0)
    ours = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 2))
    save(ours.state_dict(), tmp_path / "model.pt")
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    theirs.load_state_dict(torch.load(tmp_path / "model.pt", weights_only=True))
    x = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    want = theirs(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(ours(Tensor(x)).numpy(), want, rtol=1e-5, atol=1e-6)

    torch.save(theirs.state_dict(), tmp_path / "torch_model.pt")
    tinygrad_edu.manual_seed(1)
    fresh = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 2))
    fresh.load_state_dict(load(tmp_path / "torch_model.pt"))
    np.testing.assert_allclose(fresh(Tensor(x)).numpy(), want, rtol=1e-5, atol=1e-6)


def test_a_torch_optimizer_checkpoint_continues_in_step_with_torch():
    torch = pytest.importorskip("torch")
    checkpoint = load(fixture("adam_checkpoint.pt"))
    x = load(fixture("models_io.pt"))["x"]
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    model.load_state_dict(checkpoint["model"])
    optimizer = optim.Adam(model.parameters())
    optimizer.load_state_dict(checkpoint["optimizer"])
    optimizer.zero_grad()
    (model(x) ** 2).mean().backward()
    optimizer.step()

    theirs_ckpt = torch.load(fixture("adam_checkpoint.pt"), weights_only=True)
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    theirs.load_state_dict(theirs_ckpt["model"])
    their_opt = torch.optim.Adam(theirs.parameters())
    their_opt.load_state_dict(theirs_ckpt["optimizer"])
    their_opt.zero_grad()
    theirs(torch.from_numpy(x.numpy())).pow(2).mean().backward()
    their_opt.step()
    for (name, p), q in zip(model.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(
            p.numpy(), q.detach().numpy(), rtol=1e-5, atol=1e-7, err_msg=name
        )


def test_a_failed_pt_write_leaves_the_old_file(tmp_path, monkeypatch):
    from tinygrad_edu import serialization

    path = tmp_path / "model.pt"
    save({"w": np.arange(3.0)}, path)
    before = path.read_bytes()

    def crashing(f, obj):
        f.write(b"half a checkpoint")
        raise KeyboardInterrupt

    monkeypatch.setattr(serialization, "write_torch_zip", crashing)
    with pytest.raises(KeyboardInterrupt):
        save({"w": np.zeros(3)}, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["model.pt"]


def test_a_view_that_repeats_a_few_bytes_into_terabytes_is_refused(tmp_path):
    crafted = _tensor_pickle(size=(2**20, 2**20), stride=(0, 0))
    with pytest.raises(pickle.UnpicklingError, match="repeats storage"):
        load(_pt_file(tmp_path / "huge.pt", crafted, {"0": FOUR_FLOATS}))
    modest = _tensor_pickle(size=(1000, 4), stride=(0, 1))  # an expand() of a row: fine
    loaded = load(_pt_file(tmp_path / "expanded.pt", modest, {"0": FOUR_FLOATS}))
    assert loaded.shape == (1000, 4) and loaded.numpy()[999].tolist() == [0, 1, 2, 3]
