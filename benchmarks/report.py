"""The report: a table on stdout, ``latest.json``, and ``latest.png`` (a bar chart of ratios)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

COLUMNS = ("numpy", "torch", "tinygrad_edu")


def _num(value: float | None, width: int) -> str:
    if value is None:
        return "n/a".rjust(width)
    if value >= 100:
        return f"{value:{width}.1f}"
    return f"{value:{width}.3f}" if value >= 0.1 else f"{value:{width}.4f}"


def table(rows: list[dict[str, Any]]) -> str:
    """The rows as a plain-text table: times, ratios to the NumPy floor, targets."""
    head = (
        f"{'workload':<30}{'numpy':>10}{'torch':>10}{'tinygrad_edu':>14}"
        f"{'torch/numpy':>13}{'ours/numpy':>12}{'target':>10}"
    )
    lines = [head, "-" * len(head)]
    for row in rows:
        target = row.get("target")
        mark = ""
        if target is not None and row.get("ours/numpy") is not None:
            mark = "  ok" if row["met"] else "  MISS"
        lines.append(
            f"{row['label']:<30}{_num(row['numpy'], 10)}{_num(row['torch'], 10)}"
            f"{_num(row['tinygrad_edu'], 14)}{_num(row['torch/numpy'], 13)}"
            f"{_num(row['ours/numpy'], 12)}"
            f"{'<= ' + format(target, '.2f') if target is not None else '':>10}{mark}"
        )
    return "\n".join(lines)


def write_json(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")


def write_png(rows: list[dict[str, Any]], path: Path) -> str:
    """Bar chart of torch/numpy and ours/numpy with each target drawn; a message says what happened."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter
    except ImportError:
        return f"matplotlib is not installed: skipped {path.name} (pip install matplotlib)"
    rows = [r for r in rows if r.get("target") is not None]
    if not rows:
        return f"no rows with a target: skipped {path.name}"
    fig, ax = plt.subplots(figsize=(max(8, 1.2 * len(rows)), 4.5))
    width = 0.38
    for i, row in enumerate(rows):
        for offset, key, color, label in (
            (-width / 2, "torch/numpy", "tab:orange", "torch / numpy"),
            (width / 2, "ours/numpy", "tab:blue", "tinygrad_edu / numpy"),
        ):
            if row.get(key) is not None:
                ax.bar(i + offset, row[key], width, color=color, label=label if i == 0 else None)
                ax.annotate(
                    f"{row[key]:.2f}", (i + offset, row[key]), ha="center", va="bottom", fontsize=7
                )
        ax.hlines(
            row["target"],
            i - 0.5,
            i + 0.5,
            colors="tab:red",
            linestyles="--",
            label="target" if i == 0 else "_nolegend_",
        )
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_yscale("log")
    plain = FuncFormatter(lambda v, _: f"{v:g}")  # 2 and 0.5, not 2x10^0
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(plain)
    ax.set_xticks(range(len(rows)), [r["name"] for r in rows], rotation=30, ha="right")
    ax.set_ylabel("time (memory) / NumPy floor, lower is better")
    tops = [v for r in rows for v in (r.get("torch/numpy"), r.get("ours/numpy"), r["target"]) if v]
    ax.set_ylim(top=max(tops) * 1.4)  # room for the labels and the legend
    ax.set_title("against hand-written NumPy (1 thread, float32)", fontsize=10)
    ax.legend(loc="upper left", fontsize=8, ncols=3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return f"wrote {path}"
