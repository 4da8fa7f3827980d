"""Where the calibration stalls before its last stage, and what the exact label search does
there, measured on the SYNTHETIC canonical seed: writes ``benchmarks/polish.md``.

Runs chain 0 of the canonical seed up to the end of the hunt
(:func:`lungmets.synthetic.calibrate.before_polish`), then

1. tries every single time move the annealing makes
   (:func:`lungmets.synthetic.moves.time_neighbours`) and counts those the hunt's rules would
   keep because they reproduce more printed claims: is a local search over event times worth
   adding?
2. for each factor of the exact label search: how far one label swap moves its two Table 1
   p-values against the printed rounding windows, how many labelings its margin allows, which
   search is used, and whether each window is hit before and after;
3. times the label search and counts the hits it adds;
4. after the label search, moves each S-group time by *every* step up to
   :data:`S_SWEEP_TICKS` (the random moves draw only the steps of ``TIME_STEPS``) and flips each
   S-group event, and counts the moves that reproduce more printed claims, with the targets they
   gain: is an exhaustive search over the S group worth adding?

Usage: ``python scripts/study_polish.py [--out benchmarks/polish.md]`` (``make bench-polish``;
about six minutes, most of it the S-group pairs).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

from lungmets.claims import claim
from lungmets.synthetic import polish
from lungmets.synthetic.calibrate import before_polish
from lungmets.synthetic.loss import (
    CompiledTargets,
    HitScore,
    compile_targets,
    hit_score,
    loss_parts,
    printings,
)
from lungmets.synthetic.moves import TIME_STEPS, limits, s_group_neighbours, time_neighbours
from lungmets.synthetic.reconstruct import CANONICAL_ITERATIONS, CANONICAL_SEED
from lungmets.synthetic.state import Calibration, evaluate, factor_column
from lungmets.synthetic.targets import SCHEDULE

_ENDPOINTS = ("pfs", "os")
S_SWEEP_TICKS = 30
"""Largest step of the S-group sweep: 3 months either way."""


def _time_sweep(state: Calibration) -> tuple[list[str], int]:
    """Rows of the time-move table (how many moves, how many the hunt would keep) and the
    number of moves that would reproduce more claims."""
    comp, weights = compile_targets(True), printings()
    now = hit_score(comp, weights, evaluate(state))
    cap = SCHEDULE.hunt_loss_cap * now.loss
    started = time.perf_counter()
    tried = more = level = 0
    for x in time_neighbours(state, limits()):
        s = hit_score(comp, weights, evaluate(x))
        tried += 1
        if s.allowed_after(now, cap):
            more += s.hits > now.hits
            level += s.hits == now.hits
    return [f"| feasible single time moves (steps of {', '.join(map(str, TIME_STEPS))} ticks, "
            f"both ways) | {tried} |",
            f"| of them reproducing more printed claims under the hunt's rules | {more} |",
            f"| of them reproducing as many (a plateau the hunt may walk) | {level} |",
            f"| time to evaluate them all | {time.perf_counter() - started:.1f} s |"], more


def _s_sweep(state: Calibration) -> list[str]:
    """Rows of the S-group table: every step and every event flip of each S-group patient."""
    comp, weights = compile_targets(True), printings()
    now = hit_score(comp, weights, evaluate(state))
    cap = SCHEDULE.hunt_loss_cap * now.loss
    before = loss_parts(comp, now.stats)[1]
    started = time.perf_counter()
    tried, kept, off_grid, gains, best = 0, 0, 0, {}, now.hits
    for step, x in s_group_neighbours(state, limits(), S_SWEEP_TICKS):
        tried += 1
        s = hit_score(comp, weights, evaluate(x))
        if not (s.allowed_after(now, cap) and s.hits > now.hits):
            continue
        kept, best = kept + 1, max(best, s.hits)
        off_grid += step != 0 and abs(step) not in TIME_STEPS
        after = loss_parts(comp, s.stats)[1]
        for k in (k for k, a, b in zip(comp.stats, before, after, strict=True) if b and not a):
            gains[k] = gains.get(k, 0) + 1
    won = ", ".join(f"{k} ({n})" for k, n in sorted(gains.items())) or "none"
    rows = [f"| feasible moves (each of the {state.s_os.size} times by every step of 1 to "
            f"{S_SWEEP_TICKS} ticks, both ways; each event flipped) | {tried} |",
            f"| of them reproducing more printed claims under the hunt's rules | {kept} |",
            f"| of those, time steps the random moves never draw | {off_grid} |",
            f"| targets they newly reproduce (number of moves) | {won} |",
            f"| time to evaluate them all | {time.perf_counter() - started:.1f} s |"]
    pair_rows, best_pair = _s_pairs(state, now, cap, comp, weights)
    rows.append(f"| printed claims reproduced (weighted by printings): finished chain → best "
                f"single move | {now.hits:g} → {best:g} |")
    return rows + pair_rows, (kept, best_pair > best)


def _s_pairs(state: Calibration, now: HitScore, cap: float, comp: CompiledTargets,
             weights: np.ndarray) -> tuple[list[str], float]:
    """Rows for pairs of S-group moves on two different patients: the most claims any pair
    reproduces (a gain only two coordinated moves reach would show here)."""
    lim = limits()
    started = time.perf_counter()
    tried, best = 0, now.hits
    for _, x in s_group_neighbours(state, lim, S_SWEEP_TICKS):
        first = _moved_patient(state, x)
        for _, y in s_group_neighbours(x, lim, S_SWEEP_TICKS):
            if _moved_patient(x, y) <= first:
                continue
            tried += 1
            s = hit_score(comp, weights, evaluate(y))
            if s.allowed_after(now, cap):
                best = max(best, s.hits)
    return [f"| pairs of such moves on two different patients | {tried:,} |",
            f"| printed claims reproduced (weighted by printings): finished chain → best pair | "
            f"{now.hits:g} → {best:g} |",
            f"| time to evaluate the pairs | {time.perf_counter() - started:.0f} s |"], best


def _moved_patient(before: Calibration, after: Calibration) -> int:
    """The S-group patient one move changed."""
    return int(np.flatnonzero((before.s_os != after.s_os) | (before.s_ev != after.s_ev))[0])


def _factor_rows(state: Calibration, polished: Calibration) -> list[str]:
    """One row per factor of the exact label search."""
    before, after = evaluate(state), evaluate(polished)
    terms = {ep: polish.LogrankTerms.build(t, e)
             for ep, t, e in (("pfs", state.pfs, state.pfs_ev), ("os", state.os, state.os_ev))}
    rows = []
    for f in polish.EXACT_FACTORS:
        z = state.codes[:, factor_column(f)]
        k = int(np.count_nonzero(z))
        labelings = math.comb(z.size, min(k, z.size - k))
        cells = [f"{f} ({k} of {z.size})", f"{labelings:,}",
                 "enumeration" if labelings <= polish.ENUMERATION_LIMIT else "descent"]
        for ep in _ENDPOINTS:
            cl = claim(f"t1_{ep}_uni_p_{f}")
            p_now = before[f"{ep}_p_{f}"]
            p_swap = polish.swap_p(terms[ep], z, 1)[0]
            shift = float(np.median(np.abs(p_swap - p_now)))
            hit = (cl.lower <= p_now < cl.upper, cl.lower <= after[f"{ep}_p_{f}"] < cl.upper)
            cells += [f"{cl.value} ({cl.upper - cl.lower:.3g})", f"{shift:.3f}",
                      f"{'hit' if hit[0] else 'miss'} → {'hit' if hit[1] else 'miss'}"]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks") / "polish.md")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    state, rng = before_polish(CANONICAL_SEED, 0, CANONICAL_ITERATIONS)
    to_hunt = time.perf_counter() - started
    sweep, more = _time_sweep(state)
    started = time.perf_counter()
    polished = polish.polish_labels(state, rng)
    polish_seconds = time.perf_counter() - started
    s_rows, (s_more, pairs_add) = _s_sweep(polished)
    comp, weights = compile_targets(True), printings()
    hits = [hit_score(comp, weights, evaluate(x)).hits for x in (state, polished)]
    lines = [
        "# Where the calibration stalls, and the exact label search (SYNTHETIC cohort)",
        "",
        "Written by `scripts/study_polish.py` (`make bench-polish`); measured, not typed. Chain 0 "
        f"of the canonical seed {CANONICAL_SEED} ({CANONICAL_ITERATIONS} iterations) was run to "
        f"the end of its hunt ({to_hunt:.0f} s).",
        "",
        "## Event times: what a local search would find",
        "",
        "| quantity | value |",
        "| --- | --- |",
        *sweep,
        "",
        ("The hunt already leaves a state where no single time move of these step sizes "
         "reproduces more claims (the S-group sweep below tries every step); the remaining "
         "time-driven misses need several coordinated moves (the trade-off probes, "
         "`data/synthetic/tradeoffs.csv`, show what each would cost)." if more == 0 else
         f"{more} single time moves would still reproduce more claims: the hunt stopped short "
         "of a local optimum, and a local search over event times would add to it."),
        "",
        "## Labels: one swap jumps over the printed window",
        "",
        "Each Table 1 p-value is printed to three decimals, a window of 0.001 (0.01 for p "
        "printed to two). One label swap moves a p-value by the median shown, many times the "
        "window, so random swaps (the annealing, the hunt) rarely land in both windows of a "
        "factor at once; the exact search enumerates every labeling or descends over every one- "
        "and two-pair swap (`lungmets.synthetic.polish`).",
        "",
        "| factor (level 1 of n) | labelings | search | PFS p printed (window) | median "
        "shift by one swap | PFS window | OS p printed (window) | median shift by one swap | "
        "OS window |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        *_factor_rows(state, polished),
        "",
        "| quantity | value |",
        "| --- | --- |",
        f"| printed claims reproduced (weighted by printings), before → after the search | "
        f"{hits[0]:g} → {hits[1]:g} |",
        f"| time of the exact label search | {polish_seconds:.1f} s |",
        "",
        "## The S group after the label search: every step, not only the move set's",
        "",
        f"The {polished.s_os.size} synthetic sorafenib-only patients move only the validation "
        "numbers (the S group's median, SE and follow-up, and two of the three pairwise "
        "log-rank p-values). "
        f"The random moves draw steps of {', '.join(map(str, TIME_STEPS))} ticks; this sweep "
        "tries every step.",
        "",
        "| quantity | value |",
        "| --- | --- |",
        *s_rows,
        "",
        ("No S-group move reproduces more claims: an exhaustive search over the S group would "
         "add nothing to this chain." if s_more == 0 else
         f"{s_more} S-group moves reproduce more claims than the finished chain: an exhaustive "
         "search over the S group, with every step, would add to the calibration (not adopted "
         "yet: it changes the canonical cohort, and the ensemble would have to follow)."),
        "",
        ("Two coordinated S-group moves reach more than the best single one, so the search "
         "should cover pairs." if pairs_add else
         "No pair of S-group moves reproduces more than the best single move, so the S group's "
         "other misses need more than two coordinated moves, or cannot be had without giving "
         "up claims it reproduces now (the trade-off probes)."),
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} logical CPUs, 1-min load average "
        f"{os.getloadavg()[0]:.1f} at the end.",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
