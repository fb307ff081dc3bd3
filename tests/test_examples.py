"""Smoke tests for examples/: each runs on a tiny budget, writes its files, prints its figure.

The training examples need the `examples` extra (tqdm, matplotlib, scikit-learn); without it
their tests are skipped. engine_tour.py needs nothing but NumPy, and is tested that way.
"""

import gzip
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAMES = ["regression", "xor", "classifier", "autoencoder", "rnn", "dream"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
EXTRAS = ("matplotlib", "sklearn", "tqdm")
needs_extras = pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None for m in EXTRAS),
    reason="the examples extra (tqdm, matplotlib, scikit-learn) is not installed",
)


@pytest.fixture(autouse=True)
def _examples_on_path(monkeypatch):
    """A script finds common.py (and dream.py finds classifier.py) in its own folder, which
    Python puts first on sys.path; imported from here, the folder has to be put there."""
    monkeypatch.syspath_prepend(str(EXAMPLES))


def _example(name: str):
    """Import examples/<name>.py as a module (the examples are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _assert_png(path: Path) -> None:
    assert path.is_file(), f"{path} was not written"
    assert path.read_bytes()[:8] == PNG_MAGIC, f"{path} is not a PNG"


def help_text(name: str) -> str:
    """What ``python examples/<name>.py --help`` prints, after checking that it exits cleanly
    and shows the usage and the ``--out`` folder every example takes."""
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout and "--out" in result.stdout
    return result.stdout


@needs_extras
@pytest.mark.parametrize("name", NAMES)
def test_help(name):
    help_text(name)


@needs_extras
def test_regression_smoke(tmp_path, capsys):
    result = _example("regression").main(
        ["--steps", "20", "--samples", "30", "--out", str(tmp_path)]
    )
    out = capsys.readouterr().out
    _assert_png(tmp_path / "regression.png")
    assert out.count("w.r.t. all 13 weights (float64): passed") == 2  # MSE and MAE
    assert re.search(r"final training loss: MSE fit \d+\.\d+ \(MSE\), MAE fit \d+\.\d+", out)
    assert np.isfinite(result["MSE_loss"]) and np.isfinite(result["MAE_loss"])


@needs_extras
def test_xor_learns_all_four(tmp_path, capsys):
    result = _example("xor").main(["--out", str(tmp_path)])  # the default budget
    out = capsys.readouterr().out
    _assert_png(tmp_path / "xor.png")
    assert "4/4 correct" in out and result["correct"] == 4
    assert out.count("predicted") == 4


@needs_extras
def test_classifier_smoke_and_checkpoint(tmp_path, capsys):
    result = _example("classifier").main(
        ["--epochs", "1", "--limit", "200", "--out", str(tmp_path)]
    )
    out = capsys.readouterr().out
    _assert_png(tmp_path / "classifier.png")
    assert re.search(r"test loss \d+\.\d+, test accuracy \d+\.\d+%", out)
    assert 0.0 <= result["test_accuracy"] <= 1.0
    import tinygrad_edu

    state = tinygrad_edu.load(tmp_path / "classifier.npz")
    assert state["0.weight"].shape == (32, 64) and state["2.weight"].shape == (10, 32)
    assert state["0.weight"].dtype == np.float32

    # dream.py picks the checkpoint up from the same directory
    dream = _example("dream").main(["--steps", "5", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    _assert_png(tmp_path / "dream.png")
    assert "no classifier checkpoint" not in out
    assert out.count("  dreamed ") == 10 and "mean confidence of the dreamed digits" in out
    assert 0.0 <= dream["mean_confidence"] <= 1.0


@needs_extras
def test_classifier_default_run_reaches_95_percent(tmp_path, capsys):
    result = _example("classifier").main(["--out", str(tmp_path)])
    assert result["test_accuracy"] >= 0.95, capsys.readouterr().out


@needs_extras
def test_dream_trains_a_classifier_when_none_exists(tmp_path, capsys):
    _example("dream").main(["--steps", "3", "--train-epochs", "1", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "no classifier checkpoint found" in out
    assert (tmp_path / "classifier.npz").is_file()
    _assert_png(tmp_path / "dream.png")


@needs_extras
def test_autoencoder_smoke(tmp_path, capsys):
    result = _example("autoencoder").main(
        ["--epochs", "1", "--probe-epochs", "1", "--limit", "200", "--out", str(tmp_path)]
    )
    out = capsys.readouterr().out
    _assert_png(tmp_path / "autoencoder.png")
    with np.load(tmp_path / "features.npz", allow_pickle=False) as features:
        assert features["x_train"].shape == (200, 32)
        assert features["x_test"].shape[1] == 32
        assert len(features["y_test"]) == len(features["x_test"])
    assert re.search(r"linear classifier on the 32-d codes: test accuracy \d+\.\d+%", out)
    assert 0.0 <= result["probe_accuracy"] <= 1.0


@needs_extras
def test_rnn_smoke(tmp_path, capsys):
    result = _example("rnn").main(
        ["--epochs", "1", "--limit", "100", "--hidden", "16", "--out", str(tmp_path)]
    )
    out = capsys.readouterr().out
    _assert_png(tmp_path / "rnn.png")
    assert re.search(r"test accuracy \d+\.\d+% on \"digit >= 5\"", out)
    assert 0.0 <= result["test_accuracy"] <= 1.0


def _write_idx(path: Path, array: np.ndarray) -> None:
    """A uint8 IDX file (the MNIST format): magic 0x0000 08 <ndim>, big-endian dims, data."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape
    )
    payload = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(payload) if path.suffix == ".gz" else payload)


