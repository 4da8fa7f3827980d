"""Local Sphinx extension: pages that paint fast on a slow network (issue #14).

Measured with scripts/benchmark_pages.py (1.6 Mbps, 150 ms round trip, CPU 4x slower), three
things the theme does delayed the first paint. This extension undoes them.

**Icons.** pydata-sphinx-theme loads ``scripts/fontawesome.js`` (1.5 MB, 530 kB gzip) on every page
to swap each ``<i class="fa-solid fa-bars">`` for an SVG. Its stylesheet already carries Font
Awesome's webfont rules (``.fa-bars:before{content:"\\f0c9"}`` and local woff2 fonts), so the
same icons draw without the script. After the build this extension

* drops the script tag from every page and the script from ``_static/scripts/``;
* finds the icons the pages and the theme's own scripts use, and cuts each woff2/ttf font down
  to those glyphs (about 160 kB to a few kB), so the fonts it keeps cost almost nothing.

Icons are found by class name (``fa-<name>``), so an icon a later template adds is kept too;
one the theme's stylesheet has no glyph for is a warning (fatal under ``-W``).

**Scripts in the head.** The theme loads Sphinx's search tools and the whole search index on
every page, synchronously in the head, for its search pop-up, and so are the scripts of the
copy, toggle and tab buttons; they are marked ``defer`` (their order kept), so the page paints
first and the buttons and the pop-up work once they have run. ``documentation_options.js``
stays as it is: inline scripts after it set its fields.

**Stylesheets.** The head links eleven stylesheets, one of which ``@import``s another, so a
slow network fetched them in several round trips before anything painted. Each page's local
stylesheets become one file, ``_static/styles/lungmets-<hash>.css``: the same rules in the
same order (imports inlined, relative ``url()`` rebased), named by content so that pages with
the same stylesheets share it and a browser caches it once.

**Images.** Figures below the fold download and decode while the text is waiting to paint;
every image gets ``loading="lazy" decoding="async"`` (the browser still fetches those in view
at once).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

from fontTools import subset
from fontTools.ttLib import TTFont
from sphinx.application import Sphinx
from sphinx.util import logging

__all__ = [
    "bundle_stylesheets",
    "defer_head_scripts",
    "icon_codepoints",
    "icons_used",
    "lazy_images",
    "setup",
    "strip_icon_script",
]

logger = logging.getLogger(__name__)

ICON_SCRIPT = "scripts/fontawesome.js"
THEME_CSS = "styles/pydata-sphinx-theme.css"
FONT_DIR = "vendor/fontawesome/webfonts"
ICON_CLASS = re.compile(r"\bfa-([a-z0-9-]+)")
SCRIPT_TAG = re.compile(
    r'<script[^>]*src="[^"]*' + re.escape(ICON_SCRIPT) + r'[^"]*"[^>]*></script>\n?'
)
HEAD_SCRIPT = re.compile(
    r'<script ((?:data-[\w-]+="[^"]*" )*)src="([^"]*(?:_static/searchtools\.js'
    r'|_static/language_data\.js|searchindex\.js'
    r'|_static/(?:doctools|sphinx_highlight|clipboard\.min|copybutton|togglebutton|design-tabs'
    r'|scripts/sphinx-book-theme)\.js\?v=[0-9a-f]+))">'
)
STYLESHEET = re.compile(r'[ \t]*<link (?=[^>]*rel="stylesheet")[^>]*href="([^"]+)"[^>]*/?>\n?')
CSS_IMPORT = re.compile(r'@import\s+(?:url\()?"([^"]+)"\)?\s*;')
CSS_URL = re.compile(r'url\((["\']?)([^"\')]+)\1\)')
BUNDLE_DIR = "styles"
WITHOUT_LOADING = re.compile(r"<img (?![^>]*\bloading=)")
WITHOUT_DECODING = re.compile(r"<img (?![^>]*\bdecoding=)")
GLYPH_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:before,?)+)\{content:"\\([0-9a-f]+)"\}')
# Class names that style an icon rather than name one.
MODIFIERS = re.compile(
    r"(solid|regular|brands|classic|sharp|fw|lg|xl|2xl|xs|2xs|sm|[0-9]+x|spin|pulse|beat"
    r"|fade|bounce|flip|shake|border|pull-left|pull-right|stack|stack-1x|stack-2x|inverse|li|ul"
    r"|rotate-[0-9]+|rotate-by|flip-horizontal|flip-vertical|flip-both|width-auto)"
)


def strip_icon_script(html: str) -> str:
    """The page without its Font Awesome script tag."""
    return SCRIPT_TAG.sub("", html)


def defer_head_scripts(html: str) -> str:
    """The theme's head-loaded search and button scripts, deferred in their order."""
    return HEAD_SCRIPT.sub(r'<script \1defer src="\2">', html)


