"""How an endpoint is defined: time origin, what counts as an event, and what-if imputations.

Why this module exists: a survival time is a definition before it is a number. Sun et al.
(2016) measure OS from the *detection* of lung metastases but PFS from the *start of
radiotherapy*, and they censor patients who died without documented progression, where the
usual PFS definition counts that death as an event. Each choice moves medians and p-values.
The functions here turn the cohort's columns into (time, event) pairs under each definition,
so the survival chapter can show the paper's definition beside the alternatives, and they
change only the rows the definition is about (the tests check exactly which rows).

Column conventions (the synthetic cohort's ``patients.csv``): ``os_months`` runs from detection
of lung metastases, ``pdr_months`` from detection to the start of radiotherapy, ``pfs_months``
from the start of radiotherapy; ``*_event`` are 1 (event) / 0 (censored).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from lungmets.claims import claim
from lungmets.stats.survival_stats import (
    km_median_lifelines,
    km_median_spss,
    logrank_fast,
    survival_at,
)

__all__ = [
    "DEATH_TIME_TOLERANCE",
    "censored_to_events",
    "compare_to_claims",
    "death_from_rt_start",
    "deaths_without_progression",
    "endpoint_data",
    "imputation_sweep",
    "landmark_rates",
    "survival_claims",
]

Origin = Literal["detection", "rt_start"]
DeathRule = Literal["censor", "event"]

DEATH_TIME_TOLERANCE = 0.05
"""Months (about a day and a half) within which a PFS censoring time is read as 'at death'."""

_SOURCE = "patients.csv"


def _require(df: pd.DataFrame, columns: Sequence[str], source: str) -> None:
    """Fail early, naming the file, row and column of the first missing or bad value."""
    for column in columns:
        if column not in df.columns:
            raise KeyError(f"{source}: column {column!r} is missing")
        values = pd.to_numeric(df[column], errors="coerce")
        bad = values.isna().to_numpy()
        if bad.any():
            row = df.index[bad][0]
            raise ValueError(
                f"{source}: row {row}, column {column!r}: {df[column].loc[row]!r} is not a number"
            )


def _row_name(df: pd.DataFrame, i: int) -> str:
    if "patient_id" in df.columns:
        return f"row {df.index[i]} (patient {df['patient_id'].iat[i]})"
    return f"row {df.index[i]}"


def death_from_rt_start(df: pd.DataFrame, source: str = _SOURCE) -> pd.Series:
    """Time from the start of radiotherapy to death or last follow-up: ``os_months - pdr_months``.

    This is OS re-measured from the same origin as PFS. A negative value would mean radiotherapy
    started after the patient's last follow-up, which is impossible, so it raises.
    """
    _require(df, ["os_months", "pdr_months"], source)
    # Rounded to 10 decimals: the subtraction of two recorded values must not leave a
    # floating-point residue (24.000000000000004) that moves a death across a landmark.
    shifted = (df["os_months"].astype(float) - df["pdr_months"].astype(float)).round(10)
    negative = np.flatnonzero(shifted.to_numpy() < -1e-9)
    if negative.size:
        i = int(negative[0])
        raise ValueError(
            f"{source}: {_row_name(df, i)}, columns 'os_months'/'pdr_months': OS "
            f"{df['os_months'].iat[i]} is shorter than the detection-to-radiotherapy interval "
            f"{df['pdr_months'].iat[i]}"
        )
    return shifted.rename("os_from_rt_months")


def deaths_without_progression(
    df: pd.DataFrame, tolerance: float = DEATH_TIME_TOLERANCE, source: str = _SOURCE
) -> pd.Series:
    """Patients who died with no documented progression: PFS censored, OS an event.

    These are the rows the paper's PFS rule censors and the usual rule counts as events. The
    cohort has no progression date, so the rule is read off the times: ``pfs_event == 0`` and
    ``os_event == 1``. It also checks that no PFS time runs past death (PFS censored at death
    lies within ``tolerance`` months of ``os_months - pdr_months``, earlier is allowed: the last
    scan may precede death); a PFS time after death raises.
    """
    _require(df, ["pfs_months", "pfs_event", "os_event"], source)
    death = death_from_rt_start(df, source).to_numpy()
    pfs = df["pfs_months"].astype(float).to_numpy()
    late = np.flatnonzero(pfs > death + tolerance)
    if late.size:
        i = int(late[0])
        raise ValueError(
            f"{source}: {_row_name(df, i)}, column 'pfs_months': PFS {pfs[i]} months ends after "
            f"death or last follow-up ({death[i]:.2f} months after the start of radiotherapy)"
        )
    mask = (df["pfs_event"].astype(int) == 0) & (df["os_event"].astype(int) == 1)
    return mask.rename("death_without_progression")


def endpoint_data(
    df: pd.DataFrame,
    endpoint: Literal["pfs", "os"],
    *,
    origin: Origin = "detection",
    death_rule: DeathRule = "censor",
    source: str = _SOURCE,
) -> pd.DataFrame:
    """(time, event) for one endpoint under a chosen definition, indexed like ``df``.

    - ``endpoint="os"``: ``origin="detection"`` is the paper's OS (from detection of lung
      metastases); ``origin="rt_start"`` measures it from the start of radiotherapy.
    - ``endpoint="pfs"``: always from the start of radiotherapy. ``death_rule="censor"`` is the
      paper's rule (death without progression censored); ``death_rule="event"`` is the usual PFS
      definition: such a death is an event at the time of death.
    Options that do not apply to an endpoint must stay at their defaults (a silent no-op would
    let a chapter believe it changed something).
    """
    if endpoint == "os":
        if death_rule != "censor":
            raise ValueError("death_rule applies to PFS only; OS counts every death")
        _require(df, ["os_months", "os_event"], source)
        if origin == "detection":
            time = df["os_months"].astype(float)
        elif origin == "rt_start":
            time = death_from_rt_start(df, source)
        else:
            raise ValueError(f"origin={origin!r}: expected 'detection' or 'rt_start'")
        event = df["os_event"].astype(int)
    elif endpoint == "pfs":
        if origin != "detection":
            raise ValueError("PFS is measured from the start of radiotherapy; origin is for OS")
        _require(df, ["pfs_months", "pfs_event"], source)
        time = df["pfs_months"].astype(float)
        event = df["pfs_event"].astype(int)
        if death_rule == "event":
            died = deaths_without_progression(df, source=source)
            time = time.where(~died, death_from_rt_start(df, source))
            event = event.where(~died, 1)
        elif death_rule != "censor":
            raise ValueError(f"death_rule={death_rule!r}: expected 'censor' or 'event'")
    else:
        raise ValueError(f"endpoint={endpoint!r}: expected 'pfs' or 'os'")
    return pd.DataFrame({"time": time.to_numpy(), "event": event.to_numpy()}, index=df.index)


def censored_to_events(
    durations: ArrayLike,
    events: ArrayLike,
    fraction: float,
    order: Literal["earliest", "latest"] = "earliest",
) -> NDArray[np.int64]:
    """Event indicators with a fraction of censored patients turned into events at their time.

    A worst-case imputation: what if the patients who left follow-up had in fact had the event
    when they were last seen? ``round(fraction * n_censored)`` (halves rounded up) censored
    observations are converted, the earliest censoring times first (``order="earliest"``,
    the most pessimistic) or the latest first; ties keep their input order, so the result is
    deterministic. Durations are unchanged.
    """
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction={fraction!r} must lie in [0, 1]")
    if order not in ("earliest", "latest"):
        raise ValueError(f"order={order!r}: expected 'earliest' or 'latest'")
    t = np.asarray(durations, dtype=float).ravel()
    e = np.asarray(events).astype(np.int64).ravel()
    if t.shape != e.shape:
        raise ValueError(f"durations has {t.size} values but events has {e.size}")
    censored = np.flatnonzero(e == 0)
    n_convert = math.floor(fraction * censored.size + 0.5)
    key = t[censored] if order == "earliest" else -t[censored]
    chosen = censored[np.argsort(key, kind="stable")[:n_convert]]
    out = e.copy()
    out[chosen] = 1
    return out


def imputation_sweep(
    durations: ArrayLike,
    events: ArrayLike,
    fractions: Sequence[float],
    order: Literal["earliest", "latest"] = "earliest",
) -> pd.DataFrame:
    """Median with SPSS-style and lifelines CIs as more censored patients become events.

    One row per fraction: how many were converted, the median, SPSS's ± SE and CI and
    lifelines' CI. Shows how much the published median leans on the censored patients.
    """
    rows = []
    e0 = np.asarray(events).astype(np.int64).ravel()
    for fraction in fractions:
        e = censored_to_events(durations, e0, fraction, order)
        spss = km_median_spss(durations, e)
        lifelines = km_median_lifelines(durations, e)
        rows.append(
            {
                "fraction": float(fraction),
                "n_converted": int((e != e0).sum()),
                "n_events": int(e.sum()),
                "median": spss.median,
                "se_spss": spss.se,
                "ci_lower_spss": spss.ci_lower,
                "ci_upper_spss": spss.ci_upper,
                "ci_lower_lifelines": lifelines.ci_lower,
                "ci_upper_lifelines": lifelines.ci_upper,
            }
        )
    return pd.DataFrame(rows)


def _at_printed_precision(printed_decimals: int, relation: str, x: float) -> str:
    if not np.isfinite(x):
        return "not estimable"
    floor = 10.0**-printed_decimals
    if relation in ("<", "<=") and x < floor:
        return f"<{floor:.{printed_decimals}f}"
    return f"{x:.{printed_decimals}f}"


def compare_to_claims(reproduced: Mapping[str, float]) -> pd.DataFrame:
    """Published (as printed) beside reproduced (at the printed precision), one row per claim.

    ``hit`` is True when the reproduced value rounds to the printed one (or satisfies a printed
    inequality such as ``<0.001``); ``distance`` is how far it lies outside the printed
    rounding interval. Values must be on the claim's scale (percentages as 0-100).
    """
    rows = []
    for claim_id, x in reproduced.items():
        printed = claim(claim_id)
        finite = bool(np.isfinite(x))
        rows.append(
            {
                "claim": claim_id,
                "source": printed.source,
                "published": printed.value,
                "reproduced": _at_printed_precision(printed.decimals, printed.relation, x),
                "hit": finite and printed.matches(x),
                "distance": printed.distance(x) if finite else np.nan,
            }
        )
    return pd.DataFrame(rows)


def landmark_rates(
    df: pd.DataFrame,
    endpoint: Literal["pfs", "os"],
    times: Sequence[float],
    *,
    by: str | None = "sorafenib",
    origin: Origin = "detection",
    death_rule: DeathRule = "censor",
) -> pd.DataFrame:
    """Kaplan-Meier survival (in %) at landmark times, overall and per level of ``by``."""
    data = endpoint_data(df, endpoint, origin=origin, death_rule=death_rule)
    columns = {"all": survival_at(data["time"], data["event"], times).to_numpy() * 100}
    if by is not None:
        for level in sorted(df[by].unique()):
            part = data[df[by].to_numpy() == level]
            rates = survival_at(part["time"], part["event"], times).to_numpy() * 100
            columns[f"{by}={level}"] = rates
    return pd.DataFrame(columns, index=pd.Index(list(times), name="months"))


def survival_claims(
    df: pd.DataFrame,
    *,
    origin: Origin | Literal["paper"] = "paper",
    death_rule: DeathRule = "censor",
) -> pd.DataFrame:
    """Every published PFS/OS median, SE, CI, landmark rate and sorafenib log-rank p, reproduced.

    Medians use SPSS's definition and SE (:func:`lungmets.stats.survival_stats.km_median_spss`), as
    the paper did; landmark rates are Kaplan-Meier estimates at 12 and 24 months, in percent.
    ``origin="paper"`` follows the paper's own words: OS from the detection of lung metastases,
    except the rates by arm, printed "at 1 year following radiotherapy", which are measured from
    the start of radiotherapy (the reading the reconstruction and the scorecard use). The
    other options re-run the same comparison with one origin for everything.
    """
    values: dict[str, float] = {}
    sorafenib = {"yes": df["sorafenib"].to_numpy() == 1, "no": df["sorafenib"].to_numpy() == 0}
    for endpoint in ("pfs", "os"):
        if endpoint == "os":
            data = endpoint_data(df, "os", origin="detection" if origin == "paper" else origin)
            from_rt = endpoint_data(df, "os", origin="rt_start" if origin == "paper" else origin)
        else:
            data = from_rt = endpoint_data(df, "pfs", death_rule=death_rule)
        t, e = data["time"].to_numpy(), data["event"].to_numpy()
        t_rt, e_rt = from_rt["time"].to_numpy(), from_rt["event"].to_numpy()
        whole = km_median_spss(t, e)
        for prefix in ("res", "abs"):
            values[f"{prefix}_{endpoint}_median_all"] = whole.median
            values[f"{prefix}_{endpoint}_median_se_all"] = whole.se
        values[f"res_{endpoint}_median_ci_lower_all"] = whole.ci_lower
        values[f"res_{endpoint}_median_ci_upper_all"] = whole.ci_upper
        for level, mask in sorafenib.items():
            group = km_median_spss(t[mask], e[mask])
            values[f"abs_{endpoint}_median_sorafenib_{level}"] = group.median
            values[f"abs_{endpoint}_median_se_sorafenib_{level}"] = group.se
            rates = survival_at(t_rt[mask], e_rt[mask], [12.0, 24.0]).to_numpy() * 100
            values[f"res_{endpoint}_rate_12m_sorafenib_{level}"] = rates[0]
            values[f"res_{endpoint}_rate_24m_sorafenib_{level}"] = rates[1]
        p = logrank_fast(t, groups=sorafenib["yes"].astype(int), events=e).p_value
        values[f"res_{endpoint}_logrank_p_sorafenib"] = p
        values[f"abs_{endpoint}_logrank_p_sorafenib"] = p
        if endpoint == "os":
            values["res_os_rate_24m_all"] = float(survival_at(t, e, [24.0]).iloc[0]) * 100
    return compare_to_claims(values)
