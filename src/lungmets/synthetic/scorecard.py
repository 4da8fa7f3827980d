"""The reproduction scorecard: every published claim the SYNTHETIC cohort can speak to, hit or miss.

Why this module exists: a reconstruction is only as honest as its list of misses. For each claim
id, the reproduced value is recomputed from the committed CSVs with the statistics the paper
used (SPSS Kaplan-Meier median and SE, Mantel-Haenszel log-rank, forward-stepwise Cox with
Breslow ties), formatted at the printed precision and judged with :meth:`Claim.matches`. A miss
names the documented contradiction that explains it
(:func:`lungmets.synthetic.reconstruct.contradictions`) or says plainly that the calibration did not
reach it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from lungmets.analyses.adverse import claim_computers as adverse_claim_computers
from lungmets.analyses.dosimetry import claim_computers as dosimetry_claim_computers
from lungmets.analyses.endpoints import endpoint_data
from lungmets.analyses.prognostic import (
    FACTORS,
    candidate_columns,
    cox_design,
    factor_groups,
    paper_model,
)
from lungmets.analyses.tables import TABLE3_LEVELS
from lungmets.claims import Claim, claim, load_claims
from lungmets.stats.stepwise import forward_stepwise_cox
from lungmets.stats.survival_stats import (
    km_median_spss,
    logrank_fast,
    pairwise_logrank,
    survival_at,
)
from lungmets.synthetic.reconstruct import Cohort, contradictions, load_cohort
from lungmets.synthetic.tradeoffs import BOOST, Probe, load_tradeoffs, target_for

__all__ = [
    "BETTER",
    "MATCH",
    "MATCH_LEGEND",
    "NOT_ESTIMABLE",
    "NOT_REACHED",
    "NOT_SELECTED",
    "NOT_TARGETED",
    "OUT_OF_REACH",
    "TRADE_OFF",
    "UNSCORED_REASONS",
    "Reproduction",
    "computers",
    "csv_for_download",
    "fit_stepwise",
    "for_readers",
    "headline",
    "miss_reasons",
    "note_for",
    "probed_misses",
    "reader_table",
    "reason",
    "reproduce",
    "scorecard",
    "unscored",
]

NOT_REACHED = "calibration did not reach"
NOT_SELECTED = "variable not selected by forward stepwise"
NOT_ESTIMABLE = "not estimable from the synthetic cohort"
TRADE_OFF = "trade-off (probe)"
OUT_OF_REACH = "out of reach of the search (probe)"
BETTER = "a better cohort exists (probe)"
NOT_TARGETED = "drawn, not calibrated"
_PROBE_NOTES = {"trade-off": TRADE_OFF, "out of reach": OUT_OF_REACH, "better": BETTER}
MATCH: dict[bool, str] = {True: "\u2713", False: "\u2717"}
"""Hit and miss as the tables show them (✓, ✗), explained by :data:`MATCH_LEGEND`."""
MATCH_LEGEND = (
    "\u2713: the synthetic cohort reproduces the printed value at its printed precision; "
    "\u2717: it does not, and the table gives the reason."
)
_READER_REASONS: dict[str, str] = {
    NOT_REACHED: "Not reached by the calibration: no synthetic cohort it found matches this "
                 "number together with the rest, and no contradiction in the paper explains it.",
    NOT_SELECTED: "Not estimable: forward-stepwise Cox does not select this factor in the "
                  "synthetic cohort, so there is no hazard ratio to compare.",
    NOT_ESTIMABLE: "Not estimable: the synthetic cohort's Kaplan-Meier curve does not reach "
                   "this point.",
    NOT_TARGETED: "Drawn, not calibrated: the values are generated around the three order "
                  "statistics that fix the median and its SE, on the printed grid, and no "
                  "placement the generator tries gives the printed SE, so it keeps the "
                  "closest. A placement with tied values at those order statistics might; the "
                  "generator does not try one.",
}


@dataclass(frozen=True)
class Reproduction:
    """One claim against the synthetic cohort (``reproduced`` is formatted like ``published``)."""

    claim_id: str
    published: str
    reproduced: str
    hit: bool
    distance: float
    note: str


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


# --------------------------------------------------------------------------- the card


def _fmt(cl: Claim, x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "not estimable"
    if cl.relation in ("<", "<=") and cl.matches(x):
        return f"{x:.{max(cl.decimals, 3)}f}"
    return f"{x:.{cl.decimals}f}"


@lru_cache(maxsize=1)
def _contradictions() -> pd.DataFrame:
    """The contradictions table, computed once for the miss notes and their reasons."""
    return contradictions()


@lru_cache(maxsize=1)
def _explained() -> dict[str, str]:
    table = _contradictions()
    out: dict[str, str] = {}
    for cid, ids in zip(table.id, table.misses, strict=True):
        for claim_id in ids:
            out.setdefault(claim_id, cid)
    return out


def reproduce(cohort: Cohort | None = None) -> list[Reproduction]:
    """Every reproducible claim, in catalogue order."""
    c = load_cohort() if cohort is None else cohort
    claims = load_claims()
    rows: list[Reproduction] = []
    comp = computers()
    for cid, cl in claims.items():
        if cid not in comp:
            continue
        x = comp[cid](c)
        estimable = x is not None and not math.isnan(x)
        ok = estimable and cl.matches(x)
        dist = cl.distance(x) if estimable else math.nan
        rows.append(Reproduction(cid, cl.value, _fmt(cl, x), ok, dist,
                                 note_for(cid, ok, estimable)))
    _STEPWISE.clear()
    return rows


def scorecard(cohort: Cohort | None = None) -> pd.DataFrame:
    """The reproduction table: claim, section, published, reproduced, hit, distance, note."""
    claims = load_claims()
    frame = pd.DataFrame([r.__dict__ for r in reproduce(cohort)])
    frame.insert(1, "section", [claims[c].section for c in frame.claim_id])
    return frame


def note_for(claim_id: str, hit: bool, estimable: bool) -> str:
    """The scorecard's note on one reproduction: empty for a hit; else the id of the paper's
    contradiction that explains the miss, why nothing could be estimated, or NOT_REACHED.

    One function for the scorecard and the chapters, so a miss carries the same reason on
    every page that shows it."""
    if hit:
        return ""
    if claim_id in _explained():
        return _explained()[claim_id]
    if not estimable:
        return NOT_SELECTED if "_mv_" in claim_id else NOT_ESTIMABLE
    probe = _probes().get(claim_id)
    if probe is not None:
        return _PROBE_NOTES[probe.outcome]
    if target_for(claim_id) is None:
        return NOT_TARGETED
    return NOT_REACHED


def probed_misses(card: pd.DataFrame) -> list[str]:
    """The misses a trade-off probe is for: no contradiction explains them and they were
    estimable, whether or not a probe of them is on file yet."""
    notes = (NOT_REACHED, *_PROBE_NOTES.values())
    return card.loc[~card["hit"] & card["note"].isin(notes), "claim_id"].tolist()


@lru_cache(maxsize=1)
def _probes() -> dict[str, Probe]:
    """The committed trade-off probes, if they were made from the committed cohort."""
    return load_tradeoffs()


def _probe_reason(note: str, probe: Probe) -> str:
    """A probe's outcome in a reader's words, with how much it cost; which numbers broke is in
    the reconstruction chapter's table of probes (a reason names no other number, so a page
    never shows terms it does not explain)."""
    n = len(probe.broken)
    lost = f"{n} number{'s' if n != 1 else ''} reproduced now miss" if n else "nothing breaks"
    won = len(probe.gained)
    weighted = f"a calibration that weights it {BOOST:g} times as much"
    where = "(the reconstruction chapter lists them: table of probes)"
    if note == TRADE_OFF:
        return (f"Trade-off: {weighted} reproduces it ({probe.after}), but then {lost}, against "
                f"{won} won {where}; the search found no cohort that holds it without a net "
                "loss.")
    if note == OUT_OF_REACH:
        after = (f"the closest it gets is {probe.after}" if probe.after != probe.before
                 else f"it stays at {probe.after}")
        return (f"Out of reach of the search: with {weighted}, {after} (printed "
                f"{probe.published}), and {lost}" + (f" {where}." if n else "."))
    return (f"A better cohort exists: {weighted} reproduces it ({probe.after}) and, in all, "
            f"{1 + won - n} more numbers than the canonical cohort ({won} others won, {lost}). "
            "The canonical cohort has not adopted it yet.")


@lru_cache(maxsize=1)
def _arithmetic() -> dict[str, str]:
    table = _contradictions()
    return dict(zip(table.id, table.arithmetic, strict=True))


def reason(note: str, claim_id: str = "") -> str:
    """A scorecard note in a clinician's words: a contradiction id becomes the paper's own
    arithmetic that rules the printed value out, a probe's note its cost (``claim_id`` says
    which probe); empty for a hit."""
    if not note:
        return ""
    if note in _PROBE_NOTES.values():
        return _probe_reason(note, _probes()[claim_id])
    if note in _READER_REASONS:
        return _READER_REASONS[note]
    return (f"The paper contradicts itself ({note}, see the reconstruction chapter): "
            f"{_arithmetic()[note]}.")


_ID_COLUMNS: tuple[str, ...] = ("claim_id", "claim id", "claim")


def reader_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Published beside reproduced as a clinician reads it, from any chapter's compare table
    (a claim id column, ``published``, ``reproduced``, ``hit``).

    Readers meet a number by what it is, not by its catalogue id, and a miss by its reason
    (the scorecard's, via :func:`note_for`); the ids stay in ``rows`` for code. Columns:
    Printed number, Where printed, Published, Reproduced, Match (:data:`MATCH`), Why it misses.
    """
    id_column = next((c for c in _ID_COLUMNS if c in rows.columns), None)
    if id_column is None:
        raise ValueError(f"rows has no claim id column ({' or '.join(_ID_COLUMNS)}); "
                         f"it has {list(rows.columns)}")
    if not all(isinstance(hit, bool | np.bool_) for hit in rows["hit"]):
        raise ValueError("rows['hit'] must hold True/False (not words such as 'hit'/'MISS')")
    claims = [claim(cid) for cid in rows[id_column]]
    reproduced = [str(x) for x in rows["reproduced"]]
    notes = [note_for(c.id, bool(hit), text not in ("not estimable", "nan"))
             for c, hit, text in zip(claims, rows["hit"], reproduced, strict=True)]
    return pd.DataFrame({
        "Printed number": [c.label for c in claims],
        "Where printed": [c.source[0].upper() + c.source[1:] for c in claims],
        "Published": list(rows["published"]),
        "Reproduced": reproduced,
        "Match": [MATCH[bool(hit)] for hit in rows["hit"]],
        "Why it misses": [reason(n, c.id) for n, c in zip(notes, claims, strict=True)],
    })


