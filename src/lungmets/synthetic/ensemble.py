"""Many SYNTHETIC cohorts that fit the paper equally well, and what they disagree about.

Why this module exists: the paper prints aggregates (counts, medians, p-values), and many
patient-level datasets reproduce them. The book's canonical cohort is only one of them. Calling
the calibration with other seeds gives an *ensemble* of alternative cohorts under the same
constraints; any quantity the paper did not publish (a univariate hazard ratio, a test of
proportional hazards, a restricted mean survival time, the reverse Kaplan-Meier follow-up) then
has a spread across members, and that spread is how much the published numbers pin it down.

Each member is reduced to one row of numbers (:func:`summarise_member`), the rows are computed in
parallel processes (:func:`run_ensemble`) and cached as a small CSV with fixed formatting
(:func:`write_members`), so the same seeds give the same bytes and the book reads the cache
instead of recalibrating. The canonical cohort is the member whose seed was fixed in advance;
:func:`best_member_seed` says which member a selection by performance would have picked.

Limitation: the ensemble explores only what the calibration's seed changes (its random start and
proposal order); assumptions fixed in the calibration code are shared by every member, so the
spread shown is a lower bound on what the aggregates leave open.
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from lungmets.analyses.covariates import paper_model
from lungmets.analyses.prognostic import FACTORS, cox_design, factor_groups
from lungmets.data_errors import cell_location
from lungmets.paths import REPO_ROOT, SYNTHETIC_DIR
from lungmets.stats.ph_test import cox_zph
from lungmets.stats.stepwise import cox_newton
from lungmets.stats.survival_stats import km_median_spss, reverse_km_median_followup

__all__ = [
    "BEFORE_DIR",
    "CALIBRATION_SOURCES",
    "COHORT_CACHE",
    "ENSEMBLE_DIR",
    "FINAL_MODELS",
    "MEMBERS_CSV",
    "PLANNED_SEEDS",
    "QUANTITIES",
    "RMST_HORIZON_MONTHS",
    "CachedMember",
    "CohortLike",
    "MemberScore",
    "Quantity",
    "best_member_seed",
    "cached_calibrate",
    "cached_candidates",
    "calibration_fingerprint",
    "member_columns",
    "member_mismatches",
    "ph_p_cox_zph",
    "ph_p_lifelines",
    "read_members",
    "rescore_members",
    "run_ensemble",
    "score_member",
    "seeds_from",
    "summarise_member",
    "summary_table",
    "univariate_hazard_ratios",
    "write_members",
]

ENSEMBLE_DIR: Path = SYNTHETIC_DIR / "ensemble"
MEMBERS_CSV: Path = ENSEMBLE_DIR / "members.csv"
BEFORE_DIR: Path = ENSEMBLE_DIR / "before-exact-polish"
"""The ensemble as calibrated before the exact label polish (:mod:`lungmets.synthetic.polish`)
replaced the annealed one: kept, unchanged, so the chapter can show what the new stage did."""

PLANNED_SEEDS: str = "0-99"
"""Seeds of the planned ensemble besides the canonical one (``make ensemble`` runs them all)."""

RMST_HORIZON_MONTHS: float = 24.0
"""Restricted mean survival time horizon: the paper's last landmark (2-year rates)."""

FINAL_MODELS: dict[str, tuple[str, ...]] = {ep: tuple(paper_model(ep)) for ep in ("pfs", "os")}
"""Factors of the paper's final multivariable Cox models, per endpoint: those Table 1 prints a
multivariable HR for (:func:`lungmets.analyses.covariates.paper_model`)."""

_FLOAT_FORMAT = "%.6g"
_ENDPOINTS = ("pfs", "os")


class CohortLike(Protocol):
    """What the ensemble needs from a calibrated cohort: the patient table (``patients.csv``
    schema); ``validation`` (``validation.csv`` schema) is used when present."""

    patients: pd.DataFrame


