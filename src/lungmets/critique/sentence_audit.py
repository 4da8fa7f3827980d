"""The audit's second pass: every quantitative sentence of the Results and the Discussion.

Why this module exists: the families of :mod:`lungmets.critique.audit` test the paper's numbers, but
a reader meets them in sentences, and the words around them ("significantly", "most", "higher",
"approximately 3.5 times more likely", "similar") make claims of their own. The sentences are
kept as data in a ledger (:mod:`lungmets.critique.ledger`, ``data/published/sentences.csv``):
each quotes one sentence, names the claims it rests on and the audit checks that test it. This
module builds the checks the earlier families do not provide (family ``sentences``), whose
verdicts are computed from the catalogue like every other check; a sentence whose claim the
paper gives no data for gets a new "not checkable" check that says what is missing. It also
turns the ledger and its checks into the tables of the reading-critically chapter.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from scipy.optimize import brentq

from lungmets.claims import Claim
from lungmets.critique.checks import (
    FAMILIES,
    MINUS,
    TIMES,
    Check,
    Claims,
    Verdict,
    as_int,
    bounds,
    tick,
    verdict,
)
from lungmets.critique.counts import T2_EVENTS
from lungmets.critique.ledger import EXCLUDED, LEDGER, Sentence

__all__ = [
    "FAMILY",
    "ledger_frame",
    "ledger_summary",
    "new_checks_frame",
    "sentences",
]

FAMILY = "sentences"


# ------------------------------------------------------------------------------------------
# The new checks
# ------------------------------------------------------------------------------------------


def _entry(check_id: str) -> Sentence:
    """The first ledger sentence a new check is built for (it gives the check its title)."""
    return next(s for s in LEDGER if check_id in s.check_ids)


def _check(cid: str, ids: Sequence[str], arithmetic: str, verdict: Verdict, explanation: str,
           values: dict[str, float] | None = None) -> Check:
    """A check of this pass, titled by the first sentence that rests on it."""
    return Check(cid, FAMILY, f"“{_entry(cid).quote}”", tuple(ids), arithmetic, verdict,
                 explanation, values or {})


def _open(cid: str, ids: Sequence[str], arithmetic: str, explanation: str,
          values: dict[str, float] | None = None) -> Check:
    """A sentence whose claim the paper prints nothing to test against."""
    return _check(cid, ids, arithmetic, "not checkable", explanation, values)


def _p(p: Claim, alpha: Claim, *, significant: bool = True) -> tuple[str, bool]:
    """'p = 0.006 < 0.05 ✓': whether every value the printed p stands for lies on the side of
    alpha the sentence claims, below it (``significant``) or at or above it.

    The sign says where the printed p lies, the tick whether that is the claimed side.
    """
    lo, hi = bounds(p)
    below = hi <= float(alpha.number)
    ok = below if significant else lo >= float(alpha.number)
    sign = "= " if p.relation == "=" else ""
    return f"p {sign}{p.value} {'<' if below else '≥'} {alpha.number:g} {tick(ok)}", ok


def _gt(a: Claim, b: Claim) -> tuple[str, bool]:
    """'11.80 > 5.80 ✓' with every value of a's rounding interval above b's."""
    ok = bounds(a)[0] >= bounds(b)[1]
    return f"{a.value} > {b.value} {tick(ok)}", ok


def _share(k: int, n: int) -> str:
    """'12/30 = 40.0%': a share with its count, so the reader can redo it."""
    return f"{k}/{n} = {100 * k / n:.1f}%"


def _most(c: Claims) -> list[Check]:
    """'Most' and 'predominantly' against one half of Table 3's counts."""
    total = as_int(c("t3_n_total"))
    rows = [(c(f"t3_n_{g}"), label) for g, label in (
        ("sex_male", "male"), ("hepatitis_present", "viral hepatitis"))]
    gt3 = c("t3_n_lesions_gt3")
    oks = [2 * as_int(n) > total for n, _ in rows]
    maxsize, le3 = c("t3_n_maxsize_gt3"), c("t3_n_maxsize_le3")
    lesions, cap = as_int(c("res_n_lesions_total")), as_int(c("met_max_lesions_inclusion")) - 1
    small_min = lesions - cap * as_int(maxsize)  # the 11 patients hold at most 9 large lesions each
    small_max = lesions - as_int(maxsize)  # ... and at least one each
    return [
        _check("sentence_most_cohort", ("t3_n_total", *(n.id for n, _ in rows)),
               "; ".join(f"{label}: {_share(as_int(n), total)} > 50% {tick(ok)}"
                         for (n, label), ok in zip(rows, oks, strict=True)),
               verdict(all(oks)),
               "'Predominantly' and 'most' are majorities of Table 3's counts."),
        _open("sentence_most_lesions_small",
              (le3.id, maxsize.id, "res_n_lesions_total", "met_max_lesions_inclusion"),
              f"Table 3: largest lesion ≤ 3 cm in {_share(as_int(le3), total)} of the patients, "
              f"not of the lesions; the {maxsize.value} other patients hold 1 to {cap} lesions "
              f"each (inclusion < {cap + 1}), so {small_min} to {small_max} of {lesions} lesions "
              f"are ≤ 3 cm: {100 * small_min / lesions:.1f}% to {100 * small_max / lesions:.1f}%",
              "The 75.6% counts patients whose largest lesion was at most 3 cm, while the "
              "sentence speaks of lesions. The lesion-level share is not printed and the counts "
              "allow anything from just under half to nearly all: 'most' may be true but "
              "the paper does not show it.",
              {"share_min": 100 * small_min / lesions, "share_max": 100 * small_max / lesions}),
        _check("sentence_most_gt3", ("t3_n_total", gt3.id, "disc_lesions_cutoff_literature"),
               f"Table 3: > 3 lesions in {_share(as_int(gt3), total)} > 50% "
               f"{tick(2 * as_int(gt3) > total)}; Kitano et al.'s lesion counts: not printed",
               verdict(2 * as_int(gt3) > total),
               "True of this study; the comparison with Kitano et al. rests on a study the paper "
               "gives no numbers for."),
    ]


