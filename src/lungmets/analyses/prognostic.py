"""Prognostic-factor analysis of Table 1, and the checks the paper did not report.

Why this module exists: Sun et al. (2016) dichotomised thirteen candidate factors, tested each
with a log-rank test, and kept two per endpoint with a forward-stepwise Cox model on 45 patients.
This module holds the factor definitions once (cut-points and coding as printed in Tables 1 and
3), the univariate table set beside the published p-values, and the tools to judge how fragile
such an analysis is on a small cohort: events per variable, bootstrap inclusion frequencies of
the stepwise selection and proportional-hazards checks. Cut-point scans and the minimum-p
inflation are in :mod:`lungmets.analyses.cutpoints`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from numpy.typing import NDArray
from scipy.stats import norm

from lungmets.analyses.covariates import paper_model
from lungmets.claims import claim, value
from lungmets.stats.cox import LIFELINES_COX_FIT_OPTIONS
from lungmets.stats.ph_test import Transform, cox_zph, km_transform
from lungmets.stats.survival_stats import logrank_fast

__all__ = [
    "CONTINUOUS",
    "FACTORS",
    "BootstrapInclusion",
    "Factor",
    "bootstrap_inclusion",
    "candidate_columns",
    "candidate_labels",
    "cox_design",
    "events_per_variable",
    "factor_groups",
    "implied_wald",
    "multivariable_claims",
    "n_parameters",
    "ph_tests",
    "plot_scaled_schoenfeld",
    "scaled_schoenfeld",
    "survival_columns",
    "univariate_table",
]

Endpoint = Literal["pfs", "os"]
Rule = Literal[">=", ">"]
_SOURCE = "patients.csv"


@dataclass(frozen=True)
class Factor:
    """One candidate factor of Table 1: how to group patients, and how to code it for Cox.

    ``levels`` are the group labels in the order Table 1 prints them. ``indicator`` names the
    Cox 0/1 column and the level it flags, in the direction of the paper's hazard ratios (">3
    lesions", "no sorafenib"); ``None`` means a categorical block (one column holding the level,
    entered with one indicator per non-reference level, as SPSS's CATEGORICAL does).
    """

    key: str
    label: str
    column: str
    levels: tuple[str, ...]
    group: Callable[[pd.Series], pd.Series]
    indicator: tuple[str, str] | None


def _cut(
    label_low: str, label_high: str, cut: float, rule: Rule
) -> Callable[[pd.Series], pd.Series]:
    def group(x: pd.Series) -> pd.Series:
        high = x >= cut if rule == ">=" else x > cut
        return pd.Series(np.where(high, label_high, label_low), index=x.index)

    return group


def _mapping(values: dict[object, str]) -> Callable[[pd.Series], pd.Series]:
    def group(x: pd.Series) -> pd.Series:
        return x.map(values)

    return group


CONTINUOUS: dict[str, tuple[float, Rule]] = {
    key: (value(f"t1_{key}_cutoff_all"), rule)
    for key, rule in [
        ("age", ">="), ("pdr", ">="), ("pmfi", ">="), ("afp", ">="), ("lesions", ">"),
        ("maxsize", ">"),
    ]
}
"""Factors the paper dichotomised from a number: the published cut (read from Table 1 in the
claims catalogue) and which side is 'high' (">=" for "≥cut vs <cut", ">" for "≤cut vs >cut")."""


def _split(key: str) -> tuple[str, str, Callable[[pd.Series], pd.Series]]:
    """(low label, high label, grouping) for a dichotomised factor, labelled as Table 1 prints."""
    cut, rule = CONTINUOUS[key]
    low, high = (f"<{cut:g}", f"≥{cut:g}") if rule == ">=" else (f"≤{cut:g}", f">{cut:g}")
    return low, high, _cut(low, high, cut, rule)


def _factor(key: str, label: str, column: str, order: str, indicator: str) -> Factor:
    """A dichotomised factor; ``order`` says which side Table 1 prints first, ``indicator``
    which side the Cox 0/1 column flags ("low" or "high")."""
    low, high, group = _split(key)
    levels = (low, high) if order == "low" else (high, low)
    side = low if indicator == "low" else high
    suffix = {"<": "lt", "≥": "ge", "≤": "le", ">": "gt"}[side[0]]
    return Factor(key, label, column, levels, group, (f"{key}_{suffix}{side[1:]}", side))


FACTORS: dict[str, Factor] = {
    f.key: f
    for f in [
        Factor("sex", "Gender", "sex", ("Male", "Female"),
               _mapping({"male": "Male", "female": "Female"}), ("sex_male", "Male")),
        _factor("age", "Age (years)", "age_years", order="low", indicator="low"),
        _factor("pdr", "PDR (months)", "pdr_months", order="high", indicator="high"),
        _factor("pmfi", "PmFI (months)", "pmfi_months", order="high", indicator="high"),
        _factor("afp", "AFP before RT", "afp_ng_ml", order="high", indicator="high"),
        Factor("hepatitis", "Viral hepatitis", "viral_hepatitis", ("Present", "Absent"),
               _mapping({1: "Present", 0: "Absent"}), ("hepatitis_present", "Present")),
        _factor("lesions", "Number of lung metastases", "n_lesions", order="low",
                indicator="high"),
        _factor("maxsize", "Maximum lesion size (cm)", "max_lesion_cm", order="low",
                indicator="high"),
        Factor("intrahepatic", "Intrahepatic tumour", "intrahepatic_active",
               ("Active", "Inactive"), _mapping({1: "Active", 0: "Inactive"}),
               ("intrahepatic_active", "Active")),
        Factor("livertx", "Treatment of the liver tumour", "liver_treatment",
               ("Resection", "TACE", "Transplantation"),
               _mapping({"resection": "Resection", "tace": "TACE",
                         "transplantation": "Transplantation"}),
               None),
        Factor("sorafenib", "Sorafenib", "sorafenib", ("No", "Yes"),
               _mapping({0: "No", 1: "Yes"}), ("sorafenib_no", "No")),
        Factor("ecog", "ECOG performance status", "ecog", ("0-1", "2"),
               _mapping({0: "0-1", 1: "0-1", 2: "2"}), ("ecog_2", "2")),
        Factor("othermets", "Metastases outside the lung", "other_mets", ("No", "Yes"),
               _mapping({0: "No", 1: "Yes"}), ("othermets_yes", "Yes")),
    ]
}
"""The thirteen factors of Table 1, keyed as in the claims catalogue (``t1_pfs_uni_p_<key>``)."""


def _endpoint_columns(endpoint: str) -> tuple[str, str]:
    if endpoint not in ("pfs", "os"):
        raise ValueError(f"endpoint={endpoint!r}: expected 'pfs' or 'os'")
    return f"{endpoint}_months", f"{endpoint}_event"


def factor_groups(df: pd.DataFrame, factor: str, source: str = _SOURCE) -> pd.Series:
    """The Table 1 group label of every patient for one factor; unknown codes raise."""
    if factor not in FACTORS:
        raise KeyError(f"unknown factor {factor!r}; expected one of {sorted(FACTORS)}")
    spec = FACTORS[factor]
    if spec.column not in df.columns:
        raise KeyError(f"{source}: column {spec.column!r} (factor {factor!r}) is missing")
    groups = spec.group(df[spec.column])
    bad = groups.isna().to_numpy()
    if bad.any():
        row = df.index[bad][0]
        value = df[spec.column].loc[row]
        value = value.item() if isinstance(value, np.generic) else value
        raise ValueError(
            f"{source}: row {row}, column {spec.column!r}: value {value!r} "
            f"has no group for factor {factor!r}"
        )
    return groups.rename(factor)


def cox_design(df: pd.DataFrame, factors: Sequence[str], source: str = _SOURCE) -> pd.DataFrame:
    """One Cox candidate column per factor: a 0/1 indicator, or the level of a categorical block.

    Column names come from :data:`FACTORS` (e.g. ``lesions_gt3``, ``sorafenib_no``); a
    categorical factor keeps its key (``livertx``) and holds the Table 1 label of each patient.
    """
    columns = {}
    for factor in factors:
        groups = factor_groups(df, factor, source)
        indicator = FACTORS[factor].indicator
        if indicator is None:
            columns[factor] = groups
        else:
            columns[indicator[0]] = (groups == indicator[1]).astype(int)
    return pd.DataFrame(columns, index=df.index)


def candidate_columns(factors: Sequence[str]) -> list[str]:
    """Names of the Cox candidate columns of ``factors`` (as :func:`cox_design` names them)."""
    names = []
    for factor in factors:
        indicator = FACTORS[factor].indicator
        names.append(factor if indicator is None else indicator[0])
    return names


def candidate_labels(factors: Sequence[str]) -> dict[str, str]:
    """Cox column name -> what it flags in words ("Number of lung metastases: >3"), so tables
    and figures name a covariate the way Table 1 does, not by its column name."""
    labels = {}
    for factor, column in zip(factors, candidate_columns(factors), strict=True):
        spec = FACTORS[factor]
        labels[column] = spec.label if spec.indicator is None else \
            f"{spec.label}: {spec.indicator[1]}"
    return labels


def n_parameters(factors: Sequence[str]) -> int:
    """Regression coefficients the candidates would need: levels - 1 per factor."""
    return sum(len(FACTORS[factor].levels) - 1 for factor in factors)


def survival_columns(df: pd.DataFrame, endpoint: str, source: str = _SOURCE
                     ) -> tuple[NDArray, NDArray]:
    """(time, event) of one endpoint as arrays; a missing column names its file."""
    time_col, event_col = _endpoint_columns(endpoint)
    for column in (time_col, event_col):
        if column not in df.columns:
            raise KeyError(f"{source}: column {column!r} is missing")
    return df[time_col].to_numpy(float), df[event_col].to_numpy(int)


def univariate_table(
    df: pd.DataFrame, factors: Sequence[str], endpoint: Endpoint, source: str = _SOURCE
) -> pd.DataFrame:
    """Log-rank test of every factor, beside Table 1's published p (claim ``t1_<ep>_uni_p_<f>``).

    Columns: factor, comparison, groups' sizes, chi2, df, p (reproduced), claim id, published
    (printed text), hit (the reproduced p rounds to the printed one) and same_side (both on the
    same side of the paper's significance level, claim ``met_alpha``).
    """
    alpha = claim("met_alpha").number
    time, event = survival_columns(df, endpoint, source)
    rows = []
    for factor in factors:
        groups = factor_groups(df, factor, source)
        spec = FACTORS[factor]
        result = logrank_fast(time, groups=groups.to_numpy(), events=event)
        published = claim(f"t1_{endpoint}_uni_p_{factor}")
        rows.append(
            {
                "factor": factor,
                "label": spec.label,
                "comparison": " vs ".join(spec.levels),
                "n": " / ".join(str(int((groups == lvl).sum())) for lvl in spec.levels),
                "chi2": result.statistic,
                "df": result.df,
                "p": result.p_value,
                "claim_id": published.id,
                "published": published.value,
                "hit": bool(published.matches(result.p_value)),
                "same_side": bool((published.number < alpha) == (result.p_value < alpha)),
            }
        )
    return pd.DataFrame(rows)


def multivariable_claims(df: pd.DataFrame, endpoint: Endpoint) -> pd.DataFrame:
    """The paper's final Cox model refitted (Breslow ties, as SPSS), beside Table 1 and the text.

    Every printing of each HR, CI limit and p (``t1_`` and ``res_`` claims) gets a row, so a
    disagreement between Table 1 and the Results text shows up as two rows with one value.
    """
    from lungmets.analyses.endpoints import compare_to_claims
    from lungmets.claims import load_claims
    from lungmets.stats.cox import cox_fit_statsmodels

    factors = paper_model(endpoint)
    time_col, event_col = _endpoint_columns(endpoint)
    design = cox_design(df, factors)
    data = pd.concat([df[[time_col, event_col]], design], axis=1)
    fit = cox_fit_statsmodels(data, time_col, event_col, list(design.columns), ties="breslow")
    catalogue = load_claims()
    values: dict[str, float] = {}
    for factor, column in zip(factors, design.columns, strict=True):
        numbers = {
            "hr": fit.hr[column], "ci_lower": fit.ci_lower[column],
            "ci_upper": fit.ci_upper[column], "p": fit.p[column],
        }
        for prefix in ("t1", "res"):
            for quantity, number in numbers.items():
                claim_id = f"{prefix}_{endpoint}_mv_{quantity}_{factor}"
                if claim_id in catalogue:
                    values[claim_id] = float(number)
    return compare_to_claims(values)


def events_per_variable(df: pd.DataFrame, endpoint: Endpoint, n_parameters: int) -> float:
    """Events divided by candidate parameters (the rule of thumb asks for about 10 or more)."""
    if n_parameters < 1:
        raise ValueError(f"n_parameters={n_parameters}: need at least one candidate parameter")
    _, event = survival_columns(df, endpoint, _SOURCE)
    return float(event.sum()) / n_parameters


@dataclass(frozen=True)
class BootstrapInclusion:
    """How often each candidate was selected across bootstrap resamples of the cohort.

    ``inclusion``: candidate -> fraction of successful resamples that selected it.
    ``models``: each distinct selected set (as text) with its frequency, most frequent first.
    ``n_failed`` resamples where the selection could not be fitted (e.g. a group with no event)
    are left out of the denominators and reported.
    """

    inclusion: pd.Series
    models: pd.DataFrame
    n_boot: int
    n_failed: int
    seed: int


def bootstrap_inclusion(
    df: pd.DataFrame,
    endpoint: Endpoint,
    factors: Sequence[str],
    *,
    n_boot: int = 200,
    seed: int,
    entry_p: float = 0.05,
    removal_p: float = 0.10,
    select: Callable[..., Sequence[str]] | None = None,
) -> BootstrapInclusion:
    """Rerun the forward-stepwise Cox selection on ``n_boot`` resamples (with replacement).

    Resample b uses ``numpy.random.default_rng(seed)``'s b-th draw, so the result is identical
    on every run. ``select`` (default: the SPSS-style selection of :mod:`lungmets.stats.stepwise`)
    takes (data, duration_col, event_col, candidates) and returns the selected columns.
    Resamples in which a selected factor separates events perfectly (monotone likelihood) are
    kept, as SPSS would keep them; numpy's overflow warnings from those fits are silenced.
    """
    if n_boot < 1:
        raise ValueError(f"n_boot={n_boot}: need at least one resample")
    if select is None:
        select = _stepwise_selection(entry_p, removal_p)
    time_col, event_col = _endpoint_columns(endpoint)
    design = cox_design(df, factors)
    candidates = list(design.columns)
    data = pd.concat([df[[time_col, event_col]].astype(float), design], axis=1)
    data = data.reset_index(drop=True)
    rng = np.random.default_rng(seed)
    counts = dict.fromkeys(candidates, 0)
    models: dict[str, int] = {}
    n_failed = 0
    for _ in range(n_boot):
        rows = rng.integers(0, len(data), len(data))
        sample = data.iloc[rows].reset_index(drop=True)
        try:
            with np.errstate(all="ignore"):
                chosen = list(select(sample, time_col, event_col, candidates))
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):
            n_failed += 1
            continue
        for name in chosen:
            counts[name] += 1
        label = " + ".join(sorted(chosen)) or "(none)"
        models[label] = models.get(label, 0) + 1
    n_ok = n_boot - n_failed
    if n_ok == 0:
        raise ValueError(f"bootstrap_inclusion: all {n_boot} resamples failed to fit")
    inclusion = pd.Series({k: v / n_ok for k, v in counts.items()}, name="inclusion")
    model_table = (
        pd.DataFrame({"model": list(models), "count": list(models.values())})
        .assign(frequency=lambda t: t["count"] / n_ok)
        .sort_values(["count", "model"], ascending=[False, True], ignore_index=True)
    )
    return BootstrapInclusion(inclusion, model_table, n_boot, n_failed, seed)


def _stepwise_selection(entry_p: float, removal_p: float) -> Callable[..., Sequence[str]]:
    from lungmets.stats.stepwise import forward_stepwise_cox

    def select(data: pd.DataFrame, time_col: str, event_col: str, candidates: list[str]):
        result = forward_stepwise_cox(
            data, time_col, event_col, candidates, entry_p=entry_p, removal_p=removal_p
        )
        return result.selected

    return select


def implied_wald(hr: float, ci_lower: float, ci_upper: float) -> dict[str, float]:
    """What a printed HR and 95% CI imply, to check them against the printed p.

    A Wald interval is symmetric on the log scale: se = (ln U - ln L) / (2 x 1.96) and
    p = 2(1 - Phi(|ln HR| / se)). ``log_asymmetry`` = (ln U - ln HR) - (ln HR - ln L) is about 0
    (within rounding) for a consistent triple; a larger value means the three numbers cannot
    all come from the same Wald fit.
    """
    if not 0 < ci_lower <= hr <= ci_upper:
        raise ValueError(f"need 0 < ci_lower <= hr <= ci_upper, got {ci_lower}, {hr}, {ci_upper}")
    log_hr, log_l, log_u = math.log(hr), math.log(ci_lower), math.log(ci_upper)
    se = (log_u - log_l) / (2 * norm.isf(0.025))
    return {
        "se_log_hr": se,
        "p": float(2 * norm.sf(abs(log_hr) / se)),
        "log_asymmetry": (log_u - log_hr) - (log_hr - log_l),
    }


def _cox_lifelines(df: pd.DataFrame, endpoint: Endpoint, covariates: Sequence[str]):
    from lifelines import CoxPHFitter

    time_col, event_col = _endpoint_columns(endpoint)
    data = pd.concat([df[[time_col, event_col]].astype(float), df[list(covariates)]], axis=1)
    cph = CoxPHFitter().fit(data, duration_col=time_col, event_col=event_col,
                            fit_options=dict(LIFELINES_COX_FIT_OPTIONS))
    return cph, data


def ph_tests(
    df: pd.DataFrame,
    endpoint: Endpoint,
    covariates: Sequence[str],
    transform: Transform = "km",
) -> pd.DataFrame:
    """Tests of proportional hazards as R prints them: one row per covariate, then GLOBAL.

    R's current ``cox.zph`` score test (:func:`lungmets.stats.ph_test.cox_zph`) on a Cox model with
    Efron ties and, by default, the ``km`` time transform: R's defaults, so
    ``cox.zph(coxph(Surv(time, event) ~ ...))`` gives the same chisq, df and p. Not lifelines'
    ``proportional_hazard_test``, the pre-2019 approximation. A small p says a covariate's
    effect drifts over time; a large one on 45 patients is weak reassurance, as the test has
    little power.
    """
    time_col, event_col = _endpoint_columns(endpoint)
    table = cox_zph(df[time_col], df[event_col], df[list(covariates)], transform=transform)
    return table.reset_index().rename(columns={"term": "covariate"})


def scaled_schoenfeld(
    df: pd.DataFrame, endpoint: Endpoint, covariates: Sequence[str]
) -> pd.DataFrame:
    """β(t) estimates at each event time: scaled Schoenfeld residual + β̂ (R's ``cox.zph(fit)$y``).

    Columns: time, km_time (1 - Ŝ(t⁻) of the pooled KM, R's ``cox.zph(fit)$x`` for the 'km'
    transform) and one column per covariate. A flat cloud around β̂ is what proportional hazards
    look like.
    """
    cph, data = _cox_lifelines(df, endpoint, covariates)
    time_col, event_col = _endpoint_columns(endpoint)
    resid = cph.compute_residuals(data, "scaled_schoenfeld") + cph.params_
    times = data.loc[resid.index, time_col]
    km = pd.Series(km_transform(data[time_col], data[event_col]), index=data.index)
    out = resid.assign(time=times.to_numpy(), km_time=km.loc[resid.index].to_numpy())
    out = out.sort_values("time", kind="stable")
    return out[["time", "km_time", *covariates]].reset_index(drop=True)


def plot_scaled_schoenfeld(
    residuals: pd.DataFrame,
    covariate: str,
    ax: Axes | None = None,
    *,
    coef: float | None = None,
    frac: float = 0.6,
) -> Axes:
    """β(t) against time for one covariate, with a lowess smooth and the fitted β̂ as a line.

    A smooth that wanders away from the flat line suggests a hazard ratio changing over time.
    """
    import matplotlib.pyplot as plt
    from statsmodels.nonparametric.smoothers_lowess import lowess

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2), layout="constrained")
    t = residuals["time"].to_numpy(float)
    y = residuals[covariate].to_numpy(float)
    ax.scatter(t, y, s=14, alpha=0.7, color="0.35", gid="residuals")
    smooth = lowess(y, t, frac=frac, return_sorted=True)
    ax.plot(smooth[:, 0], smooth[:, 1], color="C0", linewidth=2, gid="lowess")
    if coef is not None:
        ax.axhline(coef, color="C3", linestyle="--", linewidth=1, gid="coef")
    ax.axhline(0, color="0.6", linewidth=0.8)
    ax.set_xlabel("Months")
    ax.set_ylabel(f"β(t) for {covariate}")
    ax.spines[["top", "right"]].set_visible(False)
    return ax
