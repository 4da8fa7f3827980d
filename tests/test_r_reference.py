"""Agreement with R's survival package, against the numbers scripts/r_reference.R wrote.

R is not needed: tests/fixtures/r_survival/ holds R's results (17 significant digits) and the
data rows R analysed (its lung, veteran and ovarian datasets, two small edge cases), and the
package recomputes everything here. The SYNTHETIC cohort's reference is only valid for the
committed cohort it was made from: provenance.csv records the SHA-256 of the files R read, and
the cohort tests fail (they do not skip) when those files changed, until `make r-reference`
is rerun.

Tolerances: R ran its Newton-Raphson to a relative log-likelihood change of 1e-11, so fitted
quantities are compared to 1e-6 relative (they agree to about 1e-8); Kaplan-Meier medians and
limits are step-function times read off the same arithmetic, compared to 1e-12.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import pytest

from lungmets.analyses import prognostic as pg
from lungmets.analyses.endpoints import endpoint_data
from lungmets.paths import REPO_ROOT
from lungmets.stats.cox import cox_fit, cox_fit_statsmodels
from lungmets.stats.ph_test import cox_zph
from lungmets.stats.survival_stats import (
    km_median_lifelines,
    km_median_r,
    km_median_spss,
    km_table,
    logrank,
    logrank_fast,
    logrank_statsmodels,
)
from lungmets.synthetic.ensemble import FINAL_MODELS, ph_p_cox_zph
from lungmets.synthetic.reconstruct import load_cohort

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "r_survival"
RERUN = "rerun `make r-reference` (scripts/r_reference*.R) and commit its output"
FIT_RTOL = 1e-6
STEP_RTOL = 1e-12
CELLTYPES = ("smallcell", "adeno", "large")  # R's dummies; squamous is the reference level


@dataclass(frozen=True)
class Case:
    """One data set as R analysed it: times, events, model columns, terms, KM subsets."""

    time: pd.Series
    event: pd.Series
    x: pd.DataFrame | None
    terms: Mapping[str, list[str]] | None
    groups: pd.Series | None


@cache
def reference() -> pd.DataFrame:
    """R's numbers; empty terms stay "" and R's NA becomes nan."""
    return pd.read_csv(FIXTURE / "reference.csv", keep_default_na=False, na_values=["NA"],
                       dtype={"quantity": str})


def r_values(case: str, method: str, subset: str = "all", term: str | None = None) -> pd.Series:
    """R's numbers for one case and method, indexed by quantity (one term, if given)."""
    ref = reference()
    rows = ref[(ref["case"] == case) & (ref["method"] == method) & (ref["subset"] == subset)]
    if term is not None:
        rows = rows[rows["term"] == term]
    if rows.empty:
        raise KeyError(f"reference.csv has no rows for {case}/{subset}/{method}/{term}; {RERUN}")
    return rows.set_index("quantity")["value"].astype(float)


def r_table(case: str, method: str) -> pd.DataFrame:
    """R's rows of one method as term x quantity (e.g. a cox.zph table)."""
    ref = reference()
    rows = ref[(ref["case"] == case) & (ref["method"] == method) & (ref["term"] != "")]
    return rows.pivot(index="term", columns="quantity", values="value").astype(float)


def _sha256(relative: str) -> str:
    return hashlib.sha256((REPO_ROOT / relative).read_bytes()).hexdigest()


def check_cohort_fixture() -> None:
    """Fail, naming the script to rerun, if the cohort files differ from the ones R read."""
    recorded = pd.read_csv(FIXTURE / "provenance.csv").set_index("key")["value"]
    for key, digest in recorded.items():
        if key.startswith("sha256:") and _sha256(key.removeprefix("sha256:")) != digest:
            pytest.fail(f"{key.removeprefix('sha256:')} changed since R's reference values "
                        f"were made: {RERUN}")


