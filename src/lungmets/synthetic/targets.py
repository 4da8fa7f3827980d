"""What the calibration of the SYNTHETIC cohort aims at: the time grid, the printed numbers it
must reproduce and the hand-set constants of its loss and schedule.

Why this module exists: these are what the reconstruction chapter shows a reader and what the
cohort's writer, the scorecard and the trade-off probes refer to. They describe the search;
:mod:`lungmets.synthetic.calibrate` is the search itself.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass, field, fields
from functools import lru_cache

from lungmets.analyses.covariates import FACTOR_LEVELS, paper_model
from lungmets.claims import claim

__all__ = [
    "CORE_FACTORS",
    "DAYS_PER_MONTH",
    "LOSS",
    "SCHEDULE",
    "TARGETS",
    "TICK",
    "LossShape",
    "Schedule",
    "Target",
    "Window",
    "constants_table",
    "median_ticks",
    "months_to_days",
    "stat_kind",
    "study_window",
]

TICK = 0.1
"""Months per grid step."""
DAYS_PER_MONTH = 365.25 / 12
"""Calendar conversion used for every date (an assumption; the paper does not say)."""


def months_to_days(months: float) -> int:
    """Whole days for a time in months (0.1-month values survive the round trip exactly)."""
    return round(months * DAYS_PER_MONTH)


@dataclass(frozen=True)
class Window:
    """Calendar limits: RT start inside the study period, everyone followed to the last date."""

    study_start: dt.date
    study_end: dt.date
    last_followup: dt.date

    @property
    def survivor_rt_ticks(self) -> tuple[int, int]:
        """Allowed RT-to-last-follow-up times of survivors, in ticks (one day of margin)."""
        lo = (self.last_followup - self.study_end).days + 1
        hi = (self.last_followup - self.study_start).days - 1
        return math.ceil(lo / DAYS_PER_MONTH / TICK), math.floor(hi / DAYS_PER_MONTH / TICK)


def study_window() -> Window:
    """The study period 'October 2011 to October 2014' read as whole months (an assumption:
    first day of the first month to last day of the last), and the last follow-up date."""
    start = claim("met_study_start").date
    end = claim("met_study_end").date
    last = claim("met_last_followup_date").date
    if start is None or end is None or last is None:
        raise ValueError("claims.csv: study dates must have unit 'date'")
    end = end.replace(day=calendar.monthrange(end.year, end.month)[1])
    return Window(start, end, last)


@dataclass(frozen=True)
class Target:
    """One calibration target: the statistic's key, the claim it must reproduce, its weight."""

    stat: str
    claim_id: str
    weight: float


def _t(stat: str, claim_id: str, weight: float) -> Target:
    return Target(stat, claim_id, weight)


_FACTOR_KEYS = tuple(FACTOR_LEVELS)