@dataclass(frozen=True)
class MemberScore:
    """How well one member reproduces the paper: claims hit, claims scored, calibration loss."""

    hits: int
    claims: int
    loss: float


@dataclass(frozen=True)
class Quantity:
    """One column of the members table that the chapter plots: its label and unit."""

    column: str
    label: str
    unit: str


Calibrate = Callable[[int], CohortLike]
Score = Callable[[CohortLike], MemberScore]


# --------------------------------------------------------------------------- per-member summary


def _hr_columns(endpoint: str) -> list[str]:
    cols = []
    for key, spec in FACTORS.items():
        if spec.indicator is None:
            cols += [f"{endpoint}_uni_hr_{key}_{lvl.lower()}" for lvl in spec.levels[1:]]
        else:
            cols.append(f"{endpoint}_uni_hr_{key}")
    return cols


def univariate_hazard_ratios(patients: pd.DataFrame, endpoint: str) -> dict[str, float]:
    """Univariate Cox hazard ratio of every Table 1 factor (Breslow ties, as SPSS COXREG).

    The paper printed only log-rank p-values for the factors left out of its final models; the
    hazard ratios are what a reader would want next. Directions follow Table 1's indicators
    (e.g. ">3 lesions", "no sorafenib"); the three-level liver treatment gets one ratio per
    non-reference level against resection. A factor whose fit does not converge (all events in
    one group, monotone likelihood) gets nan rather than a meaningless huge ratio.
    """
    time = patients[f"{endpoint}_months"].to_numpy(float)
    event = patients[f"{endpoint}_event"].to_numpy(float)
    out: dict[str, float] = {}
    for key, spec in FACTORS.items():
        if spec.indicator is None:
            groups = factor_groups(patients, key)
            for lvl in spec.levels[1:]:
                x = (groups == lvl).to_numpy(float)[:, None]
                ref = (groups == spec.levels[0]).to_numpy()
                keep = ref | (x[:, 0] == 1)
                out[f"{endpoint}_uni_hr_{key}_{lvl.lower()}"] = _hr(time[keep], event[keep],
                                                                    x[keep])
        else:
            x = cox_design(patients, [key]).to_numpy(float)
            out[f"{endpoint}_uni_hr_{key}"] = _hr(time, event, x)
    return out


def _hr(time: np.ndarray, event: np.ndarray, x: np.ndarray) -> float:
    if x.std() == 0:
        return math.nan
    beta, _, _, converged = cox_newton(time, event, x)
    return float(np.exp(beta[0])) if converged and abs(beta[0]) < 10 else math.nan


def ph_p_lifelines(patients: pd.DataFrame, endpoint: str) -> dict[str, float]:
    """lifelines' ``proportional_hazard_test`` p (rank transform) per covariate of the final model.

    This is the pre-2019 approximation of R's ``cox.zph`` (diagonal variance, no global test,
    ranks of tied times by order), on a fit with lifelines' default tolerance: what the cached
    members hold. :func:`ph_p_cox_zph` is R's current test; moving the members to it means
    recomputing them (``make ensemble``), because a cached row must equal its cohort's summary.
    """
    from lifelines import CoxPHFitter
    from lifelines.statistics import proportional_hazard_test

    design = cox_design(patients, FINAL_MODELS[endpoint])
    data = pd.concat(
        [patients[[f"{endpoint}_months", f"{endpoint}_event"]].astype(float), design], axis=1
    )
    cph = CoxPHFitter().fit(data, duration_col=f"{endpoint}_months",
                            event_col=f"{endpoint}_event")
    table = proportional_hazard_test(cph, data, time_transform="rank").summary
    return {
        f"{endpoint}_ph_p_{key}": float(table.loc[col, "p"])
        for key, col in zip(FINAL_MODELS[endpoint], design.columns, strict=True)
    }


