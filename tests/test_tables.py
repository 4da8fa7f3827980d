"""lungmets.analyses.tables: tests, SMDs and Table 1 against hand-computed values and scipy."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from lungmets.analyses.tables import (
    CHI_SQUARE,
    CONTINUOUS_LABELS,
    FISHER,
    TABLE3_LEVELS,
    categorical_test,
    compare_table3,
    continuous_test,
    expected_counts,
    fisher_freeman_halton,
    followup_table,
    smd_binary,
    smd_categorical,
    smd_continuous,
    table3_factors,
    table_one,
    table_one_by_sorafenib,
)
from lungmets.claims import claim
from lungmets.stats.survival_stats import reverse_km_median_followup

# --------------------------------------------------------------------------- SMD


def test_smd_binary_worked_example() -> None:
    """0.5 vs 0.3: 0.2 / sqrt((0.25 + 0.21) / 2) = 0.2 / 0.479583 = 0.417029."""
    assert smd_binary(0.5, 0.3) == pytest.approx(0.2 / math.sqrt(0.23), abs=1e-12)
    assert smd_binary(0.5, 0.3) == pytest.approx(0.417029, abs=1e-6)
    assert smd_binary(0.3, 0.5) == smd_binary(0.5, 0.3)  # absolute value, as tableone


def test_smd_categorical_two_levels_equals_binary() -> None:
    assert smd_categorical([0.5, 0.5], [0.7, 0.3]) == pytest.approx(smd_binary(0.5, 0.3), rel=1e-12)


def test_smd_categorical_three_levels_worked_example() -> None:
    """Yang & Dalton by hand: T = (-0.1, 0.3), S = [[.225, -.115], [-.115, .205]],
    det S = 0.0329, T'S^-1 T = 0.0154 / 0.0329, SMD = sqrt(0.468085) = 0.684167."""
    value = smd_categorical([0.2, 0.3, 0.5], [0.4, 0.4, 0.2])
    assert value == pytest.approx(math.sqrt(0.0154 / 0.0329), abs=1e-9)
    assert value == pytest.approx(0.684167, abs=1e-6)


def test_smd_categorical_with_a_level_absent_in_both_groups_uses_pseudo_inverse() -> None:
    """An empty level adds nothing: same SMD as the table without it."""
    with_empty = smd_categorical([0.5, 0.0, 0.5], [0.7, 0.0, 0.3])
    assert with_empty == pytest.approx(smd_binary(0.5, 0.3), rel=1e-9)


