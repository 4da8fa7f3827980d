"""A consistency audit of the paper's own numbers, before any reanalysis.

Why this module exists: a reanalysis can only be as trustworthy as the numbers it calibrates to.
Before asking whether a synthetic cohort reproduces Sun et al. (2016), we ask whether the paper
agrees with *itself*: do percentages follow from their counts, do subgroups add up, do confidence
intervals, p-values and medians fit together, is a number printed twice printed the same way?

Every check is data (:class:`~lungmets.critique.checks.Check`): the claim ids it reads, the
arithmetic with the printed numbers substituted, a verdict and what the verdict means for a
reader. Verdicts are computed from the claims catalogue (:mod:`lungmets.claims`), never typed,
and they respect printed precision: a printed ``64.4`` stands for every value in its rounding
interval [64.35, 64.45), so a percentage is "consistent" when some value its count and
denominator allow rounds to it as printed.

Verdicts:

* ``consistent``: the printed numbers can all be true at once (at their printed precision);
* ``inconsistent``: no value inside the printed rounding intervals makes them agree;
* ``not checkable``: the question is well posed but the printed numbers cannot settle it (the
  explanation says what is missing).

This module runs the audit: :func:`run_audit` calls every family's builder on the claims
catalogue, and :func:`audit_frame` and :func:`summary` turn the checks into the chapter's tables
and counts. The families live in modules named for their concern:

* :mod:`lungmets.critique.counts`: percentages against their counts, subgroups that must add up,
  adverse events;
* :mod:`lungmets.critique.survival`: medians and their CIs, hazard ratios, landmark rates, the
  whole cohort against its subgroups, follow-up and calendar dates;
* :mod:`lungmets.critique.wording`: the same quantity printed twice, medians with their ranges
  and "±", words against tables and figures;
* :mod:`lungmets.critique.sentence_audit`: every quantitative sentence of the Results and the
  Discussion.

Their shared vocabulary (:class:`~lungmets.critique.checks.Check`, the verdicts, the family
headings) and the helpers that work on any paper are in :mod:`lungmets.critique.checks`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from lungmets.claims import Claim, load_claims
from lungmets.critique.checks import FAMILIES, VERDICTS, Check, Claims, MissingClaim
from lungmets.critique.counts import adverse_events, percentages, sums
from lungmets.critique.sentence_audit import sentences
from lungmets.critique.survival import follow_up, hazard_ratios, landmarks, median_ci, pooled
from lungmets.critique.wording import ranges, repeated, wording

__all__ = ["audit_frame", "missing_claim_ids", "run_audit", "summary"]

#: The family builders in the order of :data:`~lungmets.critique.checks.FAMILIES`; each takes the
#: catalogue and returns its checks, and its function name is its family's key.
_BUILDERS: tuple[Callable[[Claims], list[Check]], ...] = (
    percentages, sums, adverse_events, median_ci, hazard_ratios, repeated, landmarks, pooled,
    follow_up, ranges, wording, sentences,
)


def run_audit(catalogue: dict[str, Claim] | None = None) -> list[Check]:
    """Run every check against the claims catalogue (the published one by default).

    A family whose claims are missing from the catalogue yields one "not checkable" check whose
    ``claim_ids`` is the missing id (see :func:`missing_claim_ids`) instead of failing the whole
    audit, so a gap in the catalogue shows up on the page rather than hiding a whole family.
    """
    c = Claims(load_claims() if catalogue is None else catalogue)
    checks: list[Check] = []
    for build in _BUILDERS:
        family = build.__name__
        try:
            checks.extend(build(c))
        except MissingClaim as err:
            checks.append(Check(
                f"{family}_missing_claim", family, f"{FAMILIES[family]}: claims missing",
                (str(err.args[0]),), f"claim {err.args[0]} is not in the catalogue",
                "not checkable",
                "The claims catalogue lacks a number this family needs; the family was skipped.",
            ))
    ids = [ch.id for ch in checks]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RuntimeError(f"duplicate check ids: {dupes}")
    return checks


def missing_claim_ids(checks: Sequence[Check] | None = None) -> list[str]:
    """Claim ids the audit needed but did not find in the catalogue (empty when complete), each
    once even when several families needed it."""
    checks = run_audit() if checks is None else checks
    return list(dict.fromkeys(ch.claim_ids[0] for ch in checks
                              if ch.id.endswith("_missing_claim")))


def audit_frame(checks: Sequence[Check] | None = None) -> pd.DataFrame:
    """The audit as a table: one row per check, families in presentation order."""
    checks = run_audit() if checks is None else checks
    df = pd.DataFrame(
        [{"id": ch.id, "family": ch.family, "family_title": FAMILIES[ch.family],
          "title": ch.title, "claim_ids": ", ".join(ch.claim_ids),
          "arithmetic": ch.arithmetic, "verdict": ch.verdict,
          "explanation": ch.explanation} for ch in checks]
    )
    order = {f: i for i, f in enumerate(FAMILIES)}
    return df.sort_values("family", key=lambda s: s.map(order), kind="stable").reset_index(
        drop=True)


def summary(checks: Sequence[Check] | None = None) -> dict[str, int]:
    """Number of checks per verdict (every verdict present, zero if none), plus the total."""
    checks = run_audit() if checks is None else checks
    counts = {v: sum(ch.verdict == v for ch in checks) for v in VERDICTS}
    counts["total"] = len(checks)
    return counts