def ph_p_cox_zph(patients: pd.DataFrame, endpoint: str) -> dict[str, float]:
    """R's ``cox.zph`` p (score test, km transform, Efron ties) per covariate of the final model.

    Keyed like the members' ``_ph_p_`` columns (and :func:`ph_p_lifelines`), so the chapter can
    set R's test beside the approximation the cached members hold.
    """
    design = cox_design(patients, FINAL_MODELS[endpoint])
    table = cox_zph(patients[f"{endpoint}_months"], patients[f"{endpoint}_event"], design)
    return {
        f"{endpoint}_ph_p_{key}": float(table.loc[col, "p"])
        for key, col in zip(FINAL_MODELS[endpoint], design.columns, strict=True)
    }


def _rmst(patients: pd.DataFrame, endpoint: str) -> dict[str, float]:
    """RMST to the horizon by sorafenib group, and yes minus no (months gained by the drug)."""
    from lifelines import KaplanMeierFitter
    from lifelines.utils import restricted_mean_survival_time

    out = {}
    for label, flag in (("no", 0), ("yes", 1)):
        rows = patients["sorafenib"] == flag
        kmf = KaplanMeierFitter().fit(patients.loc[rows, f"{endpoint}_months"],
                                      patients.loc[rows, f"{endpoint}_event"])
        out[f"{endpoint}_rmst24_sorafenib_{label}"] = float(
            restricted_mean_survival_time(kmf, t=RMST_HORIZON_MONTHS)
        )
    out[f"{endpoint}_rmst24_diff"] = (out[f"{endpoint}_rmst24_sorafenib_yes"]
                                      - out[f"{endpoint}_rmst24_sorafenib_no"])
    return out


def _unpublished_medians(patients: pd.DataFrame) -> dict[str, float]:
    """KM medians the paper did not print: PFS by intrahepatic status, OS by lesion count."""
    out = {}
    for endpoint, factor, levels in (
        ("pfs", "intrahepatic", {"Active": "active", "Inactive": "inactive"}),
        ("os", "lesions", {"≤3": "le3", ">3": "gt3"}),
    ):
        groups = factor_groups(patients, factor)
        for level, key in levels.items():
            rows = (groups == level).to_numpy()
            out[f"{endpoint}_median_{factor}_{key}"] = km_median_spss(
                patients.loc[rows, f"{endpoint}_months"], patients.loc[rows, f"{endpoint}_event"]
            ).median
    return out


def _orr(patients: pd.DataFrame) -> dict[str, float]:
    """Objective response (CR + PR) percentage by sorafenib group; the paper gave none."""
    responded = patients["response"].isin(["CR", "PR"])
    return {
        f"orr_pct_sorafenib_{label}": float(100 * responded[patients["sorafenib"] == flag].mean())
        for label, flag in (("no", 0), ("yes", 1))
    }


def _validation_hrs(validation: pd.DataFrame) -> dict[str, float]:
    """OS hazard ratios of Rt and S against Co in the validation cohort (only p printed)."""
    time = validation["os_months"].to_numpy(float)
    event = validation["os_event"].to_numpy(float)
    out = {}
    for group in ("rt", "s"):
        keep = validation["group"].str.lower().isin([group, "co"]).to_numpy()
        x = (validation["group"].str.lower() == group).to_numpy(float)[keep][:, None]
        out[f"val_os_hr_{group}_vs_co"] = _hr(time[keep], event[keep], x)
    return out


def summarise_member(cohort: CohortLike, seed: int, score: MemberScore) -> dict[str, Any]:
    """One row of the members table: the score and every unpublished quantity of one cohort."""
    p = cohort.patients
    row: dict[str, Any] = {"seed": int(seed), "hits": int(score.hits),
                           "claims": int(score.claims), "loss": float(score.loss)}
    for endpoint in _ENDPOINTS:
        row.update(univariate_hazard_ratios(p, endpoint))
        row.update(ph_p_lifelines(p, endpoint))
        row.update(_rmst(p, endpoint))
    row.update(_unpublished_medians(p))
    row.update(_orr(p))
    row["os_followup_reverse_km"] = reverse_km_median_followup(p["os_months"], p["os_event"])
    alive = p["os_event"] == 0
    row["os_followup_median_alive"] = float(p.loc[alive, "os_months"].median())
    validation = getattr(cohort, "validation", None)
    if validation is not None:
        row.update(_validation_hrs(validation))
    return row


