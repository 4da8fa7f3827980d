"""Every chapter in book/ has an .ipynb twin in notebooks/ with the same cells, no outputs."""

from pathlib import Path

import jupytext
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part.get("chapters", [])]
    return files


def _is_chapter(md: Path) -> bool:
    """A chapter is a MyST notebook: its front matter names a kernel."""
    return "kernelspec" in jupytext.read(md).metadata


def _cells(notebook) -> list[tuple[str, str, list[str]]]:
    return [
        (cell.cell_type, cell.source.strip(), sorted(cell.metadata.get("tags", [])))
        for cell in notebook.cells
    ]


TOC_PAGES = [ROOT / f"{name}.md" for name in _toc_files()]
CHAPTERS = [md for md in TOC_PAGES if md.exists() and _is_chapter(md)]


@pytest.mark.parametrize("page", TOC_PAGES, ids=lambda p: p.stem)
def test_every_toc_entry_has_a_source(page: Path) -> None:
    assert page.exists(), f"_toc.yml lists {page.relative_to(ROOT)} but it does not exist"


def test_no_ipynb_under_book() -> None:
    """A twin beside its .md makes Sphinx see the document twice."""
    assert list((ROOT / "book").rglob("*.ipynb")) == []


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_twin_exists_and_is_in_sync(chapter: Path) -> None:
    twin = ROOT / "notebooks" / chapter.relative_to(ROOT / "book").with_suffix(".ipynb")
    assert twin.exists(), f"{chapter.relative_to(ROOT)} has no twin; run jupytext --sync on it"
    assert _cells(jupytext.read(twin)) == _cells(jupytext.read(chapter)), (
        f"{twin.relative_to(ROOT)} is out of sync with {chapter.relative_to(ROOT)}: "
        f"run .venv/bin/jupytext --sync {chapter.relative_to(ROOT)}"
    )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_twin_is_committed_without_outputs(chapter: Path) -> None:
    twin = ROOT / "notebooks" / chapter.relative_to(ROOT / "book").with_suffix(".ipynb")
    notebook = jupytext.read(twin)
    with_outputs = [
        i
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert with_outputs == [], f"{twin.name}: cells {with_outputs} carry outputs"


def test_every_notebook_has_a_chapter() -> None:
    orphans = [
        nb.relative_to(ROOT)
        for nb in (ROOT / "notebooks").rglob("*.ipynb")
        if ".ipynb_checkpoints" not in nb.parts
        and not (ROOT / "book" / nb.relative_to(ROOT / "notebooks")).with_suffix(".md").exists()
    ]
    assert orphans == []


def test_the_book_has_chapters() -> None:
    """Guards the parametrised tests above against passing on an empty list."""
    assert CHAPTERS, "no MyST notebook chapter found in _toc.yml"


@pytest.mark.parametrize("md", sorted((ROOT / "book").glob("*.md")), ids=lambda p: p.stem)
def test_chapter_imports_are_in_isort_order(md: Path) -> None:
    """Ruff does not read MyST files, so each chapter's code is checked as a script: imports
    grouped and sorted as in the package (fix with jupytext --pipe, see CONTRIBUTING.md)."""
    import subprocess
    import sys

    if not _is_chapter(md):
        pytest.skip("not a notebook")
    script = jupytext.writes(jupytext.read(md), fmt="py:percent")
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "I", "--stdin-filename",
         f"{md.stem}.py", "-"], input=script, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout
