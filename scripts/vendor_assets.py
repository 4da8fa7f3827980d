"""Copy the browser assets the book serves itself from node_modules into vendor/.

Why: the built site must make no request to another host at page load, so MathJax is
pinned in package.json/package-lock.json,
installed with ``npm ci`` and copied here; _config.yml points Sphinx at
``vendor/static`` (copied into ``_build/html/_static``). The folder is not called
``_static`` because Jupyter Book would then inject every .js in it into every page.

The copy mirrors the npm layout under ``vendor/static`` (``mathjax/es5/...``): MathJax
resolves its components and fonts relative to its own URL, so keeping the layout keeps them
local. (Widget panels need no script bundle: book/_ext/lungmets_panels.py renders them.)

Idempotent and fast when nothing changed: a stamp records the lock file's hash and
the list of copied files; ``npm ci`` runs only when node_modules does not match the lock.

``npm ci`` also installs the devDependencies: axe-core, which tests/test_browser.py injects
into every built page. It is not in MANIFEST, so it never reaches the published site.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["MANIFEST", "main", "vendor_assets"]

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "vendor"
STATIC = VENDOR / "static"
STAMP = VENDOR / ".stamp.json"
NPM_STAMP = NODE_MODULES / ".lungmets-lock.sha256"

# (package folder under node_modules, glob patterns inside it). Only what a page loads,
# plus each package's licence.
MANIFEST: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "mathjax",
        (
            "es5/tex-mml-chtml.js",  # Sphinx's default component
            "es5/output/chtml/fonts/woff-v2/*.woff",  # CHTML fonts, loaded on demand
            "es5/input/tex/extensions/**/*.js",  # TeX packages autoloaded by macro
            "es5/a11y/*.js",  # accessibility tools the MathJax menu can switch on
            "es5/sre/**/*",  # speech rule engine and its maps, used by those tools
            "es5/ui/*.js",
            "LICENSE",
            "package.json",
        ),
    ),
)


def _sha256(path: Path) -> str:
    """Hash a file, so a changed lock or manifest is noticed."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _npm_ci(lock_hash: str) -> None:
    """Install exactly the locked packages, test tools included (even under NODE_ENV=production);
    lifecycle scripts are not needed to copy files."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("vendor_assets: npm not found; install Node.js 20 (see environment.yml)")
    print("vendor_assets: npm ci (node_modules missing or out of date)", flush=True)
    subprocess.run(
        [npm, "ci", "--include=dev", "--ignore-scripts", "--no-audit", "--no-fund",
         "--loglevel=error"],
        cwd=ROOT,
        check=True,
    )
    NPM_STAMP.write_text(lock_hash + "\n")


def _wanted_files() -> dict[Path, Path]:
    """Map each destination under vendor/static to its source under node_modules."""
    wanted: dict[Path, Path] = {}
    for package, patterns in MANIFEST:
        package_dir = NODE_MODULES / package
        for pattern in patterns:
            matches = sorted(p for p in package_dir.glob(pattern) if p.is_file())
            if not matches:
                raise SystemExit(
                    f"vendor_assets: {package_dir / pattern} matched no file; "
                    "package.json, package-lock.json and MANIFEST disagree"
                )
            for src in matches:
                wanted[STATIC / package / src.relative_to(package_dir)] = src
    return wanted


def _manifest_hash() -> str:
    """Hash this script's file list, so editing MANIFEST forces a fresh copy."""
    return hashlib.sha256(json.dumps(MANIFEST).encode()).hexdigest()


def _up_to_date(lock_hash: str) -> bool:
    """True when the stamp matches the lock and manifest and every copied file is present."""
    if not STAMP.is_file():
        return False
    stamp = json.loads(STAMP.read_text())
    if stamp.get("lock") != lock_hash or stamp.get("manifest") != _manifest_hash():
        return False
    return all((VENDOR / rel).is_file() for rel in stamp.get("files", []))


def vendor_assets(force: bool = False) -> list[Path]:
    """Make vendor/static hold exactly the MANIFEST files; return them (empty if up to date)."""
    lock_hash = _sha256(ROOT / "package-lock.json")
    if not force and _up_to_date(lock_hash):
        return []
    npm_ok = NPM_STAMP.is_file() and NPM_STAMP.read_text().strip() == lock_hash
    if force or not npm_ok:
        _npm_ci(lock_hash)
    wanted = _wanted_files()
    if STATIC.exists():  # drop anything no longer in the manifest
        for old in sorted(STATIC.rglob("*"), reverse=True):
            if old.is_file() and old not in wanted:
                old.unlink()
            elif old.is_dir() and not any(old.iterdir()):
                old.rmdir()
    for dest, src in wanted.items():
        dest.parent.mkdir(parents=True, exist_ok=True)
        if not dest.is_file() or dest.read_bytes() != src.read_bytes():
            shutil.copyfile(src, dest)
    files = sorted(str(p.relative_to(VENDOR)) for p in wanted)
    STAMP.write_text(
        json.dumps({"lock": lock_hash, "manifest": _manifest_hash(), "files": files}, indent=1)
        + "\n"
    )
    return sorted(wanted)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point used by `make vendor`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="re-run npm ci and re-copy")
    args = parser.parse_args(argv)
    copied = vendor_assets(force=args.force)
    if copied:
        size = sum(p.stat().st_size for p in copied)
        print(f"vendor_assets: {len(copied)} files, {size / 1e6:.1f} MB in {STATIC}")
    else:
        print("vendor_assets: up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