def member_columns(with_validation: bool = True) -> list[str]:
    """The members table's columns, in file order (a fixed order keeps the bytes stable)."""
    cols = ["seed", "hits", "claims", "loss"]
    for endpoint in _ENDPOINTS:
        cols += _hr_columns(endpoint)
        cols += [f"{endpoint}_ph_p_{key}" for key in FINAL_MODELS[endpoint]]
        cols += [f"{endpoint}_rmst24_sorafenib_no", f"{endpoint}_rmst24_sorafenib_yes",
                 f"{endpoint}_rmst24_diff"]
    cols += ["pfs_median_intrahepatic_active", "pfs_median_intrahepatic_inactive",
             "os_median_lesions_le3", "os_median_lesions_gt3",
             "orr_pct_sorafenib_no", "orr_pct_sorafenib_yes",
             "os_followup_reverse_km", "os_followup_median_alive"]
    if with_validation:
        cols += ["val_os_hr_rt_vs_co", "val_os_hr_s_vs_co"]
    return cols


QUANTITIES: dict[str, Quantity] = {
    q.column: q
    for q in [
        Quantity("pfs_uni_hr_sorafenib", "PFS: univariate HR, no sorafenib vs sorafenib", "HR"),
        Quantity("os_uni_hr_sorafenib", "OS: univariate HR, no sorafenib vs sorafenib", "HR"),
        Quantity("pfs_uni_hr_intrahepatic", "PFS: univariate HR, active vs inactive liver tumour",
                 "HR"),
        Quantity("os_uni_hr_lesions", "OS: univariate HR, >3 vs ≤3 lung lesions", "HR"),
        Quantity("os_uni_hr_othermets", "OS: univariate HR, other metastases yes vs no", "HR"),
        Quantity("pfs_ph_p_sorafenib", "PFS model: proportional-hazards test p, sorafenib", "p"),
        Quantity("os_ph_p_sorafenib", "OS model: proportional-hazards test p, sorafenib", "p"),
        Quantity("pfs_rmst24_diff", "PFS: 24-month RMST, sorafenib minus HT only", "months"),
        Quantity("os_rmst24_diff", "OS: 24-month RMST, sorafenib minus HT only", "months"),
        Quantity("os_median_lesions_gt3", "OS: KM median with >3 lung lesions", "months"),
        Quantity("pfs_median_intrahepatic_active", "PFS: KM median with an active liver tumour",
                 "months"),
        Quantity("orr_pct_sorafenib_yes", "Objective response with sorafenib", "%"),
        Quantity("os_followup_reverse_km", "Median follow-up, reverse Kaplan-Meier", "months"),
        Quantity("val_os_hr_rt_vs_co", "Validation OS: HR, Rt vs Co", "HR"),
    ]
}
"""The unpublished quantities the ensemble chapter shows (a subset of the cached columns)."""


# --------------------------------------------------------------------------- running and caching


COHORT_CACHE: Path = Path(tempfile.gettempdir()) / "lungmets-ensemble-cohorts"
"""Where each member's four CSVs are kept between runs, one folder per calibration fingerprint
(not committed: about 30 kB a member)."""


@dataclass(frozen=True)
class CachedMember:
    """A member read back from its CSVs (``cohort``, a
    :class:`lungmets.synthetic.reconstruct.Cohort`), with the loss its calibration reached."""

    patients: pd.DataFrame
    validation: pd.DataFrame
    cohort: Any
    loss: float


