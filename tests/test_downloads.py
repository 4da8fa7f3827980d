"""Downloads: the SYNTHETIC data under names that say so, the notebooks, and links that resolve."""

from __future__ import annotations

import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import REPO

from lungmets.site.downloads import (
    DATA_ZIP,
    DICTIONARY,
    NOTEBOOKS_ZIP,
    SYNTHETIC_TABLES,
    download_name,
    write_downloads,
)
from lungmets.site.toc import toc_pages

SYNTHETIC_DIR = REPO / "data" / "synthetic"
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_every_data_file_says_synthetic_and_keeps_the_committed_bytes(tmp_path: Path) -> None:
    written = write_downloads(tmp_path)
    for table in SYNTHETIC_TABLES:
        copy = tmp_path / download_name(table)
        assert copy.name.startswith("SYNTHETIC-")
        assert copy.read_bytes() == (SYNTHETIC_DIR / table).read_bytes()
    assert (tmp_path / DICTIONARY).read_bytes() == (SYNTHETIC_DIR / "README.md").read_bytes()
    assert len(written) == len(SYNTHETIC_TABLES) + 1 + 1 + len(NOTEBOOKS) + 1
    assert not list(tmp_path.rglob("*.partial"))


def test_the_data_zip_holds_the_files_and_a_synthetic_note(tmp_path: Path) -> None:
    write_downloads(tmp_path)
    with zipfile.ZipFile(tmp_path / DATA_ZIP) as archive:
        names = sorted(archive.namelist())
        note = archive.read("README-SYNTHETIC.txt").decode()
        patients = archive.read(download_name("patients.csv"))
    assert names == sorted([*map(download_name, SYNTHETIC_TABLES), DICTIONARY,
                            "README-SYNTHETIC.txt"])
    assert note.startswith("SYNTHETIC data: no real patient")
    assert patients == (SYNTHETIC_DIR / "patients.csv").read_bytes()


def test_zips_are_the_same_bytes_on_every_run(tmp_path: Path) -> None:
    write_downloads(tmp_path / "a")
    write_downloads(tmp_path / "b")
    for name in (DATA_ZIP, NOTEBOOKS_ZIP):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_the_notebooks_zip_holds_every_twin(tmp_path: Path) -> None:
    write_downloads(tmp_path)
    with zipfile.ZipFile(tmp_path / NOTEBOOKS_ZIP) as archive:
        assert archive.namelist() == [f"notebooks/{nb.name}" for nb in NOTEBOOKS]


def test_missing_notebooks_are_an_error_not_an_empty_zip(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no notebooks"):
        write_downloads(tmp_path / "out", notebooks_dir=tmp_path / "empty")


def _local_links(page: Path) -> list[str]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article.bd-article")
    return [a["href"] for a in article.find_all("a", href=True)
            if not urlsplit(a["href"]).scheme and not a["href"].startswith("#")]


@pytest.mark.build
def test_every_download_link_resolves_inside_the_site(built_site: Path) -> None:
    page = built_site / "book" / "downloads.html"
    links = _local_links(page)
    hrefs = {unquote(urlsplit(href).path) for href in links}
    for href in hrefs:
        assert (page.parent / href).resolve().is_file(), f"downloads.html links a missing {href}"
    for docname in toc_pages():
        stem = docname.rsplit("/", 1)[-1]
        assert f"../downloads/pdf/{stem}.pdf" in hrefs, f"no PDF link for {docname}"
    for notebook in NOTEBOOKS:
        assert f"../downloads/notebooks/{notebook.name}" in hrefs, f"no link for {notebook.name}"
    for name in (DATA_ZIP, NOTEBOOKS_ZIP, DICTIONARY, "pdf/lungmets-book.pdf",
                 *map(download_name, SYNTHETIC_TABLES)):
        assert f"../downloads/{name}" in hrefs, name


@pytest.mark.build
def test_a_teacher_finds_the_kit_from_the_landing_page(built_site: Path) -> None:
    hrefs = {unquote(urlsplit(h).path).rsplit("/", 1)[-1]
             for h in _local_links(built_site / "book" / "intro.html")}
    for target in ("teaching-guide.html", "glossary.html", "notation.html", "downloads.html",
                   "lungmets-book.pdf"):
        assert target in hrefs, f"the landing page does not link {target}"
