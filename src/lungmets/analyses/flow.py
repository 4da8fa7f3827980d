"""Who is in which analysis: the cohort flow, counted from the data and drawn as boxes.

The paper has one main cohort split two ways (sorafenib or not; intrahepatic tumour active or
not) and a validation comparison that reuses part of it (the patients with inactive
intrahepatic disease, with or without sorafenib) beside an external sorafenib-only group. A
reader cannot keep those overlapping sets in mind from the text, so this module counts every
box from ``patients.csv`` and ``validation.csv``, checks that the two files agree on who
belongs where, and draws the diagram.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes

from lungmets.claims import claim

__all__ = ["CohortFlow", "cohort_flow", "compare_flow", "plot_cohort_flow"]

_GROUPS = ("Co", "Rt", "S")
_HALF_HEIGHT = 0.06  # of a two-line box, in axes units of the default figure


@dataclass(frozen=True)
class CohortFlow:
    """Counts of every box of the flow diagram."""

    total: int
    sorafenib_yes: int
    sorafenib_no: int
    dose_800: int
    dose_400: int
    sorafenib_active: int
    sorafenib_inactive: int
    no_sorafenib_active: int
    no_sorafenib_inactive: int
    val_co: int
    val_rt: int
    val_s: int

    @property
    def intrahepatic_active(self) -> int:
        return self.sorafenib_active + self.no_sorafenib_active

    @property
    def intrahepatic_inactive(self) -> int:
        return self.sorafenib_inactive + self.no_sorafenib_inactive


def _require(df: pd.DataFrame, columns: tuple[str, ...], source: str) -> None:
    for column in columns:
        if column not in df.columns:
            raise KeyError(f"{source}: column {column!r} is missing")
        gaps = df.index[df[column].isna()]
        if len(gaps):
            raise ValueError(f"{source}: row {gaps[0]}, column {column!r} is missing")


def cohort_flow(patients: pd.DataFrame, validation: pd.DataFrame) -> CohortFlow:
    """Count the boxes, and check that validation Co/Rt are main-cohort patients as described.

    The paper says the Co and Rt groups are the main-cohort patients without active hepatic
    tumour who did (Co) or did not (Rt) take sorafenib; a validation row contradicting
    ``patients.csv`` raises, naming the row.
    """
    _require(
        patients,
        ("patient_id", "sorafenib", "intrahepatic_active", "sorafenib_mg_day"),
        "patients.csv",
    )
    _require(validation, ("patient_id", "group"), "validation.csv")
    bad = validation.index[~validation["group"].isin(_GROUPS)]
    if len(bad):
        raise ValueError(
            f"validation.csv: row {bad[0]}, column 'group' is {validation.at[bad[0], 'group']!r}"
            f", expected one of {_GROUPS}"
        )
    main = patients.set_index("patient_id")
    for row, record in validation.iterrows():
        if record["group"] == "S":
            if record["patient_id"] in main.index:
                raise ValueError(
                    f"validation.csv: row {row}, column 'patient_id': {record['patient_id']!r} "
                    "is in group S (external) but also in patients.csv"
                )
            continue
        if record["patient_id"] not in main.index:
            raise ValueError(
                f"validation.csv: row {row}, column 'patient_id': {record['patient_id']!r} "
                f"(group {record['group']}) is not in patients.csv"
            )
        patient = main.loc[record["patient_id"]]
        expected_sorafenib = int(record["group"] == "Co")
        if int(patient["sorafenib"]) != expected_sorafenib or int(patient["intrahepatic_active"]):
            raise ValueError(
                f"validation.csv: row {row}, column 'group': {record['patient_id']!r} is in "
                f"{record['group']} but patients.csv has sorafenib={patient['sorafenib']}, "
                f"intrahepatic_active={patient['intrahepatic_active']}"
            )
    sorafenib = patients["sorafenib"].astype(int) == 1
    active = patients["intrahepatic_active"].astype(int) == 1
    dose = patients["sorafenib_mg_day"].astype(int)
    groups = validation["group"].value_counts()
    return CohortFlow(
        total=len(patients),
        sorafenib_yes=int(sorafenib.sum()),
        sorafenib_no=int((~sorafenib).sum()),
        dose_800=int((sorafenib & (dose == 800)).sum()),
        dose_400=int((sorafenib & (dose == 400)).sum()),
        sorafenib_active=int((sorafenib & active).sum()),
        sorafenib_inactive=int((sorafenib & ~active).sum()),
        no_sorafenib_active=int((~sorafenib & active).sum()),
        no_sorafenib_inactive=int((~sorafenib & ~active).sum()),
        val_co=int(groups.get("Co", 0)),
        val_rt=int(groups.get("Rt", 0)),
        val_s=int(groups.get("S", 0)),
    )


_CLAIMS = (
    ("t3_n_total", "Main cohort", "total"),
    ("met_n_sorafenib_yes", "HT + sorafenib", "sorafenib_yes"),
    ("met_n_sorafenib_no", "HT only", "sorafenib_no"),
    ("met_n_dose_800", "Sorafenib 800 mg/day", "dose_800"),
    ("met_n_dose_400", "Sorafenib 400 mg/day", "dose_400"),
    ("t3_n_intrahepatic_active", "Intrahepatic tumour active", "intrahepatic_active"),
    ("t3_n_intrahepatic_inactive", "Intrahepatic tumour inactive", "intrahepatic_inactive"),
    ("met_n_val_co", "Validation Co (HT + sorafenib)", "val_co"),
    ("met_n_val_rt", "Validation Rt (HT only)", "val_rt"),
    ("met_n_val_co_rt", "Validation Co + Rt", "val_co_rt"),
    ("met_n_val_s", "Validation S (sorafenib only, external)", "val_s"),
)


def compare_flow(flow: CohortFlow) -> pd.DataFrame:
    """Every box's count next to the paper's printed count (claims catalogue)."""
    counts = {
        **asdict(flow),
        "intrahepatic_active": flow.intrahepatic_active,
        "intrahepatic_inactive": flow.intrahepatic_inactive,
        "val_co_rt": flow.val_co + flow.val_rt,
    }
    rows = []
    for claim_id, box, field in _CLAIMS:
        c = claim(claim_id)
        value = counts[field]
        rows.append(
            {
                "claim id": claim_id,
                "box": box,
                "published": c.value,
                "reproduced": str(value),
                "hit": bool(c.matches(value)),
            }
        )
    return pd.DataFrame(rows)


def _box(ax: Axes, x: float, y: float, text: str, colour: str = "#f2f2f2") -> None:
    ax.text(
        x,
        y,
        text,
        ha="center",
        va="center",
        fontsize=9,
        wrap=True,
        bbox={"boxstyle": "round,pad=0.5", "facecolor": colour, "edgecolor": "#444444"},
    )


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float]) -> None:
    """From the bottom edge of the box centred at ``start`` to the top of the one at ``end``."""
    ax.annotate(
        "",
        xy=(end[0], end[1] + _HALF_HEIGHT),
        xytext=(start[0], start[1] - _HALF_HEIGHT),
        arrowprops={"arrowstyle": "-|>", "color": "#444444", "shrinkA": 2, "shrinkB": 2},
    )


def plot_cohort_flow(flow: CohortFlow, ax: Axes | None = None) -> Axes:
    """Boxes and arrows: main cohort -> treatment groups -> intrahepatic status -> validation.

    Every number drawn comes from ``flow``; the external sorafenib-only group has no arrow in,
    because it never belonged to the main cohort.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 6.2))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    treated, control = "#dbe9f6", "#fbe3d6"
    _box(
        ax,
        0.5,
        0.93,
        f"Main cohort: helical tomotherapy (HT)\nfor lung metastases, n = {flow.total}",
    )
    _box(
        ax,
        0.26,
        0.70,
        f"HT + sorafenib, n = {flow.sorafenib_yes}\n"
        f"800 mg/day: {flow.dose_800}; 400 mg/day: {flow.dose_400}",
        treated,
    )
    _box(ax, 0.74, 0.70, f"HT only, n = {flow.sorafenib_no}", control)
    _arrow(ax, (0.5, 0.93), (0.26, 0.70))
    _arrow(ax, (0.5, 0.93), (0.74, 0.70))
    positions = {
        "sorafenib_active": (
            0.10,
            f"Intrahepatic tumour\nactive, n = {flow.sorafenib_active}",
            treated,
            0.26,
        ),
        "sorafenib_inactive": (
            0.38,
            f"Intrahepatic tumour\ninactive, n = {flow.sorafenib_inactive}",
            treated,
            0.26,
        ),
        "no_sorafenib_inactive": (
            0.62,
            f"Intrahepatic tumour\ninactive, n = {flow.no_sorafenib_inactive}",
            control,
            0.74,
        ),
        "no_sorafenib_active": (
            0.90,
            f"Intrahepatic tumour\nactive, n = {flow.no_sorafenib_active}",
            control,
            0.74,
        ),
    }
    for x, text, colour, parent in positions.values():
        _box(ax, x, 0.46, text, colour)
        _arrow(ax, (parent, 0.70), (x, 0.46))
    _box(ax, 0.38, 0.17, f"Co: HT + sorafenib\nn = {flow.val_co}", treated)
    _box(ax, 0.62, 0.17, f"Rt: HT only\nn = {flow.val_rt}", control)
    _box(
        ax,
        0.88,
        0.17,
        f"S: sorafenib only\n(external, earlier period)\nn = {flow.val_s}",
        "#e6f2e1",
    )
    _arrow(ax, (0.38, 0.46), (0.38, 0.17))
    _arrow(ax, (0.62, 0.46), (0.62, 0.17))
    frame = plt.Rectangle(
        (0.22, 0.03),
        0.77,
        0.27,
        fill=False,
        linestyle="--",
        edgecolor="#777777",
        transform=ax.transAxes,
    )
    ax.add_patch(frame)
    ax.text(
        0.235,
        0.285,
        "Validation of overall survival",
        fontsize=9,
        style="italic",
        va="top",
        color="#555555",
    )
    return ax
