"""R's numbers for the teaching modules, read from tests/fixtures/r_teaching/ (no R needed).

scripts/r_reference_teaching.R wrote them from the SYNTHETIC cohort and R's veteran data;
provenance.csv records the SHA-256 of both inputs. The cohort's numbers are only valid for the
committed cohort, so :func:`reference` fails (it does not skip) when the files R read changed.
"""

from __future__ import annotations

import hashlib
from functools import cache

import pandas as pd
import pytest

from lungmets.paths import REPO_ROOT

__all__ = ["FIXTURE", "r_value", "reference"]

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "r_teaching"
RERUN = "rerun `make r-reference` (its second script writes these) and commit its output"


@cache
def _checked() -> pd.DataFrame:
    provenance = pd.read_csv(FIXTURE / "provenance.csv").set_index("key")["value"]
    for key, recorded in provenance.items():
        if not key.startswith("sha256:"):
            continue
        path = REPO_ROOT / key.removeprefix("sha256:")
        if hashlib.sha256(path.read_bytes()).hexdigest() != recorded:
            pytest.fail(f"{path.relative_to(REPO_ROOT)} changed since R's reference: {RERUN}",
                        pytrace=False)
    return pd.read_csv(FIXTURE / "reference.csv", keep_default_na=False, dtype=str)


def reference(case: str, method: str, **where: str) -> pd.DataFrame:
    """Rows of R's reference for one case and method, optionally filtered by other columns."""
    table = _checked()
    rows = table[(table["case"] == case) & (table["method"] == method)]
    for column, value in where.items():
        rows = rows[rows[column] == value]
    if rows.empty:
        raise KeyError(f"no R reference for {case}, {method}, {where}: {RERUN}")
    return rows.assign(value=rows["value"].astype(float))


def r_value(case: str, method: str, quantity: str, term: str = "", subset: str = "all") -> float:
    """One number R printed."""
    rows = reference(case, method, quantity=quantity, term=term, subset=subset)
    if len(rows) != 1:
        raise KeyError(f"{len(rows)} R rows for {case}, {method}, {quantity}, {term}, {subset}")
    return float(rows["value"].iloc[0])
