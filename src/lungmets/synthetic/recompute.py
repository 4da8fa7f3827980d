"""How each published claim is recomputed from a SYNTHETIC cohort: one function per claim id.

Why this module exists: the scorecard (:mod:`lungmets.synthetic.scorecard`) judges claims; this
module says how each reproduced number is computed from the cohort's CSVs, with the statistics
the paper used (SPSS Kaplan-Meier median and SE, Mantel-Haenszel log-rank, forward-stepwise Cox
with Breslow ties) and with the groupings the chapters use, so chapter and scorecard cannot
disagree on what a group is.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from lungmets.analyses.adverse import claim_computers as adverse_claim_computers
from lungmets.analyses.covariates import paper_model
from lungmets.analyses.dosimetry import claim_computers as dosimetry_claim_computers
from lungmets.analyses.endpoints import endpoint_data
from lungmets.analyses.prognostic import FACTORS, candidate_columns, cox_design, factor_groups
from lungmets.analyses.tables import TABLE3_LEVELS
from lungmets.stats.stepwise import forward_stepwise_cox
from lungmets.stats.survival_stats import (
    km_median_spss,
    logrank_fast,
    pairwise_logrank,
    survival_at,
)
from lungmets.synthetic.reconstruct import Cohort

__all__ = ["Computer", "computers", "fit_stepwise", "forget_fits"]

Computer = Callable[[Cohort], float]

def _level_mask(factor: str, label: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda p: factor_groups(p, factor) == label


_TABLE3_MASKS: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    f"{factor}_{level_key}": _level_mask(factor, label)
    for factor, levels in TABLE3_LEVELS.items()
    for level_key, label in levels
}
"""Table 3 level (claims key) -> boolean mask, from the groupings the chapters use
(:data:`lungmets.analyses.prognostic.FACTORS`, via
:data:`lungmets.analyses.tables.TABLE3_LEVELS`)."""

_GROUPS: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "all": lambda p: pd.Series(True, index=p.index),
    "sorafenib_yes": _TABLE3_MASKS["sorafenib_yes"],
    "sorafenib_no": _TABLE3_MASKS["sorafenib_no"],
    "lesions_le3": _TABLE3_MASKS["lesions_le3"],
    "lesions_gt3": _TABLE3_MASKS["lesions_gt3"],
    "intrahepatic_active": _TABLE3_MASKS["intrahepatic_active"],
    "intrahepatic_inactive": _TABLE3_MASKS["intrahepatic_inactive"],
}

_TABLE1_FACTORS: tuple[str, ...] = tuple(FACTORS)
"""The thirteen Table 1 factors, grouped and Cox-coded exactly as the chapters do
(:data:`lungmets.analyses.prognostic.FACTORS`): one definition for chapter and scorecard."""


# --------------------------------------------------------------------------- endpoints


def _endpoint(p: pd.DataFrame, ep: str) -> tuple[np.ndarray, np.ndarray]:
    """(time, event) by the paper's definitions (:func:`lungmets.analyses.endpoints.endpoint_data`,
    the one the chapters use): PFS from RT start; OS from detection; 'osrt' = OS from RT start."""
    if ep not in ("pfs", "os", "osrt"):
        raise ValueError(f"unknown endpoint {ep!r}")
    data = endpoint_data(p, "pfs") if ep == "pfs" else endpoint_data(
        p, "os", origin="rt_start" if ep == "osrt" else "detection")
    return data["time"].to_numpy(float), data["event"].to_numpy(float)


def _median(ep: str, group: str, what: str) -> Computer:
    def f(c: Cohort) -> float:
        p = c.patients[_GROUPS[group](c.patients)]
        s = km_median_spss(*_endpoint(p, ep))
        return {"median": s.median, "se": s.se, "ci_lower": s.ci_lower,
                "ci_upper": s.ci_upper}[what]
    return f


def _val_median(group: str, what: str) -> Computer:
    def f(c: Cohort) -> float:
        v = c.validation[c.validation.group == group]
        s = km_median_spss(v.os_months.to_numpy(float), v.os_event.to_numpy(float))
        return s.median if what == "median" else s.se
    return f


def _rate(ep: str, group: str, months: float) -> Computer:
    def f(c: Cohort) -> float:
        p = c.patients[_GROUPS[group](c.patients)]
        return 100 * float(survival_at(*_endpoint(p, ep), [months]).iloc[0])
    return f


def _logrank(ep: str, factor: str) -> Computer:
    def f(c: Cohort) -> float:
        t, e = _endpoint(c.patients, ep)
        g = factor_groups(c.patients, factor).to_numpy()
        return logrank_fast(t, groups=g, events=e).p_value
    return f


def _val_p(a: str, b: str) -> Computer:
    def f(c: Cohort) -> float:
        v = c.validation
        res = pairwise_logrank(v.os_months, groups=v.group, events=v.os_event, pairs=[(a, b)])
        return float(res.p_value.iloc[0])
    return f


def _stepwise(c: Cohort, ep: str) -> pd.DataFrame:
    """Forward-stepwise Cox (SPSS FSTEP(LR), Breslow) over all 13 factors; final table.

    Computed once per cohort and endpoint while a scorecard is being built."""
    key = (id(c), ep)
    if key not in _STEPWISE:
        _STEPWISE[key] = fit_stepwise(c.patients, ep)
    return _STEPWISE[key]


def fit_stepwise(p: pd.DataFrame, ep: str) -> pd.DataFrame:
    """The scorecard's forward-stepwise Cox fit of one endpoint (uncached): final model indexed
    by factor key, with the ``selected`` factors in order of entry; indicators in the paper's
    HR direction (>3 lesions, active tumour, NO sorafenib), liver treatment as one block."""
    data = cox_design(p, _TABLE1_FACTORS)
    data["time"], data["event"] = _endpoint(p, ep)
    candidates = candidate_columns(_TABLE1_FACTORS)
    res = forward_stepwise_cox(data, "time", "event", candidates, categorical=["livertx"])
    factor_of = dict(zip(candidates, _TABLE1_FACTORS, strict=True))
    final = res.final.assign(variable=res.final["variable"].map(factor_of)).set_index("variable")
    return final.assign(selected=", ".join(factor_of[v] for v in res.selected))


_STEPWISE: dict[tuple[int, str], pd.DataFrame] = {}


def forget_fits() -> None:
    """Drop the stepwise fits kept while one scorecard is built (they are keyed by the
    cohort object's id, which a later cohort may reuse)."""
    _STEPWISE.clear()


def _mv(ep: str, factor: str, what: str) -> Computer:
    def f(c: Cohort) -> float:
        final = _stepwise(c, ep)
        if factor not in final.index:
            return math.nan
        col = {"hr": "hr", "ci_lower": "ci_lower", "ci_upper": "ci_upper", "p": "p"}[what]
        return float(final.loc[factor, col])
    return f


def _count(mask: Callable[[pd.DataFrame], pd.Series], pct: bool = False,
           frame: str = "patients") -> Computer:
    def f(c: Cohort) -> float:
        df = getattr(c, frame)
        k = float(mask(df).sum())
        return 100 * k / len(df) if pct else k
    return f


def _summary(values: Callable[[Cohort], np.ndarray], what: str) -> Computer:
    """Median ± SE (Kaplan-Meier with every value an event, as SPSS printed it), min, max."""
    def f(c: Cohort) -> float:
        x = values(c)
        if what in ("min", "max"):
            return float(getattr(x, what)())
        s = km_median_spss(x, np.ones(x.size))
        return s.median if what == "median" else s.se
    return f


def _followup(frame: str, what: str) -> Computer:
    """Reverse Kaplan-Meier median (and its SPSS SE) of OS; range over patients alive."""
    def f(c: Cohort) -> float:
        df = c.patients if frame == "patients" else c.validation[c.validation.group == "S"]
        t, e = df.os_months.to_numpy(float), df.os_event.to_numpy(float)
        if what in ("min", "max"):
            return float(getattr(t[e == 0], what)())
        s = km_median_spss(t, 1.0 - e)
        return s.median if what == "median" else s.se
    return f


def computers() -> dict[str, Computer]:
    """Claim id -> how the synthetic cohort reproduces it."""
    out: dict[str, Computer] = {}
    n_total = _count(lambda p: pd.Series(True, index=p.index))
    for cid in ("t3_n_total", "t1_n_total", "abs_n_total", "res_n_total", "met_n_total",
                "met_n_total_split", "fig_n_total", "res_n_total_lesion_cohort"):
        out[cid] = n_total
    for level, mask in _TABLE3_MASKS.items():
        out[f"t3_n_{level}"] = _count(mask)
        out[f"t3_pct_{level}"] = _count(mask, pct=True)
    out["res_pct_male_all"] = _count(_TABLE3_MASKS["sex_male"], pct=True)
    out["res_pct_hepatitis_all"] = _count(_TABLE3_MASKS["hepatitis_present"], pct=True)
    out["res_pct_maxsize_le3_all"] = _count(_TABLE3_MASKS["maxsize_le3"], pct=True)
    for cp in ("a", "b"):
        out[f"res_n_childpugh_{cp}"] = _count(lambda p, cp=cp: p.child_pugh == cp.upper())
        out[f"res_pct_childpugh_{cp}"] = _count(lambda p, cp=cp: p.child_pugh == cp.upper(),
                                                pct=True)
    out["met_n_sorafenib_yes"] = _count(_TABLE3_MASKS["sorafenib_yes"])
    out["met_n_sorafenib_no"] = _count(_TABLE3_MASKS["sorafenib_no"])
    for dose in ("800", "400"):
        out[f"met_n_dose_{dose}"] = _count(lambda p, d=dose: p.sorafenib_mg_day == int(d))
    for key, label in (("rfa", "rfa"), ("tace", "tace"), ("rfa_tace", "rfa_tace")):
        out[f"met_n_{key}_during_rt"] = _count(
            lambda p, lab=label: p.intrahepatic_treatment_during_rt == lab)
    out["met_n_adrenal_mets"] = _count(lambda p: p.other_mets_site == "right_adrenal")
    out["met_n_bone_mets"] = _count(lambda p: p.other_mets_site.str.startswith("bone"))
    out["met_n_bone_mets_ribs"] = _count(lambda p: p.other_mets_site == "bone_rib")
    out["met_n_bone_mets_scapula"] = _count(lambda p: p.other_mets_site == "bone_right_scapula")
    out["disc_n_othermets_yes"] = _count(_TABLE3_MASKS["othermets_yes"])
    out["met_n_deaths"] = _count(lambda p: p.os_event == 1)
    out["met_pct_deaths"] = _count(lambda p: p.os_event == 1, pct=True)

    # responses
    for r in ("cr", "pr", "sd", "pd"):
        out[f"res_n_response_{r}_all"] = _count(lambda p, r=r: p.response == r.upper())
        out[f"res_pct_response_{r}_all"] = _count(lambda p, r=r: p.response == r.upper(), True)
        out[f"res_n_lesion_response_{r}"] = _count(lambda d, r=r: d.response == r.upper(),
                                                   frame="lesions")
        out[f"res_pct_lesion_response_{r}"] = _count(lambda d, r=r: d.response == r.upper(),
                                                     True, "lesions")
    out["abs_n_response_cr_all"] = out["res_n_response_cr_all"]
    out["abs_n_response_pr_all"] = out["res_n_response_pr_all"]
    orr = _count(lambda p: p.response.isin(["CR", "PR"]), pct=True)
    for cid in ("res_pct_orr_all", "abs_pct_orr_all", "disc_pct_orr_all"):
        out[cid] = orr
    lorr = _count(lambda d: d.response.isin(["CR", "PR"]), True, "lesions")
    for cid in ("res_pct_lesion_orr", "disc_pct_lesion_orr"):
        out[cid] = lorr
    n_les = _count(lambda d: pd.Series(True, index=d.index), frame="lesions")
    for cid in ("res_n_lesions_total", "met_n_lesions_total", "disc_n_lesions_total"):
        out[cid] = n_les

    # survival medians, SEs, CIs (every printing)
    for src in ("res", "abs", "disc"):
        for ep in ("pfs", "os"):
            out[f"{src}_{ep}_median_all"] = _median(ep, "all", "median")
            out[f"{src}_{ep}_median_se_all"] = _median(ep, "all", "se")
    for ep in ("pfs", "os"):
        for b in ("lower", "upper"):
            out[f"res_{ep}_median_ci_{b}_all"] = _median(ep, "all", f"ci_{b}")
    for src in ("abs",):
        for ep in ("pfs", "os"):
            for g in ("sorafenib_yes", "sorafenib_no"):
                out[f"{src}_{ep}_median_{g}"] = _median(ep, g, "median")
                out[f"{src}_{ep}_median_se_{g}"] = _median(ep, g, "se")
    for src in ("res", "abs"):
        for g in ("lesions_le3", "lesions_gt3"):
            out[f"{src}_pfs_median_{g}"] = _median("pfs", g, "median")
            out[f"{src}_pfs_median_se_{g}"] = _median("pfs", g, "se")
        for g in ("intrahepatic_inactive", "intrahepatic_active"):
            out[f"{src}_os_median_{g}"] = _median("os", g, "median")
            out[f"{src}_os_median_se_{g}"] = _median("os", g, "se")
    for g, lab in (("rt", "Rt"), ("s", "S"), ("co", "Co")):
        out[f"res_os_median_val_{g}"] = _val_median(lab, "median")
        out[f"res_os_median_se_val_{g}"] = _val_median(lab, "se")

    # landmark rates: by arm from RT start ("at 1 year following radiotherapy"); overall from
    # detection ("after diagnosis"); see contradictions C5/C6
    out["res_os_rate_24m_all"] = _rate("os", "all", 24.0)
    for g in ("sorafenib_no", "sorafenib_yes"):
        for m in (12, 24):
            out[f"res_pfs_rate_{m}m_{g}"] = _rate("pfs", g, float(m))
            out[f"res_os_rate_{m}m_{g}"] = _rate("osrt", g, float(m))
        out[f"disc_pfs_rate_12m_{g}"] = _rate("pfs", g, 12.0)

    # log-rank
    for ep in ("pfs", "os"):
        for f in _TABLE1_FACTORS:
            out[f"t1_{ep}_uni_p_{f}"] = _logrank(ep, f)
    for src in ("res", "abs"):
        out[f"{src}_pfs_logrank_p_sorafenib"] = _logrank("pfs", "sorafenib")
        out[f"{src}_os_logrank_p_sorafenib"] = _logrank("os", "sorafenib")
        out[f"{src}_pfs_logrank_p_lesions"] = _logrank("pfs", "lesions")
        out[f"{src}_os_logrank_p_intrahepatic"] = _logrank("os", "intrahepatic")
    out["disc_pfs_logrank_p_lesions"] = _logrank("pfs", "lesions")
    out["res_os_logrank_p_val_rt_vs_co"] = _val_p("Rt", "Co")
    out["res_os_logrank_p_val_s_vs_co"] = _val_p("S", "Co")
    out["res_os_logrank_p_val_rt_vs_s"] = _val_p("Rt", "S")

    # multivariable Cox (forward stepwise)
    for ep in ("pfs", "os"):
        for f in paper_model(ep):
            for q in ("hr", "ci_lower", "ci_upper", "p"):
                out[f"t1_{ep}_mv_{q}_{f}"] = _mv(ep, f, q)
                out[f"res_{ep}_mv_{q}_{f}"] = _mv(ep, f, q)
    out["abs_pfs_mv_p_sorafenib"] = _mv("pfs", "sorafenib", "p")
    out["abs_os_mv_p_sorafenib"] = _mv("os", "sorafenib", "p")
    out["res_pfs_hr_approx_lesions"] = _mv("pfs", "lesions", "hr")

    # adverse events: Table 2 cells, "Total (n)" (as AE records, contradiction C2), the text's
    # counts and maximum grade, from the definitions the adverse-events chapter uses
    out.update(adverse_claim_computers())
    out.update(dosimetry_claim_computers())

    # inclusion criteria and protocol ranges the patients must respect
    out["met_ecog_min"] = lambda c: float(c.patients.ecog.min())
    out["met_ecog_max"] = lambda c: float(c.patients.ecog.max())
    out["met_max_diameter_inclusion_cm"] = lambda c: float(c.patients.max_lesion_cm.max())
    out["met_max_lesions_inclusion"] = lambda c: float(c.patients.n_lesions.max())

    # summaries printed as median ± SE (range), and follow-up
    for key, col in (("pmfi", "pmfi_months"), ("pdr", "pdr_months")):
        for what in ("median", "median_se", "min", "max"):
            out[f"met_{key}_{what}"] = _summary(
                lambda c, col=col: c.patients[col].to_numpy(float),
                what.replace("median_se", "se"))
    for what in ("median", "median_se", "min", "max"):
        w = what.replace("median_se", "se")
        out[f"met_sorafenib_days_{what}"] = _summary(
            lambda c: c.patients.sorafenib_days.dropna().to_numpy(float), w)
        out[f"met_val_sorafenib_days_{what}"] = _summary(
            lambda c: c.validation.query("group == 'S'").sorafenib_days.to_numpy(float), w)
        out[f"met_followup_{what}"] = _followup("patients", w)
        out[f"met_val_followup_{what}"] = _followup("validation", w)
    for g, lab in (("co", "Co"), ("rt", "Rt"), ("s", "S")):
        out[f"met_n_val_{g}"] = _count(lambda v, lab=lab: v.group == lab, frame="validation")
    out["met_n_val_co_rt"] = _count(lambda v: v.group.isin(["Co", "Rt"]), frame="validation")
    out["met_n_total_validation"] = lambda c: float(len(c.patients))
    return out