def _lesions_per_patient(c: Claims) -> Check:
    """The lesion total must fit Table 3's lesion groups and the inclusion limit."""
    le3, gt3 = as_int(c("t3_n_lesions_le3")), as_int(c("t3_n_lesions_gt3"))
    cut, cap = as_int(c("res_lesions_cutoff_all")), as_int(c("met_max_lesions_inclusion")) - 1
    total = as_int(c("res_n_lesions_total"))
    lo, hi = le3 + gt3 * (cut + 1), le3 * cut + gt3 * cap
    ok = lo <= total <= hi
    return _check(
        "sentence_lesions_per_patient",
        ("res_n_lesions_total", "t3_n_lesions_le3", "t3_n_lesions_gt3", "res_lesions_cutoff_all",
         "met_max_lesions_inclusion"),
        f"{le3} patients with 1-{cut} lesions and {gt3} with {cut + 1}-{cap} (inclusion < "
        f"{cap + 1}): {le3} {TIMES} 1 + {gt3} {TIMES} {cut + 1} = {lo} to {le3} {TIMES} {cut} + "
        f"{gt3} {TIMES} {cap} = {hi} lesions; printed {total} {tick(ok)} "
        f"({total / (le3 + gt3):.2f} a patient)",
        verdict(ok),
        "The lesion count fits Table 3's lesion groups and the inclusion limit." if ok else
        "No split of the lesions over Table 3's groups gives the printed total.",
        {"min_lesions": lo, "max_lesions": hi},
    )



def _hr_line(c: Claims, prefix: str, alpha: Claim) -> tuple[str, bool, tuple[str, ...]]:
    """'HR 2.23, CI 1.12-4.42 above 1 ✓, p = 0.022 < 0.05 ✓' for one printed hazard ratio."""
    hr, lo, up, p = (c(prefix.format(k)) for k in ("hr", "ci_lower", "ci_upper", "p"))
    above = bounds(lo)[0] > 1
    p_text, sig = _p(p, alpha)
    return (f"HR {hr.value}, CI {lo.value}-{up.value} above 1 {tick(above)}, {p_text}",
            above and sig, (hr.id, lo.id, up.id, p.id))


