"""Schemas of the SYNTHETIC cohort files, and a loader that names the bad cell.

Every chapter reads the reconstructed cohort through
:func:`lungmets.synthetic.reconstruct.load_cohort`, which validates each file here first. A
hand-edited or corrupted CSV then fails loudly with the file, the CSV line and the column, instead
of flowing silently into a survival curve. Bounds the paper prints (the inclusion limits on lesions
and diameters) are read from the claims catalogue; the other bounds are plausibility limits of this
project, stated below.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from lungmets.claims import claim
from lungmets.data_errors import cell_location

__all__ = ["SCHEMAS", "CohortFileError", "validate_frame"]

_DATE = r"^\d{4}-\d{2}-\d{2}$"
_BINARY = pa.Check.isin([0, 1])
_MONTHS = pa.Check.in_range(0, 240)  # plausibility: 20 years


class CohortFileError(ValueError):
    """A synthetic cohort file breaks its schema; the message names file, row and column."""


def _below_inclusion_limit(claim_id: str) -> pa.Check:
    """Strictly below a printed inclusion limit such as "< 10 metastatic lesions"."""
    limit = claim(claim_id).number
    return pa.Check(lambda values: values < limit, name=f"below {claim_id} (< {limit:g})")


def _patients() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "patient_id": pa.Column(str, pa.Check.str_matches(r"^P\d{2}$"), unique=True),
            "sorafenib": pa.Column(int, _BINARY),
            "sex": pa.Column(str, pa.Check.isin(["male", "female"])),
            "age_years": pa.Column(int, pa.Check.in_range(18, 100)),
            "pdr_months": pa.Column(float, _MONTHS),
            "pmfi_months": pa.Column(float, _MONTHS),
            "afp_ng_ml": pa.Column(float, pa.Check.gt(0)),
            "viral_hepatitis": pa.Column(int, _BINARY),
            "n_lesions": pa.Column(
                int, [pa.Check.ge(1), _below_inclusion_limit("met_max_lesions_inclusion")]
            ),
            "max_lesion_cm": pa.Column(
                float, [pa.Check.gt(0), _below_inclusion_limit("met_max_diameter_inclusion_cm")]
            ),
            "intrahepatic_active": pa.Column(int, _BINARY),
            "liver_treatment": pa.Column(
                str, pa.Check.isin(["resection", "tace", "transplantation"])
            ),
            "ecog": pa.Column(int, pa.Check.isin([0, 1, 2])),
            "other_mets": pa.Column(int, _BINARY),
            "other_mets_site": pa.Column(
                str, pa.Check.isin(["none", "right_adrenal", "bone_rib", "bone_right_scapula"])
            ),
            "child_pugh": pa.Column(str, pa.Check.isin(["A", "B"])),
            "fractions": pa.Column(int, pa.Check.isin([5, 10])),
            "sorafenib_mg_day": pa.Column(int, pa.Check.isin([0, 400, 800])),
            "sorafenib_days": pa.Column(float, pa.Check.gt(0), nullable=True),
            "intrahepatic_treatment_during_rt": pa.Column(
                str, pa.Check.isin(["none", "rfa", "tace", "rfa_tace"])
            ),
            "response": pa.Column(str, pa.Check.isin(["CR", "PR", "SD", "PD"])),
            "pfs_months": pa.Column(float, _MONTHS),
            "pfs_event": pa.Column(int, _BINARY),
            "os_months": pa.Column(float, _MONTHS),
            "os_event": pa.Column(int, _BINARY),
            "lung_mets_detected_date": pa.Column(str, pa.Check.str_matches(_DATE)),
            "rt_start_date": pa.Column(str, pa.Check.str_matches(_DATE)),
            "progression_date": pa.Column(str, pa.Check.str_matches(_DATE), nullable=True),
            "death_date": pa.Column(str, pa.Check.str_matches(_DATE), nullable=True),
            "last_followup_date": pa.Column(str, pa.Check.str_matches(_DATE)),
            "validation_group": pa.Column(str, pa.Check.isin(["Co", "Rt"]), nullable=True),
        },
        checks=[
            # Progression is observed before death: PFS (from RT) fits inside OS from RT.
            pa.Check(
                lambda df: df["pfs_months"] <= df["os_months"] - df["pdr_months"] + 1e-9,
                name="pfs_months within os_months - pdr_months",
            ),
        ],
        strict=True,
    )


def _lesions() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "patient_id": pa.Column(str, pa.Check.str_matches(r"^P\d{2}$")),
            "lesion_id": pa.Column(str, pa.Check.str_matches(r"^P\d{2}-L\d+$"), unique=True),
            "baseline_cm": pa.Column(
                float, [pa.Check.gt(0), _below_inclusion_limit("met_max_diameter_inclusion_cm")]
            ),
            "post_cm": pa.Column(float, pa.Check.ge(0)),
            "response": pa.Column(str, pa.Check.isin(["CR", "PR", "SD", "PD"])),
        },
        strict=True,
    )


def _adverse_events() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "patient_id": pa.Column(str, pa.Check.str_matches(r"^P\d{2}$")),
            "event": pa.Column(str, pa.Check.str_matches(r"^[a-z_]+$")),
            "grade": pa.Column(int, pa.Check.in_range(1, 5)),  # CTCAE grades
        },
        unique=["patient_id", "event"],
        strict=True,
    )


def _validation() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "patient_id": pa.Column(str, pa.Check.str_matches(r"^(P|S)\d{2}$"), unique=True),
            "group": pa.Column(str, pa.Check.isin(["Co", "Rt", "S"])),
            "os_months": pa.Column(float, _MONTHS),
            "os_event": pa.Column(int, _BINARY),
            "sorafenib_days": pa.Column(float, pa.Check.gt(0), nullable=True),
        },
        strict=True,
    )


SCHEMAS = {
    "patients.csv": _patients,
    "lesions.csv": _lesions,
    "adverse_events.csv": _adverse_events,
    "validation.csv": _validation,
}
"""Schema factory per file name (built on use: the inclusion limits come from the catalogue)."""


def _bad_rows_for_dtype(column: pd.Series, check: str) -> list[tuple[int, object]]:
    """Rows whose text spoils a numeric column's type (pandas then reads the whole column as
    text or floats, and the schema can only say the column has the wrong type)."""
    numbers = pd.to_numeric(column, errors="coerce")
    bad = column.notna() & numbers.isna()
    if "int" in check:
        bad |= numbers.notna() & (numbers != numbers.round())
    return [(int(i), column[i]) for i in column.index[bad]]


def _plain(value: object) -> object:
    """numpy scalars print as np.float64(0.5); show the plain value."""
    return value.item() if hasattr(value, "item") else value


def _problems(frame: pd.DataFrame, failures: pd.DataFrame) -> list[tuple[int, str, str]]:
    """(CSV line or 0, column or '', what is wrong), one per bad cell, rows before columns.

    Type errors are reported once per bad cell (the other checks of a mistyped column only
    repeat them); a row-wise check over several columns is reported once per row."""
    problems: set[tuple[int, str, str]] = set()
    mistyped: set[str] = set()
    for _, f in failures.iterrows():
        column, check = f["column"], str(f["check"])
        if check.startswith("dtype(") and column in frame:
            mistyped.add(column)
            for i, v in _bad_rows_for_dtype(frame[column], check):
                problems.add((i + 2, column, f"{_plain(v)!r} is not {check}"))
    for _, f in failures.iterrows():
        column, check, case = f["column"], str(f["check"]), _plain(f["failure_case"])
        line = int(f["index"]) + 2 if pd.notna(f["index"]) else 0
        if check == "column_in_dataframe":
            problems.add((0, "", f"column '{case}' is missing"))
        elif check == "column_in_schema":
            problems.add((0, "", f"column '{case}' is not in the schema (data dictionary)"))
        elif f["schema_context"] == "DataFrameSchema":
            problems.add((line, "", f"fails {check}"))
        elif column not in mistyped:
            problems.add((line, column or "", f"{case!r} fails {check}"))
    return sorted(problems)


def validate_frame(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Validate one cohort file read from ``path``; raise :class:`CohortFileError` naming every
    bad cell (file, CSV line, column) when it breaks its schema. Returns the frame unchanged."""
    path = Path(path)
    if path.name not in SCHEMAS:
        raise CohortFileError(f"{path}: not a cohort file (expected one of {sorted(SCHEMAS)})")
    try:
        return SCHEMAS[path.name]().validate(frame, lazy=True)
    except pa.errors.SchemaErrors as error:
        lines = [f"{cell_location(path, line, column)}: {text}"
                 for line, column, text in _problems(frame, error.failure_cases)]
        more = f"\n... and {len(lines) - 10} more" if len(lines) > 10 else ""
        raise CohortFileError("\n".join(lines[:10]) + more) from None
