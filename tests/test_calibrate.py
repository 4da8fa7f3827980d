"""The calibration's hand-set constants are shown in the book exactly as the code holds them."""

from dataclasses import fields

import pytest

from lungmets.synthetic.targets import LOSS, SCHEDULE, constants_table


@pytest.mark.parametrize("constants", [LOSS, SCHEDULE], ids=["loss", "schedule"])
def test_constants_table_lists_every_constant_with_its_meaning(constants) -> None:
    """The reconstruction chapter shows this table; it must be the code's own values."""
    rows = constants_table(constants)
    assert [r["constant"] for r in rows] == [f.name for f in fields(constants)]
    for row in rows:
        assert row["value"] == getattr(constants, row["constant"])
        assert len(row["meaning"]) > 20


def test_time_neighbours_are_feasible_one_patient_moves() -> None:
    """The study's exhaustive neighbourhood: each state moves one time of one patient by one of
    the random moves' step sizes and keeps every hard constraint (events, labels, PDR)."""
    import numpy as np

    from lungmets.synthetic.moves import TIME_STEPS, initial_state, limits, time_neighbours

    start = initial_state(3)
    neighbours = list(time_neighbours(start, limits()))
    most = (int(start.pfs_ev.sum()) + start.os.size + start.s_os.size) * 2 * len(TIME_STEPS)
    assert 0 < len(neighbours) <= most
    for x in neighbours:
        for name in ("codes", "pdr", "os_ev", "pfs_ev", "s_ev"):
            assert np.array_equal(getattr(x, name), getattr(start, name))
        moved = [np.flatnonzero(getattr(x, name) != getattr(start, name))
                 for name in ("pfs", "os", "s_os")]
        main = set(moved[0]) | set(moved[1])
        assert (len(main), len(moved[2])) in {(1, 0), (0, 1)}
        steps = {abs(int(d)) for name in ("pfs", "os", "s_os")
                 for d in (getattr(x, name) - getattr(start, name)) if d}
        assert steps <= set(TIME_STEPS)



def test_s_group_neighbours_move_one_s_patient_by_every_step() -> None:
    """The S-group sweep: one S-group time moved by each step up to the limit, or one S-group
    event flipped; the main cohort untouched, and never an S group without a survivor."""
    import numpy as np

    from lungmets.synthetic.moves import initial_state, limits, s_group_neighbours

    start = initial_state(3)
    neighbours = list(s_group_neighbours(start, limits(), 4))
    assert 0 < len(neighbours) <= start.s_os.size * 9
    seen_steps = set()
    for step, x in neighbours:
        for name in ("codes", "pdr", "os", "os_ev", "pfs", "pfs_ev"):
            assert np.array_equal(getattr(x, name), getattr(start, name))
        moved_time = np.flatnonzero(x.s_os != start.s_os)
        flipped = np.flatnonzero(x.s_ev != start.s_ev)
        if step:
            assert flipped.size == 0 and moved_time.size == 1
            assert int(x.s_os[moved_time[0]] - start.s_os[moved_time[0]]) == step
        else:
            assert moved_time.size == 0 and flipped.size == 1
        assert x.s_ev.sum() < x.s_ev.size
        seen_steps.add(step)
    assert seen_steps == {-4, -3, -2, -1, 0, 1, 2, 3, 4}