def test_smd_continuous_cohens_d_pooled() -> None:
    """[1,2,3] vs [2,4,6]: means 2 and 4, variances 1 and 4, pooled (2*1+2*4)/4 = 2.5."""
    assert smd_continuous([1, 2, 3], [2, 4, 6]) == pytest.approx(2 / math.sqrt(2.5), abs=1e-12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: smd_binary(1.2, 0.3), "not a proportion"),
        (lambda: smd_categorical([0.5, 0.6], [0.5, 0.5]), "summing to 1"),
        (lambda: smd_categorical([1.0], [1.0]), ">= 2"),
        (lambda: smd_continuous([1.0], [1.0, 2.0]), "at least two"),
    ],
    ids=["p-above-1", "props-not-summing", "one-level", "one-value"],
)
def test_smd_rejects_bad_input(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


# --------------------------------------------------------------------------- tests


def test_expected_counts_row_times_column_over_n() -> None:
    assert expected_counts([[20, 25], [30, 15]]) == pytest.approx(np.array([[25, 20], [25, 20]]))


def test_chi_square_is_uncorrected_pearson() -> None:
    """Expected 25/20/25/20: X^2 = 2 * (25/25 + 25/20) = 4.5, p = erfc(sqrt(4.5/2))."""
    result = categorical_test([[20, 25], [30, 15]])
    assert result.test == CHI_SQUARE
    assert result.min_expected == 20
    assert result.p_value == pytest.approx(math.erfc(math.sqrt(2.25)), rel=1e-10)
    scipy_p = stats.chi2_contingency([[20, 25], [30, 15]], correction=False).pvalue
    assert result.p_value == pytest.approx(scipy_p, rel=1e-12)


def test_fisher_chosen_when_an_expected_count_is_below_five() -> None:
    """[[3,1],[1,3]]: expected 2 in every cell -> Fisher. Hypergeometric weights 1,16,36,16,1
    over 70; the observed (16/70) and rarer tables sum to 34/70."""
    result = categorical_test([[3, 1], [1, 3]])
    assert result.test == FISHER
    assert result.min_expected == 2
    assert result.p_value == pytest.approx(34 / 70, abs=1e-12)


def test_rule_boundary_expected_exactly_five_keeps_chi_square() -> None:
    """Expected counts of exactly 5 are not 'below 5'."""
    result = categorical_test([[5, 5], [5, 5]])
    assert result.min_expected == 5
    assert result.test == CHI_SQUARE


def test_forced_methods_override_the_rule() -> None:
    assert categorical_test([[3, 1], [1, 3]], "chi-square").test == CHI_SQUARE
    assert categorical_test([[20, 25], [30, 15]], "fisher").test == FISHER


@pytest.mark.parametrize("table", [[[6, 2], [1, 4]], [[8, 2], [1, 5]], [[10, 3], [2, 15]]])
def test_freeman_halton_equals_scipy_fisher_on_2x2(table) -> None:
    assert fisher_freeman_halton(table) == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-9)


def test_freeman_halton_2x3_by_hand() -> None:
    """Margins (2,2) x (1,2,1): four tables with probabilities 1/3, 1/6, 1/6, 1/3; the observed
    [[1,0,1],[0,2,0]] has 1/6, so p = 1/6 + 1/6."""
    assert fisher_freeman_halton([[1, 0, 1], [0, 2, 0]]) == pytest.approx(1 / 3, abs=1e-12)


def test_freeman_halton_2x3_agrees_with_monte_carlo() -> None:
    """scipy's r x c Fisher is Monte Carlo; 200 000 seeded draws: SE about 0.001."""
    table = [[12, 1, 10], [12, 2, 8]]
    mc = stats.fisher_exact(
        table, method=stats.MonteCarloMethod(n_resamples=200_000, rng=np.random.default_rng(1))
    )
    assert fisher_freeman_halton(table) == pytest.approx(mc.pvalue, abs=0.005)


@pytest.mark.parametrize(
    "table",
    [[1, 2, 3], [[1, -1], [2, 3]], [[1.5, 1], [2, 3]], [[0, 0], [2, 3]]],
    ids=["1-D", "negative", "fractional", "empty-row"],
)
def test_categorical_test_rejects_bad_tables(table) -> None:
    with pytest.raises(ValueError, match="contingency table"):
        categorical_test(table)


def test_categorical_test_rejects_unknown_method() -> None:
    with pytest.raises(ValueError, match="method="):
        categorical_test([[5, 5], [5, 5]], "barnard")  # type: ignore[arg-type]


def test_continuous_test_names_and_p_values() -> None:
    a, b, c = [1.0, 2.0, 3.0, 4.0], [3.5, 5.0, 6.0, 7.0], [2.5, 8.0, 9.0, 10.0]
    mw = continuous_test([a, b], nonnormal=True)
    assert mw.test == "Mann-Whitney U"
    assert mw.p_value == pytest.approx(stats.mannwhitneyu(a, b).pvalue)
    assert continuous_test([a, b, c], nonnormal=True).test == "Kruskal-Wallis"
    t = continuous_test([a, b], nonnormal=False)
    assert t.test == "Student t-test"
    assert t.p_value == pytest.approx(stats.ttest_ind(a, b).pvalue, rel=1e-10)


# --------------------------------------------------------------------------- table_one


