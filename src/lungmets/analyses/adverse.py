"""Adverse events (Table 2): which toxicity, in which arm, counted how, and how sure.

Why this module exists: the paper compares toxicity between the arms with one table of counts
(Table 2) and no test, no denominator and no interval. A reader needs the counts as shares of
each arm, an exact test and a risk difference with an interval for every event, and a clear
statement of what a count counts: *patients* with at least one event, or *event records* (one
patient can have several). Table 2's "Total (n)" row mixes the two (contradiction C2,
:func:`lungmets.synthetic.reconstruct.contradictions`; audit checks ``t2_*`` in
:mod:`lungmets.critique.counts`).

The claim computers (:func:`claim_computers`) are the single definition used by both the
chapter and :mod:`lungmets.synthetic.scorecard`: a Table 2 cell is the number of distinct patients
of the arm with that event; "Total (n)" is read as the number of event records in the arm.

Intervals: Wilson score interval for one proportion, and Newcombe's hybrid score interval
(method 10 of Newcombe RG, Stat Med 1998;17:873-890) for a difference of two independent
proportions, which stays inside [-1, 1] and behaves well with zero counts, where the Wald
interval collapses to a point.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Literal

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from scipy.stats import hypergeom
from statsmodels.stats.multitest import multipletests

from lungmets.analyses.covariates import AE_EVENTS
from lungmets.analyses.response import clopper_pearson
from lungmets.analyses.tables import categorical_test
from lungmets.claims import claim
from lungmets.display.plots import ARM_COLOURS
from lungmets.stats.survival_stats import WALD_Z
from lungmets.synthetic.reconstruct import Cohort

__all__ = [
    "ARMS",
    "CTCAE_GRADES",
    "EVENT_GROUPS",
    "EVENT_LABELS",
    "MARROW_EVENTS",
    "RADIATION_EVENTS",
    "SORAFENIB_EVENTS",
    "UNITS",
    "Unit",
    "ae_by_arm",
    "arm_comparison",
    "arm_sizes",
    "claim_computers",
    "compare_adverse_events",
    "count_events",
    "grade_counts",
    "max_grade",
    "min_attainable_p",
    "newcombe_interval",
    "null_rejection_probability",
    "plot_ae_dotplot",
    "plot_ae_rates",
    "plot_grade_butterfly",
    "published_table2",
    "table2",
    "table2_beside",
    "wilson_interval",
]

ARMS: dict[int, str] = {0: "HT only", 1: "HT + sorafenib"}
"""Arm code (``patients.sorafenib``) -> label, in Table 2's column order."""

_ARM_KEY = {0: "no", 1: "yes"}

EVENT_LABELS: dict[str, str] = {
    "esophagitis": "Radiation esophagitis",
    "pneumonitis": "Radiation pneumonitis",
    "ast_alt": "AST/ALT increased",
    "hfsr": "Hand-foot skin reaction",
    "anorexia": "Anorexia",
    "diarrhoea": "Diarrhoea",
    "hypertension": "Hypertension",
    "anemia": "Anaemia",
    "leukocytopenia": "Leukocytopenia",
    "thrombocytopenia": "Thrombocytopenia",
}
"""Table 2 rows (keys of :data:`lungmets.analyses.covariates.AE_EVENTS`) -> row label."""

RADIATION_EVENTS: tuple[str, ...] = ("esophagitis", "pneumonitis")
"""The text's "radiation esophagitis or pneumonitis" (claims ``res_n_radiation_ae_*``)."""
SORAFENIB_EVENTS: tuple[str, ...] = ("ast_alt", "hfsr", "anorexia", "diarrhoea", "hypertension")
"""Events the Methods name as sorafenib-induced, plus hypertension (a known sorafenib effect)."""
MARROW_EVENTS: tuple[str, ...] = ("anemia", "leukocytopenia", "thrombocytopenia")
"""The text's "bone marrow suppression" (claim ``res_n_bone_marrow_suppression_all``)."""

EVENT_GROUPS: dict[str, tuple[str, ...]] = {
    "Radiation (esophagitis or pneumonitis)": RADIATION_EVENTS,
    "Sorafenib-type (liver, skin, gut, blood pressure)": SORAFENIB_EVENTS,
    "Haematological": MARROW_EVENTS,
    "Any adverse event": AE_EVENTS,
}
"""Summary rows: where counting patients and counting events can differ."""

