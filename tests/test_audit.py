"""Tests of the consistency audit: the reusable helpers of lungmets.critique.checks on worked
values, and the key checks of lungmets.critique.audit.

Inputs are read from the claims catalogue (never retyped); expected values are hand computations
stated in each docstring, asserted within the tolerance given there.
"""

from __future__ import annotations

import math

import pytest

from lungmets.claims import Claim, claim, load_claims
from lungmets.critique.audit import audit_frame, missing_claim_ids, run_audit, summary
from lungmets.critique.checks import (
    FAMILIES,
    VERDICTS,
    Check,
    ci_from_median_se,
    counts_for_percent,
    p_from_ci,
    percent_consistent,
    se_from_ci,
)


def _fake(value: str, unit: str = "%") -> Claim:
    """A claim that is not from the paper, for edge cases of the helpers."""
    return Claim(id="fake", section="cohort", quantity="pct", group="all", value=value,
                 unit=unit, source="Table 3", quote=value)


@pytest.fixture(scope="module")
def checks() -> dict[str, Check]:
    return {ch.id: ch for ch in run_audit()}


# ----------------------------------------------------------------------------- helpers


def test_p_from_ci_reproduces_altman_bland_zinc_example() -> None:
    """BMJ 2011;343:d2090 derives 17 points (95% CI 1.4 to 32.6) from P = 0.032; going back
    with d2304: SE = 31.2/3.92 = 7.959, z = 2.136, P = exp(-0.717z - 0.416z²) = 0.0324 (±0.001)."""
    p = p_from_ci(17, 1.4, 32.6, ratio=False)
    assert p == pytest.approx(0.0324, abs=1e-3)
    assert p_from_ci(17, 1.4, 32.6, ratio=False, method="normal") == pytest.approx(0.0327,
                                                                                   abs=1e-3)


def test_p_from_ci_is_005_when_the_ci_touches_the_null() -> None:
    """A ratio CI whose lower bound is exactly 1 has z = 1.96: normal p = 0.0500 (±1e-4); the
    Altman-Bland approximation gives exp(-0.717·1.96 - 0.416·1.96²) = 0.0497 (±5e-4)."""
    hr, lo, up = math.exp(1.0), 1.0, math.exp(2.0)
    assert p_from_ci(hr, lo, up, method="normal") == pytest.approx(0.05, abs=1e-4)
    assert p_from_ci(hr, lo, up) == pytest.approx(0.0497, abs=5e-4)


def test_p_from_ci_for_hr_292_130_730_is_00149() -> None:
    """Table 1's OS HR for intrahepatic status, 2.92 (1.30-7.30): SE = ln(7.30/1.30)/3.92 =
    0.4402, z = ln 2.92/0.4402 = 2.434, normal p = 0.0149 (±2e-4): neither printed p."""
    hr = float(claim("t1_os_mv_hr_intrahepatic"))
    lo, up = float(claim("t1_os_mv_ci_lower_intrahepatic")), float(
        claim("t1_os_mv_ci_upper_intrahepatic"))
    p = p_from_ci(hr, lo, up, method="normal")
    assert p == pytest.approx(0.0149, abs=2e-4)
    assert not claim("t1_os_mv_p_intrahepatic").matches(p)
    assert not claim("res_os_mv_p_intrahepatic").matches(p)


def test_se_from_ci_pfs_median() -> None:
    """(8.53 - 6.47)/(2·1.96) = 0.52551 (±1e-5), which rounds to the printed SE."""
    se = se_from_ci(float(claim("res_pfs_median_ci_lower_all")),
                    float(claim("res_pfs_median_ci_upper_all")))
    assert se == pytest.approx(0.52551, abs=1e-5)
    assert claim("res_pfs_median_se_all").matches(se)


def test_se_from_ci_on_the_log_scale() -> None:
    """ln(4.42/1.12)/3.92 = 0.35021 (±1e-5) for the PFS sorafenib HR."""
    se = se_from_ci(float(claim("t1_pfs_mv_ci_lower_sorafenib")),
                    float(claim("t1_pfs_mv_ci_upper_sorafenib")), ratio=True)
    assert se == pytest.approx(0.35021, abs=1e-5)