@pytest.fixture
def small() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "arm": ["A"] * 4 + ["B"] * 4,
            "sex": ["m", "m", "f", "m", "f", "f", "m", "f"],
            "age": [50.0, 60.0, 70.0, 80.0, 40.0, 45.0, 55.0, 65.0],
        }
    )


def test_table_one_counts_percentages_and_smd(small: pd.DataFrame) -> None:
    table = table_one(
        small,
        ["sex", "age"],
        ["sex"],
        "arm",
        nonnormal=["age"],
        levels={"sex": ["m", "f"]},
        group_labels={"A": "Arm A", "B": "Arm B"},
    )
    assert list(table.columns) == [
        "variable",
        "level",
        "Overall",
        "Arm A",
        "Arm B",
        "test",
        "p",
        "SMD",
    ]
    assert table.iloc[0][["Overall", "Arm A", "Arm B"]].tolist() == ["8", "4", "4"]
    male = table.iloc[1]
    assert male[["level", "Overall", "Arm A", "Arm B"]].tolist() == [
        "m",
        "4 (50.0)",
        "3 (75.0)",
        "1 (25.0)",
    ]
    assert male["test"] == FISHER  # expected 2 per cell
    assert male["p"] == pytest.approx(stats.fisher_exact([[3, 1], [1, 3]]).pvalue)
    assert male["SMD"] == pytest.approx(smd_binary(0.75, 0.25))
    age = table.iloc[3]
    # numpy linear percentiles of [50, 60, 70, 80]: 57.5, 65, 72.5
    assert age["Arm A"] == "65.0 [57.5, 72.5]"
    assert age["test"] == "Mann-Whitney U"
    assert age["SMD"] == pytest.approx(smd_continuous([50, 60, 70, 80], [40, 45, 55, 65]))


def test_table_one_group_labels_fix_column_order(small: pd.DataFrame) -> None:
    table = table_one(small, ["sex"], ["sex"], "arm", group_labels={"B": "second", "A": "first"})
    assert list(table.columns[3:5]) == ["second", "first"]


def test_table_one_names_row_and_column_of_a_missing_value(small: pd.DataFrame) -> None:
    small.loc[5, "sex"] = None
    with pytest.raises(ValueError, match=r"row 5, column 'sex'"):
        table_one(small, ["sex"], ["sex"], "arm")


def test_table_one_rejects_unknown_columns_and_levels(small: pd.DataFrame) -> None:
    with pytest.raises(KeyError, match="not in the data"):
        table_one(small, ["weight"], [], "arm")
    with pytest.raises(ValueError, match="not in levels"):
        table_one(small, ["sex"], ["sex"], "arm", levels={"sex": ["m"]})
    with pytest.raises(TypeError, match="not numeric"):
        table_one(small, ["sex"], [], "arm")


# --------------------------------------------------------------------------- Table 3


def _cohort_matching_table3() -> pd.DataFrame:
    """A cohort whose every Table 3 count equals the printed one (read from the claims)."""
    n = int(claim("t3_n_total").number)

    def split(key: str, values: list[object]) -> list[object]:
        out: list[object] = []
        for (level_key, _), value in zip(TABLE3_LEVELS[key], values, strict=True):
            out += [value] * int(claim(f"t3_n_{key}_{level_key}").number)
        assert len(out) == n
        return out

    return pd.DataFrame(
        {
            "sex": split("sex", ["male", "female"]),
            "age_years": split("age", [70, 50]),
            "pdr_months": split("pdr", [10.0, 1.0]),
            "pmfi_months": split("pmfi", [20.0, 5.0]),
            "afp_ng_ml": split("afp", [100.0, 5.0]),
            "viral_hepatitis": split("hepatitis", [1, 0]),
            "n_lesions": split("lesions", [2, 6]),
            "max_lesion_cm": split("maxsize", [2.0, 4.0]),
            "intrahepatic_active": split("intrahepatic", [1, 0]),
            "liver_treatment": split("livertx", ["resection", "tace", "transplantation"]),
            "sorafenib": split("sorafenib", [0, 1]),
            "ecog": split("ecog", [1, 2]),
            "other_mets": split("othermets", [0, 1]),
        }
    )


