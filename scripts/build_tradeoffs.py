"""Probe every scorecard miss no contradiction explains: data/synthetic/tradeoffs.csv (SYNTHETIC).

Usage: .venv/bin/python scripts/build_tradeoffs.py [--workers N] [--benchmark FILE]

Recomputes the canonical calibration (deterministic), then runs one targeted calibration per
missed target (``lungmets.synthetic.tradeoffs``) and writes what each would cost. Run it after
``make data``; the book only reads the file.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from lungmets.synthetic.scorecard import probed_misses, scorecard
from lungmets.synthetic.tradeoffs import (
    BOOST,
    OUTCOMES,
    PROBE_ITERATIONS,
    TRADEOFFS_CSV,
    run_probes,
    write_tradeoffs,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=TRADEOFFS_CSV)
    parser.add_argument("--benchmark", type=Path, default=None)
    args = parser.parse_args()
    start = time.perf_counter()
    probes = run_probes(probed_misses(scorecard()), workers=args.workers)
    write_tradeoffs(probes, args.out)
    elapsed = time.perf_counter() - start
    counts = {o: sum(p.outcome == o for p in probes) for o in OUTCOMES}
    print(f"{len(probes)} probes in {elapsed:.0f} s: {counts} -> {args.out}")
    if args.benchmark is not None:
        args.benchmark.write_text(
            "# Trade-off probes: time\n\nWritten by `scripts/build_tradeoffs.py --benchmark`; "
            "measured, not typed.\n\n| quantity | value |\n| --- | --- |\n"
            f"| wall time (canonical calibration + probes) | {elapsed:.0f} s |\n"
            f"| probes (claims) | {len(probes)} |\n| boost / moves per probe | {BOOST:g} / "
            f"{PROBE_ITERATIONS} |\n| workers | {args.workers} |\n| outcomes | "
            + ", ".join(f"{k}: {v}" for k, v in counts.items())
            + f" |\n| 1-min load average at the end | {os.getloadavg()[0]:.1f} |\n",
            encoding="utf-8")


if __name__ == "__main__":
    main()
