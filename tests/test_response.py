"""lungmets.analyses.response: exact intervals, RECIST-style calls and the response-by-feature
table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from lungmets.analyses.prognostic import FACTORS
from lungmets.analyses.response import (
    RESPONSES,
    classify_change,
    clopper_pearson,
    compare_response,
    lesion_percent_change,
    objective_response_rate,
    response_by_feature,
    response_counts,
    sum_of_diameters_change,
)
from lungmets.analyses.tables import FISHER, categorical_test


@pytest.mark.parametrize(("k", "n"), [(30, 45), (0, 10), (10, 10), (1, 45), (150, 195)])
def test_clopper_pearson_equals_scipy_exact(k: int, n: int) -> None:
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
    assert clopper_pearson(k, n) == pytest.approx((ci.low, ci.high), abs=1e-10)


def test_clopper_pearson_zero_successes_by_hand() -> None:
    """k = 0: lower 0, upper solves (1 - p)^n = alpha/2, i.e. 1 - 0.025^(1/10) = 0.308497."""
    lower, upper = clopper_pearson(0, 10)
    assert lower == 0.0
    assert upper == pytest.approx(1 - 0.025 ** (1 / 10), abs=1e-12)


@pytest.mark.parametrize(("k", "n"), [(-1, 5), (6, 5), (1, 0), (1.5, 5)])
def test_clopper_pearson_rejects_impossible_counts(k: float, n: int) -> None:
    with pytest.raises(ValueError, match="0 <= k <= n"):
        clopper_pearson(k, n)  # type: ignore[arg-type]


def test_objective_response_rate_counts_cr_and_pr() -> None:
    categories = ["CR"] + ["PR"] * 5 + ["SD"] * 3 + ["PD"]
    rate, lower, upper = objective_response_rate(categories)
    assert rate == pytest.approx(0.6)
    ci = stats.binomtest(6, 10).proportion_ci(method="exact")
    assert (lower, upper) == pytest.approx((ci.low, ci.high), abs=1e-10)


def test_objective_response_rate_names_the_bad_entry() -> None:
    with pytest.raises(ValueError, match=r"entry 2 is 'nCR'"):
        objective_response_rate(["CR", "PR", "nCR"])
    with pytest.raises(ValueError, match="no response categories"):
        objective_response_rate([])


def test_response_counts_keep_empty_categories_in_order() -> None:
    counts = response_counts(["PR", "PR", "SD", "PR"])
    assert counts.index.tolist() == list(RESPONSES)
    assert counts["n"].tolist() == [0, 3, 1, 0]
    assert counts["percent"].tolist() == pytest.approx([0, 75, 25, 0])


@pytest.fixture
def lesions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patient_id": ["A", "A", "B", "C", "C", "D"],
            "lesion_id": ["A1", "A2", "B1", "C1", "C2", "D1"],
            "baseline_cm": [2.0, 3.0, 4.0, 1.0, 1.0, 2.0],
            "post_cm": [1.0, 1.5, 5.0, 0.0, 0.0, 1.4],
        }
    )


def test_sum_of_diameters_change_by_hand(lesions: pd.DataFrame) -> None:
    """A: 5 -> 2.5 (-50%); B: 4 -> 5 (+25%); C: 2 -> 0 (-100%); D: 2 -> 1.4 (-30%)."""
    change = sum_of_diameters_change(lesions)
    assert change.loc[["A", "B", "C", "D"], "percent_change"].tolist() == pytest.approx(
        [-50, 25, -100, -30]
    )
    assert change.loc["A", "baseline_cm"] == pytest.approx(5.0)


def test_classify_change_at_the_thresholds(lesions: pd.DataFrame) -> None:
    """-30% exactly is PR (a reduction of at least 30%), +20% exactly is PD."""
    change = sum_of_diameters_change(lesions)["percent_change"]
    assert classify_change(change).tolist() == ["PR", "PD", "CR", "PR"]
    assert classify_change(change, pr_threshold=-40).tolist() == ["PR", "PD", "CR", "SD"]
    assert classify_change([20.0, 19.9]).tolist() == ["PD", "SD"]
    # 2.0 cm -> 1.4 cm is exactly -30% on paper; floating point must not turn it into SD
    assert classify_change([100 * (1.4 - 2.0) / 2.0, -29.999999999999996]).tolist() == ["PR", "PR"]


def test_lesion_percent_change_by_hand(lesions: pd.DataFrame) -> None:
    assert lesion_percent_change(lesions).tolist() == pytest.approx([-50, -50, 25, -100, -100, -30])


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("baseline_cm", 0.0, "row 2, column 'baseline_cm' is 0"),
        ("post_cm", -1.0, "row 2, column 'post_cm'"),
        ("post_cm", np.nan, "row 2, column 'post_cm'"),
    ],
)
def test_lesion_errors_name_file_row_and_column(
    lesions: pd.DataFrame, column: str, value: float, message: str
) -> None:
    lesions.loc[2, column] = value
    with pytest.raises(ValueError, match=rf"lesions.csv: {message}"):
        sum_of_diameters_change(lesions)


def test_classify_change_rejects_inverted_thresholds() -> None:
    with pytest.raises(ValueError, match="thresholds"):
        classify_change([0.0], pr_threshold=10, pd_threshold=20)


def _patients(n: int = 40, seed: int = 3) -> pd.DataFrame:
    """A seeded random cohort with every column the Table 3 factors need."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "sex": rng.choice(["male", "female"], n, p=[0.8, 0.2]),
            "age_years": rng.integers(40, 80, n),
            "pdr_months": rng.uniform(0, 12, n),
            "pmfi_months": rng.uniform(0, 30, n),
            "afp_ng_ml": rng.uniform(1, 100, n),
            "viral_hepatitis": rng.integers(0, 2, n),
            "n_lesions": rng.integers(1, 10, n),
            "max_lesion_cm": rng.uniform(0.5, 4.9, n),
            "intrahepatic_active": rng.integers(0, 2, n),
            "liver_treatment": rng.choice(["resection", "tace", "transplantation"], n),
            "sorafenib": rng.integers(0, 2, n),
            "ecog": rng.integers(0, 3, n),
            "other_mets": rng.integers(0, 2, n),
            "response": rng.choice(list(RESPONSES), n, p=[0.05, 0.6, 0.3, 0.05]),
        }
    )


