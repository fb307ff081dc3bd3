"""Time tinygrad_edu against hand-written NumPy (the floor) and PyTorch, in one process.

    python benchmarks/run.py                  # everything, about 3-5 minutes on 2 cores
    python benchmarks/run.py --quick          # a tiny budget: checks the harness runs
    python benchmarks/run.py --only mlp_b64 --only rnn
    python benchmarks/run.py --profile rnn    # where tinygrad_edu spends a step (cProfile)
    python benchmarks/run.py --no-torch --only mlp --heap-layout 3   # one of several layouts (A/B)

Prints a table of times and ratios to the floor, and writes benchmarks/results/latest.json and
latest.png. Only ratios inside one run mean much: absolute times move with the machine's load.
"""

import os

# One BLAS thread for every column. This must happen before NumPy (or PyTorch) is imported:
# OpenBLAS reads these variables once, when it loads. (Not when a test imports this module.)
if __name__ == "__main__":
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = "1"

import argparse
import cProfile
import datetime
import gc
import platform
import pstats
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script, `benchmarks` is not importable otherwise
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks import recurrent_workloads, report, timing, workloads  # noqa: E402
from benchmarks.cnn_workload import cnn_problem  # noqa: E402
from benchmarks.numpy_ref import build_numpy  # noqa: E402
from benchmarks.workloads import Framework, Problem  # noqa: E402

# Highest acceptable ratio to the NumPy floor.
TARGETS = {
    "mlp_b8": 1.30,
    "mlp_b64": 1.10,
    "mlp_b512": 1.05,
    "rnn": 1.40,
    "cnn": 1.15,
    "lstm": 1.30,
    "gru": 1.30,
    "per_node": 3.0,
    "depth_1e4": 3.0,
    "depth_1e5": 3.0,
    "memory_peak": 1.25,
}
TIMED = (
    "mlp_b8",
    "mlp_b64",
    "mlp_b512",
    "rnn",
    "cnn",
    "lstm",
    "gru",
    "per_node",
    "depth_1e4",
    "depth_1e5",
)
WORKLOADS = (*TIMED, "memory")
CHAIN = ("per_node", "depth_1e4", "depth_1e5")  # the same chain at three depths
GROUPS = {"mlp": ("mlp_b8", "mlp_b64", "mlp_b512"), "chain": CHAIN, "depth": CHAIN}
FLAT = 1.5  # per-node time at the deepest chain over the shallowest: at most this is "flat"


@dataclass(frozen=True)
class Budget:
    rounds: int
    round_seconds: float  # the time each round of each column runs for
    chain_nodes: tuple[int, int, int]  # per_node, depth_1e4, depth_1e5
    memory_steps: tuple[int, int]  # live memory is compared after these two steps


FULL = Budget(
    rounds=7, round_seconds=0.3, chain_nodes=(1000, 10000, 100000), memory_steps=(10, 1000)
)
QUICK = Budget(rounds=3, round_seconds=0.02, chain_nodes=(300, 1000, 3000), memory_steps=(3, 10))


def make_problem(name: str, budget: Budget) -> Problem:
    if name.startswith("mlp_b"):
        return workloads.mlp_problem(int(name.removeprefix("mlp_b")))
    if name == "rnn":
        return workloads.rnn_problem()
    if name == "cnn":
        return cnn_problem()
    if name in ("lstm", "gru"):
        return recurrent_workloads.recurrent_problem(name)
    depth = CHAIN.index(name)
    return workloads.chain_problem(budget.chain_nodes[depth], name)


def label(problem: Problem) -> str:
    if problem.kind == "mlp":
        return f"MLP batch {problem.config['batch']} (ms/step)"
    if problem.kind == "rnn":
        return "RNN 50 steps (ms/step)"
    if problem.kind == "cnn":
        return "LeNet CNN batch 64 (ms/step)"
    if problem.kind in ("lstm", "gru"):
        return f"{problem.kind.upper()} 50 steps (ms/step)"
    return f"chain {problem.config['nodes']} nodes (us/node)"


def _ratio(x: float | None, floor: float | None) -> float | None:
    return None if x is None or floor is None else x / floor


def _row(name: str, text: str, values: dict[str, float | None], target: float | None) -> dict:
    ours = _ratio(values.get("tinygrad_edu"), values.get("numpy"))
    return {
        "name": name,
        "label": text,
        "numpy": values.get("numpy"),
        "torch": values.get("torch"),
        "tinygrad_edu": values.get("tinygrad_edu"),
        "torch/numpy": _ratio(values.get("torch"), values.get("numpy")),
        "ours/numpy": ours,
        "target": target,
        "met": None if ours is None or target is None else ours <= target,
    }


