"""Time ensemble members calibrated the way the canonical SYNTHETIC cohort is: one at a time,
its two chains in parallel on two cores (``make bench-members``).

Why: ``make ensemble`` runs two members at once for throughput, each member's chains one after
the other on one core, so the time it records per member is twice what a member takes when it
has the machine, as the canonical calibration does in ``benchmarks/calibration.md``. This script
recalibrates the listed seeds in that configuration, times each (wall and CPU), and checks that
each comes out as the member committed in ``data/synthetic/ensemble/members.csv`` (so the
timing is of the calibration that made it, and the run doubles as a regeneration check).

Writes a markdown table (default ``benchmarks/members.md``). The target of the fidelity issue:
every member within 3 minutes.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import pandas as pd  # noqa: E402

from lungmets.synthetic import reconstruct  # noqa: E402
from lungmets.synthetic.ensemble import MEMBERS_CSV, member_mismatches, read_members  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 180.0


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished worker processes."""
    own, kids = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                      resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def time_member(seed: int, workers: int, members: pd.DataFrame
                ) -> tuple[float, float, list[str]]:
    """(wall s, CPU s, columns that differ from the committed member) of one calibration."""
    wall, cpu = time.perf_counter(), _cpu_seconds()
    cohort = reconstruct.calibrate(seed, workers=workers)
    wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
    return wall, cpu, member_mismatches(members, seed, cohort)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", required=True, help="comma-separated seeds of members.csv")
    parser.add_argument("--workers", type=int, default=reconstruct.CANONICAL_CHAINS)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "members.md")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    members = read_members(MEMBERS_CSV)
    rows = []
    for seed in seeds:
        wall, cpu, differs = time_member(seed, args.workers, members)
        rows.append((seed, wall, cpu, differs))
        print(f"seed {seed}: {wall:.0f} s wall, {cpu:.0f} s CPU, "
              + ("as committed" if not differs else f"DIFFERS in {differs}"), flush=True)
    slowest = max(wall for _, wall, _, _ in rows)
    lines = [
        "# Ensemble members timed alone (SYNTHETIC cohorts)", "",
        "Written by `scripts/time_members.py` (`make bench-members`); the numbers are measured, "
        "not typed. Each member is calibrated alone with its "
        f"{reconstruct.CANONICAL_CHAINS} chains on {args.workers} worker processes, as the "
        "canonical cohort is, and compared with its row of `data/synthetic/ensemble/members.csv`.",
        "",
        "| seed | wall time | CPU time | same as the committed member |",
        "| --- | --- | --- | --- |",
        *(f"| {seed} | {wall:.0f} s | {cpu:.0f} s | "
          + ("yes" if not differs else f"no: {', '.join(differs)}") + " |"
          for seed, wall, cpu, differs in rows),
        "",
        f"Slowest: {slowest:.0f} s, "
        + ("within" if slowest <= TARGET_SECONDS else "over")
        + f" the {TARGET_SECONDS / 60:.0f}-minute target, for these {len(rows)} of "
        f"{len(members)} members (a sample: timing all of them takes as long "
        "as `make ensemble`).",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} logical CPUs, 1-min load average "
        f"{os.getloadavg()[0]:.1f} at the end (other jobs on the cores make every time longer).",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    return 0 if all(not differs for *_, differs in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
