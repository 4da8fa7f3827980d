"""Tumour response: RECIST-style categories, objective response rates, sums of diameters.

The paper calls a patient a responder after complete response (CR, all lesions gone) or
partial response (PR, a reduction of at least 30% in the sum of the maximum diameters of the
measurable lesions); progression (PD) is an increase of at least 20% (or a new lesion, which
the synthetic lesion file cannot show). The functions here recompute those calls from the
lesion measurements so that the thresholds can be moved, and attach exact (Clopper-Pearson)
confidence intervals to every response rate, because with 45 patients a rate without its
interval overstates what is known.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from lungmets.analyses.prognostic import FACTORS
from lungmets.analyses.tables import table3_factors, table3_levels, table_one
from lungmets.claims import claim

__all__ = [
    "RESPONSES",
    "RateCI",
    "classify_change",
    "clopper_pearson",
    "compare_response",
    "lesion_percent_change",
    "objective_response_rate",
    "response_by_feature",
    "response_counts",
    "sum_of_diameters_change",
]

RESPONSES = ("CR", "PR", "SD", "PD")
"""The four categories, best to worst."""

_TOLERANCE = 1e-9
"""Percentage points: a change of exactly -30% computed as -29.999999999999996 is still PR."""


class RateCI(NamedTuple):
    """A proportion (0-1) with the bounds of its confidence interval."""

    rate: float
    lower: float
    upper: float


def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact binomial interval from beta quantiles (equals scipy's ``method='exact'``)."""
    if n <= 0 or not 0 <= k <= n or int(k) != k or int(n) != n:
        raise ValueError(f"clopper_pearson: need whole numbers 0 <= k <= n, n > 0; got {k}/{n}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence} must lie strictly between 0 and 1")
    alpha = 1 - confidence
    lower = 0.0 if k == 0 else float(stats.beta.ppf(alpha / 2, k, n - k + 1))
    upper = 1.0 if k == n else float(stats.beta.ppf(1 - alpha / 2, k + 1, n - k))
    return lower, upper


def _categories(categories: Iterable[object], where: str) -> pd.Series:
    values = pd.Series(list(categories), dtype=object)
    if values.empty:
        raise ValueError(f"{where}: no response categories given")
    bad = values.index[~values.isin(RESPONSES)]
    if len(bad):
        raise ValueError(
            f"{where}: entry {bad[0]} is {values[bad[0]]!r}, expected one of {RESPONSES}"
        )
    return values


def objective_response_rate(categories: Iterable[object], confidence: float = 0.95) -> RateCI:
    """Share of CR + PR with its exact Clopper-Pearson interval, as proportions (0-1)."""
    values = _categories(categories, "objective_response_rate")
    k = int(values.isin(("CR", "PR")).sum())
    lower, upper = clopper_pearson(k, len(values), confidence)
    return RateCI(k / len(values), lower, upper)


def response_counts(categories: Iterable[object]) -> pd.DataFrame:
    """Number and percentage of each category, in the order CR, PR, SD, PD (zeros kept)."""
    values = _categories(categories, "response_counts")
    counts = values.value_counts().reindex(RESPONSES, fill_value=0).astype(int)
    return pd.DataFrame({"n": counts, "percent": 100 * counts / len(values)})


def _check_lesions(lesions: pd.DataFrame) -> pd.DataFrame:
    where = "lesions.csv"
    for column in ("patient_id", "baseline_cm", "post_cm"):
        if column not in lesions.columns:
            raise KeyError(f"{where}: column {column!r} is missing")
    for column in ("baseline_cm", "post_cm"):
        values = pd.to_numeric(lesions[column], errors="coerce")
        bad = lesions.index[values.isna() | (values < 0)]
        if len(bad):
            raise ValueError(
                f"{where}: row {bad[0]}, column {column!r}: {lesions.at[bad[0], column]!r} "
                "is not a non-negative number"
            )
    zero = lesions.index[lesions["baseline_cm"] <= 0]
    if len(zero):
        raise ValueError(f"{where}: row {zero[0]}, column 'baseline_cm' is 0: not measurable")
    return lesions


def sum_of_diameters_change(lesions: pd.DataFrame) -> pd.DataFrame:
    """Per patient: baseline and post-treatment sums of diameters and the % change."""
    checked = _check_lesions(lesions)
    sums = checked.groupby("patient_id")[["baseline_cm", "post_cm"]].sum()
    sums["percent_change"] = 100 * (sums["post_cm"] - sums["baseline_cm"]) / sums["baseline_cm"]
    return sums


def lesion_percent_change(lesions: pd.DataFrame) -> pd.Series:
    """Per lesion: % change of its own maximum diameter."""
    checked = _check_lesions(lesions)
    return 100 * (checked["post_cm"] - checked["baseline_cm"]) / checked["baseline_cm"]


