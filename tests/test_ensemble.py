"""Tests for lungmets.synthetic.ensemble: deterministic member summaries, the canonical rule, the
cache.

The calibration is replaced by a cheap stand-in defined here (a seeded random cohort with the
``patients.csv`` schema, NOT the reconstruction), because the ensemble only needs *some*
``calibrate(seed)``; the real calibration is exercised by the cached table tests at the end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lungmets.synthetic import ensemble
from lungmets.synthetic.ensemble import (
    CachedMember,
    MemberScore,
    best_member_seed,
    member_columns,
    read_members,
    rescore_members,
    run_ensemble,
    summarise_member,
    univariate_hazard_ratios,
    write_members,
)


@dataclass
class StandIn:
    """A stand-in cohort: random values, right schema, 45 patients; not the reconstruction."""

    patients: pd.DataFrame
    validation: pd.DataFrame


def stand_in_calibrate(seed: int) -> StandIn:
    rng = np.random.default_rng(seed)
    n = 45
    p = pd.DataFrame({
        "sorafenib": np.repeat([0, 1], [22, 23]),
        "sex": rng.choice(["male", "female"], n, p=[0.85, 0.15]),
        "age_years": rng.normal(55, 10, n).round(),
        "pdr_months": rng.exponential(5, n).round(1),
        "pmfi_months": rng.exponential(15, n).round(1),
        "afp_ng_ml": rng.exponential(200, n).round(1),
        "viral_hepatitis": np.repeat([0, 1], [5, 40]),
        "n_lesions": rng.integers(1, 10, n),
        "max_lesion_cm": rng.uniform(0.8, 4.9, n).round(1),
        "intrahepatic_active": (rng.random(n) < 0.3).astype(int),
        "liver_treatment": np.repeat(["resection", "tace", "transplantation"], [24, 5, 16]),
        "ecog": rng.choice([0, 1, 2], n, p=[0.4, 0.45, 0.15]),
        "other_mets": np.repeat([0, 1], [39, 6]),
        "response": rng.choice(["CR", "PR", "SD", "PD"], n, p=[0.05, 0.6, 0.3, 0.05]),
        "pfs_months": rng.exponential(10, n).round(1) + 0.1,
        "pfs_event": (rng.random(n) < 0.8).astype(int),
        "os_months": rng.exponential(30, n).round(1) + 0.1,
        "os_event": (rng.random(n) < 0.65).astype(int),
    })
    v = pd.DataFrame({
        "group": np.repeat(["Co", "Rt", "S"], [18, 15, 18]),
        "os_months": rng.exponential(30, 51).round(1) + 0.1,
        "os_event": (rng.random(51) < 0.7).astype(int),
    })
    return StandIn(p, v)


def stand_in_score(cohort: StandIn) -> MemberScore:
    """Pretend score: 'hits' depend on the data so that members differ."""
    p = cohort.patients
    return MemberScore(int(p["pfs_event"].sum()), 60, float(p["os_months"].mean()))


def test_summaries_of_one_seed_are_identical_across_runs() -> None:
    a = run_ensemble([3, 1], stand_in_calibrate, stand_in_score, workers=1)
    b = run_ensemble([1, 3], stand_in_calibrate, stand_in_score, workers=1)
    pd.testing.assert_frame_equal(a, b)
    assert a["seed"].tolist() == [1, 3]
    assert list(a.columns) == member_columns(with_validation=True)


def test_parallel_run_writes_the_same_bytes_as_a_serial_run(tmp_path: Path) -> None:
    serial = run_ensemble(range(4), stand_in_calibrate, stand_in_score, workers=1)
    parallel = run_ensemble(range(4), stand_in_calibrate, stand_in_score, workers=2)
    write_members(serial, tmp_path / "a.csv")
    write_members(parallel, tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    back = read_members(tmp_path / "a.csv")
    assert len(back) == 4
    # six significant digits survive the round trip
    assert np.allclose(back["os_rmst24_diff"], serial["os_rmst24_diff"], rtol=1e-5)


def test_rmst_difference_is_yes_minus_no_and_bounded_by_the_horizon() -> None:
    cohort = stand_in_calibrate(7)
    row = summarise_member(cohort, 7, stand_in_score(cohort))
    for endpoint in ("pfs", "os"):
        yes, no = row[f"{endpoint}_rmst24_sorafenib_yes"], row[f"{endpoint}_rmst24_sorafenib_no"]
        assert 0 < yes <= ensemble.RMST_HORIZON_MONTHS and 0 < no <= ensemble.RMST_HORIZON_MONTHS
        assert row[f"{endpoint}_rmst24_diff"] == pytest.approx(yes - no, abs=1e-12)


def test_univariate_hr_agrees_with_lifelines_breslow_free_data() -> None:
    """On tie-free times Breslow (our engine) and Efron (lifelines) coincide; tolerance 1e-4."""
    from lungmets.stats.cox import cox_fit

    cohort = stand_in_calibrate(11)
    p = cohort.patients.copy()
    p["os_months"] = p["os_months"] + np.arange(len(p)) * 1e-4  # break ties
    ours = univariate_hazard_ratios(p, "os")["os_uni_hr_sorafenib"]
    p["sorafenib_no"] = 1 - p["sorafenib"]
    theirs = float(cox_fit(p, "os_months", "os_event", ["sorafenib_no"]).hr.iloc[0])
    assert ours == pytest.approx(theirs, rel=1e-4)


def test_hr_is_nan_when_a_group_has_no_events() -> None:
    """Monotone likelihood: the ratio runs off to 0 or infinity; we record nan, not 1e9."""
    cohort = stand_in_calibrate(5)
    p = cohort.patients.copy()
    p.loc[p["other_mets"] == 1, "pfs_event"] = 0
    assert math.isnan(univariate_hazard_ratios(p, "pfs")["pfs_uni_hr_othermets"])


def _members(rows: list[tuple[int, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["seed", "hits", "loss"])


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param([(1, 50, 0.3), (2, 52, 0.9), (3, 51, 0.1)], 2, id="most_hits_wins"),
        pytest.param([(1, 52, 0.3), (2, 52, 0.2), (3, 51, 0.0)], 2, id="tie_on_hits_lowest_loss"),
        pytest.param([(9, 52, 0.2), (4, 52, 0.2), (5, 50, 0.1)], 4, id="full_tie_lowest_seed"),
        pytest.param([(1, 52, float("nan")), (2, 52, 0.5)], 2, id="missing_loss_ranks_last"),
    ],
)
def test_best_member_rule_on_constructed_tables(rows: list, expected: int) -> None:
    assert best_member_seed(_members(rows)) == expected


def test_read_members_names_file_row_and_column_of_a_duplicate_seed(tmp_path: Path) -> None:
    frame = run_ensemble([1, 2], stand_in_calibrate, stand_in_score, workers=1)
    write_members(frame, tmp_path / "m.csv")
    text = (tmp_path / "m.csv").read_text().splitlines()
    text[2] = text[1]
    (tmp_path / "m.csv").write_text("\n".join(text) + "\n")
    with pytest.raises(ValueError, match=r"m\.csv, line 3, column 'seed'"):
        read_members(tmp_path / "m.csv")


def test_seeds_from_ranges_and_lists() -> None:
    assert list(ensemble.seeds_from("0-3,7")) == [0, 1, 2, 3, 7]


def test_member_histogram_marks_the_canonical_value_and_the_null() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from lungmets.synthetic.ensemble_figures import plot_hits, plot_member_values

    members = run_ensemble(range(6), stand_in_calibrate, stand_in_score, workers=1)
    canon = best_member_seed(members)
    ax = plot_member_values(members, "os_uni_hr_sorafenib", canon)
    xs = sorted(float(line.get_xdata()[0]) for line in ax.get_lines())
    value = float(members.loc[members["seed"] == canon, "os_uni_hr_sorafenib"].iloc[0])
    assert xs == sorted([1.0, value])
    assert ax.get_xscale() == "log"
    bars = plot_hits(members, canon).patches
    assert sum(b.get_height() for b in bars) == len(members)


def test_before_after_histogram_shows_shares_and_medians() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from lungmets.synthetic.ensemble_figures import plot_hits_before_after

    before = pd.DataFrame({"hits": [230, 231, 231, 240], "claims": 308})
    after = pd.DataFrame({"hits": [244, 250], "claims": 308})
    ax = plot_hits_before_after(before, after)
    bars = ax.patches
    assert len(bars) == 3 + 2
    assert sum(b.get_height() for b in bars[:3]) == pytest.approx(100)
    assert sum(b.get_height() for b in bars[3:]) == pytest.approx(100)
    assert sorted(float(line.get_xdata()[0]) for line in ax.get_lines()) == [231.0, 247.0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "before (4 members)", "after (2 members)"]


# --------------------------------------------------------------------------- the committed cache


def test_cached_members_table_matches_its_manifest() -> None:
    """members.csv has the schema, and exactly the members and budget manifest.json claims."""
    import json

    from lungmets.synthetic.reconstruct import (
        CANONICAL_CHAINS,
        CANONICAL_ITERATIONS,
        CANONICAL_SEED,
    )

    members = read_members()
    manifest = json.loads((ensemble.ENSEMBLE_DIR / "manifest.json").read_text())
    assert list(members.columns) == member_columns(with_validation=True)
    assert len(members) == manifest["members"]
    assert members["seed"].tolist() == sorted(manifest["seeds"])
    assert (manifest["iterations"], manifest["chains"]) == (CANONICAL_ITERATIONS, CANONICAL_CHAINS)
    assert manifest["canonical_seed"] == CANONICAL_SEED
    assert (members["claims"] > 0).all() and (members["hits"] <= members["claims"]).all()


def test_committed_cohort_is_the_ensemble_member_of_the_canonical_seed() -> None:
    """The canonical rule: the committed cohort is the member of the seed fixed in advance.

    Its summaries recomputed from data/synthetic/*.csv must equal that member's cached row at
    the cache's precision (six significant digits). A failure after a change to the calibration
    means the ensemble is stale: rerun `make ensemble`.
    """
    from lungmets.synthetic.reconstruct import CANONICAL_SEED, load_cohort

    assert ensemble.member_mismatches(read_members(), CANONICAL_SEED, load_cohort()) == []


def test_member_mismatches_names_the_columns_that_differ() -> None:
    from lungmets.synthetic.reconstruct import CANONICAL_SEED, load_cohort

    members = read_members()
    changed = members.copy()
    row = changed["seed"] == CANONICAL_SEED
    changed.loc[row, "os_rmst24_diff"] += 0.5
    changed.loc[row, "hits"] -= 1
    assert ensemble.member_mismatches(changed, CANONICAL_SEED, load_cohort()) == [
        "hits", "os_rmst24_diff"]


def _cached(seed: int) -> CachedMember:
    cohort = stand_in_calibrate(seed)
    return CachedMember(cohort.patients, cohort.validation, cohort,
                        stand_in_score(cohort).loss)


def test_rescoring_changes_only_the_score_of_each_member() -> None:
    """A scorecard that grows re-scores the cached cohorts; every quantity stays as it was."""
    members = run_ensemble([2, 5], stand_in_calibrate, stand_in_score, workers=1)

    def grown_score(cohort: StandIn) -> MemberScore:
        old = stand_in_score(cohort)
        return MemberScore(old.hits + 3, old.claims + 4, old.loss)

    other_copy = {2: [_cached(9), _cached(2)], 5: [_cached(5)]}  # a wrong copy is skipped
    rescored = rescore_members(members, lambda seed: other_copy[seed], grown_score)
    assert rescored["hits"].tolist() == (members["hits"] + 3).tolist()
    assert rescored["claims"].tolist() == (members["claims"] + 4).tolist()
    pd.testing.assert_frame_equal(rescored.drop(columns=["hits", "claims"]),
                                  members.drop(columns=["hits", "claims"]))


def test_rescoring_refuses_a_member_without_its_own_cohort() -> None:
    members = run_ensemble([2], stand_in_calibrate, stand_in_score, workers=1)
    with pytest.raises(ValueError, match="seed 2"):
        rescore_members(members, lambda seed: [_cached(3)], stand_in_score)


def test_cached_calibrate_calibrates_once_and_records_its_time(tmp_path: Path) -> None:
    """A member is calibrated once; its loss and calibration time are kept beside its CSVs,
    and a rerun reads the files back instead of recalibrating."""
    from lungmets.synthetic.reconstruct import load_cohort

    calls: list[int] = []

    def calibrate(seed: int):
        calls.append(seed)
        return load_cohort()

    first = ensemble.cached_calibrate(5, calibrate, tmp_path)
    again = ensemble.cached_calibrate(5, calibrate, tmp_path)
    assert calls == [5]
    assert float((tmp_path / "seed-5" / "seconds.txt").read_text()) >= 0.0
    assert math.isnan(first.loss) and math.isnan(again.loss)  # the CSVs alone hold no loss
    pd.testing.assert_frame_equal(first.patients, again.patients)
