"""Cox proportional-hazards fits through lifelines and statsmodels, in one result type.

Why this module exists: the chapters show lifelines' fit (the library a learner reaches for) and
mimic SPSS with statsmodels' Breslow ties; both come back as a :class:`CoxResult` with Wald
intervals from :data:`lungmets.stats.survival_stats.WALD_Z`, so a table or a forest plot does not
care which library fitted it. The fast numpy path the calibration uses is in
:mod:`lungmets.stats.stepwise` and :mod:`lungmets.stats.fast_stats`.

Cox ties: SPSS COXREG handles tied event times with Breslow's approximation (per its Algorithms
manual; the SPSS reference data in the tests has no ties, so this is not verified here);
lifelines implements only Efron's. The project reports lifelines (Efron) as the primary library
fit and uses the numpy and statsmodels paths with ``ties="breslow"`` where SPSS is mimicked (the
stepwise selection in ``lungmets.stats.stepwise``). With continuous, rarely tied times the two
coincide, and on tie-free data they are the same likelihood (checked in the tests).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import ndtr

from lungmets.stats.survival_stats import WALD_Z

__all__ = ["LIFELINES_COX_FIT_OPTIONS", "CoxResult", "cox_fit", "cox_fit_statsmodels", "cox_result"]


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox model: per-covariate series (indexed by covariate), log partial likelihood.

    ``ci_lower``/``ci_upper`` are Wald 95% limits of the hazard ratio, exp(b ± 1.96·se);
    ``p`` is the Wald p-value.
    """

    coef: pd.Series
    se: pd.Series
    hr: pd.Series
    ci_lower: pd.Series
    ci_upper: pd.Series
    p: pd.Series
    loglik: float
    ties: str


def _check_frame(df: pd.DataFrame, cols: Sequence[str], where: str) -> None:
    for c in cols:
        if c not in df.columns:
            raise KeyError(f"{where}: column {c!r} not in data frame")
        miss = df[c].isna().to_numpy()
        if miss.any():
            row = df.index[miss][0]
            row = row.item() if isinstance(row, np.generic) else row
            raise ValueError(f"{where}: missing value in column {c!r}, row {row!r}")


def cox_result(
    names: Sequence[str], coef: NDArray, se: NDArray, loglik: float, ties: str
) -> CoxResult:
    """A fit's coefficients and SEs as a :class:`CoxResult`, with Wald 95% limits and p; shared
    by every fitter so all of them report the same way."""
    idx = pd.Index(list(names), name="covariate")
    coef_s = pd.Series(coef, index=idx, name="coef")
    se_s = pd.Series(se, index=idx, name="se")
    z = coef / se
    return CoxResult(
        coef=coef_s,
        se=se_s,
        hr=np.exp(coef_s).rename("hr"),
        ci_lower=pd.Series(np.exp(coef - WALD_Z * se), index=idx, name="ci_lower"),
        ci_upper=pd.Series(np.exp(coef + WALD_Z * se), index=idx, name="ci_upper"),
        p=pd.Series(2.0 * ndtr(-np.abs(z)), index=idx, name="p"),
        loglik=float(loglik),
        ties=ties,
    )


LIFELINES_COX_FIT_OPTIONS: Mapping[str, float] = MappingProxyType(
    {"precision": 1e-18, "r_precision": 1e-16}
)
"""``fit_options`` for lifelines' ``CoxPHFitter.fit``: Newton-Raphson stops at floating-point noise.

lifelines' defaults (step 1e-7, relative log-likelihood change 1e-9, after damped first steps)
stop short of the maximum: measured against R's coxph, coefficients off by up to 2e-4 and
hazard-ratio CI limits by up to 9e-4 (the cohort's OS model), enough to move a printed digit.
With these the coefficients agree with R's to 1e-8 (tests/test_r_reference.py), in a few more
iterations.
"""


def cox_fit(
    df: pd.DataFrame, duration_col: str, event_col: str, covariates: Sequence[str]
) -> CoxResult:
    """Cox model through lifelines ``CoxPHFitter`` (Efron ties, no penalty, tight tolerance)."""
    from lifelines import CoxPHFitter

    cols = [duration_col, event_col, *covariates]
    _check_frame(df, cols, "cox_fit")
    data = df[cols].astype(float)
    cph = CoxPHFitter().fit(data, duration_col=duration_col, event_col=event_col,
                            fit_options=dict(LIFELINES_COX_FIT_OPTIONS))
    s = cph.summary
    return cox_result(
        list(covariates),
        s.loc[list(covariates), "coef"].to_numpy(),
        s.loc[list(covariates), "se(coef)"].to_numpy(),
        cph.log_likelihood_,
        "efron",
    )


def cox_fit_statsmodels(
    df: pd.DataFrame,
    duration_col: str,
    event_col: str,
    covariates: Sequence[str],
    ties: Literal["breslow", "efron"] = "breslow",
) -> CoxResult:
    """Cox model through statsmodels ``PHReg``; ``ties="breslow"`` is what SPSS COXREG uses."""
    from statsmodels.duration.hazard_regression import PHReg

    if ties not in ("breslow", "efron"):
        raise ValueError(f"ties must be 'breslow' or 'efron', got {ties!r}")
    cols = [duration_col, event_col, *covariates]
    _check_frame(df, cols, "cox_fit_statsmodels")
    model = PHReg(
        df[duration_col].to_numpy(float),
        df[list(covariates)].to_numpy(float),
        status=df[event_col].to_numpy(float),
        ties=ties,
    )
    res = model.fit()
    return cox_result(list(covariates), res.params, res.bse, res.llf, ties)