def _sorafenib_arms(c: Claims) -> list[Check]:
    """'More likely', 'significantly', 'more beneficial': the arm comparison's words."""
    alpha = c("met_alpha")
    parts, oks, ids = [], [], ["met_alpha"]
    for ep in ("pfs", "os"):
        yes, no = c(f"abs_{ep}_median_sorafenib_yes"), c(f"abs_{ep}_median_sorafenib_no")
        p = c(f"res_{ep}_logrank_p_sorafenib")
        longer, ok_m = _gt(yes, no)
        p_text, ok_p = _p(p, alpha)
        parts.append(f"{ep.upper()} median with sorafenib {longer}, log-rank {p_text}")
        oks += [ok_m, ok_p]
        ids += [yes.id, no.id, p.id]
    mv = [_hr_line(c, f"res_{ep}_mv_{{}}_sorafenib", alpha) for ep in ("pfs", "os")]
    uni = _check("sentence_univariate_sorafenib", ids, "; ".join(parts), verdict(all(oks)),
                 "HT only goes with earlier progression and death, and both log-rank tests are "
                 "below the paper's significance level.")
    yes_n, no_n = as_int(c("met_n_sorafenib_yes")), as_int(c("met_n_sorafenib_no"))
    a_yes, a_no = yes_n - as_int(c("met_n_val_co")), no_n - as_int(c("met_n_val_rt"))
    multi = _check(
        "sentence_mv_sorafenib", ("met_alpha", *mv[0][2], *mv[1][2]),
        f"PFS, HT only against HT + sorafenib: {mv[0][0]}; OS: {mv[1][0]}",
        verdict(mv[0][1] and mv[1][1]),
        "Both hazard ratios put HT only at higher risk and are significant; the text calls the "
        "OS difference 'shorter' without 'significantly', though it is as significant.")
    benefit = _check(
        "sentence_sorafenib_benefit",
        (*ids, *mv[0][2], *mv[1][2], "met_n_sorafenib_yes", "met_n_val_co", "met_n_sorafenib_no",
         "met_n_val_rt"),
        "; ".join(parts) + f"; multivariable PFS {mv[0][0]}; OS {mv[1][0]}; active liver tumour: "
        f"{_share(a_yes, yes_n)} with sorafenib, {_share(a_no, no_n)} with HT only",
        verdict(all(oks) and mv[0][1] and mv[1][1]),
        "Every printed comparison favours the combination and is significant. 'More "
        "beneficial' and 'improves' are causal words for a retrospective comparison of arms "
        "that were not randomised and differ in liver-tumour status.")
    return [uni, multi, benefit]


def _landmark_arms(c: Claims) -> list[Check]:
    """'However' and 'higher' against the arms' landmark rates."""
    rows = [(ep, m, c(f"res_{ep}_rate_{m}_sorafenib_yes"), c(f"res_{ep}_rate_{m}_sorafenib_no"))
            for ep, m in (("pfs", "12m"), ("os", "12m"), ("os", "24m"), ("pfs", "24m"))]
    lines, oks = [], []
    for ep, m, yes, no in rows[:3]:
        text, ok = _gt(yes, no)
        lines.append(f"{ep.upper()} at {m.removesuffix('m')} months {text}")
        oks.append(ok)
    ep, m, yes, no = rows[3]
    lines.append(f"PFS at 24 months {yes.value} = {no.value}")
    landmarks = _check(
        "sentence_landmarks_favour_combination", [x.id for r in rows for x in r[2:]],
        "combination against HT only: " + "; ".join(lines), verdict(all(oks)),
        "'However' holds: the combination arm's rate is higher at every landmark except 2-year "
        "PFS, which is 0% in both arms.")
    yes, no = rows[0][2], rows[0][3]
    n_yes, n_no = as_int(c("met_n_sorafenib_yes")), as_int(c("met_n_sorafenib_no"))
    p1, p0 = float(yes.number) / 100, float(no.number) / 100
    se = math.sqrt(p1 * (1 - p1) / n_yes + p0 * (1 - p0) / n_no)
    z = (p1 - p0) / se
    text, ok = _gt(yes, no)
    higher = _check(
        "sentence_pfs_1y_higher", (yes.id, no.id, "met_n_sorafenib_yes", "met_n_sorafenib_no"),
        f"{text}; difference {100 * (p1 - p0):.1f} points, binomial SE √({p1:.3f} {TIMES} "
        f"{1 - p1:.3f}/{n_yes} + {p0:.3f} {TIMES} {1 - p0:.3f}/{n_no}) = {100 * se:.1f} points, "
        f"z = {z:.2f}",
        verdict(ok),
        "'Higher' is true, but at one year alone the difference is well within chance (a rough "
        "z, ignoring censoring, far below 1.96); the significant log-rank test compares the "
        "whole curves.", {"z": z, "se_points": 100 * se})
    return [landmarks, higher]


def _prognostic(c: Claims) -> list[Check]:
    """'Significant ... respectively', 'poorer', 'only for PFS' against Table 1."""
    alpha = c("met_alpha")
    sig = [_p(c(i), alpha) for i in ("t1_pfs_uni_p_lesions", "t1_os_uni_p_intrahepatic")]
    ns = [_p(c(i), alpha, significant=False) for i in ("t1_os_uni_p_lesions",
                                                       "t1_pfs_uni_p_intrahepatic")]
    med = [_gt(c("res_pfs_median_lesions_le3"), c("res_pfs_median_lesions_gt3")),
           _gt(c("res_os_median_intrahepatic_inactive"), c("res_os_median_intrahepatic_active"))]
    uni = _check(
        "sentence_univariate_prognostic",
        ("met_alpha", "t1_pfs_uni_p_lesions", "t1_os_uni_p_intrahepatic", "t1_os_uni_p_lesions",
         "t1_pfs_uni_p_intrahepatic", "res_pfs_median_lesions_le3", "res_pfs_median_lesions_gt3",
         "res_os_median_intrahepatic_inactive", "res_os_median_intrahepatic_active"),
        f"lesions: PFS {sig[0][0]}, OS {ns[0][0]}, median PFS ≤ 3 against > 3 lesions "
        f"{med[0][0]}; liver tumour: OS {sig[1][0]}, PFS {ns[1][0]}, median OS controlled "
        f"against uncontrolled {med[1][0]}",
        verdict(all(ok for _, ok in (*sig, *ns, *med))),
        "'Significant ... respectively' is exact: each factor is significant for one endpoint "
        "and not for the other, and the medians point the way the text says.")
    les = _hr_line(c, "t1_pfs_mv_{}_lesions", alpha)
    liver = _hr_line(c, "t1_os_mv_{}_intrahepatic", alpha)
    multi = _check(
        "sentence_mv_prognostic", ("met_alpha", *les[2], *liver[2]),
        f"Table 1, PFS by lesions: {les[0]}; OS by liver tumour: {liver[0]}",
        verdict(les[1] and liver[1]),
        "Both multivariable associations are significant with a CI above 1. Table 1 labels "
        "the contrasts '≤3 vs >3' and 'Active vs Inactive' without saying which is the "
        "reference; the medians show the worse group is > 3 lesions and the active tumour.")
    pfs_uni, pfs_mv = _p(c("t1_pfs_uni_p_lesions"), alpha), _p(c("t1_pfs_mv_p_lesions"), alpha)
    only = _check(
        "sentence_lesions_only_pfs",
        ("met_alpha", "t1_pfs_uni_p_lesions", "t1_pfs_mv_p_lesions", "t1_os_uni_p_lesions"),
        f"Table 1, lesions: PFS univariate {pfs_uni[0]}, multivariable {pfs_mv[0]}; OS "
        f"univariate {ns[0][0]}, no multivariable result (NA)",
        verdict(pfs_uni[1] and pfs_mv[1] and ns[0][1]),
        "Significant for PFS only, as the sentence says; its 'association between lesion "
        "number and survival' must therefore mean progression-free survival.")
    return [uni, multi, only]


