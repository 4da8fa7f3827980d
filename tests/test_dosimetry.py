"""lungmets.analyses.dosimetry: LQ arithmetic by hand, the paper's schedules, the toy DVH, the V20
check."""

from __future__ import annotations

import dataclasses
import itertools
import math
import re

import matplotlib.pyplot as plt
import pytest

from lungmets.analyses.dosimetry import (
    ALPHA_BETA_LUNG,
    ALPHA_BETA_TUMOUR,
    bed,
    compare_dosimetry,
    coverage_levels,
    dose_statements,
    envelope_v20,
    eqd2,
    equal_bed_alpha_beta,
    fractions_by_lesions,
    inferred_fraction_rule,
    plot_bed_vs_alpha_beta,
    plot_toy_dvh,
    radiobiology_table,
    schedules,
    total_dose_for_bed,
    toy_dvh,
    toy_v,
    v20_check,
)
from lungmets.claims import claim
from lungmets.paths import REPO_ROOT
from lungmets.synthetic.reconstruct import load_cohort


@pytest.fixture(scope="module")
def cohort():
    return load_cohort()


@pytest.mark.parametrize(
    ("total", "n", "ab", "expected"),
    [
        (50, 5, 10, 100.0),  # 10 Gy x 5: 50 (1 + 10/10)
        (50, 10, 10, 75.0),  # 5 Gy x 10: 50 (1 + 5/10)
        (50, 5, 3, 50 * (1 + 10 / 3)),  # 216.67
        (50, 10, 3, 50 * (1 + 5 / 3)),  # 133.33
        (60, 30, 10, 72.0),  # 2 Gy x 30: 60 (1 + 2/10)
    ],
)
def test_bed_by_hand(total: float, n: int, ab: float, expected: float) -> None:
    assert bed(total, n, ab) == pytest.approx(expected, abs=1e-9)


def test_eqd2_by_hand_and_identity_at_two_gray() -> None:
    assert eqd2(50, 5, 10) == pytest.approx(100 / 1.2, abs=1e-9)  # 83.33
    assert eqd2(50, 5, 3) == pytest.approx(130.0, abs=1e-9)  # 216.67 / (5/3)
    assert eqd2(50, 10, 3) == pytest.approx(80.0, abs=1e-9)
    for ab in (1.5, 3.0, 10.0, 20.0):
        assert eqd2(60, 30, ab) == pytest.approx(60.0, abs=1e-9)


def test_total_dose_for_bed_inverts_bed() -> None:
    # 10 fractions to BED10 = 100: d^2 + 10 d - 100 = 0, d = 5 (sqrt 5 - 1) = 6.180 Gy
    assert total_dose_for_bed(100, 10, 10) == pytest.approx(50 * (math.sqrt(5) - 1), abs=1e-9)
    assert total_dose_for_bed(100, 5, 10) == pytest.approx(50.0, abs=1e-9)
    for total, n, ab in ((50, 5, 3), (37.5, 15, 2.5), (70, 35, 10)):
        assert total_dose_for_bed(bed(total, n, ab), n, ab) == pytest.approx(total, abs=1e-9)


@pytest.mark.parametrize("bad", [0, -1.0, math.nan, math.inf])
def test_bad_doses_raise(bad: float) -> None:
    with pytest.raises(ValueError, match="positive finite"):
        bed(bad, 5, 10)
    with pytest.raises(ValueError, match="positive finite"):
        bed(50, 5, bad)


def test_schedules_come_from_the_claims() -> None:
    five, ten, crt = schedules()
    total = claim("met_dose_total_gy").number
    assert (five.total_gy, five.fractions) == (total, claim("met_fractions_min").number)
    assert (ten.total_gy, ten.fractions) == (total, claim("met_fractions_max").number)
    assert five.dose_per_fraction == pytest.approx(10.0)
    assert ten.dose_per_fraction == pytest.approx(5.0)
    # comparator: the printed upper bound, in assumed 2-Gy fractions
    assert crt.total_gy == claim("intro_dose_max_gy_previous_study").number == 60
    assert crt.fractions == 30


def test_radiobiology_table_values() -> None:
    table = radiobiology_table().set_index("fractions")
    tumour = f"BED (\u03b1/\u03b2 {ALPHA_BETA_TUMOUR:g}, tumour)"
    lung = f"EQD2 (\u03b1/\u03b2 {ALPHA_BETA_LUNG:g}, lung)"
    assert table.loc[5, tumour] == pytest.approx(100.0)
    assert table.loc[10, tumour] == pytest.approx(75.0)
    assert table.loc[30, tumour] == pytest.approx(72.0)
    assert table.loc[5, lung] == pytest.approx(130.0)
    # at the PTV minimum (95%): 47.5 Gy in 5 fractions, BED10 = 47.5 (1 + 0.95) = 92.625
    low = radiobiology_table(scale=coverage_levels()["PTV minimum"]).set_index("fractions")
    assert low.loc[5, tumour] == pytest.approx(92.625, abs=1e-9)


def test_coverage_levels_follow_the_methods() -> None:
    levels = coverage_levels()
    assert levels == pytest.approx(
        {"PTV minimum": 0.95, "prescription": 1.0, "PTV maximum": 1.10, "hot-spot limit": 1.15}
    )