def _css_text(path: Path, into: Path) -> str:
    """A stylesheet's text with its imports inlined and relative urls rebased onto ``into``."""
    text = path.read_text(encoding="utf-8").replace('@charset "UTF-8";', "")
    text = CSS_IMPORT.sub(lambda m: _css_text((path.parent / m.group(1)).resolve(), into), text)

    def rebase(match: re.Match[str]) -> str:
        target = match.group(2)
        if re.match(r"(data:|[a-z]+://|/|#)", target):
            return match.group(0)
        moved = os.path.relpath((path.parent / target).resolve(), into)
        return f'url("{Path(moved).as_posix()}")'

    return CSS_URL.sub(rebase, text)


def bundle_stylesheets(page: Path, html: str, static: Path) -> str:
    """Replace the page's local stylesheet links by one link to their concatenation."""
    head = html.split("</head>", 1)[0]
    links = [m for m in STYLESHEET.finditer(head) if not re.match(r"[a-z]+://", m.group(1))]
    if len(links) < 2:
        return html
    into = static / BUNDLE_DIR
    files = [(page.parent / link.group(1).split("?")[0]).resolve() for link in links]
    if not all(file.is_file() and file.is_relative_to(static) for file in files):
        return html  # a template shipped with the theme, not a page
    css = "\n".join(f"/* {file.relative_to(static).as_posix()} */\n{_css_text(file, into)}"
                     for file in files)
    name = f"lungmets-{hashlib.sha256(css.encode()).hexdigest()[:16]}.css"
    (into / name).write_text(css, encoding="utf-8")
    href = os.path.relpath(into / name, page.parent).replace(os.sep, "/")
    pieces, end = [], 0
    for number, link in enumerate(links):
        pieces.append(head[end:link.start()])
        if number == 0:
            pieces.append(f'<link rel="stylesheet" href="{href}" />\n')
        end = link.end()
    return "".join(pieces) + html[end:]


def lazy_images(html: str) -> str:
    """Every image without a loading policy loads lazily and decodes off the main thread."""
    html = WITHOUT_LOADING.sub('<img loading="lazy" ', html)
    return WITHOUT_DECODING.sub('<img decoding="async" ', html)


def icons_used(texts: list[str]) -> set[str]:
    """Icon names (``bars`` for ``fa-bars``) in pages or scripts, style classes left out."""
    return {name for text in texts for name in ICON_CLASS.findall(text)
            if not MODIFIERS.fullmatch(name)}


def icon_codepoints(theme_css: str) -> dict[str, int]:
    """Icon name -> its glyph's codepoint, from the stylesheet's ``:before`` rules."""
    codepoints: dict[str, int] = {}
    for selectors, code in GLYPH_RULE.findall(theme_css):
        for name in re.findall(r"\.fa-([a-z0-9-]+):before", selectors):
            codepoints[name] = int(code, 16)
    return codepoints


def _subset_font(path: Path, codepoints: set[int]) -> None:
    """Keep only the given glyphs (and the font's own bookkeeping), in the same format."""
    font = TTFont(path)
    options = subset.Options()
    options.flavor = "woff2" if path.suffix == ".woff2" else None
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    font.flavor = options.flavor
    font.save(path)


def lazy_page_images(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Images in the page body load lazily (see the module docstring)."""
    if "body" in context:
        context["body"] = lazy_images(context["body"])


def slim_pages(app: Sphinx, exception: Exception | None) -> None:
    """Drop the icon script, defer the head's scripts, bundle the stylesheets, cut the icon
    fonts to the icons used."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    static = outdir / "_static"
    pages = sorted(outdir.rglob("*.html"))
    texts = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        slim = bundle_stylesheets(page, defer_head_scripts(strip_icon_script(text)), static)
        if slim != text:
            page.write_text(slim, encoding="utf-8")
        texts.append(slim)
    script = static / ICON_SCRIPT
    script.unlink(missing_ok=True)
    texts += [p.read_text(encoding="utf-8") for p in sorted((static / "scripts").glob("*.js"))]
    codepoints = icon_codepoints((static / THEME_CSS).read_text(encoding="utf-8"))
    used = icons_used(texts)
    missing = sorted(name for name in used if name not in codepoints)
    if missing:
        logger.warning("icons without a glyph in the theme's stylesheet: %s", ", ".join(missing),
                       type="lungmets", subtype="icons")
    wanted = {codepoints[name] for name in used if name in codepoints}
    for font in sorted((static / FONT_DIR).glob("*")):
        if font.suffix in {".woff2", ".ttf"}:
            _subset_font(font, wanted)


def setup(app: Sphinx) -> dict[str, Any]:
    """Images once panels are rendered; the rest after every page and static file is written."""
    app.connect("html-page-context", lazy_page_images, priority=700)
    # After the theme's own build-finished handlers: pydata-sphinx-theme rewrites
    # _static/pygments.css then, and the stylesheet bundle must hold the rewritten file.
    app.connect("build-finished", slim_pages, priority=900)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
