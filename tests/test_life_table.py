"""The hand-made life table, Greenwood's variance and the three CI scales equal the libraries'.

References, each independent of the code under test: lifelines (event table, survival
function, its log-log band), statsmodels (Greenwood SE), scipy (its default band), R's survival
package (tests/fixtures/life_table/, written by r_life_table.R there; R is not needed to run
these tests) and a five-patient example whose values are written out here with fractions.

Tolerances: the same arithmetic in another library agrees to floating-point noise, so 1e-12
absolute; R's numbers were printed with 17 significant digits, so 1e-12 too.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight

from lungmets.stats.survival_stats import WALD_Z, km_median_lifelines, km_median_r, km_table
from lungmets.synthetic.reconstruct import load_cohort
from lungmets.teaching.life_table import (
    DEFAULT_SCALE,
    SCALES,
    confidence_interval,
    figure_and_table_html,
    greenwood,
    hand_extract,
    life_table,
    plot_life_table,
    readers_ci_table,
    readers_greenwood_table,
    readers_life_table,
    with_patient_changed,
)

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "life_table"
RERUN = "rerun `Rscript tests/fixtures/life_table/r_life_table.R` after updating data.csv"
TOL = 1e-12


def fixture_data() -> pd.DataFrame:
    return pd.read_csv(FIXTURE / "data.csv")


def case(name: str) -> tuple[np.ndarray, np.ndarray]:
    rows = fixture_data().query("case == @name")
    return rows["months"].to_numpy(float), rows["died"].to_numpy(int)


def r_survfit(name: str, conf_type: str) -> pd.DataFrame:
    table = pd.read_csv(FIXTURE / "r_survfit.csv", na_values=["NA"])
    return table.query("case == @name and conf_type == @conf_type").reset_index(drop=True)


CASES = ["extract", "toy_tie", "toy_ends_death"]


@pytest.fixture(scope="module")
def extract() -> pd.DataFrame:
    return hand_extract(load_cohort().patients)


# --------------------------------------------------------------------------- the extract


def test_extract_is_the_one_r_analysed(extract: pd.DataFrame) -> None:
    """If the cohort changes, the R fixture must be made again from the new extract."""
    committed = fixture_data().query("case == 'extract'").reset_index(drop=True)
    assert extract["patient"].tolist() == committed["patient"].tolist(), RERUN
    np.testing.assert_allclose(extract["months"], committed["months"], rtol=0, atol=1e-9)
    assert extract["died"].tolist() == committed["died"].tolist(), RERUN


def test_extract_spreads_deaths_and_censorings_over_follow_up(extract: pd.DataFrame) -> None:
    assert len(extract) == 10 and extract["died"].sum() == 6
    assert extract["months"].is_monotonic_increasing
    censored = extract.loc[extract["died"] == 0, "months"]
    assert censored.min() < extract.loc[extract["died"] == 1, "months"].max()  # interleaved
    assert (extract["end"] > extract["start"]).all()


# --------------------------------------------------------------------------- the life table


@pytest.mark.parametrize("name", CASES)
def test_life_table_equals_lifelines_event_table_and_survival(name: str) -> None:
    t, e = case(name)
    table = life_table(t, e)
    kmf = KaplanMeierFitter().fit(t, e)
    events = kmf.event_table.drop(index=0.0, errors="ignore")
    np.testing.assert_array_equal(table["time"], events.index.to_numpy())
    np.testing.assert_array_equal(table["at_risk"], events["at_risk"])
    np.testing.assert_array_equal(table["deaths"], events["observed"])
    np.testing.assert_array_equal(table["censored"], events["censored"])
    expected = kmf.survival_function_.iloc[:, 0].loc[table["time"]].to_numpy()
    np.testing.assert_allclose(table["survival"], expected, rtol=0, atol=TOL)


def test_life_table_equals_the_package_km_table_on_the_whole_synthetic_cohort() -> None:
    patients = load_cohort().patients
    table = greenwood(life_table(patients["os_months"], patients["os_event"]))
    deaths = table[table["deaths"] > 0].reset_index(drop=True)
    reference = km_table(patients["os_months"], patients["os_event"])
    for mine, theirs in (("time", "time"), ("at_risk", "at_risk"), ("survival", "survival"),
                         ("se", "se")):
        np.testing.assert_allclose(deaths[mine], reference[theirs], rtol=0, atol=TOL)


def test_labels_name_the_patients_of_each_row() -> None:
    table = life_table([2, 1, 2], [1, 0, 0], labels=["B", "A", "C"])
    assert table["patients"].tolist() == ["A", "B, C"]
    with pytest.raises(ValueError, match="labels has 2 values for 3 patients"):
        life_table([2, 1, 2], [1, 0, 0], labels=["B", "A"])


@pytest.mark.parametrize(
    ("time", "event", "message"),
    [([1, -2], [1, 0], "position 1"), ([1, 2], [1, 2], "position 1"), ([1], [1, 0], "equal")],
)
def test_bad_hand_data_name_the_position(time: list, event: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        life_table(time, event)


# --------------------------------------------------------------------------- Greenwood


def test_five_patients_by_hand() -> None:
    """Times 1-5, deaths at 1, 3, 4: every value written out with fractions."""
    table = greenwood(life_table([1, 2, 3, 4, 5], [1, 0, 1, 1, 0]))
    s = [4 / 5, 4 / 5, 8 / 15, 4 / 15, 4 / 15]
    sums = [1 / 20, 1 / 20, 1 / 20 + 1 / 6, 1 / 20 + 1 / 6 + 1 / 2, 1 / 20 + 1 / 6 + 1 / 2]
    assert table["at_risk"].tolist() == [5, 4, 3, 2, 1]
    np.testing.assert_allclose(table["survival"], s, rtol=0, atol=TOL)
    np.testing.assert_allclose(table["running_sum"], sums, rtol=0, atol=TOL)
    se = [si * math.sqrt(v) for si, v in zip(s, sums, strict=True)]
    np.testing.assert_allclose(table["se"], se, rtol=0, atol=TOL)
    z, s3, se3 = WALD_Z, 8 / 15, se[2]
    expected = {
        "plain": (s3 - z * se3, min(s3 + z * se3, 1.0)),
        "log": (s3 * math.exp(-z * se3 / s3), min(s3 * math.exp(z * se3 / s3), 1.0)),
        "log-log": (s3 ** math.exp(z * se3 / (s3 * -math.log(s3))),
                    s3 ** math.exp(-z * se3 / (s3 * -math.log(s3)))),
    }
    for scale, (low, high) in expected.items():
        lower, upper = confidence_interval([s3], [se3], scale)
        assert lower[0] == pytest.approx(low, abs=TOL) and upper[0] == pytest.approx(high, abs=TOL)


@pytest.mark.parametrize("name", CASES)
def test_greenwood_se_equals_statsmodels(name: str) -> None:
    t, e = case(name)
    table = greenwood(life_table(t, e))
    deaths = table[(table["deaths"] > 0) & (table["survival"] > 0)]
    reference = SurvfuncRight(t, e)
    keep = reference.surv_prob > 0
    np.testing.assert_allclose(deaths["time"], reference.surv_times[keep], rtol=0, atol=TOL)
    np.testing.assert_allclose(deaths["se"], reference.surv_prob_se[keep], rtol=0, atol=TOL)


def test_curve_at_zero_has_variance_zero_as_in_lifelines() -> None:
    table = greenwood(life_table(*case("toy_ends_death")))
    assert table["survival"].iloc[-1] == 0.0 and table["se"].iloc[-1] == 0.0
    assert np.isinf(table["term"].iloc[-1])
    lower, upper = confidence_interval(table["survival"], table["se"], "log-log")
    assert np.isnan(lower[-1]) and np.isnan(upper[-1])  # R: NA, no band at S = 0


# --------------------------------------------------------------------------- CI scales


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("scale", SCALES)
def test_every_scale_equals_r(name: str, scale: str) -> None:
    t, e = case(name)
    table = greenwood(life_table(t, e))
    r = r_survfit(name, scale)
    np.testing.assert_allclose(table["time"], r["time"], rtol=0, atol=TOL)
    np.testing.assert_array_equal(table["at_risk"], r["n_risk"])
    np.testing.assert_array_equal(table["censored"], r["n_censor"])
    np.testing.assert_allclose(table["survival"], r["surv"], rtol=0, atol=TOL)
    defined = r["std_err"].notna().to_numpy()  # R gives no SE (nor CI) where S = 0
    assert (table["survival"][~defined] == 0).all()
    np.testing.assert_allclose(table["se"][defined], r["std_err"][defined], rtol=0, atol=TOL)
    lower, upper = confidence_interval(table["survival"], table["se"], scale)
    np.testing.assert_allclose(lower[defined], r["lower"][defined], rtol=0, atol=TOL)
    np.testing.assert_allclose(upper[defined], r["upper"][defined], rtol=0, atol=TOL)


def test_r_uses_the_log_scale_unless_told_otherwise() -> None:
    provenance = pd.read_csv(FIXTURE / "provenance.csv").set_index("key")["value"]
    assert provenance["survfit default conf.type"] == "log" == DEFAULT_SCALE["R (survfit)"]
    for name in CASES:
        pd.testing.assert_frame_equal(r_survfit(name, "default").drop(columns="conf_type"),
                                      r_survfit(name, "log").drop(columns="conf_type"))


@pytest.mark.parametrize("name", CASES)
def test_lifelines_band_is_the_log_log_one(name: str) -> None:
    assert DEFAULT_SCALE["lifelines (KaplanMeierFitter)"] == "log-log"
    t, e = case(name)
    table = greenwood(life_table(t, e))
    alive = table[table["survival"] > 0]
    band = KaplanMeierFitter().fit(t, e).confidence_interval_.loc[alive["time"]]
    lower, upper = confidence_interval(alive["survival"], alive["se"], "log-log")
    np.testing.assert_allclose(lower, band.iloc[:, 0], rtol=0, atol=TOL)
    np.testing.assert_allclose(upper, band.iloc[:, 1], rtol=0, atol=TOL)


def test_scipy_default_band_is_the_plain_one() -> None:
    assert DEFAULT_SCALE["scipy (ecdf)"] == "plain"
    t, e = case("extract")
    table = greenwood(life_table(t, e))
    result = stats.ecdf(stats.CensoredData(uncensored=t[e == 1], right=t[e == 0]))
    band = result.sf.confidence_interval()  # no method given: scipy's default
    np.testing.assert_allclose(band.low.quantiles, table["time"], rtol=0, atol=TOL)
    lower, upper = confidence_interval(table["survival"], table["se"], "plain")
    np.testing.assert_allclose(lower, band.low.probabilities, rtol=0, atol=TOL)
    np.testing.assert_allclose(upper, band.high.probabilities, rtol=0, atol=TOL)


def test_unknown_scale_raises() -> None:
    with pytest.raises(ValueError, match="scale='logit'"):
        confidence_interval([0.5], [0.1], "logit")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- medians


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("conf_type", ["log", "log-log"])
def test_the_package_median_cis_the_page_reuses_equal_r(name: str, conf_type: str) -> None:
    r = pd.read_csv(FIXTURE / "r_median.csv", na_values=["NA"]).query(
        "case == @name and conf_type == @conf_type").iloc[0]
    mine = km_median_r(*case(name), conf_type=conf_type)
    for got, want in ((mine.median, r["median"]), (mine.ci_lower, r["lower"]),
                      (mine.ci_upper, r["upper"])):
        assert (np.isnan(got) and np.isnan(want)) or got == pytest.approx(want, abs=TOL)


def test_lifelines_median_ci_is_read_off_its_log_log_band() -> None:
    t, e = case("extract")
    r = km_median_r(t, e, conf_type="log-log")
    life = km_median_lifelines(t, e)
    assert life.ci_lower == pytest.approx(r.ci_lower, abs=TOL)
    assert np.isnan(life.ci_upper) and np.isnan(r.ci_upper)  # not reached, in both


# --------------------------------------------------------------------------- for readers


def test_readers_tables_write_out_the_arithmetic_without_code_words(
    extract: pd.DataFrame,
) -> None:
    table = greenwood(life_table(extract["months"], extract["died"], extract["patient"]))
    shown = readers_life_table(table, moved="P45")
    first = shown.iloc[0]
    assert first["1 \u2212 d/n"] == "1 \u2212 1/10 = 0.9000"
    assert first["Ŝ(t)"] == "1.0000 \u00d7 0.9000 = 0.9000"
    assert shown.loc["15.5", "Patients"] == "P45 (moved)"
    assert shown.loc["15.5", "Ŝ(t)"] == "0.9000 (unchanged)"
    greenwood_rows = readers_greenwood_table(table)
    assert len(greenwood_rows) == int(extract["died"].sum())
    assert greenwood_rows.iloc[0]["d / (n(n \u2212 d))"] == "1/(10 \u00d7 9) = 0.0111"
    cis = readers_ci_table(table)
    assert list(cis.columns[-3:]) == ["Plain scale (scipy's default)", "Log scale (R's default)",
                                      "Log-log scale (lifelines' band)"]
    for frame in (shown, greenwood_rows, cis):
        text = frame.to_html()
        assert not any(word in text for word in ("NaN", "nan", "True", "False", "_"))


def test_the_last_death_that_empties_the_curve_is_said_in_words() -> None:
    table = greenwood(life_table(*case("toy_ends_death")))
    last = readers_greenwood_table(table).iloc[-1]
    assert last["Running sum"] == "not defined"
    assert readers_ci_table(table).iloc[-1]["Log scale (R's default)"] == "not defined"


def test_with_patient_changed_moves_only_that_patient(extract: pd.DataFrame) -> None:
    moved = with_patient_changed(extract, "P45", 30.0, 1)
    assert moved.set_index("patient").loc["P45", ["months", "died"]].tolist() == [30.0, 1]
    others = moved[moved["patient"] != "P45"].set_index("patient")
    pd.testing.assert_frame_equal(others, extract[extract["patient"] != "P45"]
                                  .set_index("patient").loc[others.index])
    assert moved["months"].is_monotonic_increasing
    with pytest.raises(KeyError, match="P99"):
        with_patient_changed(extract, "P99", 3.0, 1)
    with pytest.raises(ValueError, match="died=2"):
        with_patient_changed(extract, "P45", 3.0, 2)


# --------------------------------------------------------------------------- figures


def test_figure_keeps_its_size_and_draws_band_censorings_and_median(
    extract: pd.DataFrame,
) -> None:
    table = greenwood(life_table(extract["months"], extract["died"]))
    ax = plot_life_table(table, band="log-log", moved_time=15.5)
    gids = {artist.get_gid() for artist in ax.get_children()}
    assert {"curve", "band", "censored", "median", "moved"} <= gids
    assert tuple(ax.figure.get_size_inches()) == (6.5, 3.3)
    html = figure_and_table_html(ax.figure, readers_life_table(table), shown="Patient = 1")
    assert html.startswith('<img src="data:image/png;base64,') and "<table" in html
    assert ax.figure.number not in plt.get_fignums()  # the panel closed its figure
