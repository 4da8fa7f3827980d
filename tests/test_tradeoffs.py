"""The trade-off probes: committed for the committed cohort, consistent with the scorecard."""

from __future__ import annotations

from pathlib import Path

import pytest

from lungmets.claims import claim
from lungmets.synthetic.loss import compile_targets
from lungmets.synthetic.reconstruct import contradictions
from lungmets.synthetic.scorecard import (
    BETTER,
    NOT_REACHED,
    OUT_OF_REACH,
    TRADE_OFF,
    probed_misses,
    reason,
    scorecard,
)
from lungmets.synthetic.tradeoffs import (
    TRADEOFFS_CSV,
    classify,
    cohort_fingerprint,
    load_tradeoffs,
    target_for,
    tradeoff_table,
)


@pytest.fixture(scope="module")
def card():
    return scorecard().set_index("claim_id")


def test_no_miss_is_left_unexplained(card) -> None:
    """Every miss carries a contradiction, a probe's outcome or another stated reason."""
    misses = card.loc[~card["hit"]]
    assert not (misses["note"] == NOT_REACHED).any(), \
        misses.index[misses["note"] == NOT_REACHED].tolist()
    assert (misses["note"] != "").all()


def test_probes_start_from_the_committed_cohort(card) -> None:
    """Each probe's 'before' is what the scorecard reproduces today, and it was a miss."""
    probes = load_tradeoffs()
    assert probes, f"{TRADEOFFS_CSV} is missing or about another cohort: make tradeoffs"
    for cid, probe in probes.items():
        assert card.at[cid, "reproduced"] == probe.before, cid
        assert not card.at[cid, "hit"], cid
        assert probe.published == card.at[cid, "published"], cid


def test_outcomes_agree_with_their_numbers(card) -> None:
    """A probe that reproduces its claim has an 'after' inside the printed interval; a
    trade-off broke something, a reachable one nothing; broken claims were hits."""
    for cid, probe in load_tradeoffs().items():
        reached = claim(cid).matches(float(probe.after))
        assert reached == (probe.outcome != "out of reach"), cid
        net = 1 + len(probe.gained) - len(probe.broken)
        if probe.outcome != "out of reach":
            assert (net > 0) == (probe.outcome == "better"), cid
        for other, published, after in probe.broken:
            assert card.at[other, "hit"], (cid, other)
            assert published == card.at[other, "published"], (cid, other)
            if after != "not estimable":
                assert not claim(other).matches(float(after)), (cid, other)


def test_probe_notes_read_as_their_cost(card) -> None:
    probes = load_tradeoffs()
    noted = card.loc[card["note"].isin([TRADE_OFF, OUT_OF_REACH, BETTER])]
    assert set(noted.index) == set(probes)
    for cid, note in noted["note"].items():
        text = reason(note, cid)
        assert probes[cid].after in text and "weights it 30 times" in text
        if note == TRADE_OFF:
            assert f"{len(probes[cid].broken)} numbers reproduced now miss" in text


def test_a_probe_file_of_another_cohort_is_not_read(tmp_path: Path) -> None:
    stale = tmp_path / "tradeoffs.csv"
    text = TRADEOFFS_CSV.read_text(encoding="utf-8")
    stale.write_text(text.replace(cohort_fingerprint(), "0" * 64), encoding="utf-8")
    assert load_tradeoffs(stale) == {}


def test_a_bad_outcome_names_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "tradeoffs.csv"
    lines = TRADEOFFS_CSV.read_text(encoding="utf-8").splitlines()
    first = lines[2].split(",")
    first[2] = "maybe"
    bad.write_text("\n".join([*lines[:2], ",".join(first), *lines[3:]]) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"tradeoffs.csv, line 3, column 'outcome'"):
        load_tradeoffs(bad)


def test_repeated_numbers_share_one_target() -> None:
    """The abstract and the results print the same median SE: one target probes both."""
    assert target_for("abs_os_median_se_sorafenib_yes") == "os_se_sor_yes"
    assert target_for("res_pfs_logrank_p_sorafenib") == target_for("t1_pfs_uni_p_sorafenib")
    assert target_for("met_val_sorafenib_days_median_se") is None


def test_boost_multiplies_one_weight_only() -> None:
    plain = compile_targets(True)
    boosted = compile_targets(True, ("os_se_sor_yes", 30.0))
    ratio = boosted.weight / plain.weight
    i = plain.stats.index("os_se_sor_yes")
    assert ratio[i] == 30.0
    assert (ratio[[k for k in range(ratio.size) if k != i]] == 1.0).all()


def test_reader_table_has_labels_not_ids() -> None:
    table = tradeoff_table()
    assert len(table) == len(load_tradeoffs())
    assert not table["Printed number"].str.contains("_").any()
    assert set(table["Outcome"]) <= {"Trade-off", "Out of reach", "A better cohort exists"}


@pytest.mark.parametrize(("reached", "broken", "gained", "outcome"), [
    (False, 0, 5, "out of reach"),  # never a hit, whatever else it wins
    (True, 0, 0, "better"),  # the claim itself is one more hit
    (True, 3, 2, "trade-off"),  # 1 + 2 - 3 = 0: no net gain
    (True, 3, 3, "better"),
])
def test_classify_counts_the_claim_itself(reached: bool, broken: int, gained: int,
                                          outcome: str) -> None:
    assert classify(reached, broken, gained) == outcome


def test_probed_misses_are_the_misses_no_contradiction_explains(card) -> None:
    probed = set(probed_misses(card.reset_index()))
    assert probed == set(load_tradeoffs())
    contradicted = {c for ms in contradictions().misses for c in ms}
    assert not probed & contradicted
