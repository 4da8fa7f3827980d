"""Where the project's data live.

The package is installed editable (``pip install -e .``, also on Binder), so the data folders are
found relative to this file rather than copied into site-packages: one copy, never two.
"""

from pathlib import Path

__all__ = ["PUBLISHED_DIR", "REPO_ROOT", "SYNTHETIC_DIR"]

REPO_ROOT: Path = Path(__file__).resolve().parents[2]
PUBLISHED_DIR: Path = REPO_ROOT / "data" / "published"
SYNTHETIC_DIR: Path = REPO_ROOT / "data" / "synthetic"