def _error(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"


def time_workload(problem: Problem, frameworks: list[Framework], budget: Budget) -> dict:
    """One row of the table: the three columns timed in interleaved rounds."""
    impls: dict[str, Any] = {"numpy": build_numpy(problem)}
    errors: dict[str, str] = {}
    for fw in frameworks:
        try:
            impls[fw.name] = workloads.build(problem, fw)
        except Exception as e:  # a broken column is reported, and the others still run
            errors[fw.name] = _error(e)
    # The first step starts from the same weights everywhere, so its loss must agree.
    first: dict[str, float] = {}
    for name in list(impls):
        try:
            first[name] = impls[name].step().item()  # .item(): numpy, torch and ours alike
        except Exception as e:
            errors[name] = _error(e)
            del impls[name]
    agree = all(
        abs(v - first["numpy"]) <= 1e-4 * max(1.0, abs(first["numpy"])) for v in first.values()
    )
    measured = timing.interleaved(
        {name: impl.step for name, impl in impls.items()}, budget.rounds, budget.round_seconds
    )
    # Steps in ms; chains in microseconds per node.
    scale = 1e3 if problem.kind != "chain" else 1e6 / problem.config["nodes"]
    values: dict[str, float | None] = {name: m["median"] * scale for name, m in measured.items()}
    row = _row(problem.name, label(problem), values, TARGETS[problem.name])
    row.update(
        unit="us/node" if problem.kind == "chain" else "ms/step",
        config=problem.config,
        first_loss=first,
        losses_agree=agree,
        rounds={name: [t * scale for t in m["rounds"]] for name, m in measured.items()},
        steps_per_round={name: m["steps_per_round"] for name, m in measured.items()},
        errors=errors,
    )
    return row


def memory_workload(ours: Framework, budget: Budget) -> tuple[dict, dict]:
    """Peak traced memory of an MLP batch-64 training step, and live memory over many steps."""
    problem = workloads.mlp_problem(64)
    early, late = budget.memory_steps
    makers: dict[str, Any] = {
        "numpy": lambda: build_numpy(problem),
        "tinygrad_edu": lambda: workloads.build(problem, ours),
    }
    traced, errors = {}, {}
    for name, make in makers.items():
        try:
            traced[name] = timing.traced_memory(make, early=early, late=late)
        except Exception as e:
            errors[name] = _error(e)
    mib = 2**20
    peaks: dict[str, float | None] = {name: t["peak"] / mib for name, t in traced.items()}
    row = _row("memory_peak", "peak memory MLP b64 (MiB)", peaks, TARGETS["memory_peak"])
    row.update(unit="MiB", errors=errors)
    section = {
        "after_steps": [early, late],
        "live_bytes": {name: [t["live_early"], t["live_late"]] for name, t in traced.items()},
        "growth_bytes": {name: t["live_late"] - t["live_early"] for name, t in traced.items()},
        "peak_bytes": {name: t["peak"] for name, t in traced.items()},
    }
    return row, section


def depth_summary(rows: dict[str, dict]) -> dict | None:
    """Time per node at each depth, and deepest over shallowest: flat means close to 1."""
    names = CHAIN
    if not all(n in rows for n in names):
        return None
    section: dict[str, Any] = {"nodes": [rows[n]["config"]["nodes"] for n in names], "limit": FLAT}
    for col in report.COLUMNS:
        per_node = [rows[n][col] for n in names]
        if all(v is not None for v in per_node):
            section[col] = {
                "us_per_node": per_node,
                "deepest/shallowest": per_node[-1] / per_node[0],
            }
    ours = section.get("tinygrad_edu")
    section["flat"] = None if ours is None else ours["deepest/shallowest"] <= FLAT
    return section


def profile(name: str, ours: Framework, budget: Budget, seconds: float = 3.0) -> None:
    """Print where a tinygrad_edu step of one workload spends its time (top functions by tottime)."""
    impl = workloads.build(make_problem(name, budget), ours)
    per_step = timing.seconds_per_step(impl.step, 0.2)
    steps = max(1, round(seconds / per_step))
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(steps):
        impl.step()
    profiler.disable()
    print(f"{name}: {steps} tinygrad_edu steps under cProfile, top 25 functions by own time")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tiny budget (the smoke test)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds per workload (default 7)")
    parser.add_argument(
        "--only",
        action="append",
        metavar="WORKLOAD",
        help=f"run only these (repeat or comma-separate): {', '.join(WORKLOADS)}, "
        f"or a group: {', '.join(GROUPS)}",
    )
    parser.add_argument(
        "--out-dir", type=Path, default=ROOT / "benchmarks" / "results", help="for latest.*"
    )
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out (n/a)")
    parser.add_argument("--profile", metavar="WORKLOAD", help="profile tinygrad_edu and exit")
    parser.add_argument(
        "--heap-layout",
        type=int,
        default=0,
        metavar="K",
        help="allocate K-dependent padding first, which moves where every later array lands "
        "(to compare two versions over several layouts: see benchmarks/README.md)",
    )
    args = parser.parse_args(argv)
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.heap_layout < 0:
        parser.error("--heap-layout must be 0 or more")
    selected: list[str] = []
    for item in args.only or list(WORKLOADS):
        for name in filter(None, item.split(",")):
            names = GROUPS.get(name, (name,))
            if any(n not in WORKLOADS for n in names):
                parser.error(f"unknown workload {name!r}; choose from {', '.join(WORKLOADS)}")
            selected += [n for n in names if n not in selected]
    args.selected = selected
    if args.profile is not None and args.profile not in TIMED:
        parser.error(f"--profile takes one of {', '.join(TIMED)}, got {args.profile!r}")
    return args


def heap_padding(k: int) -> list[object]:
    """Arrays and buffers of k-dependent sizes, to be kept alive while the workloads are built
    and timed: malloc then places their arrays elsewhere. One placement alone can make the same
    step up to 4% faster or slower (arrays that happen to sit at nearly the same offset in a
    4 KB page), which is larger than what an A/B of two engine versions looks for."""
    sizes = [1 + 64 * ((7 * k + i) % 23) for i in range(3 * k)]
    return [np.empty(n, np.uint8) for n in sizes] + [bytearray(24 * k + 7) for _ in range(3 * k)]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    padding = heap_padding(args.heap_layout)  # noqa: F841  (kept alive until the end)
    budget = QUICK if args.quick else FULL
    if args.rounds is not None:
        budget = Budget(args.rounds, budget.round_seconds, budget.chain_nodes, budget.memory_steps)
    ours = workloads.tinygrad_edu_framework()
    if args.profile is not None:
        profile(args.profile, ours, budget)
        return 0
    theirs = None if args.no_torch else workloads.torch_framework()
    frameworks = [ours] if theirs is None else [theirs, ours]
    # PyTorch's import leaves a million objects for the cyclic GC to scan on every full
    # collection, which would bill whichever column happens to trigger one. Freezing them (they
    # live as long as the process) keeps collections as cheap as in a process without torch.
    gc.collect()
    gc.freeze()

    started = time.perf_counter()
    rows: dict[str, dict] = {}
    memory: dict | None = None
    for name in args.selected:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        if name == "memory":
            rows["memory_peak"], memory = memory_workload(ours, budget)
        else:
            rows[name] = time_workload(make_problem(name, budget), frameworks, budget)

    ordered = list(rows.values())
    print(report.table(ordered))
    depth = depth_summary(rows)
    if depth is not None:
        parts = [
            f"{col} x{depth[col]['deepest/shallowest']:.2f}"
            for col in report.COLUMNS
            if col in depth
        ]
        print(
            f"\ndepth scaling, time per node at {depth['nodes'][-1]} over {depth['nodes'][0]} "
            f"nodes (flat: <= {FLAT}): " + ", ".join(parts)
        )
    if memory is not None:
        early, late = memory["after_steps"]
        for col, (a, b) in memory["live_bytes"].items():
            print(
                f"{'memory' if col == 'numpy' else '      '} {col}: live after step {early} "
                f"{a / 2**20:.3f} MiB, after step {late} {b / 2**20:.3f} MiB "
                f"(growth {(b - a) / 2**10:+.1f} KiB)"
            )
    errors = {(r["name"], col): msg for r in ordered for col, msg in r.get("errors", {}).items()}
    for (name, col), msg in errors.items():
        print(f"error in {name} / {col}: {msg}", file=sys.stderr)
    disagree = [r["name"] for r in ordered if r.get("losses_agree") is False]
    if disagree:
        print(f"warning: first-step losses differ between columns in {disagree}", file=sys.stderr)

    torch_version = None
    if theirs is not None:
        import torch

        torch_version = torch.__version__
    import tinygrad_edu

    result: dict[str, Any] = {
        "meta": {
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "torch": torch_version,
            "tinygrad_edu": tinygrad_edu.__version__,
            "machine": platform.platform(),
            "cpu_count": os.cpu_count(),
            "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
            "quick": args.quick,
            "rounds": budget.rounds,
            "round_seconds": budget.round_seconds,
            "seconds": round(time.perf_counter() - started, 1),
        },
        "targets": TARGETS,
        "results": rows,
        "depth": depth,
        "memory": memory,
    }
    report.write_json(result, args.out_dir / "latest.json")
    print(
        f"\nwrote {args.out_dir / 'latest.json'}; {report.write_png(ordered, args.out_dir / 'latest.png')}"
    )
    met = [r["met"] for r in ordered if r.get("met") is not None]
    print(f"targets met: {sum(met)}/{len(met)} ({result['meta']['seconds']} s)")
    return 1 if errors or disagree else 0


if __name__ == "__main__":
    sys.exit(main())
