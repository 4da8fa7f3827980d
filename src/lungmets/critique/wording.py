"""Audit families on how the paper prints and words its numbers: the same quantity printed in
two places, the descriptive "median ± x (range)", and words set against tables and figures.

Why this module exists: a number printed twice must be printed the same way, a median must lie
inside its range and the "±" after it must be a spread that range allows, and the words of a
sentence ("none > grade 2", a caption's "exceeded", an earlier study's rate) must agree with the
tables and figures they summarise.

Reference: Popoviciu's inequality on variances, Var(X) <= (b - a)^2/4 for X in [a, b] (bounds a
standard deviation by its range).
"""

from __future__ import annotations

import math

from lungmets.claims import Claim
from lungmets.critique.checks import (
    MINUS,
    TIMES,
    Check,
    Claims,
    as_int,
    bounds,
    counts_for_percent,
    overlap,
    tick,
    verdict,
)
from lungmets.critique.counts import T2_EVENTS

__all__ = ["ranges", "repeated", "wording"]

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


def _src(c: Claim) -> str:
    return f"{c.source} {c.value}"


def repeated(c: Claims) -> list[Check]:
    """Every result printed in more than one place, and restatements no automatic pairing
    finds: an HR in words, a p-value in the wrong column, a subgroup's median and SE."""
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


#: SE(median) ≈ sqrt(pi/2)·SD/sqrt(n) for a normal sample: turns an SE of a median into an SD.
_MEDIAN_SE_FACTOR = math.sqrt(math.pi / 2)
#: (label, median, spread, min, max) claim ids of the descriptive "median ± x (range)".
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


def ranges(c: Claims) -> list[Check]:
    """Each descriptive median against its range, and the '±' after it read as an SE."""
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


def wording(c: Claims) -> list[Check]:
    """Words against tables and figures: AE grades, the V20 caption, an earlier study's rate."""
    checks = []
    grade, grade_abs = c("res_max_ae_grade_all"), c("abs_max_ae_grade_all")
    disc_max = c("disc_radiation_ae_grade_max_all")
    rows = [c(f"t2_n_{e}_sorafenib_no") for e in T2_EVENTS]
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
