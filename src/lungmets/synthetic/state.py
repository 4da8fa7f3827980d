"""The calibration's state and every target statistic of it, on the tick grid (SYNTHETIC cohort).

Why this module exists: the annealing (:mod:`lungmets.synthetic.calibrate`) evaluates hundreds
of proposals a second. :func:`evaluate` computes the statistics in blocks with
:mod:`lungmets.stats.fast_stats`, and a block whose inputs a move left unchanged is reused, not
recomputed, which gives exactly the same numbers in a fraction of the time.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import wraps

import numpy as np
from scipy.special import ndtr

from lungmets.analyses.covariates import FACTOR_LEVELS, paper_model
from lungmets.claims import claim, value
from lungmets.stats.fast_stats import (
    CoxData,
    counts,
    cox_newton,
    km_rows,
    logrank_k,
    logrank_pairs,
    score_block_p,
    score_p,
    spd_inverse,
)
from lungmets.stats.survival_stats import WALD_Z
from lungmets.synthetic.targets import CORE_FACTORS, TICK, median_ticks

__all__ = ["Calibration", "evaluate", "factor_column"]

_M12, _M24 = 120, 240  # landmark ticks: 1 and 2 years
_FACTORS = tuple(FACTOR_LEVELS)


def _km(n: np.ndarray, d: np.ndarray, times: np.ndarray) -> dict[str, np.ndarray]:
    """Kaplan-Meier rows of :func:`lungmets.stats.fast_stats.km_rows`, with their tick times."""
    return {**km_rows(n, d, times * TICK), "times": times}


def _surv_at(km: dict[str, np.ndarray], row: int, tick: int) -> float:
    """Right-continuous Ŝ at a landmark tick, in percent."""
    i = int(np.searchsorted(km["times"], tick, side="right")) - 1
    return 100.0 * (float(km["surv"][row, i]) if i >= 0 else 1.0)


def _median_gap(km: dict[str, np.ndarray], row: int, tick: int) -> float:
    """How far the curve is from crossing 0.5 exactly at ``tick``: Ŝ just before the tick must
    exceed 0.5 and Ŝ at it must not. Unlike the median itself this moves whenever any patient
    crosses the target, which gives the annealer a slope instead of a plateau."""
    at = _surv_at(km, row, tick) / 100
    before = _surv_at(km, row, tick - 1) / 100
    return max(0.0, at - 0.5 - 1e-10) + max(0.0, 0.5 + 1e-10 - before)


def _put_median(out: dict[str, float], key: str, km: dict[str, np.ndarray], row: int) -> None:
    """Store a median, its SE and (for targeted medians) the crossing gap."""
    out[f"{key}"] = float(km["median"][row])
    ticks = median_ticks()
    if key in ticks:
        out[f"{key}_gap"] = _median_gap(km, row, ticks[key])


@dataclass
class Calibration:
    """The calibrated state: everything the cohort's survival columns are made of.

    Times are integer ticks of 0.1 month. ``codes`` holds one column per factor of
    :data:`lungmets.analyses.covariates.FACTOR_LEVELS` (the PDR column is derived from ``pdr``).
    """

    codes: np.ndarray
    pdr: np.ndarray
    os: np.ndarray
    os_ev: np.ndarray
    pfs: np.ndarray
    pfs_ev: np.ndarray
    s_os: np.ndarray
    s_ev: np.ndarray
    seed: int
    loss: float = math.nan
    iterations: int = 0
    stats: dict[str, float] = field(default_factory=dict)

    def copy(self) -> Calibration:
        return replace(self, codes=self.codes.copy(), pdr=self.pdr.copy(), os=self.os.copy(),
                       os_ev=self.os_ev.copy(), pfs=self.pfs.copy(), pfs_ev=self.pfs_ev.copy(),
                       s_os=self.s_os.copy(), s_ev=self.s_ev.copy(), stats=dict(self.stats))


def factor_column(name: str) -> int:
    """Which column of ``Calibration.codes`` holds a factor (the order of ``FACTOR_LEVELS``)."""
    return _FACTORS.index(name)


def _memo(fn: Callable[..., dict[str, float]]) -> Callable[..., dict[str, float]]:
    """Remember a block of statistics for the last few distinct inputs.

    A move changes only some arrays of the state (an S-group time, one factor's codes), so most
    blocks of a proposal are those of the current state: returning the stored block instead of
    recomputing it gives exactly the same numbers, in a fraction of the time.
    """
    cache: OrderedDict[tuple, dict[str, float]] = OrderedDict()

    @wraps(fn)
    def cached(*args: object) -> dict[str, float]:
        key = tuple((a.shape, a.tobytes()) if isinstance(a, np.ndarray) else a for a in args)
        block = cache.get(key)
        if block is None:
            block = fn(*args)
            cache[key] = block
            if len(cache) > _MEMO_SIZE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(key)
        return block

    return cached


_MEMO_SIZE = 8


@_memo
def _pfs_block(pfs: np.ndarray, pfs_ev: np.ndarray, sor_yes: np.ndarray, gt3: np.ndarray
               ) -> dict[str, float]:
    """PFS from RT: medians, SEs and the arms' landmark rates."""
    out: dict[str, float] = {}
    one = np.ones(pfs.size, bool)
    masks = np.vstack([one, sor_yes, ~sor_yes, ~gt3, gt3]).astype(float)
    km = _km(*counts(pfs, pfs_ev.astype(float), masks))
    for i, g in enumerate(("all", "sor_yes", "sor_no", "les_le3", "les_gt3")):
        _put_median(out, f"pfs_median_{g}", km, i)
        out[f"pfs_se_{g}"] = km["se"][i]
    for i, g in ((1, "sor_yes"), (2, "sor_no")):
        out[f"pfs_rate12_{g}"] = _surv_at(km, i, _M12)
        out[f"pfs_rate24_{g}"] = _surv_at(km, i, _M24)
    return out


@_memo
def _os_block(os: np.ndarray, os_ev: np.ndarray, sor_yes: np.ndarray, active: np.ndarray
              ) -> dict[str, float]:
    """OS from detection: medians, SEs, the 2-year rate; the reverse-KM follow-up."""
    out: dict[str, float] = {}
    one = np.ones(os.size, bool)
    masks = np.vstack([one, sor_yes, ~sor_yes, ~active, active]).astype(float)
    km = _km(*counts(os, os_ev.astype(float), masks))
    for i, g in enumerate(("all", "sor_yes", "sor_no", "inactive", "active")):
        _put_median(out, f"os_median_{g}", km, i)
        out[f"os_se_{g}"] = km["se"][i]
    out["os_rate24_all"] = _surv_at(km, 0, _M24)
    km = _km(*counts(os, 1.0 - os_ev, one[None, :].astype(float)))
    _put_median(out, "fu_median", km, 0)
    out["fu_se"] = km["se"][0]
    alive = os[os_ev == 0]
    out["fu_min"], out["fu_max"] = alive.min() * TICK, alive.max() * TICK
    return out


@_memo
def _osrt_block(rt_time: np.ndarray, os_ev: np.ndarray, sor_yes: np.ndarray
                ) -> dict[str, float]:
    """OS from RT start: the landmark rates "at 1 year following radiotherapy"."""
    out: dict[str, float] = {}
    km = _km(*counts(rt_time, os_ev.astype(float), np.vstack([sor_yes, ~sor_yes]).astype(float)))
    for i, g in enumerate(("sor_yes", "sor_no")):
        out[f"osrt_rate12_{g}"] = _surv_at(km, i, _M12)
        out[f"osrt_rate24_{g}"] = _surv_at(km, i, _M24)
    return out


@_memo
def _validation_block(os: np.ndarray, os_ev: np.ndarray, co: np.ndarray, rtg: np.ndarray,
                      s_os: np.ndarray, s_ev: np.ndarray) -> dict[str, float]:
    """Co and Rt (main cohort, inactive tumours) against the synthetic S group."""
    out: dict[str, float] = {}
    n_main, n_s = os.size, s_os.size
    t_val = np.concatenate([os, s_os])
    e_val = np.concatenate([os_ev, s_ev]).astype(float)
    pad = np.zeros(n_s, bool)
    sg = np.concatenate([np.zeros(n_main, bool), np.ones(n_s, bool)])
    masks = np.vstack([np.concatenate([co, pad]), np.concatenate([rtg, pad]), sg]).astype(float)
    nn, dd, tt = counts(t_val, e_val, masks)
    km = _km(nn, dd, tt)
    for i, g in enumerate(("co", "rt", "s")):
        _put_median(out, f"os_median_{g}", km, i)
        out[f"os_se_{g}"] = km["se"][i]
    (n_co, n_rt, n_sg), (d_co, d_rt, d_sg) = nn, dd
    p = logrank_pairs(np.vstack([n_rt, n_sg, n_rt]), np.vstack([d_rt, d_sg, d_rt]),
                      np.vstack([n_rt + n_co, n_sg + n_co, n_rt + n_sg]),
                      np.vstack([d_rt + d_co, d_sg + d_co, d_rt + d_sg]))
    out["p_val_rt_vs_co"], out["p_val_s_vs_co"], out["p_val_rt_vs_s"] = p
    km = _km(*counts(s_os, 1.0 - s_ev, np.ones((1, n_s))))
    _put_median(out, "vfu_median", km, 0)
    out["vfu_se"] = km["se"][0]
    s_alive = s_os[s_ev == 0]
    out["vfu_min"] = s_alive.min() * TICK if s_alive.size else math.nan
    out["vfu_max"] = s_alive.max() * TICK if s_alive.size else math.nan
    return out


@_memo
def _univariate_block(ep: str, t: np.ndarray, e: np.ndarray, codes: np.ndarray, full: bool
                      ) -> dict[str, float]:
    """Univariate log-rank p of every Table 1 factor (phase one: only the three the paper
    found significant)."""
    out: dict[str, float] = {}
    bin_idx = [factor_column(f) for f in (_FACTORS if full else CORE_FACTORS) if f != "livertx"]
    ind = (codes[:, bin_idx] == 1).T.astype(float)
    rows = np.vstack([np.ones((1, t.size)), ind])
    nn, dd, _ = counts(t, e.astype(float), rows)
    ps = logrank_pairs(nn[1:], dd[1:], np.broadcast_to(nn[0], nn[1:].shape),
                       np.broadcast_to(dd[0], dd[1:].shape))
    for j, p in zip(bin_idx, ps, strict=True):
        out[f"{ep}_p_{_FACTORS[j]}"] = float(p)
    if full:
        lt = codes[:, factor_column("livertx")]
        nk, dk, _ = counts(t, e.astype(float), np.vstack([lt == k for k in range(3)]).astype(float))
        out[f"{ep}_p_livertx"] = logrank_k(nk, dk)
    return out


def evaluate(c: Calibration, full: bool = True) -> dict[str, float]:
    """Every target statistic of a state, computed on the tick grid (fast path).

    ``full=False`` skips the Cox models and the log-rank tests of the ten secondary factors
    (the first annealing phase does not need them and runs three times faster). Each block is
    a pure function of the arrays it reads, remembered for recent inputs (:func:`_memo`).
    """
    codes = c.codes.copy()
    codes[:, factor_column("pdr")] = (c.pdr >= round(value("t3_pdr_cutoff_all") / TICK)).astype(int)
    sor_yes = codes[:, factor_column("sorafenib")] == 1
    active = codes[:, factor_column("intrahepatic")] == 1
    gt3 = codes[:, factor_column("lesions")] == 1
    out = {**_pfs_block(c.pfs, c.pfs_ev, sor_yes, gt3), **_os_block(c.os, c.os_ev, sor_yes, active),
           **_osrt_block(c.os - c.pdr, c.os_ev, sor_yes),
           **_validation_block(c.os, c.os_ev, sor_yes & ~active, ~sor_yes & ~active, c.s_os,
                               c.s_ev)}
    for ep, t, e in (("pfs", c.pfs, c.pfs_ev), ("os", c.os, c.os_ev)):
        out.update(_univariate_block(ep, t, e, codes, full))
        if full:  # Cox models and stepwise-entry penalties
            out.update(_cox_block(ep, t, e, codes))
    return out


_MV = {ep: tuple(sorted(paper_model(ep), key=lambda f, ep=ep: claim(f"t1_{ep}_uni_p_{f}").number))
       for ep in ("pfs", "os")}
"""Variables of each final model (the paper's Table 1) in SPSS's order of entry: smallest
printed univariate p first."""


def _indicator(codes: np.ndarray, f: str) -> np.ndarray:
    """Cox coding in the paper's HR direction: >3 lesions, active tumour, NO sorafenib."""
    x = (codes[:, factor_column(f)] == 1).astype(float)
    return 1.0 - x if f == "sorafenib" else x


@_memo
def _cox_block(ep: str, t: np.ndarray, e: np.ndarray, codes: np.ndarray) -> dict[str, float]:
    """One endpoint's final Cox model and the score tests of forward-stepwise entry."""
    out: dict[str, float] = {}
    cd = CoxData.build(t, e.astype(float))
    first, second = _MV[ep]
    others = [f for f in _FACTORS if f not in (first, second, "livertx")]
    z = np.column_stack([_indicator(codes, f) for f in others])
    lt = codes[:, factor_column("livertx")]
    zl = np.column_stack([(lt == 1), (lt == 2)]).astype(float)
    x1 = _indicator(codes, first)[:, None]
    _, i1, w1 = cox_newton(cd, x1)
    p2 = score_p(cd, x1, w1, i1, np.column_stack([z, _indicator(codes, second)]))
    out[f"{ep}_step2_second"] = float(p2[-1])
    out[f"{ep}_step2_best_other"] = float(min(p2[:-1].min(), score_block_p(cd, x1, w1, zl)))
    x = np.column_stack([_indicator(codes, first), _indicator(codes, second)])
    beta, info, w = cox_newton(cd, x)
    p3 = score_p(cd, x, w, info, z)
    out[f"{ep}_step3_best_other"] = float(min(p3.min(), score_block_p(cd, x, w, zl)))
    cov = spd_inverse(info)
    if cov is None:  # no finite estimate: charged like a statistic that cannot be computed
        cov = np.full((2, 2), np.nan)
    for k, f in enumerate((first, second)):
        se = math.sqrt(max(cov[k, k], 1e-12))
        out[f"{ep}_mv_hr_{f}"] = math.exp(beta[k])
        out[f"{ep}_mv_ci_lower_{f}"] = math.exp(beta[k] - WALD_Z * se)
        out[f"{ep}_mv_ci_upper_{f}"] = math.exp(beta[k] + WALD_Z * se)
        out[f"{ep}_mv_p_{f}"] = float(2 * ndtr(-abs(beta[k] / se)))
    return out

