"""The benchmark harness: it runs and reports what it promises, and its NumPy floor is right.

The floor is what every ratio is measured against, so its hand-written gradients are checked three
ways: against central differences in float64, against PyTorch, and against tinygrad_edu, for one
training step (loss, gradients, and the parameters after Adam). No timings are asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the benchmarks package lives beside the library, not inside it

from benchmarks import recurrent_workloads, report, run, workloads  # noqa: E402
from benchmarks.cnn_workload import cnn_problem  # noqa: E402
from benchmarks.numpy_ref import build_numpy  # noqa: E402

ROW_KEYS = {"numpy", "torch", "tinygrad_edu", "torch/numpy", "ours/numpy", "target", "met"}


def small_problems() -> list[workloads.Problem]:
    return [
        workloads.mlp_problem(8),
        workloads.rnn_problem(),
        workloads.chain_problem(30, "c"),
        cnn_problem(batch=4),
        # The gated floors at a size where every gate, step and batch row still matters.
        recurrent_workloads.recurrent_problem("lstm", steps=7, batch=4, hidden=5, n_in=3),
        recurrent_workloads.recurrent_problem("gru", steps=7, batch=4, hidden=5, n_in=3),
    ]


@pytest.fixture(params=small_problems(), ids=lambda p: p.kind)
def problem(request: pytest.FixtureRequest) -> workloads.Problem:
    return request.param


def one_step(impl: Any) -> tuple[float, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Loss of the first step, gradients of that loss, parameters after the update."""
    loss = impl.step().item()
    grads = {k: np.array(v) for k, v in impl.grads().items()}
    params = {k: np.array(v) for k, v in impl.params().items()}
    return loss, grads, params


def assert_same_step(ours: Any, floor: Any) -> None:
    loss_a, grads_a, params_a = one_step(ours)
    loss_b, grads_b, params_b = one_step(floor)
    assert loss_a == pytest.approx(loss_b, rel=1e-5)
    assert grads_a.keys() == grads_b.keys()
    for name in grads_a:
        assert grads_a[name].dtype == grads_b[name].dtype == np.float32, name
        scale = np.abs(grads_b[name]).max()
        np.testing.assert_allclose(
            grads_a[name], grads_b[name], rtol=1e-4, atol=1e-5 * scale, err_msg=name
        )
        # Adam's first step moves each weight by lr g / (|g| + eps): 1% of lr is the tolerance.
        # Where |g| is within a few hundred eps (1e-8) of 0, the step's size rests on g's last
        # bits, which float32 sums taken in another order do not share: there the whole step
        # (lr = 1e-3) may differ.
        tolerance = np.where(np.abs(grads_b[name]) < 1e-6, 1e-3 + 1e-5, 1e-5)
        off = np.abs(params_a[name] - params_b[name]) > tolerance
        assert not off.any(), f"{name}: {off.sum()} parameters differ after the Adam step"


def test_floor_gradients_match_central_differences(problem: workloads.Problem) -> None:
    floor = build_numpy(problem, np.float64)
    floor.step()
    grads = {k: v.copy() for k, v in floor.grads().items()}
    rng = np.random.default_rng(0)
    eps = 1e-6
    for name, start in problem.params.items():
        for flat in rng.choice(start.size, size=min(4, start.size), replace=False):
            losses = []
            for sign in (1, -1):
                moved = dict(problem.params)
                moved[name] = start.astype(np.float64).copy()
                moved[name].flat[flat] += sign * eps
                trial = workloads.Problem(
                    problem.name, problem.kind, moved, problem.data, problem.config
                )
                losses.append(float(build_numpy(trial, np.float64).step()))
            numeric = (losses[0] - losses[1]) / (2 * eps)
            assert grads[name].flat[flat] == pytest.approx(numeric, rel=1e-5, abs=1e-8), (
                f"{problem.name}: d loss / d {name}[{flat}]"
            )


def test_floor_matches_torch(problem: workloads.Problem) -> None:
    pytest.importorskip("torch")
    torch_fw = workloads.torch_framework()
    assert torch_fw is not None
    assert_same_step(workloads.build(problem, torch_fw), build_numpy(problem))


def test_floor_matches_tinygrad_edu(problem: workloads.Problem) -> None:
    assert_same_step(
        workloads.build(problem, workloads.tinygrad_edu_framework()), build_numpy(problem)
    )


@pytest.mark.parametrize(
    "problem", [workloads.mlp_problem(8), cnn_problem(batch=4)], ids=lambda p: p.kind
)
def test_floor_stays_float32(problem: workloads.Problem) -> None:
    floor = build_numpy(problem)
    assert floor.step().dtype == np.float32
    for arrays in (floor.params(), floor.grads()):
        assert all(a.dtype == np.float32 for a in arrays.values())


def test_quick_run_writes_the_report(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--quick",
            "--out-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    for column in ("workload", "numpy", "torch", "tinygrad_edu", "ours/numpy", "target"):
        assert column in done.stdout
    result = json.loads((tmp_path / "latest.json").read_text())
    assert {"meta", "targets", "results", "depth", "memory"} <= result.keys()
    assert result["meta"]["blas_threads"] == "1"
    rows = result["results"]
    assert list(rows) == [*run.TIMED, "memory_peak"]
    for name, row in rows.items():
        assert row.keys() >= ROW_KEYS, name
        assert row["target"] == run.TARGETS[name]
        assert row["numpy"] > 0 and row["tinygrad_edu"] > 0, name
        assert row["ours/numpy"] == pytest.approx(row["tinygrad_edu"] / row["numpy"]), name
        assert row["errors"] == {}, name
    for name in run.TIMED:
        assert rows[name]["losses_agree"], name
        assert len(rows[name]["rounds"]["numpy"]) == run.QUICK.rounds
    assert result["depth"]["nodes"] == [rows[n]["config"]["nodes"] for n in run.GROUPS["depth"]]
    assert "deepest/shallowest" in result["depth"]["tinygrad_edu"]
    memory = result["memory"]
    assert memory["after_steps"] == list(run.QUICK.memory_steps)
    assert set(memory["live_bytes"]) == {"numpy", "tinygrad_edu"}
    png = tmp_path / "latest.png"
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert not png.exists()
    else:
        assert png.stat().st_size > 0


def test_table_shows_missing_columns_as_na() -> None:
    row = run._row("rnn", "RNN", {"numpy": 2.0, "torch": None, "tinygrad_edu": 3.0}, 1.4)
    assert row["ours/numpy"] == pytest.approx(1.5) and row["met"] is False
    assert row["torch/numpy"] is None
    line = report.table([row]).splitlines()[-1]
    assert "n/a" in line and "MISS" in line


def test_unknown_workload_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run.parse_args(["--only", "mlp_b7"])
    assert "mlp_b7" in capsys.readouterr().err


def test_groups_expand_in_order() -> None:
    assert run.parse_args(["--only", "rnn,mlp"]).selected == [
        "rnn",
        "mlp_b8",
        "mlp_b64",
        "mlp_b512",
    ]


def test_heap_layout_pads_by_its_argument_and_refuses_negatives(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run.heap_padding(0) == []
    sizes = [len(p) for p in run.heap_padding(3)]
    assert len(sizes) == 18 and len(set(sizes)) > 3  # several sizes, so allocations move
    assert sizes != [len(p) for p in run.heap_padding(4)][:18]
    assert run.parse_args(["--heap-layout", "2"]).heap_layout == 2
    with pytest.raises(SystemExit):
        run.parse_args(["--heap-layout", "-1"])
    assert "--heap-layout" in capsys.readouterr().err
