"""Shared fixtures: one strict book build per test session, and the pages it must contain.

The build runs exactly what `make book` runs (``jupyter-book build . -W -n --keep-going``
in the repository root, then ``scripts/make_pdf.py`` for the handouts); the execution cache
makes it cheap when nothing changed.
Set ``LUNGMETS_BUILD_OUTPUT=/some/dir`` to build into ``/some/dir/_build`` instead of the
repository's ``_build`` (for example when someone else's build uses ``_build``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lungmets.site.toc import toc_pages

__all__ = ["REPO", "book_log_path", "toc_pages"]

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / ".venv" / "bin"
LOG_TAIL_LINES = 80


def _output_root() -> Path:
    """Folder holding _build/ (the repository unless LUNGMETS_BUILD_OUTPUT says otherwise)."""
    return Path(os.environ.get("LUNGMETS_BUILD_OUTPUT", REPO)).resolve()


def book_log_path() -> Path:
    """Where the session's build log is written (next to _build/html)."""
    return _output_root() / "_build" / "book-build.log"


_BUILD_FAILURE: list[str] = []  # a failed build is reported once, not rebuilt per test


@pytest.fixture(scope="session")
def built_site() -> Path:
    """Build the book strictly once per session and return its _build/html folder."""
    if _BUILD_FAILURE:
        pytest.fail(_BUILD_FAILURE[0], pytrace=False)
    vendor = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "vendor_assets.py")],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if vendor.returncode != 0:
        _BUILD_FAILURE.append(f"make vendor failed:\n{vendor.stdout}\n{vendor.stderr}")
        pytest.fail(_BUILD_FAILURE[0], pytrace=False)
    command = [str(BIN / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going"]
    if _output_root() != REPO:
        command += ["--path-output", str(_output_root())]
    result = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}
    )
    log = book_log_path()
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(f"$ {' '.join(command)}\n{result.stdout}\n{result.stderr}")
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-LOG_TAIL_LINES:])
        _BUILD_FAILURE.append(
            f"book build failed (exit {result.returncode}); full log in {log}; tail:\n{tail}"
        )
        pytest.fail(_BUILD_FAILURE[0], pytrace=False)
    html = _output_root() / "_build" / "html"
    assert (html / "index.html").is_file(), f"build succeeded but {html}/index.html is missing"
    handouts = subprocess.run([str(BIN / "python"), str(REPO / "scripts" / "make_pdf.py"),
                               "--site", str(html)], cwd=REPO, capture_output=True, text=True)
    if handouts.returncode != 0:
        _BUILD_FAILURE.append(f"make pdf failed:\n{handouts.stdout}\n{handouts.stderr}")
        pytest.fail(_BUILD_FAILURE[0], pytrace=False)
    return html


@pytest.fixture(scope="session")
def build_log(built_site: Path) -> str:
    """The text the session's book build printed (stdout and stderr)."""
    return book_log_path().read_text()


PAPER_NAME = "sun-2016-oncotarget.txt"


def paper_path() -> Path:
    """Beside the repository (as CI lays it out), else wherever LUNGMETS_PAPER points."""
    beside = REPO.parent / "shared" / "paper" / PAPER_NAME
    if beside.exists():
        return beside
    return Path(os.environ.get("LUNGMETS_PAPER", beside))


@pytest.fixture(scope="session")
def paper() -> str:
    """The paper's text, whitespace collapsed, for quotations to be found in. Missing, it skips
    locally and fails under CI (the catalogue's quotes must be checked there)."""
    path = paper_path()
    if not path.exists():
        message = f"paper text not found at {path} (set LUNGMETS_PAPER)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return " ".join(path.read_text(encoding="utf-8").split())
