"""The shared wording of data-file errors: file, CSV line, column; unique snake_case ids."""

from __future__ import annotations

import pytest

from lungmets.data_errors import IdColumn, cell_location


class LedgerError(ValueError):
    """Stands for a caller's own error class."""


def test_the_location_names_file_line_and_column() -> None:
    assert cell_location("claims.csv", 7, "id") == "claims.csv, line 7, column 'id'"
    assert cell_location("claims.csv", 7) == "claims.csv, line 7"
    assert cell_location("claims.csv", column="id") == "claims.csv, column 'id'"


def test_an_id_column_names_both_lines_of_a_duplicate() -> None:
    ids = IdColumn("s.csv", "key", LedgerError)
    assert ids.add("os_median", 2) == "os_median"
    assert ids.add("pfs_median", 3) == "pfs_median"
    with pytest.raises(LedgerError, match=r"^s\.csv, line 5, column 'key': 'os_median' "
                                          r"duplicates the key on line 2$"):
        ids.add("os_median", 5)


@pytest.mark.parametrize("bad", ["OS_median", "os-median", "1os", "os__median", ""])
def test_an_id_column_rejects_what_is_not_snake_case(bad: str) -> None:
    with pytest.raises(LedgerError, match=r"line 4, column 'id': .* is not snake_case$"):
        IdColumn("c.csv", "id", LedgerError).add(bad, 4)
