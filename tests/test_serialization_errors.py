"""Bad checkpoint files get clear errors naming the path, never unsafe advice; saves keep modes.

Each test here failed on the code before the fix it covers (raw BadZipFile, EOFError,
JSONDecodeError, KeyError or TypeError without the path; NumPy's advice to pass allow_pickle;
NUL keys silently merged; every checkpoint created with mode 0600).
"""

from __future__ import annotations

import io
import json
import os
import stat
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tinygrad_edu import load, save
from tinygrad_edu.serialization.structure import STRUCTURE_KEY

FIXTURES = Path(__file__).parent / "fixtures"


def _assert_clear(err: pytest.ExceptionInfo, path: Path, *phrases: str) -> None:
    message = str(err.value)
    assert str(path) in message
    for phrase in phrases:
        assert phrase in message, message
    # NumPy's advice for a file it cannot read: load it unsafely. Never repeat it.
    assert "allow_pickle" not in message and "pickle.load" not in message


# -- a file that is not what its name says ----------------------------------------------------------


def test_text_file_named_npz(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("these are not weights\n")
    with pytest.raises(ValueError) as err:
        load(path)
    _assert_clear(err, path, "not a .npz archive", "text file")


def test_safetensors_named_npz_says_what_it_is(tmp_path):
    save({"w": np.ones(2, np.float32)}, tmp_path / "w.safetensors")
    path = tmp_path / "w.npz"
    path.write_bytes((tmp_path / "w.safetensors").read_bytes())
    with pytest.raises(ValueError) as err:
        load(path)
    _assert_clear(err, path, "safetensors file", "rename it to end in .safetensors")


def test_pytorch_checkpoint_named_npz_or_safetensors(tmp_path):
    save({"w": np.ones(2)}, tmp_path / "w.pt")
    for name in ("w.npz", "w.safetensors"):
        path = tmp_path / name
        path.write_bytes((tmp_path / "w.pt").read_bytes())
        with pytest.raises(ValueError) as err:
            load(path)
        _assert_clear(err, path, "PyTorch checkpoint", "rename it to end in .pt")


def test_npz_named_pt_says_what_it_is(tmp_path):
    save({"w": np.ones(2)}, tmp_path / "w.npz")
    path = tmp_path / "w.pt"
    path.write_bytes((tmp_path / "w.npz").read_bytes())
    with pytest.raises(RuntimeError) as err:
        load(path)
    _assert_clear(err, path, "NumPy .npz archive", "rename it to end in .npz")


# -- truncated and corrupt files ----------------------------------------------------------------


def _saved(tmp_path: Path, name: str) -> bytes:
    save({"w": np.arange(100.0), "nested": {"b": [np.ones(3)]}}, tmp_path / name)
    return (tmp_path / name).read_bytes()


@pytest.mark.parametrize("ext", [".npz", ".safetensors"])
@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_files(tmp_path, ext, keep):
    whole = _saved(tmp_path, f"whole{ext}")
    path = tmp_path / f"cut{ext}"
    path.write_bytes(whole[: int(len(whole) * keep)])
    with pytest.raises(ValueError) as err:
        load(path)
    _assert_clear(err, path, "truncated")


def test_safetensors_shorter_than_its_header(tmp_path):
    path = tmp_path / "tiny.safetensors"
    path.write_bytes(b"\x05\x00\x00")
    with pytest.raises(ValueError) as err:
        load(path)
    _assert_clear(err, path)


def test_npz_member_with_a_corrupt_array(tmp_path):
    header = io.BytesIO()
    np.lib.format.write_array(header, np.arange(10.0))
    path = tmp_path / "short.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("w.npy", header.getvalue()[:-40])  # the array's data cut short
    with pytest.raises(ValueError) as err:
        load(path)
    _assert_clear(err, path, "'w.npy'")


def test_npz_member_that_is_not_an_array_is_refused(tmp_path):
    path = tmp_path / "odd.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("w.npy", b"5")  # not .npy data: np.load hands back its raw bytes
        archive.writestr("readme.txt", b"hello")
    with pytest.raises(ValueError) as err:
        load(path)
    _assert_clear(err, path, "not a .npy array")


def _npz_with_structure(path: Path, structure: str, **arrays: np.ndarray) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for key, value in {**arrays, STRUCTURE_KEY: np.array(structure)}.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, value)
            archive.writestr(key + ".npy", member.getvalue())
    return path


