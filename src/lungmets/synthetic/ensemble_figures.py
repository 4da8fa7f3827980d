"""Figures of the ensemble of SYNTHETIC cohorts (:mod:`lungmets.synthetic.ensemble`).

Why this module exists: the ensemble chapter shows how many claims the members reproduce, how
that changed when the calibration's last stage changed, and how each unpublished quantity
spreads across members; the drawing is kept apart from the calibration and caching code.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from lungmets.claims import claim
from lungmets.synthetic.ensemble import QUANTITIES, Quantity

__all__ = ["plot_hits", "plot_hits_before_after", "plot_member_values"]


def plot_hits(members: pd.DataFrame, canonical: int | None = None, ax: Axes | None = None
              ) -> Axes:
    """Bar chart of members by number of claims hit; the canonical member's bar is outlined."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3), layout="constrained")
    counts = members["hits"].value_counts().sort_index()
    colours = ["0.6"] * len(counts)
    if canonical is not None:
        best = int(members.loc[members["seed"] == canonical, "hits"].iloc[0])
        colours = ["C3" if h == best else "0.6" for h in counts.index]
    ax.bar(counts.index, counts.to_numpy(), color=colours, width=0.8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"Claims reproduced at printed precision (of {int(members['claims'].max())})")
    ax.set_ylabel("Ensemble members")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_hits_before_after(before: pd.DataFrame, after: pd.DataFrame, ax: Axes | None = None
                           ) -> Axes:
    """Share of members by claims hit, before and after a change of the calibration, side by
    side at each count, with each ensemble's median as a dashed line."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3), layout="constrained")
    for offset, (frame, colour, name) in zip(
            (-0.2, 0.2), ((before, "0.55", "before"), (after, "C0", "after")), strict=True):
        share = 100 * frame["hits"].value_counts(normalize=True).sort_index()
        ax.bar(share.index + offset, share.to_numpy(), width=0.4, color=colour,
               label=f"{name} ({len(frame)} members)")
        ax.axvline(float(frame["hits"].median()), color=colour, linestyle="--", linewidth=1.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    claims = int(max(before["claims"].max(), after["claims"].max()))
    ax.set_xlabel(f"Claims reproduced at printed precision (of {claims}); dashed: median")
    ax.set_ylabel("Members (%)")
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_member_values(
    members: pd.DataFrame,
    column: str,
    canonical: int | None = None,
    ax: Axes | None = None,
    *,
    bins: int = 20,
) -> Axes:
    """Histogram of one quantity across members, the middle 95% shaded, the canonical member as
    a red line, and a dotted line at the null (1 for a hazard ratio, 0 for a difference, the
    paper's significance level for a p-value). Members where the quantity is undefined (nan)
    are counted in the title."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3), layout="constrained")
    q = QUANTITIES.get(column, Quantity(column, column, ""))
    x = members[column].astype(float)
    ok = x.dropna()
    log = q.unit in ("HR", "p") and len(ok) > 0 and bool((ok > 0).all())
    if len(ok):
        lo, hi = np.quantile(ok, [0.025, 0.975])
        ax.axvspan(lo, hi, color="C0", alpha=0.12, label="middle 95% of members")
        edges = (np.geomspace(ok.min(), ok.max(), bins + 1) if log and ok.min() < ok.max()
                 else bins)
        ax.hist(ok, bins=edges, color="C0", alpha=0.8)
    alpha = claim("met_alpha").number
    null = {"HR": 1.0, "p": alpha, "months": 0.0}.get(q.unit) if column.endswith(
        ("_diff", "_vs_co")) or q.unit in ("HR", "p") else None
    if null is not None:
        labels = {"HR": "no effect (HR 1)", "p": f"p = {alpha:g}", "months": "no difference"}
        ax.axvline(null, color="0.3", linestyle=":", label=labels[q.unit])
    if canonical is not None:
        v = float(x[members["seed"] == canonical].iloc[0])
        if math.isfinite(v):
            ax.axvline(v, color="C3", linewidth=2, label="canonical cohort")
    if log:
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    missing = int(x.isna().sum())
    ax.set_title(q.label + (f" ({missing} members undefined)" if missing else ""), fontsize=10)
    ax.set_xlabel(f"{q.unit}{' (log scale)' if log else ''}")
    ax.set_ylabel("Members")
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax
