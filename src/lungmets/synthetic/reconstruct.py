"""The reconstructed, SYNTHETIC patient-level cohort: build it from a seed, write it, read it.

Why this module exists: the book analyses patient-level data that the paper never published.
:func:`calibrate` builds a cohort that reproduces the paper's aggregates (counts exactly, by
construction in :mod:`lungmets.analyses.covariates`; survival numbers as closely as the annealing in
:mod:`lungmets.synthetic.calibrate` gets), deterministically from a seed, so an ensemble can call it
with other seeds. :func:`write_cohort` writes ``data/synthetic/*.csv`` byte-identically on every
run; chapters only ever :func:`load_cohort` the committed files and never recalibrate.

Where the paper's numbers cannot all hold, :func:`contradictions` lists each conflict with its
arithmetic (computed from the claims catalogue) and the priority the calibration gave it; the
scorecard cites these ids for every miss they explain.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lungmets.analyses.covariates import (
    FACTOR_LEVELS,
    adverse_events,
    assign_lesion_counts,
    lesions_table,
    spread_values,
)
from lungmets.claims import claim, value
from lungmets.critique.survival import median_se_floor
from lungmets.paths import SYNTHETIC_DIR
from lungmets.schema import validate_frame
from lungmets.stats.survival_stats import WALD_Z
from lungmets.synthetic.calibrate import calibrate_times
from lungmets.synthetic.state import Calibration
from lungmets.synthetic.targets import TARGETS, TICK, months_to_days, study_window

__all__ = [
    "CANONICAL_CHAINS",
    "CANONICAL_ITERATIONS",
    "CANONICAL_SEED",
    "FILES",
    "PATIENT_COLUMNS",
    "PRIORITY",
    "Cohort",
    "calibrate",
    "contradictions",
    "load_cohort",
    "write_cohort",
]

CANONICAL_SEED = 2016
"""The seed of the committed cohort (the paper's year; any seed gives a valid cohort)."""
CANONICAL_ITERATIONS = 40_000
"""Annealing iterations per chain of the committed cohort (benchmarks/calibration.md)."""
CANONICAL_CHAINS = 2
"""Independent annealing chains per seed (the best is kept); run in parallel with workers=2."""

FILES: tuple[str, ...] = ("patients.csv", "lesions.csv", "adverse_events.csv", "validation.csv")

PATIENT_COLUMNS: tuple[str, ...] = (
    "patient_id", "sorafenib", "sex", "age_years", "pdr_months", "pmfi_months", "afp_ng_ml",
    "viral_hepatitis", "n_lesions", "max_lesion_cm", "intrahepatic_active", "liver_treatment",
    "ecog", "other_mets", "other_mets_site", "child_pugh", "fractions", "sorafenib_mg_day",
    "sorafenib_days", "intrahepatic_treatment_during_rt", "response", "pfs_months",
    "pfs_event", "os_months", "os_event", "lung_mets_detected_date", "rt_start_date",
    "progression_date", "death_date", "last_followup_date", "validation_group",
)

PRIORITY: tuple[tuple[str, str], ...] = (
    ("hard", "counts of Table 3, Table 2, responses, lesions, deaths, group sizes (exact)"),
    ("1", "Kaplan-Meier medians (results text, then abstract; they agree where both print)"),
    ("2", "SPSS standard errors of those medians"),
    ("3", "log-rank p of the three factors the paper found significant, validation p"),
    ("4", "Cox hazard ratios, then their CIs, then their p (Table 1 over results text)"),
    ("5", "landmark rates, follow-up, the other ten factors' log-rank p"),
)
"""The order in which the calibration weighs conflicting targets (weights in
:data:`lungmets.synthetic.targets.TARGETS`): medians win over rates, text over abstract."""


@dataclass(frozen=True)
class Cohort:
    """The four synthetic tables, plus the calibration that made them (None when loaded)."""

    patients: pd.DataFrame
    lesions: pd.DataFrame
    adverse_events: pd.DataFrame
    validation: pd.DataFrame
    calibration: Calibration | None = None


# --------------------------------------------------------------------------- building


def _days(d: pd.Timestamp | None) -> str:
    return "" if d is None else d.strftime("%Y-%m-%d")


def _codes(cal: Calibration, factor: str) -> np.ndarray:
    return cal.codes[:, list(FACTOR_LEVELS).index(factor)]


def calibrate(seed: int = CANONICAL_SEED, iterations: int = CANONICAL_ITERATIONS,
              chains: int = CANONICAL_CHAINS, workers: int = 1) -> Cohort:
    """Build the whole synthetic cohort from a seed: survival calibration, then everything that
    hangs off it (dates, lesions, responses, doses, adverse events, validation groups).

    The result depends only on (seed, iterations, chains); ``workers`` > 1 runs the chains in
    parallel processes and changes nothing but the wall time."""
    return cohort_from(calibrate_times(seed, iterations, chains, workers))


def cohort_from(cal: Calibration) -> Cohort:
    """Everything that hangs off a survival calibration, drawn from its seed: the whole cohort.

    Separate from :func:`calibrate` so that a calibration refined further (the final polish,
    the trade-off probes) becomes a cohort the scorecard can score, exactly as the canonical
    one is made."""
    rng = np.random.default_rng([cal.seed, 3])
    n = cal.os.size
    win = study_window()

    # calendar: survivors end at the last follow-up date; deaths get an RT start inside the
    # study period that keeps the death before that date
    rt_start: list[dt.date] = []
    for i in range(n):
        os_d, pdr_d = months_to_days(cal.os[i] * TICK), months_to_days(cal.pdr[i] * TICK)
        if cal.os_ev[i] == 0:
            rt_start.append(win.last_followup - dt.timedelta(days=os_d - pdr_d))
        else:
            latest = min(win.study_end, win.last_followup - dt.timedelta(days=os_d - pdr_d))
            span = (latest - win.study_start).days
            if span < 0:
                raise ValueError(f"patient {i}: death cannot fall inside the follow-up window")
            rt_start.append(win.study_start + dt.timedelta(days=int(rng.integers(0, span + 1))))
    order = np.argsort([d.toordinal() * 100 + i for i, d in enumerate(rt_start)])
    pid = np.empty(n, dtype=object)
    pid[order] = [f"P{k + 1:02d}" for k in range(n)]

    sor = _codes(cal, "sorafenib")
    active = _codes(cal, "intrahepatic")
    gt3 = _codes(cal, "lesions")
    n_les = assign_lesion_counts(rng, gt3)
    max_cm = np.where(_codes(cal, "maxsize") == 1, rng.uniform(3.1, 4.9, n),
                      rng.uniform(1.0, 3.0, n)).round(1)

    # responses: PD for the earliest progression, CR for the longest PFS among patients with
    # few lesions (assumptions); PR and SD at random among the rest, counts from the claims
    resp = np.full(n, "", dtype=object)
    n_resp = {r: int(value(f"res_n_response_{r.lower()}_all")) for r in ("CR", "PR", "SD", "PD")}
    pd_cap = int(value("res_n_lesion_response_pd"))
    cr_cap = int(value("res_n_lesion_response_cr"))
    prog = np.flatnonzero((cal.pfs_ev == 1) & (n_les <= pd_cap))
    for i in prog[np.argsort(cal.pfs[prog], kind="stable")][: n_resp["PD"]]:
        resp[i] = "PD"
    few = np.flatnonzero((resp == "") & (n_les <= min(cr_cap, 3)))
    for i in few[np.argsort(-cal.pfs[few], kind="stable")][: n_resp["CR"]]:
        resp[i] = "CR"
    rest = rng.permutation(np.flatnonzero(resp == ""))
    resp[rest[: n_resp["PR"]]] = "PR"
    resp[rest[n_resp["PR"]:]] = "SD"
    if any(int((resp == r).sum()) != k for r, k in n_resp.items()):
        raise AssertionError("response counts do not match the claims")

    lesions = lesions_table(rng, list(pid), n_les, max_cm, resp)

    # sorafenib dose and days
    dose = np.zeros(n, dtype=int)
    sor_idx = rng.permutation(np.flatnonzero(sor == 1))
    n400 = int(value("met_n_dose_400"))
    dose[sor_idx[:n400]] = int(value("met_sorafenib_dose_400"))
    dose[sor_idx[n400:]] = int(value("met_sorafenib_dose_800"))
    days_vals = spread_values(
        rng, n=sor_idx.size, lo=value("met_sorafenib_days_min"),
        hi=value("met_sorafenib_days_max"), median=value("met_sorafenib_days_median"),
        se=value("met_sorafenib_days_median_se"),
        se_decimals=claim("met_sorafenib_days_median_se").decimals, decimals=0)
    sdays = np.full(n, np.nan)
    sdays[rng.permutation(sor_idx)] = days_vals
    ae = adverse_events(rng, pid.astype(str), sor, dose == int(value("met_sorafenib_dose_400")))

    # other covariates (assumptions inside the printed categories)
    age = np.where(_codes(cal, "age") == 1, rng.integers(60, 79, n), rng.integers(32, 60, n))
    # math.exp on scalars: numpy's vector exp takes CPU-specific kernels (see
    # lungmets.stats.fast_stats)
    high_afp = np.array([math.exp(v) for v in rng.uniform(math.log(20), math.log(12000), n)])
    afp = np.where(_codes(cal, "afp") == 1, high_afp, rng.uniform(1.0, 19.9, n)).round(1)
    pmfi_vals = spread_values(
        rng, n=n, lo=value("met_pmfi_min"), hi=value("met_pmfi_max"),
        median=value("met_pmfi_median"), se=value("met_pmfi_median_se"),
        se_decimals=claim("met_pmfi_median_se").decimals, decimals=1,
        threshold=value("t3_pmfi_cutoff_all"), n_at_or_above=int(value("t3_n_pmfi_ge12")))
    pm_code = _codes(cal, "pmfi")
    pmfi = np.empty(n)
    n_lo = int((pm_code == 0).sum())
    pmfi[rng.permutation(np.flatnonzero(pm_code == 0))] = pmfi_vals[:n_lo]
    pmfi[rng.permutation(np.flatnonzero(pm_code == 1))] = pmfi_vals[n_lo:]
    ecog = np.where(_codes(cal, "ecog") == 1, 2, rng.integers(0, 2, n))
    other = _codes(cal, "othermets")
    site = np.full(n, "none", dtype=object)
    om = rng.permutation(np.flatnonzero(other == 1))
    n_adr = int(value("met_n_adrenal_mets"))
    n_rib = int(value("met_n_bone_mets_ribs"))
    site[om[:n_adr]] = "right_adrenal"
    site[om[n_adr:n_adr + n_rib]] = "bone_rib"
    site[om[n_adr + n_rib:]] = "bone_right_scapula"
    child = np.full(n, "A", dtype=object)
    child[rng.integers(n)] = "B"
    liver = np.array(["resection", "tace", "transplantation"])[_codes(cal, "livertx")]
    ih = np.full(n, "none", dtype=object)
    act_idx = rng.permutation(np.flatnonzero(active == 1))
    k_rfa, k_tace = int(value("met_n_rfa_during_rt")), int(value("met_n_tace_during_rt"))
    ih[act_idx[:k_rfa]] = "rfa"
    ih[act_idx[k_rfa:k_rfa + k_tace]] = "tace"
    ih[act_idx[k_rfa + k_tace:]] = "rfa_tace"
    fractions = np.where((n_les >= 6) | (ecog == 2), int(value("met_fractions_max")),
                         int(value("met_fractions_min")))
    group = np.where(active == 1, "", np.where(sor == 1, "Co", "Rt"))

    rows = []
    for i in range(n):
        rt = pd.Timestamp(rt_start[i])
        detected = rt - pd.Timedelta(days=months_to_days(cal.pdr[i] * TICK))
        end = detected + pd.Timedelta(days=months_to_days(cal.os[i] * TICK))
        prog_date = (rt + pd.Timedelta(days=months_to_days(cal.pfs[i] * TICK))
                     if cal.pfs_ev[i] == 1 else None)
        rows.append({
            "patient_id": pid[i], "sorafenib": int(sor[i]),
            "sex": "male" if _codes(cal, "sex")[i] == 1 else "female",
            "age_years": int(age[i]), "pdr_months": cal.pdr[i] * TICK,
            "pmfi_months": pmfi[i], "afp_ng_ml": afp[i],
            "viral_hepatitis": int(_codes(cal, "hepatitis")[i]), "n_lesions": int(n_les[i]),
            "max_lesion_cm": max_cm[i], "intrahepatic_active": int(active[i]),
            "liver_treatment": liver[i], "ecog": int(ecog[i]), "other_mets": int(other[i]),
            "other_mets_site": site[i], "child_pugh": child[i], "fractions": int(fractions[i]),
            "sorafenib_mg_day": int(dose[i]),
            "sorafenib_days": "" if np.isnan(sdays[i]) else int(sdays[i]),
            "intrahepatic_treatment_during_rt": ih[i], "response": resp[i],
            "pfs_months": cal.pfs[i] * TICK, "pfs_event": int(cal.pfs_ev[i]),
            "os_months": cal.os[i] * TICK, "os_event": int(cal.os_ev[i]),
            "lung_mets_detected_date": _days(detected), "rt_start_date": _days(rt),
            "progression_date": _days(prog_date),
            "death_date": _days(end) if cal.os_ev[i] == 1 else "",
            "last_followup_date": _days(end), "validation_group": group[i],
        })
    patients = pd.DataFrame(rows, columns=list(PATIENT_COLUMNS))
    patients = patients.sort_values("patient_id").reset_index(drop=True)

    s_days = spread_values(
        rng, n=cal.s_os.size, lo=value("met_val_sorafenib_days_min"),
        hi=value("met_val_sorafenib_days_max"), median=value("met_val_sorafenib_days_median"),
        se=value("met_val_sorafenib_days_median_se"),
        se_decimals=claim("met_val_sorafenib_days_median_se").decimals, decimals=0)
    s_days = rng.permutation(s_days)
    val_main = patients.loc[patients["validation_group"] != "",
                            ["patient_id", "validation_group", "os_months", "os_event",
                             "sorafenib_days"]]
    val_main = val_main.rename(columns={"validation_group": "group"})
    val_s = pd.DataFrame({
        "patient_id": [f"S{k + 1:02d}" for k in range(cal.s_os.size)], "group": "S",
        "os_months": cal.s_os * TICK, "os_event": cal.s_ev.astype(int),
        "sorafenib_days": s_days.astype(int),
    })
    validation = pd.concat([val_main, val_s], ignore_index=True)
    validation = validation.sort_values("patient_id").reset_index(drop=True)
    frames = [_roundtrip(df) for df in (patients, lesions, ae, validation)]
    return Cohort(*frames, calibration=cal)


# --------------------------------------------------------------------------- files


_FORMATS: dict[str, str] = {
    "pdr_months": "{:.1f}", "pmfi_months": "{:.1f}", "afp_ng_ml": "{:.1f}",
    "max_lesion_cm": "{:.1f}", "pfs_months": "{:.1f}", "os_months": "{:.1f}",
    "baseline_cm": "{:.1f}", "post_cm": "{:.1f}",
}


_NULLABLE_INT = ("sorafenib_days",)


def _format(df: pd.DataFrame) -> pd.DataFrame:
    """Fixed decimals per column; whole numbers that may be missing written without '.0'."""
    out = df.copy()
    for col in out.columns:
        fmt = _FORMATS.get(col)
        if fmt is not None:
            out[col] = [fmt.format(float(v)) for v in out[col]]
        elif col in _NULLABLE_INT:
            out[col] = ["" if pd.isna(v) or v == "" else str(int(v)) for v in out[col]]
    return out


def _read(source: Path | io.StringIO) -> pd.DataFrame:
    return pd.read_csv(source, keep_default_na=False, na_values=[""])


def _roundtrip(df: pd.DataFrame) -> pd.DataFrame:
    """The frame exactly as :func:`load_cohort` would read it back (same values and dtypes),
    so a freshly calibrated cohort and a loaded one are interchangeable."""
    buffer = io.StringIO()
    _format(df).to_csv(buffer, index=False, lineterminator="\n")
    buffer.seek(0)
    return _read(buffer)


def write_cohort(cohort: Cohort, directory: Path = SYNTHETIC_DIR) -> list[Path]:
    """Write the four CSVs (header first, '\\n' endings, fixed decimals, sorted rows)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, df in zip(FILES, (cohort.patients, cohort.lesions, cohort.adverse_events,
                                cohort.validation), strict=True):
        path = directory / name
        _format(df).to_csv(path, index=False, lineterminator="\n")
        paths.append(path)
    return paths


def load_cohort(directory: Path = SYNTHETIC_DIR) -> Cohort:
    """Read the committed synthetic cohort (what every chapter uses), each file validated
    against :mod:`lungmets.schema` (a bad cell raises ``CohortFileError`` naming file, row and
    column)."""
    directory = Path(directory)
    frames = []
    for name in FILES:
        path = directory / name
        if not path.exists():
            raise FileNotFoundError(f"{path}: synthetic cohort file missing; run "
                                    "scripts/build_cohort.py")
        frames.append(validate_frame(_read(path), path))
    return Cohort(*frames)


# --------------------------------------------------------------------------- contradictions


def _target_weight(claim_id: str) -> float:
    """The calibration weight of the target that reproduces ``claim_id``."""
    return next(tg.weight for tg in TARGETS if tg.claim_id == claim_id)


def contradictions() -> pd.DataFrame:
    """Every conflict among the published numbers found while calibrating, with arithmetic
    computed from the catalogue, the claims involved, how the calibration resolved it, and
    ``misses``: the claims the resolution gives up (empty where the row records a reading of
    the paper that makes its numbers fit, or a tight but feasible combination)."""
    c = claim
    rows = []

    med, rate = c("abs_pfs_median_sorafenib_yes"), c("res_pfs_rate_12m_sorafenib_yes")
    rows.append(("C1", (med.id, rate.id, "disc_pfs_rate_12m_sorafenib_yes"),
                 f"median PFS {med.value} months < 12 means S(12) ≤ S({med.value}) ≤ 50%, "
                 f"but the 1-year PFS is printed as {rate.value}%",
                 "median kept (priority 1); the 1-year rate cannot exceed 50%"))

    cols = {arm: [value(f"t2_n_{ev}_sorafenib_{arm}") for ev in
                  ("esophagitis", "pneumonitis", "ast_alt", "hfsr", "anorexia", "diarrhoea",
                   "hypertension", "anemia", "leukocytopenia", "thrombocytopenia")]
            for arm in ("no", "yes")}
    rows.append(("C2", ("t2_n_total_sorafenib_no", "t2_n_total_sorafenib_yes"),
                 f"Table 2 columns sum to {sum(cols['no']):.0f} (HT only) and "
                 f"{sum(cols['yes']):.0f} (sorafenib); the 'Total (n)' row prints "
                 f"{c('t2_n_total_sorafenib_no').value} and {c('t2_n_total_sorafenib_yes').value}",
                 "cells kept; Total read as the number of AE records, so the sorafenib total "
                 "misses (read as patients with any AE it hits, and HT only misses instead)"))

    hr, lo, hi = (c(f"t1_os_mv_{q}_intrahepatic") for q in ("hr", "ci_lower", "ci_upper"))
    p_t, p_r = c("t1_os_mv_p_intrahepatic"), c("res_os_mv_p_intrahepatic")
    centre = math.exp((math.log(lo.number) + math.log(hi.number)) / 2)
    se = (math.log(hi.number) - math.log(lo.number)) / (2 * WALD_Z)
    from scipy.stats import norm

    p_ci = 2 * norm.sf(math.log(centre) / se)
    p_hr = 2 * norm.sf(math.log(hr.number) / se)
    rows.append(("C3", (hr.id, lo.id, hi.id, p_t.id, p_r.id),
                 f"a Wald CI {lo.value}-{hi.value} is centred on HR {centre:.2f}, not {hr.value}, "
                 f"and implies p = {p_ci:.3f} (HR {hr.value} with that SE: p = {p_hr:.3f}); "
                 f"Table 1 prints p = {p_t.value}, the results text p = {p_r.value}",
                 "HR weighted first, CI next, p last; not all can hold"))

    approx, hr_l = c("res_pfs_hr_approx_lesions"), c("res_pfs_mv_hr_lesions")
    rows.append(("C4", (approx.id, hr_l.id),
                 f"'approximately {approx.value} times' for HR {hr_l.value}, which rounds to "
                 f"{round(hr_l.number, approx.decimals)}",
                 "HR kept; the rounded paraphrase misses"))

    s24 = c("res_os_rate_24m_all")
    weighted = sum(value(f"res_os_rate_24m_sorafenib_{a}") * value(f"t3_n_sorafenib_{a}")
                   for a in ("no", "yes")) / value("t3_n_total")
    rows.append(("C5", (s24.id, "res_os_rate_24m_sorafenib_no", "res_os_rate_24m_sorafenib_yes"),
                 f"the 2-year OS by arm ({c('res_os_rate_24m_sorafenib_no').value}% and "
                 f"{c('res_os_rate_24m_sorafenib_yes').value}%) average, weighted by arm size, to "
                 f"{weighted:.1f}%, far above the overall {s24.value}%",
                 "read as different time origins: arm rates 'at 1 year following radiotherapy' "
                 "from RT start, the overall rate 'after diagnosis' from detection"))

    o12 = c("res_os_rate_12m_sorafenib_yes")
    n_yes = int(value("t3_n_sorafenib_yes"))
    k = round(o12.number * n_yes / 100)
    rows.append(("C6", (o12.id, "met_followup_min"),
                 f"{o12.value}% of {n_yes} is not k/{n_yes} (nearest {k}/{n_yes} = "
                 f"{100 * k / n_yes:.1f}%), so a "
                 f"patient must be censored before 1 year; with follow-up ≥ "
                 f"{c('met_followup_min').value} months from detection that is only possible "
                 "on the RT-start time scale",
                 "OS landmark rates by arm computed from RT start (supports C5's reading)"))

    med_le3, r24 = c("res_pfs_median_lesions_le3"), c("res_pfs_rate_24m_sorafenib_no")
    rows.append(("C7", (med_le3.id, r24.id, "res_pfs_rate_24m_sorafenib_yes"),
                 f"2-year PFS {r24.value}% in both arms forces every PFS event before 24 months, "
                 f"so half of the ≤3-lesion patients must progress between {med_le3.value} and "
                 "24 months: possible but tight",
                 "both targeted; reported in the scorecard"))

    os_med = c("res_os_median_all")
    rows.append(("C9", (s24.id, os_med.id),
                 f"2-year OS {s24.value}% < 50% means S(24) ≤ 0.5, so the median OS cannot "
                 f"exceed 24 months; it is printed as {os_med.value}",
                 "median kept (priority 1); the 2-year rate cannot fall below 50%"))

    co_se, yes_se = c("res_os_median_se_val_co"), c("abs_os_median_se_sorafenib_yes")
    no_se = c("abs_os_median_se_sorafenib_no")
    rows.append(("C8", (co_se.id, yes_se.id, no_se.id),
                 f"Co (a subset of the sorafenib arm) has median OS "
                 f"{c('res_os_median_val_co').value} ± {co_se.value}, the whole arm "
                 f"{c('abs_os_median_sorafenib_yes').value} ± "
                 f"{yes_se.value}; the HT-only arm's SE {no_se.value} equals Co's (possible, "
                 "but suggests a copied cell)",
                 "all targeted; feasible together"))
    ht_rate, ht_med = c("res_pfs_rate_12m_sorafenib_no"), c("abs_pfs_median_sorafenib_no")
    ht_se, n_no = c("abs_pfs_median_se_sorafenib_no"), int(value("t3_n_sorafenib_no"))
    floor = median_se_floor(ht_rate, 12, ht_med, n_no)
    s_min = ht_rate.lower / 100  # the lowest rate that prints as the published one
    rows.append(("C10", (ht_rate.id, "disc_pfs_rate_12m_sorafenib_no", ht_med.id, ht_se.id),
                 f"HT-only PFS still {ht_rate.value}% (> 45%) at 12 months puts SPSS's l̂ after "
                 f"12 months, so its density is at most 1/(12 - {ht_med.value}); with "
                 f"{n_no} patients Greenwood's SE at the median is at least "
                 f"√({s_min:.4f}·{1 - s_min:.4f}/{n_no}), so the median's SE is at least "
                 f"{floor:.2f}, not ± {ht_se.value}",
                 "median and SE weigh more (priority 1), so the 1-year rate misses; its weight "
                 f"is lowered to {_target_weight(ht_rate.id)}, as C1's and C9's are"))
    frame = pd.DataFrame(rows, columns=["id", "claims", "arithmetic", "resolution"])
    mv_ih = tuple(f"{src}_os_mv_{q}_intrahepatic" for src in ("t1", "res")
                  for q in ("hr", "ci_lower", "ci_upper", "p"))
    misses = {
        "C1": ("res_pfs_rate_12m_sorafenib_yes", "disc_pfs_rate_12m_sorafenib_yes"),
        "C2": ("t2_n_total_sorafenib_yes",),
        "C3": mv_ih,
        "C4": ("res_pfs_hr_approx_lesions",),
        "C9": ("res_os_rate_24m_all",),
        "C10": ("res_pfs_rate_12m_sorafenib_no", "disc_pfs_rate_12m_sorafenib_no"),
    }
    frame["misses"] = [misses.get(i, ()) for i in frame.id]
    return frame.sort_values("id", key=lambda ids: ids.str[1:].astype(int)).reset_index(
        drop=True)
