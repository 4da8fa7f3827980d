"""Local Sphinx extension: Binder links to the twins, MathJax only where needed, clean console.

Why each part exists:

* sphinx-book-theme builds a chapter's launch URL from the page's own source
  (``book/<page>.md``); JupyterLab opens that as plain text. Chapters have ``.ipynb``
  twins under ``notebooks/`` (jupytext pairing ``book///md:myst,notebooks///ipynb``),
  so the Binder link is retargeted to ``notebooks/<page>.ipynb``; a chapter without its
  twin is a warning (fatal under ``-W``).
* Sphinx loads MathJax (1.2 MB) on every page once any extension asks for it on every page
  (the "always" assets policy); a page whose body has no maths drops it again.
* Without an icon link every page logs a 404 for ``/favicon.ico``; an empty data URL
  icon is declared unless ``html.favicon`` is set, also on the root index.html redirect.
* Sphinx 7.4 registers an inline script added after ``Builder.init()`` twice (once as
  filename ``None``, once as ``''``), so sphinx-thebe's ``const THEBE_JS_URL`` is declared
  twice and every page logs a SyntaxError. Exact duplicates are dropped before rendering.
* myst-nb places a glued table with ``{glue:figure}``, so Sphinx numbered it as a figure and
  a reference to a table read "Fig. 3.2". A glued figure whose label starts with ``tbl-`` or
  ``tab-`` becomes a :class:`GluedTable`, numbered and captioned "Table 3.2" in the tables'
  sequence.
* Accessibility (axe-core in the browser test): pandas leaves empty header cells around a
  table's index, so every page's tables go through ``lungmets.display.a11y.tidy_table_headers``;
  ``static/lungmets-site.css`` gives links in exercise boxes enough contrast.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.writers.html5 import HTML5Translator

from lungmets.display.a11y import tidy_table_headers

__all__ = ["TABLE_LABEL_PREFIXES", "GluedTable", "retarget_launch_url", "setup", "twin_path"]

logger = logging.getLogger(__name__)

BOOK_DIR = "book"
NOTEBOOK_DIR = "notebooks"
# This extension's own stylesheet and script (accessibility), served from _static/.
STATIC_DIR = Path(__file__).resolve().parent / "static"
SITE_CSS = "lungmets-site.css"
MATHJAX_SCRIPT = "tex-mml-chtml.js"
MATHS_IN_BODY = 'class="math'



def twin_path(pagename: str) -> str:
    """Return the repository-relative twin of a chapter, following jupytext.toml's pairing.

    ``book/<name>`` pairs with ``notebooks/<name>.ipynb``; pages outside ``book/`` keep
    their folder (and then have no twin under ``notebooks/``).
    """
    prefix = BOOK_DIR + "/"
    if not pagename.startswith(prefix):
        raise ValueError(f"page {pagename!r} is not under {prefix!r}; no notebook twin rule")
    return f"{NOTEBOOK_DIR}/{pagename.removeprefix(prefix)}.ipynb"


def _is_chapter(app: Sphinx, pagename: str) -> bool:
    """A chapter is a page with a kernel (Jupytext/kernelspec header), as the theme decides."""
    return "kernelspec" in app.env.metadata.get(pagename, {})


def retarget_launch_url(url: str, twin: str) -> str:
    """Replace the file in a launch URL's ``urlpath`` (``lab/tree/<file>``) by the twin."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    urlpath = query.get("urlpath", "")
    for ui_prefix in ("lab/tree/", "tree/"):
        if urlpath.startswith(ui_prefix):
            query["urlpath"] = ui_prefix + twin
            break
    else:
        raise ValueError(f"launch URL {url!r} has no lab/tree or tree urlpath")
    return urlunsplit(parts._replace(query=urlencode(query, safe="/")))


