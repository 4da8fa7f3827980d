"""The reproduction scorecard: every published claim the SYNTHETIC cohort can speak to, hit or miss.

Why this module exists: a reconstruction is only as honest as its list of misses. For each claim
id, the reproduced value is recomputed from the committed CSVs (:mod:`lungmets.synthetic.recompute`
says how, claim by claim), formatted at the printed precision and judged with
:meth:`Claim.matches`. A miss names its reason: the documented contradiction that explains it
(:func:`lungmets.synthetic.reconstruct.contradictions`), the trade-off probe that shows what
reproducing it would break (:mod:`lungmets.synthetic.tradeoffs`), why it cannot be estimated, or
that the number was drawn, not calibrated. A miss with none of these reads "calibration did not
reach", and the tests fail on it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from lungmets.claims import Claim, claim, load_claims
from lungmets.synthetic.recompute import computers, forget_fits
from lungmets.synthetic.reconstruct import Cohort, contradictions, load_cohort
from lungmets.synthetic.tradeoffs import BOOST, Probe, load_tradeoffs, target_for

__all__ = [
    "BETTER",
    "MATCH",
    "MATCH_LEGEND",
    "NOT_ESTIMABLE",
    "NOT_REACHED",
    "NOT_SELECTED",
    "NOT_TARGETED",
    "OUT_OF_REACH",
    "TRADE_OFF",
    "UNSCORED_REASONS",
    "Reproduction",
    "csv_for_download",
    "for_readers",
    "headline",
    "miss_reasons",
    "note_for",
    "probed_misses",
    "reader_table",
    "reason",
    "reproduce",
    "scorecard",
    "unscored",
]

NOT_REACHED = "calibration did not reach"
NOT_SELECTED = "variable not selected by forward stepwise"
NOT_ESTIMABLE = "not estimable from the synthetic cohort"
TRADE_OFF = "trade-off (probe)"
OUT_OF_REACH = "out of reach of the search (probe)"
BETTER = "a better cohort exists (probe)"
NOT_TARGETED = "drawn, not calibrated"
_PROBE_NOTES = {"trade-off": TRADE_OFF, "out of reach": OUT_OF_REACH, "better": BETTER}
MATCH: dict[bool, str] = {True: "\u2713", False: "\u2717"}
"""Hit and miss as the tables show them (✓, ✗), explained by :data:`MATCH_LEGEND`."""
MATCH_LEGEND = (
    "\u2713: the synthetic cohort reproduces the printed value at its printed precision; "
    "\u2717: it does not, and the table gives the reason."
)
_READER_REASONS: dict[str, str] = {
    NOT_REACHED: "Not reached by the calibration: no synthetic cohort it found matches this "
                 "number together with the rest, and no contradiction in the paper explains it.",
    NOT_SELECTED: "Not estimable: forward-stepwise Cox does not select this factor in the "
                  "synthetic cohort, so there is no hazard ratio to compare.",
    NOT_ESTIMABLE: "Not estimable: the synthetic cohort's Kaplan-Meier curve does not reach "
                   "this point.",
    NOT_TARGETED: "Drawn, not calibrated: the values are generated around the three order "
                  "statistics that fix the median and its SE, on the printed grid, and no "
                  "placement the generator tries gives the printed SE, so it keeps the "
                  "closest. A placement with tied values at those order statistics might; the "
                  "generator does not try one.",
}


@dataclass(frozen=True)
class Reproduction:
    """One claim against the synthetic cohort (``reproduced`` is formatted like ``published``)."""

    claim_id: str
    published: str
    reproduced: str
    hit: bool
    distance: float
    note: str


# --------------------------------------------------------------------------- the card


def _fmt(cl: Claim, x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "not estimable"
    if cl.relation in ("<", "<=") and cl.matches(x):
        return f"{x:.{max(cl.decimals, 3)}f}"
    return f"{x:.{cl.decimals}f}"


@lru_cache(maxsize=1)
def _contradictions() -> pd.DataFrame:
    """The contradictions table, computed once for the miss notes and their reasons."""
    return contradictions()


@lru_cache(maxsize=1)
def _explained() -> dict[str, str]:
    table = _contradictions()
    out: dict[str, str] = {}
    for cid, ids in zip(table.id, table.misses, strict=True):
        for claim_id in ids:
            out.setdefault(claim_id, cid)
    return out


def reproduce(cohort: Cohort | None = None) -> list[Reproduction]:
    """Every reproducible claim, in catalogue order."""
    c = load_cohort() if cohort is None else cohort
    claims = load_claims()
    rows: list[Reproduction] = []
    comp = computers()
    for cid, cl in claims.items():
        if cid not in comp:
            continue
        x = comp[cid](c)
        estimable = x is not None and not math.isnan(x)
        ok = estimable and cl.matches(x)
        dist = cl.distance(x) if estimable else math.nan
        rows.append(Reproduction(cid, cl.value, _fmt(cl, x), ok, dist,
                                 note_for(cid, ok, estimable)))
    forget_fits()
    return rows


def scorecard(cohort: Cohort | None = None) -> pd.DataFrame:
    """The reproduction table: claim, section, published, reproduced, hit, distance, note."""
    claims = load_claims()
    frame = pd.DataFrame([r.__dict__ for r in reproduce(cohort)])
    frame.insert(1, "section", [claims[c].section for c in frame.claim_id])
    return frame


def note_for(claim_id: str, hit: bool, estimable: bool) -> str:
    """The scorecard's note on one reproduction: empty for a hit; else the id of the paper's
    contradiction that explains the miss, why nothing could be estimated, or NOT_REACHED.

    One function for the scorecard and the chapters, so a miss carries the same reason on
    every page that shows it."""
    if hit:
        return ""
    if claim_id in _explained():
        return _explained()[claim_id]
    if not estimable:
        return NOT_SELECTED if "_mv_" in claim_id else NOT_ESTIMABLE
    probe = _probes().get(claim_id)
    if probe is not None:
        return _PROBE_NOTES[probe.outcome]
    if target_for(claim_id) is None:
        return NOT_TARGETED
    return NOT_REACHED


def probed_misses(card: pd.DataFrame) -> list[str]:
    """The misses a trade-off probe is for: no contradiction explains them and they were
    estimable, whether or not a probe of them is on file yet."""
    notes = (NOT_REACHED, *_PROBE_NOTES.values())
    return card.loc[~card["hit"] & card["note"].isin(notes), "claim_id"].tolist()


@lru_cache(maxsize=1)
def _probes() -> dict[str, Probe]:
    """The committed trade-off probes, if they were made from the committed cohort."""
    return load_tradeoffs()


def _probe_reason(note: str, probe: Probe) -> str:
    """A probe's outcome in a reader's words, with how much it cost; which numbers broke is in
    the reconstruction chapter's table of probes (a reason names no other number, so a page
    never shows terms it does not explain)."""
    n = len(probe.broken)
    lost = f"{n} number{'s' if n != 1 else ''} reproduced now miss" if n else "nothing breaks"
    won = len(probe.gained)
    weighted = f"a calibration that weights it {BOOST:g} times as much"
    where = "(the reconstruction chapter lists them: table of probes)"
    if note == TRADE_OFF:
        return (f"Trade-off: {weighted} reproduces it ({probe.after}), but then {lost}, against "
                f"{won} won {where}; the search found no cohort that holds it without a net "
                "loss.")
    if note == OUT_OF_REACH:
        after = (f"the closest it gets is {probe.after}" if probe.after != probe.before
                 else f"it stays at {probe.after}")
        return (f"Out of reach of the search: with {weighted}, {after} (printed "
                f"{probe.published}), and {lost}" + (f" {where}." if n else "."))
    return (f"A better cohort exists: {weighted} reproduces it ({probe.after}) and, in all, "
            f"{1 + won - n} more numbers than the canonical cohort ({won} others won, {lost}). "
            "The canonical cohort has not adopted it yet.")


@lru_cache(maxsize=1)
def _arithmetic() -> dict[str, str]:
    table = _contradictions()
    return dict(zip(table.id, table.arithmetic, strict=True))


def reason(note: str, claim_id: str = "") -> str:
    """A scorecard note in a clinician's words: a contradiction id becomes the paper's own
    arithmetic that rules the printed value out, a probe's note its cost (``claim_id`` says
    which probe); empty for a hit."""
    if not note:
        return ""
    if note in _PROBE_NOTES.values():
        return _probe_reason(note, _probes()[claim_id])
    if note in _READER_REASONS:
        return _READER_REASONS[note]
    return (f"The paper contradicts itself ({note}, see the reconstruction chapter): "
            f"{_arithmetic()[note]}.")


_ID_COLUMNS: tuple[str, ...] = ("claim_id", "claim id", "claim")


def reader_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Published beside reproduced as a clinician reads it, from any chapter's compare table
    (a claim id column, ``published``, ``reproduced``, ``hit``).

    Readers meet a number by what it is, not by its catalogue id, and a miss by its reason
    (the scorecard's, via :func:`note_for`); the ids stay in ``rows`` for code. Columns:
    Printed number, Where printed, Published, Reproduced, Match (:data:`MATCH`), Why it misses.
    """
    id_column = next((c for c in _ID_COLUMNS if c in rows.columns), None)
    if id_column is None:
        raise ValueError(f"rows has no claim id column ({' or '.join(_ID_COLUMNS)}); "
                         f"it has {list(rows.columns)}")
    if not all(isinstance(hit, bool | np.bool_) for hit in rows["hit"]):
        raise ValueError("rows['hit'] must hold True/False (not words such as 'hit'/'MISS')")
    claims = [claim(cid) for cid in rows[id_column]]
    reproduced = [str(x) for x in rows["reproduced"]]
    notes = [note_for(c.id, bool(hit), text not in ("not estimable", "nan"))
             for c, hit, text in zip(claims, rows["hit"], reproduced, strict=True)]
    return pd.DataFrame({
        "Printed number": [c.label for c in claims],
        "Where printed": [c.source[0].upper() + c.source[1:] for c in claims],
        "Published": list(rows["published"]),
        "Reproduced": reproduced,
        "Match": [MATCH[bool(hit)] for hit in rows["hit"]],
        "Why it misses": [reason(n, c.id) for n, c in zip(notes, claims, strict=True)],
    })


def for_readers(rows: pd.DataFrame) -> Styler:
    """:func:`reader_table` ready to display: no index, the ✓/✗ legend as the table's caption,
    long reasons wrapped."""
    return (reader_table(rows).style.hide(axis="index").set_caption(MATCH_LEGEND)
            .set_properties(subset=["Why it misses"], **{"white-space": "normal",
                                                         "min-width": "16em"}))


def miss_reasons(rows: pd.DataFrame) -> str:
    """Why a table's misses miss, one paragraph per reason naming the numbers it covers, for a
    table too wide for a reason column (Markdown; empty when nothing misses)."""
    table = reader_table(rows)
    misses = table[table["Match"] == MATCH[False]]
    return "\n\n".join(
        f"**{MATCH[False]} {why}** ({'; '.join(group['Printed number'])})"
        for why, group in misses.groupby("Why it misses", sort=False)
    )


_CSV_HEADER = ("# SYNTHETIC: reproduced values come from a cohort reconstructed from the paper's "
               "published aggregates, not from real patients (Sun et al., Oncotarget 2016). "
               "Read with pandas.read_csv(path, comment='#').")


def csv_for_download(card: pd.DataFrame) -> str:
    """The scorecard as CSV text: claim ids and notes for code, labels and reasons for people,
    under a first line that says the cohort is synthetic (the file travels without the page)."""
    claims = [claim(cid) for cid in card["claim_id"]]
    out = card.assign(
        label=[c.label for c in claims], source=[c.source for c in claims],
        reason=[reason(n, cid) for n, cid in zip(card["note"], card["claim_id"], strict=True)],
    )
    columns = ["claim_id", "label", "section", "source", "published", "reproduced", "hit",
               "distance", "note", "reason"]
    body = out[columns].to_csv(index=False, lineterminator="\n")
    return f"{_CSV_HEADER}\n{body}"


def headline(card: pd.DataFrame | None = None) -> str:
    """'X of Y reproducible claims reproduced at printed precision'."""
    card = scorecard() if card is None else card
    return (f"{int(card.hit.sum())} of {len(card)} reproducible claims reproduced at printed "
            "precision")


_PROTOCOL = re.compile(
    r"_ci_level_|_horizon_|^met_(alpha|spss_version|ctcae_version|recist_|n_radiologists_|"
    r"lab_tests_|ct_|n_respiratory_|followup_interval_|ptv_|lung_v20_|dose_|rfa_|sorafenib_dose_|"
    r"sorafenib_intakes_|n_treatment_groups|n_val_groups)|^disc_(ct_|dose_|lung_v20_limit|"
    r"treatment_weeks_)|^fig_n_isocenters")

UNSCORED_REASONS: tuple[tuple[str, Callable[[Claim], bool]], ...] = (
    ("about another study or the literature, not this cohort",
     lambda c: "literature" in c.id or "previous_study" in c.id),
    ("a cut-point or category definition: the reconstruction builds the groups from it",
     lambda c: "_cutoff" in c.id or "_ecog_level_" in c.id),
    ("a method or protocol setting (test level, landmark time, dose prescription, imaging, "
     "grading system), not a result the patients could reproduce",
     lambda c: bool(_PROTOCOL.search(c.id))),
    ("a calendar period: imposed on every date of the main cohort (checked by the cohort's "
     "tests); the S group has no dates in the synthetic data",
     lambda c: c.unit in ("date", "year")),
    ("dosimetry or treatment delivery: no patient-level record of it was published, and the "
     "synthetic cohort holds none",
     lambda c: any(k in c.id for k in ("lung_v", "dvh", "lung_tolerance", "childpugh_recovery",
                                        "ht_discontinued"))),
)
"""Why a claim of the catalogue is not on the scorecard: the first matching reason."""


def unscored() -> pd.DataFrame:
    """Every claim the scorecard does not reproduce, with the reason (claim_id, reason).

    A claim with no matching reason raises ValueError: a number added to the catalogue must be
    either reproduced or explained, never silently left out."""
    scored = computers()
    rows = []
    for cid, cl in load_claims().items():
        if cid in scored:
            continue
        reason = next((text for text, applies in UNSCORED_REASONS if applies(cl)), None)
        if reason is None:
            raise ValueError(f"claims.csv: {cid} is neither on the scorecard nor given a reason "
                             "in lungmets.synthetic.scorecard.UNSCORED_REASONS")
        rows.append({"claim_id": cid, "reason": reason})
    return pd.DataFrame(rows, columns=["claim_id", "reason"])

