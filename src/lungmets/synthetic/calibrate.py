"""Event and censoring times of the SYNTHETIC cohort, calibrated to the paper's survival numbers.

Why this module exists: the paper prints medians with SPSS standard errors, landmark rates,
26 univariate log-rank p-values, two forward-stepwise Cox models and a validation comparison,
but no patient data. A cohort that reproduces them has to be *searched for*. This module does
it by simulated annealing (seeded, so deterministic) over a small discrete state
(:class:`lungmets.synthetic.state.Calibration`, moved by :mod:`lungmets.synthetic.moves`):

* per patient: OS from detection of lung metastases, PFS from the start of radiotherapy, both on
  a 0.1-month grid (the paper prints medians like 7.50 and 26.40, and a Kaplan-Meier median is
  always an observed event time), their event flags, and the detection-to-RT interval (PDR,
  a fixed multiset permuted between patients);
* the factor codes of Table 3 (swapped between patients, which keeps every margin);
* the 18 synthetic sorafenib-only patients (S group) of the validation analysis.

The loss (:mod:`lungmets.synthetic.loss`) is a weighted sum over targets
(:data:`lungmets.synthetic.targets.TARGETS`), each read from the claims catalogue by id:
distance of the reproduced value from the printed rounding interval, in units natural to the
quantity (0.1 month for medians, 0.05 for SEs, log-scale for p-values and hazard ratios), plus
a bonus for landing inside the interval; p-values on the wrong side of 0.05 cost extra.
Forward-stepwise selection is steered by penalties on the score tests SPSS uses for entry. Two
last stages trade loss for hits: a hunt keeps random moves that reproduce more printed claims
at their printed precision, and an exact search of the secondary factors' labels
(:mod:`lungmets.synthetic.polish`) looks for their printed Table 1 p-values directly (see
:func:`calibrate_times`).
All statistics are computed on the tick grid by :mod:`lungmets.stats.fast_stats` (hundreds of
evaluations per second), with operations whose results do not depend on the CPU's SIMD
features, so the same seed gives the same cohort, byte for byte, on every x86-64 machine (that
module says why and how this was measured); blocks of statistics a move leaves unchanged are
reused, not recomputed (:func:`lungmets.synthetic.state.evaluate`).
:mod:`lungmets.synthetic.scorecard` recomputes every statistic from the written CSVs with the
project's reference implementations, and the tests check both agree.

Hard constraints (never violated, :mod:`lungmets.synthetic.moves`): 29 deaths; progression
before death; survivors followed from RT to the last follow-up date with RT inside the study
period, and their follow-up inside the printed range; PFS censored at death or last follow-up
when there is no progression (the paper's definition).
"""

from __future__ import annotations

import math

import numpy as np

from lungmets.claims import claim
from lungmets.synthetic.loss import compile_targets, hit_score, printings, total_loss
from lungmets.synthetic.moves import (
    MEDIAN_GROUPS,
    Limits,
    initial_state,
    limits,
    propose,
    propose_targeted,
)
from lungmets.synthetic.polish import polish_labels
from lungmets.synthetic.state import Calibration, evaluate
from lungmets.synthetic.targets import SCHEDULE, TARGETS, TICK

__all__ = ["anneal", "before_polish", "calibrate_times", "hunt"]

def anneal(cur: Calibration, rng: np.random.Generator, lim: Limits, full: bool,
           iterations: int, t0: float, t1: float,
           boost: tuple[str, float] | None = None) -> Calibration:
    """Simulated annealing from ``cur``, cooling geometrically from ``t0`` to ``t1``: the best
    state seen, with its loss. ``full=False`` anneals on the core targets only (the first
    phase); ``boost`` weights one target up (the trade-off probes)."""
    comp = compile_targets(full, boost)
    medians = [(tg.stat, claim(tg.claim_id).number) for tg in TARGETS
               if tg.stat in MEDIAN_GROUPS]
    stats = evaluate(cur, full)
    cur_loss = total_loss(comp, stats)
    best, best_loss = cur.copy(), cur_loss
    for it in range(iterations):
        temp = t0 * (t1 / t0) ** (it / max(iterations - 1, 1))
        prop = None
        if rng.random() < SCHEDULE.targeted_share:
            missed = [(k, v) for k, v in medians if not _on_tick(stats[k], v)]
            if missed:
                prop = propose_targeted(cur, rng, lim, missed)
        else:
            prop = propose(cur, rng, lim)
        if prop is None:
            continue
        new_stats = evaluate(prop, full)
        new_loss = total_loss(comp, new_stats)
        if new_loss <= cur_loss or rng.random() < math.exp((cur_loss - new_loss) / temp):
            cur, cur_loss, stats = prop, new_loss, new_stats
            if cur_loss < best_loss:
                best, best_loss = cur.copy(), cur_loss
    best.loss = best_loss
    return best