def _hr_probability(c: Claims) -> Check:
    """'Times more likely' read as a ratio of probabilities, which a hazard ratio is not."""
    hr, words = c("res_pfs_mv_hr_lesions"), c("res_pfs_hr_approx_lesions")
    median = c("res_pfs_median_lesions_le3")
    h, target = float(hr.number), float(words.number)
    at_median = (1 - 0.5 ** h) / 0.5  # S0 = 0.5 at the reference group's median
    s_star = brentq(lambda s: (1 - s ** h) - target * (1 - s), 0.5, 1 - 1e-6)
    return _check(
        "sentence_hr_not_probability_ratio", (hr.id, words.id, median.id),
        f"by the ≤ 3-lesion median PFS ({median.value} months) half of those patients had "
        f"progressed, so no group can be more than 1 / 0.5 = 2 times as likely to have "
        f"progressed; with proportional hazards, (1 {MINUS} 0.5^{hr.value}) / 0.5 = "
        f"{at_median:.2f}; a ratio of {words.value} holds only while under "
        f"{100 * (1 - s_star):.1f}% of the ≤ 3-lesion patients had progressed",
        "inconsistent",
        "A hazard ratio compares the instantaneous rates of progression among patients still "
        "free of it, not the probabilities of progressing. As a statement about the follow-up "
        "(median PFS was reached in both groups), '3.5 times more likely' cannot be true: the "
        "ratio of probabilities is at most 2 once half of the better group has progressed.",
        {"ratio_at_median": at_median, "share_for_target": 100 * (1 - s_star)},
    )



_SORAFENIB_TYPE = ("ast_alt", "hfsr", "anorexia", "diarrhoea", "hypertension")


def _adverse(c: Claims) -> list[Check]:
    """'No drug-related AEs' and 'most of the AEs' against Table 2's columns."""
    rows = {arm: [c(f"t2_n_{e}_{arm}") for e in T2_EVENTS] for arm in ("sorafenib_yes",
                                                                        "sorafenib_no")}
    drug_no = [c(f"t2_n_{e}_sorafenib_no") for e in _SORAFENIB_TYPE]
    anorexia = c("res_n_anorexia_sorafenib_no")
    others = [r for r in drug_no if "anorexia" not in r.id]
    ok = all(as_int(r) == 0 for r in others) and as_int(c("t2_n_anorexia_sorafenib_no")) == as_int(
        anorexia)
    ht_only = _check(
        "sentence_no_drug_ae_ht_only", (anorexia.id, *(r.id for r in drug_no)),
        "Table 2, HT only: " + ", ".join(f"{r.label.split(' (')[0]} {r.value}" for r in drug_no)
        + f"; text: '{anorexia.value} case of anorexia' {tick(ok)}",
        verdict(ok), "Table 2's HT-only column has no drug-type event but the one anorexia.")
    drug = sum(as_int(c(f"t2_n_{e}_sorafenib_yes")) for e in _SORAFENIB_TYPE)
    events = {arm: sum(as_int(r) for r in rs) for arm, rs in rows.items()}
    all_events = sum(events.values())
    totals = [c("t2_n_total_sorafenib_yes"), c("t2_n_total_sorafenib_no")]
    by_total = sum(as_int(t) for t in totals)
    ok = 2 * drug > all_events and 2 * drug > by_total
    study = _check(
        "sentence_most_ae_whole_study",
        (*(r.id for rs in rows.values() for r in rs), *(t.id for t in totals)),
        f"sorafenib-type events (combination arm) {drug}; all events listed in Table 2 "
        f"{events['sorafenib_yes']} + {events['sorafenib_no']} = {all_events}: "
        f"{_share(drug, all_events)}; against the 'Total (n)' row {totals[0].value} + "
        f"{totals[1].value} = {by_total}: {_share(drug, by_total)} (> 50% {tick(ok)}); "
        f"combination arm alone {_share(drug, events['sorafenib_yes'])}",
        verdict(ok),
        "Across the study, the adverse events related to sorafenib are a minority of those "
        "Table 2 lists: 'most' holds only within the combination arm, as the Results say. "
        "The Discussion widens the claim to the whole study, where it fails.",
        {"share_study": 100 * drug / all_events, "drug_events": drug, "all_events": all_events,
         "arm_events": events["sorafenib_yes"]},
    )
    return [ht_only, study]