CTCAE_GRADES: dict[int, str] = {
    1: "Mild",
    2: "Moderate",
    3: "Severe",
    4: "Life-threatening or disabling",
    5: "Death related to the adverse event",
}
"""The CTCAE grade scale (the same five steps in version 3.0 and later versions)."""

Unit = Literal["patients", "events"]
UNITS: dict[str, str] = {
    "patients": "Patients with at least one event",
    "events": "Event records",
}

_ARM_COLOUR = {code: ARM_COLOURS[name] for code, name in ARMS.items()}


# --------------------------------------------------------------------------- counting


def ae_by_arm(cohort: Cohort) -> pd.DataFrame:
    """The adverse-event records with each patient's arm (``sorafenib`` 0/1) attached.

    A record whose patient is not in patients.csv is an error (it would drop out of every
    arm silently); the message names the file, the CSV line and the column.
    """
    arms = cohort.patients[["patient_id", "sorafenib"]]
    merged = cohort.adverse_events.merge(arms, on="patient_id", how="left", validate="m:1")
    orphan = np.flatnonzero(merged["sorafenib"].isna().to_numpy())
    if orphan.size:
        i = int(orphan[0])
        raise ValueError(
            f"adverse_events.csv, line {i + 2}, column 'patient_id': "
            f"{merged['patient_id'].iat[i]!r} is not a patient in patients.csv"
        )
    return merged.assign(sorafenib=merged["sorafenib"].astype(int))


def count_events(
    cohort: Cohort,
    events: str | Sequence[str] | None = None,
    arm: int | None = None,
    *,
    min_grade: int = 1,
    unit: Unit = "patients",
) -> int:
    """Patients with at least one of ``events`` (or event records) of grade >= ``min_grade``.

    ``events=None`` means every event, ``arm=None`` both arms. ``unit="patients"`` counts
    distinct patients, the reading of a Table 2 cell; ``unit="events"`` counts records, the
    reading of Table 2's "Total (n)" that the scorecard uses (contradiction C2).
    """
    return _count(ae_by_arm(cohort), events, arm, min_grade, unit)


def _count(ae: pd.DataFrame, events: str | Sequence[str] | None, arm: int | None,
           min_grade: int, unit: Unit) -> int:
    """:func:`count_events` on records already merged with their arms, so that a table of
    many cells (:func:`table2`) merges once, not once per cell."""
    if unit not in UNITS:
        raise ValueError(f"unit={unit!r}: expected one of {list(UNITS)}")
    keep = ae["grade"].to_numpy() >= min_grade
    if events is not None:
        wanted = (events,) if isinstance(events, str) else tuple(events)
        unknown = sorted(set(wanted) - set(AE_EVENTS))
        if unknown:
            raise ValueError(f"unknown adverse event(s) {unknown}; Table 2 has {AE_EVENTS}")
        keep &= ae["event"].isin(wanted).to_numpy()
    if arm is not None:
        if arm not in ARMS:
            raise ValueError(f"arm={arm!r}: expected 0 (HT only) or 1 (HT + sorafenib)")
        keep &= ae["sorafenib"].to_numpy() == arm
    patients = ae["patient_id"].to_numpy()[keep]
    return int(np.unique(patients).size if unit == "patients" else patients.size)


def max_grade(cohort: Cohort, events: Sequence[str] | None = None) -> int:
    """The worst CTCAE grade recorded (over ``events``, or every event)."""
    ae = cohort.adverse_events
    if events is not None:
        ae = ae[ae["event"].isin(events)]
    if ae.empty:
        raise ValueError("no adverse-event record to take a maximum grade from")
    return int(ae["grade"].max())


def arm_sizes(patients: pd.DataFrame) -> dict[int, int]:
    """Patients per arm: the denominators Table 2 does not print."""
    counts = patients["sorafenib"].value_counts()
    return {a: int(counts.get(a, 0)) for a in ARMS}


# --------------------------------------------------------------------------- claims


