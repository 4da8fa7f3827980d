"""How the project's tools start Chromium: the browser test, the PDF handouts, the page benchmark.

Why one place: the three must run the same browser the same way, or a page measured fast or
printed well could differ from the page the test checked. Debian's ``chromium`` is used because
playwright cannot download its own browser here; the arguments keep it headless and stop it from
reaching the network on its own (updates, sync, QUIC), which the offline tests rely on.
"""

from __future__ import annotations

import shutil
from pathlib import Path

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "chromium_executable"]

CHROMIUM: Path = Path("/usr/bin/chromium")
CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)


def chromium_executable() -> str | None:
    """The Chromium binary to launch: Debian's path, else ``chromium`` on PATH, else None."""
    return str(CHROMIUM) if CHROMIUM.is_file() else shutil.which("chromium")
