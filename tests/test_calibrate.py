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