def test_ci_from_median_se_os() -> None:
    """26.40 ± 1.96·2.66 = 21.1864 to 31.6136 (±1e-9)."""
    lo, up = ci_from_median_se(float(claim("res_os_median_all")),
                               float(claim("res_os_median_se_all")))
    assert (lo, up) == pytest.approx((21.1864, 31.6136), abs=1e-9)


def test_percent_consistent_respects_printed_precision() -> None:
    """29/45 = 64.44% rounds to the printed 64.4; 28/45 = 62.22% does not."""
    printed = claim("met_pct_deaths")
    assert percent_consistent(29, 45, printed)
    assert not percent_consistent(28, 45, printed)


@pytest.mark.parametrize(
    ("value", "denominator", "expected"),
    [("80", 45, [36]), ("2", 45, [1]), ("98", 45, [44]), ("30.4", 23, [7]), ("30.4", 22, []),
     ("0", 22, [0]), ("50.0", 3, [])],
)
def test_counts_for_percent_on_made_up_printings(value: str, denominator: int,
                                                 expected: list[int]) -> None:
    """Hand-computed: 36/45 = 80.0; 1/45 = 2.2 → '2'; 44/45 = 97.8 → '98'; 7/23 = 30.43;
    no k/22 lies in [30.35, 30.45); 0/22 = 0; thirds never give 50.0."""
    assert counts_for_percent(_fake(value), denominator) == expected


def test_counts_for_percent_on_the_paper() -> None:
    """The 2-year OS of 46.7% is exactly 21/45; the previous study's 76.9% is 10/13."""
    assert counts_for_percent(claim("res_os_rate_24m_all"), 45) == [21]
    assert counts_for_percent(claim("disc_pct_orr_previous_study"), 13) == [10]