def for_readers(rows: pd.DataFrame) -> Styler:
    """:func:`reader_table` ready to display: no index, the ✓/✗ legend as the table's caption,
    long reasons wrapped."""
    return (reader_table(rows).style.hide(axis="index").set_caption(MATCH_LEGEND)
            .set_properties(subset=["Why it misses"], **{"white-space": "normal",
                                                         "min-width": "16em"}))


def miss_reasons(rows: pd.DataFrame) -> str:
    """Why a table's misses miss, one paragraph per reason naming the numbers it covers, for a
    table too wide for a reason column (Markdown; empty when nothing misses)."""
    table = reader_table(rows)
    misses = table[table["Match"] == MATCH[False]]
    return "\n\n".join(
        f"**{MATCH[False]} {why}** ({'; '.join(group['Printed number'])})"
        for why, group in misses.groupby("Why it misses", sort=False)
    )


_CSV_HEADER = ("# SYNTHETIC: reproduced values come from a cohort reconstructed from the paper's "
               "published aggregates, not from real patients (Sun et al., Oncotarget 2016). "
               "Read with pandas.read_csv(path, comment='#').")


def csv_for_download(card: pd.DataFrame) -> str:
    """The scorecard as CSV text: claim ids and notes for code, labels and reasons for people,
    under a first line that says the cohort is synthetic (the file travels without the page)."""
    claims = [claim(cid) for cid in card["claim_id"]]
    out = card.assign(
        label=[c.label for c in claims], source=[c.source for c in claims],
        reason=[reason(n, cid) for n, cid in zip(card["note"], card["claim_id"], strict=True)],
    )
    columns = ["claim_id", "label", "section", "source", "published", "reproduced", "hit",
               "distance", "note", "reason"]
    body = out[columns].to_csv(index=False, lineterminator="\n")
    return f"{_CSV_HEADER}\n{body}"