TARGETS: tuple[Target, ...] = (
    # medians and SPSS SEs (printed twice where the abstract repeats them; results text first)
    _t("pfs_median_all", "res_pfs_median_all", 6), _t("pfs_se_all", "res_pfs_median_se_all", 3),
    _t("os_median_all", "res_os_median_all", 6), _t("os_se_all", "res_os_median_se_all", 3),
    _t("pfs_median_sor_yes", "abs_pfs_median_sorafenib_yes", 6),
    _t("pfs_se_sor_yes", "abs_pfs_median_se_sorafenib_yes", 3),
    _t("pfs_median_sor_no", "abs_pfs_median_sorafenib_no", 6),
    _t("pfs_se_sor_no", "abs_pfs_median_se_sorafenib_no", 3),
    _t("os_median_sor_yes", "abs_os_median_sorafenib_yes", 6),
    _t("os_se_sor_yes", "abs_os_median_se_sorafenib_yes", 3),
    _t("os_median_sor_no", "abs_os_median_sorafenib_no", 6),
    _t("os_se_sor_no", "abs_os_median_se_sorafenib_no", 3),
    _t("pfs_median_les_le3", "res_pfs_median_lesions_le3", 6),
    _t("pfs_se_les_le3", "res_pfs_median_se_lesions_le3", 3),
    _t("pfs_median_les_gt3", "res_pfs_median_lesions_gt3", 6),
    _t("pfs_se_les_gt3", "res_pfs_median_se_lesions_gt3", 3),
    _t("os_median_inactive", "res_os_median_intrahepatic_inactive", 6),
    _t("os_se_inactive", "res_os_median_se_intrahepatic_inactive", 3),
    _t("os_median_active", "res_os_median_intrahepatic_active", 6),
    _t("os_se_active", "res_os_median_se_intrahepatic_active", 3),
    _t("os_median_co", "res_os_median_val_co", 6), _t("os_se_co", "res_os_median_se_val_co", 3),
    _t("os_median_rt", "res_os_median_val_rt", 6), _t("os_se_rt", "res_os_median_se_val_rt", 3),
    _t("os_median_s", "res_os_median_val_s", 6), _t("os_se_s", "res_os_median_se_val_s", 3),
    # landmark rates (lower weight: medians win where both cannot hold)
    _t("os_rate24_all", "res_os_rate_24m_all", 0.5),  # C9: cannot hold with the median
    _t("pfs_rate12_sor_no", "res_pfs_rate_12m_sorafenib_no", 0.5),  # C10: cannot hold with its SE
    _t("pfs_rate12_sor_yes", "res_pfs_rate_12m_sorafenib_yes", 0.5),  # C1
    _t("pfs_rate24_sor_no", "res_pfs_rate_24m_sorafenib_no", 1),
    _t("pfs_rate24_sor_yes", "res_pfs_rate_24m_sorafenib_yes", 1),
    _t("osrt_rate12_sor_no", "res_os_rate_12m_sorafenib_no", 1),
    _t("osrt_rate12_sor_yes", "res_os_rate_12m_sorafenib_yes", 1),
    _t("osrt_rate24_sor_no", "res_os_rate_24m_sorafenib_no", 1),
    _t("osrt_rate24_sor_yes", "res_os_rate_24m_sorafenib_yes", 1),
    # follow-up (reverse Kaplan-Meier, range over survivors)
    _t("fu_median", "met_followup_median", 1), _t("fu_se", "met_followup_median_se", 0.5),
    _t("fu_min", "met_followup_min", 1), _t("fu_max", "met_followup_max", 1),
    _t("vfu_median", "met_val_followup_median", 1), _t("vfu_se", "met_val_followup_median_se", 0.5),
    _t("vfu_min", "met_val_followup_min", 1), _t("vfu_max", "met_val_followup_max", 1),
    # validation log-rank
    _t("p_val_rt_vs_co", "res_os_logrank_p_val_rt_vs_co", 2),
    _t("p_val_s_vs_co", "res_os_logrank_p_val_s_vs_co", 2),
    _t("p_val_rt_vs_s", "res_os_logrank_p_val_rt_vs_s", 1),
    # Cox models (Table 1); HR first, CI next, p last (see the contradictions table)
    *[
        _t(f"{ep}_mv_{q}_{v}", f"t1_{ep}_mv_{q}_{v}", w)
        for ep in ("pfs", "os")
        for v in paper_model(ep)
        for q, w in (("hr", 1.5), ("ci_lower", 0.7), ("ci_upper", 0.7), ("p", 0.7))
    ],
    # univariate log-rank p of every Table 1 factor
    *[
        _t(f"{ep}_p_{f}", f"t1_{ep}_uni_p_{f}", 2.0 if f in ("lesions", "sorafenib", "intrahepatic")
           else 1.0)
        for ep in ("pfs", "os")
        for f in _FACTOR_KEYS
    ],
)
"""Every calibration target, by statistic key and claim id (weights are relative)."""

CORE_FACTORS = ("lesions", "intrahepatic", "sorafenib")
"""Factors whose log-rank p-values are targets from the first annealing phase on: the three the
paper found significant (the others join with the Cox models in the second)."""


@lru_cache(maxsize=1)
def median_ticks() -> dict[str, int]:
    """Printed medians of the targets, as ticks."""
    return {tg.stat: round(claim(tg.claim_id).number / TICK) for tg in TARGETS
            if stat_kind(tg.stat) == "time" and tg.stat.endswith(_MEDIAN_SUFFIXES)}


_MEDIAN_SUFFIXES = tuple(f"median_{g}" for g in (
    "all", "sor_yes", "sor_no", "les_le3", "les_gt3", "inactive", "active", "co", "rt", "s"))
