"""The paper's "further validation": overall survival in three groups, Co, Rt and S.

Why this module exists: Sun et al. (2016) back their main finding with a comparison of OS
between patients given HT + sorafenib (Co) or HT only (Rt), both with a well-controlled
intrahepatic tumour and both drawn from the main cohort, and patients given sorafenib only (S),
treated in an earlier period. They print three medians ± SE and three unadjusted pairwise
log-rank p-values. This module recomputes those numbers from the SYNTHETIC cohort exactly as
:mod:`lungmets.synthetic.scorecard` does (SPSS median and SE, Mantel-Haenszel log-rank per pair),
and adds what a reader needs to weigh them: the overall three-group test the paper did not print,
Holm and Bonferroni adjustments for the three tests, a re-timing of Co and Rt from the start of
radiotherapy (their OS clock starts at detection, so the detection-to-radiotherapy interval is
time they had to survive to be in the group), and the smallest hazard ratio the groups could
detect.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri

from lungmets.analyses.endpoints import compare_to_claims, death_from_rt_start
from lungmets.claims import claim
from lungmets.stats.survival_stats import (
    LogrankResult,
    km_median_spss,
    logrank_fast,
    pairwise_logrank,
)
from lungmets.synthetic.reconstruct import Cohort

__all__ = [
    "ADJUSTMENTS",
    "GROUPS",
    "GROUP_LABELS",
    "ORIGINS",
    "PAIRS",
    "POWER",
    "adjust_pvalues",
    "compare_validation",
    "detectable_hazard_ratio",
    "followup_summary",
    "group_medians",
    "overall_logrank",
    "pairwise_tests",
    "published_pairwise",
    "sorafenib_days_summary",
    "validation_data",
]

GROUPS: tuple[str, ...] = ("Co", "Rt", "S")
"""The paper's group codes, in the order the chapter shows them."""

GROUP_LABELS: dict[str, str] = {
    "Co": "Co: HT + sorafenib",
    "Rt": "Rt: HT only",
    "S": "S: sorafenib only",
}

PAIRS: tuple[tuple[str, str], ...] = (("Rt", "Co"), ("S", "Co"), ("Rt", "S"))
"""The three comparisons in the order and orientation the paper printed them."""

_PAIR_CLAIMS: dict[tuple[str, str], str] = {
    ("Rt", "Co"): "res_os_logrank_p_val_rt_vs_co",
    ("S", "Co"): "res_os_logrank_p_val_s_vs_co",
    ("Rt", "S"): "res_os_logrank_p_val_rt_vs_s",
}

ADJUSTMENTS: tuple[str, ...] = ("none", "bonferroni", "holm")
"""Multiplicity adjustments offered: none (as printed), Bonferroni, Holm's step-down."""

ORIGINS: dict[str, str] = {
    "detection": "detection of lung metastases (the paper)",
    "rt_start": "start of radiotherapy for Co and Rt",
}
"""Where OS starts for Co and Rt. S has no radiotherapy and always starts at detection."""

POWER: float = 0.8
"""Conventional power for the detectable-hazard-ratio calculation (an analysis choice)."""

Origin = Literal["detection", "rt_start"]
Adjustment = Literal["none", "bonferroni", "holm"]

_VAL = "validation.csv"
_PAT = "patients.csv"


def _group_of(patients: pd.DataFrame) -> pd.Series:
    """Co/Rt by the paper's definition: inactive intrahepatic tumour, with/without sorafenib."""
    inactive = patients["intrahepatic_active"].astype(int) == 0
    with_sorafenib = patients["sorafenib"].astype(int) == 1
    return pd.Series(
        np.where(inactive, np.where(with_sorafenib, "Co", "Rt"), ""), index=patients.index
    )