def _validation(c: Claims) -> Check:
    """'More beneficial than HT or sorafenib alone' against the validation's medians and p."""
    alpha = c("met_alpha")
    co, rt, s = (c(f"res_os_median_val_{g}") for g in ("co", "rt", "s"))
    p_rc, p_sc, p_rs = (c(f"res_os_logrank_p_val_{g}") for g in ("rt_vs_co", "s_vs_co",
                                                                   "rt_vs_s"))
    lines = [(_gt(co, rt), _p(p_rc, alpha)), (_gt(co, s), _p(p_sc, alpha))]
    ns = _p(p_rs, alpha, significant=False)
    reused = as_int(c("met_n_val_co")) + as_int(c("met_n_val_rt"))
    ok = all(a[1] and b[1] for a, b in lines) and ns[1]
    return _check(
        "sentence_validation_benefit",
        ("met_alpha", co.id, rt.id, s.id, p_rc.id, p_sc.id, p_rs.id, "met_n_val_co",
         "met_n_val_rt", "t3_n_total"),
        f"Co against Rt {lines[0][0][0]}, {lines[0][1][0]}; Co against S {lines[1][0][0]}, "
        f"{lines[1][1][0]}; Rt against S {ns[0]}; Co + Rt = {reused} of the main cohort's "
        f"{c('t3_n_total').value} patients",
        verdict(ok),
        "The numbers say what the sentences say. But the 'further validation cohort' reuses "
        f"{reused} patients of the main cohort (Co and Rt); only the sorafenib-only group is "
        "new, so it is not an independent validation.", {"reused": reused})


def _previous_and_limits(c: Claims) -> list[Check]:
    """Discussion numbers with a counterpart elsewhere in the paper."""
    prev, here = c("disc_pct_orr_previous_study"), c("disc_pct_orr_all")
    text, ok = _gt(prev, here)
    cut, incl = c("disc_lung_tolerance_lesions_cutoff"), c("met_max_lesions_inclusion")
    ok_cut = float(cut.number) == bounds(incl)[1]
    f_lo, f_hi = c("met_fractions_min"), c("met_fractions_max")
    w_lo, w_hi = c("disc_treatment_weeks_min"), c("disc_treatment_weeks_max")
    ok_w = (as_int(f_lo) / 5, as_int(f_hi) / 5) == (as_int(w_lo), as_int(w_hi))
    return [
        _check("sentence_previous_higher", (prev.id, here.id, "disc_n_previous_study"),
               f"previous study {text} (this study, patients); the previous study's lesion "
               "counts: not printed", verdict(ok),
               "'Higher' holds. That the earlier patients had fewer lesions rests on a study "
               "the paper gives no lesion counts for."),
        _check("sentence_ten_lesions", (cut.id, incl.id),
               f"≥ {cut.value} lesions against the inclusion criterion < {bounds(incl)[1]:g} "
               f"lesions: the same limit {tick(ok_cut)}", verdict(ok_cut),
               "No patient of this study had 10 lesions or more: the sentence reports "
               "experience from outside the cohort, which is why patients with that many were "
               "excluded."),
        _check("sentence_weeks_fractions", (f_lo.id, f_hi.id, w_lo.id, w_hi.id),
               f"{f_lo.value} or {f_hi.value} fractions at five a week = {as_int(f_lo) / 5:g} or "
               f"{as_int(f_hi) / 5:g} weeks; printed {w_lo.value} or {w_hi.value} {tick(ok_w)}",
               verdict(ok_w),
               "The duration fits the two fractionations on the usual five treatment days a "
               "week (the paper does not state the schedule)."),
    ]


def _liver_confounding(c: Claims) -> Check:
    """The arms' liver-tumour status, the confounder the sentence appeals to."""
    yes_n, no_n = as_int(c("met_n_sorafenib_yes")), as_int(c("met_n_sorafenib_no"))
    a_yes, a_no = yes_n - as_int(c("met_n_val_co")), no_n - as_int(c("met_n_val_rt"))
    return _open(
        "sentence_liver_control_confounding",
        ("met_n_sorafenib_yes", "met_n_val_co", "met_n_sorafenib_no", "met_n_val_rt",
         "t3_n_intrahepatic_active"),
        f"active liver tumour: {_share(a_yes, yes_n)} of the sorafenib arm, {_share(a_no, no_n)} "
        "of the HT-only arm; no analysis of OS by arm within liver-tumour status is printed",
        "The sorafenib arm had proportionally fewer uncontrolled liver tumours, so part of its "
        "longer OS could come from liver status, as the sentence suggests; but the paper gives "
        "no analysis that separates the two.")