def test_compare_table3_all_hits_on_a_cohort_built_to_the_printed_counts() -> None:
    comparison = compare_table3(_cohort_matching_table3())
    n_levels = sum(len(levels) for levels in TABLE3_LEVELS.values())
    assert len(comparison) == 2 * n_levels
    assert comparison["hit"].all()


def test_compare_table3_flags_a_moved_patient() -> None:
    """Moving one patient from <60 to >=60 breaks n and % of both age rows, nothing else."""
    cohort = _cohort_matching_table3()
    first_young = cohort.index[cohort["age_years"] < 60][0]
    cohort.loc[first_young, "age_years"] = 65
    misses = compare_table3(cohort).query("not hit")["claim id"].tolist()
    assert sorted(misses) == [
        "t3_n_age_ge60",
        "t3_n_age_lt60",
        "t3_pct_age_ge60",
        "t3_pct_age_lt60",
    ]


def test_table3_factors_names_the_missing_column() -> None:
    with pytest.raises(KeyError, match="sex"):
        table3_factors(_cohort_matching_table3().drop(columns="sex"))


# --------------------------------------------------------------------------- follow-up


def test_followup_definitions_by_hand() -> None:
    """Times 1,2,3,4 with deaths at 1 and 3. All-times median 2.5; survivors (2, 4) median 3;
    reverse KM: censorings at 2 (3 at risk, G = 2/3) and 4 (1 at risk, G = 0) -> median 4."""
    patients = pd.DataFrame(
        {
            "os_months": [1.0, 2.0, 3.0, 4.0],
            "os_event": [1, 0, 1, 0],
            "pdr_months": [0.5, 0.5, 1.0, 1.0],
        }
    )
    full = followup_table(patients).set_index("definition")
    table = full["median"]
    assert table["Reverse Kaplan-Meier median"] == pytest.approx(4.0)
    assert table["Reverse Kaplan-Meier median"] == pytest.approx(
        reverse_km_median_followup(patients["os_months"], patients["os_event"])
    )
    assert full["se"].notna().tolist() == [True, False, False]
    assert table["Median of all observed times"] == pytest.approx(2.5)
    assert table["Median among patients alive at last contact"] == pytest.approx(3.0)
    from_rt = followup_table(patients, origin="rt_start").set_index("definition")["median"]
    assert from_rt["Median of all observed times"] == pytest.approx(np.median([0.5, 1.5, 2, 3]))


def test_followup_rejects_time_before_origin() -> None:
    patients = pd.DataFrame({"os_months": [1.0, 2.0], "os_event": [1, 0], "pdr_months": [0, 3]})
    with pytest.raises(ValueError, match=r"row 1, columns .* is negative"):
        followup_table(patients, origin="rt_start")


def test_table_one_by_sorafenib_groups_and_rows() -> None:
    cohort = _cohort_matching_table3()
    for column in CONTINUOUS_LABELS:
        cohort[column] = cohort.get(column, pd.Series(range(len(cohort)), dtype=float)).astype(
            float
        )
    table = table_one_by_sorafenib(cohort)
    n_yes = int(claim("t3_n_sorafenib_yes").number)
    n_no = int(claim("t3_n_sorafenib_no").number)
    assert table.iloc[0][["HT + sorafenib", "HT only"]].tolist() == [str(n_yes), str(n_no)]
    assert "Sorafenib" not in set(table["variable"])  # the grouping variable is not a row
    n_levels = sum(len(v) for k, v in TABLE3_LEVELS.items() if k != "sorafenib")
    assert len(table) == 1 + n_levels + len(CONTINUOUS_LABELS)
    assert set(table.loc[table["level"] == "median [Q1, Q3]", "test"]) == {"Mann-Whitney U"}