@pytest.mark.parametrize(
    ("call", "message"),
    [(lambda: counts_for_percent(_fake("10"), 0), "denominator"),
     (lambda: percent_consistent(1, 0, _fake("10")), "denominator"),
     (lambda: se_from_ci(2.0, 1.0), "below"),
     (lambda: se_from_ci(0.0, 1.0, ratio=True), "positive"),
     (lambda: p_from_ci(-1.0, 0.5, 2.0), "positive"),
     (lambda: p_from_ci(2.0, 1.0, 3.0, method="exact"), "method"),  # type: ignore[arg-type]
     (lambda: ci_from_median_se(1.0, -0.1), "negative")],
)
def test_helpers_reject_bad_input(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


# ----------------------------------------------------------------------------- the audit


def test_audit_is_complete_and_well_formed(checks: dict[str, Check]) -> None:
    """Every claim id the audit needs exists, every family contributes, verdicts are valid."""
    assert missing_claim_ids(list(checks.values())) == []
    assert {ch.family for ch in checks.values()} == set(FAMILIES)
    assert all(ch.verdict in VERDICTS for ch in checks.values())
    catalogue = load_claims()
    for ch in checks.values():
        assert all(i in catalogue for i in ch.claim_ids), ch.id


def test_summary_counts_add_up(checks: dict[str, Check]) -> None:
    counts = summary(list(checks.values()))
    assert sum(counts[v] for v in VERDICTS) == counts["total"] == len(checks)


def test_audit_frame_has_one_row_per_check_in_family_order(checks: dict[str, Check]) -> None:
    df = audit_frame(list(checks.values()))
    assert len(df) == len(checks)
    order = list(dict.fromkeys(df["family"]))
    assert order == [f for f in FAMILIES if f in order]


def test_table2_sorafenib_column_sums_to_18_not_17(checks: dict[str, Check]) -> None:
    """1+5+4+3+3+2+0+0+0+0 = 18 events against 'Total (n)' 17: inconsistent."""
    ch = checks["t2_column_sum_sorafenib_yes"]
    assert ch.values["column_sum"] == 18
    assert ch.values["total"] == float(claim("t2_n_total_sorafenib_yes"))
    assert ch.verdict == "inconsistent"
    assert checks["t2_column_sum_sorafenib_no"].values["column_sum"] == 12
    assert checks["t2_column_sum_sorafenib_no"].verdict == "consistent"


def test_table2_total_has_no_single_meaning(checks: dict[str, Check]) -> None:
    """As patients, HT only has at most 12 - 1 = 11 (leuko- and thrombocytopenia in one
    patient) against a printed 12; as events the other column fails: inconsistent."""
    ch = checks["t2_total_meaning"]
    assert ch.values["max_patients_sorafenib_no"] == 11
    assert ch.verdict == "inconsistent"


def test_hr_intrahepatic_p_and_symmetry(checks: dict[str, Check]) -> None:
    """Implied p 0.0145-0.0153 over the rounding box excludes 0.024 (Table 1) and 0.011 (text);
    the CI's geometric midpoint √(1.30·7.30) = 3.081 (±1e-3) is not 2.92, and an HR at that
    midpoint gives p = 0.0106 (±2e-4), the text's 0.011."""
    for src in ("t1", "res"):
        ch = checks[f"hr_p_os_intrahepatic_{src}"]
        assert ch.values["p_min"] == pytest.approx(0.0145, abs=2e-4)
        assert ch.values["p_max"] == pytest.approx(0.0153, abs=2e-4)
        assert ch.verdict == "inconsistent"
    sym = checks["hr_symmetry_os_intrahepatic"]
    assert sym.values["midpoint"] == pytest.approx(3.081, abs=1e-3)
    assert sym.values["p_at_midpoint"] == pytest.approx(0.0106, abs=2e-4)
    assert sym.verdict == "inconsistent"


@pytest.mark.parametrize(
    ("check_id", "p_normal"),
    [("hr_p_pfs_lesions_t1", 0.00147), ("hr_p_pfs_sorafenib_t1", 0.0220),
     ("hr_p_os_sorafenib_t1", 0.0141)],
)
def test_other_hrs_imply_their_printed_p(checks: dict[str, Check], check_id: str,
                                         p_normal: float) -> None:
    """Hand computations: z = 3.181, 2.290, 2.455 → p = 0.00147, 0.0220, 0.0141 (±3%)."""
    ch = checks[check_id]
    assert ch.values["p_normal"] == pytest.approx(p_normal, rel=0.03)
    assert ch.verdict == "consistent"


def test_median_ci_pfs_needs_the_unrounded_se(checks: dict[str, Check]) -> None:
    """7.50 ± 1.96·0.53 = 6.461-8.539 would print 6.46-8.54, but an SE near 0.5255 (still
    printed 0.53) gives 6.47-8.53: consistent, with SE in about [0.525, 0.528]."""
    ch = checks["ci_pfs_all"]
    assert ch.values["naive_lower"] == pytest.approx(6.4612, abs=1e-4)
    assert 0.5249 <= ch.values["se_fit_min"] <= ch.values["se_fit_max"] <= 0.5282
    assert ch.verdict == "consistent"


@pytest.mark.parametrize(
    ("check_id", "verdict"),
    [("landmark_pfs_12m_sorafenib_yes", "inconsistent"),  # 55.2% > 50% at 12 but median 11.80
     ("landmark_pfs_12m_sorafenib_no", "consistent"),  # 45.5% < 50% and median 5.80 <= 12
     ("landmark_os_24m_all", "inconsistent"),  # 46.7% < 50% at 24 but median 26.40
     ("landmark_os_24m_sorafenib_yes", "consistent")],  # 78.8% > 50% and median 29.60 > 24
)
def test_landmark_rules(checks: dict[str, Check], check_id: str, verdict: str) -> None:
    ch = checks[check_id]
    above = ch.values["rate"] > 50
    assert (ch.values["median"] > ch.values["months"]) is (above if verdict == "consistent"
                                                          else not above)
    assert ch.verdict == verdict


def test_pooled_two_year_os(checks: dict[str, Check]) -> None:
    """(22·30.4 + 23·78.8)/45 = 55.14% (±0.01); printed 46.7% lies 8.44 points below and is
    exactly 21/45."""
    ch = checks["pooled_os_24m"]
    assert ch.values["weighted_mean"] == pytest.approx(55.138, abs=0.01)
    assert ch.values["gap"] == pytest.approx(-8.438, abs=0.01)
    assert ch.values["count"] == 21
    assert ch.verdict == "consistent"


def test_follow_up_dates(checks: dict[str, Check]) -> None:
    """1 Oct 2011 to 24 Oct 2015 = 1484 days = 48.76 months; from October 2014 (1st to 31st)
    to 24 Oct 2015 = 11.76 to 12.75 months, below the 15.5-month minimum."""
    assert checks["followup_max_vs_window"].values["window_months"] == pytest.approx(48.76,
                                                                                      abs=0.01)
    tail = checks["followup_min_vs_accrual_end"]
    assert tail.values["tail_min_months"] == pytest.approx(11.76, abs=0.01)
    assert tail.values["tail_max_months"] == pytest.approx(12.75, abs=0.01)
    assert tail.verdict == "not checkable"


def test_follow_up_spread_cannot_be_a_standard_error(checks: dict[str, Check]) -> None:
    """12.3·√16/1.2533 = 39.26 (±0.01) > (45 - 15.5)/2 = 14.75: inconsistent as an SE."""
    ch = checks["spread_followup"]
    assert ch.values["sd_if_se"] == pytest.approx(39.26, abs=0.01)
    assert ch.values["sd_max"] == pytest.approx(14.75, abs=1e-9)
    assert ch.verdict == "inconsistent"
    assert checks["spread_pdr"].verdict == "consistent"


def test_sums_and_words(checks: dict[str, Check]) -> None:
    """23 - 18 = 5 and 22 - 15 = 7 active-liver patients per arm (5 + 7 = 12, consistent);
    3.76 rounds to 3.8, not 'approximately 3.5'; V20 '> 30%' in the caption against '< 30%'."""
    ch = checks["sum_active_by_arm"]
    assert (ch.values["active_sorafenib_yes"], ch.values["active_sorafenib_no"]) == (5, 7)
    assert ch.verdict == "consistent"
    assert checks["words_hr_lesions"].values["hr_rounded"] == pytest.approx(3.8)
    assert checks["words_hr_lesions"].verdict == "inconsistent"
    assert checks["v20_caption_vs_text"].verdict == "inconsistent"
    assert checks["previous_3dcrt_rate"].values["k_previous"] == 10


def test_a_missing_claim_is_reported_not_fatal() -> None:
    """Dropping one id turns its family into one 'not checkable' row naming that id."""
    catalogue = load_claims()
    del catalogue["t2_n_total_sorafenib_yes"]
    partial = run_audit(catalogue)
    assert missing_claim_ids(partial) == ["t2_n_total_sorafenib_yes"]
    row = next(ch for ch in partial if ch.id == "adverse_events_missing_claim")
    assert row.verdict == "not checkable"


def test_check_rejects_unknown_verdict() -> None:
    with pytest.raises(ValueError, match="verdict"):
        Check("x", "sums", "t", (), "a", "fine", "e")  # type: ignore[arg-type]


def test_median_se_floor_bounds_a_curve_built_to_fit_the_rate_and_median() -> None:
    """HT-only PFS: 22 patients, 12 progressions before 1 year (S(12) = 10/22 = 45.5%), the
    11th at 5.8 months (median 5.80). SPSS's SE of that median is far above the floor, and
    the floor itself (≥ 0.65) is above the printed 0.52."""
    from lungmets.claims import claim
    from lungmets.critique.survival import median_se_floor
    from lungmets.stats.survival_stats import km_median_spss

    times = [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 5.8, 11.0] + [30.0] * 10
    events = [1] * 12 + [1] * 3 + [0] * 7
    summary = km_median_spss(times, events)
    assert summary.median == pytest.approx(5.8)
    floor = median_se_floor(claim("res_pfs_rate_12m_sorafenib_no"), 12,
                            claim("abs_pfs_median_sorafenib_no"), 22)
    assert floor == pytest.approx(0.6576, abs=1e-3)
    assert summary.se >= floor
    assert floor > claim("abs_pfs_median_se_sorafenib_no").upper


def test_median_se_floor_is_silent_when_the_rate_does_not_bound_the_density() -> None:
    from lungmets.claims import claim
    from lungmets.critique.survival import median_se_floor

    # 55.2% at 12 months is above 50%: the C1 rule applies instead, not this bound
    assert median_se_floor(claim("res_pfs_rate_12m_sorafenib_yes"), 12,
                           claim("abs_pfs_median_sorafenib_yes"), 23) is None


def test_ht_only_pfs_rate_contradicts_its_median_se(checks: dict[str, Check]) -> None:
    ch = checks["landmark_se_pfs_12m_sorafenib_no"]
    assert ch.verdict == "inconsistent"
    assert ch.values["se_floor"] > 0.525  # the printed 0.52 can be at most 0.525
