"""The exact label polish (lungmets.synthetic.polish): its batched log-rank p-values are the
calibration's own, its enumeration finds exactly the labelings a brute force finds, and the
stage never costs a reproduced claim or bends the hunt's rules."""

from itertools import combinations

import numpy as np
import pytest

from lungmets.stats.fast_stats import counts, logrank_pairs
from lungmets.synthetic import polish
from lungmets.synthetic.loss import compile_targets, hit_score, printings
from lungmets.synthetic.moves import initial_state
from lungmets.synthetic.state import evaluate, factor_column

TOLERANCE = 1e-11
"""Relative agreement of the quadratic-form p with fast_stats' (same statistic, other sums)."""


def _direct_p(t: np.ndarray, e: np.ndarray, z: np.ndarray) -> float:
    """Log-rank p of the labeling z by the calibration's own engine."""
    nn, dd, _ = counts(t, e.astype(float), np.vstack([np.ones(t.size), z]).astype(float))
    return float(logrank_pairs(nn[1:], dd[1:], nn[:1], dd[:1])[0])


@pytest.fixture(scope="module")
def sample() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """14 patients with tied times, censoring and a labeling with 5 in level 1."""
    rng = np.random.default_rng(3)
    t = rng.integers(5, 60, 14)
    t[3] = t[7] = t[9]  # a three-way tie
    e = (rng.random(14) < 0.7).astype(int)
    z = np.zeros(14, dtype=int)
    z[[0, 3, 5, 8, 11]] = 1
    return t, e, z


def test_quadratic_form_p_is_the_log_rank_p_of_the_calibration(sample) -> None:
    t, e, z = sample
    terms = polish.LogrankTerms.build(t, e)
    rows = np.array([np.flatnonzero(z)])
    assert polish._subset_p(terms, rows, False)[0] == pytest.approx(_direct_p(t, e, z),
                                                                   rel=TOLERANCE)
    # the same labeling named by its level 0 (the complement path)
    zeros = np.array([np.flatnonzero(z == 0)])
    assert polish._subset_p(terms, zeros, True)[0] == pytest.approx(_direct_p(t, e, z),
                                                                   rel=TOLERANCE)


@pytest.mark.parametrize("size", [1, 2])
def test_every_swap_p_matches_the_swapped_labeling(sample, size: int) -> None:
    t, e, z = sample
    p, out_sets, in_sets = polish.swap_p(polish.LogrankTerms.build(t, e), z, size)
    assert p.shape == (len(out_sets), len(in_sets))
    for i, out in enumerate(out_sets):
        for j, into in enumerate(in_sets):
            swapped = z.copy()
            swapped[out], swapped[into] = 0, 1
            assert p[i, j] == pytest.approx(_direct_p(t, e, swapped), rel=TOLERANCE)


def test_enumeration_finds_exactly_the_labelings_inside_both_windows(sample) -> None:
    t, e, z = sample
    t_os = t + 3 * (np.arange(t.size) % 4)
    terms = {"pfs": polish.LogrankTerms.build(t, e), "os": polish.LogrankTerms.build(t_os, e)}
    every = []
    for ones in combinations(range(t.size), int(z.sum())):
        lab = np.zeros(t.size, dtype=int)
        lab[list(ones)] = 1
        every.append((lab, _direct_p(t, e, lab), _direct_p(t_os, e, lab)))
    # windows around the median p of each endpoint, wide enough to hold a few labelings
    mid = [float(np.median([row[k] for row in every])) for k in (1, 2)]
    windows = polish._Windows((mid[0] * 0.8, mid[1] * 0.8), (mid[0] * 1.25, mid[1] * 1.25))
    expected = [lab.tolist() for lab, pp, po in every
                if windows.lower[0] <= pp < windows.upper[0]
                and windows.lower[1] <= po < windows.upper[1]]
    start = next(lab for lab, pp, po in every
                 if not windows.lower[0] <= pp < windows.upper[0]
                 and not windows.lower[1] <= po < windows.upper[1])
    found = [lab.tolist() for lab in polish._enumerated(start, terms, windows)]
    assert 0 < len(expected) < len(every)
    assert sorted(found[:len(expected)]) == sorted(expected)  # both windows hit come first
    one_window = [lab for lab, pp, po in every
                  if (windows.lower[0] <= pp < windows.upper[0])
                  != (windows.lower[1] <= po < windows.upper[1])]
    assert len(found) == min(len(expected) + len(one_window), polish.ENUMERATED_TRIALS)


def test_descent_never_ends_further_from_the_windows_than_it_started(sample) -> None:
    t, e, z = sample
    terms = {"pfs": polish.LogrankTerms.build(t, e), "os": polish.LogrankTerms.build(t + 2, e)}
    windows = polish._Windows((0.30, 0.60), (0.301, 0.601))
    end = polish._descend(z, terms, windows)
    assert end.sum() == z.sum()

    def key(lab: np.ndarray) -> tuple[int, float]:
        m, d = windows.key(_direct_p(t, e, lab), _direct_p(t + 2, e, lab))
        return int(m), float(d)

    assert key(end) <= key(z)


def test_polish_keeps_every_margin_and_the_hunts_rules(monkeypatch) -> None:
    """From a raw start (many misses), a short polish: only the polished factors' codes move,
    each keeps its margin, and no reproduced claim, p-value side or stepwise margin is lost."""
    monkeypatch.setattr(polish, "RESTARTS", 2)
    monkeypatch.setattr(polish, "ENUMERATION_LIMIT", 20_000)
    start = initial_state(11)
    out = polish.polish_labels(start, np.random.default_rng(0))
    comp, weights = compile_targets(True), printings()
    before = hit_score(comp, weights, evaluate(start))
    after = hit_score(comp, weights, evaluate(out))
    assert after.hits >= before.hits
    assert after.allowed_after(before, float("inf"))
    assert out.loss == after.loss
    moved = {f for f in polish.EXACT_FACTORS
             if not np.array_equal(out.codes[:, factor_column(f)],
                                   start.codes[:, factor_column(f)])}
    for f in polish.EXACT_FACTORS:
        j = factor_column(f)
        assert np.bincount(out.codes[:, j]).tolist() == np.bincount(start.codes[:, j]).tolist()
    others = [j for j in range(start.codes.shape[1])
              if j not in {factor_column(f) for f in polish.EXACT_FACTORS}]
    assert np.array_equal(out.codes[:, others], start.codes[:, others])
    for name in ("os", "os_ev", "pfs", "pfs_ev", "pdr", "s_os", "s_ev"):
        assert np.array_equal(getattr(out, name), getattr(start, name))
    assert (after.hits > before.hits) == bool(moved)