def _on_tick(x: float, target: float) -> bool:
    """A median on the tick grid hits when it equals the printed value."""
    return bool(np.isfinite(x)) and round(x / TICK) == round(target / TICK)


def hunt(c: Calibration, rng: np.random.Generator, lim: Limits, iterations: int,
         boost: tuple[str, float] | None = None) -> Calibration:
    """Final stage: random moves accepted when they do not lower the number of printed claims
    reproduced (each target weighted by how often the paper prints it); among equals the lower
    loss wins. Never lets a p-value cross 0.05, the stepwise penalty grow or the loss rise by
    more than ``SCHEDULE.hunt_loss_cap``: hits are not bought by pushing other reproduced
    numbers far from the paper (e.g. a hazard ratio drifting away to round another), so
    near-misses become hits without giving up what the paper's conclusions rest on.
    ``boost`` weights one target up, in the loss and as a hit (the trade-off probes).
    """
    comp = compile_targets(True, boost)
    weights = printings() * (comp.weight / compile_targets(True).weight)
    cur = c.copy()
    now = hit_score(comp, weights, evaluate(cur))
    cap = SCHEDULE.hunt_loss_cap * now.loss
    for _ in range(iterations):
        prop = propose(cur, rng, lim)
        if prop is None:
            continue
        new = hit_score(comp, weights, evaluate(prop))
        if not new.allowed_after(now, cap):
            continue
        if new.hits > now.hits or (new.hits == now.hits and new.loss <= now.loss):
            cur, now = prop, new
    cur.loss = now.loss
    return cur


def before_polish(seed: int, chain: int, iterations: int
                  ) -> tuple[Calibration, np.random.Generator]:
    """A chain up to its last stage (both annealing phases and the hunt), with its generator:
    what the exact label polish starts from (``benchmarks/polish.md`` studies this state)."""
    rng = np.random.default_rng([seed, 2, chain])
    lim = limits()
    cur = initial_state(seed) if chain == 0 else _initial_chain(seed, chain)
    n1 = int(SCHEDULE.phase_one_share * iterations)
    cur = anneal(cur, rng, lim, False, n1, *SCHEDULE.phase_one_temperatures)
    best = anneal(cur, rng, lim, True, iterations - n1, *SCHEDULE.phase_two_temperatures)
    return hunt(best, rng, lim, int(SCHEDULE.hunt_share * iterations)), rng


def _chain(seed: int, chain: int, iterations: int) -> Calibration:
    """One annealing chain; chain 0 of a seed draws the seed's own start."""
    best, rng = before_polish(seed, chain, iterations)
    best = polish_labels(best, rng)
    best.iterations = iterations
    best.stats = evaluate(best)
    return best


def _initial_chain(seed: int, chain: int) -> Calibration:
    """Start of a further chain: a different draw, labelled with the caller's seed."""
    c = initial_state(seed * 1000 + chain)
    c.seed = seed
    return c


def calibrate_times(seed: int, iterations: int = 40_000, chains: int = 2,
                    workers: int = 1) -> Calibration:
    """Independent annealing chains from one seed; the lowest loss wins (ties: first chain).

    Each chain: (1) annealing (30% of its iterations) on medians, SEs, rates, follow-up, the
    validation comparison and the three log-rank tests the paper found significant; (2)
    annealing on every target, with the Cox models and the forward-stepwise entry penalties;
    (3) a hunt (a quarter as many iterations) that keeps moves which reproduce more printed
    claims, never letting a p-value cross 0.05 or the stepwise selection weaken; (4) the exact
    search of the secondary factors' labels for their printed Table 1 p-values
    (:func:`lungmets.synthetic.polish.polish_labels`), under the hunt's rules. Deterministic for a
    given seed, budget and number of chains; ``workers`` only sets how many run at once.
    """
    if workers > 1 and chains > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(workers, chains)) as pool:
            results = list(pool.map(_chain, [seed] * chains, range(chains),
                                     [iterations] * chains))
    else:
        results = [_chain(seed, k, iterations) for k in range(chains)]
    return min(results, key=lambda c: c.loss)