def headline(card: pd.DataFrame | None = None) -> str:
    """'X of Y reproducible claims reproduced at printed precision'."""
    card = scorecard() if card is None else card
    return (f"{int(card.hit.sum())} of {len(card)} reproducible claims reproduced at printed "
            "precision")


_PROTOCOL = re.compile(
    r"_ci_level_|_horizon_|^met_(alpha|spss_version|ctcae_version|recist_|n_radiologists_|"
    r"lab_tests_|ct_|n_respiratory_|followup_interval_|ptv_|lung_v20_|dose_|rfa_|sorafenib_dose_|"
    r"sorafenib_intakes_|n_treatment_groups|n_val_groups)|^disc_(ct_|dose_|lung_v20_limit|"
    r"treatment_weeks_)|^fig_n_isocenters")

UNSCORED_REASONS: tuple[tuple[str, Callable[[Claim], bool]], ...] = (
    ("about another study or the literature, not this cohort",
     lambda c: "literature" in c.id or "previous_study" in c.id),
    ("a cut-point or category definition: the reconstruction builds the groups from it",
     lambda c: "_cutoff" in c.id or "_ecog_level_" in c.id),
    ("a method or protocol setting (test level, landmark time, dose prescription, imaging, "
     "grading system), not a result the patients could reproduce",
     lambda c: bool(_PROTOCOL.search(c.id))),
    ("a calendar period: imposed on every date of the main cohort (checked by the cohort's "
     "tests); the S group has no dates in the synthetic data",
     lambda c: c.unit in ("date", "year")),
    ("dosimetry or treatment delivery: no patient-level record of it was published, and the "
     "synthetic cohort holds none",
     lambda c: any(k in c.id for k in ("lung_v", "dvh", "lung_tolerance", "childpugh_recovery",
                                        "ht_discontinued"))),
)
"""Why a claim of the catalogue is not on the scorecard: the first matching reason."""


def unscored() -> pd.DataFrame:
    """Every claim the scorecard does not reproduce, with the reason (claim_id, reason).

    A claim with no matching reason raises ValueError: a number added to the catalogue must be
    either reproduced or explained, never silently left out."""
    scored = computers()
    rows = []
    for cid, cl in load_claims().items():
        if cid in scored:
            continue
        reason = next((text for text, applies in UNSCORED_REASONS if applies(cl)), None)
        if reason is None:
            raise ValueError(f"claims.csv: {cid} is neither on the scorecard nor given a reason "
                             "in lungmets.synthetic.scorecard.UNSCORED_REASONS")
        rows.append({"claim_id": cid, "reason": reason})
    return pd.DataFrame(rows, columns=["claim_id", "reason"])

