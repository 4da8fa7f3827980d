"""The glossary: each term links back to the page that teaches it, and every page links the
first use of each term, so a reader who opens any page first can look a word up."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO
from glossary_usage import glossary_entries, term_uses

from lungmets.site.toc import toc_pages

GLOSSARY = REPO / "book" / "glossary.md"
ENTRIES = glossary_entries(GLOSSARY)
ORDER = [name.rsplit("/", 1)[-1] for name in toc_pages()]
PAGES = [REPO / f"{name}.md" for name in toc_pages() if not name.endswith("/glossary")]


def _uses(page: Path):
    return term_uses(page.read_text(encoding="utf-8"), ENTRIES)


def test_the_reader_finds_the_usage_parser_working() -> None:
    """The parser sees prose uses, skips code and headings, and reads roles as links."""
    markdown = ("---\nkernelspec: {}\n---\n# The hazard\n\nThe hazard ratio and the hazard.\n"
                "```{code-cell} ipython3\nhazard = 1\n```\n"
                "See {term}`hazards <hazard>` and `censoring`.\n")
    uses = term_uses(markdown, ENTRIES)
    assert [(u.entry, u.text, u.linked) for u in uses] == [
        ("hazard ratio", "hazard ratio", False), ("hazard", "hazard", False),
        ("hazard", "{term}`hazards <hazard>`", True)]


def test_every_entry_is_taught_on_a_page_of_the_book_that_uses_it() -> None:
    names = [name for entry in ENTRIES for name in entry.names]
    assert len(names) == len({name.lower() for name in names}), "a name appears twice"
    for entry in ENTRIES:
        assert entry.taught_in in ORDER, f"{entry.names[0]}: taught in unknown page"
        page = REPO / "book" / f"{entry.taught_in}.md"
        assert any(use.entry == entry.names[0] for use in _uses(page)), (
            f"{entry.names[0]!r} is said to be taught in {entry.taught_in}, which never uses it")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_each_page_links_the_first_use_of_every_term(page: Path) -> None:
    """Also on the pages read before a term's lesson: there the link is how the reader meets
    the term (its entry says where it is taught)."""
    first: dict[str, object] = {}
    for use in _uses(page):
        first.setdefault(use.entry, use)
    unlinked = [f"line {use.line}: {use.text!r}" for use in first.values() if not use.linked]
    assert not unlinked, (f"{page.name} uses glossary terms before linking them; write "
                          f"{{term}}`...` at the first use: {unlinked}")


# Symbols other books use for what book/notation.md writes otherwise.
OTHER_NOTATION = {"λ": "h(t)", "\\lambda": "h(t)", "Λ": "H(t)", "\\Lambda": "H(t)",
                  "S-hat": "Ŝ", "\\hat{S}": "\\hat S"}


def test_pages_write_the_symbols_of_the_notation_page() -> None:
    notation = (REPO / "book" / "notation.md").read_text(encoding="utf-8")
    assert all(ours in notation for ours in OTHER_NOTATION.values())
    found = [f"{page.name}: {theirs!r} (write {ours})" for page in PAGES
             if page.stem != "notation"
             for theirs, ours in OTHER_NOTATION.items()
             if theirs in page.read_text(encoding="utf-8")]
    assert not found
