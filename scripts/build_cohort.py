"""Regenerate the SYNTHETIC cohort in data/synthetic/ from the canonical seed.

Usage: .venv/bin/python scripts/build_cohort.py [--seed N] [--iterations N] [--out DIR]

The output is byte-identical on every run with the same seed and budget (the calibration is
seeded and single-threaded; floats are written with fixed decimals). The book never runs this:
chapters read the committed CSVs.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from lungmets.paths import SYNTHETIC_DIR
from lungmets.reconstruct import CANONICAL_ITERATIONS, CANONICAL_SEED, calibrate, write_cohort


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=CANONICAL_SEED)
    parser.add_argument("--iterations", type=int, default=CANONICAL_ITERATIONS)
    parser.add_argument("--out", type=Path, default=SYNTHETIC_DIR)
    args = parser.parse_args()
    start = time.perf_counter()
    cohort = calibrate(args.seed, args.iterations)
    paths = write_cohort(cohort, args.out)
    elapsed = time.perf_counter() - start
    loss = cohort.calibration.loss if cohort.calibration is not None else float("nan")
    print(f"synthetic cohort (seed {args.seed}, {args.iterations} iterations, loss {loss:.2f}) "
          f"written in {elapsed:.1f} s:")
    for path in paths:
        print(f"  {path}")


if __name__ == "__main__":
    main()