def test_toy_dvh_shape_and_v20_by_hand() -> None:
    assert float(toy_dvh(0.0)) == pytest.approx(100.0)
    doses = [0, 5, 10, 20, 30, 50]
    volumes = [toy_v(d) for d in doses]
    assert all(a > b for a, b in itertools.pairwise(volumes))
    # 100 exp(-(20/12)^1.2) = 15.79 %; (30/12)^1.2 -> 4.96 %
    assert toy_v(20) == pytest.approx(100 * math.exp(-((20 / 12) ** 1.2)), abs=1e-9)
    assert toy_v(20) == pytest.approx(15.79, abs=0.01)
    assert toy_v(30) == pytest.approx(4.96, abs=0.01)
    assert toy_v(20) < claim("met_lung_v20_limit_pct").number


def test_v20_check_is_the_audits_inconsistency() -> None:
    check = v20_check()
    assert check.verdict == "inconsistent"
    assert set(check.claim_ids) >= {
        "fig_lung_v20_pct_lesions_ge7", "disc_lung_v20_pct_lesions_ge7",
        "fig_lung_v30_pct_lesions_ge7", "disc_lung_v30_pct_lesions_ge7",
    }
    caption, text = claim("fig_lung_v20_pct_lesions_ge7"), claim("disc_lung_v20_pct_lesions_ge7")
    assert caption.relation == ">" and text.relation == "<" and caption.number == text.number


def test_dose_statements_quote_the_catalogue() -> None:
    table = dose_statements().set_index("claim")
    assert table.loc["fig_lung_v20_pct_lesions_ge7", "quote"].endswith("respectively")
    assert "> 30%" in table.loc["fig_lung_v20_pct_lesions_ge7", "quote"]
    assert "less than 30%" in table.loc["disc_lung_v20_pct_lesions_ge7", "quote"]


def test_compare_dosimetry_hits_and_can_miss(cohort) -> None:
    table = compare_dosimetry(cohort)
    assert list(table.columns) == ["claim", "published", "reproduced", "hit"]
    assert table.set_index("claim")["reproduced"].to_dict() == {
        "met_fractions_min": "5", "met_fractions_max": "10",
    }
    assert table["hit"].all()
    changed = cohort.patients.assign(fractions=cohort.patients["fractions"].replace({5: 8}))
    miss = compare_dosimetry(dataclasses.replace(cohort, patients=changed))
    assert miss.set_index("claim").loc["met_fractions_min", "hit"] == False  # noqa: E712


def test_fraction_rule_is_the_data_dictionarys(cohort) -> None:
    """The rule recovered from the data is the one data/synthetic/README.md states."""
    readme = (REPO_ROOT / "data" / "synthetic" / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"assumption: (\d+) for ≥(\d+) lesions or ECOG (\d+), else (\d+)", readme)
    assert stated is not None
    many, k, ecog, few = map(int, stated.groups())
    rule = inferred_fraction_rule(cohort.patients)
    assert rule["lesion_threshold"] == k
    assert (many, few) == (claim("met_fractions_max").number, claim("met_fractions_min").number)
    assert ecog == claim("met_ecog_max").number
    # every exception below the threshold is an ECOG-max patient
    assert rule["n_many_below_threshold"] == rule["n_many_below_threshold_ecog_max"]
    p = cohort.patients
    expected_many = ((p["n_lesions"] >= k) | (p["ecog"] == ecog)).sum()
    assert rule["n_many_fractions"] == expected_many
    assert rule["n_few_fractions"] + rule["n_many_fractions"] == len(p)


def test_fractions_by_lesions_margins(cohort) -> None:
    table = fractions_by_lesions(cohort.patients)
    assert table.loc["total", "total"] == len(cohort.patients)
    assert table.drop(index="total")["total"].sum() == len(cohort.patients)
    assert set(table.columns) - {"total"} <= {5, 10}


def test_plots_return_axes() -> None:
    ax = plot_bed_vs_alpha_beta()
    assert len(ax.get_lines()) >= 3 + 2 + 1  # schedules, alpha/beta markers, benchmark
    plt.close(ax.figure)
    ax = plot_toy_dvh()
    assert ax.get_ylim() == (0, 100)
    plt.close(ax.figure)


def test_equal_bed_alpha_beta_by_hand() -> None:
    five, ten, crt = schedules()
    # 50 (1 + 5/x) = 60 (1 + 2/x)  ->  250 - 120 = 10 x  ->  x = 13 Gy
    assert equal_bed_alpha_beta(ten, crt) == pytest.approx(13.0, abs=1e-12)
    # 50 (1 + 10/x) = 60 (1 + 2/x)  ->  x = (500 - 120) / 10 = 38 Gy
    assert equal_bed_alpha_beta(five, crt) == pytest.approx(38.0, abs=1e-12)
    assert math.isnan(equal_bed_alpha_beta(five, ten))  # same total dose: never equal
    assert bed(ten.total_gy, ten.fractions, 13.0) == pytest.approx(bed(60, 30, 13.0))


def test_envelope_v20_by_hand() -> None:
    # 7 spheres of 3.8 cm: 7 x (pi/6) 3.8^3 = 7 x 28.73 cm3; x 5 / 4000 cm3 = 25.14 %
    assert envelope_v20(7, 3.0, 0.4) == pytest.approx(
        100 * 7 * math.pi / 6 * 3.8**3 * 5 / 4000, abs=1e-9
    )
    assert envelope_v20(7, 3.0, 0.4) == pytest.approx(25.14, abs=0.01)
    assert envelope_v20(7, 3.0, 0.4, isodose_to_ptv=2.5) == pytest.approx(12.57, abs=0.01)
    with pytest.raises(ValueError, match="margin_cm"):
        envelope_v20(7, 3.0, -0.1)
