"""What reproducing a missed number would cost: one targeted calibration per miss (SYNTHETIC).

Why this module exists: a miss on the scorecard that no contradiction of the paper explains
needs evidence a reader can check, not "the calibration did not reach it". For each such
claim a *probe* starts from the canonical calibration, multiplies the weight of the claim's
target by :data:`BOOST` and anneals again at low temperature (:data:`PROBE_ITERATIONS` moves,
seeded), then hunts back the hits that detour broke while the claim stays reproduced
(:data:`HUNT_ITERATIONS` moves). The probed cohort is scored with the same scorecard as the
canonical one. Three outcomes (:func:`classify`), each a row of ``data/synthetic/tradeoffs.csv``:

* **trade-off**: the claim is reproduced, but as many claims the canonical cohort reproduces
  or more break (listed, printed value beside the probed one) as the probe wins;
* **out of reach**: even weighted up, the claim stays outside its printed rounding interval
  (the closest value reached is recorded, with what that cost);
* **better**: the probed cohort reproduces the claim and more claims in all than the
  canonical one. The canonical calibration then left a better cohort unfound; the scorecard
  says so rather than call it a trade-off.

A probe is evidence from a search, not a proof: a longer or cleverer search might find what
this one did not. Proofs are the paper's contradictions (``lungmets.synthetic.reconstruct``), whose
arithmetic rules a printed value out for every cohort. The file records the cohort it was
made from (SHA-256 of the four CSVs), so a stale file is detected, not silently read.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lungmets.claims import claim
from lungmets.data_errors import cell_location
from lungmets.paths import SYNTHETIC_DIR
from lungmets.synthetic.calibrate import anneal, calibrate_times, hunt
from lungmets.synthetic.moves import limits
from lungmets.synthetic.state import Calibration
from lungmets.synthetic.targets import TARGETS

__all__ = [
    "BOOST",
    "OUTCOMES",
    "PROBE_ITERATIONS",
    "TRADEOFFS_CSV",
    "Probe",
    "classify",
    "cohort_fingerprint",
    "load_tradeoffs",
    "run_probes",
    "target_for",
    "tradeoff_table",
    "write_tradeoffs",
]

BOOST = 30.0
"""How many times its usual weight the probed target gets."""
PROBE_ITERATIONS = 4000
"""Annealing moves of one probe, from the canonical calibration."""
HUNT_ITERATIONS = 3000
"""Moves of the hunt that follows, keeping the target while winning other hits back."""
PROBE_TEMPERATURES = (0.3, 0.005)
"""Start and end temperature of a probe: low, so the cohort moves only where the boost pulls."""
TRADEOFFS_CSV = SYNTHETIC_DIR / "tradeoffs.csv"
_COHORT_FILES = ("patients.csv", "lesions.csv", "adverse_events.csv", "validation.csv")
_HEADER = "# SYNTHETIC: trade-off probes of the reconstructed cohort, not patient data; cohort "
OUTCOMES = ("trade-off", "out of reach", "better")
_COLUMNS = ("claim_id", "target", "outcome", "published", "before", "after", "broken",
            "gained")


def cohort_fingerprint(directory: Path = SYNTHETIC_DIR) -> str:
    """SHA-256 of the four cohort CSVs, in a fixed order: which cohort a probe file is about."""
    digest = hashlib.sha256()
    for name in _COHORT_FILES:
        digest.update((Path(directory) / name).read_bytes())
    return digest.hexdigest()


def target_for(claim_id: str) -> str | None:
    """The calibration target that prints the same quantity for the same group (abstract and
    results often repeat a number), or None when no target reproduces it."""
    printed = claim(claim_id)
    for tg in TARGETS:
        other = claim(tg.claim_id)
        if (other.quantity, other.group) == (printed.quantity, printed.group):
            return tg.stat
    return None


@dataclass(frozen=True)
class Probe:
    """One probe's result, as the scorecard reads it."""

    claim_id: str
    target: str
    outcome: str  # one of OUTCOMES
    published: str
    before: str
    after: str
    broken: tuple[tuple[str, str, str], ...]  # (claim id, published, probed value)
    gained: tuple[str, ...]


def _probe_one(cal: Calibration, stat: str, index: int) -> Calibration:
    """Anneal towards the boosted target, then hunt back every hit the detour broke that can
    be won back while the target stays reproduced (so the broken list is what the target
    costs, not what a random walk lost)."""
    rng = np.random.default_rng([cal.seed, 7, index])
    lim = limits()
    pulled = anneal(cal, rng, lim, True, PROBE_ITERATIONS, *PROBE_TEMPERATURES,
                    boost=(stat, BOOST))
    return hunt(pulled, rng, lim, HUNT_ITERATIONS, boost=(stat, BOOST))


def _card(cal: Calibration) -> pd.DataFrame:
    from lungmets.synthetic.reconstruct import cohort_from
    from lungmets.synthetic.scorecard import scorecard

    return scorecard(cohort_from(cal)).set_index("claim_id")


def _probe_task(args: tuple[Calibration, str, int]) -> pd.DataFrame:
    cal, stat, index = args
    return _card(_probe_one(cal, stat, index))