CALIBRATION_SOURCES: tuple[str, ...] = (
    "src/lungmets/synthetic/calibrate.py", "src/lungmets/synthetic/targets.py",
    "src/lungmets/synthetic/state.py", "src/lungmets/synthetic/loss.py",
    "src/lungmets/synthetic/moves.py", "src/lungmets/synthetic/polish.py",
    "src/lungmets/stats/fast_stats.py",
    "src/lungmets/analyses/covariates.py", "src/lungmets/synthetic/reconstruct.py",
    "data/published/claims.csv",
)
"""Files that decide what a seed calibrates to (paths from the repository root)."""


def calibration_fingerprint() -> str:
    """SHA-256 over :data:`CALIBRATION_SOURCES`: cached members are kept per fingerprint, so a
    change to the calibration can never be mixed with members calibrated before it."""
    digest = hashlib.sha256()
    for name in CALIBRATION_SOURCES:
        digest.update(name.encode())
        digest.update((REPO_ROOT / name).read_bytes())
    return digest.hexdigest()


def cached_calibrate(seed: int, calibrate: Calibrate, root: Path = COHORT_CACHE) -> CachedMember:
    """``calibrate(seed)`` once: the member is written with the reconstruction's own writer and
    read back, so every member (and the committed canonical cohort) is summarised from the
    same rounded CSVs; a rerun reads the files instead of recalibrating (minutes per member).
    ``root`` should name the calibration's version (see :func:`calibration_fingerprint`).
    The calibration loss, which the CSVs do not hold, is kept beside them in ``loss.txt``, and
    the calibration's own wall time in ``seconds.txt`` (for the benchmark)."""
    from lungmets.synthetic.reconstruct import load_cohort, write_cohort

    directory = root / f"seed-{int(seed)}"
    loss_file = directory / "loss.txt"
    if not loss_file.exists():
        started = time.perf_counter()
        cohort = calibrate(int(seed))
        seconds = time.perf_counter() - started
        tmp = root / f".seed-{int(seed)}.tmp{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(directory, ignore_errors=True)  # a half-written member from a killed run
        write_cohort(cohort, tmp)
        calibration = getattr(cohort, "calibration", None)
        loss = getattr(calibration, "loss", math.nan)
        (tmp / "loss.txt").write_text(f"{float(loss)!r}\n", encoding="utf-8")
        (tmp / "seconds.txt").write_text(f"{seconds:.1f}\n", encoding="utf-8")
        tmp.replace(directory)
    loaded = load_cohort(directory)
    return CachedMember(loaded.patients, loaded.validation, loaded,
                        float(loss_file.read_text(encoding="utf-8")))


def score_member(member: CachedMember) -> MemberScore:
    """Claims hit by one member, judged by the book's own scorecard, and its calibration loss."""
    from lungmets.synthetic.scorecard import scorecard

    card = scorecard(member.cohort)
    return MemberScore(int(card["hit"].sum()), len(card), float(member.loss))


def _run_member(seed: int, calibrate: Calibrate, score: Score) -> dict[str, Any]:
    cohort = calibrate(seed)
    return summarise_member(cohort, seed, score(cohort))


