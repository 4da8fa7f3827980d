"""A corrupted SYNTHETIC cohort file fails loudly, naming file, row and column (pandera)."""

import shutil
from pathlib import Path

import pytest

from lungmets.paths import SYNTHETIC_DIR
from lungmets.schema import CohortFileError
from lungmets.synthetic.reconstruct import FILES, load_cohort


@pytest.fixture
def cohort_copy(tmp_path: Path) -> Path:
    for name in FILES:
        shutil.copy(SYNTHETIC_DIR / name, tmp_path / name)
    return tmp_path


def _set_cell(path: Path, line: int, column: str, text: str) -> None:
    """Replace one cell of a CSV (line numbers as an editor shows them; header = 1)."""
    rows = path.read_text().split("\n")
    header = rows[0].split(",")
    cells = rows[line - 1].split(",")
    cells[header.index(column)] = text
    rows[line - 1] = ",".join(cells)
    path.write_text("\n".join(rows))


def test_the_committed_cohort_passes_its_schemas() -> None:
    cohort = load_cohort()
    assert len(cohort.patients) > 0 and len(cohort.lesions) > 0


@pytest.mark.parametrize(
    ("file", "line", "column", "text", "says"),
    [
        ("patients.csv", 5, "sex", "M", "'M' fails isin"),
        ("patients.csv", 7, "ecog", "3", "fails isin"),
        ("patients.csv", 3, "age_years", "sixty", "'sixty' is not dtype('int64')"),
        ("patients.csv", 9, "os_event", "0.5", "0.5 is not dtype('int64')"),
        ("patients.csv", 4, "n_lesions", "12", "below met_max_lesions_inclusion"),
        ("patients.csv", 6, "rt_start_date", "12/03/2012", "str_matches"),
        ("lesions.csv", 10, "post_cm", "-1.0", "greater_than_or_equal_to(0)"),
        ("adverse_events.csv", 2, "grade", "7", "in_range(1, 5)"),
        ("validation.csv", 4, "group", "Xx", "fails isin"),
    ],
    ids=[
        "bad-category",
        "ecog-out-of-range",
        "text-in-number",
        "fraction-in-binary",
        "above-inclusion-limit",
        "bad-date",
        "negative-diameter",
        "grade-above-5",
        "bad-group",
    ],
)
def test_a_bad_cell_is_named_by_file_row_and_column(
    cohort_copy: Path, file: str, line: int, column: str, text: str, says: str
) -> None:
    path = cohort_copy / file
    _set_cell(path, line, column, text)
    before = path.read_bytes()
    with pytest.raises(CohortFileError) as error:
        load_cohort(cohort_copy)
    message = str(error.value)
    assert f"{path}, line {line}, column '{column}'" in message
    assert says in message
    assert path.read_bytes() == before, "loading must never rewrite the file"


def test_a_missing_column_is_named(cohort_copy: Path) -> None:
    path = cohort_copy / "validation.csv"
    rows = [",".join(r.split(",")[:-1]) for r in path.read_text().split("\n") if r]
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(CohortFileError, match=r"validation.csv: column 'sorafenib_days' is miss"):
        load_cohort(cohort_copy)


def test_progression_after_death_is_rejected(cohort_copy: Path) -> None:
    path = cohort_copy / "patients.csv"
    _set_cell(path, 2, "pfs_months", "200.0")
    with pytest.raises(
        CohortFileError, match=r"patients.csv, line 2: fails pfs_months within os_months"
    ):
        load_cohort(cohort_copy)
