"""Local Sphinx extension: the SYNTHETIC data, their dictionary and the notebooks as downloads.

After an HTML build, :func:`lungmets.site.downloads.write_downloads` writes them under the site's
``downloads/`` folder, where ``book/downloads.md`` links them by relative paths (so the links
also work from a copy of the site on disk). ``scripts/make_pdf.py`` adds ``downloads/pdf/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from lungmets.site.downloads import write_downloads

__all__ = ["setup"]


def _write_downloads(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        write_downloads(Path(app.outdir) / "downloads")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", _write_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
