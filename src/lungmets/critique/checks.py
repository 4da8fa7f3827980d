"""The audit's vocabulary and the tools its families of checks share.

Why this module exists: every family of checks speaks one language: a :class:`Check` with one of
the :data:`VERDICTS`, claims read through :class:`Claims` (which reports an id the catalogue
lacks), and printed numbers taken at their printed precision (:func:`bounds`). Keeping it apart
from the orchestration in :mod:`lungmets.critique.audit` lets the families and the audit import
it without importing each other.

The arithmetic helpers (:func:`percent_consistent`, :func:`counts_for_percent`,
:func:`p_from_ci`, :func:`ci_from_median_se`, :func:`se_from_ci`) take plain numbers or claims
and work on any paper.

References: Altman DG, Bland JM. How to obtain the P value from a confidence interval. BMJ
2011;343:d2304 (P from a CI). Altman DG, Bland JM. How to obtain the confidence interval from a P
value. BMJ 2011;343:d2090 (its inverse).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from scipy.stats import norm

from lungmets.claims import Claim

__all__ = [
    "FAMILIES",
    "MINUS",
    "TIMES",
    "VERDICTS",
    "Z95",
    "Check",
    "Claims",
    "MissingClaim",
    "Verdict",
    "as_int",
    "bounds",
    "ci_from_median_se",
    "counts_for_percent",
    "overlap",
    "p_from_ci",
    "percent_consistent",
    "se_from_ci",
    "tick",
    "verdict",
]

Verdict = Literal["consistent", "inconsistent", "not checkable"]
VERDICTS: tuple[str, ...] = ("consistent", "inconsistent", "not checkable")

#: The normal quantile SPSS and Altman & Bland use for a 95% interval.
Z95: float = 1.96

#: Family key -> heading, in the order the chapter presents them.
FAMILIES: dict[str, str] = {
    "percentages": "Percentages against their counts",
    "sums": "Subgroups that must add up",
    "adverse_events": "Adverse events: Table 2 against itself and the text",
    "median_ci": "Medians, standard errors and confidence intervals",
    "hazard_ratios": "Hazard ratios: the p-value and symmetry their CIs imply",
    "repeated": "The same quantity printed in two places",
    "landmarks": "Landmark survival rates against medians",
    "pooled": "Whole cohort against its subgroups",
    "follow_up": "Follow-up and calendar dates",
    "ranges": "Medians, ranges and the number after the ±",
    "wording": "Words against tables and figures",
    "sentences": "Sentence by sentence: the Results and the Discussion",
}

_OK, _BAD = "✓", "✗"
TIMES, MINUS = "\u00d7", "\u2212"  # multiplication and minus signs for the arithmetic strings


@dataclass(frozen=True)
class Check:
    """One consistency check: what was compared, the arithmetic, the verdict and its meaning."""

    id: str
    family: str
    title: str
    claim_ids: tuple[str, ...]
    arithmetic: str
    verdict: Verdict
    explanation: str
    #: The key computed numbers (unrounded), for tests and for gluing into prose.
    values: dict[str, float] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"check {self.id}: verdict {self.verdict!r} not in {VERDICTS}")
        if self.family not in FAMILIES:
            raise ValueError(f"check {self.id}: family {self.family!r} not in FAMILIES")


# --------------------------------------------------------------------------------------------
# Reusable helpers (any paper)
# --------------------------------------------------------------------------------------------


def bounds(printed: Claim) -> tuple[float, float]:
    """The interval of true values a printed number stands for (None/NaN means unbounded)."""
    lo = -math.inf if printed.lower is None or _isnan(printed.lower) else float(printed.lower)
    hi = math.inf if printed.upper is None or _isnan(printed.upper) else float(printed.upper)
    return lo, hi


def _isnan(x: object) -> bool:
    return isinstance(x, float) and math.isnan(x)


def percent_consistent(count: int, denominator: int, printed: Claim) -> bool:
    """Whether ``count/denominator`` (as a percentage) rounds to the printed percentage.

    Uses the claim's own rounding interval, so ``80`` is matched by 79.5-80.5 and ``80.0`` only by
    79.95-80.05: the check is as strict as the paper's printing, no stricter.
    """
    if denominator <= 0:
        raise ValueError(f"denominator must be positive, got {denominator}")
    return bool(printed.matches(100.0 * count / denominator))


def counts_for_percent(printed: Claim, denominator: int) -> list[int]:
    """Every count k in 0..denominator whose k/denominator rounds to the printed percentage.

    The reverse question a reader asks when a paper prints only a percentage: which counts could
    it be? An empty list means no count works with that denominator.
    """
    if denominator <= 0:
        raise ValueError(f"denominator must be positive, got {denominator}")
    return [k for k in range(denominator + 1) if percent_consistent(k, denominator, printed)]


def se_from_ci(lower: float, upper: float, *, ratio: bool = False, z: float = Z95) -> float:
    """Standard error implied by a symmetric 95% CI: (u - l)/(2·1.96), on the log scale for ratios.

    Altman & Bland, BMJ 2011;343:d2304, step 1 (and case b for ratios).
    """
    if not lower < upper:
        raise ValueError(f"CI lower {lower} must be below upper {upper}")
    if ratio:
        if lower <= 0:
            raise ValueError(f"a ratio CI must be positive, got lower {lower}")
        return (math.log(upper) - math.log(lower)) / (2 * z)
    return (upper - lower) / (2 * z)


def p_from_ci(
    estimate: float,
    lower: float,
    upper: float,
    *,
    ratio: bool = True,
    method: Literal["altman-bland", "normal"] = "altman-bland",
) -> float:
    """Two-sided p-value implied by an estimate and its 95% CI.

    Altman DG, Bland JM. How to obtain the P value from a confidence interval. BMJ
    2011;343:d2304: SE = (u - l)/(2·1.96), z = |Est|/SE, P = exp(-0.717·z - 0.416·z²), with Est,
    l and u on the log scale for a ratio (hazard, odds, risk ratio). ``method="normal"`` returns
    the exact normal tail 2·(1 - Φ(z)) instead of their approximation; a Wald test (Cox
    regression in SPSS) uses that same z, so the two differ only by the approximation's error
    (a few per cent of p for z between 2 and 3.5).
    """
    if ratio and estimate <= 0:
        raise ValueError(f"a ratio estimate must be positive, got {estimate}")
    est = math.log(estimate) if ratio else estimate
    z = abs(est) / se_from_ci(lower, upper, ratio=ratio)
    if method == "altman-bland":
        return math.exp(-0.717 * z - 0.416 * z * z)
    if method == "normal":
        return float(2 * norm.sf(z))
    raise ValueError(f"method must be 'altman-bland' or 'normal', got {method!r}")


def ci_from_median_se(median: float, se: float, z: float = Z95) -> tuple[float, float]:
    """The 95% CI SPSS prints for a Kaplan-Meier median: median ± 1.96·SE (not clipped at 0)."""
    if se < 0:
        raise ValueError(f"a standard error cannot be negative, got {se}")
    return median - z * se, median + z * se


# --------------------------------------------------------------------------------------------
# Tools the families share
# --------------------------------------------------------------------------------------------


class MissingClaim(KeyError):
    """A claim id the audit needs is not in the catalogue."""


class Claims:
    """Read access to the catalogue that records which ids a check needed but did not find."""

    def __init__(self, catalogue: dict[str, Claim]) -> None:
        self._catalogue = catalogue

    def __call__(self, claim_id: str) -> Claim:
        try:
            return self._catalogue[claim_id]
        except KeyError:
            raise MissingClaim(claim_id) from None

    def get(self, claim_id: str) -> Claim | None:
        return self._catalogue.get(claim_id)

    def find(self, predicate: Callable[[Claim], bool]) -> list[Claim]:
        return [c for c in self._catalogue.values() if predicate(c)]

    def values(self) -> Iterable[Claim]:
        return self._catalogue.values()


def tick(ok: bool) -> str:
    """The mark after a comparison in an arithmetic string: ✓ when it holds, ✗ when not."""
    return _OK if ok else _BAD


def as_int(c: Claim) -> int:
    """A printed count as an int (counts are printed without decimals)."""
    if c.number is None or _isnan(c.number) or float(c.number) != int(c.number):
        raise ValueError(f"claim {c.id}: value {c.value!r} is not a whole count")
    return int(c.number)


def overlap(intervals: Sequence[tuple[float, float]]) -> bool:
    """Whether half-open intervals [lo, hi) share at least one point."""
    return max(lo for lo, _ in intervals) < min(hi for _, hi in intervals)


def verdict(ok: bool) -> Verdict:
    """The verdict of a check the printed numbers settle either way."""
    return "consistent" if ok else "inconsistent"