def run_probes(claim_ids: Sequence[str], cal: Calibration | None = None,
               workers: int = 1) -> list[Probe]:
    """Probe every claim of ``claim_ids`` (one probe per target, shared by repeated claims).

    ``cal`` defaults to the canonical calibration, recomputed (deterministic); ``workers``
    only sets how many probes run at once."""
    from lungmets.synthetic.reconstruct import (
        CANONICAL_CHAINS,
        CANONICAL_ITERATIONS,
        CANONICAL_SEED,
    )

    if cal is None:
        cal = calibrate_times(CANONICAL_SEED, CANONICAL_ITERATIONS, CANONICAL_CHAINS, workers)
    base = _card(cal)
    stats = sorted({s for s in (target_for(c) for c in claim_ids) if s is not None},
                   key=[tg.stat for tg in TARGETS].index)
    tasks = [(cal, stat, i) for i, stat in enumerate(stats)]
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            cards = dict(zip(stats, pool.map(_probe_task, tasks), strict=True))
    else:
        cards = {stat: _probe_task(task) for stat, task in zip(stats, tasks, strict=True)}
    probes = []
    for cid in claim_ids:
        stat = target_for(cid)
        if stat is None:
            continue
        card = cards[stat]
        hit_before, hit_after = base["hit"], card["hit"]
        broken = tuple((other, str(base.at[other, "published"]), str(card.at[other, "reproduced"]))
                       for other in base.index if hit_before[other] and not hit_after[other])
        gained = tuple(other for other in base.index
                       if other != cid and not hit_before[other] and hit_after[other])
        outcome = classify(bool(hit_after[cid]), len(broken), len(gained))
        probes.append(Probe(cid, stat, outcome, str(base.at[cid, "published"]),
                            str(base.at[cid, "reproduced"]), str(card.at[cid, "reproduced"]),
                            broken, gained))
    return probes


def classify(reached: bool, broken: int, gained: int) -> str:
    """A probe's outcome: "out of reach" if its claim stays missed; "better" if the probed
    cohort reproduces more claims than the canonical one (the claim, plus those gained, minus
    those broken); otherwise "trade-off": holding the claim cost at least as much as it won."""
    if not reached:
        return "out of reach"
    return "better" if 1 + gained - broken > 0 else "trade-off"


def write_tradeoffs(probes: Sequence[Probe], path: Path = TRADEOFFS_CSV,
                    directory: Path = SYNTHETIC_DIR) -> Path:
    """The probes as CSV, after a comment line naming the cohort they were made from."""
    buffer = io.StringIO()
    buffer.write(f"{_HEADER}sha256 {cohort_fingerprint(directory)}; boost {BOOST:g}, "
                 f"{PROBE_ITERATIONS} moves\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_COLUMNS)
    for p in probes:
        writer.writerow([p.claim_id, p.target, p.outcome, p.published, p.before, p.after,
                         ";".join("|".join(b) for b in p.broken), ";".join(p.gained)])
    Path(path).write_text(buffer.getvalue(), encoding="utf-8")
    return Path(path)


def load_tradeoffs(path: Path = TRADEOFFS_CSV, directory: Path = SYNTHETIC_DIR
                   ) -> dict[str, Probe]:
    """The committed probes by claim id; empty when the file is about another cohort (then
    the scorecard shows those misses as unexplained, and a test fails)."""
    path = Path(path)
    if not path.exists():
        return {}
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0].startswith(_HEADER + "sha256 "):
        raise ValueError(f"{cell_location(path, 1)}: expected the '{_HEADER.strip()}' comment")
    if lines[0].removeprefix(_HEADER + "sha256 ").split(";")[0] != cohort_fingerprint(directory):
        return {}
    reader = csv.DictReader(lines[1:])
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise ValueError(f"{cell_location(path, 2)}: columns {reader.fieldnames}, "
                         f"expected {_COLUMNS}")
    out = {}
    for line_no, row in enumerate(reader, start=3):
        if row["outcome"] not in OUTCOMES:
            raise ValueError(f"{cell_location(path, line_no, 'outcome')}: {row['outcome']!r} "
                             f"is not one of {list(OUTCOMES)}")
        broken = tuple(tuple(item.split("|")) for item in row["broken"].split(";") if item)
        out[row["claim_id"]] = Probe(row["claim_id"], row["target"], row["outcome"],
                                     row["published"], row["before"], row["after"],
                                     broken,  # type: ignore[arg-type]
                                     tuple(g for g in row["gained"].split(";") if g))
    return out



_OUTCOME_WORDS = {"trade-off": "Trade-off", "out of reach": "Out of reach",
                  "better": "A better cohort exists"}


def tradeoff_table(probes: dict[str, Probe] | None = None) -> pd.DataFrame:
    """The probes as a reader's table: the number, printed, canonical, probed, the outcome, how
    many numbers the probed cohort wins and breaks, and the first three broken (printed →
    probed)."""
    probes = load_tradeoffs() if probes is None else probes
    rows = []
    for p in probes.values():
        broken = [f"{claim(cid).label}: {published} \u2192 {after}"
                  for cid, published, after in p.broken]
        rows.append({
            "Printed number": claim(p.claim_id).label,
            "Published": p.published,
            "Canonical cohort": p.before,
            f"Weighted up {BOOST:g}\u00d7": p.after,
            "Outcome": _OUTCOME_WORDS[p.outcome],
            "Numbers it wins": len(p.gained),
            "Numbers it breaks": len(broken),
            "Which (first three)": "; ".join(broken[:3]) if broken else "none",
        })
    return pd.DataFrame(rows)
