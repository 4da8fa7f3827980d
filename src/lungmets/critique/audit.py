"""A consistency audit of the paper's own numbers, before any reanalysis.

Why this module exists: a reanalysis can only be as trustworthy as the numbers it calibrates to.
Before asking whether a synthetic cohort reproduces Sun et al. (2016), we ask whether the paper
agrees with *itself*: do percentages follow from their counts, do subgroups add up, do confidence
intervals, p-values and medians fit together, is a number printed twice printed the same way?

Every check is data (:class:`~lungmets.critique.checks.Check`): the claim ids it reads, the
arithmetic with the printed numbers substituted, a verdict and what the verdict means for a
reader. Verdicts are computed from the claims catalogue (:mod:`lungmets.claims`), never typed,
and they respect printed precision: a printed ``64.4`` stands for every value in its rounding
interval [64.35, 64.45), so a percentage is "consistent" when some value its count and
denominator allow rounds to it as printed.

Verdicts:

* ``consistent``: the printed numbers can all be true at once (at their printed precision);
* ``inconsistent``: no value inside the printed rounding intervals makes them agree;
* ``not checkable``: the question is well posed but the printed numbers cannot settle it (the
  explanation says what is missing).

The vocabulary (:class:`~lungmets.critique.checks.Check`, the verdicts, the families) and the
small helpers that take plain numbers or claims and work on any paper live in
:mod:`lungmets.critique.checks`.

References: Altman DG, Bland JM. How to obtain the P value from a confidence interval. BMJ
2011;343:d2304 (P from a CI). Altman DG, Bland JM. How to obtain the confidence interval from a P
value. BMJ 2011;343:d2090 (its inverse). Popoviciu's inequality on variances, Var(X) <= (b - a)^2/4
for X in [a, b] (bounds a standard deviation by its range).
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from lungmets.claims import Claim, load_claims
from lungmets.critique.checks import (
    FAMILIES,
    MINUS,
    TIMES,
    VERDICTS,
    Z95,
    Check,
    Claims,
    MissingClaim,
    as_int,
    bounds,
    ci_from_median_se,
    counts_for_percent,
    overlap,
    p_from_ci,
    percent_consistent,
    se_from_ci,
    tick,
    verdict,
)

__all__ = [
    "audit_frame",
    "median_se_floor",
    "missing_claim_ids",
    "run_audit",
    "summary",
]

_MONTH_DAYS = 365.25 / 12
#: SE(median) ≈ sqrt(pi/2)·SD/sqrt(n) for a normal sample: turns an SE of a median into an SD.
_MEDIAN_SE_FACTOR = math.sqrt(math.pi / 2)


# --------------------------------------------------------------------------------------------
# Small internal tools
# --------------------------------------------------------------------------------------------


def _corners(*claims: Claim) -> Iterable[tuple[float, ...]]:
    """Every corner of the box of rounding intervals (extremes of monotone functions)."""
    boxes = []
    for c in claims:
        lo, hi = bounds(c)
        boxes.append((lo, hi) if math.isfinite(lo) and math.isfinite(hi) else (c.number,) * 2)
    return itertools.product(*boxes)


def _p_range(hr: Claim, lower: Claim, upper: Claim) -> tuple[float, float]:
    """Range of the normal-tail p implied by an HR and CI anywhere inside their rounding box."""
    ps = [p_from_ci(h, lo, up, method="normal") for h, lo, up in _corners(hr, lower, upper)]
    return min(ps), max(ps)


def _midpoint_range(lower: Claim, upper: Claim) -> tuple[float, float]:
    """Range of the geometric midpoint sqrt(l·u) of a ratio CI over its rounding box."""
    mids = [math.sqrt(lo * up) for lo, up in _corners(lower, upper)]
    return min(mids), max(mids)


def _fmt_p(p: float) -> str:
    return f"{p:.3g}"


def _src(c: Claim) -> str:
    return f"{c.source} {c.value}"


def _months_between(start: dt.date, end: dt.date) -> float:
    return (end - start).days / _MONTH_DAYS


def _month_span(c: Claim) -> tuple[dt.date, dt.date]:
    """First and last day a printed date can mean ("October 2014" is any day of that month)."""
    if c.date is None:
        raise ValueError(f"claim {c.id}: value {c.value!r} carries no date")
    if re.search(r"\b\d{1,2}\b", c.value):  # a day is printed ("October 24, 2015")
        return c.date, c.date
    last = calendar.monthrange(c.date.year, c.date.month)[1]
    return c.date.replace(day=1), c.date.replace(day=last)


# --------------------------------------------------------------------------------------------
# Families of checks. Each builder takes the catalogue and returns its checks.
# --------------------------------------------------------------------------------------------

#: Table 3 factor -> level keys, in the table's order.
T3_LEVELS: dict[str, tuple[str, ...]] = {
    "sex": ("male", "female"),
    "age": ("ge60", "lt60"),
    "pdr": ("ge6", "lt6"),
    "pmfi": ("ge12", "lt12"),
    "afp": ("ge20", "lt20"),
    "hepatitis": ("present", "absent"),
    "lesions": ("le3", "gt3"),
    "maxsize": ("le3", "gt3"),
    "intrahepatic": ("active", "inactive"),
    "livertx": ("resection", "tace", "transplantation"),
    "sorafenib": ("no", "yes"),
    "ecog": ("0_1", "2"),
    "othermets": ("no", "yes"),
}

_RESPONSES = ("cr", "pr", "sd", "pd")


def _pct_line(n: Claim, d: int, pct: Claim) -> tuple[str, bool]:
    ok = percent_consistent(as_int(n), d, pct)
    return f"{as_int(n)} / {d} = {100 * as_int(n) / d:.2f}% → printed {pct.value} {tick(ok)}", ok


def _percent_check(
    cid: str,
    title: str,
    pairs: Sequence[tuple[Claim, Claim]],
    denominator: Claim,
    explanation_ok: str,
    explanation_bad: str,
) -> Check:
    d = as_int(denominator)
    lines, oks = zip(*(_pct_line(n, d, p) for n, p in pairs), strict=True)
    ok = all(oks)
    ids = (denominator.id, *itertools.chain.from_iterable((n.id, p.id) for n, p in pairs))
    return Check(cid, "percentages", title, ids, "; ".join(lines), verdict(ok),
                 explanation_ok if ok else explanation_bad)


def _percentages(c: Claims) -> list[Check]:
    checks = []
    total = c("t3_n_total")
    for factor, levels in T3_LEVELS.items():
        pairs = [(c(f"t3_n_{factor}_{lv}"), c(f"t3_pct_{factor}_{lv}")) for lv in levels]
        checks.append(_percent_check(
            f"pct_t3_{factor}", f"Table 3, {factor}: percentages against counts of {total.value}",
            pairs, total,
            "Every percentage in this row is its count over the cohort, rounded as printed.",
            "At least one percentage does not follow from its count over the cohort: a typo in "
            "the count or in the percentage; the table cannot say which.",
        ))
    n_all = c("abs_n_total")
    checks.append(_percent_check(
        "pct_response_patients", "Best response per patient (CR, PR, SD, PD): percentages",
        [(c(f"res_n_response_{r}_all"), c(f"res_pct_response_{r}_all")) for r in _RESPONSES],
        n_all,
        "The patient-level response percentages are their counts over the whole cohort.",
        "A patient-level response percentage does not match its count.",
    ))
    lesions = c("res_n_lesions_total")
    checks.append(_percent_check(
        "pct_response_lesions", "Response per lesion (CR, PR, SD, PD): percentages",
        [(c(f"res_n_lesion_response_{r}"), c(f"res_pct_lesion_response_{r}"))
         for r in _RESPONSES],
        lesions,
        "The lesion-level percentages use the lesions, not the patients, as denominator.",
        "A lesion-level percentage does not match its count over all lesions.",
    ))
    # Objective response rates: (CR + PR) / n, wherever an ORR and its counts are printed.
    for cid, prefix, pct_id, denom, what in (
        ("pct_orr_patients", "res_n_response", "res_pct_orr_all", n_all, "patients"),
        ("pct_orr_patients_abstract", "abs_n_response", "abs_pct_orr_all", n_all, "patients"),
        ("pct_orr_lesions", "res_n_lesion_response", "res_pct_lesion_orr", lesions, "lesions"),
    ):
        suffix = "_all" if "lesion" not in prefix else ""
        cr, pr, pct = c(f"{prefix}_cr{suffix}"), c(f"{prefix}_pr{suffix}"), c(pct_id)
        k, d = as_int(cr) + as_int(pr), as_int(denom)
        ok = percent_consistent(k, d, pct)
        checks.append(Check(
            cid, "percentages",
            f"Objective response rate, {what} ({pct.source}): (CR + PR) / n",
            (cr.id, pr.id, denom.id, pct.id),
            f"({cr.value} + {pr.value}) / {d} = {k} / {d} = {100 * k / d:.2f}% → printed "
            f"{pct.value} {tick(ok)}",
            verdict(ok),
            f"The response rate over {what} follows from the counts printed with it."
            if ok else f"The response rate over {what} does not follow from its counts.",
        ))
    checks.append(_percent_check(
        "pct_deaths", "Deaths at last follow-up: percentage",
        [(c("met_n_deaths"), c("met_pct_deaths"))], total,
        "The death percentage is the number of deaths over the cohort.",
        "The death percentage does not follow from the count of deaths.",
    ))
    checks.append(_percent_check(
        "pct_childpugh", "Child-Pugh class at the start of HT: percentages",
        [(c("res_n_childpugh_a"), c("res_pct_childpugh_a")),
         (c("res_n_childpugh_b"), c("res_pct_childpugh_b"))], total,
        "Printed as whole percentages, so they are coarse but correct.",
        "A Child-Pugh percentage does not follow from its count.",
    ))
    for key, level in (("male", "sex_male"), ("hepatitis", "hepatitis_present"),
                       ("maxsize_le3", "maxsize_le3")):
        text, n, pct = c(f"res_pct_{key}_all"), c(f"t3_n_{level}"), c(f"t3_pct_{level}")
        line, ok_count = _pct_line(n, as_int(total), text)
        ok_same = overlap([bounds(text), bounds(pct)])
        ok = ok_count and ok_same
        checks.append(Check(
            f"pct_text_vs_t3_{key}", "percentages",
            f"Results text against Table 3: {key.replace('_', ' ')}",
            (text.id, n.id, pct.id, total.id),
            f"text {line}; Table 3 prints {pct.value} {tick(ok_same)}",
            verdict(ok),
            "The text repeats Table 3 and both follow from the count."
            if ok else "The text and Table 3 disagree, or the text's percentage does not follow "
            "from the table's count.",
        ))
    return checks


def _sum_check(
    cid: str, title: str, parts: Sequence[Claim], targets: Sequence[Claim], meaning: str,
    mismatch: str,
) -> Check:
    s = sum(as_int(p) for p in parts)
    oks = [s == as_int(t) for t in targets]
    arithmetic = " + ".join(str(as_int(p)) for p in parts) + f" = {s}; " + "; ".join(
        f"{t.source} prints {t.value} {tick(ok)}" for t, ok in zip(targets, oks, strict=True)
    )
    ok = all(oks)
    return Check(cid, "sums", title, tuple(p.id for p in (*parts, *targets)), arithmetic,
                 verdict(ok), meaning if ok else mismatch)


def _sums(c: Claims) -> list[Check]:
    total = c("t3_n_total")
    checks = [
        _sum_check(
            "sum_sorafenib_arms", "HT + sorafenib and HT only make up the cohort",
            [c("met_n_sorafenib_yes"), c("met_n_sorafenib_no")], [total],
            "The two treatment arms partition the cohort.",
            "The two treatment arms do not add up to the cohort.",
        ),
        _sum_check(
            "sum_validation_inactive", "Validation groups Co + Rt are the inactive-liver patients",
            [c("met_n_val_co"), c("met_n_val_rt")],
            [c("met_n_val_co_rt"), c("t3_n_intrahepatic_inactive")],
            "The validation's Co and Rt groups are exactly the patients whose intrahepatic tumour "
            "was controlled (Table 3, inactive).",
            "The validation's Co and Rt groups do not match the number of patients with "
            "controlled intrahepatic tumours.",
        ),
        _sum_check(
            "sum_sorafenib_dose", "Sorafenib 800 mg/day + 400 mg/day = the sorafenib arm",
            [c("met_n_dose_800"), c("met_n_dose_400")], [c("met_n_sorafenib_yes")],
            "Every patient of the combination arm has a stated dose.",
            "The dose groups do not add up to the combination arm.",
        ),
        _sum_check(
            "sum_liver_treatment_during_rt",
            "RFA + TACE + both during RT = the patients with active intrahepatic tumour",
            [c("met_n_rfa_during_rt"), c("met_n_tace_during_rt"), c("met_n_rfa_tace_during_rt")],
            [c("t3_n_intrahepatic_active")],
            "Read as 'the patients with (active) intrahepatic tumours', every one of them had "
            "RFA, TACE or both during radiotherapy.",
            "The liver treatments during RT do not account for the patients with active "
            "intrahepatic tumours (or the sentence means another group).",
        ),
        _sum_check(
            "sum_other_metastases", "Adrenal + bone metastases = 'other metastasis: yes'",
            [c("met_n_adrenal_mets"), c("met_n_bone_mets")], [c("t3_n_othermets_yes")],
            "The methods' list of extrapulmonary metastases matches Table 3.",
            "The methods' extrapulmonary metastases do not match Table 3 (a patient with both "
            "would explain a smaller table count).",
        ),
        _sum_check(
            "sum_bone_sites", "Bone metastases: ribs + scapula",
            [c("met_n_bone_mets_ribs"), c("met_n_bone_mets_scapula")], [c("met_n_bone_mets")],
            "The bone sites account for every bone metastasis.",
            "The bone sites do not add up.",
        ),
        _sum_check(
            "sum_lesion_responses", "Lesion responses add up to all lesions",
            [c(f"res_n_lesion_response_{r}") for r in _RESPONSES],
            [c("res_n_lesions_total"), c("met_n_lesions_total")],
            "Every lesion has exactly one response category.",
            "The lesion responses do not add up to the number of lesions.",
        ),
        _sum_check(
            "sum_patient_responses", "Patient responses add up to the cohort",
            [c(f"res_n_response_{r}_all") for r in _RESPONSES], [c("abs_n_total")],
            "Every patient has exactly one best response.",
            "The patient responses do not add up to the cohort.",
        ),
        _sum_check(
            "sum_childpugh", "Child-Pugh A + B = the cohort",
            [c("res_n_childpugh_a"), c("res_n_childpugh_b")], [total],
            "Every patient has a Child-Pugh class.",
            "The Child-Pugh classes do not add up to the cohort.",
        ),
    ]
    # Co is a subset of the sorafenib arm and Rt of the HT-only arm (both inactive-liver), so the
    # active-liver patients per arm follow by subtraction and must add up to Table 3's "active".
    yes, no = c("met_n_sorafenib_yes"), c("met_n_sorafenib_no")
    co, rt, active = c("met_n_val_co"), c("met_n_val_rt"), c("t3_n_intrahepatic_active")
    a_yes, a_no = as_int(yes) - as_int(co), as_int(no) - as_int(rt)
    ok = a_yes >= 0 and a_no >= 0 and a_yes + a_no == as_int(active)
    checks.append(Check(
        "sum_active_by_arm", "sums", "Active-liver patients per arm, by subtraction",
        (yes.id, co.id, no.id, rt.id, active.id),
        f"sorafenib arm {yes.value} {MINUS} Co {co.value} = {a_yes}; "
        f"HT only {no.value} {MINUS} Rt {rt.value} = {a_no}; "
        f"{a_yes} + {a_no} = {a_yes + a_no}; Table 3 active {active.value} {tick(ok)}",
        verdict(ok),
        f"The arms differ in intrahepatic status: {a_yes} of {yes.value} combination patients "
        f"against {a_no} of {no.value} HT-only patients had an active liver tumour, a "
        "confounder the arm comparison inherits." if ok else
        "The validation groups cannot be subsets of the treatment arms as described.",
        {"active_sorafenib_yes": a_yes, "active_sorafenib_no": a_no},
    ))
    for factor, levels in T3_LEVELS.items():
        ns = [c(f"t3_n_{factor}_{lv}") for lv in levels]
        ps = [c(f"t3_pct_{factor}_{lv}") for lv in levels]
        n_sum = sum(as_int(n) for n in ns)
        lo = sum(bounds(p)[0] for p in ps)
        hi = sum(bounds(p)[1] for p in ps)
        p_sum = sum(float(p.number) for p in ps)
        ok_n, ok_p = n_sum == as_int(total), lo <= 100 < hi
        checks.append(Check(
            f"sum_t3_{factor}", "sums", f"Table 3, {factor}: levels add up to the cohort and 100%",
            (total.id, *(x.id for x in (*ns, *ps))),
            " + ".join(n.value for n in ns) + f" = {n_sum} (cohort {total.value} "
            f"{tick(ok_n)}); " + " + ".join(p.value for p in ps)
            + f" = {p_sum:g}% (100% reachable within rounding {tick(ok_p)})",
            verdict(ok_n and ok_p),
            "No patient is missing or counted twice in this factor." if ok_n and ok_p else
            "This factor's levels do not partition the cohort.",
        ))
    return checks


_T2_EVENTS = ("esophagitis", "pneumonitis", "ast_alt", "hfsr", "anorexia", "diarrhoea",
              "hypertension", "anemia", "leukocytopenia", "thrombocytopenia")
_SORAFENIB_AES = ("ast_alt", "hfsr", "anorexia", "diarrhoea")


def _adverse_events(c: Claims) -> list[Check]:
    checks = []
    col_sum: dict[str, int] = {}
    totals: dict[str, Claim] = {}
    for arm, label in (("sorafenib_no", "HT only"), ("sorafenib_yes", "HT + sorafenib")):
        rows = [c(f"t2_n_{e}_{arm}") for e in _T2_EVENTS]
        total = totals[arm] = c(f"t2_n_total_{arm}")
        s = col_sum[arm] = sum(as_int(r) for r in rows)
        ok = s == as_int(total)
        checks.append(Check(
            f"t2_column_sum_{arm}", "adverse_events",
            f"Table 2, {label}: the event rows against 'Total (n)'",
            (*(r.id for r in rows), total.id),
            " + ".join(r.value for r in rows) + f" = {s}; 'Total (n)' prints {total.value} "
            f"{tick(ok)}",
            verdict(ok),
            "'Total (n)' equals the number of events listed in this column." if ok else
            f"The rows list {s} events but the total is {total.value}: either 'Total' counts "
            "patients (some with more than one event) or a cell is wrong.",
            {"column_sum": s, "total": as_int(total)},
        ))
    # One meaning of "Total (n)" must fit both columns. Reading A: events; reading B: patients
    # with at least one event. The text says leukocytopenia and thrombocytopenia (HT only)
    # occurred in one patient, so that column has at most (events - 1) patients.
    bm = c.get("res_n_bone_marrow_suppression_all")
    leuko, thrombo = c("t2_n_leukocytopenia_sorafenib_no"), c("t2_n_thrombocytopenia_sorafenib_no")
    shared = min(as_int(leuko), as_int(thrombo)) if bm is not None and as_int(bm) == 1 else 0
    reading_a = {arm: col_sum[arm] == as_int(totals[arm]) for arm in col_sum}
    max_patients = {"sorafenib_no": col_sum["sorafenib_no"] - shared,
                    "sorafenib_yes": col_sum["sorafenib_yes"]}
    reading_b = {arm: as_int(totals[arm]) <= max_patients[arm] for arm in col_sum}
    ok = all(reading_a.values()) or all(reading_b.values())
    ids = (totals["sorafenib_no"].id, totals["sorafenib_yes"].id, leuko.id, thrombo.id)
    checks.append(Check(
        "t2_total_meaning", "adverse_events",
        "Table 2: one meaning of 'Total (n)' for both columns",
        (*ids, bm.id) if bm is not None else ids,
        f"as events: HT only {col_sum['sorafenib_no']} vs {totals['sorafenib_no'].value} "
        f"{tick(reading_a['sorafenib_no'])}, HT + sorafenib {col_sum['sorafenib_yes']} vs "
        f"{totals['sorafenib_yes'].value} {tick(reading_a['sorafenib_yes'])}; as patients "
        f"(text: leukocytopenia and thrombocytopenia in one patient): HT only ≤ "
        f"{max_patients['sorafenib_no']} vs {totals['sorafenib_no'].value} "
        f"{tick(reading_b['sorafenib_no'])}, HT + sorafenib ≤ {max_patients['sorafenib_yes']} "
        f"vs {totals['sorafenib_yes'].value} {tick(reading_b['sorafenib_yes'])}",
        verdict(ok),
        "One reading of 'Total (n)' fits both columns." if ok else
        "Neither reading fits both columns: counted as events the combination column is one "
        "short; counted as patients the HT-only column is one too many. A reader cannot tell how "
        "many patients had any adverse event.",
        {"max_patients_sorafenib_no": max_patients["sorafenib_no"]},
    ))
    for arm, label in (("sorafenib_yes", "HT + sorafenib"), ("sorafenib_no", "HT only")):
        text = c(f"res_n_radiation_ae_{arm}")
        eso, pneu = c(f"t2_n_esophagitis_{arm}"), c(f"t2_n_pneumonitis_{arm}")
        lo, hi = max(as_int(eso), as_int(pneu)), as_int(eso) + as_int(pneu)
        ok = lo <= as_int(text) <= hi
        checks.append(Check(
            f"t2_radiation_ae_{arm}", "adverse_events",
            f"Radiation esophagitis or pneumonitis, {label}: text against Table 2",
            (text.id, eso.id, pneu.id),
            f"Table 2: {eso.value} esophagitis + {pneu.value} pneumonitis → between {lo} and {hi} "
            f"patients; text prints {text.value} {tick(ok)}",
            verdict(ok),
            ("The text's count equals the sum, so no patient had both." if as_int(text) == hi
             else "The text's count implies some patients had both.") if ok else
            "The text's count is impossible given Table 2.",
        ))
    pairs = [(c(f"res_n_{e}_sorafenib_yes"), c(f"t2_n_{e}_sorafenib_yes")) for e in _SORAFENIB_AES]
    pairs.append((c("res_n_anorexia_sorafenib_no"), c("t2_n_anorexia_sorafenib_no")))
    oks = [as_int(a) == as_int(b) for a, b in pairs]
    checks.append(Check(
        "t2_drug_ae_text", "adverse_events", "Sorafenib-type adverse events: text against Table 2",
        tuple(itertools.chain.from_iterable((a.id, b.id) for a, b in pairs)),
        "; ".join(f"{a.label}: text {a.value}, table {b.value} {tick(ok)}"
                  for (a, b), ok in zip(pairs, oks, strict=True)),
        verdict(all(oks)),
        "The text's drug-related counts are Table 2's." if all(oks) else
        "The text and Table 2 disagree on a drug-related count.",
    ))
    drug = sum(as_int(c(f"t2_n_{e}_sorafenib_yes")) for e in _SORAFENIB_AES)
    ok = 2 * drug > col_sum["sorafenib_yes"]
    checks.append(Check(
        "t2_most_related_to_sorafenib", "adverse_events",
        "'Most of the AEs [with combination] were related to sorafenib'",
        tuple(f"t2_n_{e}_sorafenib_yes" for e in _T2_EVENTS),
        f"sorafenib-type events {drug} of {col_sum['sorafenib_yes']} listed = "
        f"{100 * drug / col_sum['sorafenib_yes']:.1f}% (> 50% {tick(ok)})",
        verdict(ok),
        "'Most' holds when counting the events Table 2 lists." if ok else
        "Sorafenib-type events are not a majority of the listed events.",
        {"sorafenib_type_events": drug, "events": col_sum["sorafenib_yes"],
         "pct": 100 * drug / col_sum["sorafenib_yes"]},
    ))
    return checks


def _feasible_ci(
    median: Claim, se: Claim, lower: Claim, upper: Claim
) -> tuple[float, float] | None:
    """Whether some (median, SE) in their rounding intervals gives both printed CI bounds.

    The CI is median ± 1.96·SE, so L and U determine median = (L + U)/2 and SE = (U - L)/3.92;
    search a fine grid over the L and U rounding intervals for a pair whose implied median and
    SE also lie in theirs. Returns the range of SEs that work, or None if none does.
    """
    (llo, lhi), (ulo, uhi) = bounds(lower), bounds(upper)
    ls = np.linspace(llo, lhi, 401)[:-1]
    us = np.linspace(ulo, uhi, 401)[:-1]
    lg, ug = np.meshgrid(ls, us)
    m, s = (lg + ug) / 2, (ug - lg) / (2 * Z95)
    (mlo, mhi), (slo, shi) = bounds(median), bounds(se)
    ok = (m >= mlo) & (m < mhi) & (s >= slo) & (s < shi)
    return (float(s[ok].min()), float(s[ok].max())) if ok.any() else None


def _median_ci(c: Claims) -> list[Check]:
    checks = []
    for ep, label in (("pfs", "PFS"), ("os", "OS")):
        m, s = c(f"res_{ep}_median_all"), c(f"res_{ep}_median_se_all")
        lo, up = c(f"res_{ep}_median_ci_lower_all"), c(f"res_{ep}_median_ci_upper_all")
        a, b = ci_from_median_se(float(m.number), float(s.number))
        feasible = _feasible_ci(m, s, lo, up)
        ok = feasible is not None
        se_back = (float(up.number) - float(lo.number)) / (2 * Z95)
        fits = f"SEs {feasible[0]:.4f}-{feasible[1]:.4f} fit all four" if feasible else "none fits"
        checks.append(Check(
            f"ci_{ep}_all", "median_ci", f"Median {label}, whole cohort: median ± 1.96·SE against "
            "the printed 95% CI",
            (m.id, s.id, lo.id, up.id),
            f"{m.value} ± 1.96 {TIMES} {s.value} = {a:.4f} to {b:.4f}; "
            f"printed {lo.value}-{up.value}; the CI implies "
            f"SE = ({up.value} {MINUS} {lo.value}) / 3.92 = {se_back:.4f} and median "
            f"{(float(lo.number) + float(up.number)) / 2:.3f}; {fits} {tick(ok)}",
            verdict(ok),
            "The CI is the SPSS one, median ± 1.96·SE, computed from the unrounded SE: so every "
            "'median ± x' in this paper's survival results can be read as median ± SE." if ok else
            "The printed CI is not median ± 1.96·SE for any median and SE that round as printed.",
            {"naive_lower": a, "naive_upper": b, "se_implied": se_back,
             **({"se_fit_min": feasible[0], "se_fit_max": feasible[1]} if feasible else {})},
        ))
    # The other survival medians print only "± SE"; the CI each implies, for the reader.
    rows = []
    ids: list[str] = []
    for med in sorted(c.find(lambda x: x.quantity in ("pfs_median", "os_median")
                             and x.source == "results text" and x.group != "all"),
                      key=lambda x: x.id):
        se = c.get(med.id.replace("_median_", "_median_se_"))
        if se is None:
            continue
        a, b = ci_from_median_se(float(med.number), float(se.number))
        ids += [med.id, se.id]
        rows.append(f"{med.quantity.split('_')[0].upper()} {med.group_label}: {med.value} "
                    f"± 1.96 {TIMES} {se.value} → {a:.2f}-{b:.2f}")
    for med in sorted(c.find(lambda x: x.source == "abstract" and x.quantity == "pfs_median"
                             and x.group in ("sorafenib_yes", "sorafenib_no")),
                      key=lambda x: x.id):
        se = c(med.id.replace("_median_", "_median_se_"))
        a, b = ci_from_median_se(float(med.number), float(se.number))
        ids += [med.id, se.id]
        rows.append(f"PFS {med.group_label} (abstract): {med.value} ± 1.96 {TIMES} {se.value} → "
                    f"{a:.2f}-{b:.2f}")
    checks.append(Check(
        "ci_implied_other_medians", "median_ci",
        "The 95% CIs the other '± SE' medians imply (none printed)", tuple(ids),
        "; ".join(rows), "not checkable",
        "No CI is printed for these medians, so nothing can disagree; the implied intervals are "
        "what a reader should keep in mind. Several are wide (a lower bound near zero or an "
        "upper bound beyond the last follow-up), and overlapping median CIs do not contradict a "
        "significant log-rank test, which compares whole curves.",
    ))
    return checks


#: (endpoint, factor, label) of the four multivariable hazard ratios.
_HRS = (("pfs", "lesions", "PFS, >3 vs ≤3 lesions"), ("pfs", "sorafenib", "PFS, HT only vs HT + "
        "sorafenib"), ("os", "intrahepatic", "OS, active vs inactive liver tumour"),
        ("os", "sorafenib", "OS, HT only vs HT + sorafenib"))


def _hazard_ratios(c: Claims) -> list[Check]:
    checks = []
    for ep, factor, label in _HRS:
        for src in ("t1", "res"):
            hr = c(f"{src}_{ep}_mv_hr_{factor}")
            lo, up = c(f"{src}_{ep}_mv_ci_lower_{factor}"), c(f"{src}_{ep}_mv_ci_upper_{factor}")
            p = c(f"{src}_{ep}_mv_p_{factor}")
            h, low, upp = float(hr.number), float(lo.number), float(up.number)
            se = se_from_ci(low, upp, ratio=True)
            z = math.log(h) / se
            p_ab = p_from_ci(h, low, upp)
            p_n = p_from_ci(h, low, upp, method="normal")
            pmin, pmax = _p_range(hr, lo, up)
            ok = overlap([(pmin, math.nextafter(pmax, math.inf)), bounds(p)])
            mid = math.sqrt(low * upp)
            extra = ""
            if not ok:
                extra = (f" With the HR at the CI's geometric midpoint ({mid:.2f}) the p would be "
                         f"{_fmt_p(p_from_ci(mid, low, upp, method='normal'))}.")
            checks.append(Check(
                f"hr_p_{ep}_{factor}_{src}", "hazard_ratios",
                f"{label} ({hr.source}): p implied by HR and 95% CI",
                (hr.id, lo.id, up.id, p.id),
                f"SE = (ln {up.value} {MINUS} ln {lo.value}) / 3.92 = {se:.4f}; "
                f"z = ln {hr.value} / SE = {z:.3f}; "
                f"p ≈ {_fmt_p(p_ab)} (Altman-Bland), {_fmt_p(p_n)} (normal), "
                f"{_fmt_p(pmin)}-{_fmt_p(pmax)} over the rounding box; printed {p.value} "
                f"{tick(ok)}",
                verdict(ok),
                ("The p-value is the Wald p of this HR and CI." if ok else
                 f"No HR and CI that round as printed give p = {p.value}: the HR, a CI bound or "
                 f"the p-value is misprinted.{extra}"),
                {"se": se, "z": z, "p_altman_bland": p_ab, "p_normal": p_n, "p_min": pmin,
                 "p_max": pmax, "midpoint": mid,
                 "p_at_midpoint": p_from_ci(mid, low, upp, method="normal")},
            ))
        hr = c(f"t1_{ep}_mv_hr_{factor}")
        lo, up = c(f"t1_{ep}_mv_ci_lower_{factor}"), c(f"t1_{ep}_mv_ci_upper_{factor}")
        mlo, mhi = _midpoint_range(lo, up)
        ok = overlap([(mlo, math.nextafter(mhi, math.inf)), bounds(hr)])
        mid = math.sqrt(float(lo.number) * float(up.number))
        p_mid = p_from_ci(mid, float(lo.number), float(up.number), method="normal")
        checks.append(Check(
            f"hr_symmetry_{ep}_{factor}", "hazard_ratios",
            f"{label}: is ln HR the midpoint of ln L and ln U?",
            (hr.id, lo.id, up.id),
            f"√({lo.value} {TIMES} {up.value}) = {mid:.3f} (range {mlo:.3f}-{mhi:.3f} over "
            f"rounding); printed HR {hr.value} {tick(ok)}",
            verdict(ok),
            "The CI is symmetric on the log scale around the HR, as a Cox model's Wald CI is."
            if ok else
            f"A Cox model's Wald CI is symmetric around ln HR; this one is centred on "
            f"{mid:.2f}, not {hr.value}, so the HR or one CI bound is misprinted (with the HR "
            f"at the midpoint, the Wald p would be {_fmt_p(p_mid)}).",
            {"midpoint": mid, "midpoint_min": mlo, "midpoint_max": mhi, "p_at_midpoint": p_mid},
        ))
    return checks


#: Design parameters (cut-offs, levels, CT dimensions), not results: repeating them is no test.
_NOT_RESULTS = ("cutoff", "ecog_level", "ct_dimensions", "ci_level", "horizon")
#: Printings compared by a dedicated check elsewhere (words, caption, text-vs-table, AE text).
_COMPARED_ELSEWHERE = frozenset({
    "res_pfs_hr_approx_lesions", "fig_lung_v20_pct_lesions_ge7", "fig_lung_v30_pct_lesions_ge7",
    "disc_lung_v20_pct_lesions_ge7", "disc_lung_v30_pct_lesions_ge7", "res_pct_male_all",
    "res_pct_hepatitis_all", "res_pct_maxsize_le3_all", "res_n_ast_alt_sorafenib_yes",
    "res_n_hfsr_sorafenib_yes", "res_n_anorexia_sorafenib_yes", "res_n_diarrhoea_sorafenib_yes",
    "res_n_anorexia_sorafenib_no", "abs_max_ae_grade_all",
})


def _repeated(c: Claims) -> list[Check]:
    checks = []
    # Every result (quantity, group) printed in more than one place, compared automatically.
    by_key: dict[tuple[str, str], list[Claim]] = {}
    for x in c.values():
        if (x.unit != "date" and x.id not in _COMPARED_ELSEWHERE
                and not any(word in x.quantity for word in _NOT_RESULTS)):
            by_key.setdefault((x.quantity, x.group), []).append(x)
    for (quantity, group), printings in sorted(by_key.items()):
        if len(printings) < 2:
            continue
        printings = sorted(printings, key=lambda x: x.id)
        ok = overlap([bounds(x) for x in printings])
        precisions = {x.decimals for x in printings}
        checks.append(Check(
            f"same_{quantity}_{group}", "repeated", f"{printings[0].label}: printed in "
            f"{len(printings)} places",
            tuple(x.id for x in printings),
            "; ".join(_src(x) for x in printings) + f" → one value fits all {tick(ok)}",
            verdict(ok),
            ("The printings agree" + (" (at different precisions)." if len(precisions) > 1
                                      else ".")) if ok else
            "The printings contradict each other: at least one is wrong, and a reader who sees "
            "only one of them is misled.",
        ))
    # HR "approximately 3.5 times" in words against the printed HR.
    approx, hr = c("res_pfs_hr_approx_lesions"), c("res_pfs_mv_hr_lesions")
    lo, hi = bounds(approx)
    ok = overlap([bounds(hr), (lo, hi)])
    checks.append(Check(
        "words_hr_lesions", "repeated", "'Approximately 3.5 times' against the HR",
        (approx.id, hr.id),
        f"HR {hr.value} rounded to {approx.decimals} decimal(s) = "
        f"{round(float(hr.number), approx.decimals):g}; words say {approx.value} "
        f"{tick(ok)}",
        verdict(ok),
        "The words round the HR correctly." if ok else
        "The words understate the HR: rounded like the words, it is not what they say.",
        {"hr_rounded": round(float(hr.number), approx.decimals)},
    ))
    # The text's multivariate p for intrahepatic status equals Table 1's univariate p.
    uni, mv_t, mv_r = (c("t1_os_uni_p_intrahepatic"), c("t1_os_mv_p_intrahepatic"),
                       c("res_os_mv_p_intrahepatic"))
    same_uni = uni.value == mv_r.value
    same_mv = mv_t.value == mv_r.value
    checks.append(Check(
        "p_copy_intrahepatic", "repeated",
        "OS, intrahepatic status: the text's multivariable p against Table 1's two p-values",
        (uni.id, mv_t.id, mv_r.id),
        f"text multivariable {mv_r.value}; Table 1 multivariable {mv_t.value} "
        f"{'=' if same_mv else '≠'}; Table 1 univariate {uni.value} "
        f"{'=' if same_uni else '≠'}",
        "not checkable",
        ("The text's multivariable p is the univariate (log-rank) p of Table 1, not Table 1's "
         "multivariable p: it looks copied from the wrong column, but the printed numbers alone "
         "cannot prove which value the model gave (see the HR checks for what the CI implies)."
         if same_uni and not same_mv else
         "The text's multivariable p is not the univariate one; nothing suggests a copy."),
    ))
    # The validation Co group (subset of the sorafenib arm) and the arms' OS medians.
    med_yes, se_yes = c("abs_os_median_sorafenib_yes"), c("abs_os_median_se_sorafenib_yes")
    se_no = c("abs_os_median_se_sorafenib_no")
    med_co, se_co = c("res_os_median_val_co"), c("res_os_median_se_val_co")
    checks.append(Check(
        "os_median_co_vs_arm", "repeated",
        "OS median of the Co group against the sorafenib arm it is drawn from",
        (med_yes.id, se_yes.id, se_no.id, med_co.id, se_co.id),
        f"sorafenib arm {med_yes.value} ± {se_yes.value} (abstract); Co {med_co.value} ± "
        f"{se_co.value}; same median: {med_yes.value == med_co.value}; Co SE equals the HT-only "
        f"arm's SE {se_no.value}: {se_no.value == se_co.value}",
        "not checkable",
        "Co is a subset of the sorafenib arm, so an identical median is possible (a Kaplan-Meier "
        "median is an event time that both curves can share); its SE equalling the HT-only "
        "arm's SE, to two decimals, is a coincidence or a copying slip. Only the data could "
        "tell.",
    ))
    return checks


def _landmark(
    rate: Claim, months: float, median: Claim, cid: str, title: str, note: str = ""
) -> Check:
    """S(t) > 50% forces median > t; S(t) < 50% forces median <= t (KM is non-increasing)."""
    rlo, rhi = bounds(rate)
    mlo, mhi = bounds(median)
    if rlo > 50:
        ok, rule = mhi > months, f"> 50% → median must exceed {months:g}"
    elif rhi <= 50:
        ok, rule = mlo <= months, f"< 50% → median must be ≤ {months:g}"
    else:
        return Check(cid, "landmarks", title, (rate.id, median.id),
                     f"{rate.value}% is 50% within rounding", "not checkable",
                     "A rate of 50% at the landmark does not bound the median.")
    return Check(
        cid, "landmarks", title, (rate.id, median.id),
        f"S({months:g}) = {rate.value}% {rule}; median {median.value} ({median.source}) "
        f"{tick(ok)}",
        verdict(ok),
        ("The landmark rate and the median tell the same story." if ok else
         "Impossible for one Kaplan-Meier curve: a curve still above 50% at the landmark has its "
         "median after it (or below 50%, before it). One of the two numbers is wrong, or they "
         "come from different analyses.") + note,
        {"rate": float(rate.number), "median": float(median.number), "months": months},
    )


def median_se_floor(rate: Claim, months: float, median: Claim, n_at_start: int) -> float | None:
    """Smallest SPSS standard error a Kaplan-Meier median can have when the curve is still
    above 45% at a landmark after the median; None when the rate does not say that.

    Why it bounds: SPSS divides the Greenwood SE of Ŝ(median) by a density, (Ŝ(û) - Ŝ(l̂)) /
    (l̂ - û), with û the last time Ŝ ≥ 0.55 (before the median) and l̂ the first time
    Ŝ ≤ 0.45 (here after the landmark). The numerator is at most 1, so the density is at most
    1 / (landmark - median). Greenwood's variance is at least Ŝ(1 - Ŝ)/n, its value without
    censoring (each at-risk count is at most n times the survival before it), and Ŝ(median)
    lies between the landmark rate and 0.5.
    """
    s = bounds(rate)[0] / 100
    median_hi = bounds(median)[1]
    if not 0.45 < s <= 0.5 or months <= median_hi:
        return None
    return math.sqrt(s * (1 - s) / n_at_start) * (months - median_hi)


def _landmark_se(c: Claims, arm: str) -> Check | None:
    rate, median = c(f"res_pfs_rate_12m_{arm}"), c(f"abs_pfs_median_{arm}")
    se, n = c(f"abs_pfs_median_se_{arm}"), as_int(c(f"t3_n_{arm}"))
    floor = median_se_floor(rate, 12, median, n)
    if floor is None:
        return None
    ok = floor < bounds(se)[1]
    return Check(
        f"landmark_se_pfs_12m_{arm}", "landmarks",
        f"PFS {arm.replace('_', ' ')}: 1-year rate against the median's standard error",
        (rate.id, median.id, se.id, f"t3_n_{arm}"),
        f"S(12) = {rate.value}% > 45% → SPSS's l̂ lies after 12 months and the density is at "
        f"most 1/(12 {MINUS} {median.value}); Greenwood SE ≥ √(Ŝ(1 {MINUS} Ŝ)/{n}) with Ŝ ≥ "
        f"{bounds(rate)[0] / 100:.4f}; so SE ≥ {floor:.3f}; printed ± {se.value} {tick(ok)}",
        verdict(ok),
        "The standard error leaves room for the landmark rate." if ok else
        "Impossible for one Kaplan-Meier curve with SPSS's standard error: a curve that is still "
        "above 45% a year after radiotherapy falls from 55% to 45% slowly, and a slow fall makes "
        "the median's SE large. The small SE says the curve fell quickly through 50%, so it "
        "cannot still be near 50% at 1 year.",
        {"se_floor": floor, "se_printed": float(se.number)},
    )


def _landmarks(c: Claims) -> list[Check]:
    checks = []
    for ep in ("pfs", "os"):
        for arm in ("sorafenib_yes", "sorafenib_no"):
            for months, key in ((12, "12m"), (24, "24m")):
                rate = c(f"res_{ep}_rate_{key}_{arm}")
                median = c(f"abs_{ep}_median_{arm}")
                note = (" (The text dates these OS rates from radiotherapy while OS is defined "
                        "from detection of the lung metastases, a median of a few months "
                        "earlier; the comparison holds only if both use one origin.)"
                        if ep == "os" else "")
                checks.append(_landmark(
                    rate, months, median, f"landmark_{ep}_{key}_{arm}",
                    f"{ep.upper()} {arm.replace('_', ' ')}: {months}-month rate against median",
                    note))
    checks.append(_landmark(c("res_os_rate_24m_all"), 24, c("res_os_median_all"),
                            "landmark_os_24m_all", "OS, whole cohort: 2-year rate against median",
                            " Both are counted from detection of the lung metastases, so the "
                            "time origin cannot explain it."))
    # PFS rates and medians share one origin (radiotherapy), so the median's SE bounds them too.
    checks += [ch for arm in ("sorafenib_yes", "sorafenib_no")
               if (ch := _landmark_se(c, arm)) is not None]
    # 0% PFS at 24 months in both arms means the pooled curve is 0 at 24 months: every PFS
    # median must be <= 24 and a CI reaching beyond 24 months is extrapolation.
    zero = [c("res_pfs_rate_24m_sorafenib_yes"), c("res_pfs_rate_24m_sorafenib_no")]
    le3, se3 = c("res_pfs_median_lesions_le3"), c("res_pfs_median_se_lesions_le3")
    all_zero = all(bounds(z)[0] <= 0 < bounds(z)[1] for z in zero)
    ok = float(le3.number) <= 24
    _, upper = ci_from_median_se(float(le3.number), float(se3.number))
    checks.append(Check(
        "landmark_pfs_24m_lesions_le3", "landmarks",
        "PFS ≤ 3 lesions: median against 0% PFS at 2 years in both arms",
        (*(z.id for z in zero), le3.id, se3.id),
        f"2-year PFS {zero[0].value}% and {zero[1].value}% → pooled curve 0 by 24 months "
        f"({all_zero}); median {le3.value} ≤ 24 {tick(ok)}; median + 1.96 {TIMES} {se3.value} = "
        f"{upper:.2f} months",
        verdict(ok),
        "The median itself is possible, but its implied CI runs past 24 months, where nobody "
        "was still progression-free: with about 18 patients, the SE of this median is too "
        "unstable to lean on." if ok else
        "A median beyond the time when every curve has reached 0 is impossible.",
        {"ci_upper": upper},
    ))
    return checks


def _pooled(c: Claims) -> list[Check]:
    checks = []
    r_all = c("res_os_rate_24m_all")
    r_yes, r_no = c("res_os_rate_24m_sorafenib_yes"), c("res_os_rate_24m_sorafenib_no")
    n_yes, n_no, total = c("met_n_sorafenib_yes"), c("met_n_sorafenib_no"), c("t3_n_total")
    lo, hi = sorted((float(r_yes.number), float(r_no.number)))
    between = lo <= float(r_all.number) <= hi
    weighted = (as_int(n_yes) * float(r_yes.number) + as_int(n_no) * float(r_no.number)) / (
        as_int(n_yes) + as_int(n_no))
    fractions = counts_for_percent(r_all, as_int(total))
    checks.append(Check(
        "pooled_os_24m", "pooled", "Two-year OS: whole cohort against the two arms",
        (r_all.id, r_yes.id, r_no.id, n_yes.id, n_no.id, total.id),
        f"arms {r_no.value}% (n = {n_no.value}) and {r_yes.value}% (n = {n_yes.value}); "
        f"n-weighted mean ({n_no.value} {TIMES} {r_no.value} + {n_yes.value} {TIMES} "
        f"{r_yes.value}) / {as_int(n_yes) + as_int(n_no)} = {weighted:.1f}%; printed overall "
        f"{r_all.value}% (between the arms {tick(between)}, "
        f"{float(r_all.number) - weighted:+.1f} points from the weighted mean); {r_all.value}% = "
        + (", ".join(f"{k}/{total.value}" for k in fractions) or "no k/45"),
        verdict(between),
        f"The overall rate lies between the arms, but well below their n-weighted mean "
        f"({weighted:.1f}%), which is what a pooled Kaplan-Meier curve gives when censoring "
        "before 2 years is light. The printed overall rate equals a plain fraction of the "
        "cohort alive, which would ignore censoring; the arms' rates would put the pooled curve "
        "above 50% at 2 years, in line with the overall median beyond 24 months." if between
        else "A pooled rate outside both subgroup rates cannot come from the same curves.",
        {"weighted_mean": weighted, "gap": float(r_all.number) - weighted,
         **({"count": fractions[0]} if len(fractions) == 1 else {})},
    ))
    for ep, pairs in (("pfs", (("sorafenib_yes", "sorafenib_no", "abs"),
                               ("lesions_le3", "lesions_gt3", "res"))),
                      ("os", (("sorafenib_yes", "sorafenib_no", "abs"),
                              ("intrahepatic_inactive", "intrahepatic_active", "res")))):
        overall = c(f"res_{ep}_median_all")
        for g1, g2, src in pairs:
            m1, m2 = c(f"{src}_{ep}_median_{g1}"), c(f"{src}_{ep}_median_{g2}")
            a, b = sorted((float(m1.number), float(m2.number)))
            ok = a <= float(overall.number) <= b
            factor = g1.rsplit("_", 1)[0]
            checks.append(Check(
                f"pooled_{ep}_median_{factor}", "pooled",
                f"Median {ep.upper()}: whole cohort between the subgroups {m1.group_label} "
                f"and {m2.group_label}",
                (overall.id, m1.id, m2.id),
                f"{m1.group_label} {m1.value}, {m2.group_label} {m2.value}; overall "
                f"{overall.value} {tick(ok)}",
                verdict(ok),
                "The pooled median lies between its subgroups' medians, as a mixture of two "
                "curves must (up to censoring)." if ok else
                "The pooled median lies outside its subgroups' medians.",
            ))
    return checks


def _follow_up(c: Claims) -> list[Check]:
    start, end, last = c("met_study_start"), c("met_study_end"), c("met_last_followup_date")
    fmin, fmax, fmed = c("met_followup_min"), c("met_followup_max"), c("met_followup_median")
    s0, _ = _month_span(start)
    e0, e1 = _month_span(end)
    last_day, _ = _month_span(last)
    window = _months_between(s0, last_day)
    ok = float(fmax.number) <= window
    checks = [Check(
        "followup_max_vs_window", "follow_up", "Longest follow-up against the study window",
        (start.id, last.id, fmax.id),
        f"{s0.isoformat()} to {last_day.isoformat()} = {window:.1f} months ≥ maximum follow-up "
        f"{fmax.value} {tick(ok)}",
        verdict(ok),
        "Nobody can be followed longer than the study had been running; this holds." if ok else
        "The longest follow-up is longer than the study window allows: the follow-up origin "
        "precedes the study (e.g. detection of the lung metastases).",
        {"window_months": window},
    )]
    tail_hi, tail_lo = _months_between(e0, last_day), _months_between(e1, last_day)
    latest_start = last_day - dt.timedelta(days=float(fmin.number) * _MONTH_DAYS)
    fits = float(fmin.number) <= tail_hi
    checks.append(Check(
        "followup_min_vs_accrual_end", "follow_up",
        "Shortest follow-up against a radiotherapy start at the end of accrual",
        (end.id, last.id, fmin.id),
        f"{end.value} to {last.value}: {tail_lo:.1f}-{tail_hi:.1f} months; shortest follow-up "
        f"{fmin.value} {'≤' if fits else '>'} {tail_hi:.1f}; so every patient still followed "
        f"started by {latest_start.isoformat()}",
        "consistent" if fits else "not checkable",
        "A patient treated in the last month of accrual could have the shortest follow-up." if
        fits else
        f"A patient starting radiotherapy in {end.value} could have at most {tail_hi:.1f} months "
        f"of follow-up, less than the printed minimum of {fmin.value}. Either nobody still "
        f"under follow-up started after {latest_start:%B %Y}, or follow-up is counted from an "
        "earlier date (detection of the lung metastases, as for OS). Accrual dates are not "
        "published, so this cannot be settled.",
        {"tail_min_months": tail_lo, "tail_max_months": tail_hi},
    ))
    early, total = c("res_os_rate_12m_sorafenib_no"), c("t3_n_total")
    ok_all = float(fmin.number) <= 12 or bounds(early)[0] >= 100
    checks.append(Check(
        "followup_min_vs_early_deaths", "follow_up",
        "Shortest follow-up against deaths within the first year",
        (fmin.id, early.id, fmed.id, total.id),
        f"1-year OS, HT only {early.value}% < 100% → someone died before 12 months; shortest "
        f"follow-up {fmin.value} months {'≤' if ok_all else '>'} 12",
        "consistent" if ok_all else "not checkable",
        "The follow-up range can describe all patients." if ok_all else
        f"The printed follow-up range cannot describe all {total.value} patients (one who died "
        "in the first year was followed less than a year). It must describe the survivors only, "
        "which the paper does not say; the median follow-up is then a survivors' median.",
    ))
    return checks


#: (label, median, spread, min, max, n id or callable) of the descriptive "median ± x (range)".
_RANGES = (
    ("pulmonary metastasis-free interval", "met_pmfi_median", "met_pmfi_median_se",
     "met_pmfi_min", "met_pmfi_max"),
    ("detection to radiotherapy (PDR)", "met_pdr_median", "met_pdr_median_se",
     "met_pdr_min", "met_pdr_max"),
    ("days on sorafenib", "met_sorafenib_days_median", "met_sorafenib_days_median_se",
     "met_sorafenib_days_min", "met_sorafenib_days_max"),
    ("follow-up", "met_followup_median", "met_followup_median_se",
     "met_followup_min", "met_followup_max"),
    ("days on sorafenib, validation S group", "met_val_sorafenib_days_median",
     "met_val_sorafenib_days_median_se", "met_val_sorafenib_days_min",
     "met_val_sorafenib_days_max"),
    ("follow-up, validation cohort", "met_val_followup_median", "met_val_followup_median_se",
     "met_val_followup_min", "met_val_followup_max"),
)


def _ranges(c: Claims) -> list[Check]:
    # Smallest group each description can refer to: smaller n favours reading ± as an SE.
    survivors = as_int(c("t3_n_total")) - as_int(c("met_n_deaths"))
    n_for = {
        "met_pmfi_median": (as_int(c("t3_n_total")), "the cohort"),
        "met_pdr_median": (as_int(c("t3_n_total")), "the cohort"),
        "met_sorafenib_days_median": (as_int(c("met_n_sorafenib_yes")), "the sorafenib arm"),
        "met_followup_median": (survivors, "the survivors"),
        "met_val_sorafenib_days_median": (as_int(c("met_n_val_s")), "the S group"),
        "met_val_followup_median": (min(as_int(c("met_n_val_s")), as_int(c("met_n_val_co")),
                                        as_int(c("met_n_val_rt"))),
                                    "the smallest validation group"),
    }
    checks = []
    for label, mid, sid, lid, hid in _RANGES:
        m, s, lo, hi = c(mid), c(sid), c(lid), c(hid)
        inside = float(lo.number) <= float(m.number) <= float(hi.number)
        checks.append(Check(
            f"range_{mid.removeprefix('met_').removesuffix('_median')}", "ranges",
            f"Median {label} inside its range", (m.id, lo.id, hi.id),
            f"{lo.value} ≤ {m.value} ≤ {hi.value} {tick(inside)}",
            verdict(inside),
            "The median lies inside its range." if inside else "The median is outside its range.",
        ))
        n, who = n_for[mid]
        sd_as_se = float(s.number) * math.sqrt(n) / _MEDIAN_SE_FACTOR
        sd_max = (float(hi.number) - float(lo.number)) / 2
        ok = sd_as_se <= sd_max
        as_sd = float(s.number) <= sd_max
        checks.append(Check(
            f"spread_{mid.removeprefix('met_').removesuffix('_median')}", "ranges",
            f"Median {label}: can the '± {s.value}' be a standard error?", (s.id, lo.id, hi.id),
            f"as SE of a median of n = {n} ({who}): SD ≈ {s.value} {TIMES} √{n} / 1.2533 = "
            f"{sd_as_se:.1f}; largest SD possible in {lo.value}-{hi.value} is ({hi.value} {MINUS} "
            f"{lo.value}) / 2 = {sd_max:.2f} {tick(ok)}",
            verdict(ok),
            "Read as a standard error, the spread is possible." if ok else
            f"Read as a standard error (as the survival medians' ± must be, since their CIs are "
            f"median ± 1.96·SE) it implies an SD no data in this range can have. It is probably a "
            f"standard deviation (possible: {s.value} ≤ {sd_max:.2f}: {as_sd}), so the same '±' "
            "means two things in one paper.",
            {"n": n, "sd_if_se": sd_as_se, "sd_max": sd_max},
        ))
    return checks


def _wording(c: Claims) -> list[Check]:
    checks = []
    grade, grade_abs = c("res_max_ae_grade_all"), c("abs_max_ae_grade_all")
    disc_max = c("disc_radiation_ae_grade_max_all")
    rows = [c(f"t2_n_{e}_sorafenib_no") for e in _T2_EVENTS]
    graded = [r for r in rows if "grade i-ii" in r.quote.lower()]
    same = as_int(grade) == as_int(grade_abs)
    ok = bool(graded) and same and as_int(disc_max) <= as_int(grade)
    checks.append(Check(
        "grade_vs_table2", "wording", "'No adverse events > grade 2' against Table 2's headings",
        (grade.id, grade_abs.id, disc_max.id, *(r.id for r in graded)),
        f"text and abstract: none > grade {grade.value} {tick(same)}; discussion: radiation "
        f"AEs grade ≤ {disc_max.value}; Table 2 labels {len(graded)} of {len(rows)} rows "
        f"'Grade I-II' (≤ 2 {tick(ok)}); the other {len(rows) - len(graded)} rows carry no "
        "grade",
        "consistent" if ok else "not checkable",
        "Only the radiation rows state a grade, and it agrees; for the drug-related and blood "
        "rows the claim rests on the text alone." if ok else
        "Table 2 gives no grade to test the statement against.",
    ))
    checks.extend(_dosimetry_words(c))
    checks.extend(_previous_study(c))
    return checks


def _dosimetry_words(c: Claims) -> list[Check]:
    limit = c("met_lung_v20_limit_pct")
    pairs = [(c(f"fig_lung_{v}_pct_lesions_ge7"), c(f"disc_lung_{v}_pct_lesions_ge7"))
             for v in ("v20", "v30")]
    # Same quantity, opposite directions: the sets {x > a} and {x < b} share no point if a >= b.
    agree = [overlap([bounds(f), bounds(d)]) for f, d in pairs]
    v20_fig = pairs[0][0]
    fig_ok = bounds(v20_fig)[0] < float(limit.number)  # methods: V20 <= limit in every patient
    ok = all(agree) and fig_ok
    return [Check(
        "v20_caption_vs_text", "wording",
        "Lung V20 and V30: Figure 5 caption against the discussion and the methods' limit",
        (*(x.id for pair in pairs for x in pair), limit.id),
        "; ".join(f"{f.quantity.split('_')[1].upper()}: caption {f.value}%, discussion "
                  f"{d.value}% {tick(a)}" for (f, d), a in zip(pairs, agree, strict=True))
        + f"; methods limit V20 to {limit.value}% in all patients (caption {tick(fig_ok)})",
        verdict(ok),
        "The caption, the discussion and the methods agree." if ok else
        "The caption says V20 and V30 exceeded 30% and 20%, the discussion that they stayed "
        "below, and the methods capped V20 at 30% in every patient. The caption's '>' is almost "
        "certainly a typo for '<', but a reader of the figure alone would conclude the lung "
        "constraint was broken.",
    )]


def _previous_study(c: Claims) -> list[Check]:
    p, n, n_intro = (c("disc_pct_orr_previous_study"), c("disc_n_previous_study"),
                     c("intro_n_previous_study"))
    lesion = c("res_pct_lesion_orr")
    cr, pr, tot = (c("res_n_lesion_response_cr"), c("res_n_lesion_response_pr"),
                   c("res_n_lesions_total"))
    ks = counts_for_percent(p, as_int(n))
    k_here, d_here = as_int(cr) + as_int(pr), as_int(tot)
    g = math.gcd(k_here, d_here)
    ok = bool(ks) and as_int(n) == as_int(n_intro)
    return [Check(
        "previous_3dcrt_rate", "wording",
        "The previous 3D-CRT study's response rate against this study's lesion-level rate",
        (p.id, n.id, n_intro.id, lesion.id, cr.id, pr.id, tot.id),
        f"{p.value}% of {n.value} patients: k = {', '.join(map(str, ks)) or 'none'} "
        f"{tick(bool(ks))}; this study's lesion ORR ({cr.value} + {pr.value}) / {d_here} = "
        f"{k_here}/{d_here} = {k_here // g}/{d_here // g} → {lesion.value}%; same printed "
        f"value: {p.value == lesion.value}",
        verdict(ok),
        f"The previous study's rate is possible ({ks[0] if ks else '?'} of {n.value} patients), "
        f"and this study's lesion rate reduces to the very same fraction "
        f"{k_here // g}/{d_here // g}: the equality can be a genuine coincidence rather than a "
        "copy. Still, the discussion sets a patient-level rate there against a lesion-level "
        "rate here, which is not like with like." if ok else
        "The previous study's rate is impossible with its cohort size.",
        {"k_previous": ks[0]} if len(ks) == 1 else {},
    )]


_BUILDERS: tuple[Callable[[Claims], list[Check]], ...] = (
    _percentages, _sums, _adverse_events, _median_ci, _hazard_ratios, _repeated, _landmarks,
    _pooled, _follow_up, _ranges, _wording,
)


def _sentence_builder() -> Callable[[Claims], list[Check]]:
    """The sentence-by-sentence family lives in :mod:`lungmets.critique.sentence_audit`, which
    imports this module's helpers; importing it here, at run time, avoids a circular import."""
    from lungmets.critique.sentence_audit import sentences

    return sentences