def validation_data(cohort: Cohort, origin: Origin = "detection") -> pd.DataFrame:
    """One row per validation patient: ``patient_id``, ``group``, ``time`` (months), ``event``.

    Co and Rt rows must be main-cohort patients whose sorafenib and intrahepatic status give
    that group, with the same OS; a row that disagrees raises, naming file, row and column.
    ``origin="rt_start"`` measures Co and Rt from the start of radiotherapy (OS minus the
    detection-to-radiotherapy interval); S keeps its time from detection, because it had no
    radiotherapy and its start of sorafenib is not recorded.
    """
    if origin not in ORIGINS:
        raise ValueError(f"origin={origin!r}: expected one of {list(ORIGINS)}")
    v = cohort.validation
    p = cohort.patients.set_index("patient_id", drop=False)
    expected = _group_of(p)
    bad = v.index[~v["group"].isin(GROUPS)]
    if len(bad):
        raise ValueError(
            f"{_VAL}: row {bad[0]}, column 'group': {v.at[bad[0], 'group']!r} is not one of "
            f"{list(GROUPS)}"
        )
    for row, rec in v[v["group"] != "S"].iterrows():
        pid = rec["patient_id"]
        if pid not in p.index:
            raise ValueError(f"{_VAL}: row {row}, column 'patient_id': {pid!r} is not in {_PAT}")
        if expected[pid] != rec["group"]:
            raise ValueError(
                f"{_VAL}: row {row}, column 'group': {pid!r} is {rec['group']!r} but {_PAT} "
                f"(sorafenib, intrahepatic_active) makes it {expected[pid] or 'no group'!r}"
            )
        for col in ("os_months", "os_event"):
            if not math.isclose(float(rec[col]), float(p.at[pid, col]), abs_tol=1e-9):
                raise ValueError(
                    f"{_VAL}: row {row}, column {col!r}: {pid!r} has {rec[col]!r} but "
                    f"{p.at[pid, col]!r} in {_PAT}"
                )
    missing = sorted(set(expected.index[expected != ""]) - set(v["patient_id"]))
    if missing:
        raise ValueError(f"{_VAL}: column 'patient_id': {_PAT} patient {missing[0]!r} "
                         "belongs in Co or Rt but is absent")
    time = v["os_months"].astype(float).copy()
    if origin == "rt_start":
        main = v["group"] != "S"
        shifted = death_from_rt_start(p.loc[v.loc[main, "patient_id"]], _PAT)
        time.loc[main] = shifted.to_numpy()
    return pd.DataFrame({
        "patient_id": v["patient_id"].to_numpy(),
        "group": pd.Categorical(v["group"], categories=list(GROUPS)),
        "time": time.to_numpy(),
        "event": v["os_event"].astype(int).to_numpy(),
    }, index=v.index)


def group_medians(data: pd.DataFrame) -> pd.DataFrame:
    """SPSS median OS ± SE and its 95% CI (median ± 1.96 SE) per group, with n and deaths."""
    rows = []
    for g in GROUPS:
        part = data[data["group"] == g]
        s = km_median_spss(part["time"].to_numpy(float), part["event"].to_numpy(float))
        rows.append({"group": g, "n": len(part), "deaths": int(part["event"].sum()),
                     "median": s.median, "se": s.se, "ci_lower": s.ci_lower,
                     "ci_upper": s.ci_upper})
    return pd.DataFrame(rows).set_index("group")


def adjust_pvalues(p: ArrayLike, method: Adjustment = "none") -> NDArray[np.float64]:
    """Family-wise adjusted p-values, in the input order, capped at 1.

    Bonferroni multiplies each p by the number of tests m. Holm's step-down multiplies the
    k-th smallest by (m - k + 1) and keeps the sequence monotone; it controls the same error
    rate as Bonferroni and never rejects less.
    """
    x = np.asarray(p, dtype=float).ravel()
    if not np.all((x >= 0) & (x <= 1)):
        raise ValueError(f"p-values must lie in [0, 1]; got {x.tolist()}")
    m = x.size
    if method == "none":
        return x.copy()
    if method == "bonferroni":
        return np.minimum(1.0, m * x)
    if method == "holm":
        order = np.argsort(x, kind="stable")
        stepped = np.maximum.accumulate((m - np.arange(m)) * x[order])
        out = np.empty(m)
        out[order] = np.minimum(1.0, stepped)
        return out
    raise ValueError(f"method={method!r}: expected one of {list(ADJUSTMENTS)}")


def pairwise_tests(data: pd.DataFrame, method: Adjustment = "none",
                   pairs: Sequence[tuple[str, str]] = PAIRS) -> pd.DataFrame:
    """Unadjusted two-group log-rank tests per pair (as the paper and the scorecard) and the
    p-value after ``method`` across the pairs given."""
    g = data["group"].astype(str).to_numpy()
    res = pairwise_logrank(data["time"].to_numpy(float), groups=g,
                           events=data["event"].to_numpy(float), pairs=list(pairs))
    res.insert(0, "comparison", [f"{a} vs {b}" for a, b in pairs])
    res["p_adjusted"] = adjust_pvalues(res["p_value"], method)
    return res.drop(columns=["group_a", "group_b"]).set_index("comparison")


