"""Local Sphinx extension: every page says which version of the book it was built from.

A clinician who prints a page, or a teacher who hands out a copy, needs to know which state of
the reanalysis it shows: the synthetic cohort and the text change between versions. The page
footer names the commit and its date (not the build time, so two builds of one commit give the
same pages), and says so when the working tree had uncommitted changes. The book's home (the
repository block of _config.yml, which the publishing workflow sets with scripts/set_home.py)
is where the pages link to, not what they say, so a change to it alone is not counted.
"""

from __future__ import annotations

import re
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


HOME_LINE = re.compile(r"[+-]\s+(url|branch):")


def _only_the_home_changed(root: Path, status: str) -> bool:
    """True when the one uncommitted change is the home's url/branch lines in _config.yml."""
    if status.split() != ["M", "_config.yml"]:
        return False
    diff = _git(root, "diff", "-U0", "HEAD", "--", "_config.yml") or ""
    changed = [line for line in diff.splitlines()
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    return bool(changed) and all(HOME_LINE.match(line) for line in changed)


def build_version(root: Path) -> str:
    """``commit <short hash> of <commit date>`` (plus a note on local changes), or a plain
    statement that the version is unknown outside a git checkout."""
    commit = _git(root, "log", "-1", "--format=%h %cs")
    if not commit:
        return "an unknown version (not built from a git checkout)"
    short, date = commit.split()
    status = _git(root, "status", "--porcelain", "--untracked-files=no") or ""
    dirty = bool(status) and not _only_the_home_changed(root, status)
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