@needs_extras
def test_classifier_runs_on_mnist_idx_files(tmp_path, capsys):
    """The --dataset mnist path on four small IDX files (gzipped and raw), as MNIST ships them."""
    rng = np.random.default_rng(0)
    data = tmp_path / "mnist"
    data.mkdir()
    for split, n in (("train", 64), ("t10k", 32)):
        labels = rng.integers(0, 10, n)
        images = rng.integers(0, 40, (n, 28, 28))
        images[np.arange(n), 2 * labels + 4, 4:24] = 255  # a bright row per class: learnable
        _write_idx(data / f"{split}-images-idx3-ubyte.gz", images)
        _write_idx(data / f"{split}-labels-idx1-ubyte", labels)
    result = _example("classifier").main(
        ["--dataset", "mnist", "--data-dir", str(data), "--epochs", "2", "--out", str(tmp_path)]
    )
    out = capsys.readouterr().out
    assert re.search(r"test loss \d+\.\d+, test accuracy \d+\.\d+%", out)
    import tinygrad_edu

    state = tinygrad_edu.load(tmp_path / "classifier.npz")
    assert state["0.weight"].shape == (32, 784)  # the post's 784-32-10 network
    assert 0.0 <= result["test_accuracy"] <= 1.0


# -- engine_tour.py: NumPy and tinygrad_edu only ------------------------------------------------

# Run a script with the optional packages made unimportable, as on a machine without them.
HIDE_AND_RUN = """
import runpy, sys

HIDDEN = {"matplotlib", "sklearn", "tqdm", "torch", "scipy", "pandas", "PIL"}


class Hide:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"{name} is hidden: this example must run on NumPy alone")
        return None


sys.meta_path.insert(0, Hide())
script = sys.argv[1]
sys.argv = sys.argv[1:]
runpy.run_path(script, run_name="__main__")
"""


def test_engine_tour_runs_with_numpy_alone(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", HIDE_AND_RUN, str(EXAMPLES / "engine_tour.py")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # it writes nothing and needs no files
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "gradcheck(Softplus): passed" in out
    assert "gradcheck(WrongSoftplus): caught the wrong backward" in out
    assert "gradgradcheck(Softplus): passed" in out
    assert "the gradient reaching h = w * x" in out
    assert re.search(r"w.grad after the clipping hook += \[ ?1\. -1\.  ?1\.\]", out), out
    assert "step  node" in out and re.search(r"\d+  weight +\(2, 3\)", out), out
    assert list(tmp_path.iterdir()) == []


def test_hiding_really_hides(tmp_path):
    """The wrapper above must make an optional import fail, or the test before proves nothing."""
    script = tmp_path / "uses_tqdm.py"
    script.write_text("import tqdm\n")
    result = subprocess.run(
        [sys.executable, "-c", HIDE_AND_RUN, str(script)], capture_output=True, text=True
    )
    assert result.returncode != 0 and "tqdm is hidden" in result.stderr


def test_engine_tour_second_derivative_and_hook(capsys):
    result = _example("engine_tour").main()
    assert result["second_derivative_error"] < 1e-12
    assert result["max_clipped_grad"] == 1.0  # every |dloss/dw| was above 1 before clipping
    assert "caught the wrong backward" in capsys.readouterr().out