def overall_logrank(data: pd.DataFrame) -> LogrankResult:
    """The three-group log-rank test (2 df) the paper did not print."""
    return logrank_fast(data["time"].to_numpy(float), groups=data["group"].astype(str),
                        events=data["event"].to_numpy(float))


def published_pairwise(method: Adjustment = "none") -> pd.DataFrame:
    """The paper's three printed p-values and what they become after ``method``."""
    ids = [_PAIR_CLAIMS[pair] for pair in PAIRS]
    p = np.array([claim(i).number for i in ids])
    return pd.DataFrame({"claim": ids, "published": [claim(i).value for i in ids],
                         "p_adjusted": adjust_pvalues(p, method)},
                        index=pd.Index([f"{a} vs {b}" for a, b in PAIRS], name="comparison"))


def detectable_hazard_ratio(events: int, share: float, alpha: float,
                            power: float = POWER) -> float:
    """Smallest hazard ratio (> 1) a two-sided log-rank test detects with ``power``.

    Schoenfeld's approximation: events D = (z_{1-alpha/2} + z_power)^2 / (share (1 - share)
    (ln HR)^2), solved for HR, where ``share`` is the fraction of patients in one group. It
    shows what a non-significant comparison of small groups could have missed.
    """
    if events <= 0 or not 0 < share < 1 or not 0 < alpha < 1 or not 0 < power < 1:
        raise ValueError("need events > 0 and share, alpha, power in (0, 1)")
    z = float(ndtri(1 - alpha / 2) + ndtri(power))
    return math.exp(z / math.sqrt(events * share * (1 - share)))


def followup_summary(cohort: Cohort) -> dict[str, float]:
    """Follow-up of the S group as the scorecard reads the paper's sentence: reverse
    Kaplan-Meier median of OS (censoring as the event) with its SPSS SE; range over survivors."""
    s = cohort.validation[cohort.validation["group"] == "S"]
    t, e = s["os_months"].to_numpy(float), s["os_event"].to_numpy(float)
    rev = km_median_spss(t, 1.0 - e)
    alive = t[e == 0]
    return {"median": rev.median, "se": rev.se, "min": float(alive.min()),
            "max": float(alive.max())}


def sorafenib_days_summary(cohort: Cohort) -> dict[str, float]:
    """Days of sorafenib in S: median ± SE as SPSS prints a Kaplan-Meier of complete values."""
    x = cohort.validation.query("group == 'S'")["sorafenib_days"].to_numpy(float)
    s = km_median_spss(x, np.ones(x.size))
    return {"median": s.median, "se": s.se, "min": float(x.min()), "max": float(x.max())}


def compare_validation(cohort: Cohort) -> pd.DataFrame:
    """Every printed validation number beside its reproduction (``claim``, ``source``,
    ``published``, ``reproduced``, ``hit``, ``distance``), computed as the scorecard does."""
    data = validation_data(cohort)
    values: dict[str, float] = {}
    counts = data["group"].value_counts()
    for g in GROUPS:
        values[f"met_n_val_{g.lower()}"] = float(counts[g])
    values["met_n_val_co_rt"] = float(counts["Co"] + counts["Rt"])
    values["met_n_total_validation"] = float(len(cohort.patients))  # the cohort Co and Rt come from
    med = group_medians(data)
    for g in ("Rt", "S", "Co"):
        values[f"res_os_median_val_{g.lower()}"] = float(med.at[g, "median"])
        values[f"res_os_median_se_val_{g.lower()}"] = float(med.at[g, "se"])
    tests = pairwise_tests(data)
    for (a, b), p in zip(PAIRS, tests["p_value"], strict=True):
        values[_PAIR_CLAIMS[(a, b)]] = float(p)
    for key, summary in (("met_val_followup", followup_summary(cohort)),
                         ("met_val_sorafenib_days", sorafenib_days_summary(cohort))):
        for what in ("median", "se", "min", "max"):
            values[f"{key}_{what.replace('se', 'median_se')}"] = summary[what]
    return compare_to_claims(values)
