"""The SYNTHETIC cohort: every published count exact, levels consistent, dates plausible,
regeneration byte-identical. Expected numbers come from the claims catalogue, never typed."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from lungmets.analyses.covariates import AE_EVENTS, LesionRule, classify_patient
from lungmets.claims import claim, value
from lungmets.paths import SYNTHETIC_DIR
from lungmets.stats.survival_stats import km_median_spss
from lungmets.synthetic.reconstruct import (
    CANONICAL_CHAINS,
    CANONICAL_ITERATIONS,
    CANONICAL_SEED,
    FILES,
    PATIENT_COLUMNS,
    calibrate,
    contradictions,
    load_cohort,
    write_cohort,
)
from lungmets.synthetic.targets import DAYS_PER_MONTH, TICK, study_window


@pytest.fixture(scope="module")
def cohort():
    return load_cohort()


@pytest.fixture(scope="module")
def patients(cohort) -> pd.DataFrame:
    return cohort.patients


def _n(claim_id: str) -> int:
    return int(value(claim_id))


def _level_masks(p: pd.DataFrame) -> dict[str, pd.Series]:
    """Table 3 levels from the patient columns, with the cut-offs read from the catalogue."""
    age, pdr, pmfi, afp = (value(f"t3_{k}_cutoff_all") for k in ("age", "pdr", "pmfi", "afp"))
    les, size = value("t3_lesions_cutoff_all"), value("t3_maxsize_cutoff_all")
    return {
        "sex_male": p.sex == "male", "sex_female": p.sex == "female",
        "age_ge60": p.age_years >= age, "age_lt60": p.age_years < age,
        "pdr_ge6": p.pdr_months >= pdr, "pdr_lt6": p.pdr_months < pdr,
        "pmfi_ge12": p.pmfi_months >= pmfi, "pmfi_lt12": p.pmfi_months < pmfi,
        "afp_ge20": p.afp_ng_ml >= afp, "afp_lt20": p.afp_ng_ml < afp,
        "hepatitis_present": p.viral_hepatitis == 1, "hepatitis_absent": p.viral_hepatitis == 0,
        "lesions_le3": p.n_lesions <= les, "lesions_gt3": p.n_lesions > les,
        "maxsize_le3": p.max_lesion_cm <= size, "maxsize_gt3": p.max_lesion_cm > size,
        "intrahepatic_active": p.intrahepatic_active == 1,
        "intrahepatic_inactive": p.intrahepatic_active == 0,
        "livertx_resection": p.liver_treatment == "resection",
        "livertx_tace": p.liver_treatment == "tace",
        "livertx_transplantation": p.liver_treatment == "transplantation",
        "sorafenib_no": p.sorafenib == 0, "sorafenib_yes": p.sorafenib == 1,
        "ecog_0_1": p.ecog <= 1, "ecog_2": p.ecog == 2,
        "othermets_no": p.other_mets == 0, "othermets_yes": p.other_mets == 1,
    }


def test_files_are_header_first_and_columns_fixed(cohort) -> None:
    for name in FILES:
        first = (SYNTHETIC_DIR / name).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("patient_id,"), name
    assert tuple(cohort.patients.columns) == PATIENT_COLUMNS


def test_every_table3_count_is_exact(patients) -> None:
    assert len(patients) == _n("t3_n_total")
    for level, mask in _level_masks(patients).items():
        assert int(mask.sum()) == _n(f"t3_n_{level}"), level


def test_joint_structure(patients) -> None:
    p = patients
    assert ((p.sorafenib == 1) & (p.intrahepatic_active == 0)).sum() == _n("met_n_val_co")
    assert ((p.sorafenib == 0) & (p.intrahepatic_active == 0)).sum() == _n("met_n_val_rt")
    sor = p[p.sorafenib == 1]
    assert (sor.sorafenib_mg_day == value("met_sorafenib_dose_800")).sum() == _n("met_n_dose_800")
    assert (sor.sorafenib_mg_day == value("met_sorafenib_dose_400")).sum() == _n("met_n_dose_400")
    assert (p[p.sorafenib == 0].sorafenib_mg_day == 0).all()
    assert p[p.sorafenib == 0].sorafenib_days.isna().all()
    days = sor.sorafenib_days.to_numpy(float)
    assert days.min() == value("met_sorafenib_days_min")
    assert days.max() == value("met_sorafenib_days_max")
    assert km_median_spss(days, np.ones(days.size)).median == value("met_sorafenib_days_median")
    act = p[p.intrahepatic_active == 1].intrahepatic_treatment_during_rt.value_counts()
    assert act.get("rfa", 0) == _n("met_n_rfa_during_rt")
    assert act.get("tace", 0) == _n("met_n_tace_during_rt")
    assert act.get("rfa_tace", 0) == _n("met_n_rfa_tace_during_rt")
    assert (p[p.intrahepatic_active == 0].intrahepatic_treatment_during_rt == "none").all()
    sites = p.other_mets_site.value_counts()
    assert sites.get("right_adrenal", 0) == _n("met_n_adrenal_mets")
    assert sites.get("bone_rib", 0) == _n("met_n_bone_mets_ribs")
    assert sites.get("bone_right_scapula", 0) == _n("met_n_bone_mets_scapula")
    assert ((p.other_mets == 1) == (p.other_mets_site != "none")).all()
    assert (p.child_pugh == "B").sum() == _n("res_n_childpugh_b")
    assert (p.child_pugh == "A").sum() == _n("res_n_childpugh_a")
    assert set(p.fractions) <= {_n("met_fractions_min"), _n("met_fractions_max")}
    assert p.ecog.max() <= _n("met_ecog_max")


def test_intervals_respect_printed_median_and_range(patients) -> None:
    for key, col in (("pdr", "pdr_months"), ("pmfi", "pmfi_months")):
        x = patients[col].to_numpy(float)
        assert x.min() == pytest.approx(value(f"met_{key}_min"), abs=1e-9)
        assert x.max() == pytest.approx(value(f"met_{key}_max"), abs=1e-9)
        summary = km_median_spss(x, np.ones(x.size))
        assert summary.median == pytest.approx(value(f"met_{key}_median"), abs=1e-9)
        assert claim(f"met_{key}_median_se").matches(summary.se), key


def test_response_counts_patient_and_lesion_level(cohort) -> None:
    p, les = cohort.patients, cohort.lesions
    for r in ("cr", "pr", "sd", "pd"):
        assert (p.response == r.upper()).sum() == _n(f"res_n_response_{r}_all")
        assert (les.response == r.upper()).sum() == _n(f"res_n_lesion_response_{r}")
    assert len(les) == _n("res_n_lesions_total") == _n("met_n_lesions_total")


def test_lesions_agree_with_patients(cohort) -> None:
    p, les = cohort.patients.set_index("patient_id"), cohort.lesions
    rule = LesionRule.from_claims()
    limit = claim("met_max_lesions_inclusion")
    size_limit = claim("met_max_diameter_inclusion_cm")
    per = les.groupby("patient_id")
    assert (per.size() == p.n_lesions.loc[per.size().index]).all()
    assert set(per.size().index) == set(p.index)
    assert limit.matches(float(p.n_lesions.max()))
    assert size_limit.matches(float(les.baseline_cm.max()))
    assert (per.baseline_cm.max() == p.max_lesion_cm.loc[per.size().index]).all()
    for pid, g in per:
        assert classify_patient(g.baseline_cm, g.post_cm, rule) == p.at[pid, "response"], pid
        for b, q, call in zip(g.baseline_cm, g.post_cm, g.response, strict=True):
            assert classify_patient([b], [q], rule) == call, pid


def test_every_table2_cell(cohort) -> None:
    ae = cohort.adverse_events.merge(cohort.patients[["patient_id", "sorafenib"]])
    for arm, yes in (("no", 0), ("yes", 1)):
        sub = ae[ae.sorafenib == yes]
        for ev in AE_EVENTS:
            got = sub[sub.event == ev].patient_id.nunique()
            assert got == _n(f"t2_n_{ev}_sorafenib_{arm}"), (arm, ev)
        radiation = sub[sub.event.isin(["esophagitis", "pneumonitis"])].patient_id.nunique()
        assert radiation == _n(f"res_n_radiation_ae_sorafenib_{arm}")
    assert ae.grade.max() <= _n("res_max_ae_grade_all")
    assert ae.grade.min() >= 1
    marrow = ae[ae.event.isin(["leukocytopenia", "thrombocytopenia"])]
    assert marrow.patient_id.nunique() == _n("res_n_bone_marrow_suppression_all")
    assert (marrow.sorafenib == 0).all()
    reduced = cohort.patients.query("sorafenib_mg_day == @value('met_sorafenib_dose_400')")
    drug = ae[ae.event.isin(["ast_alt", "hfsr", "anorexia", "diarrhoea"])]
    assert set(reduced.patient_id) <= set(drug.patient_id)


def test_deaths_and_validation_groups(cohort) -> None:
    p, v = cohort.patients, cohort.validation
    assert p.os_event.sum() == _n("met_n_deaths")
    assert claim("met_pct_deaths").matches(100 * p.os_event.mean())
    for g in ("co", "rt", "s"):
        assert (v.group == g.capitalize()).sum() == _n(f"met_n_val_{g}")
    assert len(v) == _n("met_n_val_co") + _n("met_n_val_rt") + _n("met_n_val_s")
    main = v[v.group != "S"].merge(p, on="patient_id", suffixes=("", "_p"))
    assert (main.os_months == main.os_months_p).all()
    assert (main.os_event == main.os_event_p).all()
    assert (main.group == np.where(main.sorafenib == 1, "Co", "Rt")).all()
    assert (main.intrahepatic_active == 0).all()


def test_dates_and_intervals_are_plausible(patients) -> None:
    win = study_window()
    p = patients
    date = {c: pd.to_datetime(p[c]) for c in ("lung_mets_detected_date", "rt_start_date",
                                               "last_followup_date")}
    assert (date["rt_start_date"] >= pd.Timestamp(win.study_start)).all()
    assert (date["rt_start_date"] <= pd.Timestamp(win.study_end)).all()
    assert (date["last_followup_date"] <= pd.Timestamp(win.last_followup)).all()
    alive = p.os_event == 0
    assert (date["last_followup_date"][alive] == pd.Timestamp(win.last_followup)).all()
    assert p.death_date[alive].isna().all() and p.death_date[~alive].notna().all()
    os_days = (date["last_followup_date"] - date["lung_mets_detected_date"]).dt.days
    assert np.allclose((os_days / DAYS_PER_MONTH).round(1), p.os_months)
    pdr_days = (date["rt_start_date"] - date["lung_mets_detected_date"]).dt.days
    assert np.allclose((pdr_days / DAYS_PER_MONTH).round(1), p.pdr_months)
    prog = p.pfs_event == 1
    prog_date = pd.to_datetime(p.progression_date[prog])
    pfs_days = (prog_date - date["rt_start_date"][prog]).dt.days
    assert np.allclose((pfs_days / DAYS_PER_MONTH).round(1), p.pfs_months[prog])
    assert (prog_date <= date["last_followup_date"][prog]).all()
    assert p.progression_date[~prog].isna().all()
    # no documented progression: PFS censored at death or last follow-up (the paper's rule)
    rt_to_end = (p.os_months - p.pdr_months).round(1)
    assert np.allclose(p.pfs_months[~prog], rt_to_end[~prog], atol=TICK / 2)
    assert (p.pfs_months[prog] <= rt_to_end[prog] + 1e-9).all()
    dead_prog = prog & (p.os_event == 1)
    assert (p.pfs_months[dead_prog] < rt_to_end[dead_prog]).all()
    fu = p.os_months[alive]
    assert fu.min() >= value("met_followup_min") - 1e-9
    assert fu.max() <= claim("met_followup_max").upper


def test_contradictions_table_names_real_claims() -> None:
    table = contradictions()
    assert table.id.is_unique and len(table) >= 5
    for ids in table.claims:
        for cid in ids:
            claim(cid)  # raises KeyError for an unknown id


def test_ht_only_pfs_rate_is_a_documented_contradiction_not_a_calibration_miss() -> None:
    """C10: 45.5% PFS at 1 year cannot hold with the HT-only median 5.80 ± 0.52 (SPSS SE);
    the scorecard cites C10 for both printings of the rate instead of blaming the search."""
    from lungmets.synthetic.scorecard import scorecard

    table = contradictions().set_index("id")
    assert table.loc["C10", "misses"] == ("res_pfs_rate_12m_sorafenib_no",
                                          "disc_pfs_rate_12m_sorafenib_no")
    assert list(table.index) == [f"C{i}" for i in range(1, len(table) + 1)]  # numeric order
    card = scorecard().set_index("claim_id")
    for cid in table.loc["C10", "misses"]:
        assert not card.loc[cid, "hit"] and card.loc[cid, "note"] == "C10"


def test_regeneration_is_byte_identical(tmp_path) -> None:
    """The committed files are exactly what the canonical seed and budget produce."""
    write_cohort(calibrate(CANONICAL_SEED, CANONICAL_ITERATIONS, CANONICAL_CHAINS, workers=2),
                 tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (SYNTHETIC_DIR / name).read_bytes(), name


def _dispatched_simd_features() -> list[str]:
    """Every SIMD level numpy can dispatch to at run time, above its compiled baseline."""
    from numpy._core._multiarray_umath import __cpu_dispatch__

    return list(__cpu_dispatch__)


FORCED_CPUS = {
    # what the AMD EPYC that failed CI has: AVX2 and FMA, no AVX-512
    "no_avx512": {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
                  "OPENBLAS_CORETYPE": "Haswell",
                  "GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ"},
    # numpy's baseline (x86-64-v2): no AVX, AVX2 or FMA in numpy, OpenBLAS or the C library
    "baseline": {"NPY_DISABLE_CPU_FEATURES": " ".join(_dispatched_simd_features()),
                 "OPENBLAS_CORETYPE": "Nehalem",
                 "GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX,-AVX2,-FMA,-FMA4,-AVX512F,-AVX512VL,"
                                   "-AVX512BW,-AVX512DQ"},
}
"""Environment switches that make numpy, OpenBLAS and glibc take the code paths of a CPU with
fewer SIMD features than this one (each is ignored where the feature is absent anyway)."""


@pytest.mark.parametrize("cpu", list(FORCED_CPUS))
def test_regeneration_is_byte_identical_on_a_cpu_with_fewer_simd_features(cpu, tmp_path) -> None:
    """The promise holds whatever SIMD the machine has: a subprocess forced onto other kernels
    regenerates the committed bytes (lungmets.stats.fast_stats says why it can)."""
    import os
    import subprocess
    import sys

    from lungmets.paths import REPO_ROOT

    env = {**os.environ, **FORCED_CPUS[cpu]}
    probe = subprocess.run(
        [sys.executable, "-c", "from numpy._core._multiarray_umath import __cpu_features__ as f;"
         "print(f['X86_V4'], f['X86_V3'])"], env=env, capture_output=True, text=True, check=True)
    v4, v3 = probe.stdout.split()  # numpy's AVX-512 and AVX2 dispatch levels
    assert v4 == "False" and (v3 == "False" or cpu == "no_avx512"), "switch ignored"
    subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "build_cohort.py"),
                    "--out", str(tmp_path), "--workers", "2"],
                   env=env, check=True, capture_output=True, text=True, timeout=900)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (SYNTHETIC_DIR / name).read_bytes(), name


def test_dates_module_constants_are_sane() -> None:
    win = study_window()
    assert win.study_start < win.study_end < win.last_followup
    assert isinstance(win.study_start, dt.date)


def test_fast_statistics_agree_with_reference_implementations() -> None:
    """The annealer's vectorised statistics (lungmets.synthetic.state.evaluate) are the ones
    the scorecard recomputes from the CSVs with lungmets.stats.survival_stats; checked on a short
    run."""
    from lungmets.stats.cox import cox_fit_statsmodels
    from lungmets.stats.survival_stats import logrank_fast, survival_at

    small = calibrate(7, iterations=300, chains=1)
    stats, p = small.calibration.stats, small.patients
    cut = value("t3_lesions_cutoff_all")
    groups = {"all": p.index == p.index, "sor_yes": p.sorafenib == 1, "sor_no": p.sorafenib == 0,
              "les_le3": p.n_lesions <= cut, "les_gt3": p.n_lesions > cut,
              "inactive": p.intrahepatic_active == 0, "active": p.intrahepatic_active == 1}
    for ep, col, ev in (("pfs", "pfs_months", "pfs_event"), ("os", "os_months", "os_event")):
        for g, mask in groups.items():
            key = f"{ep}_median_{g}"
            if key not in stats:
                continue
            ref = km_median_spss(p.loc[mask, col], p.loc[mask, ev])
            assert stats[key] == pytest.approx(ref.median, abs=1e-9), key
            assert stats[f"{ep}_se_{g}"] == pytest.approx(ref.se, rel=1e-9, nan_ok=True), key
        ref_p = logrank_fast(p[col], groups=p.sorafenib, events=p[ev]).p_value
        assert stats[f"{ep}_p_sorafenib"] == pytest.approx(ref_p, rel=1e-9)
    rt = (p.os_months - p.pdr_months).round(1)
    ref_rate = survival_at(rt[p.sorafenib == 1], p.os_event[p.sorafenib == 1], [12.0]).iloc[0]
    assert stats["osrt_rate12_sor_yes"] == pytest.approx(100 * ref_rate, abs=1e-9)
    design = pd.DataFrame({"lesions": (p.n_lesions > cut).astype(float),
                           "sorafenib": (p.sorafenib == 0).astype(float),
                           "t": p.pfs_months, "e": p.pfs_event})
    cox = cox_fit_statsmodels(design, "t", "e", ["lesions", "sorafenib"], ties="breslow")
    assert stats["pfs_mv_hr_lesions"] == pytest.approx(cox.hr["lesions"], rel=1e-6)
    assert stats["pfs_mv_p_sorafenib"] == pytest.approx(cox.p["sorafenib"], rel=1e-4)
