"""What a reader can download from the book: the SYNTHETIC data, their dictionary, the notebooks.

Why: a teacher hands residents the data to redo an analysis in their own software, and a
learner wants a chapter's notebook. The files leave the book's context, so each data file
carries the word SYNTHETIC in its own name (``SYNTHETIC-patients.csv``), and the zip holds a
note saying what the files are. The CSVs themselves stay byte-identical to ``data/synthetic/``
(no comment line that a CSV reader would choke on).

Zips are deterministic (entries sorted, fixed timestamps), so one commit gives one set of bytes.
The book's extension ``book/_ext/lungmets_downloads.py`` writes these files into the built site
under ``downloads/``; pages link them by relative paths, so the links work from a folder on disk.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

from lungmets.paths import REPO_ROOT, SYNTHETIC_DIR

__all__ = [
    "DATA_ZIP",
    "DICTIONARY",
    "NOTEBOOKS_ZIP",
    "SYNTHETIC_TABLES",
    "deterministic_zip",
    "download_name",
    "write_downloads",
]

SYNTHETIC_TABLES = ("patients.csv", "lesions.csv", "adverse_events.csv", "validation.csv")
DICTIONARY = "SYNTHETIC-data-dictionary.md"
DATA_ZIP = "lungmets-SYNTHETIC-data.zip"
NOTEBOOKS_ZIP = "lungmets-notebooks.zip"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
ZIP_NOTE_NAME = "README-SYNTHETIC.txt"
ZIP_NOTE = """\
SYNTHETIC data: no real patient's data are in these files.

They are a reconstructed, synthetic patient-level cohort, calibrated so that its aggregates
reproduce the numbers published by Sun et al., Oncotarget 2016;7:48586-48599
(doi:10.18632/oncotarget.9374). The paper published no patient-level data.
SYNTHETIC-data-dictionary.md describes every column. Licence: CC BY 4.0; keep the word
"synthetic" with the data wherever you reuse them.
"""


def download_name(table: str) -> str:
    """The name a synthetic table is downloaded under, which says what it is (words joined by
    hyphens, as a reader would write them: ``SYNTHETIC-adverse-events.csv``)."""
    return f"SYNTHETIC-{table.replace('_', '-')}"


def deterministic_zip(entries: Iterable[tuple[str, bytes]], out: Path) -> Path:
    """Write ``out`` from (name, bytes) pairs, sorted, with fixed times; never half-written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    partial.replace(out)
    return out


def _data_files(synthetic_dir: Path) -> dict[str, bytes]:
    files = {download_name(table): (synthetic_dir / table).read_bytes()
             for table in SYNTHETIC_TABLES}
    files[DICTIONARY] = (synthetic_dir / "README.md").read_bytes()
    return files


def write_downloads(out: Path, synthetic_dir: Path = SYNTHETIC_DIR,
                    notebooks_dir: Path = REPO_ROOT / "notebooks") -> list[Path]:
    """Write every download under ``out`` and return their paths (data first, then notebooks)."""
    written = []
    data = _data_files(synthetic_dir)
    for name, content in data.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    written.append(deterministic_zip([*data.items(), (ZIP_NOTE_NAME, ZIP_NOTE.encode())],
                                     out / DATA_ZIP))
    notebooks = {f"notebooks/{nb.name}": nb.read_bytes()
                 for nb in sorted(notebooks_dir.glob("*.ipynb"))}
    if not notebooks:
        raise FileNotFoundError(f"no notebooks in {notebooks_dir}: the chapters' twins are missing")
    for name, content in notebooks.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    written.append(deterministic_zip(notebooks.items(), out / NOTEBOOKS_ZIP))
    return written
