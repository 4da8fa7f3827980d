"""Calibrate one SYNTHETIC cohort per seed and cache each member's summary (``make ensemble``).

Why a script and two caches: one calibration takes minutes, so the book never recalibrates; the
ensemble chapter reads ``data/synthetic/ensemble/members.csv`` (committed, one row per seed).
Each member's four CSVs are also kept outside the repository (``--cohorts``, default
``lungmets.synthetic.ensemble.COHORT_CACHE``), so a rerun recalibrates only the seeds it has not
seen, and ``members.csv`` (with ``manifest.json``: which seeds, which calibration budget, which
source) is rewritten after every finished member: an interrupted run keeps its work. When the
calibration's sources change, cached members are kept only if the committed canonical cohort is
still exactly the cached canonical member (a change to loading or documentation); the manifest
then records the new fingerprint.

When only the scorecard changed (claims added, no cohort changed), ``--rescore`` recomputes
every member's hits from its cached CSVs instead of recalibrating; a member whose cached copy is
missing or differs from its row stops the run.

Usage: ``python scripts/build_ensemble.py --seeds 2016,0-99 --workers 2``
(``python scripts/build_ensemble.py --rescore`` after a scorecard change)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from functools import partial
from pathlib import Path

# One BLAS thread per worker: the calibration is small-matrix numpy, and two workers on two
# cores with several threads each would only fight over the same cores.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import pandas as pd  # noqa: E402

from lungmets.synthetic import reconstruct  # noqa: E402
from lungmets.synthetic.ensemble import (  # noqa: E402
    CALIBRATION_SOURCES,
    COHORT_CACHE,
    MEMBERS_CSV,
    PLANNED_SEEDS,
    cached_calibrate,
    cached_candidates,
    calibration_fingerprint,
    member_mismatches,
    read_members,
    rescore_members,
    run_ensemble,
    score_member,
    seeds_from,
    write_members,
)


def _manifest(members: pd.DataFrame, fingerprint: str) -> dict:
    return {
        "synthetic": "ensemble of SYNTHETIC reconstructed cohorts; no real patient",
        "members": len(members),
        "seeds": [int(s) for s in members["seed"]],
        "canonical_seed": reconstruct.CANONICAL_SEED,
        "iterations": reconstruct.CANONICAL_ITERATIONS,
        "chains": reconstruct.CANONICAL_CHAINS,
        "calibration_sources": list(CALIBRATION_SOURCES),
        "calibration_fingerprint": fingerprint,
    }


def _benchmark(path: Path, members: pd.DataFrame, finished: list[float], workers: int,
               planned: int, member_seconds: list[float]) -> None:
    """Timings of this run, measured here (members calibrated in it, not those cached before);
    ``member_seconds`` are the members' own calibration times (``seconds.txt`` in the cache)."""
    wall = finished[-1]
    own = sorted(member_seconds)
    lines = [
        "# Ensemble benchmark (SYNTHETIC cohorts)",
        "",
        "Written by `scripts/build_ensemble.py --benchmark` after every finished member; the "
        "numbers are measured, not typed.",
        "",
        "| quantity | value |",
        "| --- | --- |",
        f"| members in `members.csv` | {len(members)} |",
        f"| members calibrated in this run | {len(finished)} of {planned} planned |",
        f"| worker processes | {workers} |",
        f"| wall time of this run so far | {wall:.0f} s |",
        f"| wall time per member (throughput, all workers) | {wall / len(finished):.0f} s |",
        "| one member's calibration, its chains one after the other (median; slowest) | "
        + (f"{statistics.median(own):.0f} s; {own[-1]:.0f} s |" if own else "not recorded |"),
        f"| calibration budget per member | {reconstruct.CANONICAL_ITERATIONS} iterations x "
        f"{reconstruct.CANONICAL_CHAINS} chains |",
        f"| machine | {platform.machine()}, {os.cpu_count()} logical CPUs, 1-min load average "
        f"{os.getloadavg()[0]:.1f} |",
        "",
        "Other jobs shared the cores, so wall times are upper bounds. The book never "
        "recalibrates: the ensemble chapter reads `data/synthetic/ensemble/members.csv`.",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def _rescore(out: Path, cohorts: Path) -> int:
    """Re-score every member from its cached CSVs; the canonical member must still be the
    committed cohort, so the manifest can name today's calibration sources."""
    started = time.perf_counter()
    members = rescore_members(read_members(out),
                              partial(cached_candidates, root=cohorts))
    seed = reconstruct.CANONICAL_SEED
    mismatches = member_mismatches(members, seed, reconstruct.load_cohort())
    if mismatches:
        raise SystemExit(f"the committed cohort is not the cached canonical member: {mismatches}")
    write_members(members, out)
    manifest = out.parent / "manifest.json"
    manifest.write_text(json.dumps(_manifest(members, calibration_fingerprint()), indent=2) + "\n",
                        encoding="utf-8")
    print(f"re-scored {len(members)} members in {time.perf_counter() - started:.0f} s; "
          f"claims per member now {int(members['claims'].max())}", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default=f"{reconstruct.CANONICAL_SEED},{PLANNED_SEEDS}",
                        help="e.g. 2016,0-99 or 1,5,9 (default: the canonical seed and "
                        "lungmets.synthetic.ensemble.PLANNED_SEEDS)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=MEMBERS_CSV)
    parser.add_argument("--cohorts", type=Path, default=COHORT_CACHE,
                        help="where members' CSVs are cached between runs")
    parser.add_argument("--benchmark", type=Path, default=None,
                        help="write this run's timings here (markdown), after every member")
    parser.add_argument("--rescore", action="store_true",
                        help="re-score the cached members with today's scorecard, then stop")
    args = parser.parse_args(argv)
    if args.rescore:
        return _rescore(args.out, args.cohorts)

    seeds = list(dict.fromkeys(seeds_from(args.seeds)))
    fingerprint = calibration_fingerprint()  # once: workers run the code imported now
    manifest_file = args.out.parent / "manifest.json"
    cached = None
    if args.out.exists() and manifest_file.exists():
        old = json.loads(manifest_file.read_text(encoding="utf-8"))
        cached = read_members(args.out)
        if old.get("calibration_fingerprint") != fingerprint:
            # The sources changed (perhaps only in loading or documentation). Keep the members
            # if the committed canonical cohort is still exactly the cached canonical member;
            # otherwise the calibration's output changed and every member must be redone.
            seed = reconstruct.CANONICAL_SEED
            same = (cached["seed"] == seed).any() and not member_mismatches(
                cached, seed, reconstruct.load_cohort())
            print("the calibration's sources changed since the cached members were made; "
                  + ("the canonical member is unchanged, so they are kept" if same
                     else "the canonical member changed: starting afresh"), flush=True)
            cached = cached if same else None
    rows = [] if cached is None else [cached]  # a run adds members, never drops them
    done = set() if cached is None else set(cached["seed"].astype(int))
    todo = [s for s in seeds if s not in done]
    root = args.cohorts / fingerprint[:16]
    # seeds whose cohorts a previous run cached are only read back: they are not timed
    reread = {s for s in todo if (root / f"seed-{s}" / "loss.txt").exists()}
    print(f"{len(seeds) - len(todo)} of {len(seeds)} members already in {args.out}; "
          f"{len(todo)} to run (calibration {fingerprint[:16]}; {len(reread)} of them cached)",
          flush=True)
    started = time.perf_counter()

    finished: list[float] = []
    member_seconds: list[float] = []

    def keep(row: dict) -> None:
        if row["seed"] in reread:
            nonlocal started
            started = time.perf_counter()  # time the calibrations from the last cached read
        else:
            finished.append(time.perf_counter() - started)
            seconds = root / f"seed-{row['seed']}" / "seconds.txt"
            if seconds.exists():
                member_seconds.append(float(seconds.read_text(encoding="utf-8")))
        rows.append(pd.DataFrame([row]))
        members = pd.concat(rows, ignore_index=True)
        if args.benchmark is not None and finished:
            _benchmark(args.benchmark, members, finished, args.workers, len(todo) - len(reread),
                       member_seconds)
        write_members(members, args.out)
        manifest_file.write_text(json.dumps(_manifest(members, fingerprint), indent=2) + "\n",
                                 encoding="utf-8")
        print(f"seed {row['seed']}: {row['hits']}/{row['claims']} hits, loss {row['loss']:.2f} "
              f"({time.perf_counter() - started:.0f} s elapsed)", flush=True)

    calibrate = partial(cached_calibrate, calibrate=reconstruct.calibrate, root=root)
    run_ensemble(todo, calibrate, score_member, workers=args.workers, on_member=keep)
    if calibration_fingerprint() != fingerprint:
        print("WARNING: the calibration's sources changed during the run; these members were "
              f"made with the version {fingerprint[:16]} (see manifest.json)", flush=True)
    print(f"done: {len(read_members(args.out))} members in {args.out}, "
          f"{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
