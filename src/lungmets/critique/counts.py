"""Audit families on counts: percentages, subgroups that must add up, and adverse events.

Why this module exists: these are the checks a reader can redo with a pencil. A percentage must
follow from its count and denominator at its printed precision, the levels of a factor must
partition the cohort, and Table 2's "Total (n)" must be the sum of its rows under one reading of
what it counts (events or patients) and agree with the counts the text repeats.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from lungmets.claims import Claim
from lungmets.critique.checks import (
    MINUS,
    Check,
    Claims,
    as_int,
    bounds,
    overlap,
    percent_consistent,
    tick,
    verdict,
)

__all__ = ["T2_EVENTS", "adverse_events", "percentages", "sums"]

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


def percentages(c: Claims) -> list[Check]:
    """Every printed percentage against its count and denominator, at its printed precision."""
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


def sums(c: Claims) -> list[Check]:
    """Subgroups that must add up: to the cohort, to another printed count, to 100%."""
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


T2_EVENTS = ("esophagitis", "pneumonitis", "ast_alt", "hfsr", "anorexia", "diarrhoea",
              "hypertension", "anemia", "leukocytopenia", "thrombocytopenia")
_SORAFENIB_AES = ("ast_alt", "hfsr", "anorexia", "diarrhoea")


def adverse_events(c: Claims) -> list[Check]:
    """Table 2's columns against its 'Total (n)' row and the counts the text repeats."""
    checks = []
    col_sum: dict[str, int] = {}
    totals: dict[str, Claim] = {}
    for arm, label in (("sorafenib_no", "HT only"), ("sorafenib_yes", "HT + sorafenib")):
        rows = [c(f"t2_n_{e}_{arm}") for e in T2_EVENTS]
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
        tuple(f"t2_n_{e}_sorafenib_yes" for e in T2_EVENTS),
        f"sorafenib-type events {drug} of {col_sum['sorafenib_yes']} listed = "
        f"{100 * drug / col_sum['sorafenib_yes']:.1f}% (> 50% {tick(ok)})",
        verdict(ok),
        "'Most' holds when counting the events Table 2 lists." if ok else
        "Sorafenib-type events are not a majority of the listed events.",
        {"sorafenib_type_events": drug, "events": col_sum["sorafenib_yes"],
         "pct": 100 * drug / col_sum["sorafenib_yes"]},
    ))
    return checks
