"""The offline bundle (`make bundle`) holds the whole site, the same bytes every time."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
from make_bundle import README_NAME, TOP_FOLDER, make_bundle


def _site(root: Path) -> Path:
    (root / "book").mkdir(parents=True)
    (root / "index.html").write_text('<meta http-equiv="refresh" content="0; url=book/intro.html">')
    (root / "book" / "intro.html").write_text("<p>SYNTHETIC</p>")
    (root / "_static").mkdir()
    (root / "_static" / "site.css").write_text("p {}")
    return root


def test_bundle_holds_every_file_under_one_folder_with_an_offline_note(tmp_path: Path) -> None:
    bundle = make_bundle(_site(tmp_path / "html"), tmp_path / "out" / "book.zip")
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        note = archive.read(f"{TOP_FOLDER}/{README_NAME}").decode()
    assert sorted(names) == sorted(
        f"{TOP_FOLDER}/{n}"
        for n in (README_NAME, "index.html", "book/intro.html", "_static/site.css")
    )
    assert "SYNTHETIC" in note and "index.html" in note
    assert not list((tmp_path / "out").glob("*.partial"))


def test_bundle_bytes_do_not_depend_on_when_it_was_made(tmp_path: Path) -> None:
    site = _site(tmp_path / "html")
    first = make_bundle(site, tmp_path / "a.zip").read_bytes()
    (site / "book" / "intro.html").touch()  # a newer timestamp, same content
    assert make_bundle(site, tmp_path / "b.zip").read_bytes() == first


def test_bundle_refuses_a_site_that_was_not_built(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="run `make book` first"):
        make_bundle(tmp_path, tmp_path / "book.zip")
