"""Smoke tests for examples/cnn.py and ``dream.py --model cnn``: small budgets, the files they
write, the figures they print; and the default run's promised accuracy."""

import re

import numpy as np
from test_examples import (  # noqa: F401  (_examples_on_path: an autouse fixture)
    _assert_png,
    _example,
    _examples_on_path,
    _write_idx,
    help_text,
    needs_extras,
)

import tinygrad_edu


@needs_extras
def test_cnn_help() -> None:
    text = help_text("cnn")  # (usage and --out checked there)
    for flag in ("--batchnorm", "--dropout", "--dataset", "--data-dir"):
        assert flag in text


@needs_extras
def test_cnn_smoke_checkpoint_and_dream(tmp_path, capsys) -> None:
    args = ["--epochs", "1", "--limit", "200", "--batchnorm", "--dropout", "0.2"]
    result = _example("cnn").main([*args, "--out", str(tmp_path)])
    out = capsys.readouterr().out
    for name in ("cnn.png", "cnn_features.png"):
        _assert_png(tmp_path / name)
    assert "batchnorm=on, dropout=0.2" in out and "Dropout2d(p=0.2" in out
    assert re.search(r"test accuracy by epoch: \d+\.\d%", out)
    assert re.search(r"gap \(test - train loss\) -?\d+\.\d+", out)
    assert re.search(r"test loss \d+\.\d+, test accuracy \d+\.\d+%", out)
    assert 0.0 <= result["test_accuracy"] <= 1.0
    state = tinygrad_edu.load(tmp_path / "cnn.npz")
    assert state["features.0.weight"].shape == (16, 1, 3, 3)
    assert state["features.1.running_mean"].shape == (16,)  # the BatchNorm2d
    assert state["classifier.2.weight"].shape == (10, 32 * 2 * 2)  # after Flatten, Dropout
    assert float(state["std"]) > 0.0 and state["features.0.weight"].dtype == np.float32

    # dream.py --model cnn picks the checkpoint up from the same directory
    dream = _example("dream").main(["--model", "cnn", "--steps", "5", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    _assert_png(tmp_path / "dream_cnn.png")
    assert "no classifier checkpoint" not in out
    assert out.count("  dreamed ") == 10 and "mean confidence of the dreamed digits" in out
    assert 0.0 <= dream["mean_confidence"] <= 1.0


@needs_extras
def test_dream_trains_a_cnn_when_none_exists(tmp_path, capsys) -> None:
    _example("dream").main(
        ["--model", "cnn", "--steps", "3", "--train-epochs", "1", "--out", str(tmp_path)]
    )
    out = capsys.readouterr().out
    assert "no classifier checkpoint found" in out
    assert (tmp_path / "cnn.npz").is_file()
    _assert_png(tmp_path / "dream_cnn.png")


@needs_extras
def test_cnn_default_run_reaches_98_percent(tmp_path, capsys) -> None:
    result = _example("cnn").main(["--out", str(tmp_path)])
    assert result["test_accuracy"] >= 0.98, capsys.readouterr().out


@needs_extras
def test_cnn_runs_on_mnist_idx_files(tmp_path, capsys) -> None:
    """--dataset mnist on four small IDX files: 28x28 images, so 5x5 kernels and 7x7 maps."""
    rng = np.random.default_rng(0)
    data = tmp_path / "mnist"
    data.mkdir()
    for split, n in (("train", 64), ("t10k", 32)):
        labels = rng.integers(0, 10, n)
        images = rng.integers(0, 40, (n, 28, 28))
        images[np.arange(n), 2 * labels + 4, 4:24] = 255  # a bright row per class: learnable
        _write_idx(data / f"{split}-images-idx3-ubyte.gz", images)
        _write_idx(data / f"{split}-labels-idx1-ubyte", labels)
    result = _example("cnn").main(
        ["--dataset", "mnist", "--data-dir", str(data), "--epochs", "1", "--out", str(tmp_path)]
    )
    assert re.search(r"test accuracy \d+\.\d+%", capsys.readouterr().out)
    state = tinygrad_edu.load(tmp_path / "cnn.npz")
    assert state["features.0.weight"].shape == (16, 1, 5, 5)
    assert state["classifier.1.weight"].shape == (10, 32 * 7 * 7)
    assert 0.0 <= result["test_accuracy"] <= 1.0
