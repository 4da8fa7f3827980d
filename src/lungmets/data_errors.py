"""One wording for errors about the project's data files: which file, which CSV line, which column.

Why this module exists: a reader who meets a bad cell opens the file in an editor or a
spreadsheet, where lines are counted with the header as line 1. The claims catalogue, the sentence
ledger, the cohort files, the trade-off probes and the ensemble's members table all report a bad
cell that way, with the same words, and check their id columns with the same rule.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["ID_PATTERN", "IdColumn", "cell_location"]

ID_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
"""The snake_case form of every id in ``data/published/`` (claims, audit checks, ledger keys)."""


def cell_location(path: Path | str, line: int = 0, column: str = "") -> str:
    """"file, line N, column 'c'" (line 1 is the header); 0 or "" leaves that part out, for an
    error about a whole column or a whole row."""
    return (str(path) + (f", line {line}" if line else "")
            + (f", column '{column}'" if column else ""))


class IdColumn:
    """A column of snake_case ids, each on one line only: remembers the line where each id
    first appeared, so a duplicate names both lines."""

    def __init__(self, path: Path | str, column: str, error: type[ValueError]) -> None:
        self.path, self.column, self.error = path, column, error
        self.first_line: dict[str, int] = {}

    def add(self, ident: str, line: int) -> str:
        """Accept ``ident`` read on ``line``, or raise ``error`` naming the cell."""
        where = cell_location(self.path, line, self.column)
        if not ID_PATTERN.fullmatch(ident):
            raise self.error(f"{where}: {ident!r} is not snake_case")
        if ident in self.first_line:
            raise self.error(f"{where}: {ident!r} duplicates the {self.column} on line "
                             f"{self.first_line[ident]}")
        self.first_line[ident] = line
        return ident
