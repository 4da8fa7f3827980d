"""The book's pages in reading order, read from ``_toc.yml`` (the one place that order lives).

Why here: the tests (reading order, every page built and visited) and the handout script
(``scripts/make_pdf.py``, which prints the pages in this order) need the same list.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from lungmets.paths import REPO_ROOT

__all__ = ["toc_pages"]


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
