"""Prognostic-factor tools: Table 1 groupings, cut-point scans, bootstrap selection, PH checks."""

import numpy as np
import pandas as pd
import pytest
from lifelines.statistics import logrank_test, multivariate_logrank_test

from lungmets.analyses import cutpoints as cp
from lungmets.analyses import prognostic as pg
from lungmets.claims import claim

SEED = 20160601


def _cohort(n: int = 60, seed: int = SEED) -> pd.DataFrame:
    """A constructed cohort with the synthetic patients.csv columns Table 1 needs."""
    rng = np.random.default_rng(seed)
    lesions = rng.integers(1, 10, n)
    sorafenib = rng.integers(0, 2, n)
    hazard = 0.08 * np.exp(1.2 * (lesions > 3) + 0.7 * (1 - sorafenib))
    progression = rng.exponential(1 / hazard)
    follow_up = rng.uniform(10, 40, n)
    return pd.DataFrame(
        {
            "patient_id": [f"P{i:02d}" for i in range(n)],
            "sorafenib": sorafenib,
            "sex": rng.choice(["male", "female"], n, p=[0.8, 0.2]),
            "age_years": rng.integers(35, 80, n),
            "pdr_months": np.round(rng.exponential(4, n), 1),
            "pmfi_months": np.round(rng.uniform(1, 70, n), 1),
            "afp_ng_ml": np.round(np.exp(rng.normal(4, 2, n)), 1),
            "viral_hepatitis": rng.choice([0, 1], n, p=[0.2, 0.8]),
            "n_lesions": lesions,
            "max_lesion_cm": np.round(rng.uniform(0.5, 4.9, n), 1),
            "intrahepatic_active": rng.choice([0, 1], n, p=[0.7, 0.3]),
            "liver_treatment": rng.choice(["resection", "tace", "transplantation"], n),
            "ecog": rng.choice([0, 1, 2], n),
            "other_mets": rng.choice([0, 1], n, p=[0.8, 0.2]),
            "pfs_months": np.round(np.minimum(progression, follow_up), 2),
            "pfs_event": (progression <= follow_up).astype(int),
            "os_months": np.round(follow_up + 5, 2),
            "os_event": rng.integers(0, 2, n),
        }
    )


@pytest.mark.parametrize(
    ("factor", "column", "values", "expected"),
    [
        ("age", "age_years", [59, 60, 61], ["<60", "≥60", "≥60"]),
        ("pdr", "pdr_months", [5.9, 6.0], ["<6", "≥6"]),
        ("pmfi", "pmfi_months", [11.9, 12.0], ["<12", "≥12"]),
        ("afp", "afp_ng_ml", [19.9, 20.0], ["<20", "≥20"]),
        ("lesions", "n_lesions", [3, 4], ["≤3", ">3"]),
        ("maxsize", "max_lesion_cm", [3.0, 3.1], ["≤3", ">3"]),
        ("ecog", "ecog", [0, 1, 2], ["0-1", "0-1", "2"]),
    ],
)
def test_factor_groups_follow_table_1_boundaries(factor, column, values, expected) -> None:
    df = pd.DataFrame({column: values})
    assert pg.factor_groups(df, factor).tolist() == expected


def test_unknown_code_names_file_row_and_column() -> None:
    df = pd.DataFrame({"ecog": [0, 3]})
    with pytest.raises(ValueError, match=r"patients.csv: row 1, column 'ecog': value 3"):
        pg.factor_groups(df, "ecog")


def test_cox_design_codes_in_the_papers_direction() -> None:
    df = _cohort()
    design = pg.cox_design(df, ["lesions", "sorafenib", "livertx"])
    assert list(design.columns) == ["lesions_gt3", "sorafenib_no", "livertx"]
    assert design["lesions_gt3"].tolist() == (df["n_lesions"] > 3).astype(int).tolist()
    assert design["sorafenib_no"].tolist() == (1 - df["sorafenib"]).tolist()
    assert set(design["livertx"]) == {"Resection", "TACE", "Transplantation"}
    assert pg.candidate_columns(["lesions", "livertx"]) == ["lesions_gt3", "livertx"]
    assert pg.n_parameters(list(pg.FACTORS)) == 14  # 12 binary factors + a 3-level one


def test_univariate_table_matches_lifelines_and_reads_table_1() -> None:
    df = _cohort()
    table = pg.univariate_table(df, list(pg.FACTORS), "pfs")
    assert len(table) == 13
    for row in table.itertuples():
        groups = pg.factor_groups(df, row.factor)
        reference = multivariate_logrank_test(df["pfs_months"], groups, df["pfs_event"])
        assert row.p == pytest.approx(reference.p_value, rel=1e-9)
        published = claim(f"t1_pfs_uni_p_{row.factor}")
        assert row.published == published.value
        assert row.same_side == ((published.number < 0.05) == (row.p < 0.05))
    # the constructed hazard depends on lesions: the test must see it
    assert table.set_index("factor").loc["lesions", "p"] < 0.01


