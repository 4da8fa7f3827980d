"""lungmets.stats.ph_test beyond R's numbers (those are in test_r_reference.py): a hand-checked
score test, the km time scale, and errors that name the bad row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lungmets.stats.ph_test import cox_zph, km_transform
from lungmets.stats.stepwise import cox_newton


def test_one_binary_covariate_at_beta_zero_is_a_hand_computable_score_test() -> None:
    """Six deaths, no ties, one 0/1 covariate: the statistic is U'A⁻¹U written out by hand from
    the risk sets at β̂ (identity time scale), per covariate and global alike."""
    time = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    event = np.array([1, 1, 1, 1, 1, 1])
    x = pd.DataFrame({"g": [1, 0, 0, 1, 1, 0]})
    table = cox_zph(time, event, x, transform="identity")
    beta, _, _, _ = cox_newton(time, event, x.to_numpy(float), ties="breslow")
    w = np.exp(beta[0] * x["g"].to_numpy())
    g = time - time.mean()
    u = i11 = i12 = i22 = 0.0
    for k in range(6):
        risk = slice(k, 6)
        mean = (w[risk] * x["g"].to_numpy()[risk]).sum() / w[risk].sum()
        var = mean * (1 - mean)  # a 0/1 covariate
        u += g[k] * (x["g"].iat[k] - mean)
        i11, i12, i22 = i11 + var, i12 + g[k] * var, i22 + g[k] ** 2 * var
    by_hand = u**2 / (i22 - i12**2 / i11)
    assert table.loc["g", "chisq"] == pytest.approx(by_hand, rel=1e-9)
    assert table.loc["GLOBAL", "chisq"] == pytest.approx(by_hand, rel=1e-9)
    assert list(table.index) == ["g", "GLOBAL"] and list(table["df"]) == [1, 1]


def test_km_transform_is_left_continuous() -> None:
    """1 - Ŝ(t-): the first death sits at 0; a death after one of four died sits at 1/4."""
    assert km_transform([1.0, 2.0, 3.0, 4.0], [1, 1, 0, 1]) == pytest.approx(
        [0.0, 0.25, 0.5, 0.5])


def test_bad_input_names_the_row_and_column() -> None:
    x = pd.DataFrame({"g": [1.0, np.nan, 0.0]}, index=["a", "b", "c"])
    with pytest.raises(ValueError, match="column 'g', row 'b'"):
        cox_zph([1.0, 2.0, 3.0], [1, 1, 1], x)
    with pytest.raises(ValueError, match="row 'c'"):
        cox_zph([1.0, 2.0, 3.0], [1, 1, 2], x.fillna(1.0))
    with pytest.raises(KeyError, match="terms name columns"):
        cox_zph([1.0, 2.0, 3.0], [1, 1, 1], x.fillna(1.0), terms={"h": ["h"]})
