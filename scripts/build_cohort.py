"""Regenerate the SYNTHETIC cohort in data/synthetic/ from the canonical seed.

Usage: .venv/bin/python scripts/build_cohort.py [--seed N] [--iterations N] [--out DIR]
                                               [--benchmark benchmarks/calibration.md]

The output is byte-identical on every run with the same seed and budget (the calibration is
seeded and single-threaded; floats are written with fixed decimals). The book never runs this:
chapters read the committed CSVs.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from lungmets.paths import SYNTHETIC_DIR
from lungmets.synthetic.reconstruct import (
    CANONICAL_CHAINS,
    CANONICAL_ITERATIONS,
    CANONICAL_SEED,
    calibrate,
    write_cohort,
)


def _cpu() -> float:
    """CPU seconds of this process plus its finished worker processes."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=CANONICAL_SEED)
    parser.add_argument("--iterations", type=int, default=CANONICAL_ITERATIONS)
    parser.add_argument("--chains", type=int, default=CANONICAL_CHAINS)
    parser.add_argument("--workers", type=int, default=2,
                        help="parallel processes for the chains (does not change the output)")
    parser.add_argument("--out", type=Path, default=SYNTHETIC_DIR)
    parser.add_argument("--benchmark", type=Path, default=None,
                        help="also write the measured times to this markdown file")
    args = parser.parse_args()
    start, cpu0 = time.perf_counter(), _cpu()
    cohort = calibrate(args.seed, args.iterations, args.chains, args.workers)
    paths = write_cohort(cohort, args.out)
    elapsed, cpu = time.perf_counter() - start, _cpu() - cpu0
    loss = cohort.calibration.loss if cohort.calibration is not None else float("nan")
    print(f"synthetic cohort (seed {args.seed}, {args.chains} x {args.iterations} iterations, "
          f"loss {loss:.2f}) "
          f"written in {elapsed:.1f} s:")
    for path in paths:
        print(f"  {path}")
    if args.benchmark is not None:
        from lungmets.synthetic.scorecard import headline, scorecard

        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        args.benchmark.write_text(
            "# Calibration benchmark (synthetic cohort)\n\n"
            "Written by `scripts/build_cohort.py --benchmark`; the numbers below were measured, "
            "not typed.\n\n"
            f"Command: `.venv/bin/python scripts/build_cohort.py --seed {args.seed} "
            f"--iterations {args.iterations} --chains {args.chains} --workers {args.workers} "
            f"--benchmark {args.benchmark}`\n\n"
            "| quantity | value |\n| --- | --- |\n"
            f"| wall time (calibration + writing the CSVs) | {elapsed:.1f} s |\n"
            f"| CPU time (this process and its workers) | {cpu:.1f} s |\n"
            f"| chains / worker processes | {args.chains} / {args.workers} |\n"
            f"| machine | {platform.machine()}, {os.cpu_count()} logical CPUs, "
            f"1-min load average at the end {load:.1f} |\n"
            f"| seed / annealing iterations | {args.seed} / {args.iterations} |\n"
            f"| final loss | {loss:.2f} |\n"
            f"| scorecard | {headline(scorecard(cohort))} |\n\n"
            "The wall time depends on what else the machine runs (other builds share the "
            "cores); the CPU time is the fairer measure. The book never recalibrates: chapters "
            "read the committed CSVs.\n",
            encoding="utf-8",
        )
        print(f"  {args.benchmark}")


if __name__ == "__main__":
    main()