def _open_checks(c: Claims) -> list[Check]:
    """Sentences the paper prints nothing to test against: what is printed, what is missing."""
    lesion = (c("res_n_lesion_response_cr"), c("res_n_lesion_response_pr"))
    patient = (c("res_n_response_cr_all"), c("res_n_response_pr_all"))
    k_l, k_p = sum(as_int(x) for x in lesion), sum(as_int(x) for x in patient)
    n_l, n_p = as_int(c("res_n_lesions_total")), as_int(c("t3_n_total"))
    alpha, deaths = c("met_alpha"), c("met_n_deaths")
    pfs_yes, pfs_no = c("abs_pfs_median_sorafenib_yes"), c("abs_pfs_median_sorafenib_no")
    logrank = _p(c("res_pfs_logrank_p_sorafenib"), alpha)[0]
    pfs_text = f"median PFS {_gt(pfs_yes, pfs_no)[0]}, {logrank}"
    s1 = "Supplementary Table S1 (not part of the published text)"
    rows = [
        ("sentence_response_features", ("met_alpha",),
         f"response by gender, age and number of metastases: {s1}; no p-value printed",
         "The test behind 'no significant relationship' is not in the paper."),
        ("sentence_literature_share", ("disc_pct_pulmonary_mets_literature",),
         f"{c('disc_pct_pulmonary_mets_literature').value}% from reference 6; no count of "
         "patients with HCC is printed", "A number from the literature, not from this study."),
        ("sentence_no_added_toxicity", ("t2_n_total_sorafenib_no",),
         "every patient had HT; no arm treated without HT or one lesion at a time",
         "The study has no comparison group for the toxicity of multitarget HT."),
        ("sentence_lesion_vs_patient_rate",
         (*tuple(x.id for x in (*lesion, *patient)), "res_n_lesions_total", "t3_n_total"),
         f"lesions ({lesion[0].value} + {lesion[1].value}) / {n_l} = {_share(k_l, n_l)}; "
         f"patients ({patient[0].value} + {patient[1].value}) / {n_p} = {_share(k_p, n_p)}; "
         f"response by number of lesions: {s1}",
         "A lesion-level rate set against patient-level rates says nothing about patients with "
         "fewer lesions, and the Results report no significant relation of response to the "
         "number of metastases."),
        ("sentence_no_discontinuation", ("disc_n_ht_discontinued_all",),
         "no count of completed or interrupted courses is printed elsewhere",
         "Plausible, but nothing in the paper can confirm or contradict it."),
        ("sentence_kitano_similar", ("disc_pfs_median_all", "disc_os_median_all"),
         f"this study: median PFS {c('disc_pfs_median_all').value}, OS "
         f"{c('disc_os_median_all').value} months; Kitano et al.'s rates: not printed",
         "'Similar' compares with numbers the paper does not give."),
        ("sentence_local_control", ("disc_pfs_logrank_p_lesions", "res_pfs_logrank_p_lesions"),
         f"p {c('disc_pfs_logrank_p_lesions').value} is the log-rank p of PFS by lesion number "
         f"(Results: {c('res_pfs_logrank_p_lesions').value}); no local-control analysis is "
         "printed",
         "Progression-free survival counts progression anywhere and death, not local control: "
         "the sentence renames the endpoint that was tested."),
        ("sentence_aggressive", ("disc_lesions_cutoff_aggressive_all",),
         "no measure of aggressiveness or of dose by lesion number is printed",
         "An interpretation of the PFS difference, not a result."),
        ("sentence_cause_of_death", (deaths.id, "met_pct_deaths"),
         f"{deaths.value} deaths ({c('met_pct_deaths').value}%); no cause of death is printed",
         "'Most common cause' rests on counts the paper does not give."),
        ("sentence_literature_brain_hemorrhage",
         ("disc_os_median_min_literature", "disc_os_median_max_literature"),
         f"{c('disc_os_median_min_literature').value}-{c('disc_os_median_max_literature').value}"
         " months from reference 18", "A number from the literature, not from this study."),
        ("sentence_most_no_lung_disease", ("disc_dose_total_gy",),
         "prior chemotherapy: not printed; lung disease: excluded by the methods' inclusion "
         "criteria ('no coexisting lung disease')",
         "No count of prior chemotherapy is given; for lung disease the methods imply 'all', "
         "not 'most'."),
        ("sentence_similar_dvh", ("disc_dvh_lesions_cutoff",),
         "Figure 5 shows only thresholds (V20, V30 against 30% and 20%); no values to compare",
         "'Similar' to the lung-cancer study compares with numbers the paper does not give."),
        ("sentence_sorafenib_response", ("abs_pfs_median_sorafenib_yes",
                                         "abs_pfs_median_sorafenib_no", "met_alpha"),
         f"{pfs_text}; response by arm: {s1}",
         "The first half holds; the response by arm behind 'no evidence' is not printed."),
        ("sentence_mechanism", ("abs_pfs_median_sorafenib_yes",),
         "no measurement of proliferation, angiogenesis or apoptosis is reported",
         "A hypothesis, not a result."),
        ("sentence_largest_study", ("t3_n_total",),
         f"n = {c('t3_n_total').value}; no sizes of other studies are printed",
         "'One of the largest' cannot be checked from the paper."),
    ]
    return [_open(cid, ids, arithmetic, why) for cid, ids, arithmetic, why in rows]


