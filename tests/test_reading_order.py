"""Read front to back, the book never sends a learner forward (issue #10).

Every page's prerequisites table names pages with {doc}; each of them must come earlier in the
table of contents, so a resident who starts at the front has met it already.
"""

from __future__ import annotations

import re

import pytest
from conftest import REPO, toc_pages

DOC_LINK = re.compile(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`")
PREREQUISITE_HEADER = re.compile(r"^\|\s*Prerequisite\s*\|", re.M)
ORDER = toc_pages()


def prerequisites(page: str) -> list[str]:
    """The pages a page's prerequisites table links to (book/<name>), in table order."""
    text = (REPO / f"{page}.md").read_text(encoding="utf-8")
    header = PREREQUISITE_HEADER.search(text)
    if header is None:
        return []
    rows = []
    for line in text[header.start():].splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    folder = page.rsplit("/", 1)[0]
    return [f"{folder}/{target.removeprefix('/')}" if "/" not in target else target.lstrip("/")
            for row in rows for target in DOC_LINK.findall(row)]


@pytest.mark.parametrize("page", ORDER)
def test_prerequisites_point_only_backwards(page: str) -> None:
    position = ORDER.index(page)
    forward = [p for p in prerequisites(page) if p not in ORDER[:position]]
    assert forward == [], f"{page} lists later (or unknown) pages as prerequisites: {forward}"


def test_the_reading_order_starts_with_the_data_and_the_first_principles() -> None:
    """Start here, then the survival-analysis course, before any analysis of the paper."""
    assert ORDER.index("book/synthetic-data") < ORDER.index("book/time-to-event")
    assert ORDER.index("book/reporting") < ORDER.index("book/cohort")
    assert ORDER.index("book/dosimetry") < ORDER.index("book/reading-critically")
    assert ORDER.index("book/reading-critically") < ORDER.index("book/reconstruction")


def test_the_checker_reads_a_prerequisites_table() -> None:
    """The parser finds the links of a real table (so the test above cannot pass vacuously)."""
    assert "book/sensitivity-panels" in prerequisites("book/survival")
    # only the front pages and the reference pages, which teach nothing, have no table
    without = {p.rsplit("/", 1)[-1] for p in ORDER if not prerequisites(p)}
    assert without == {"intro", "synthetic-data", "how-to-use", "teaching-guide", "glossary",
                       "notation", "downloads", "licence"}
