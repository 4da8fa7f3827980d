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


def test_maths_script_is_the_vendored_copy_and_only_where_there_is_maths(
    built_site: Path,
) -> None:
    """MathJax (1.2 MB) loads from _static, and only on pages whose body has maths."""
    expected = "_static/mathjax/es5/tex-mml-chtml.js"
    with_maths = 0
    for page in _built_pages(built_site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        sources = [
            urlsplit(str(s["src"])).path
            for s in soup.find_all("script", src=True)
            if str(s["src"]).split("?")[0].endswith("tex-mml-chtml.js")
        ]
        has_maths = bool(soup.select(".math"))
        assert bool(sources) == has_maths, page
        for path in sources:
            resolved = (page.parent / path).resolve().relative_to(built_site.resolve())
            assert resolved.as_posix() == expected, page
        with_maths += has_maths
    assert with_maths >= 1
    assert (built_site / expected).is_file()


def test_panels_are_html_with_no_widget_manager_or_saved_state(built_site: Path) -> None:
    """Panels are rendered at build time (book/_ext/lungmets_panels.py): no page loads the
    ipywidgets manager or RequireJS, none carries saved widget state or an inline image in a
    panel, and every page with a panel loads the small script that switches its outputs."""
    panel_pages = 0
    for page in _built_pages(built_site):
        text = page.read_text(encoding="utf-8")
        soup = BeautifulSoup(text, "html.parser")
        sources = [str(s["src"]).split("?")[0] for s in soup.find_all("script", src=True)]
        assert not [s for s in sources if s.endswith(("require.js", "embed-amd.js"))], page
        assert "application/vnd.jupyter.widget-" not in text, page
        panels = soup.select(".lungmets-w-view")
        assert not [p for p in panels if p.select('img[src^="data:"]')], page
        loads_script = any(s.endswith("/lungmets-panels.js") for s in sources)
        assert loads_script == bool(panels), page
        panel_pages += bool(panels)
    assert panel_pages >= 10


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



def test_icons_draw_from_a_font_cut_to_the_glyphs_in_use(built_site: Path) -> None:
    """No page loads the 1.5 MB icon script; every icon class a page uses has its glyph in
    the subset font, and the fonts are a few kB (book/_ext/lungmets_speed.py)."""
    from fontTools.ttLib import TTFont

    sys.path.insert(0, str(REPO / "book" / "_ext"))
    import lungmets_speed

    static = built_site / "_static"
    assert not (static / lungmets_speed.ICON_SCRIPT).exists()
    pages = [p.read_text(encoding="utf-8") for p in _built_pages(built_site)]
    assert not [p for p in pages if "fontawesome.js" in p]
    codepoints = lungmets_speed.icon_codepoints(
        (static / lungmets_speed.THEME_CSS).read_text(encoding="utf-8")
    )
    used = lungmets_speed.icons_used(pages)
    assert {"bars", "magnifying-glass", "github"} <= used
    fonts = sorted((static / lungmets_speed.FONT_DIR).glob("*.woff2"))
    glyphs = set().union(*(TTFont(f).getBestCmap() for f in fonts))
    assert {name for name in used if codepoints[name] not in glyphs} == set()
    assert max(f.stat().st_size for f in fonts) < 20_000


def test_pages_paint_before_scripts_and_offscreen_images(built_site: Path) -> None:
    """One stylesheet and one tiny script stand between a reader and the text
    (book/_ext/lungmets_speed.py): the head's stylesheets are one file, every script but
    documentation_options.js (which inline scripts extend) is deferred or async, and every
    image loads lazily."""
    for page in _built_pages(built_site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        if soup.find("meta", attrs={"http-equiv": "refresh"}):
            continue  # index.html only redirects to the first page
        sheets = [link["href"] for link in soup.head.find_all("link", rel="stylesheet")]
        assert len(sheets) == 1 and "/styles/lungmets-" in sheets[0], (page, sheets)
        assert (page.parent / sheets[0]).is_file(), (page, sheets[0])
        blocking = [str(script["src"]).split("?")[0].rsplit("/", 1)[-1]
                    for script in soup.head.find_all("script", src=True)
                    if not (script.has_attr("defer") or script.has_attr("async"))]
        assert blocking == ["documentation_options.js"], (page, blocking)
        for image in soup.select("article img"):
            assert (image.get("loading"), image.get("decoding")) == ("lazy", "async"), page


def test_the_stylesheet_bundle_keeps_every_rule_in_order(built_site: Path) -> None:
    """The bundle is the theme's stylesheets, imports inlined, in the order the page had them."""
    sys.path.insert(0, str(REPO / "book" / "_ext"))
    import lungmets_speed

    static = built_site / "_static"
    bundle = next((static / "styles").glob("lungmets-*.css")).read_text(encoding="utf-8")
    order = [line.removeprefix("/* ").removesuffix(" */")
             for line in bundle.splitlines() if line.startswith("/* ") and line.endswith(".css */")]
    assert order[:2] == ["styles/theme.css", "styles/pydata-sphinx-theme.css"]
    assert order[-2:] == ["lungmets-site.css", "sphinx-design.min.css"]
    assert "@import" not in bundle
    basic = (static / "basic.css").read_text(encoding="utf-8")
    assert basic.split("url(")[0] in bundle  # the imported sheet, inlined
    for url in lungmets_speed.CSS_URL.findall(bundle):
        target = url[1]
        if not target.startswith("data:"):
            assert (static / "styles" / target).resolve().is_file(), target


# Page figures a panel on the same page shows again as its first view (glued with
# lungmets.display.panels.shared_figure): (page, figure id).
SHARED_FIGURES = (("survival", "fig-arm-os"), ("reporting", "fig-reporting-km"))


def test_a_figure_a_panel_also_shows_is_one_file(built_site: Path) -> None:
    """The page figure and the panel's first view point at the same image, and that image
    (like every figure whose WebP is smaller) is WebP, with no PNG twin left in _images."""
    for page, figure_id in SHARED_FIGURES:
        soup = BeautifulSoup((built_site / "book" / f"{page}.html").read_text(encoding="utf-8"),
                             "html.parser")
        figure_src = soup.find(id=figure_id).find("img")["src"]
        first_views = {str(stack.find("img")["src"])
                       for stack in soup.select(".lungmets-w-view") if stack.find("img")}
        assert figure_src in first_views, (page, figure_src, first_views)
        assert figure_src.endswith(".webp"), figure_src
    images = built_site / "_images"
    twins = [p.name for p in images.glob("*.png") if (images / f"{p.stem}.webp").exists()]
    assert twins == []
