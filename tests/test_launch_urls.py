"""Binder launch buttons open each chapter's notebook twin, and only chapters have one.

book/_ext/lungmets_site.py retargets sphinx-book-theme's links (built from book/<page>.md)
to notebooks/<page>.ipynb; this checks the built HTML and the extension's failure mode.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import BIN, REPO, toc_pages

sys.path.insert(0, str(REPO / "book" / "_ext"))
from lungmets_site import retarget_launch_url, twin_path

CONFIG = yaml.safe_load((REPO / "_config.yml").read_text())
BINDER = re.compile(
    r"^https://mybinder\.org/v2/gh/(?P<org>[^/]+)/(?P<repo>[^/]+)/(?P<branch>[^/?]+)"
    r"\?urlpath=lab/tree/(?P<path>[^?#]+)$"
)


def _front_matter(source: Path) -> dict:
    """The YAML header of a MyST page ({} when it has none)."""
    text = source.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return {}
    return yaml.safe_load(text[4 : text.index("\n---", 4)]) or {}


def _is_chapter(page: str) -> bool:
    """A chapter is a MyST notebook: its header declares a kernel."""
    return "kernelspec" in _front_matter(REPO / f"{page}.md")


def _binder_links(html: Path) -> list[str]:
    """Launch links in the page header that go to a BinderHub."""
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    links = soup.select("div.dropdown-launch-buttons a.dropdown-item[href]")
    links += soup.select("a[href*='/v2/gh/']")
    return sorted({str(a["href"]) for a in links if "/v2/" in str(a["href"])})


def test_twin_path_follows_the_jupytext_pairing() -> None:
    pairing = (REPO / "jupytext.toml").read_text()
    assert 'formats = "book///md:myst,notebooks///ipynb"' in pairing
    assert twin_path("book/sensitivity-panels") == "notebooks/sensitivity-panels.ipynb"
    with pytest.raises(ValueError, match="not under 'book/'"):
        twin_path("other/page")


def test_retarget_replaces_only_the_file_in_urlpath() -> None:
    base = "https://mybinder.org/v2/gh/o/r/main?urlpath="
    assert retarget_launch_url(base + "lab/tree/book/x.md", "notebooks/x.ipynb") == (
        base + "lab/tree/notebooks/x.ipynb"
    )
    with pytest.raises(ValueError, match="no lab/tree"):
        retarget_launch_url(base + "doc/x", "notebooks/x.ipynb")


@pytest.mark.build
@pytest.mark.parametrize("page", toc_pages())
def test_binder_link_opens_the_chapters_twin(built_site: Path, page: str) -> None:
    links = _binder_links(built_site / f"{page}.html")
    if not _is_chapter(page):
        assert links == [], f"{page} has no kernel, so it should have no launch button"
        return
    assert len(links) == 1, links
    match = BINDER.match(links[0])
    assert match, links[0]
    repo_url = urlsplit(CONFIG["repository"]["url"])
    assert repo_url.netloc == "github.com"
    assert f"{match['org']}/{match['repo']}" == repo_url.path.strip("/")
    assert match["branch"] == CONFIG["repository"]["branch"] == "main"
    assert match["path"] == twin_path(page)
    assert (REPO / match["path"]).is_file()


def test_at_least_one_chapter_is_checked() -> None:
    """Guard: the parametrised test above would pass vacuously if no page were a chapter."""
    assert any(_is_chapter(p) for p in toc_pages())


@pytest.mark.build
def test_a_chapter_without_its_twin_fails_the_strict_build(tmp_path: Path) -> None:
    """The extension's warning is fatal under -W, so a missing twin cannot ship."""
    (tmp_path / "book").mkdir()
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "_config.yml").write_text(textwrap.dedent(f"""\
        title: twin check
        only_build_toc_files: true
        exclude_patterns: [notebooks, _build]
        execute:
          execute_notebooks: cache
        repository:
          url: https://github.com/example-org/example-repo
          branch: main
        html:
          use_repository_button: true
        launch_buttons:
          notebook_interface: jupyterlab
          binderhub_url: https://mybinder.org
        sphinx:
          local_extensions:
            lungmets_site: {REPO / "book" / "_ext"}
        """))
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/lonely\n")
    (tmp_path / "book" / "lonely.md").write_text(textwrap.dedent("""\
        ---
        jupytext:
          text_representation:
            extension: .md
            format_name: myst
        kernelspec:
          display_name: Python 3
          language: python
          name: python3
        ---
        # Lonely chapter

        ```{code-cell} ipython3
        1 + 1
        ```
        """))
    command = [str(BIN / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "has no notebook twin at notebooks/lonely.ipynb" in output

    (tmp_path / "notebooks" / "lonely.ipynb").write_text("{}")  # the check is for presence
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    built = tmp_path / "_build" / "html" / "book" / "lonely.html"
    assert _binder_links(built) == [
        "https://mybinder.org/v2/gh/example-org/example-repo/main"
        "?urlpath=lab/tree/notebooks/lonely.ipynb"
    ]

    (tmp_path / "notebooks" / "lonely.ipynb").unlink()  # page unchanged: still re-checked
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode != 0
    assert "has no notebook twin at notebooks/lonely.ipynb" in result.stdout + result.stderr
