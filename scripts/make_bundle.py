"""Zip the built site so it can be read on a PC with no network (``make bundle``).

Why: a clinician may get the book on a USB stick or an intranet share, where nothing is served
and nothing may be fetched. The site already loads only its own files, by relative paths, so
the zip is the built folder as it is, under one top folder, plus a note on how to open it. The
browser test opens its pages from the unzipped copy (file://).

Deterministic: entries sorted, every timestamp fixed, so the same site gives the same bytes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lungmets.site.downloads import deterministic_zip

ROOT = Path(__file__).resolve().parent.parent
TOP_FOLDER = "lungmets-book"
README_NAME = "README-OFFLINE.txt"
README_TEXT = """\
Tomotherapy and sorafenib for lung metastases of HCC: a reproducible reanalysis
on SYNTHETIC data (no real patient's data are in this book).

To read it without a network: unzip this file, then open index.html in the
lungmets-book folder with any web browser. Everything the pages need is inside
the folder. The notebooks (to rerun the analyses) need Python; see the book's
"How to use this book" page.
"""


def make_bundle(site: Path, out: Path) -> Path:
    """Write ``out``: every file of ``site`` under ``lungmets-book/``, and the offline note."""
    if not (site / "index.html").is_file():
        raise SystemExit(f"make_bundle: {site / 'index.html'} missing; run `make book` first")
    files = ((f"{TOP_FOLDER}/{path.relative_to(site).as_posix()}", path.read_bytes())
             for path in site.rglob("*") if path.is_file())
    return deterministic_zip([(f"{TOP_FOLDER}/{README_NAME}", README_TEXT.encode()), *files], out)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``make bundle``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / f"{TOP_FOLDER}.zip")
    args = parser.parse_args(argv)
    out = make_bundle(args.site, args.out)
    print(f"make_bundle: {out} ({out.stat().st_size / 1e6:.1f} MB); unzip, open "
          f"{TOP_FOLDER}/index.html")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