def sentences(c: Claims) -> list[Check]:
    """The new checks of the sentence-by-sentence pass (an audit family builder)."""
    return [*_most(c), _lesions_per_patient(c), *_sorafenib_arms(c), *_landmark_arms(c),
            *_prognostic(c), _hr_probability(c), *_adverse(c), _validation(c),
            *_previous_and_limits(c), _liver_confounding(c), *_open_checks(c)]


# ------------------------------------------------------------------------------------------
# The ledger for readers
# ------------------------------------------------------------------------------------------

_SEVERITY = ("inconsistent", "not checkable", "consistent")


def _sentence_verdict(verdicts: Sequence[str]) -> str:
    """The worst verdict of a sentence's checks: one contradiction makes it inconsistent."""
    return next(v for v in _SEVERITY if v in verdicts)


def ledger_frame(checks: Sequence[Check]) -> pd.DataFrame:
    """One row per ledger sentence, in reader words: where, what, tested by which checks.

    ``checks`` is a whole audit (:func:`lungmets.critique.audit.run_audit`): the ledger cites the
    checks of every family, and the audit runs this module's family, so the run is passed in.
    """
    by_id = {ch.id: ch for ch in checks}
    rows = []
    for s in LEDGER:
        earlier = [by_id[i] for i in s.check_ids if i not in s.new_check_ids]
        new = [by_id[i] for i in s.new_check_ids]
        rows.append({
            "Section": s.section, "Sentence": f"“{s.quote}”",
            "Earlier checks": "; ".join(f"{FAMILIES[ch.family]}: {ch.title} ({ch.verdict})"
                                        for ch in earlier) or "none",
            "New checks": "; ".join(ch.verdict for ch in new) or "none",
            "Verdict": _sentence_verdict([by_id[i].verdict for i in s.check_ids]),
        })
    return pd.DataFrame(rows)


def new_checks_frame(checks: Sequence[Check]) -> pd.DataFrame:
    """The new checks of an audit run, one row each, in reader words (the sentence is the check's
    title)."""
    rows = [ch for ch in checks if ch.family == FAMILY]
    return pd.DataFrame([{
        "Section": _entry(ch.id).section, "Sentence": ch.title, "Verdict": ch.verdict,
        "Arithmetic (printed numbers substituted)": ch.arithmetic,
        "What it means for a reader": ch.explanation} for ch in rows])


def ledger_summary(checks: Sequence[Check]) -> dict[str, int]:
    """Counts for the chapter: sentences, how they are covered, and the sentences' verdicts (in
    the audit run ``checks``)."""
    frame = ledger_frame(checks)
    counts = {
        "sentences": len(LEDGER),
        "results": sum(s.section == "Results" for s in LEDGER),
        "discussion": sum(s.section == "Discussion" for s in LEDGER),
        "earlier_only": sum(not s.new_check_ids for s in LEDGER),
        "with_new": sum(bool(s.new_check_ids) for s in LEDGER),
        "excluded": len(EXCLUDED),
    }
    for v in _SEVERITY:
        counts[f"sentences_{v.replace(' ', '_')}"] = int((frame["Verdict"] == v).sum())
    return counts