def run_audit(catalogue: dict[str, Claim] | None = None) -> list[Check]:
    """Run every check against the claims catalogue (the published one by default).

    A family whose claims are missing from the catalogue yields one "not checkable" check whose
    ``claim_ids`` is the missing id (see :func:`missing_claim_ids`) instead of failing the whole
    audit, so a gap in the catalogue shows up on the page rather than hiding a whole family.
    """
    c = Claims(load_claims() if catalogue is None else catalogue)
    checks: list[Check] = []
    for build in (*_BUILDERS, _sentence_builder()):
        family = build.__name__.removeprefix("_")
        try:
            checks.extend(build(c))
        except MissingClaim as err:
            checks.append(Check(
                f"{family}_missing_claim", family, f"{FAMILIES[family]}: claims missing",
                (str(err.args[0]),), f"claim {err.args[0]} is not in the catalogue",
                "not checkable",
                "The claims catalogue lacks a number this family needs; the family was skipped.",
            ))
    ids = [ch.id for ch in checks]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RuntimeError(f"duplicate check ids: {dupes}")
    return checks


def missing_claim_ids(checks: Sequence[Check] | None = None) -> list[str]:
    """Claim ids the audit needed but did not find in the catalogue (empty when complete), each
    once even when several families needed it."""
    checks = run_audit() if checks is None else checks
    return list(dict.fromkeys(ch.claim_ids[0] for ch in checks
                              if ch.id.endswith("_missing_claim")))


def audit_frame(checks: Sequence[Check] | None = None) -> pd.DataFrame:
    """The audit as a table: one row per check, families in presentation order."""
    checks = run_audit() if checks is None else checks
    df = pd.DataFrame(
        [{"id": ch.id, "family": ch.family, "family_title": FAMILIES[ch.family],
          "title": ch.title, "claim_ids": ", ".join(ch.claim_ids),
          "arithmetic": ch.arithmetic, "verdict": ch.verdict,
          "explanation": ch.explanation} for ch in checks]
    )
    order = {f: i for i, f in enumerate(FAMILIES)}
    return df.sort_values("family", key=lambda s: s.map(order), kind="stable").reset_index(
        drop=True)


def summary(checks: Sequence[Check] | None = None) -> dict[str, int]:
    """Number of checks per verdict (every verdict present, zero if none), plus the total."""
    checks = run_audit() if checks is None else checks
    counts = {v: sum(ch.verdict == v for ch in checks) for v in VERDICTS}
    counts["total"] = len(checks)
    return counts