def classify_change(
    percent_change: Iterable[float],
    pr_threshold: float = -30.0,
    pd_threshold: float = 20.0,
) -> pd.Series:
    """RECIST-style call from a % change: CR at -100% (all gone), PR at or below
    ``pr_threshold``, PD at or above ``pd_threshold``, SD between.

    New lesions, which also make PD, are not in the data and cannot be called.
    """
    if not -100 < pr_threshold < 0 < pd_threshold:
        raise ValueError(
            f"thresholds ({pr_threshold}, {pd_threshold}) must satisfy -100 < PR < 0 < PD"
        )
    change = pd.Series(percent_change, dtype=float)
    bad = change.index[change.isna() | (change < -100)]
    if len(bad):
        raise ValueError(f"classify_change: entry {bad[0]!r} = {change[bad[0]]} is not a % change")
    calls = np.select(
        [
            np.isclose(change, -100.0),
            change <= pr_threshold + _TOLERANCE,
            change >= pd_threshold - _TOLERANCE,
        ],
        ["CR", "PR", "PD"],
        "SD",
    )
    return pd.Series(calls, index=change.index, dtype=object)


def response_by_feature(patients: pd.DataFrame, categorical_method: str = "auto") -> pd.DataFrame:
    """Responders (CR + PR) versus non-responders across the Table 3 features.

    The paper's Supplementary Table S1 question: is response related to a clinical feature?
    Each feature gets Pearson's chi-square or Fisher's exact test by the expected-count rule
    (see :func:`lungmets.analyses.tables.categorical_test`), named on its row.
    """
    if "response" not in patients.columns:
        raise KeyError("patients.csv: column 'response' is missing")
    responses = _categories(patients["response"], "patients.csv column 'response'")
    factors = table3_factors(patients)
    labels = {key: FACTORS[key].label for key in factors.columns}
    data = factors.rename(columns=labels)
    data["responder"] = np.where(
        responses.isin(("CR", "PR")).to_numpy(), "Responder", "Non-responder"
    )
    return table_one(
        data,
        columns=list(labels.values()),
        categorical=list(labels.values()),
        groupby="responder",
        categorical_method=categorical_method,  # type: ignore[arg-type]
        levels={labels[key]: order for key, order in table3_levels().items()},
        group_labels={"Responder": "Responder (CR+PR)", "Non-responder": "Non-responder (SD+PD)"},
    )


def _row(claim_id: str, level: str, what: str, value: float) -> dict[str, object]:
    c = claim(claim_id)
    return {
        "claim id": claim_id,
        "level": level,
        "quantity": what,
        "published": c.value,
        "reproduced": f"{value:.{c.decimals}f}",
        "hit": bool(c.matches(value)),
    }


def compare_response(
    patient_categories: Iterable[object], lesion_categories: Iterable[object]
) -> pd.DataFrame:
    """The Results' response counts, percentages and rates beside the reproduced ones.

    Patient level: ``res_n_response_<cat>_all``, ``res_pct_response_<cat>_all``,
    ``res_pct_orr_all``; lesion level: ``res_n_lesions_total``, ``res_n_lesion_response_<cat>``,
    ``res_pct_lesion_response_<cat>``, ``res_pct_lesion_orr``.
    """
    patients = response_counts(patient_categories)
    lesions = response_counts(lesion_categories)
    rows = []
    for category in RESPONSES:
        key = category.lower()
        rows.append(
            _row(
                f"res_n_response_{key}_all", "patient", f"{category} n", patients.at[category, "n"]
            )
        )
        rows.append(
            _row(
                f"res_pct_response_{key}_all",
                "patient",
                f"{category} %",
                patients.at[category, "percent"],
            )
        )
    rows.append(
        _row(
            "res_pct_orr_all",
            "patient",
            "ORR %",
            100 * objective_response_rate(patient_categories).rate,
        )
    )
    rows.append(_row("res_n_lesions_total", "lesion", "lesions n", lesions["n"].sum()))
    for category in RESPONSES:
        key = category.lower()
        rows.append(
            _row(
                f"res_n_lesion_response_{key}", "lesion", f"{category} n", lesions.at[category, "n"]
            )
        )
        rows.append(
            _row(
                f"res_pct_lesion_response_{key}",
                "lesion",
                f"{category} %",
                lesions.at[category, "percent"],
            )
        )
    rows.append(
        _row(
            "res_pct_lesion_orr",
            "lesion",
            "ORR %",
            100 * objective_response_rate(lesion_categories).rate,
        )
    )
    return pd.DataFrame(rows)
