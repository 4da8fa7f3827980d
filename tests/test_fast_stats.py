"""The calibration's deterministic statistics (lungmets.stats.fast_stats) against numpy/LAPACK and
the project's reference implementations, and its k-group log-rank on empty levels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lungmets.stats.cox import cox_fit_statsmodels
from lungmets.stats.fast_stats import (
    CoxData,
    cox_newton,
    logrank_k,
    score_block_p,
    score_p,
    spd_inverse,
    spd_solve,
)
from lungmets.stats.stepwise import cox_newton as reference_cox_newton
from lungmets.stats.stepwise import score_test
from lungmets.stats.survival_stats import logrank_fast


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    """Seeded toy data with ties, three binary covariates and a three-level factor."""
    rng = np.random.default_rng(11)
    n = 60
    frame = pd.DataFrame({"a": rng.integers(0, 2, n), "b": rng.integers(0, 2, n),
                          "c": rng.integers(0, 2, n), "k": rng.integers(0, 3, n)})
    frame["t"] = rng.integers(1, 40, n) * (1 + frame["a"])
    frame["e"] = (rng.random(n) < 0.75).astype(int)
    return frame


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_cholesky_solve_and_inverse_match_lapack(size: int) -> None:
    rng = np.random.default_rng(size)
    m = rng.normal(size=(size, size))
    a = m @ m.T + size * np.eye(size)
    b = rng.normal(size=size)
    assert spd_solve(a, b) == pytest.approx(np.linalg.solve(a, b), rel=1e-12, abs=1e-12)
    assert spd_inverse(a) == pytest.approx(np.linalg.inv(a), rel=1e-12, abs=1e-12)


def test_cholesky_reports_a_singular_matrix() -> None:
    assert spd_solve(np.array([[1.0, 1.0], [1.0, 1.0]]), np.ones(2)) is None
    assert spd_inverse(np.zeros((1, 1))) is None


def test_risk_set_sums_equal_the_matrix_product(small: pd.DataFrame) -> None:
    t, e = small["t"].to_numpy(), small["e"].to_numpy(float)
    cd = CoxData.build(t, e)
    taus = np.unique(t[e > 0])
    risk = (t[None, :] >= taus[:, None]).astype(float)
    v = np.random.default_rng(3).random((t.size, 2))
    assert cd.risk_sums(v) == pytest.approx(risk @ v, rel=1e-12)


def test_cox_fit_matches_statsmodels_breslow(small: pd.DataFrame) -> None:
    cd = CoxData.build(small["t"].to_numpy(), small["e"].to_numpy(float))
    beta, info, _ = cox_newton(cd, small[["a", "b"]].to_numpy(float))
    ref = cox_fit_statsmodels(small.astype(float), "t", "e", ["a", "b"], ties="breslow")
    assert np.exp(beta) == pytest.approx(ref.hr[["a", "b"]].to_numpy(), rel=1e-7)
    ref_beta, _, ref_info, converged = reference_cox_newton(
        small["t"], small["e"], small[["a", "b"]].to_numpy(float))
    assert converged
    assert beta == pytest.approx(ref_beta, rel=1e-8)
    assert info == pytest.approx(ref_info, rel=1e-8)


def test_score_tests_match_the_stepwise_engine(small: pd.DataFrame) -> None:
    """Entry score tests, one column and a block of two (a three-level factor)."""
    cd = CoxData.build(small["t"].to_numpy(), small["e"].to_numpy(float))
    x = small[["a"]].to_numpy(float)
    _, info, w = cox_newton(cd, x)
    z = small[["b", "c"]].to_numpy(float)
    singles = score_p(cd, x, w, info, z)
    for j, col in enumerate(("b", "c")):
        ref = score_test(small["t"], small["e"], x, small[col])[2]
        assert singles[j] == pytest.approx(ref, rel=1e-8)
    levels = np.column_stack([small["k"] == 1, small["k"] == 2]).astype(float)
    ref = score_test(small["t"], small["e"], x, levels)[2]
    assert score_block_p(cd, x, w, levels) == pytest.approx(ref, rel=1e-8)


def _logrank_inputs(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    times = np.unique(frame["t"])
    nk = np.array([[((frame["k"] == g) & (frame["t"] >= s)).sum() for s in times]
                   for g in range(3)], dtype=float)
    dk = np.array([[((frame["k"] == g) & (frame["t"] == s) & (frame["e"] == 1)).sum()
                    for s in times] for g in range(3)], dtype=float)
    return nk, dk


def test_k_group_logrank_matches_the_reference(small: pd.DataFrame) -> None:
    nk, dk = _logrank_inputs(small)
    ref = logrank_fast(small["t"], groups=small["k"], events=small["e"]).p_value
    assert logrank_k(nk, dk) == pytest.approx(ref, rel=1e-9)


@pytest.mark.parametrize("empty_row", [0, 1, 2], ids=["first", "middle", "last"])
def test_an_empty_level_leaves_the_two_group_test(empty_row: int) -> None:
    """An ensemble seed crashed here (singular covariance). With one level empty, the k-group
    statistic must equal the test of the other two levels on one degree of freedom; an empty
    *last* level (the one the quadratic form leaves out) used to leave a covariance singular
    only up to rounding, which LAPACK did not detect."""
    at_risk = np.array([[5, 4, 3], [4, 3, 2]], dtype=float)
    deaths = np.array([[1, 1, 0], [0, 1, 1]], dtype=float)
    two_groups = logrank_k(at_risk, deaths)
    nk = np.insert(at_risk, empty_row, 0, axis=0)
    dk = np.insert(deaths, empty_row, 0, axis=0)
    assert logrank_k(nk, dk) == pytest.approx(two_groups, abs=1e-12)
    assert 0.0 < two_groups < 1.0
    assert logrank_k(np.insert(nk, 0, 0, axis=0)[:2], np.insert(dk, 0, 0, axis=0)[:2]) == 1.0
