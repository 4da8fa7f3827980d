"""lungmets.analyses.adverse: Table 2 counts, patients vs events, Newcombe intervals, Fisher
tests."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from lungmets.analyses.adverse import (
    MARROW_EVENTS,
    arm_comparison,
    arm_sizes,
    claim_computers,
    compare_adverse_events,
    count_events,
    grade_counts,
    max_grade,
    min_attainable_p,
    newcombe_interval,
    null_rejection_probability,
    plot_ae_dotplot,
    plot_ae_rates,
    plot_grade_butterfly,
    published_table2,
    table2,
    table2_beside,
    wilson_interval,
)
from lungmets.analyses.covariates import AE_EVENTS
from lungmets.claims import claim
from lungmets.synthetic.recompute import computers
from lungmets.synthetic.reconstruct import Cohort, load_cohort


@pytest.fixture(scope="module")
def cohort() -> Cohort:
    return load_cohort()


def _tiny(ae_rows: list[tuple[str, str, int]]) -> Cohort:
    """Three patients: A and B with sorafenib, C without."""
    patients = pd.DataFrame({"patient_id": ["A", "B", "C"], "sorafenib": [1, 1, 0]})
    ae = pd.DataFrame(ae_rows, columns=["patient_id", "event", "grade"])
    return Cohort(patients, pd.DataFrame(), ae, pd.DataFrame())


# ------------------------------------------------------------------ intervals


def test_newcombe_reproduces_newcombe_1998_example() -> None:
    """Newcombe, Stat Med 1998, Table II example (a): 56/70 - 48/80, method 10: 0.0524, 0.3339."""
    d, lo, hi = newcombe_interval(56, 70, 48, 80)
    assert d == pytest.approx(0.2, abs=1e-12)
    assert (lo, hi) == pytest.approx((0.0524, 0.3339), abs=5e-5)


@pytest.mark.parametrize(("k1", "n1", "k0", "n0"),
                         [(3, 23, 0, 22), (0, 23, 0, 22), (1, 23, 3, 22), (23, 23, 0, 22)])
def test_newcombe_equals_statsmodels(k1: int, n1: int, k0: int, n0: int) -> None:
    ref = confint_proportions_2indep(k1, n1, k0, n0, method="newcomb", compare="diff")
    assert newcombe_interval(k1, n1, k0, n0)[1:] == pytest.approx(ref, abs=1e-10)


@pytest.mark.parametrize(("k", "n"), [(0, 22), (4, 23), (23, 23), (7, 10)])
def test_wilson_equals_statsmodels(k: int, n: int) -> None:
    assert wilson_interval(k, n) == pytest.approx(
        proportion_confint(k, n, method="wilson"), abs=1e-10)


def test_wilson_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError, match="0 <= k <= n"):
        wilson_interval(5, 4)


def test_min_attainable_p_is_the_most_lopsided_split() -> None:
    # three events all in the smaller arm (22) is more extreme than all in the larger (23)
    expected = stats.fisher_exact([[0, 23], [3, 19]]).pvalue
    assert expected < stats.fisher_exact([[3, 20], [0, 22]]).pvalue
    assert min_attainable_p(3, 23, 22) == pytest.approx(expected, rel=1e-9)
    assert min_attainable_p(3, 23, 22) > 0.05  # three events can never be "significant"
    assert min_attainable_p(0, 23, 22) == 1.0


def test_null_rejection_probability_sums_the_rejecting_splits() -> None:
    """Ten events in arms of 23 and 22: add up the hypergeometric weights of the splits whose
    Fisher p is below 0.05 (scipy's own test), and never more than the level itself."""
    n1, n0, events = 23, 22, 10
    expected = sum(stats.hypergeom.pmf(k1, n1 + n0, events, n1) for k1 in range(events + 1)
                   if stats.fisher_exact([[k1, n1 - k1], [events - k1, n0 - events + k1]]
                                         ).pvalue < 0.05)
    assert null_rejection_probability(events, n1, n0, 0.05) == pytest.approx(expected, rel=1e-9)
    assert 0 < expected < 0.05
    assert null_rejection_probability(3, n1, n0, 0.05) == 0.0  # no split can reach 0.05
    assert null_rejection_probability(0, n1, n0, 0.05) == 0.0


# ------------------------------------------------------------------ counting


def test_patients_and_events_differ_when_a_patient_has_two_events() -> None:
    tiny = _tiny([("A", "hfsr", 1), ("A", "ast_alt", 2), ("B", "hfsr", 2), ("C", "anorexia", 1)])
    assert count_events(tiny, None, 1) == 2
    assert count_events(tiny, None, 1, unit="events") == 3
    assert count_events(tiny, ("hfsr", "ast_alt"), 1, min_grade=2) == 2
    assert count_events(tiny, "hfsr", 1, min_grade=2) == 1
    assert count_events(tiny, None, 0) == 1
    assert count_events(tiny, "anorexia", None) == 1
    assert max_grade(tiny) == 2


def test_an_orphan_record_names_file_line_and_column() -> None:
    tiny = _tiny([("A", "hfsr", 1), ("Z", "hfsr", 1)])
    with pytest.raises(ValueError, match=r"adverse_events\.csv, line 3, column 'patient_id'"):
        count_events(tiny, "hfsr", 1)


def test_unknown_event_or_unit_is_an_error() -> None:
    tiny = _tiny([("A", "hfsr", 1)])
    with pytest.raises(ValueError, match="unknown adverse event"):
        count_events(tiny, "rash", 1)
    with pytest.raises(ValueError, match="unit="):
        count_events(tiny, "hfsr", 1, unit="visits")  # type: ignore[arg-type]


def test_every_table2_cell_is_reproduced(cohort: Cohort) -> None:
    published = published_table2().set_index("event")
    for code, key in ((0, "no"), (1, "yes")):
        for ev in AE_EVENTS:
            assert count_events(cohort, ev, code) == published.at[ev, f"n_{key}"], (ev, key)


def test_event_records_add_up_to_the_column_sums(cohort: Cohort) -> None:
    """Counting records gives the column sums of Table 2; counting patients gives fewer (a
    patient with several events counts once), never more."""
    published = published_table2()
    events = table2(cohort, unit="events").set_index("label").loc["Any adverse event"]
    patients = table2(cohort).set_index("label").loc["Any adverse event"]
    for key in ("no", "yes"):
        assert events[f"n_{key}"] == published[f"n_{key}"].sum()
        assert published[f"n_{key}"].max() <= patients[f"n_{key}"] < events[f"n_{key}"]
    assert events["per100_no"] == pytest.approx(100 * events["n_no"] / 22, abs=1e-9)


def test_grade_counts_add_up_to_the_cells(cohort: Cohort) -> None:
    grades = grade_counts(cohort)
    published = published_table2().set_index("event")
    for code, key in ((0, "no"), (1, "yes")):
        assert (grades[code].sum(axis=1) == published[f"n_{key}"]).all()
    assert max_grade(cohort) <= claim("res_max_ae_grade_all").number


def test_higher_grade_threshold_never_adds_events(cohort: Cohort) -> None:
    any_grade, grade2 = table2(cohort), table2(cohort, min_grade=2)
    assert (grade2[["n_no", "n_yes"]] <= any_grade[["n_no", "n_yes"]]).all().all()
    above = table2(cohort, min_grade=int(claim("res_max_ae_grade_all").number) + 1)
    assert (above[["n_no", "n_yes"]] == 0).all().all()


# ------------------------------------------------------------------ claims


def test_claims_agree_with_the_scorecard(cohort: Cohort) -> None:
    card = computers()
    mine = claim_computers()
    for cid, compute in mine.items():
        assert card[cid](cohort) == compute(cohort), cid


def test_compare_adverse_events_hits_all_but_the_sorafenib_total(cohort: Cohort) -> None:
    table = compare_adverse_events(cohort)
    assert list(table.columns[:1]) == ["claim"]
    assert {"claim", "published", "reproduced", "hit"} <= set(table.columns)
    assert table.loc[~table["hit"], "claim"].tolist() == ["t2_n_total_sorafenib_yes"]
    row = table.set_index("claim").loc["res_n_bone_marrow_suppression_all"]
    assert row["reproduced"] == "1"
    assert count_events(cohort, MARROW_EVENTS, None, unit="events") == 2


def test_table2_beside_shows_every_cell_and_the_denominators(cohort: Cohort) -> None:
    beside = table2_beside(cohort).set_index("row")
    assert beside.loc["Total (n)", "hit"] == "MISS HT + sorafenib"
    assert beside.loc["Radiation pneumonitis", "HT only: reproduced"] == "6 (27.3%)"
    assert beside.loc["Patients in the arm (denominator)", "HT + sorafenib: reproduced"] == "23"
    assert (beside["hit"].iloc[:len(AE_EVENTS)] == "both").all()


# ------------------------------------------------------------------ comparison


def test_arm_comparison_fisher_holm_and_untested_rows(cohort: Cohort) -> None:
    sizes = arm_sizes(cohort.patients)
    comp = arm_comparison(table2(cohort).query("kind == 'event'"), sizes).set_index("label")
    ast = comp.loc["AST/ALT increased"]
    assert ast["p"] == pytest.approx(stats.fisher_exact([[4, 19], [0, 22]]).pvalue, rel=1e-9)
    assert ast["rd"] == pytest.approx(100 * 4 / 23, abs=1e-9)
    assert ast["rd_lower"] < 0 < ast["rd_upper"]
    assert math.isnan(comp.loc["Hypertension", "p"])
    tested = comp["p"].dropna()
    holm = multipletests(tested, method="holm")[1]
    assert comp["p_holm"].dropna().to_numpy() == pytest.approx(holm, abs=1e-12)
    assert comp.loc["Hypertension", "upper_yes"] == pytest.approx(
        100 * (1 - 0.025 ** (1 / 23)), abs=1e-9)


def test_published_and_reproduced_counts_give_the_same_comparison(cohort: Cohort) -> None:
    sizes = arm_sizes(cohort.patients)
    mine = arm_comparison(table2(cohort).query("kind == 'event'"), sizes)
    theirs = arm_comparison(published_table2(), sizes)
    pd.testing.assert_frame_equal(mine.drop(columns="label"), theirs.drop(columns="label"))


# ------------------------------------------------------------------ figures


def test_plots_draw_one_row_per_event(cohort: Cohort) -> None:
    sizes = arm_sizes(cohort.patients)
    ax = plot_grade_butterfly(grade_counts(cohort), sizes)
    assert len(ax.get_yticklabels()) == len(AE_EVENTS)
    assert [t.get_text() for t in ax.texts].count(f"4/{sizes[1]}") == 1
    comp = arm_comparison(table2(cohort).query("kind == 'event'"), sizes)
    left, _ = plot_ae_dotplot(comp)
    assert len(left.get_yticklabels()) == len(AE_EVENTS)
    table = table2(cohort)
    ax2 = plot_ae_rates(table, "patients")
    bold = [t.get_text() for t in ax2.get_yticklabels() if t.get_fontweight() == "bold"]
    assert bold == table.loc[table["kind"] == "summary", "label"].tolist()
    plt.close("all")
