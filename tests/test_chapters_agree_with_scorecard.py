"""A number a chapter shows beside the paper's is the number the scorecard reports.

Chapters compare published with reproduced values through their own helpers (Table 3, the
flow diagram, response, survival, Table 1); the scorecard is the book's single verdict. If a
chapter computed a claim differently (another time origin, another grouping), a reader would
meet two reproductions of one printed number. This test forbids that, and requires a miss to
carry on the chapter's page the reason the scorecard gives it.
"""

import math

import pandas as pd
import pytest

from lungmets.analyses import (
    adverse,
    dosimetry,
    endpoints,
    flow,
    prognostic,
    response,
    tables,
    validation,
)
from lungmets.claims import claim
from lungmets.synthetic.reconstruct import load_cohort
from lungmets.synthetic.scorecard import reader_table, reason, scorecard


@pytest.fixture(scope="module")
def cohort():
    return load_cohort()


@pytest.fixture(scope="module")
def card() -> pd.DataFrame:
    return scorecard().set_index("claim_id")


def _chapter_rows(cohort) -> dict[str, pd.DataFrame]:
    p = cohort.patients
    factors = list(prognostic.FACTORS)
    return {
        "flow": flow.compare_flow(flow.cohort_flow(p, cohort.validation)).rename(
            columns={"claim id": "claim"}
        ),
        "table3": tables.compare_table3(p).rename(columns={"claim id": "claim"}),
        "response": response.compare_response(p["response"], cohort.lesions["response"]),
        "survival": endpoints.survival_claims(p),
        "univariate": pd.concat(
            prognostic.univariate_table(p, factors, ep).rename(
                columns={"claim_id": "claim", "p": "reproduced"}
            )
            for ep in ("pfs", "os")
        ),
        "multivariable": pd.concat(
            prognostic.multivariable_claims(p, ep) for ep in ("pfs", "os")
        ),
        "adverse": adverse.compare_adverse_events(cohort),
        "validation": validation.compare_validation(cohort),
        "dosimetry": dosimetry.compare_dosimetry(cohort),
    }


CHAPTERS = ["flow", "table3", "response", "survival", "univariate", "multivariable", "adverse",
            "validation", "dosimetry"]
"""Every chapter comparison the book shows (keys of _chapter_rows)."""


def _number(x: object) -> float:
    try:
        return float(str(x).replace("%", ""))
    except ValueError:
        return math.nan


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_reproductions_equal_the_scorecard(cohort, card, chapter: str) -> None:
    rows = _chapter_rows(cohort)[chapter]
    id_column = next(c for c in ("claim", "claim id", "claim_id") if c in rows.columns)
    shared = [i for i in rows[id_column] if i in card.index]
    assert shared, f"{chapter}: no claim in common with the scorecard"
    disagreements = []
    for _, row in rows[rows[id_column].isin(shared)].iterrows():
        cid = row[id_column]
        mine, theirs = _number(row["reproduced"]), _number(card.loc[cid, "reproduced"])
        tolerance = 0.5 * 10 ** -claim(cid).decimals
        if math.isnan(mine) != math.isnan(theirs) or abs(mine - theirs) > tolerance:
            disagreements.append((cid, row["reproduced"], card.loc[cid, "reproduced"]))
    assert disagreements == [], f"{chapter} vs scorecard (claim, chapter, scorecard)"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_misses_give_the_scorecards_reason(cohort, card, chapter: str) -> None:
    rows = _chapter_rows(cohort)[chapter]
    id_column = next(c for c in ("claim", "claim id", "claim_id") if c in rows.columns)
    shown = reader_table(rows).assign(claim=list(rows[id_column]))
    shown = shown[shown["claim"].isin(card.index)]
    assert len(shown), f"{chapter}: no claim in common with the scorecard"
    expected = [reason(card.loc[cid, "note"], cid) for cid in shown["claim"]]
    assert list(shown["Why it misses"]) == expected