def test_response_by_feature_matches_a_direct_test() -> None:
    patients = _patients()
    table = response_by_feature(patients)
    responders = patients["response"].isin(["CR", "PR"])
    assert table.iloc[0]["Responder (CR+PR)"] == str(int(responders.sum()))
    sex = table[table["variable"] == FACTORS["sex"].label].iloc[0]
    counts = pd.crosstab(patients["sex"].map({"male": "Male", "female": "Female"}), responders)
    direct = categorical_test(counts.reindex(index=["Male", "Female"], columns=[False, True]))
    assert sex["test"] == direct.test
    assert sex["p"] == pytest.approx(direct.p_value, rel=1e-12)


def test_response_by_feature_forced_fisher() -> None:
    table = response_by_feature(_patients(), categorical_method="fisher")
    assert set(table.loc[table["test"] != "", "test"]) == {FISHER}


def test_response_by_feature_needs_a_response_column() -> None:
    with pytest.raises(KeyError, match="'response'"):
        response_by_feature(_patients().drop(columns="response"))


def _categories_from_claims(prefix: str) -> list[str]:
    from lungmets.claims import claim

    return [
        category
        for category in RESPONSES
        for _ in range(int(claim(prefix.format(category.lower())).number))
    ]


def test_compare_response_all_hits_on_the_printed_counts() -> None:
    table = compare_response(
        _categories_from_claims("res_n_response_{}_all"),
        _categories_from_claims("res_n_lesion_response_{}"),
    )
    assert len(table) == 19
    assert table["hit"].all()


def test_compare_response_flags_one_moved_lesion() -> None:
    """One lesion from PR to SD: PR and SD n and % miss; the ORR moves by 1/195 = 0.5 points."""
    lesions = _categories_from_claims("res_n_lesion_response_{}")
    lesions[lesions.index("PR")] = "SD"
    table = compare_response(_categories_from_claims("res_n_response_{}_all"), lesions)
    assert sorted(table.loc[~table["hit"], "claim id"]) == [
        "res_n_lesion_response_pr",
        "res_n_lesion_response_sd",
        "res_pct_lesion_orr",
        "res_pct_lesion_response_pr",
        "res_pct_lesion_response_sd",
    ]