def claim_computers() -> dict[str, Callable[[Cohort], float]]:
    """Claim id -> how the synthetic cohort reproduces it (shared with the scorecard)."""
    out: dict[str, Callable[[Cohort], float]] = {}

    def patients_with(events: str | tuple[str, ...] | None,
                      arm: int | None) -> Callable[[Cohort], float]:
        return lambda c: float(count_events(c, events, arm))

    def records(arm: int) -> Callable[[Cohort], float]:
        return lambda c: float(count_events(c, None, arm, unit="events"))

    for code, key in _ARM_KEY.items():
        for ev in AE_EVENTS:
            out[f"t2_n_{ev}_sorafenib_{key}"] = patients_with(ev, code)
        out[f"t2_n_total_sorafenib_{key}"] = records(code)
        out[f"res_n_radiation_ae_sorafenib_{key}"] = patients_with(RADIATION_EVENTS, code)
    for ev in ("ast_alt", "hfsr", "anorexia", "diarrhoea"):
        out[f"res_n_{ev}_sorafenib_yes"] = patients_with(ev, 1)
    out["res_n_anorexia_sorafenib_no"] = patients_with("anorexia", 0)
    for cid in ("res_max_ae_grade_all", "abs_max_ae_grade_all", "disc_radiation_ae_grade_max_all"):
        out[cid] = lambda c: float(max_grade(c))
    out["disc_radiation_ae_grade_min_all"] = lambda c: float(
        c.adverse_events.loc[c.adverse_events["event"].isin(RADIATION_EVENTS), "grade"].min())
    out["res_n_bone_marrow_suppression_all"] = patients_with(MARROW_EVENTS, None)
    return out