def _r_datasets() -> dict[str, Case]:
    lung = pd.read_csv(FIXTURE / "lung.csv")
    model = lung.dropna(subset=["ph.ecog"])  # R's coxph drops the row without ph.ecog
    vet = pd.read_csv(FIXTURE / "veteran.csv")
    dummies = {f"celltype{c}": (vet["celltype"] == c).astype(int) for c in CELLTYPES}
    vet_x = pd.concat([vet[["trt"]], pd.DataFrame(dummies), vet[["karno", "diagtime", "age",
                                                                 "prior"]]], axis=1)
    vet_terms = {c: [c] for c in vet_x.columns if not c.startswith("celltype")}
    vet_terms["celltype"] = list(dummies)
    ova = pd.read_csv(FIXTURE / "ovarian.csv")
    toy = pd.read_csv(FIXTURE / "toy.csv")
    cases = {
        "lung": Case(lung["time"], lung["status"] - 1, None, None, lung["sex"].rename("sex")),
        "lung-model": Case(model["time"], model["status"] - 1, model[["age", "sex", "ph.ecog"]],
                           None, None),
        "veteran": Case(vet["time"], vet["status"], vet_x, vet_terms, vet["trt"]),
        "ovarian": Case(ova["futime"], ova["fustat"], ova[["age", "ecog.ps", "rx"]], None,
                        ova["rx"]),
    }
    for name, rows in toy.groupby("case"):
        cases[str(name)] = Case(rows["time"], rows["event"], None, None, None)
    return cases


@cache
def cohort_cases() -> dict[str, Case]:
    """The SYNTHETIC cohort's endpoints and final models, derived by the package, not by R."""
    check_cohort_fixture()
    patients = load_cohort().patients
    arm = patients["sorafenib"].rename("sorafenib")
    definitions = {"pfs": {"endpoint": "pfs"}, "os": {"endpoint": "os"},
                   "os_rt": {"endpoint": "os", "origin": "rt_start"},
                   "pfs_death_event": {"endpoint": "pfs", "death_rule": "event"}}
    cases = {}
    for name, kwargs in definitions.items():
        data = endpoint_data(patients, **kwargs)
        model = FINAL_MODELS.get(name)
        x = pg.cox_design(patients, model) if model else None
        cases[f"cohort_{name}"] = Case(data["time"], data["event"], x, None, arm)
    return cases


def get_case(name: str) -> Case:
    """A case by name; only the cohort's depend on (and check) the committed cohort files."""
    return cohort_cases()[name] if name.startswith("cohort_") else _r_datasets()[name]


def _r_case(name: str) -> str:
    """The fixture's case name (lung's model rows drop the one without ph.ecog)."""
    return name.removesuffix("-model")


R_DATASETS = list(_r_datasets())
COHORT = ["cohort_pfs", "cohort_os", "cohort_os_rt", "cohort_pfs_death_event"]
MODELS = ["lung-model", "veteran", "ovarian", "cohort_pfs", "cohort_os"]


def km_subsets(name: str) -> list[tuple[str, np.ndarray]]:
    """("all", every row) and one subset per group level, named as R named them."""
    case = get_case(name)
    out = [("all", np.ones(len(case.time), bool))]
    if case.groups is not None:
        for level in sorted(case.groups.unique()):
            out.append((f"{case.groups.name}={level}", (case.groups == level).to_numpy()))
    return out


@pytest.mark.parametrize("name", [n for n in R_DATASETS if n != "lung-model"] + COHORT)
@pytest.mark.parametrize("conf_type", ["log", "log-log"])
def test_km_median_r_equals_r(name: str, conf_type: str) -> None:
    """R's midpoint rule and band, including 'not reached' where Ŝ = 0 ends the curve."""
    case = get_case(name)
    for subset, rows in km_subsets(name):
        counts = r_values(name, "km", subset)
        assert (rows.sum(), case.event[rows].sum()) == (counts["n"], counts["events"])
        want = r_values(name, f"km-{conf_type}", subset)[["median", "lower", "upper"]]
        got = km_median_r(case.time[rows], case.event[rows], conf_type=conf_type)
        np.testing.assert_allclose([got.median, got.ci_lower, got.ci_upper], want.to_numpy(),
                                   rtol=STEP_RTOL, equal_nan=True, err_msg=f"{name} {subset}")


def _lands_on_half(time: pd.Series, event: pd.Series) -> bool:
    return bool(np.isclose(km_table(time, event)["survival"], 0.5, rtol=0, atol=1e-10).any())


@pytest.mark.parametrize("name", [n for n in R_DATASETS if n != "lung-model"] + COHORT)
def test_spss_median_differs_from_r_only_where_the_curve_sits_on_one_half(name: str) -> None:
    """SPSS (and the scorecard) takes the first time of a flat stretch at 0.5, R its middle."""
    case = get_case(name)
    for subset, rows in km_subsets(name):
        spss = km_median_spss(case.time[rows], case.event[rows]).median
        r = r_values(name, "km-log", subset)["median"]
        if _lands_on_half(case.time[rows], case.event[rows]):
            assert spss < r, f"{name} {subset}: R's midpoint lies after SPSS's first time"
        else:
            np.testing.assert_allclose(spss, r, rtol=STEP_RTOL, equal_nan=True,
                                       err_msg=f"{name} {subset}")


