"""The strict book build: warning-free, complete, and loading nothing from other hosts.

The last point is checked statically here (every src/href/url() a page or stylesheet would
load) and dynamically, in a real browser, in test_browser.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import REPO, toc_pages

pytestmark = pytest.mark.build

# Absolute URLs a page may load at page load. Deliberately empty: everything is self-hosted.
ALLOWED_EXTERNAL_LOADS: frozenset[str] = frozenset()

# Sphinx prints warnings as "<location>: WARNING: <message>" (or "WARNING: <message>").
SPHINX_WARNING = re.compile(r"(^|: )WARNING: ", re.MULTILINE)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")
# (tag, attribute) pairs whose value the browser fetches while loading the page. <a href>
# and <link rel=prev/next/index/search> are navigation, not loads.
LOADING_ATTRIBUTES = (
    ("script", "src"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("iframe", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("input", "src"),
)
LOADING_LINK_RELS = {"stylesheet", "preload", "modulepreload", "icon", "prefetch", "manifest"}


def _is_external(url: str) -> bool:
    """True for URLs that would be fetched from another host (http, https, protocol-relative)."""
    return bool(re.match(r"^(https?:)?//", url.strip(), re.IGNORECASE))


def _built_pages(html_dir: Path) -> list[Path]:
    """Every HTML page of the site (not the copied assets or sources)."""
    return sorted(
        p
        for p in html_dir.rglob("*.html")
        if not p.relative_to(html_dir).parts[0].startswith(("_static", "_sources", "_images"))
    )


def _page_loads(page: Path) -> list[str]:
    """URLs a page asks the browser to fetch while loading (attributes and inline CSS)."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    urls: list[str] = []
    for tag, attribute in LOADING_ATTRIBUTES:
        for element in soup.find_all(tag, attrs={attribute: True}):
            value = str(element[attribute])
            urls += [part.split()[0] for part in value.split(",")] if "srcset" in attribute else [
                value
            ]
    for link in soup.find_all("link", href=True):
        if LOADING_LINK_RELS & set(link.get("rel", [])):
            urls.append(str(link["href"]))
    inline_css = [s.get_text() for s in soup.find_all("style")]
    inline_css += [str(e["style"]) for e in soup.find_all(style=True)]
    for css in inline_css:
        urls += [a or b for a, b in CSS_URL.findall(css)]
    return urls


def test_build_log_has_no_sphinx_warning(build_log: str) -> None:
    """-W already makes warnings fatal; this also catches any printed but not counted."""
    warnings = [line for line in build_log.splitlines() if SPHINX_WARNING.search(line)]
    assert warnings == []


def test_every_toc_page_was_built(built_site: Path) -> None:
    missing = [p for p in toc_pages() if not (built_site / f"{p}.html").is_file()]
    assert missing == [], f"pages in _toc.yml without HTML in {built_site}"


def test_no_page_loads_anything_from_another_host(built_site: Path) -> None:
    pages = _built_pages(built_site)
    assert len(pages) >= len(toc_pages())
    offenders = {
        str(page.relative_to(built_site)): external
        for page in pages
        if (external := sorted(
            u for u in _page_loads(page) if _is_external(u) and u not in ALLOWED_EXTERNAL_LOADS
        ))
    }
    assert offenders == {}


def test_every_local_load_exists_in_the_build(built_site: Path) -> None:
    """Self-hosted means present: each script, stylesheet and image a page loads is built."""
    missing: dict[str, list[str]] = {}
    for page in _built_pages(built_site):
        for url in _page_loads(page):
            parts = urlsplit(url)
            if parts.scheme in {"data", "blob"} or _is_external(url) or not parts.path:
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if not target.is_file():
                missing.setdefault(str(page.relative_to(built_site)), []).append(url)
    assert missing == {}


def test_no_stylesheet_loads_anything_from_another_host(built_site: Path) -> None:
    offenders = {
        str(css.relative_to(built_site)): external
        for css in sorted(built_site.rglob("*.css"))
        if (external := sorted(
            {a or b for a, b in CSS_URL.findall(css.read_text(encoding="utf-8", errors="replace"))
             if _is_external(a or b) and (a or b) not in ALLOWED_EXTERNAL_LOADS}
        ))
    }
    assert offenders == {}


def test_the_accessibility_checker_is_not_published(built_site: Path) -> None:
    """axe-core is a test tool (a devDependency the browser test injects): no copy ships."""
    assert sorted(str(p.relative_to(built_site)) for p in built_site.rglob("axe*")) == []


def test_widget_and_maths_scripts_are_the_vendored_copies(built_site: Path) -> None:
    """Pages with widgets or maths load RequireJS, the widget bundle and MathJax from _static."""
    expected = {
        "require.js": "_static/requirejs/require.js",
        "embed-amd.js": "_static/@jupyter-widgets/html-manager/dist/embed-amd.js",
        "tex-mml-chtml.js": "_static/mathjax/es5/tex-mml-chtml.js",
    }
    seen: dict[str, set[str]] = {name: set() for name in expected}
    for page in _built_pages(built_site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for script in soup.find_all("script", src=True):
            path = urlsplit(str(script["src"])).path
            for name in expected:
                if path.endswith("/" + name):
                    resolved = (page.parent / path).resolve().relative_to(built_site.resolve())
                    seen[name].add(resolved.as_posix())
        assert not soup.find_all(attrs={"data-jupyter-widgets-cdn": True}), page
    for name, paths in seen.items():
        assert paths <= {expected[name]}, f"{name} loaded from {paths}"
        assert (built_site / expected[name]).is_file()


def test_glued_tables_are_numbered_and_referenced_as_tables(built_site: Path) -> None:
    """A table placed with ``{glue:figure} tbl-...`` (or ``tab-``) is captioned "Table N", not
    "Fig. N", and every {numref} to it reads "Table N" (see book/_ext/lungmets_site.py)."""
    tables = 0
    for page in _built_pages(built_site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for figure in soup.find_all("figure", id=re.compile(r"^ta[bl]-")):
            tables += 1
            number = figure.find(class_="caption-number")
            assert number is not None and number.get_text().startswith("Table "), (
                page.name, figure["id"])
        for ref in soup.select('a[href*="#tbl-"] > span.std-numref, '
                               'a[href*="#tab-"] > span.std-numref'):
            assert ref.get_text().startswith("Table "), (page.name, ref.parent["href"])
    assert tables > 0


def test_every_page_names_the_commit_it_was_built_from(built_site: Path) -> None:
    """A printed or downloaded page says which version of the book it shows."""
    sys.path.insert(0, str(REPO / "book" / "_ext"))
    from lungmets_version import build_version

    version = build_version(REPO)
    commit = subprocess.run(["git", "log", "-1", "--format=%h"], cwd=REPO, capture_output=True,
                            text=True, check=True).stdout.strip()
    assert version.startswith(f"commit {commit} of ")
    pages = {p: p.read_text(encoding="utf-8") for p in _built_pages(built_site)}
    content = {p: text for p, text in pages.items() if 'http-equiv="refresh"' not in text}
    assert len(content) == len(pages) - 1  # only the root redirect to the landing page
    unstamped = [str(p.relative_to(built_site)) for p, text in content.items()
                 if f"Built from {version}" not in text]
    assert unstamped == []

