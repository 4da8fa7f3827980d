"""Local Sphinx extension: every page says which version of the book it was built from.

A clinician who prints a page, or a teacher who hands out a copy, needs to know which state of
the reanalysis it shows: the synthetic cohort and the text change between versions. The page
footer names the commit and its date (not the build time, so two builds of one commit give the
same pages), and says so when the working tree had uncommitted changes.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

__all__ = ["build_version", "setup"]


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              check=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def build_version(root: Path) -> str:
    """``commit <short hash> of <commit date>`` (plus a note on local changes), or a plain
    statement that the version is unknown outside a git checkout."""
    commit = _git(root, "log", "-1", "--format=%h %cs")
    if not commit:
        return "an unknown version (not built from a git checkout)"
    short, date = commit.split()
    dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
    return f"commit {short} of {date}" + (" with uncommitted changes" if dirty else "")


def _add_version_footer(app: Sphinx, config: Config) -> None:
    options = dict(config.html_theme_options or {})
    stamp = (f'<p class="lungmets-version">Built from {build_version(Path(app.confdir))}. '
             "All patient-level data in this book are synthetic.</p>")
    options["extra_footer"] = (options.get("extra_footer") or "") + stamp
    config.html_theme_options = options


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _add_version_footer)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
