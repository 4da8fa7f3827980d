"""Local Sphinx extension: re-execute the chapters when the data or the package change.

myst-nb's execution cache is keyed on a notebook's code cells only, and Sphinx re-reads a page
only when its source changes. A recalibrated cohort under ``data/`` or an edited module under
``src/lungmets/`` would therefore leave every chapter showing numbers computed from the old
inputs. This extension fingerprints those inputs; when the fingerprint differs from the one the
previous build stored, it empties the execution cache and marks every chapter outdated; the
new fingerprint is stored once that build has finished.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

__all__ = ["inputs_fingerprint", "setup"]

logger = logging.getLogger(__name__)

# What chapters compute from, besides their own source.
INPUT_GLOBS = ("data/**/*", "src/lungmets/**/*.py", "requirements.txt")


def inputs_fingerprint(root: Path) -> str:
    """SHA-256 over the relative paths and bytes of every input file, in sorted order."""
    digest = hashlib.sha256()
    files = sorted({p for pattern in INPUT_GLOBS for p in root.glob(pattern) if p.is_file()})
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def reexecute_when_inputs_change(
    app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Clear the execution cache and re-read every chapter if the inputs changed.

    The fingerprint is stored beside the cache (not in the Sphinx environment), so a cache
    that outlived its environment is still recognised as stale.
    """
    cache = Path(env.mystnb_config.execution_cache_path)
    stamp = cache.parent / ".lungmets-inputs"
    now = inputs_fingerprint(Path(app.srcdir))
    if stamp.is_file() and stamp.read_text() == now:
        _create_cache_database(cache)
        return []
    if cache.exists():
        shutil.rmtree(cache)
    _create_cache_database(cache)
    _PENDING[stamp] = now  # stamped once the build has read (and executed) every chapter
    chapters = sorted(
        d for d in env.found_docs - removed if "kernelspec" in env.metadata.get(d, {})
    )
    if chapters:
        logger.info("data or package changed: re-executing %d chapters", len(chapters))
    return chapters


_PENDING: dict[Path, str] = {}


def _stamp_after_build(_app: Sphinx, exception: Exception | None) -> None:
    """Store the fingerprint only after a build that did not stop: a build that failed while
    executing must re-execute next time, not find the new inputs already stamped."""
    if exception is None:
        for stamp, fingerprint in _PENDING.items():
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text(fingerprint)
    _PENDING.clear()


def _create_cache_database(cache: Path) -> None:
    """Create the execution cache's database here, in the main process, if it is missing.

    Why: the chapters are read (and executed) in parallel processes (``lungmets_parallel``);
    each opens the cache, and two that find no database both create its tables, so one fails
    with "table settings already exists" and the build stops. Seen after this extension had
    emptied the cache; a fresh clone has no cache either.
    """
    from jupyter_cache import get_cache

    get_cache(cache).db  # noqa: B018 (the property creates the database file and its tables)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("env-get-outdated", reexecute_when_inputs_change)
    app.connect("build-finished", _stamp_after_build)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
