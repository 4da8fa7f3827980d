"""The paper's published numbers, typed and validated: the only door to ``claims.csv``.

Every published number the book uses is read here, never typed again. A printed value keeps its
printed precision, because "7.50" claims more than "7.5": :class:`Claim` turns the text into the
interval of true values that round (half up) to what was printed, so a reproduced number can be
judged a hit or a miss at exactly the precision the authors committed to.

Values are text as printed: decimals (``7.50``), inequalities (``<0.001``, ``≥60``), spelled-out
counts (``six``, ``twice``; the paper writes some counts in words) and dates (unit ``date``:
``October 2011``, ``October 24, 2015``).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pandas as pd

from lungmets.paths import PUBLISHED_DIR

__all__ = [
    "COLUMNS",
    "MAX_QUOTE_LENGTH",
    "NUMBER_WORDS",
    "SECTIONS",
    "Claim",
    "ClaimsError",
    "claim",
    "claims_frame",
    "load_claims",
    "value",
]

COLUMNS: tuple[str, ...] = (
    "id", "section", "quantity", "group", "value", "unit", "source", "quote",
)
SECTIONS: frozenset[str] = frozenset(
    {"cohort", "response", "survival", "prognostic", "adverse_events", "validation", "dosimetry",
     "methods"}
)
MAX_QUOTE_LENGTH = 120
NUMBER_WORDS: dict[str, int] = {
    "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "once": 1, "twice": 2,
}
"""Counts the paper spells out ("six patients", "twice daily"); exact integers."""

_DEFAULT_PATH: Path = PUBLISHED_DIR / "claims.csv"
_RELATIONS: dict[str, str] = {"<=": "<=", ">=": ">=", "≤": "<=", "≥": ">=", "<": "<", ">": ">"}
_NUMBER = re.compile(r"(?P<rel><=|>=|≤|≥|<|>)?(?P<num>\d+(?:\.(?P<frac>\d+))?)")
_ID = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_DATE_FORMATS: tuple[str, ...] = ("%B %d, %Y", "%B %Y")


class ClaimsError(ValueError):
    """A malformed claims file; the message names the file, the row (CSV line) and the column."""


def _parse_date(text: str) -> dt.date:
    """Dates as printed; a month without a day means the first of that month."""
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date like 'October 2011' or 'October 24, 2015'")


@dataclass(frozen=True)
class Claim:
    """One printing of one published number, with the interval its printed digits stand for."""

    id: str
    section: str
    quantity: str
    group: str
    value: str
    unit: str
    source: str
    quote: str
    number: float | None = field(init=False)
    relation: str = field(init=False)
    decimals: int = field(init=False)
    lower: float = field(init=False)
    upper: float = field(init=False)
    date: dt.date | None = field(init=False)

    def __post_init__(self) -> None:
        text = self.value.strip()
        number: float | None
        date: dt.date | None = None
        if self.unit == "date":
            date, number, relation, decimals = _parse_date(text), None, "=", 0
            lower = upper = math.nan
        elif text.lower() in NUMBER_WORDS:
            number, relation, decimals = float(NUMBER_WORDS[text.lower()]), "=", 0
            lower, upper = self._bounds(Decimal(NUMBER_WORDS[text.lower()]), relation, 0)
        else:
            match = _NUMBER.fullmatch(text)
            if match is None:
                raise ValueError(f"{self.value!r} is not a number")
            relation = _RELATIONS[match["rel"]] if match["rel"] else "="
            decimals = len(match["frac"] or "")
            exact = Decimal(match["num"])
            number = float(exact)
            lower, upper = self._bounds(exact, relation, decimals)
        for name, attr in (("number", number), ("relation", relation), ("decimals", decimals),
                           ("lower", lower), ("upper", upper), ("date", date)):
            object.__setattr__(self, name, attr)

    @staticmethod
    def _bounds(exact: Decimal, relation: str, decimals: int) -> tuple[float, float]:
        """Half-open rounding interval for '='; the open or closed ray for inequalities."""
        if relation == "=":
            half = Decimal(5).scaleb(-(decimals + 1))
            return float(exact - half), float(exact + half)
        if relation in ("<", "<="):
            return -math.inf, float(exact)
        return float(exact), math.inf

    def _require_number(self) -> float:
        if self.number is None:
            raise TypeError(f"claim {self.id!r} is a date ({self.value}); compare .date instead")
        return self.number

    def matches(self, x: float) -> bool:
        """True when ``x`` reproduces the printed value at its printed precision."""
        self._require_number()
        if self.relation == "=":
            return self.lower <= x < self.upper
        return {
            "<": x < self.upper,
            "<=": x <= self.upper,
            ">": x > self.lower,
            ">=": x >= self.lower,
        }[self.relation]

    def distance(self, x: float) -> float:
        """How far ``x`` lies from the printed interval (0 when it matches)."""
        if self.matches(x):
            return 0.0
        return self.lower - x if x < self.lower else x - self.upper

    def __float__(self) -> float:
        return self._require_number()


def _fail(path: Path, row: int, column: str, message: str) -> ClaimsError:
    return ClaimsError(f"{path.name}, row {row}, column '{column}': {message}")


def _read(path: Path) -> dict[str, Claim]:
    """Parse and validate; errors carry the CSV line number (header = line 1)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise _fail(path, 1, "id", "the file is empty (no header)")
        header = [name.strip() for name in header]
        for column in COLUMNS:
            if column not in header:
                raise _fail(path, 1, column, "required column is missing from the header")
        index = {column: header.index(column) for column in COLUMNS}
        claims: dict[str, Claim] = {}
        first_row: dict[str, int] = {}
        for cells in reader:
            row = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            record: dict[str, str] = {}
            for column in COLUMNS:
                position = index[column]
                cell = cells[position].strip() if position < len(cells) else ""
                if not cell:
                    raise _fail(path, row, column, "empty cell")
                record[column] = cell
            claim_id = record["id"]
            if not _ID.fullmatch(claim_id):
                raise _fail(path, row, "id", f"{claim_id!r} is not snake_case")
            if claim_id in first_row:
                raise _fail(path, row, "id",
                            f"{claim_id!r} duplicates the id on row {first_row[claim_id]}")
            if record["section"] not in SECTIONS:
                raise _fail(path, row, "section",
                            f"{record['section']!r} is not one of {sorted(SECTIONS)}")
            quote = record["quote"]
            if len(quote) > MAX_QUOTE_LENGTH:
                raise _fail(path, row, "quote",
                            f"{len(quote)} characters, more than {MAX_QUOTE_LENGTH}")
            if quote != " ".join(quote.split()):
                raise _fail(path, row, "quote", "whitespace is not normalised (single spaces)")
            try:
                parsed = Claim(**record)
            except ValueError as exc:
                raise _fail(path, row, "value", str(exc)) from None
            claims[claim_id] = parsed
            first_row[claim_id] = row
    return claims


@lru_cache(maxsize=1)
def _load_default() -> dict[str, Claim]:
    return _read(_DEFAULT_PATH)


def load_claims(path: Path | None = None) -> dict[str, Claim]:
    """All claims by id, in file order (the default catalogue is read once per process)."""
    if path is None or Path(path).resolve() == _DEFAULT_PATH.resolve():
        return dict(_load_default())
    return _read(Path(path))


def claim(id: str) -> Claim:
    """One claim of the default catalogue; a typo gets the closest ids as suggestions."""
    claims = _load_default()
    try:
        return claims[id]
    except KeyError:
        close = difflib.get_close_matches(id, list(claims), n=5, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"no claim {id!r} in {_DEFAULT_PATH.name}{hint}") from None


def value(id: str) -> float:
    """The printed number of one claim as a float (dates raise TypeError)."""
    return float(claim(id))


def claims_frame() -> pd.DataFrame:
    """One row per claim with its parsed columns, for tables and the audit."""
    claims = _load_default().values()
    columns = [*COLUMNS, "number", "relation", "decimals", "lower", "upper", "date"]
    return pd.DataFrame(
        [[getattr(item, column) for column in columns] for item in claims], columns=columns
    )