def run_ensemble(
    seeds: Iterable[int],
    calibrate: Calibrate,
    score: Score,
    workers: int = 2,
    on_member: Callable[[dict[str, Any]], None] | None = None,
) -> pd.DataFrame:
    """Calibrate one cohort per seed and summarise each; rows sorted by seed.

    ``calibrate`` and ``score`` are parameters (module-level functions, so worker processes can
    pickle them) so that tests can pass a cheap stand-in. ``workers=1`` runs in this process.
    ``on_member`` is called with each row as it finishes (completion order; e.g. to update a
    partial cache); the returned table is sorted by seed whatever the order.
    """
    todo = list(dict.fromkeys(int(s) for s in seeds))  # given order: first listed, first run
    job = partial(_run_member, calibrate=calibrate, score=score)
    rows: list[dict[str, Any]] = []

    def collect(row: dict[str, Any]) -> None:
        rows.append(row)
        if on_member is not None:
            on_member(row)

    if workers == 1:
        for seed in todo:
            collect(job(seed))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(job, seed) for seed in todo]
            try:
                for future in as_completed(futures):
                    collect(future.result())
            except BaseException:
                # Without this the pool's exit waits for every queued seed (hours) before the
                # error is seen; members already collected were passed to on_member.
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    if not rows:
        return pd.DataFrame(columns=member_columns())
    return _tidy(pd.DataFrame(rows))


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    with_validation = "val_os_hr_rt_vs_co" in frame.columns
    cols = member_columns(with_validation)
    missing = [c for c in cols if c not in frame.columns]
    extra = [c for c in frame.columns if c not in cols]
    if missing or extra:
        raise ValueError(f"members table: missing columns {missing}, unexpected {extra}")
    out = frame[cols].sort_values("seed", kind="stable").reset_index(drop=True)
    for c in ("seed", "hits", "claims"):
        out[c] = out[c].astype(int)
    return out


def write_members(frame: pd.DataFrame, path: Path = MEMBERS_CSV) -> None:
    """Write the members table with fixed float formatting: same rows, same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = _tidy(frame).to_csv(index=False, float_format=_FLOAT_FORMAT, lineterminator="\n",
                               na_rep="nan")
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def read_members(path: Path = MEMBERS_CSV) -> pd.DataFrame:
    """The cached members table, checked: expected columns, one row per seed, integer scores."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: no ensemble cache; run scripts/build_ensemble.py")
    frame = pd.read_csv(path, na_values=["nan"], keep_default_na=False)
    expected = member_columns("val_os_hr_rt_vs_co" in frame.columns)
    if list(frame.columns) != expected:
        raise ValueError(f"{path}: columns {list(frame.columns)} differ from {expected}")
    dup = frame["seed"].duplicated().to_numpy()
    if dup.any():
        row = int(np.flatnonzero(dup)[0])
        raise ValueError(f"{cell_location(path, row + 2, 'seed')}: seed "
                         f"{frame['seed'].iloc[row]} appears twice")
    for column in ("hits", "claims"):
        bad = (frame[column] < 0) | (frame[column] > frame["claims"])
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(f"{cell_location(path, row + 2, column)}: "
                             f"{frame[column].iloc[row]} is not a valid count")
    return frame


def best_member_seed(members: pd.DataFrame) -> int:
    """The member a selection by performance would pick: most claims hit, then lowest
    calibration loss, then lowest seed.

    The book's canonical cohort is *not* chosen this way: its seed
    (:data:`lungmets.synthetic.reconstruct.CANONICAL_SEED`) was fixed before any member was
    calibrated, so it is a typical draw rather than the best of many, and the ensemble chapter
    reports where it ranks. This rule is stated so that the two can be compared.
    """
    for column in ("seed", "hits", "loss"):
        if column not in members.columns:
            raise KeyError(f"members table: column {column!r} is missing")
    ranked = members.sort_values(["hits", "loss", "seed"], ascending=[False, True, True],
                                 kind="stable", na_position="last")
    return int(ranked["seed"].iloc[0])


def member_mismatches(members: pd.DataFrame, seed: int, cohort: Any) -> list[str]:
    """Columns where ``cohort`` (a :class:`lungmets.synthetic.reconstruct.Cohort` read from its
    CSVs) differs from the cached member of ``seed``: empty when the cohort *is* that member.

    Compared at the cache's precision (six significant digits); nan equals nan; the loss is not
    compared, because the CSVs do not hold it. Raises KeyError if the seed is not a member.
    """
    if not (members["seed"] == seed).any():
        raise KeyError(f"members table: seed {seed} is not a member")
    member = CachedMember(cohort.patients, cohort.validation, cohort, math.nan)
    fresh = summarise_member(member, seed, score_member(member))
    cached = members.loc[members["seed"] == seed].iloc[0]
    out = [c for c in ("hits", "claims") if int(cached[c]) != int(fresh[c])]
    return out + _quantity_mismatches(cached, fresh, "val_os_hr_rt_vs_co" in members.columns)