def compare_adverse_events(cohort: Cohort) -> pd.DataFrame:
    """Every adverse-event claim the cohort can speak to: claim, quantity, published,
    reproduced (at the printed precision) and hit, in catalogue order of Table 2 then text."""
    rows = []
    for cid, compute in claim_computers().items():
        c = claim(cid)
        x = compute(cohort)
        rows.append({
            "claim": cid,
            "source": c.source,
            "published": c.value,
            "reproduced": f"{x:.{c.decimals}f}",
            "hit": bool(c.matches(x)),
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- tables


def published_table2() -> pd.DataFrame:
    """Table 2 as printed (counts per arm, from the claims catalogue), one row per event."""
    return pd.DataFrame(
        {
            "event": list(AE_EVENTS),
            "label": [EVENT_LABELS[e] for e in AE_EVENTS],
            **{
                f"n_{key}": [int(claim(f"t2_n_{e}_sorafenib_{key}").number) for e in AE_EVENTS]
                for key in _ARM_KEY.values()
            },
        }
    )


def table2(cohort: Cohort, *, min_grade: int = 1, unit: Unit = "patients") -> pd.DataFrame:
    """Table 2 recomputed, with the denominators: one row per event, then the summary rows.

    Columns ``n_no``/``n_yes`` (count in the arm) and ``per100_no``/``per100_yes`` (count per
    100 patients of the arm: a percentage of patients when ``unit="patients"``, events per 100
    patients when ``unit="events"``). ``kind`` is ``event`` or ``summary``.
    """
    sizes = arm_sizes(cohort.patients)
    ae = ae_by_arm(cohort)
    rows = []
    items = [(EVENT_LABELS[e], "event", (e,)) for e in AE_EVENTS]
    items += [(label, "summary", events) for label, events in EVENT_GROUPS.items()]
    for label, kind, events in items:
        row: dict[str, object] = {"label": label, "kind": kind,
                                  "event": events[0] if kind == "event" else ""}
        for code, key in _ARM_KEY.items():
            n = _count(ae, events, code, min_grade, unit)
            row[f"n_{key}"] = n
            row[f"per100_{key}"] = 100 * n / sizes[code]
        rows.append(row)
    return pd.DataFrame(rows)


def table2_beside(cohort: Cohort) -> pd.DataFrame:
    """Every cell of Table 2, published beside reproduced, with each arm's denominator.

    Event rows compare patients with the event (Table 2's cells); the "Total (n)" row is
    reproduced as the scorecard reads it (event records, contradiction C2); a last row gives
    the patients with any event, which the paper does not print.
    """
    sizes = arm_sizes(cohort.patients)
    reproduced = table2(cohort)
    computers = claim_computers()
    rows = []

    def cell(cid: str, x: float, n_arm: int) -> tuple[str, str, bool]:
        c = claim(cid)
        shown = f"{x:.0f}" if "_total_" in cid else f"{x:.0f} ({100 * x / n_arm:.1f}%)"
        return c.value, shown, bool(c.matches(x))

    for ev in (*AE_EVENTS, "total"):
        label = "Total (n)" if ev == "total" else EVENT_LABELS[ev]
        row: dict[str, object] = {"row": label}
        hits = []
        for code, key in _ARM_KEY.items():
            cid = f"t2_n_{ev}_sorafenib_{key}"
            pub, rep, hit = cell(cid, computers[cid](cohort), sizes[code])
            row[f"{ARMS[code]}: published"] = pub
            row[f"{ARMS[code]}: reproduced"] = rep
            hits.append(hit)
        row["hit"] = "both" if all(hits) else "MISS " + " and ".join(
            ARMS[code] for code, h in zip(ARMS, hits, strict=True) if not h)
        rows.append(row)
    anyrow = reproduced.set_index("label").loc["Any adverse event"]
    last: dict[str, object] = {"row": "Patients with any event"}
    for code, key in _ARM_KEY.items():
        last[f"{ARMS[code]}: published"] = "not printed"
        n = int(anyrow[f"n_{key}"])
        last[f"{ARMS[code]}: reproduced"] = f"{n} ({100 * n / sizes[code]:.1f}%)"
    last["hit"] = ""
    rows.append(last)
    rows.append({"row": "Patients in the arm (denominator)",
                 **{f"{ARMS[c]}: published": "not printed (Table 3: "
                    f"{claim(f't3_n_sorafenib_{k}').value})" for c, k in _ARM_KEY.items()},
                 **{f"{ARMS[c]}: reproduced": f"{sizes[c]}" for c in ARMS}, "hit": ""})
    return pd.DataFrame(rows)


def grade_counts(cohort: Cohort) -> pd.DataFrame:
    """Patients per event, arm and worst grade of that event: index events, columns (arm,
    grade)."""
    ae = ae_by_arm(cohort)
    worst = ae.groupby(["event", "sorafenib", "patient_id"])["grade"].max().reset_index()
    grades = range(1, max(2, int(ae["grade"].max()) if len(ae) else 2) + 1)
    table = worst.groupby(["event", "sorafenib", "grade"]).size()
    index = pd.MultiIndex.from_product([list(ARMS), list(grades)], names=["sorafenib", "grade"])
    return (table.unstack(["sorafenib", "grade"]).reindex(index=list(AE_EVENTS), columns=index)
            .fillna(0).astype(int))


# --------------------------------------------------------------------------- statistics


def wilson_interval(k: int, n: int, z: float = WALD_Z) -> tuple[float, float]:
    """Wilson score interval for k/n (the building block of Newcombe's interval)."""
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"wilson_interval: need 0 <= k <= n, n > 0; got {k}/{n}")
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_interval(k1: int, n1: int, k0: int, n0: int,
                      z: float = WALD_Z) -> tuple[float, float, float]:
    """Risk difference k1/n1 - k0/n0 and Newcombe's hybrid score 95% interval (method 10).

    From the Wilson limits (l1, u1) and (l0, u0): lower = d - sqrt((p1 - l1)^2 + (u0 - p0)^2),
    upper = d + sqrt((u1 - p1)^2 + (p0 - l0)^2).
    """
    p1, p0 = k1 / n1, k0 / n0
    l1, u1 = wilson_interval(k1, n1, z)
    l0, u0 = wilson_interval(k0, n0, z)
    d = p1 - p0
    return (d, d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2),
            d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2))


def _fisher(k1: int, n1: int, k0: int, n0: int) -> float:
    return categorical_test([[k1, n1 - k1], [k0, n0 - k0]], "fisher").p_value


