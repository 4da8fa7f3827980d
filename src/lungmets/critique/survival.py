"""Audit families on the survival results: medians and their CIs, hazard ratios, landmark
rates, the whole cohort against its subgroups, and follow-up against the calendar.

Why this module exists: a survival analysis prints numbers that constrain each other through the
way they were computed. SPSS prints a median's CI as median ± 1.96·SE; a Cox model's Wald CI is
symmetric about ln HR and implies its p-value; a Kaplan-Meier curve above 50% at a landmark has
its median after it (and :func:`median_se_floor` bounds the median's standard error); a pooled
curve lies between its subgroups'; and nobody is followed longer than the study ran.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import math
import re
from collections.abc import Iterable

import numpy as np

from lungmets.claims import Claim
from lungmets.critique.checks import (
    MINUS,
    TIMES,
    Z95,
    Check,
    Claims,
    as_int,
    bounds,
    ci_from_median_se,
    counts_for_percent,
    overlap,
    p_from_ci,
    se_from_ci,
    tick,
    verdict,
)

__all__ = ["follow_up", "hazard_ratios", "landmarks", "median_ci", "median_se_floor", "pooled"]

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


def median_ci(c: Claims) -> list[Check]:
    """The whole cohort's median CIs against median ± 1.96·SE; the CIs other medians imply."""
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


def hazard_ratios(c: Claims) -> list[Check]:
    """Each multivariable HR against the p-value and the symmetry its CI implies."""
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


def landmarks(c: Claims) -> list[Check]:
    """Landmark survival rates against the medians (and SEs) of the same curves."""
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


def pooled(c: Claims) -> list[Check]:
    """The whole cohort's rates and medians against those of its subgroups."""
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


_MONTH_DAYS = 365.25 / 12


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


def follow_up(c: Claims) -> list[Check]:
    """The printed follow-up against the study's dates and the deaths in the first year."""
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


