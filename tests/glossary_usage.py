"""Where a page's prose uses a glossary term, and whether that use links the glossary.

Read by tests/test_glossary.py. The glossary lives in one place, ``book/glossary.md`` (a Sphinx
``glossary`` directive); each entry is one or more names (its spellings) and a definition that
ends "Taught in {doc}`page`". A page's prose is its Markdown without front matter, code cells,
maths, headings, inline code, links and roles; a ``{term}`` role is a linked use of its target.
Overlapping names are matched longest first ("hazard ratio" is not a use of "hazard").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Entry", "Use", "glossary_entries", "term_uses"]

FENCE = re.compile(r"^(`{3,}|:{3,})\s*(\{([\w:-]+)\})?")
SKIPPED_BLOCKS = {"code-cell", "math", "glossary", "raw", "code", "literalinclude"}
DISPLAY_MATHS = re.compile(r"^(\$\$)()()$")
LABEL = re.compile(r"^\([\w:-]+\)=$")
TERM_ROLE = re.compile(r"\{term\}`([^`<]*?)(?:\s*<([^`>]+)>)?`")
MASKS = [
    re.compile(r"\{[\w:-]+\}`[^`]*`"),  # other roles: {doc}, {numref}, {glue:text}, ...
    re.compile(r"`[^`]*`"),  # inline code
    re.compile(r"!?\[[^\]]*\]\([^)]*\)"),  # links and images
    re.compile(r"<[^>]+>"),  # raw HTML tags
    re.compile(r"\$[^$]+\$"),  # inline maths
    re.compile(r"https?://\S+"),
]


@dataclass(frozen=True)
class Entry:
    """One glossary entry: its spellings (the first is its name) and the page that teaches it."""

    names: tuple[str, ...]
    taught_in: str


@dataclass(frozen=True)
class Use:
    """One use of an entry in a page's prose."""

    entry: str
    line: int
    column: int
    text: str
    linked: bool


def glossary_entries(glossary: Path) -> list[Entry]:
    """The entries of the ``{glossary}`` directive in ``glossary``, in their order."""
    body = glossary.read_text(encoding="utf-8").split("```{glossary}", 1)[1].split("\n```", 1)[0]
    entries, names, definition = [], [], []
    for line in [*body.splitlines(), ""]:
        if line and not line[0].isspace():
            if definition:
                entries.append(_entry(names, definition))
                names, definition = [], []
            names.append(line.strip())
        elif line.strip():
            definition.append(line.strip())
    if names:
        entries.append(_entry(names, definition))
    return entries


def _entry(names: list[str], definition: list[str]) -> Entry:
    taught = re.search(r"Taught in \{doc\}`([^`]+)`", " ".join(definition))
    if not taught:
        raise ValueError(f"glossary entry {names[0]!r}: its definition must end 'Taught in "
                         "{doc}`page`'")
    return Entry(tuple(names), taught.group(1))


def _prose_lines(markdown: str) -> list[tuple[int, str]]:
    lines = markdown.splitlines()
    start = lines.index("---", 1) + 1 if lines and lines[0] == "---" else 0
    prose: list[tuple[int, str]] = []
    open_fences: list[tuple[str, bool]] = []  # (fence characters, is its content skipped)
    for number, line in enumerate(lines[start:], start=start + 1):
        stripped = line.strip()
        fence = FENCE.match(stripped) or (stripped == "$$" and DISPLAY_MATHS.match(stripped))
        if fence and open_fences and stripped == open_fences[-1][0]:
            open_fences.pop()
            continue
        if open_fences and open_fences[-1][1]:
            continue
        if fence:
            name = fence.group(3)
            skipped = name in SKIPPED_BLOCKS or (name is None and fence.group(1)[0] in "`$")
            open_fences.append((fence.group(1), skipped))
            continue
        if stripped.startswith(("#", ":", "+++")) or LABEL.match(stripped):
            continue
        prose.append((number, line))
    return prose


def _pattern(entries: list[Entry]) -> re.Pattern[str]:
    names = sorted({name for entry in entries for name in entry.names}, key=len, reverse=True)
    alternatives = "|".join(re.escape(name) for name in names)
    return re.compile(rf"(?<![\w-])({alternatives})(?:e?s)?(?![\w-])", re.IGNORECASE)


def term_uses(markdown: str, entries: list[Entry]) -> list[Use]:
    """Every use of a glossary entry in the prose of ``markdown``, in order."""
    owner = {name.lower(): entry.names[0] for entry in entries for name in entry.names}
    pattern = _pattern(entries)
    uses: list[Use] = []
    for number, line in _prose_lines(markdown):
        found = []
        for role in TERM_ROLE.finditer(line):
            target = (role.group(2) or role.group(1)).strip().lower()
            found.append(Use(owner.get(target, target), number, role.start(), role.group(0),
                             linked=True))
        masked = TERM_ROLE.sub(lambda m: " " * len(m.group(0)), line)
        for mask in MASKS:
            masked = mask.sub(lambda m: " " * len(m.group(0)), masked)
        for match in pattern.finditer(masked):
            found.append(Use(owner[match.group(1).lower()], number, match.start(),
                             match.group(0), linked=False))
        uses += sorted(found, key=lambda use: use.column)
    return uses