def min_attainable_p(events: int, n1: int, n0: int) -> float:
    """The smallest two-sided Fisher p any split of ``events`` between the arms could give.

    With few events a test cannot reach significance however lopsided the split: such a row
    adds to the multiplicity burden without any chance of a "significant" result.
    """
    if events == 0:
        return 1.0
    splits = range(max(0, events - n0), min(events, n1) + 1)
    return min(_fisher(k1, n1, events - k1, n0) for k1 in splits)


def null_rejection_probability(events: int, n1: int, n0: int, alpha: float) -> float:
    """Chance that Fisher's test of a row with ``events`` events gives p < ``alpha`` when the
    arms do not differ: the row's exact expected number of false positives.

    Given the margins, the split of the events between the arms is hypergeometric under the
    null; Fisher's test is conservative, so this is at most ``alpha`` and, with few events,
    far below it (zero when even the most lopsided split cannot reach ``alpha``).
    """
    splits = range(max(0, events - n0), min(events, n1) + 1)
    return float(sum(hypergeom.pmf(k1, n1 + n0, events, n1) for k1 in splits
                     if events and _fisher(k1, n1, events - k1, n0) < alpha))


def arm_comparison(counts: pd.DataFrame, sizes: dict[int, int]) -> pd.DataFrame:
    """Per row of ``counts`` (``label``, ``n_no``, ``n_yes``): each arm's share with its exact
    (Clopper-Pearson) 95% CI, the risk difference HT + sorafenib minus HT only with Newcombe's
    95% CI (percentage points), Fisher's exact p, Holm's adjusted p over the tested rows and the
    smallest p the row could reach. Rows with no event in either arm are not tested (p NaN).
    """
    n1, n0 = sizes[1], sizes[0]
    rows = []
    for r in counts.itertuples(index=False):
        k1, k0 = int(r.n_yes), int(r.n_no)
        d, lo, hi = newcombe_interval(k1, n1, k0, n0)
        out = {"label": r.label, "n_no": k0, "n_yes": k1}
        for key, k, n in (("no", k0, n0), ("yes", k1, n1)):
            cl, cu = clopper_pearson(k, n)
            out |= {f"pct_{key}": 100 * k / n, f"lower_{key}": 100 * cl, f"upper_{key}": 100 * cu}
        tested = k1 + k0 > 0
        out |= {"rd": 100 * d, "rd_lower": 100 * lo, "rd_upper": 100 * hi,
                "p": _fisher(k1, n1, k0, n0) if tested else math.nan,
                "min_p": min_attainable_p(k1 + k0, n1, n0)}
        rows.append(out)
    frame = pd.DataFrame(rows)
    tested = frame["p"].notna()
    frame["p_holm"] = math.nan
    if tested.any():
        frame.loc[tested, "p_holm"] = multipletests(frame.loc[tested, "p"], method="holm")[1]
    return frame


# --------------------------------------------------------------------------- figures


def plot_grade_butterfly(grades: pd.DataFrame, sizes: dict[int, int],
                         ax: Axes | None = None) -> Axes:
    """Per event, the share of each arm's patients by worst grade: HT only to the left,
    HT + sorafenib to the right, lighter for grade 1 and darker for higher grades."""
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.45 * len(grades) + 1.4), layout="constrained")
    y = np.arange(len(grades))
    grade_levels = sorted({g for _, g in grades.columns})
    for code, sign in ((0, -1), (1, 1)):
        left = np.zeros(len(grades))
        base = np.array(_ARM_COLOUR[code])
        for j, g in enumerate(grade_levels):
            share = 100 * grades[(code, g)].to_numpy(float) / sizes[code]
            shade = 1 - (j + 1) / len(grade_levels)
            colour = tuple(base + (1 - base) * 0.65 * shade)
            ax.barh(y, sign * share, left=sign * left, color=colour, edgecolor="white",
                    height=0.7, label=f"{ARMS[code]}, grade {g}", gid=f"arm{code}-grade{g}")
            left += share
        for yi, total, k in zip(y, left, grades[code].sum(axis=1), strict=True):
            if k:
                ax.text(sign * (total + 1), yi, f"{k}/{sizes[code]}", va="center",
                        ha="left" if sign > 0 else "right", fontsize=8)
    ax.axvline(0, color="0.3", linewidth=1)
    ax.set_yticks(y, [EVENT_LABELS.get(str(e), str(e)) for e in grades.index])
    ax.set_ylim(len(grades) - 0.5, -0.5)
    limit = max(10.0, float(ax.get_xlim()[1]), -float(ax.get_xlim()[0])) + 8
    ax.set_xlim(-limit, limit)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{abs(v):.0f}"))
    ax.set_xlabel(f"% of patients in the arm  (\u2190 {ARMS[0]}  |  {ARMS[1]} \u2192)")
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return ax