@pytest.mark.parametrize("name", [n for n in R_DATASETS if n != "lung-model"] + COHORT)
def test_lifelines_median_ci_is_r_log_log_band_unless_a_death_ends_the_curve(name: str) -> None:
    """lifelines' CI is R's conf.type="log-log" one; where Ŝ drops to 0 at the last time,
    lifelines returns that death's time as the upper limit and R 'not reached'."""
    case = get_case(name)
    for subset, rows in km_subsets(name):
        life = km_median_lifelines(case.time[rows], case.event[rows])
        want = r_values(name, "km-log-log", subset)
        upper = want["upper"]
        if np.isnan(upper) and np.isfinite(life.ci_upper):
            assert km_table(case.time[rows], case.event[rows])["survival"].iloc[-1] == 0.0
            assert life.ci_upper == case.time[rows].max(), f"{name} {subset}"
            upper = life.ci_upper
        np.testing.assert_allclose([life.ci_lower, life.ci_upper], [want["lower"], upper],
                                   rtol=STEP_RTOL, equal_nan=True, err_msg=f"{name} {subset}")


def test_the_edge_cases_show_both_median_rules() -> None:
    """The two toy curves exercise R's rules: a curve ending on 0.5, a final death at Ŝ = 0."""
    toys = _r_datasets()
    ends = km_median_r(toys["toy_ends_at_half"].time, toys["toy_ends_at_half"].event)
    assert ends.median == (2 + 4) / 2  # flat at 0.5 from the 2nd death to the last time
    flat = toys["toy_flat_half"]
    assert km_median_r(flat.time, flat.event).median == (3 + 5) / 2
    assert km_median_spss(flat.time, flat.event).median == 3
    assert np.isnan(km_median_r(flat.time, flat.event, conf_type="log-log").ci_upper)
    assert km_median_lifelines(flat.time, flat.event).ci_upper == 6


def _zph_cases() -> list[tuple[str, str, str]]:
    return [(n, ties, tr) for n in MODELS for ties in ("efron", "breslow")
            for tr in ("km", "rank", "identity")]


@pytest.mark.parametrize(("name", "ties", "transform"), _zph_cases())
def test_cox_zph_equals_r(name: str, ties: str, transform: str) -> None:
    """Per term and global chi-square, df and p, as R's cox.zph prints them."""
    case = get_case(name)
    got = cox_zph(case.time, case.event, case.x, ties=ties, transform=transform,
                  terms=case.terms)
    want = r_table(_r_case(name), f"zph-{ties}-{transform}").loc[got.index]
    np.testing.assert_array_equal(got["df"], want["df"])
    np.testing.assert_allclose(got["chisq"], want["chisq"], rtol=FIT_RTOL)
    np.testing.assert_allclose(got["p"], want["p"], rtol=FIT_RTOL)


def test_lifelines_approximation_is_not_cox_zph() -> None:
    """Why the package has its own test: lifelines' proportional_hazard_test on veteran's age
    is about 0.02, R's cox.zph 0.18 (the issue's reason to switch)."""
    from lifelines import CoxPHFitter
    from lifelines.statistics import proportional_hazard_test

    case = get_case("veteran")
    data = pd.concat([case.time, case.event, case.x], axis=1)
    fit = CoxPHFitter().fit(data, "time", "status")
    old = proportional_hazard_test(fit, data, time_transform="km").summary.loc["age", "p"]
    new = r_table("veteran", "zph-efron-km").loc["age", "p"]
    assert old < 0.05 < new


@pytest.mark.parametrize("name", ["cohort_pfs", "cohort_os"])
def test_chapter_ph_tests_are_r_cox_zph(name: str) -> None:
    """What the prognostic chapter prints, and the ensemble chapter's R column, equal R's."""
    case = get_case(name)
    endpoint = name.removeprefix("cohort_")
    columns = list(case.x.columns)
    frame = pd.concat([case.time.rename(f"{endpoint}_months"),
                       case.event.rename(f"{endpoint}_event"), case.x], axis=1)
    table = pg.ph_tests(frame, endpoint, columns).set_index("covariate")
    want = r_table(name, "zph-efron-km")
    np.testing.assert_allclose(table["p"], want.loc[table.index, "p"], rtol=FIT_RTOL)
    ensemble = ph_p_cox_zph(load_cohort().patients, endpoint)
    np.testing.assert_allclose(list(ensemble.values()), want.loc[columns, "p"], rtol=FIT_RTOL)


