"""Endpoint definitions change exactly the rows they are about, and nothing else."""

import numpy as np
import pandas as pd
import pytest

from lungmets.analyses.endpoints import (
    censored_to_events,
    compare_to_claims,
    death_from_rt_start,
    deaths_without_progression,
    endpoint_data,
    imputation_sweep,
    landmark_rates,
)


@pytest.fixture
def cohort() -> pd.DataFrame:
    """Five constructed patients, one of each kind the definitions distinguish.

    P1 progressed then died; P2 died without progression (PFS censored at death); P3 alive
    without progression; P4 progressed, alive; P5 died without progression, last scan before death.
    """
    return pd.DataFrame(
        {
            "patient_id": ["P1", "P2", "P3", "P4", "P5"],
            "pdr_months": [2.0, 1.5, 0.5, 3.0, 4.0],
            "os_months": [20.0, 11.5, 30.5, 25.0, 14.0],
            "os_event": [1, 1, 0, 0, 1],
            "pfs_months": [6.0, 10.0, 30.0, 8.0, 7.0],
            "pfs_event": [1, 0, 0, 1, 0],
        },
        index=pd.RangeIndex(5),
    )


def test_death_from_rt_start_is_os_minus_pdr(cohort: pd.DataFrame) -> None:
    expected = [18.0, 10.0, 30.0, 22.0, 10.0]
    assert death_from_rt_start(cohort).tolist() == pytest.approx(expected, abs=1e-12)


def test_death_from_rt_start_rejects_os_shorter_than_pdr_naming_row(cohort) -> None:
    cohort.loc[3, "os_months"] = 2.0
    with pytest.raises(ValueError, match=r"patients.csv: row 3 \(patient P4\).*'os_months'"):
        death_from_rt_start(cohort)


def test_non_numeric_value_names_file_row_and_column(cohort: pd.DataFrame) -> None:
    cohort["pdr_months"] = cohort["pdr_months"].astype(object)
    cohort.loc[2, "pdr_months"] = "n/a"
    with pytest.raises(ValueError, match=r"patients.csv: row 2, column 'pdr_months'"):
        death_from_rt_start(cohort)


def test_deaths_without_progression_are_pfs_censored_os_events(cohort) -> None:
    assert deaths_without_progression(cohort).tolist() == [False, True, False, False, True]


def test_pfs_ending_after_death_is_an_error(cohort: pd.DataFrame) -> None:
    cohort.loc[0, "pfs_months"] = 19.0  # death at 18 months after the start of radiotherapy
    with pytest.raises(ValueError, match=r"row 0 \(patient P1\), column 'pfs_months'"):
        deaths_without_progression(cohort)


def test_paper_pfs_rule_is_the_data_as_recorded(cohort: pd.DataFrame) -> None:
    pfs = endpoint_data(cohort, "pfs")
    assert pfs["time"].tolist() == cohort["pfs_months"].tolist()
    assert pfs["event"].tolist() == cohort["pfs_event"].tolist()


def test_death_as_event_changes_only_deaths_without_progression(cohort) -> None:
    paper = endpoint_data(cohort, "pfs", death_rule="censor")
    usual = endpoint_data(cohort, "pfs", death_rule="event")
    changed = (paper != usual).any(axis=1)
    assert changed.tolist() == [False, True, False, False, True]
    # P2 was censored at death (10 months): same time, now an event; P5 moves to death (10).
    assert usual.loc[[1, 4], "time"].tolist() == [10.0, 10.0]
    assert usual.loc[[1, 4], "event"].tolist() == [1, 1]


def test_os_from_rt_start_shifts_time_and_keeps_events(cohort: pd.DataFrame) -> None:
    detection = endpoint_data(cohort, "os")
    rt = endpoint_data(cohort, "os", origin="rt_start")
    assert (detection["time"] - rt["time"]).tolist() == cohort["pdr_months"].tolist()
    assert rt["event"].tolist() == detection["event"].tolist()


