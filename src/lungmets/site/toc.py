"""The book's pages in reading order, read from ``_toc.yml`` (the one place that order lives).

Why here: the tests (reading order, every page built and visited) and the scripts (the
handouts print the pages in this order, the live benchmark visits the pages with panels) need
the same lists.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from lungmets.paths import REPO_ROOT

__all__ = ["chapter_pages", "panel_pages", "toc_pages"]

PANEL_CALL = re.compile(r"precomputed_(panel|grid)\(")


def toc_pages(toc: Path = REPO_ROOT / "_toc.yml") -> list[str]:
    """Every document named in the table of contents (root first), as Sphinx docnames."""
    data = yaml.safe_load(toc.read_text(encoding="utf-8"))
    pages = [data["root"]]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                pages.append(str(node["file"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({key: value for key, value in data.items() if key != "root"})
    return [page.removesuffix(".md").removesuffix(".ipynb") for page in pages]


def chapter_pages(toc: Path = REPO_ROOT / "_toc.yml") -> list[str]:
    """The pages that are notebooks (their source names a kernel), in reading order."""
    return [page for page in toc_pages(toc)
            if "kernelspec" in (REPO_ROOT / f"{page}.md").read_text(encoding="utf-8")]


def panel_pages(toc: Path = REPO_ROOT / "_toc.yml") -> list[str]:
    """The chapters whose source builds a widget panel (``lungmets.display.panels``)."""
    return [page for page in chapter_pages(toc)
            if PANEL_CALL.search((REPO_ROOT / f"{page}.md").read_text(encoding="utf-8"))]
