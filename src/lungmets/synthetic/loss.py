"""The calibration's loss: the targets compiled into arrays, and a state's statistics scored
against them (SYNTHETIC cohort).

Why this module exists: every annealing move is judged by this one number, so its terms are
kept in one place: the distance of each reproduced value from the printed rounding interval in
units natural to the quantity, a bonus for landing inside, the cost of a p-value on the wrong
side of the significance level and the forward-stepwise penalties, shaped by
:data:`lungmets.synthetic.targets.LOSS`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from lungmets.claims import Claim, claim
from lungmets.synthetic.targets import (
    CORE_FACTORS,
    LOSS,
    TARGETS,
    TICK,
    median_ticks,
    stat_kind,
)

__all__ = ["CompiledTargets", "HitScore", "compile_targets", "hit_score", "loss_parts",
           "printings", "total_loss"]

_SCALE = {"time": TICK, "se": 0.05, "rate": 1.0, "p": 0.05, "hr": 0.02}
"""Distance units: months for times, percentage points for rates, natural log for p and HR."""


@dataclass(frozen=True)
class CompiledTargets:
    """Targets as arrays; ``partner[i]`` is the index of the median an SE belongs to (or -1)
    and ``gaps`` the indices of medians with a crossing gap."""

    stats: tuple[str, ...]
    lo: np.ndarray
    hi: np.ndarray
    weight: np.ndarray
    scale: np.ndarray
    log: np.ndarray
    sig: np.ndarray  # +1 target p < alpha, -1 target p >= alpha, 0 not a p
    partner: np.ndarray
    gaps: tuple[int, ...]
    log_alpha: float  # the paper's significance level, on the log scale of p-values


def _is_core(stat: str) -> bool:
    """Phase-one targets: everything but the Cox models and the secondary factors' p."""
    if "_mv_" in stat:
        return False
    if stat.startswith(("pfs_p_", "os_p_")):
        return stat.split("_p_", 1)[1] in CORE_FACTORS
    return True


def compile_targets(full: bool = True, boost: tuple[str, float] | None = None) -> CompiledTargets:
    """The targets as arrays; ``boost`` = (stat, factor) multiplies one target's weight (the
    trade-off probes of :mod:`lungmets.synthetic.tradeoffs`)."""
    stats, lo, hi, wt, sc, lg, sig = [], [], [], [], [], [], []
    alpha = claim("met_alpha").number
    for tg in TARGETS:
        if not full and not _is_core(tg.stat):
            continue
        cl: Claim = claim(tg.claim_id)
        kind = stat_kind(tg.stat)
        is_log = kind in ("p", "hr")
        low, high = cl.lower, cl.upper
        if is_log:
            low = math.log(max(low, 1e-12)) if np.isfinite(low) else -np.inf
            high = math.log(high)
        stats.append(tg.stat)
        lo.append(low)
        hi.append(high)
        wt.append(tg.weight * (boost[1] if boost is not None and boost[0] == tg.stat else 1.0))
        sc.append(_SCALE[kind])
        lg.append(is_log)
        sig.append(0 if kind != "p" else (1 if cl.upper <= alpha else -1))
    partner = np.array([stats.index(k.replace("_se", "_median")) if stat_kind(k) == "se"
                        and k.replace("_se", "_median") in stats else -1 for k in stats])
    gaps = tuple(i for i, k in enumerate(stats) if k in median_ticks())
    return CompiledTargets(tuple(stats), np.array(lo), np.array(hi), np.array(wt), np.array(sc),
                           np.array(lg), np.array(sig), partner, gaps, math.log(alpha))


def loss_parts(comp: CompiledTargets, s: dict[str, float]) -> tuple[float, np.ndarray, int, float]:
    """(weighted distance loss, hit mask, p-values on the wrong side of 0.05, stepwise penalty)."""
    x = np.array([s[k] for k in comp.stats], dtype=float)
    bad = ~np.isfinite(x)
    x = np.where(bad, 0.0, x)
    xl = np.array([math.log(max(v, 1e-12)) if lg else v for v, lg in zip(x, comp.log, strict=True)])
    dist = np.maximum(np.maximum(comp.lo - xl, xl - comp.hi), 0.0) / comp.scale
    dist = np.where(bad, LOSS.unknown_distance, dist)
    wrong = ((comp.sig == 1) & (xl >= comp.log_alpha)) | ((comp.sig == -1) & (xl < comp.log_alpha))
    # an SE only counts fully once its median is close: a far median's SE would wall the
    # median in, and an all-or-nothing switch would trap it one tick away
    weight = np.where((comp.partner >= 0) & (dist[comp.partner] > LOSS.se_partner_ticks),
                      LOSS.far_se_share * comp.weight, comp.weight)
    total = float((weight * (np.minimum(dist, LOSS.distance_cap) + LOSS.miss_cost * (dist > 0)
                             + LOSS.wrong_side_cost * wrong)).sum())
    total += sum(LOSS.median_gap_weight * comp.weight[i] * s[f"{comp.stats[i]}_gap"]
                 for i in comp.gaps)
    pen = 0.0
    if "pfs_step2_second" in s:
        # forward stepwise must enter exactly the paper's two variables, in order
        for ep in ("pfs", "os"):
            p2, other2 = s[f"{ep}_step2_second"], s[f"{ep}_step2_best_other"]
            pen += max(0.0, math.log(p2) - math.log(LOSS.step2_entry_p))
            pen += max(0.0, math.log(LOSS.step2_lead * p2) - math.log(other2))
            pen += max(0.0, math.log(LOSS.step3_other_p)
                       - math.log(s[f"{ep}_step3_best_other"]))
        pen += max(0.0, math.log(LOSS.os_entry_lead * s["os_p_sorafenib"])
                   - math.log(s["os_p_intrahepatic"]))
    return total + LOSS.stepwise_weight * pen, (dist == 0) & ~bad, int(wrong.sum()), pen


def total_loss(comp: CompiledTargets, s: dict[str, float]) -> float:
    """The loss alone: what the annealing minimises."""
    return loss_parts(comp, s)[0]


@dataclass(frozen=True)
class HitScore:
    """What the final stages compare (the hunt and the exact polish): printed claims
    reproduced, each target weighted by how often the paper prints it; the loss; p-values on
    the wrong side of 0.05; the stepwise penalty; and the statistics they were read from."""

    hits: float
    loss: float
    wrong: int
    penalty: float
    stats: dict[str, float]

    def allowed_after(self, before: HitScore, loss_cap: float) -> bool:
        """The final stages' guards: no p-value newly across 0.05, no weaker stepwise
        selection, the loss within the cap."""
        return (self.wrong <= before.wrong and self.penalty <= before.penalty + 1e-12
                and self.loss <= loss_cap)


def hit_score(comp: CompiledTargets, weights: np.ndarray, s: dict[str, float]) -> HitScore:
    """Score a state's statistics for the final stages; ``weights`` is one per target."""
    total, hits, wrong, pen = loss_parts(comp, s)
    return HitScore(float((weights * hits).sum()), total, wrong, pen, s)


@lru_cache(maxsize=1)
def printings() -> np.ndarray:
    """How many claims of the catalogue print each target's quantity for its group (the
    abstract, results and discussion often repeat a number): the weight of a hit."""
    from lungmets.claims import load_claims

    claims = load_claims().values()
    out = []
    for tg in TARGETS:
        cl = claim(tg.claim_id)
        out.append(sum(1 for o in claims if o.quantity == cl.quantity and o.group == cl.group))
    return np.array(out, dtype=float)