def plot_ae_dotplot(comparison: pd.DataFrame, axes: Sequence[Axes] | None = None
                    ) -> Sequence[Axes]:
    """The adverse-event dot plot (Amit, Heiberger and Lane, Pharm Stat 2008): left, each
    arm's percentage with its exact 95% CI; right, the risk difference with Newcombe's 95% CI,
    rows sorted by the difference."""
    data = comparison.sort_values("rd", kind="stable").reset_index(drop=True)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 0.42 * len(data) + 1.5), sharey=True,
                                 layout="constrained", gridspec_kw={"width_ratios": [1.1, 1]})
    left, right = axes
    y = np.arange(len(data))
    for code, key, dy, marker in ((0, "no", -0.12, "o"), (1, "yes", 0.12, "^")):
        pct = data[f"pct_{key}"].to_numpy()
        left.errorbar(pct, y + dy, xerr=[pct - data[f"lower_{key}"], data[f"upper_{key}"] - pct],
                      fmt=marker, color=_ARM_COLOUR[code], ecolor=_ARM_COLOUR[code], capsize=2,
                      markersize=6, linewidth=1, label=ARMS[code])
    left.set_xlabel("% of patients (exact 95% CI)")
    left.set_xlim(-2, max(40.0, float(data["upper_yes"].max()), float(data["upper_no"].max())) + 2)
    left.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, fontsize=8, frameon=False)
    rd = data["rd"].to_numpy()
    right.errorbar(rd, y, xerr=[rd - data["rd_lower"], data["rd_upper"] - rd], fmt="s",
                   color="0.2", capsize=2, markersize=5, linewidth=1)
    right.axvline(0, color="0.3", linestyle="--", linewidth=1)
    right.set_xlabel(f"Risk difference, {ARMS[1]} \u2212 {ARMS[0]}\n"
                     "(percentage points, Newcombe 95% CI)")
    for ax in axes:
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="x", color="0.9")
        ax.set_axisbelow(True)
    left.set_yticks(y, list(data["label"]))
    left.set_ylim(len(data) - 0.5, -0.5)
    return axes


def plot_ae_rates(table: pd.DataFrame, unit: Unit, ax: Axes | None = None,
                  title: str | None = None) -> Axes:
    """Grouped horizontal bars per row of :func:`table2` (events, then summary rows): count
    per 100 patients of each arm, the raw count printed at the end of each bar."""
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.42 * len(table) + 1.6), layout="constrained")
    y = np.arange(len(table))
    for code, key, dy in ((0, "no", 0.2), (1, "yes", -0.2)):
        values = table[f"per100_{key}"].to_numpy(float)
        ax.barh(y - dy, values, height=0.38, color=_ARM_COLOUR[code], label=ARMS[code])
        for yi, v, n in zip(y - dy, values, table[f"n_{key}"], strict=True):
            ax.text(v + 0.5, yi, str(int(n)), va="center", fontsize=7)
    summary = np.flatnonzero((table["kind"] == "summary").to_numpy())
    if summary.size:
        ax.axhline(summary[0] - 0.5, color="0.5", linewidth=0.8)
    ax.set_yticks(y, list(table["label"]))
    for tick, kind in zip(ax.get_yticklabels(), table["kind"], strict=True):
        tick.set_fontweight("bold" if kind == "summary" else "normal")
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.set_xlim(0, max(50.0, float(table[["per100_no", "per100_yes"]].max().max()) + 8))
    ax.set_xlabel("% of patients in the arm with at least one event" if unit == "patients"
                  else "Event records per 100 patients in the arm")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    if title:
        ax.set_title(title, loc="left", fontsize=10)
    return ax