@pytest.mark.parametrize("name", ["cohort_pfs", "cohort_os"])
def test_scaled_schoenfeld_is_cox_zph_y(name: str) -> None:
    """The residual figure plots R's cox.zph(fit)$y against its $x (km scale) and time."""
    case = get_case(name)
    endpoint = name.removeprefix("cohort_")
    frame = pd.concat([case.time.rename(f"{endpoint}_months"),
                       case.event.rename(f"{endpoint}_event"), case.x], axis=1)
    got = pg.scaled_schoenfeld(frame, endpoint, list(case.x.columns))
    want = r_table(name, "zph-efron-km-y").T
    want.index = want.index.astype(int)
    want = want.sort_index()
    np.testing.assert_allclose(got["time"], want["time"], rtol=STEP_RTOL)
    np.testing.assert_allclose(got["km_time"], want["x"], rtol=STEP_RTOL, atol=1e-14)
    for column in case.x.columns:
        np.testing.assert_allclose(got[column], want[column], rtol=FIT_RTOL)


@pytest.mark.parametrize("name", MODELS)
def test_cox_fits_equal_r(name: str) -> None:
    """lifelines (Efron, tightened tolerance) and statsmodels (Breslow) against R's coxph:
    coefficients, SEs and hazard-ratio CI limits, far below any printed digit."""
    case = get_case(name)
    data = pd.concat([case.time.rename("t"), case.event.rename("e"), case.x], axis=1)
    columns = list(case.x.columns)
    for ties, fit in (("efron", cox_fit(data, "t", "e", columns)),
                      ("breslow", cox_fit_statsmodels(data, "t", "e", columns, ties="breslow"))):
        want = r_table(_r_case(name), f"coxph-{ties}").loc[columns]
        np.testing.assert_allclose(fit.coef, want["coef"], rtol=FIT_RTOL, atol=1e-9)
        np.testing.assert_allclose(fit.se, want["se"], rtol=FIT_RTOL)
        np.testing.assert_allclose(fit.ci_lower, want["hr_lower"], rtol=FIT_RTOL)
        np.testing.assert_allclose(fit.ci_upper, want["hr_upper"], rtol=FIT_RTOL)
        loglik = r_values(_r_case(name), f"coxph-{ties}", term="")["loglik"]
        np.testing.assert_allclose(fit.loglik, loglik, rtol=1e-9)


@pytest.mark.parametrize("name", ["lung", "veteran", "ovarian", *COHORT])
def test_logrank_equals_survdiff(name: str) -> None:
    """numpy, lifelines and statsmodels log-rank tests against R's survdiff."""
    case = get_case(name)
    want = r_values(name, "survdiff")
    for test in (logrank_fast, logrank, logrank_statsmodels):
        got = test(case.time, groups=case.groups, events=case.event)
        assert got.df == want["df"]
        np.testing.assert_allclose([got.statistic, got.p_value], want[["chisq", "p"]],
                                   rtol=1e-9, err_msg=test.__name__)


def test_cohort_fixture_check_names_the_script(monkeypatch: pytest.MonkeyPatch) -> None:
    """A re-made cohort must fail loudly, telling the reader how to refresh R's numbers."""
    monkeypatch.setattr(f"{__name__}._sha256", lambda relative: "0" * 64)
    with pytest.raises(pytest.fail.Exception, match="make r-reference"):
        check_cohort_fixture()


def test_km_legend_shows_r_median_where_it_differs() -> None:
    """A figure prints SPSS's median and, where R's rule moves it, R's beside it."""
    import matplotlib

    matplotlib.use("Agg")
    from lungmets.display.plots import plot_km

    flat = _r_datasets()["toy_flat_half"]
    groups = pd.Series("flat", index=flat.time.index)
    ax = plot_km(flat.time, flat.event, groups, time_label="Months", risk_table=None)
    (label,) = [t.get_text() for t in ax.get_legend().get_texts()]
    assert label == "flat (n = 6, median 3; R: 4)"
