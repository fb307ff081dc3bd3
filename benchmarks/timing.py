"""How the numbers are taken: interleaved timing rounds, and traced memory.

Timing: every implementation is warmed up and calibrated, then the rounds alternate between them
(A, B, C, A, B, C, ...), each round running many steps; the result is the median time per step
over the rounds. Interleaving means a slow spell of the shared machine hits every column alike,
and the median ignores the rounds it spoiled.

Memory: ``tracemalloc`` sees every allocation made through Python's allocators, NumPy's array
buffers included (PyTorch's are not, so it has no memory column).
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any


def seconds_per_step(step: Callable[[], Any], min_seconds: float) -> float:
    """Run ``step`` in doubling batches until one batch lasts ``min_seconds``; time per step."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            step()
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return elapsed / n
        n *= 2


def interleaved(
    steps: dict[str, Callable[[], Any]], rounds: int, round_seconds: float
) -> dict[str, dict[str, Any]]:
    """Median seconds per step of each callable, over ``rounds`` interleaved rounds."""
    counts = {}
    for name, step in steps.items():
        step()  # the first step allocates what later ones reuse (optimizer state, caches)
        per_step = seconds_per_step(step, round_seconds / 4)
        counts[name] = max(1, round(round_seconds / per_step))
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            n = counts[name]
            gc.collect()  # start each round clean; garbage made inside it is still paid for
            start = time.perf_counter()
            for _ in range(n):
                step()
            times[name].append((time.perf_counter() - start) / n)
    return {
        name: {
            "median": statistics.median(ts),
            "rounds": ts,
            "steps_per_round": counts[name],
        }
        for name, ts in times.items()
    }


def traced_memory(
    make: Callable[[], Any], warmup: int = 3, early: int = 10, late: int = 1000
) -> dict[str, int]:
    """Peak traced bytes during one training step, and live bytes after steps ``early``, ``late``.

    Everything the implementation allocates counts: weights, optimizer state, data, buffers and
    the step's temporaries. The loop keeps each step's loss until the next one replaces it, as a
    training loop that reports its loss does.
    """
    if tracemalloc.is_tracing():
        raise RuntimeError("traced_memory: tracemalloc is already tracing")
    gc.collect()
    tracemalloc.start()
    try:
        impl = make()
        loss = None
        for _ in range(warmup):
            loss = impl.step()
        tracemalloc.reset_peak()
        loss = impl.step()
        peak = tracemalloc.get_traced_memory()[1]
        done = warmup + 1
        live = {}
        for mark in (early, late):
            while done < mark:
                loss = impl.step()
                done += 1
            gc.collect()  # growth means memory still reachable, not garbage awaiting collection
            live[mark] = tracemalloc.get_traced_memory()[0]
        del loss, impl
    finally:
        tracemalloc.stop()
    return {"peak": peak, "live_early": live[early], "live_late": live[late]}