def _quantity_mismatches(cached: Mapping[str, Any], fresh: Mapping[str, Any],
                         with_validation: bool) -> list[str]:
    """Unpublished quantities that differ at the cache's precision (nan equals nan)."""
    return [column for column in member_columns(with_validation)[4:]
            if not _same_at_cache_precision(float(cached[column]), float(fresh[column]))]


def _same_at_cache_precision(cached: float, fresh: float) -> bool:
    """Six significant digits, as members.csv keeps them; nan equals nan."""
    return (math.isnan(cached) and math.isnan(fresh)) or (
        math.isfinite(cached) and math.isfinite(fresh)
        and abs(cached - fresh) <= 1e-5 * max(abs(fresh), 1e-4))


def cached_candidates(seed: int, root: Path = COHORT_CACHE) -> Iterator[CachedMember]:
    """Every cached copy of a seed's cohort, across calibration versions (``root/*/seed-N``)."""
    from lungmets.synthetic.reconstruct import load_cohort

    for directory in sorted(root.glob(f"*/seed-{int(seed)}")):
        loss_file = directory / "loss.txt"
        if loss_file.exists():
            loaded = load_cohort(directory)
            yield CachedMember(loaded.patients, loaded.validation, loaded,
                               float(loss_file.read_text(encoding="utf-8")))


def rescore_members(
    members: pd.DataFrame,
    candidates: Callable[[int], Iterable[CachedMember]] = cached_candidates,
    score: Score = score_member,
) -> pd.DataFrame:
    """The members table with ``hits`` and ``claims`` recomputed by today's scorecard.

    Why: claims can be added to the scorecard without any cohort changing, and recalibrating
    every member for that takes hours. A cached cohort stands for a member only if it is that
    member: same loss and every unpublished quantity equal to the committed row. A seed
    without such a copy raises ValueError (recalibrate it with ``make ensemble``).
    """
    with_validation = "val_os_hr_rt_vs_co" in members.columns
    rows = []
    for _, cached in members.iterrows():
        seed = int(cached["seed"])
        for member in candidates(seed):
            if not _same_at_cache_precision(float(cached["loss"]), member.loss):
                continue
            fresh = summarise_member(member, seed, score(member))
            if not _quantity_mismatches(cached, fresh, with_validation):
                rows.append(fresh)
                break
        else:
            raise ValueError(f"members table: no cached cohort of seed {seed} reproduces its "
                             "row; recalibrate it (make ensemble)")
    return _tidy(pd.DataFrame(rows))


def summary_table(members: pd.DataFrame, quantities: Mapping[str, Quantity] = QUANTITIES,
                  canonical: int | None = None) -> pd.DataFrame:
    """Per quantity: members with a value, median, 2.5th and 97.5th percentiles, and the
    canonical member's value with its percentile rank among members."""
    rows = []
    for column, q in quantities.items():
        if column not in members.columns:
            continue
        x = members[column].astype(float)
        ok = x.dropna()
        row = {"quantity": q.label, "unit": q.unit, "members": len(ok),
               "median": ok.median(), "p2.5": ok.quantile(0.025), "p97.5": ok.quantile(0.975)}
        if canonical is not None:
            v = float(x[members["seed"] == canonical].iloc[0])
            row["canonical"] = v
            row["canonical_percentile"] = (float(100 * (ok < v).mean() + 50 * (ok == v).mean())
                                           if math.isfinite(v) else math.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def seeds_from(text: str) -> Sequence[int]:
    """Parse '0-99' or '1,5,9' (command lines and Makefile variables)."""
    seeds: list[int] = []
    for part in text.split(","):
        if "-" in part:
            lo, hi = (int(v) for v in part.split("-"))
            seeds += range(lo, hi + 1)
        elif part.strip():
            seeds.append(int(part))
    return seeds
