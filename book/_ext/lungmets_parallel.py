"""Local Sphinx extension: read (and so execute) the chapters on every core, write serially.

Why: most of a cold build is executing the chapters' notebooks, one after another; the CLI of
Jupyter Book 1 offers no ``-j``. Sphinx decides to read in parallel from ``app.parallel``
when reading starts, so setting it here reads the pages, and myst-nb executes their notebooks,
in that many processes (``LUNGMETS_BUILD_JOBS``, default: the cores this process may use).
Writing stays serial (``app.parallel`` goes back to 1 once reading is done), because the
page-context hooks of ``lungmets_speed`` collect what every page uses (the icon glyphs) in
the main process.

Two extensions that Jupyter Book loads do not declare whether they are safe to read in
parallel, which Sphinx would report as a warning (an error with ``-W``). Both are, for an
HTML build: ``sphinx_multitoc_numbering`` only patches section numbering when the builder
starts, and ``sphinx_jupyterbook_latex`` only acts on LaTeX builds.
"""

from __future__ import annotations

import os
from typing import Any

from sphinx.application import Sphinx

__all__ = ["setup"]

READ_SAFE_UNDECLARED = ("sphinx_multitoc_numbering", "sphinx_jupyterbook_latex")


def _jobs() -> int:
    wanted = os.environ.get("LUNGMETS_BUILD_JOBS", "")
    return max(1, int(wanted) if wanted.strip() else len(os.sched_getaffinity(0)))


def _declare_read_safe(app: Sphinx, _config: Any) -> None:
    for name in READ_SAFE_UNDECLARED:
        extension = app.extensions.get(name)
        if extension is not None and extension.parallel_read_safe is None:
            extension.parallel_read_safe = True


def _write_serially(app: Sphinx, _env: Any) -> None:
    app.parallel = 1


def setup(app: Sphinx) -> dict[str, Any]:
    app.parallel = _jobs()
    app.connect("config-inited", _declare_read_safe)
    app.connect("env-updated", _write_serially)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
