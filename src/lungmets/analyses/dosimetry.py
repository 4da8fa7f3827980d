"""Dose and fractionation: what the paper's prescription means biologically, and what it says.

Why this module exists: the paper prescribes one total dose "in 5 or 10 fractions" and limits
lung V20, but publishes no patient-level dosimetry and no dose-volume data. What a reader *can*
do is translate the published prescriptions into biologically comparable doses with the
linear-quadratic (LQ) model, see how the two schedules differ for tumour and lung, check the
paper's dose-volume statements against each other, and be told plainly which parts of the
SYNTHETIC cohort (the ``fractions`` column) are assumptions of the reconstruction.

The LQ model (Fowler JF. The linear-quadratic formula and progress in fractionated
radiotherapy. Br J Radiol 1989;62:679-694): ``n`` fractions of ``d`` Gy have a biologically
effective dose BED = n·d·(1 + d/(alpha/beta)) and an equivalent dose in 2-Gy fractions
EQD2 = BED / (1 + 2/(alpha/beta)). The alpha/beta values are textbook assumptions, not from
the paper: 10 Gy for tumour (early-responding), 3 Gy for late-responding lung.

Literature benchmarks (assumptions, not from the paper): BED10 ≥ 100 Gy for local control after
stereotactic lung radiotherapy (Onishi H, et al. Cancer 2004;101:1623-1631); V20 as a predictor
of pneumonitis comes from conventionally fractionated treatment (Graham MV, et al. Int J Radiat
Oncol Biol Phys 1999;45:323-329; Marks LB, et al. QUANTEC lung, Int J Radiat Oncol Biol Phys
2010;76(3 Suppl):S70-S76).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from lungmets.claims import claim
from lungmets.critique.audit import run_audit
from lungmets.critique.checks import Check
from lungmets.synthetic.reconstruct import Cohort

__all__ = [
    "AB",
    "ALPHA_BETA_LUNG",
    "ALPHA_BETA_TUMOUR",
    "BED10_BENCHMARK_GY",
    "COMPARATOR_DOSE_PER_FRACTION_GY",
    "ENVELOPE_ISODOSE20_TO_PTV",
    "ENVELOPE_LUNG_VOLUME_CM3",
    "REFERENCE_DOSE_PER_FRACTION_GY",
    "TOY_DVH_SCALE_GY",
    "TOY_DVH_SHAPE",
    "V20_CHECK_ID",
    "Schedule",
    "bed",
    "compare_dosimetry",
    "coverage_levels",
    "dose_statements",
    "envelope_v20",
    "eqd2",
    "equal_bed_alpha_beta",
    "fractions_by_lesions",
    "inferred_fraction_rule",
    "plot_bed_vs_alpha_beta",
    "plot_toy_dvh",
    "radiobiology_table",
    "schedules",
    "total_dose_for_bed",
    "toy_dvh",
    "toy_v",
    "v20_check",
]

#: alpha/beta of tumour (Gy): the textbook value for early-responding tissue and most carcinomas.
ALPHA_BETA_TUMOUR: float = 10.0
#: alpha/beta of late-responding lung (Gy): the textbook value used for pneumonitis and fibrosis.
ALPHA_BETA_LUNG: float = 3.0
#: EQD2 is expressed in this dose per fraction (Gy), by definition.
REFERENCE_DOSE_PER_FRACTION_GY: float = 2.0
#: BED10 often cited for local control after lung SBRT (Onishi 2004): literature, not the paper.
BED10_BENCHMARK_GY: float = 100.0
#: The earlier 3D-CRT series is printed as "≤ 60 Gy" without its fractions: we assume
#: conventional 2-Gy fractions (an assumption, stated wherever it is used).
COMPARATOR_DOSE_PER_FRACTION_GY: float = 2.0
#: The illustrative (toy) lung DVH V(D) = 100·exp(-(D/scale)^shape) %: NOT patient data.
TOY_DVH_SCALE_GY: float = 12.0
TOY_DVH_SHAPE: float = 1.2
#: Back-of-envelope V20 (exercise only; rough assumptions, not from the paper): a typical adult
#: lung volume on a planning CT (cm3) and the volume inside the 20-Gy isodose per PTV volume.
ENVELOPE_LUNG_VOLUME_CM3: float = 4000.0
ENVELOPE_ISODOSE20_TO_PTV: float = 5.0
#: alpha/beta as printed on figures and tables, and the multiplication sign.
AB = "\u03b1/\u03b2"
_X = " \u00d7 "
#: The audit check that compares Figure 5's caption with the discussion and methods.
V20_CHECK_ID = "v20_caption_vs_text"


def _check_positive(**values: float) -> None:
    for name, v in values.items():
        if not (isinstance(v, (int, float, np.number)) and v > 0 and math.isfinite(v)):
            raise ValueError(f"{name} must be a positive finite number, got {v!r}")


def bed(total_dose: float, n_fractions: float, alpha_beta: float) -> float:
    """Biologically effective dose, BED = n·d·(1 + d/(alpha/beta)) with d = total/n (Gy)."""
    _check_positive(total_dose=total_dose, n_fractions=n_fractions, alpha_beta=alpha_beta)
    d = total_dose / n_fractions
    return total_dose * (1.0 + d / alpha_beta)


def eqd2(total_dose: float, n_fractions: float, alpha_beta: float) -> float:
    """Equivalent dose in 2-Gy fractions, BED / (1 + 2/(alpha/beta)): the total at d = 2 Gy."""
    return bed(total_dose, n_fractions, alpha_beta) / (
        1.0 + REFERENCE_DOSE_PER_FRACTION_GY / alpha_beta
    )


def total_dose_for_bed(target_bed: float, n_fractions: float, alpha_beta: float) -> float:
    """The total dose in ``n_fractions`` that reaches ``target_bed``.

    Solves n·d²/(alpha/beta) + n·d - BED = 0 for the positive root d, and returns n·d.
    """
    _check_positive(target_bed=target_bed, n_fractions=n_fractions, alpha_beta=alpha_beta)
    d = alpha_beta / 2.0 * (math.sqrt(1.0 + 4.0 * target_bed / (n_fractions * alpha_beta)) - 1.0)
    return n_fractions * d


def envelope_v20(
    n_lesions: int,
    diameter_cm: float,
    margin_cm: float,
    isodose_to_ptv: float = ENVELOPE_ISODOSE20_TO_PTV,
    lung_cm3: float = ENVELOPE_LUNG_VOLUME_CM3,
) -> float:
    """A rough V20 (%) for ``n_lesions`` spherical PTVs, for the exercise: not a dose model.

    Each PTV is a sphere of diameter ``diameter_cm + 2·margin_cm``; the 20-Gy isodose encloses
    ``isodose_to_ptv`` times the PTV volume, the isodose clouds do not overlap, and the tumours
    themselves are counted as lung (they are small against it).
    """
    _check_positive(n_lesions=n_lesions, diameter_cm=diameter_cm, isodose_to_ptv=isodose_to_ptv,
                    lung_cm3=lung_cm3)
    if margin_cm < 0:
        raise ValueError(f"margin_cm must not be negative, got {margin_cm!r}")
    ptv = math.pi / 6.0 * (diameter_cm + 2.0 * margin_cm) ** 3
    return 100.0 * n_lesions * ptv * isodose_to_ptv / lung_cm3


@dataclass(frozen=True)
class Schedule:
    """A prescription: total dose in a number of fractions, and where it comes from."""

    name: str
    total_gy: float
    fractions: int
    source: str

    @property
    def dose_per_fraction(self) -> float:
        return self.total_gy / self.fractions


def equal_bed_alpha_beta(a: Schedule, b: Schedule) -> float:
    """The alpha/beta at which two schedules have equal BED (NaN if they never cross).

    T_a (1 + d_a/x) = T_b (1 + d_b/x)  gives  x = (T_a d_a - T_b d_b) / (T_b - T_a).
    """
    if a.total_gy == b.total_gy:
        return math.nan
    x = (a.total_gy * a.dose_per_fraction - b.total_gy * b.dose_per_fraction) / (
        b.total_gy - a.total_gy
    )
    return x if x > 0 else math.nan


def schedules() -> list[Schedule]:
    """The paper's two schedules, and the introduction's 3D-CRT comparator (2-Gy assumption).

    Total dose and fraction counts from the claims catalogue (``met_dose_total_gy``,
    ``met_fractions_min``, ``met_fractions_max``, ``intro_dose_max_gy_previous_study``).
    """
    total = claim("met_dose_total_gy").number
    out = [
        Schedule(f"HT {claim(cid).value} fractions", float(total), int(claim(cid).number),
                 f"met_dose_total_gy, {cid}")
        for cid in ("met_fractions_min", "met_fractions_max")
    ]
    comparator = claim("intro_dose_max_gy_previous_study").number
    n_comp = round(comparator / COMPARATOR_DOSE_PER_FRACTION_GY)
    out.append(Schedule(f"3D-CRT (earlier series), at most {comparator:g} Gy", float(comparator),
                        n_comp, "intro_dose_max_gy_previous_study; fractions assumed"))
    return out


def coverage_levels() -> dict[str, float]:
    """Dose levels relative to the prescription that the methods name (fraction of prescription).

    PTV minimum and maximum coverage (``met_ptv_dose_min_pct``/``_max_pct``) and the hot-spot
    limit none of the PTVs reached (``met_ptv_hotspot_pct``).
    """
    return {
        "PTV minimum": claim("met_ptv_dose_min_pct").number / 100.0,
        "prescription": 1.0,
        "PTV maximum": claim("met_ptv_dose_max_pct").number / 100.0,
        "hot-spot limit": claim("met_ptv_hotspot_pct").number / 100.0,
    }


def radiobiology_table(
    plans: Sequence[Schedule] | None = None,
    alpha_betas: dict[str, float] | None = None,
    scale: float = 1.0,
) -> pd.DataFrame:
    """Per-fraction dose, BED and EQD2 per schedule and tissue, at ``scale`` x the prescription.

    ``alpha_betas`` maps a tissue label to its alpha/beta (default tumour 10 Gy, lung 3 Gy);
    columns ``BED (<alpha/beta>, <tissue>)`` and ``EQD2 (...)`` are in Gy.
    """
    plans = list(plans) if plans is not None else schedules()
    alpha_betas = alpha_betas or {"tumour": ALPHA_BETA_TUMOUR, "lung": ALPHA_BETA_LUNG}
    _check_positive(scale=scale)
    rows = []
    for s in plans:
        total = s.total_gy * scale
        row: dict[str, object] = {
            "schedule": s.name, "fractions": s.fractions, "total dose (Gy)": total,
            "dose per fraction (Gy)": total / s.fractions,
        }
        for tissue, ab in alpha_betas.items():
            row[f"BED ({AB} {ab:g}, {tissue})"] = bed(total, s.fractions, ab)
            row[f"EQD2 ({AB} {ab:g}, {tissue})"] = eqd2(total, s.fractions, ab)
        rows.append(row)
    return pd.DataFrame(rows)


def plot_bed_vs_alpha_beta(
    plans: Sequence[Schedule] | None = None,
    ax: Axes | None = None,
    alpha_betas: Iterable[float] | None = None,
    benchmark: float | None = BED10_BENCHMARK_GY,
) -> Axes:
    """BED of each schedule as alpha/beta varies, with the two textbook alpha/beta values marked."""
    plans = list(plans) if plans is not None else schedules()
    grid = np.asarray(list(alpha_betas) if alpha_betas is not None
                      else np.linspace(1.0, 20.0, 200))
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 4.5), layout="constrained")
    styles = ["-", "--", ":"]
    marks = (ALPHA_BETA_LUNG, ALPHA_BETA_TUMOUR)
    for i, s in enumerate(plans):
        (line,) = ax.plot(grid, [bed(s.total_gy, s.fractions, ab) for ab in grid],
                          styles[i % len(styles)], lw=2,
                          label=f"{s.name} ({s.dose_per_fraction:g} Gy{_X}{s.fractions})")
        ax.plot(marks, [bed(s.total_gy, s.fractions, ab) for ab in marks], "o",
                color=line.get_color(), ms=5)
    for ab, what in ((ALPHA_BETA_LUNG, "lung"), (ALPHA_BETA_TUMOUR, "tumour")):
        ax.axvline(ab, color="0.6", lw=0.8)
        ax.annotate(f"{AB} = {ab:g} Gy\n({what}, assumed)", (ab, ax.get_ylim()[1]),
                    xytext=(3, -4), textcoords="offset points", va="top", fontsize=8,
                    color="0.35")
    if benchmark is not None:
        ax.axhline(benchmark, color="firebrick", lw=0.9, ls="-.")
        ax.annotate(f"BED {benchmark:g} Gy (SBRT literature benchmark, {AB} = "
                    f"{ALPHA_BETA_TUMOUR:g})", (grid.max(), benchmark), xytext=(-4, 4),
                    textcoords="offset points", ha="right", fontsize=8, color="firebrick")
    ax.set_xlabel(f"{AB} (Gy)")
    ax.set_ylabel("BED (Gy)")
    ax.set_xlim(grid.min(), grid.max())
    ax.legend(frameon=False, fontsize=8, loc="upper right", bbox_to_anchor=(1.0, 0.88))
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def toy_dvh(dose: float | np.ndarray, scale: float = TOY_DVH_SCALE_GY,
            shape: float = TOY_DVH_SHAPE) -> np.ndarray:
    """An ILLUSTRATIVE cumulative lung DVH: % of lung receiving ≥ dose, 100·exp(-(D/scale)^shape).

    A smooth stand-in with a large low-dose volume and a small high-dose tail, the pattern the
    paper describes for helical tomotherapy; it is not derived from any patient.
    """
    _check_positive(scale=scale, shape=shape)
    d = np.clip(np.asarray(dose, dtype=float), 0.0, None)
    return 100.0 * np.exp(-((d / scale) ** shape))


def toy_v(dose: float, scale: float = TOY_DVH_SCALE_GY, shape: float = TOY_DVH_SHAPE) -> float:
    """V_dose of the toy DVH (%): the reading a planner makes at ``dose`` Gy."""
    return float(toy_dvh(dose, scale, shape))


def plot_toy_dvh(
    ax: Axes | None = None,
    v_dose: float | None = None,
    limit_pct: float | None = None,
    scale: float = TOY_DVH_SCALE_GY,
    shape: float = TOY_DVH_SHAPE,
    max_dose: float | None = None,
) -> Axes:
    """The toy DVH with the V20 reading drawn (defaults from the claims catalogue)."""
    v_dose = claim("met_lung_v20_dose_gy").number if v_dose is None else v_dose
    limit_pct = claim("met_lung_v20_limit_pct").number if limit_pct is None else limit_pct
    max_dose = claim("met_dose_total_gy").number if max_dose is None else max_dose
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 4.2), layout="constrained")
    d = np.linspace(0.0, max_dose, 400)
    ax.plot(d, toy_dvh(d, scale, shape), color="tab:blue", lw=2,
            label="illustrative lung DVH (toy function, not patient data)")
    v = toy_v(v_dose, scale, shape)
    ax.plot([v_dose, v_dose], [0, v], color="0.3", ls="--", lw=1)
    ax.plot([0, v_dose], [v, v], color="0.3", ls="--", lw=1)
    ax.plot([v_dose], [v], "o", color="tab:blue")
    ax.annotate(f"V{v_dose:g} = {v:.1f}% of lung gets ≥ {v_dose:g} Gy", (v_dose, v),
                xytext=(8, 8), textcoords="offset points", fontsize=9)
    ax.axhline(limit_pct, color="firebrick", lw=0.9, ls="-.")
    ax.annotate(f"limit: V{v_dose:g} ≤ {limit_pct:g}% (methods)", (max_dose, limit_pct),
                xytext=(-4, 4), textcoords="offset points", ha="right", fontsize=8,
                color="firebrick")
    ax.set_title("Illustrative toy DVH: not patient data", fontsize=10, loc="left")
    ax.set_xlim(0, max_dose)
    ax.set_ylim(0, 100)
    ax.set_xlabel("Dose D (Gy)")
    ax.set_ylabel("Lung volume receiving ≥ D (%)")
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def v20_check() -> Check:
    """The audit's check of Figure 5's caption against the discussion and the methods."""
    return next(c for c in run_audit() if c.id == V20_CHECK_ID)


def dose_statements(ids: Sequence[str] | None = None) -> pd.DataFrame:
    """The paper's dosimetry claims as printed: id, what it is in words, where, value, unit and
    the quote (pages show all but the id)."""
    ids = ids if ids is not None else (
        "met_dose_total_gy", "met_fractions_min", "met_fractions_max", "met_ptv_dose_min_pct",
        "met_ptv_dose_max_pct", "met_ptv_hotspot_pct", "met_lung_v20_dose_gy",
        "met_lung_v20_limit_pct", "disc_dose_total_gy", "disc_lung_v20_limit_pct",
        "fig_lung_v20_pct_lesions_ge7", "fig_lung_v30_pct_lesions_ge7",
        "disc_lung_v20_pct_lesions_ge7", "disc_lung_v30_pct_lesions_ge7",
        "disc_lung_tolerance_lesions_cutoff", "intro_dose_max_gy_previous_study",
    )
    rows = []
    for cid in ids:
        c = claim(cid)
        rows.append({"claim": cid, "statement": c.label, "source": c.source,
                     "printed": f"{c.value} {c.unit}".strip(), "quote": c.quote})
    return pd.DataFrame(rows)


def fractions_by_lesions(patients: pd.DataFrame) -> pd.DataFrame:
    """Cross-tab of number of lung lesions (rows) by fractions (columns), with totals."""
    for col in ("n_lesions", "fractions"):
        if col not in patients.columns:
            raise KeyError(f"patients: column {col!r} is missing")
    return pd.crosstab(patients["n_lesions"], patients["fractions"], margins=True,
                       margins_name="total").rename_axis(index="lung lesions",
                                                         columns="fractions")


def inferred_fraction_rule(patients: pd.DataFrame) -> dict[str, int]:
    """Recover the reconstruction's fractionation rule from the data, without typing it.

    Returns the smallest lesion count ``k`` from which every patient has the larger fraction
    count, how many patients with fewer lesions still have it, and how many of those have the
    highest ECOG status the methods allow (``met_ecog_max``). The data dictionary states the
    rule it should recover.
    """
    many = int(claim("met_fractions_max").number)
    ecog_max = int(claim("met_ecog_max").number)
    counts = sorted(patients["n_lesions"].unique())
    k = next(x for x in counts
             if (patients.loc[patients["n_lesions"] >= x, "fractions"] == many).all())
    below = patients[(patients["n_lesions"] < k) & (patients["fractions"] == many)]
    return {
        "lesion_threshold": int(k),
        "n_many_below_threshold": len(below),
        "n_many_below_threshold_ecog_max": int((below["ecog"] == ecog_max).sum()),
        "n_ecog_max": int((patients["ecog"] == ecog_max).sum()),
        "n_few_fractions": int((patients["fractions"] != many).sum()),
        "n_many_fractions": int((patients["fractions"] == many).sum()),
    }


def claim_computers() -> dict[str, Callable[[Cohort], float]]:
    """Claim id -> how the synthetic cohort reproduces it (shared with the scorecard): the
    range of fraction counts, the only dosimetry the cohort carries."""
    return {
        "met_fractions_min": lambda c: float(c.patients["fractions"].min()),
        "met_fractions_max": lambda c: float(c.patients["fractions"].max()),
    }


def compare_dosimetry(cohort: Cohort) -> pd.DataFrame:
    """The dosimetry claims the synthetic cohort can speak to: the range of fraction counts.

    Columns ``claim``, ``published``, ``reproduced`` (at printed precision) and ``hit``. No
    other dosimetry claim can be reproduced: the paper published no patient dosimetry, and
    the synthetic cohort carries only the fraction count.
    """
    rows = []
    for cid, compute in claim_computers().items():
        value = compute(cohort)
        c = claim(cid)
        rows.append({"claim": cid, "published": c.value,
                     "reproduced": f"{float(value):.{c.decimals}f}",
                     "hit": bool(c.matches(float(value)))})
    return pd.DataFrame(rows)