@pytest.mark.parametrize(
    "structure, phrase",
    [
        ("{not json", "not valid JSON"),
        ('{"dict": [["a", {"tensor": "missing"}]]}', "'missing' that the file lacks"),
        ('{"dict": [["a"]]}', "malformed"),
        ('{"dict": [["a", {"tensor": "w", "list": []}]]}', "malformed"),
        ('{"set": [1]}', "unknown node 'set'"),
        ("[1, 2]", "malformed"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_bad_structure_in_npz(tmp_path, structure, phrase):
    path = _npz_with_structure(tmp_path / "s.npz", structure, w=np.ones(2))
    with pytest.raises(ValueError) as err:
        load(path)
    _assert_clear(err, path, phrase)


def _safetensors_bytes(header: dict, data: bytes = b"") -> bytes:
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


@pytest.mark.parametrize(
    "header, data, phrase",
    [
        ({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 4, "outside"),
        ({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\0" * 8, "shape"),
        ({"w": {"dtype": "F8_E4M3", "shape": [1], "data_offsets": [0, 1]}}, b"\0", "F8_E4M3"),
        ({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, b"\0" * 4, "shape"),
        ({"w": {"dtype": "F32"}}, b"", "malformed"),
        ({"w": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}}, b"\0\0", "gap"),
        ({"w": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}, b"\0\0", "after the last"),
        ({"__metadata__": {"a": 1}}, b"", "__metadata__"),
    ],
)
def test_bad_safetensors_headers(tmp_path, header, data, phrase):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(_safetensors_bytes(header, data))
    with pytest.raises(ValueError) as err:
        load(path)
    _assert_clear(err, path, phrase)


def test_bad_json_header_in_safetensors(tmp_path):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(struct.pack("<Q", 8) + b"{bad jso")
    with pytest.raises(ValueError) as err:
        load(path)
    _assert_clear(err, path, "not valid JSON")


def test_bfloat16_safetensors_written_by_pytorch_loads_as_float32():
    state = load(FIXTURES / "bfloat16.safetensors")
    assert state["w"].dtype == np.float32
    np.testing.assert_array_equal(state["w"].numpy(), np.arange(6).reshape(2, 3) * 0.25)
    np.testing.assert_array_equal(state["b"].numpy(), np.arange(3, dtype=np.float32))


# -- keys -------------------------------------------------------------------------------------


def test_keys_with_nul_are_refused_in_npz(tmp_path):
    with pytest.raises(ValueError, match="NUL"):
        save({"a\0b": np.zeros(1), "a\0c": np.ones(1)}, tmp_path / "nul.npz")
    assert list(tmp_path.iterdir()) == []


def test_keys_with_nul_survive_in_safetensors_and_pt(tmp_path):
    state = {"a\0b": np.zeros(1), "a\0c": np.ones(1)}
    for name in ("nul.safetensors", "nul.pt"):
        save(state, tmp_path / name)
        assert sorted(load(tmp_path / name)) == sorted(state)


# -- file modes -------------------------------------------------------------------------------

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


@pytest.fixture
def umask():
    def set_umask(mask: int) -> None:
        os.umask(mask)

    old = os.umask(0o022)
    yield set_umask
    os.umask(old)


@posix_only
@pytest.mark.parametrize("ext", [".npz", ".safetensors", ".pt"])
@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_checkpoint_follows_the_umask(tmp_path, umask, ext, mask, mode):
    umask(mask)
    save({"w": np.zeros(1)}, tmp_path / f"new{ext}")
    assert stat.S_IMODE(os.stat(tmp_path / f"new{ext}").st_mode) == mode


@posix_only
@pytest.mark.parametrize("mode", [0o644, 0o600, 0o640, 0o666])
def test_an_existing_checkpoint_keeps_its_mode(tmp_path, umask, mode):
    path = tmp_path / "old.npz"
    save({"w": np.zeros(1)}, path)
    os.chmod(path, mode)
    save({"w": np.ones(1)}, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode
    np.testing.assert_array_equal(load(path)["w"].numpy(), np.ones(1))
    assert os.listdir(tmp_path) == ["old.npz"]  # no temporary file left behind