@pytest.mark.parametrize(
    ("endpoint", "options"),
    [("os", {"death_rule": "event"}), ("pfs", {"origin": "rt_start"}), ("dfs", {})],
)
def test_options_that_do_not_apply_raise(cohort, endpoint, options) -> None:
    with pytest.raises(ValueError):
        endpoint_data(cohort, endpoint, **options)


def test_censored_to_events_converts_earliest_censored_first() -> None:
    t = [5.0, 1.0, 3.0, 3.0, 9.0, 2.0]
    e = [0, 1, 0, 0, 0, 1]  # four censored: at 5, 3, 3, 9
    assert censored_to_events(t, e, 0.0).tolist() == e
    # half of four = two: the tie at 3 months, in input order
    assert censored_to_events(t, e, 0.5).tolist() == [0, 1, 1, 1, 0, 1]
    # a quarter = one: the first of the tied pair
    assert censored_to_events(t, e, 0.25).tolist() == [0, 1, 1, 0, 0, 1]
    assert censored_to_events(t, e, 0.25, order="latest").tolist() == [0, 1, 0, 0, 1, 1]
    assert censored_to_events(t, e, 1.0).tolist() == [1] * 6


def test_censored_to_events_rejects_fraction_outside_unit_interval() -> None:
    with pytest.raises(ValueError, match="fraction"):
        censored_to_events([1.0], [0], 1.5)


def test_imputation_sweep_medians_fall_and_end_at_the_uncensored_median() -> None:
    rng = np.random.default_rng(20160601)
    t = np.round(rng.exponential(12.0, 45), 2)
    e = (rng.random(45) < 0.6).astype(int)
    sweep = imputation_sweep(t, e, [0.0, 0.25, 0.5, 0.75, 1.0])
    assert sweep["n_converted"].tolist() == [
        int(np.floor(f * (e == 0).sum() + 0.5)) for f in (0.0, 0.25, 0.5, 0.75, 1.0)
    ]
    # more events can only lower the Kaplan-Meier curve, so the median cannot rise
    assert (np.diff(sweep["median"].to_numpy()) <= 1e-12).all()
    # with every patient an event, the KM median is the ceil(n/2)-th ordered time
    assert sweep["median"].iloc[-1] == np.sort(t)[int(np.ceil(45 / 2)) - 1]
    assert sweep["n_events"].iloc[-1] == 45


def test_compare_to_claims_judges_at_printed_precision() -> None:
    from lungmets.claims import claim

    printed = claim("res_pfs_median_all")
    table = compare_to_claims(
        {"res_pfs_median_all": printed.upper - 1e-9, "res_pfs_logrank_p_lesions": 0.0004}
    ).set_index("claim")
    assert bool(table.loc["res_pfs_median_all", "hit"])
    assert table.loc["res_pfs_median_all", "reproduced"] == printed.value
    # a printed "<0.001" is met by 0.0004 and shown as such
    assert table.loc["res_pfs_logrank_p_lesions", "reproduced"] == "<0.001"
    assert bool(table.loc["res_pfs_logrank_p_lesions", "hit"])
    missed = compare_to_claims({"res_pfs_median_all": printed.upper + 1.0}).iloc[0]
    assert not missed["hit"] and missed["distance"] == pytest.approx(1.0)


def test_landmark_rates_are_kaplan_meier_percentages(cohort: pd.DataFrame) -> None:
    cohort["sorafenib"] = [1, 1, 0, 0, 0]
    rates = landmark_rates(cohort, "os", [12.0, 24.0])
    # all five: deaths at 11.5, 14, 20 (none censored before 20), so S(12) = 4/5, S(24) = 2/5
    assert rates["all"].tolist() == pytest.approx([80.0, 40.0])
    # sorafenib=1: P1 (death 20), P2 (death 11.5) -> S(12) = 1/2, S(24) = 0
    assert rates["sorafenib=1"].tolist() == pytest.approx([50.0, 0.0])
    shifted = landmark_rates(cohort, "os", [12.0], by=None, origin="rt_start")
    # from radiotherapy: deaths at 10, 10, 18 -> S(12) = 3/5
    assert shifted["all"].tolist() == pytest.approx([60.0])