def test_cutpoint_scan_finds_a_known_cut() -> None:
    """x in 1..100; hazard five times higher when x >= 60: the smallest p sits at the true cut."""
    rng = np.random.default_rng(SEED)
    n = 300
    x = rng.integers(1, 101, n)
    time = rng.exponential(1 / np.where(x >= 60, 0.5, 0.1))
    df = pd.DataFrame({"x": x, "pfs_months": time, "pfs_event": np.ones(n, dtype=int)})
    scan = cp.cutpoint_scan(df, "x", "pfs", cutpoints=range(20, 90, 5), rule=">=")
    best = scan.loc[scan["p"].idxmin()]
    assert best["cutpoint"] == 60
    assert best["hr"] == pytest.approx(5.0, rel=0.35)
    assert (scan["n_low"] + scan["n_high"] == n).all()
    # same p as lifelines' two-sample test at one cut
    high = x >= 40
    ref = logrank_test(time[high], time[~high])
    assert scan.set_index("cutpoint").loc[40, "p"] == pytest.approx(ref.p_value, rel=1e-9)


def test_cutpoint_scan_default_cuts_respect_min_group() -> None:
    df = _cohort()
    scan = cp.cutpoint_scan(df, "n_lesions", "pfs", rule=">", min_group=8, hazard_ratio=False)
    assert scan[["n_low", "n_high"]].min().min() >= 8
    assert "hr" not in scan.columns
    with pytest.raises(ValueError, match="fewer than min_group"):
        cp.cutpoint_scan(df, "n_lesions", "pfs", cutpoints=[9], rule=">=", min_group=8)


def test_min_p_over_cutpoints_is_not_uniform_under_the_null() -> None:
    """Altman et al. 1994: picking the best cut makes 'p < 0.05' far likelier than 5%."""
    rng = np.random.default_rng(SEED)
    n = 60
    x = rng.uniform(0, 1, n)
    time = rng.exponential(1.0, n)
    event = np.ones(n, dtype=int)
    min_p = cp.min_p_null(x, time, event, n_sim=300, seed=1, min_group=6)
    assert np.array_equal(min_p, cp.min_p_null(x, time, event, n_sim=300, seed=1, min_group=6))
    assert ((min_p >= 0) & (min_p <= 1)).all()
    # with ~49 cut-points tried, well above the nominal 5% (Altman: about 40% for 10% trimming)
    assert (min_p < 0.05).mean() > 0.2
    # one fixed cut-point gives a (roughly) uniform p: about 5% below 0.05
    median_cut = cp.min_p_null(x, time, event, n_sim=300, seed=1, min_group=30)
    assert (median_cut < 0.05).mean() < 0.1


@pytest.mark.parametrize("p_min", [0.002, 0.01, 0.02, 0.05])
def test_altman_correction_matches_the_papers_simplified_formulas(p_min: float) -> None:
    """Altman et al. (1994) give P_cor = -3.13 P(1 + 1.65 ln P) for epsilon = 5% and
    P_cor = -1.63 P(1 + 2.35 ln P) for epsilon = 10% (their rounded approximations)."""
    five = -3.13 * p_min * (1 + 1.65 * np.log(p_min))
    ten = -1.63 * p_min * (1 + 2.35 * np.log(p_min))
    assert cp.altman_corrected_p(p_min, 0.05) == pytest.approx(five, rel=0.03)
    assert cp.altman_corrected_p(p_min, 0.10) == pytest.approx(ten, rel=0.03)


def test_implied_wald_flags_an_asymmetric_interval() -> None:
    # exp(0.5 +- 1.96 * 0.25): a consistent triple
    hr, lower, upper = np.exp(0.5), np.exp(0.5 - 1.96 * 0.25), np.exp(0.5 + 1.96 * 0.25)
    implied = pg.implied_wald(hr, lower, upper)
    assert implied["se_log_hr"] == pytest.approx(0.25, rel=1e-3)
    assert implied["p"] == pytest.approx(0.0455, abs=5e-4)
    assert implied["log_asymmetry"] == pytest.approx(0.0, abs=1e-12)
    assert pg.implied_wald(hr, lower, upper * 1.5)["log_asymmetry"] == pytest.approx(np.log(1.5))


