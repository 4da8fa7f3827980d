"""The sentence ledger: every quantitative sentence of the paper's Results and Discussion, kept
as data (``data/published/sentences.csv``), and the parser the tests use to prove it complete.

Why this module exists: :mod:`lungmets.critique.sentence_audit` builds checks for these
sentences; reading and validating the ledger, and finding sentences in the paper's text, are a
separate concern. The paper's text is not shipped with the package (it is not ours to
redistribute), so nothing here reads it at run time: :func:`prose_sentences`,
:func:`needs_ledger` and :func:`locate` take the text as an argument, and the tests use them to
find every quote in the paper and to prove that every sentence stating or comparing a number is
in the ledger or in the short, reasoned :data:`EXCLUDED` list.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast, get_args

from lungmets.data_errors import ID_PATTERN, IdColumn, cell_location
from lungmets.paths import PUBLISHED_DIR

__all__ = [
    "COMPARISON_WORDS",
    "EXCLUDED",
    "LEDGER",
    "SENTENCES_CSV",
    "SENTENCE_COLUMNS",
    "Exclusion",
    "Section",
    "Sentence",
    "SentencesError",
    "load_sentences",
    "locate",
    "needs_ledger",
    "prose_sentences",
]

Section = Literal["Results", "Discussion"]

#: Words that carry a quantitative claim; a sentence holding one (or a number) needs an entry.
COMPARISON_WORDS: tuple[str, ...] = (
    "significant", "significantly", "longer", "shorter", "higher", "lower", "greater", "fewer",
    "less", "more", "most", "majority", "predominantly", "times", "none", "no", "all", "similar",
    "better", "poorer", "superior", "improved", "improves", "increase", "increased", "increasing",
    "only", "remaining", "largest", "high",
)


@dataclass(frozen=True)
class Sentence:
    """One ledger entry: a quoted sentence, the claims it rests on, the checks that test it."""

    key: str
    section: Section
    quote: str
    claim_ids: tuple[str, ...]
    check_ids: tuple[str, ...]

    @property
    def new_check_ids(self) -> tuple[str, ...]:
        """The checks of this pass (the others belong to the earlier families)."""
        return tuple(i for i in self.check_ids if i.startswith("sentence_"))


Exclusion = tuple[Section, str, str]
"""A sentence the ledger leaves out: its section, its quote and why it needs no check."""

SENTENCES_CSV: Path = PUBLISHED_DIR / "sentences.csv"
SENTENCE_COLUMNS: tuple[str, ...] = (
    "key", "section", "quote", "claim_ids", "check_ids", "excluded_because",
)
_SECTIONS_NAMED: tuple[str, ...] = get_args(Section)
_LEDGER_ONLY: tuple[str, ...] = ("key", "claim_ids", "check_ids")


class SentencesError(ValueError):
    """A malformed sentences file; the message names the file, the CSV line and the column."""


def _fail(path: Path, line: int, column: str, message: str) -> SentencesError:
    return SentencesError(f"{cell_location(path.name, line, column)}: {message}")


def _ids(path: Path, line: int, column: str, cell: str) -> tuple[str, ...]:
    """Space-separated ids; claims and checks are all snake_case, so anything else is a slip."""
    ids = tuple(cell.split())
    for i in ids:
        if not ID_PATTERN.fullmatch(i):
            raise _fail(path, line, column, f"{i!r} is not a snake_case id")
    return ids


def load_sentences(
    path: Path = SENTENCES_CSV,
) -> tuple[tuple[Sentence, ...], tuple[Exclusion, ...]]:
    """The ledger and the exclusions, each in file order.

    A row is a ledger sentence (key, claim ids, check ids; no reason) or an excluded one (a
    reason and nothing else). It is validated here so that a slip in the data fails at import,
    naming its line and column, instead of surfacing later as a check no sentence cites.
    """
    ledger: list[Sentence] = []
    excluded: list[Exclusion] = []
    keys = IdColumn(path.name, "key", SentencesError)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for column in SENTENCE_COLUMNS:
            if column not in (reader.fieldnames or ()):
                raise _fail(path, 1, column, "required column is missing from the header")
        for row in reader:
            line = reader.line_num
            if None in row:
                raise _fail(path, line, SENTENCE_COLUMNS[-1], "more cells than columns (a "
                            "cell holding a comma must be in double quotes)")
            cell = {c: (row[c] or "").strip() for c in SENTENCE_COLUMNS}
            quote = row["quote"] or ""  # kept as written: it must match the paper exactly
            if cell["section"] not in _SECTIONS_NAMED:
                raise _fail(path, line, "section",
                            f"{cell['section']!r} is not one of {list(_SECTIONS_NAMED)}")
            section = cast(Section, cell["section"])
            if not quote:
                raise _fail(path, line, "quote", "empty quote")
            if quote != " ".join(quote.split()):
                raise _fail(path, line, "quote", "whitespace is not normalised (single spaces), "
                            "so the quote cannot be found in the paper")
            if reason := cell["excluded_because"]:
                if stray := next((c for c in _LEDGER_ONLY if cell[c]), None):
                    raise _fail(path, line, stray, "a sentence with an excluded_because reason "
                                "is not in the ledger: empty one of the two")
                excluded.append((section, quote, reason))
                continue
            if missing := next((c for c in _LEDGER_ONLY if not cell[c]), None):
                raise _fail(path, line, missing, "empty: a ledger sentence needs a key, claim ids "
                            "and check ids, or else an excluded_because reason")
            key = keys.add(cell["key"], line)
            ledger.append(Sentence(key, section, quote,
                                   _ids(path, line, "claim_ids", cell["claim_ids"]),
                                   _ids(path, line, "check_ids", cell["check_ids"])))
    return tuple(ledger), tuple(excluded)


#: Every quantitative sentence of the Results and the Discussion (the ledger rows, in file order).
LEDGER: tuple[Sentence, ...]
#: Sentences the parser flags that carry no number or comparison of this study's data.
EXCLUDED: tuple[Exclusion, ...]
LEDGER, EXCLUDED = load_sentences()

# ------------------------------------------------------------------------------------------
# Parsing the paper's text (used by the tests; the text is an argument, never read here)
# ------------------------------------------------------------------------------------------

#: Where each section starts and ends in the extracted text.
_SECTIONS: dict[Section, tuple[str, str]] = {
    "Results": ("results Patient characteristics", "dIscussIon"),
    "Discussion": ("dIscussIon", "MAterIAls And MetHods"),
}
#: Figure captions and tables the extraction dropped into the prose: (first words, last words).
_BLOCKS = (("Figure 1:", "after diagnosis of pulmonary metastases."),
           ("Figure 3:", "(log-rank test)."), ("Figure 4:", "(compared by log-rank test)."),
           ("Table 3:", "Eastern Cooperative Oncology Group."), ("Figure 5:", "relatively high."),
           ("Figure 6:", "organs at risk (OARs)."))
_HEADINGS = ("Patient characteristics", "response to radiotherapy", "survival outcomes",
             "Factors affecting treatment outcomes", "Adverse events",
             "Further validation of combination treatment")
#: Digits that are not numbers: reference markers, figure/table labels, names (as in claims.csv).
_NOT_NUMBERS = re.compile(r"\[[\d,\s\-\u2013]+\]|\b(?:Figure|Table)s?\s+S?\d+[A-D]?(?:\s+and\s+\d+"
                          r"[A-D])?|\b(?:3D-CRT|4D-CT|V\d+|125I)\b")
_WORDS = re.compile(rf"\b(?:{'|'.join(COMPARISON_WORDS)})\b", re.IGNORECASE)


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _section_text(paper: str, section: Section) -> str:
    """One section's prose: captions, tables and sub-headings removed."""
    text = _normalise(paper)
    start, end = _SECTIONS[section]
    i = text.index(start)
    body = text[i + len(start.split()[0]) if section == "Results" else i + len(start):
                text.index(end, i + len(start))]
    for first, last in _BLOCKS:
        k = body.find(first)
        if k >= 0:
            body = body[:k] + body[body.index(last, k) + len(last):]
    body = _normalise(body)
    for heading in _HEADINGS:
        body = (body.removeprefix(f"{heading} ") if body.startswith(heading)
                else body.replace(f". {heading} ", ". "))
    return body


def prose_sentences(paper: str, section: Section) -> list[str]:
    """The sentences of one section (split at a full stop followed by a capital)."""
    return re.split(r"(?<=[.?!])\s+(?=[A-Z])", _section_text(paper, section).strip())


def needs_ledger(sentence: str) -> bool:
    """Whether a sentence states a number or a proportion, or carries a comparison word."""
    return bool(re.search(r"\d|%", _NOT_NUMBERS.sub("", sentence)) or _WORDS.search(sentence))


def locate(quote: str, paper: str) -> int:
    """Where a ledger quote starts in the (whitespace-normalised) paper; ValueError if absent."""
    where = _normalise(paper).find(quote)
    if where < 0:
        raise ValueError(f"quote not found in the paper: {quote!r}")
    return where
