"""Smoke tests for the sequence examples (vanishing_gradients, tiny_gpt, rnn --cell): each runs
on a tiny budget, writes its files and prints its figures. Skipped without the examples extra."""

import re

import numpy as np
import pytest
from test_examples import _assert_png, _example, _examples_on_path, help_text  # noqa: F401 (fixture)

pytest.importorskip("matplotlib")
pytest.importorskip("tqdm")


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_rnn_example_with_a_gated_cell(tmp_path, capsys, cell):
    pytest.importorskip("sklearn")
    result = _example("rnn").main(
        ["--cell", cell, "--epochs", "1", "--limit", "100", "--hidden", "8", "--out", str(tmp_path)]
    )
    out = capsys.readouterr().out
    _assert_png(tmp_path / f"rnn_{cell}.png")
    assert re.search(rf"{cell.upper()}: test loss \d+\.\d+, test accuracy \d+\.\d+%", out)
    assert 0.0 <= result["test_accuracy"] <= 1.0


def test_vanishing_gradients_smoke(tmp_path, capsys):
    args = ["--lengths", "3,6", "--steps", "10", "--hidden", "4", "--eval-every", "5"]
    result = _example("vanishing_gradients").main([*args, "--out", str(tmp_path)])
    out = capsys.readouterr().out
    _assert_png(tmp_path / "vanishing_gradients.png")
    assert re.search(r"cell\s+T = 3\s+T = 6", out)
    for cell in ("rnn", "gru", "lstm", "lstm-fb1"):
        assert re.search(rf"^{cell}\s+(yes|no) .*(yes|no) ", out, re.MULTILINE), cell
        assert re.search(rf"^  {cell}\s+\d\.\de[-+]\d\d", out, re.MULTILINE), cell
    assert set(result) == {f"{c}@{t}" for c in ("rnn", "gru", "lstm", "lstm-fb1") for t in (3, 6)}
    assert all(0.0 <= a <= 1.0 for a in result.values())


def test_vanishing_gradients_measures_what_it_says():
    """The gradient norms are the norms of dL/dh_t: for an RNN whose recurrent weight is zero
    and whose nonlinearity is linear near 0, dL/dh_t is 0 for every t < T."""
    vg = _example("vanishing_gradients")
    model = vg.Reader("rnn", 4)
    with vg.no_grad():
        model.cell.weight_hh.zero_()
    x, y = vg.make_batch(np.random.default_rng(0), 8, 5)
    norms = vg.gradient_norms(model, x, y)
    assert norms.shape == (5,) and norms[-1] > 0 and not norms[:-1].any()
    assert all(p.grad is None for p in model.parameters())  # left clean


def test_forget_bias_variant_opens_the_forget_gate():
    vg = _example("vanishing_gradients")
    model = vg.Reader("lstm-fb1", 4)
    bias = model.cell.bias_ih.numpy() + model.cell.bias_hh.numpy()
    np.testing.assert_array_equal(bias[4:8], 1.0)
    assert model.cell.bias_ih.requires_grad


@pytest.mark.parametrize("name", ["vanishing_gradients", "tiny_gpt"])
def test_help(name):
    help_text(name)


def test_tiny_gpt_smoke(tmp_path, capsys):
    text = tmp_path / "corpus.txt"
    text.write_text("def f(x):\n    return x + 1\n" * 40)
    args = ["--text", str(text), "--steps", "6", "--eval-every", "3", "--block", "8"]
    args += ["--dim", "8", "--heads", "2", "--layers", "1", "--batch-size", "4"]
    result = _example("tiny_gpt").main([*args, "--sample-chars", "20", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    _assert_png(tmp_path / "tiny_gpt.png")
    assert "sample before training:\ndef " in out and "sample after training:\ndef " in out
    assert re.search(r"loss after 6 steps .*: train \d+\.\d+, validation \d+\.\d+", out)
    assert np.isfinite(result["train_loss"]) and np.isfinite(result["val_loss"])


def test_tiny_gpt_is_causal_and_ties_its_weights():
    """Logits at position t do not change when later characters do; the head and the token
    embedding are one parameter, listed once."""
    gpt = _example("tiny_gpt")
    import tinygrad_edu

    tinygrad_edu.manual_seed(0)
    model = gpt.TinyGPT(vocab=7, block=6, dim=8, heads=2, layers=2, dropout=0.0)
    model.eval()
    assert model.head.weight is model.tok_emb.weight
    assert len(list(model.parameters())) == len({id(p) for p in model.parameters()})
    x = np.array([[1, 2, 3, 4, 5, 6]])
    changed = x.copy()
    changed[0, 3:] = [0, 0, 0]
    a = model(tinygrad_edu.Tensor(x)).numpy()
    b = model(tinygrad_edu.Tensor(changed)).numpy()
    np.testing.assert_allclose(a[0, :3], b[0, :3], rtol=1e-6)
    assert not np.allclose(a[0, 3:], b[0, 3:])


def test_tiny_gpt_default_corpus_ships_with_the_project():
    files = _example("tiny_gpt").default_corpus()
    assert any(f.name == "README.md" for f in files) and any(f.suffix == ".py" for f in files)