def retarget_launch_buttons(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Point each chapter's Binder link at its notebook twin; warn if the twin is missing."""
    if doctree is None or not _is_chapter(app, pagename):
        return
    if not pagename.startswith(BOOK_DIR + "/"):
        logger.warning(
            "chapter %s is outside %s/, so it has no notebook twin rule",
            pagename,
            BOOK_DIR,
            location=pagename,
            type="lungmets",
            subtype="missing_twin",
        )
        return
    twin = twin_path(pagename)
    if not (Path(app.srcdir) / twin).is_file():
        logger.warning(
            "chapter %s has no notebook twin at %s (run `jupytext --sync %s`)",
            pagename,
            twin,
            app.env.doc2path(pagename, base=False),
            location=pagename,
            type="lungmets",
            subtype="missing_twin",
        )
        return
    groups = [
        b for b in context.get("header_buttons", []) if b.get("label") == "launch-buttons"
    ]
    binder_links = [
        button
        for group in groups
        for button in group.get("buttons", [])
        if button.get("type") == "link" and "binder" in button.get("text", "").lower()
    ]
    if not binder_links:
        logger.warning(
            "chapter %s has no Binder launch button (check launch_buttons in _config.yml)",
            pagename,
            location=pagename,
            type="lungmets",
            subtype="no_launch_button",
        )
        return
    for button in binder_links:
        button["url"] = retarget_launch_url(button["url"], twin)


def _twin_states(app: Sphinx, env: Any, docnames: set[str]) -> dict[str, bool]:
    """For each chapter among docnames (as last read), whether its twin exists now."""
    return {
        docname: (Path(app.srcdir) / twin_path(docname)).is_file()
        for docname in docnames
        if docname.startswith(BOOK_DIR + "/") and "kernelspec" in env.metadata.get(docname, {})
    }


def reread_chapters_missing_twins(
    app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Re-read chapters whose twin is missing or appeared/vanished since the last build.

    Sphinx rewrites only pages whose source changed, so without this an unchanged chapter
    would keep a stale launch link, or lose its missing-twin warning on the next build.
    """
    before: dict[str, bool] = getattr(env, "lungmets_twin_present", {})
    now = _twin_states(app, env, env.found_docs - removed)
    return sorted(d for d, present in now.items() if not present or before.get(d) != present)


def remember_twin_states(app: Sphinx, env: Any) -> None:
    """Store each chapter's twin state after reading, for the next build's comparison."""
    env.lungmets_twin_present = _twin_states(app, env, env.found_docs)


def drop_unused_mathjax(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """No MathJax on a page without maths: 260 kB (gzip) less for the reader to fetch."""
    scripts = context.get("script_files")
    if not isinstance(scripts, list) or MATHS_IN_BODY in context.get("body", ""):
        return
    scripts[:] = [
        js for js in scripts
        if not str(getattr(js, "filename", "") or "").endswith(MATHJAX_SCRIPT)
        and not str(getattr(js, "attributes", {}).get("body", "")).startswith("window.MathJax")
    ]


def tidy_page_tables(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """No empty table header on any page: pandas' blank index headers become data cells."""
    if "body" in context:
        context["body"] = tidy_table_headers(context["body"])


def add_static_dir(app: Sphinx, config: Any) -> None:
    """Serve this extension's stylesheet and script from _static/, like the vendored assets."""
    config.html_static_path.append(str(STATIC_DIR))


def add_favicon_placeholder(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Without an icon link, browsers request /favicon.ico and log a 404 on every page."""
    if not context.get("favicon_url"):
        context["metatags"] = context.get("metatags", "") + '\n<link rel="icon" href="data:,">'


def write_index_redirect(app: Sphinx, exception: Exception | None) -> None:
    """Write index.html as a redirect to the root page, with an icon link and a title.

    sphinx-external-toc writes a bare ``<meta http-equiv="Refresh">`` index when none
    exists, and the browser then requests /favicon.ico (a 404 in the console). Running
    before it (priority 400) leaves a complete page it will not overwrite.
    """
    if exception is not None or app.builder.name != "html" or app.config.root_doc == "index":
        return
    target = html.escape(app.builder.get_target_uri(app.config.root_doc), quote=True)
    title = html.escape(app.config.html_title or app.config.project)
    (Path(app.outdir) / "index.html").write_text(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{title}</title>\n<link rel=\"icon\" href=\"data:,\">\n"
        f"<meta http-equiv=\"refresh\" content=\"0; url={target}\">\n</head>\n"
        f"<body><p><a href=\"{target}\">{title}</a></p></body>\n</html>\n",
        encoding="utf-8",
    )


def drop_duplicate_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Keep the first of scripts that differ only by filename None vs '' (Sphinx 7.4)."""
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen: set[tuple[Any, ...]] = set()
    unique = []
    for js in scripts:
        attributes = getattr(js, "attributes", {})
        key = (
            str(getattr(js, "filename", js) or ""),
            getattr(js, "priority", 500),
            tuple(sorted((k, str(v)) for k, v in attributes.items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


TABLE_LABEL_PREFIXES = ("tbl-", "tab-")
"""Labels of glued tables (``{glue:figure} tbl-...``); every other glued figure stays a figure."""


class GluedTable(nodes.figure):
    """A glued output that is a table: rendered as a figure, numbered as a table."""


class NumberGluedTablesAsTables(SphinxTransform):
    """Retype ``tbl-`` figures before the standard domain and the numbering see them."""

    default_priority = 500  # before the doctree-read event (880) that collects labels

    def apply(self, **kwargs: Any) -> None:
        for figure in list(self.document.findall(nodes.figure)):
            if type(figure) is nodes.figure and any(
                    i.startswith(TABLE_LABEL_PREFIXES) for i in figure["ids"]):
                table = GluedTable(figure.rawsource, *figure.children, **figure.attributes)
                figure.replace_self(table)
                for node_id in table["ids"]:  # references look their target up by id
                    self.document.ids[node_id] = table


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the handlers after the theme's launch buttons (priority 501) and myst-nb's."""
    app.add_enumerable_node(GluedTable, "table",
                            html=(HTML5Translator.visit_figure, HTML5Translator.depart_figure))
    app.add_transform(NumberGluedTablesAsTables)
    app.connect("config-inited", add_static_dir)
    app.add_css_file(SITE_CSS)
    app.connect("html-page-context", tidy_page_tables, priority=600)
    app.connect("html-page-context", retarget_launch_buttons, priority=600)
    app.connect("html-page-context", drop_unused_mathjax, priority=600)
    app.connect("html-page-context", add_favicon_placeholder, priority=600)
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    app.connect("build-finished", write_index_redirect, priority=400)
    app.connect("env-get-outdated", reread_chapters_missing_twins)
    app.connect("env-updated", remember_twin_states)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
