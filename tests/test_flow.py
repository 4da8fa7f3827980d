"""lungmets.analyses.flow: box counts, the cross-file consistency check, and the drawing."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from lungmets.analyses.flow import cohort_flow, compare_flow, plot_cohort_flow


@pytest.fixture
def patients() -> pd.DataFrame:
    """Six patients: sorafenib 1,1,1,0,0,0; active 1,0,0,0,0,1; doses 800,400,800."""
    return pd.DataFrame(
        {
            "patient_id": ["P1", "P2", "P3", "P4", "P5", "P6"],
            "sorafenib": [1, 1, 1, 0, 0, 0],
            "intrahepatic_active": [1, 0, 0, 0, 0, 1],
            "sorafenib_mg_day": [800, 400, 800, 0, 0, 0],
        }
    )


@pytest.fixture
def validation() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patient_id": ["P2", "P3", "P4", "P5", "S1", "S2", "S3"],
            "group": ["Co", "Co", "Rt", "Rt", "S", "S", "S"],
        }
    )


def test_cohort_flow_counts(patients: pd.DataFrame, validation: pd.DataFrame) -> None:
    flow = cohort_flow(patients, validation)
    assert (flow.total, flow.sorafenib_yes, flow.sorafenib_no) == (6, 3, 3)
    assert (flow.dose_800, flow.dose_400) == (2, 1)
    assert (flow.sorafenib_active, flow.sorafenib_inactive) == (1, 2)
    assert (flow.no_sorafenib_active, flow.no_sorafenib_inactive) == (1, 2)
    assert (flow.intrahepatic_active, flow.intrahepatic_inactive) == (2, 4)
    assert (flow.val_co, flow.val_rt, flow.val_s) == (2, 2, 3)


@pytest.mark.parametrize(
    ("row", "column", "value", "message"),
    [
        (0, "patient_id", "P1", "row 0, column 'group': 'P1' is in Co"),  # active tumour
        (2, "patient_id", "P9", "row 2, column 'patient_id': 'P9'.*not in patients.csv"),
        (4, "patient_id", "P6", "row 4, column 'patient_id': 'P6' is in group S"),
        (3, "group", "Co", "row 3, column 'group': 'P5' is in Co"),  # no sorafenib
        (1, "group", "X", "row 1, column 'group' is 'X'"),
    ],
    ids=["active-in-Co", "unknown-patient", "external-in-main", "wrong-arm", "unknown-group"],
)
def test_cohort_flow_rejects_inconsistent_validation(
    patients: pd.DataFrame,
    validation: pd.DataFrame,
    row: int,
    column: str,
    value: str,
    message: str,
) -> None:
    validation.loc[row, column] = value
    with pytest.raises(ValueError, match=rf"validation.csv: {message}"):
        cohort_flow(patients, validation)


def test_cohort_flow_names_a_missing_column(
    patients: pd.DataFrame, validation: pd.DataFrame
) -> None:
    with pytest.raises(KeyError, match=r"patients\.csv: column 'sorafenib_mg_day'"):
        cohort_flow(patients.drop(columns="sorafenib_mg_day"), validation)


def test_compare_flow_reports_misses_against_the_claims(
    patients: pd.DataFrame, validation: pd.DataFrame
) -> None:
    """A six-patient toy cohort misses every printed count; the table says so row by row."""
    table = compare_flow(cohort_flow(patients, validation))
    assert table.loc[table["claim id"] == "t3_n_total", "reproduced"].item() == "6"
    assert table.loc[table["claim id"] == "met_n_val_co_rt", "reproduced"].item() == "4"
    assert not table["hit"].any()


def test_plot_cohort_flow_draws_every_count(
    patients: pd.DataFrame, validation: pd.DataFrame
) -> None:
    flow = cohort_flow(patients, validation)
    fig, ax = plt.subplots()
    assert plot_cohort_flow(flow, ax=ax) is ax
    text = "\n".join(t.get_text() for t in ax.texts)
    for expected in (
        "n = 6",
        "HT + sorafenib, n = 3",
        "HT only, n = 3",
        "800 mg/day: 2",
        "400 mg/day: 1",
        "Co: HT + sorafenib\nn = 2",
        "Rt: HT only\nn = 2",
        "n = 3",
    ):
        assert expected in text
    labelled = [t for t in ax.texts if t.get_text()]
    assert len(labelled) == 11  # 10 boxes and the validation frame's title
    assert len(ax.texts) - len(labelled) == 8  # arrows are empty annotations
    plt.close(fig)