def _select_significant(data, time_col, event_col, candidates):
    """A stand-in selection rule: keep every binary candidate with log-rank p < 0.05."""
    return [
        c for c in candidates
        if data[c].nunique() == 2
        and logrank_test(
            data.loc[data[c] == 1, time_col], data.loc[data[c] == 0, time_col],
            data.loc[data[c] == 1, event_col], data.loc[data[c] == 0, event_col],
        ).p_value < 0.05
    ]


def test_bootstrap_inclusion_is_seeded_and_frequencies_are_consistent() -> None:
    df = _cohort()
    factors = ["lesions", "sorafenib", "sex", "ecog"]
    run = pg.bootstrap_inclusion(df, "pfs", factors, n_boot=40, seed=3, select=_select_significant)
    again = pg.bootstrap_inclusion(
        df, "pfs", factors, n_boot=40, seed=3, select=_select_significant
    )
    other = pg.bootstrap_inclusion(
        df, "pfs", factors, n_boot=40, seed=4, select=_select_significant
    )
    pd.testing.assert_series_equal(run.inclusion, again.inclusion)
    assert not run.inclusion.equals(other.inclusion)
    assert ((run.inclusion >= 0) & (run.inclusion <= 1)).all()
    assert run.n_failed == 0 and run.models["count"].sum() == 40
    # sum of inclusion frequencies = mean model size
    sizes = run.models["model"].map(lambda m: 0 if m == "(none)" else m.count(" + ") + 1)
    assert run.inclusion.sum() == pytest.approx((sizes * run.models["frequency"]).sum())
    assert run.inclusion["lesions_gt3"] > run.inclusion["ecog_2"]


def test_bootstrap_inclusion_with_the_stepwise_selection_runs_deterministically() -> None:
    df = _cohort(n=150)
    factors = ["lesions", "sorafenib", "livertx"]
    first = pg.bootstrap_inclusion(df, "pfs", factors, n_boot=10, seed=5)
    second = pg.bootstrap_inclusion(df, "pfs", factors, n_boot=10, seed=5)
    pd.testing.assert_series_equal(first.inclusion, second.inclusion)
    assert list(first.inclusion.index) == ["lesions_gt3", "sorafenib_no", "livertx"]
    assert first.inclusion["lesions_gt3"] >= 0.8  # log-rank p of lesions ~1e-8 here


def test_events_per_variable() -> None:
    df = _cohort()
    assert pg.events_per_variable(df, "pfs", 14) == df["pfs_event"].sum() / 14


def test_ph_test_detects_crossing_hazards() -> None:
    """Group 1 dies early or late (Weibull shape 3), group 0 at a constant rate: PH fails."""
    rng = np.random.default_rng(SEED)
    n = 200
    group = np.repeat([0, 1], n // 2)
    time = np.where(group == 1, 10 * rng.weibull(3.0, n), rng.exponential(9.0, n))
    df = pd.DataFrame({"pfs_months": time, "pfs_event": 1, "g": group})
    for transform in ("km", "rank"):
        table = pg.ph_tests(df, "pfs", ["g"], transform=transform)
        assert list(table["covariate"]) == ["g", "GLOBAL"]
        assert (table["p"] < 0.001).all()
    residuals = pg.scaled_schoenfeld(df, "pfs", ["g"])
    assert len(residuals) == n and residuals["time"].is_monotonic_increasing
    # beta(t) rises over time: late residuals exceed early ones
    assert residuals["g"].iloc[-50:].mean() > residuals["g"].iloc[:50].mean()


def test_plot_scaled_schoenfeld_returns_axes() -> None:
    import matplotlib

    matplotlib.use("Agg")
    df = _cohort()
    df["lesions_gt3"] = (df["n_lesions"] > 3).astype(int)
    residuals = pg.scaled_schoenfeld(df, "pfs", ["lesions_gt3"])
    ax = pg.plot_scaled_schoenfeld(residuals, "lesions_gt3", coef=0.5)
    assert [line.get_gid() for line in ax.lines][:2] == ["lowess", "coef"]


def test_logrank_p_many_equals_one_test_at_a_time() -> None:
    from lungmets.stats.survival_stats import logrank_fast

    df = _cohort()
    time = df["pfs_months"].to_numpy()
    event = df["pfs_event"].to_numpy()
    cuts = [2, 3, 5, 7]
    splits = np.column_stack([(df["n_lesions"] > c).to_numpy() for c in cuts])
    many = cp.logrank_p_many(time, event, splits)
    one = [logrank_fast(time, groups=splits[:, j], events=event).p_value for j in range(4)]
    assert many == pytest.approx(one, rel=1e-9)