_MEDIAN_SUFFIXES = (*_MEDIAN_SUFFIXES, "fu_median")


def stat_kind(stat: str) -> str:
    """What a target's statistic is ("p", "hr", "rate", "se" or "time"): it decides the
    statistic's distance unit in the loss and whether it is compared on the log scale."""
    if stat.startswith(("pfs_p_", "os_p_", "p_val")) or stat.endswith(
        ("_p_lesions", "_p_sorafenib", "_p_intrahepatic")
    ):
        return "p"
    if "_mv_hr_" in stat or "_mv_ci_" in stat:
        return "hr"
    if "rate" in stat:
        return "rate"
    if "_se" in stat:
        return "se"
    return "time"


def _doc(meaning: str) -> dict[str, str]:
    return {"meaning": meaning}


@dataclass(frozen=True)
class LossShape:
    """The constants that shape the loss beyond the targets' own weights (:data:`TARGETS`).

    Set by hand while building the calibration, not fitted to the scorecard; named here so
    the reconstruction chapter can show them (:func:`constants_table`)."""

    unknown_distance: float = field(default=200.0, metadata=_doc(
        "distance charged when a statistic cannot be computed (e.g. no median reached)"))
    distance_cap: float = field(default=500.0, metadata=_doc(
        "largest distance one target can contribute, so one hopeless target cannot dominate"))
    miss_cost: float = field(default=0.5, metadata=_doc(
        "flat cost of any target outside its printed interval: landing inside earns a bonus"))
    wrong_side_cost: float = field(default=5.0, metadata=_doc(
        "extra cost of a p-value on the other side of the significance level from the paper"))
    median_gap_weight: float = field(default=100.0, metadata=_doc(
        "weight of how far a curve is from crossing 0.5 exactly at a printed median"))
    se_partner_ticks: float = field(default=3.0, metadata=_doc(
        "a median's SE counts fully only once the median is this many grid steps away or closer"))
    far_se_share: float = field(default=0.05, metadata=_doc(
        "share of its weight an SE keeps while its median is further away than that"))
    stepwise_weight: float = field(default=20.0, metadata=_doc(
        "weight of the forward-stepwise penalties (the paper's variables must enter, in order)"))
    step2_entry_p: float = field(default=0.03, metadata=_doc(
        "the second variable's score-test p should be below this (a margin under SPSS's 0.05)"))
    step2_lead: float = field(default=1.5, metadata=_doc(
        "the second variable's entry p should beat every other candidate's by this factor"))
    step3_other_p: float = field(default=0.08, metadata=_doc(
        "no third variable may come close to entering: its best score-test p stays above this"))
    os_entry_lead: float = field(default=1.3, metadata=_doc(
        "for OS, sorafenib must enter before intrahepatic status: its p must lead by this factor"))


LOSS = LossShape()
"""The loss constants used by every calibration."""


@dataclass(frozen=True)
class Schedule:
    """How a chain spends its iterations
    (see :func:`lungmets.synthetic.calibrate.calibrate_times`)."""

    phase_one_share: float = field(default=0.3, metadata=_doc(
        "share of a chain's iterations spent on the core targets before the full loss"))
    phase_one_temperatures: tuple[float, float] = field(default=(10.0, 0.05), metadata=_doc(
        "start and end temperature of the first phase (geometric cooling)"))
    phase_two_temperatures: tuple[float, float] = field(default=(1.0, 0.01), metadata=_doc(
        "start and end temperature of the second phase"))
    targeted_share: float = field(default=0.15, metadata=_doc(
        "share of moves that put an event exactly on a missed printed median"))
    hunt_share: float = field(default=0.25, metadata=_doc(
        "iterations of the hunt for hits, as a share of the chain's annealing iterations"))
    hunt_loss_cap: float = field(default=1.1, metadata=_doc(
        "the hunt may raise the annealed loss by at most this factor"))


SCHEDULE = Schedule()
"""The annealing schedule used by every calibration."""


def constants_table(constants: LossShape | Schedule) -> list[dict[str, object]]:
    """One row per constant (name, value, meaning), read from the dataclass itself so that the
    book shows exactly what the code uses."""
    return [{"constant": f.name, "value": getattr(constants, f.name),
             "meaning": f.metadata["meaning"]} for f in fields(constants)]
