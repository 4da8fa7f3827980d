"""The space the calibration searches: hard constraints, a feasible start and the random moves
between states (SYNTHETIC cohort).

Why this module exists: every state the annealing visits must be a cohort the paper could have
described. A move that would break a hard constraint (listed in
:mod:`lungmets.synthetic.calibrate`) is refused, not penalised, so the constraints hold at every
step, and the start already satisfies them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from lungmets.analyses.covariates import initial_labels, spread_values
from lungmets.claims import claim, value
from lungmets.synthetic.state import Calibration, factor_column
from lungmets.synthetic.targets import TICK, study_window

__all__ = ["MEDIAN_GROUPS", "TIME_STEPS", "Limits", "initial_state", "limits", "propose",
           "propose_targeted", "s_group_neighbours", "time_neighbours"]

_T = 900  # ticks (90 months): no time in the cohort may reach it
_FREE = ("sex", "age", "pmfi", "afp", "hepatitis", "lesions", "maxsize", "livertx", "ecog",
         "othermets")
"""Factors whose codes the annealer may swap (sorafenib x intrahepatic is fixed by the
validation cells; PDR follows the PDR values)."""
_MIN_PFS = 10  # ticks: progression cannot be seen before the first CT (1 month after RT)
_MIN_RT_TO_DEATH = 10  # ticks: assumption, nobody dies within a month of starting RT


@dataclass(frozen=True)
class Limits:
    """Allowed times, in ticks: survivors' RT to last follow-up, and the printed follow-up
    ranges of the main cohort and of the S group."""

    surv_rt: tuple[int, int]
    fu: tuple[int, int]
    vfu: tuple[int, int]


def limits() -> Limits:
    """The hard limits of the study window and of the printed follow-up ranges."""
    w = study_window()
    fu = (round(value("met_followup_min") / TICK), round(value("met_followup_max") / TICK))
    vfu = (round(value("met_val_followup_min") / TICK), round(value("met_val_followup_max") / TICK))
    return Limits(w.survivor_rt_ticks, fu, vfu)


def _ok(c: Calibration, i: int, lim: Limits) -> bool:
    """Hard constraints of one main-cohort patient."""
    rt = c.os[i] - c.pdr[i]
    if c.os[i] >= _T - 1 or c.pdr[i] < 1:
        return False
    if c.os_ev[i] == 1:
        if rt < _MIN_RT_TO_DEATH or rt > lim.surv_rt[1]:
            return False
    elif not (lim.surv_rt[0] <= rt <= lim.surv_rt[1] and lim.fu[0] <= c.os[i] <= lim.fu[1]):
        return False
    if c.pfs_ev[i] == 1:
        return _MIN_PFS <= c.pfs[i] < rt if c.os_ev[i] == 1 else _MIN_PFS <= c.pfs[i] <= rt
    return c.pfs[i] == rt


def _ok_s(c: Calibration, j: int, lim: Limits) -> bool:
    if c.s_ev[j] == 1:
        return _MIN_RT_TO_DEATH <= c.s_os[j] < _T - 1
    return lim.vfu[0] <= c.s_os[j] <= lim.vfu[1]


def initial_state(seed: int) -> Calibration:
    """A feasible start: margins exact, times from rough log-normal draws."""
    rng = np.random.default_rng([seed, 1])
    labels = initial_labels(rng)
    codes = labels.to_numpy().astype(int)
    n = codes.shape[0]
    pdr_vals = spread_values(
        rng, n=n, lo=value("met_pdr_min"), hi=value("met_pdr_max"),
        median=value("met_pdr_median"), se=value("met_pdr_median_se"),
        se_decimals=claim("met_pdr_median_se").decimals, decimals=1,
        threshold=value("t3_pdr_cutoff_all"), n_at_or_above=int(value("t3_n_pdr_ge6")))
    pdr = np.round(rng.permutation(pdr_vals) / TICK).astype(int)
    lim = limits()
    deaths = int(value("met_n_deaths"))
    os_ev = np.zeros(n, dtype=int)
    os_ev[rng.choice(n, deaths, replace=False)] = 1
    sor = codes[:, factor_column("sorafenib")] == 1
    # rough start: each arm's PFS drawn around its printed median (the annealing does the rest)
    pfs_start = (claim("abs_pfs_median_sorafenib_no").number,
                 claim("abs_pfs_median_sorafenib_yes").number)
    os = np.zeros(n, dtype=int)
    pfs = np.zeros(n, dtype=int)
    pfs_ev = np.ones(n, dtype=int)
    for i in range(n):
        if os_ev[i]:
            os_i = rng.lognormal(math.log(24), 0.4) / TICK
            rt = int(np.clip(os_i - pdr[i], 40, lim.surv_rt[1]))
        else:
            lo_rt = max(lim.surv_rt[0], lim.fu[0] - pdr[i])
            hi_rt = min(lim.surv_rt[1], lim.fu[1] - pdr[i])
            if lo_rt > hi_rt:  # a long PDR cannot fit a survivor: make this one a death
                rt = int(rng.integers(60, 300))
            else:
                rt = int(rng.integers(lo_rt, hi_rt + 1))
        os[i] = pdr[i] + rt
        pf_i = rng.lognormal(math.log(pfs_start[int(sor[i])]), 0.5) / TICK
        pf = int(np.clip(pf_i, _MIN_PFS, min(rt - 1, 239)))
        pfs[i] = pf
    # survivors whose PDR could not fit: swap death status with a death that can
    for i in range(n):
        if os_ev[i] == 0 and not (lim.surv_rt[0] <= os[i] - pdr[i] <= lim.surv_rt[1]
                                  and lim.fu[0] <= os[i] <= lim.fu[1]):
            for j in rng.permutation(n):
                if os_ev[j] == 1 and pdr[j] + lim.surv_rt[0] <= lim.fu[1]:
                    os_ev[i], os_ev[j] = 1, 0
                    lo_rt = max(lim.surv_rt[0], lim.fu[0] - pdr[j])
                    hi_rt = min(lim.surv_rt[1], lim.fu[1] - pdr[j])
                    os[j] = pdr[j] + int(rng.integers(lo_rt, hi_rt + 1))
                    pfs[j] = min(pfs[j], os[j] - pdr[j] - 1)
                    break
    n_s = int(value("met_n_val_s"))
    s_ev = (rng.random(n_s) < 0.7).astype(int)
    s_median = claim("res_os_median_val_s").number
    s_os = np.where(s_ev == 1,
                    np.clip(rng.lognormal(math.log(s_median), 0.4, n_s) / TICK, 20, 800),
                    rng.integers(lim.vfu[0], lim.vfu[1] + 1, n_s)).astype(int)
    c = Calibration(codes, pdr, os, os_ev, pfs, pfs_ev, s_os, s_ev, seed)
    for i in range(n):
        if not _ok(c, i, lim):
            raise AssertionError(f"initial state infeasible for patient {i}")
    return c


_STEP_CHOICES = (1, 1, 2, 3, 5, 10, 20, 40)
"""Tick steps a random time move draws from (one tick twice as often)."""
TIME_STEPS = tuple(sorted(set(_STEP_CHOICES)))
"""The distinct step sizes of the random time moves."""


def time_neighbours(c: Calibration, lim: Limits) -> Iterator[Calibration]:
    """Every feasible state one time move away: each documented progression, each death or
    follow-up time (a censored PFS follows it) and each S-group time moved by each of
    :data:`TIME_STEPS`, both ways; the neighbourhood the hunt samples at random."""
    for i in range(c.os.size):
        for which in ("pfs", "os"):
            if which == "pfs" and c.pfs_ev[i] == 0:
                continue
            for step in (s * sign for s in TIME_STEPS for sign in (1, -1)):
                x = c.copy()
                getattr(x, which)[i] += step
                if which == "os" and x.pfs_ev[i] == 0:
                    x.pfs[i] = x.os[i] - x.pdr[i]
                if _ok(x, i, lim):
                    yield x
    for j in range(c.s_os.size):
        for step in (s * sign for s in TIME_STEPS for sign in (1, -1)):
            x = c.copy()
            x.s_os[j] += step
            if _ok_s(x, j, lim):
                yield x


def s_group_neighbours(c: Calibration, lim: Limits, max_step: int
                       ) -> Iterator[tuple[int, Calibration]]:
    """Every feasible state one S-group move away, with the step (0 for an event flipped):
    each time moved by every step of 1 to ``max_step`` ticks both ways, and each event flipped,
    never leaving the group without a survivor (as :func:`propose` does)."""
    for j in range(c.s_os.size):
        for step in (*range(-max_step, 0), *range(1, max_step + 1), 0):
            x = c.copy()
            if step:
                x.s_os[j] += step
            else:
                x.s_ev[j] = 1 - x.s_ev[j]
            if _ok_s(x, j, lim) and x.s_ev.sum() < x.s_ev.size:
                yield step, x


def propose(c: Calibration, rng: np.random.Generator, lim: Limits) -> Calibration | None:
    """One random move; None when it would break a hard constraint."""
    n = c.os.size
    x = c.copy()
    r = rng.random()
    step = int(rng.choice(_STEP_CHOICES)) * (1 if rng.random() < 0.5 else -1)
    if r < 0.28:  # move a progression time
        i = int(rng.integers(n))
        if x.pfs_ev[i] == 0:
            return None
        x.pfs[i] += step
        touched = [i]
    elif r < 0.50:  # move a death / follow-up time (a censored PFS follows it)
        i = int(rng.integers(n))
        x.os[i] += step
        if x.pfs_ev[i] == 0:
            x.pfs[i] = x.os[i] - x.pdr[i]
        touched = [i]
    elif r < 0.58:  # progression <-> no documented progression
        i = int(rng.integers(n))
        rt = x.os[i] - x.pdr[i]
        if x.pfs_ev[i] == 1:
            x.pfs_ev[i], x.pfs[i] = 0, rt
        else:
            if rt - 1 <= _MIN_PFS:
                return None
            x.pfs_ev[i], x.pfs[i] = 1, int(rng.integers(_MIN_PFS, rt))
        touched = [i]
    elif r < 0.66:  # exchange whole outcomes of two patients
        i, j = (int(v) for v in rng.choice(n, 2, replace=False))
        for arr in (x.os, x.os_ev, x.pfs, x.pfs_ev):
            arr[i], arr[j] = arr[j], arr[i]
        for k in (i, j):
            if x.pfs_ev[k] == 0:
                x.pfs[k] = x.os[k] - x.pdr[k]
        touched = [i, j]
    elif r < 0.71:  # a death becomes a survivor and a survivor a death
        dead = np.flatnonzero(x.os_ev == 1)
        alive = np.flatnonzero(x.os_ev == 0)
        i, j = int(rng.choice(dead)), int(rng.choice(alive))
        x.os_ev[i], x.os_ev[j] = 0, 1
        lo_rt = max(lim.surv_rt[0], lim.fu[0] - x.pdr[i])
        hi_rt = min(lim.surv_rt[1], lim.fu[1] - x.pdr[i])
        if lo_rt > hi_rt:
            return None
        x.os[i] = x.pdr[i] + int(rng.integers(lo_rt, hi_rt + 1))
        for k in (i, j):
            rt = x.os[k] - x.pdr[k]
            if x.pfs_ev[k] == 0 or x.pfs[k] >= rt:
                x.pfs_ev[k], x.pfs[k] = 0, rt
        touched = [i, j]
    elif r < 0.84:  # swap one factor between two patients (margins unchanged)
        f = factor_column(_FREE[int(rng.integers(len(_FREE)))])
        i, j = (int(v) for v in rng.choice(n, 2, replace=False))
        if x.codes[i, f] == x.codes[j, f]:
            return None
        x.codes[i, f], x.codes[j, f] = x.codes[j, f], x.codes[i, f]
        return x
    elif r < 0.89:  # swap PDR values (keeps OS from detection, moves RT start)
        i, j = (int(v) for v in rng.choice(n, 2, replace=False))
        x.pdr[i], x.pdr[j] = x.pdr[j], x.pdr[i]
        for k in (i, j):
            if x.pfs_ev[k] == 0:
                x.pfs[k] = x.os[k] - x.pdr[k]
        touched = [i, j]
    else:  # S group
        j = int(rng.integers(x.s_os.size))
        if rng.random() < 0.8:
            x.s_os[j] += step
        else:
            x.s_ev[j] = 1 - x.s_ev[j]
        if not _ok_s(x, j, lim) or x.s_ev.sum() == x.s_ev.size:
            return None
        return x
    return x if all(_ok(x, k, lim) for k in touched) else None


MEDIAN_GROUPS: dict[str, tuple[str, str]] = {
    "pfs_median_all": ("pfs", "all"), "pfs_median_sor_yes": ("pfs", "sor_yes"),
    "pfs_median_sor_no": ("pfs", "sor_no"), "pfs_median_les_le3": ("pfs", "les_le3"),
    "pfs_median_les_gt3": ("pfs", "les_gt3"), "os_median_all": ("os", "all"),
    "os_median_sor_yes": ("os", "sor_yes"), "os_median_sor_no": ("os", "sor_no"),
    "os_median_inactive": ("os", "inactive"), "os_median_active": ("os", "active"),
    "os_median_co": ("os", "co"), "os_median_rt": ("os", "rt"), "os_median_s": ("s", "all"),
    "fu_median": ("fu", "all"), "vfu_median": ("vfu", "all"),
}
"""Median targets and the patients whose times make them (for the targeted move)."""


def _group_mask(c: Calibration, group: str) -> np.ndarray:
    sor = c.codes[:, factor_column("sorafenib")] == 1
    act = c.codes[:, factor_column("intrahepatic")] == 1
    gt3 = c.codes[:, factor_column("lesions")] == 1
    return {"all": np.ones(sor.size, bool), "sor_yes": sor, "sor_no": ~sor,
            "les_le3": ~gt3, "les_gt3": gt3, "inactive": ~act, "active": act,
            "co": sor & ~act, "rt": ~sor & ~act}[group]


def propose_targeted(c: Calibration, rng: np.random.Generator, lim: Limits,
                     missed: list[tuple[str, float]]) -> Calibration | None:
    """Put an event exactly at a missed median: move the group member whose event time is
    closest to the current median onto the printed value (a KM median is an event time)."""
    stat, target = missed[int(rng.integers(len(missed)))]
    ep, group = MEDIAN_GROUPS[stat]
    tick = round(target / TICK)
    x = c.copy()
    if ep in ("s", "vfu"):
        want = 1 if ep == "s" else 0
        idx = np.flatnonzero(x.s_ev == want)
        if idx.size == 0:
            return None
        j = int(idx[np.argmin(np.abs(x.s_os[idx] - tick) + rng.random(idx.size))])
        x.s_os[j] = tick
        return x if _ok_s(x, j, lim) else None
    times = x.pfs if ep == "pfs" else x.os
    flags = x.pfs_ev if ep == "pfs" else (x.os_ev if ep == "os" else 1 - x.os_ev)
    idx = np.flatnonzero(_group_mask(x, group) & (flags == 1))
    if idx.size == 0:
        return None
    i = int(idx[np.argmin(np.abs(times[idx] - tick) + rng.random(idx.size))])
    times[i] = tick
    if ep != "pfs" and x.pfs_ev[i] == 0:
        x.pfs[i] = x.os[i] - x.pdr[i]
    return x if _ok(x, i, lim) else None

