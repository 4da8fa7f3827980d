"""How fast the statistics the book and the calibration lean on are, on paper-sized data.

Why: ``lungmets.stats.survival_stats`` promises a Kaplan-Meier median with its SPSS SE and a
log-rank test on 45 rows in tens of microseconds (against milliseconds through lifelines), and
the calibration evaluates every target statistic of a SYNTHETIC cohort state hundreds of times a
second. Timings are measured here, not asserted in tests: a timed test fails on a busy machine
and proves nothing on an idle one.

Writes a markdown table (``make bench-stats`` writes benchmarks/stats.md).
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from lungmets.stats import survival_stats as ss
from lungmets.stats.stepwise import forward_stepwise_cox
from lungmets.synthetic.moves import initial_state, limits, propose
from lungmets.synthetic.reconstruct import CANONICAL_SEED
from lungmets.synthetic.state import evaluate

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 7  # the median of these is reported


def _per_call(fn: Callable[[], object], reps: int) -> float:
    """Median over rounds of the mean time of one call, in seconds (one warm-up call first)."""
    fn()
    rounds = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(reps):
            fn()
        rounds.append((time.perf_counter() - start) / reps)
    return statistics.median(rounds)


def _paper_sized(seed: int) -> pd.DataFrame:
    """45 patients, 12 binary candidates and a 3-level one, two of them prognostic."""
    rng = np.random.default_rng(seed)
    n = 45
    df = pd.DataFrame({f"v{i}": rng.integers(0, 2, n).astype(float) for i in range(12)})
    df["therapy"] = rng.choice(["resection", "TACE", "transplantation"], n)
    hazard = np.exp(1.2 * df["v0"] + 0.9 * df["v1"])
    event_t = rng.exponential(10 / hazard)
    censor_t = rng.uniform(5, 40, n)
    df["time"] = np.round(np.minimum(event_t, censor_t), 1)
    df["event"] = (event_t <= censor_t).astype(int)
    return df


def measure() -> list[tuple[str, float]]:
    """(what, seconds per call) for each measured path."""
    df = _paper_sized(45)
    t, e = df["time"].to_numpy(), df["event"].to_numpy()
    g = df["v0"].to_numpy().astype(int)
    candidates = [c for c in df.columns if c not in ("time", "event")]
    state = initial_state(CANONICAL_SEED)
    rng, lim = np.random.default_rng([CANONICAL_SEED, 9]), limits()
    moved = [m for m in (propose(state, rng, lim) for _ in range(400)) if m is not None]
    cycle = itertools.cycle(moved)
    return [
        ("KM median with SPSS SE, 45 rows (numpy)",
         _per_call(lambda: ss.km_median_spss(t, e), 300)),
        ("KM median, 45 rows (lifelines)", _per_call(lambda: ss.km_median_lifelines(t, e), 30)),
        ("log-rank test, 2 groups of 45 rows (numpy)",
         _per_call(lambda: ss.logrank_fast(t, groups=g, events=e), 300)),
        ("log-rank test, 2 groups of 45 rows (lifelines)",
         _per_call(lambda: ss.logrank(t, groups=g, events=e), 30)),
        ("forward-stepwise Cox, 13 candidates on 45 rows",
         _per_call(lambda: forward_stepwise_cox(df, "time", "event", candidates), 10)),
        ("every calibration target of a cohort state, after one random move",
         _per_call(lambda: evaluate(next(cycle)), 100)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "stats.md")
    args = parser.parse_args()
    rows = measure()
    lines = [
        "# Statistics benchmark (paper-sized data; the cohort state is SYNTHETIC)", "",
        "Written by `scripts/benchmark_stats.py` (`make bench-stats`); the numbers are measured, "
        f"not typed: the median over {ROUNDS} rounds of the mean time of one call.", "",
        "| what | time per call |", "| --- | --- |",
        *(f"| {what} | {seconds * 1e6:,.0f} µs |" for what, seconds in rows), "",
        f"Machine: {platform.machine()}, {os.cpu_count()} logical CPUs, 1-min load average "
        f"{os.getloadavg()[0]:.1f} at the end (other jobs on the cores make every time longer).",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
