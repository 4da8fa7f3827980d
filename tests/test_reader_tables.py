"""Tables a clinician reads name numbers in words: no claim ids, True/False, NaN or code labels.

Every table cell of the built site is scanned, including the tables a precomputed panel shows
when its control is moved (they travel in the page's widget state), but not the code a reader
unfolds with "Show code", nor text set as code. The patterns are those of the shared
``table_scan.py`` plus bare endpoint and time-scale keys, and any snake_case name outside the
folded exercise solutions (which show learners the code's own output). The scanner is tested on
small pages first, so that a scan that finds nothing means the site is clean, not that the
scanner is blind. The labels and reasons the tables show come from lungmets.claims and
lungmets.synthetic.scorecard and are tested here too.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from lungmets.analyses.endpoints import survival_claims
from lungmets.claims import claim, load_claims
from lungmets.site.glossary import ABBREVIATIONS, spelled_out
from lungmets.synthetic.reconstruct import load_cohort
from lungmets.synthetic.scorecard import (
    MATCH,
    NOT_REACHED,
    csv_for_download,
    miss_reasons,
    reader_table,
    reason,
    scorecard,
)

CLAIM_ID = re.compile(
    r"\b(?:res|abs|t[123]|met|disc|fig|intro|val|ae|dvh)_[a-z0-9]+(?:_[a-z0-9]+)+\b"
)
BAD_CELL = re.compile(r"^(True|False|NaN|nan|None|<NA>|NaT|km|rank|pfs|os)$")
CODE_LABEL = re.compile(
    r"\b(sorafenib=[01]|rt_start|se_spss|os_months|pfs_months|pfs_event|os_event)\b"
)
SNAKE_CASE = re.compile(r"\b[a-z0-9]+_[a-z0-9]+(?:_[a-z0-9]+)*\b")  # a column name or key
FOLDED = ".cell_input, .toggle-hidden"  # a cell's folded source ("Show code")
SOLUTION = ".solution"  # a folded exercise solution, for learners
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
Cell = tuple[str, bool]  # (text, in an exercise solution)


def _cells(soup: BeautifulSoup, in_solution: bool = False) -> list[Cell]:
    for element in soup.select(FOLDED):
        element.decompose()
    for element in soup.find_all(["pre", "code", "script", "style"]):
        element.decompose()
    for element in soup.select(".math"):  # a formula's TeX (t_j) is not a code label
        element.decompose()
    cells = []
    for cell in soup.find_all(["td", "th", "caption"]):
        learner = in_solution or cell.find_parent(class_="solution") is not None
        cells.append((" ".join(cell.get_text(" ").split()), learner))
    return cells


def reader_cells(html: str) -> list[Cell]:
    """Every reader-facing table cell and caption of one page (panel states too), with whether
    it sits in a folded exercise solution."""
    soup = BeautifulSoup(html, "html.parser")
    states = [json.loads(script.get_text())
              for script in soup.find_all("script", attrs={"type": WIDGET_STATE})]
    cells = _cells(soup)
    for state in states:
        for model in state["state"].values():
            value = model["state"].get("value")
            if isinstance(value, str) and "<table" in value:
                cells += _cells(BeautifulSoup(value, "html.parser"))
    return cells


def offending(cell: str, in_solution: bool = False) -> bool:
    """A claim id, a bare True/False/NaN/None or code key, or a code label inside the cell (any
    snake_case name, except in an exercise solution's output)."""
    return bool(BAD_CELL.match(cell) or CLAIM_ID.search(cell) or CODE_LABEL.search(cell)
                or (not in_solution and SNAKE_CASE.search(cell)))


def scan(site: Path) -> dict[str, list[str]]:
    """Page -> its offending cells (sorted, distinct); pages without any are left out."""
    found = {}
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        if rel.startswith(("_", "genindex", "search")):
            continue
        cells = reader_cells(page.read_text(encoding="utf-8"))
        bad = sorted({text for text, learner in cells if offending(text, learner)})
        if bad:
            found[rel] = bad
    return found


# --------------------------------------------------------------------------- the scanner


PAGE = """<html><body>
<table><caption>✓: reproduced</caption>
<tr><th>Printed number</th><th>Match</th></tr>
<tr><td>Median PFS (months)</td><td>✓</td></tr>
<tr><td>res_pfs_median_all</td><td>True</td></tr>
<tr><td>NaN</td><td>sorafenib=0</td></tr>
<tr><td>lesions_gt3</td><td>km</td></tr>
<tr><td><code>hunt_share</code> (a constant)</td></tr>
</table>
<div class="cell_input docutils container"><table><tr><td>hidden_code_label</td></tr></table>
</div>
<pre>res_os_median_all</pre>
<div class="solution dropdown admonition"><table><tr><td>patient_id</td><td>True</td></tr>
</table></div>
<script type="application/vnd.jupyter.widget-state+json">
{"state": {"m1": {"model_name": "HTMLModel", "state": {"value":
 "<table><tr><td>se_spss</td><td>None</td><td>12.5</td></tr></table>"}}}}
</script>
</body></html>"""


def test_scanner_finds_every_kind_of_offence_and_skips_folded_code() -> None:
    cells = reader_cells(PAGE)
    texts = [text for text, _ in cells]
    assert "hidden_code_label" not in texts and "res_os_median_all" not in texts
    assert sorted(text for text, learner in cells if offending(text, learner)) == sorted(
        ["res_pfs_median_all", "True", "NaN", "sorafenib=0", "lesions_gt3", "km", "se_spss",
         "None", "True"])
    assert ("patient_id", True) in cells  # a solution's output may name the code's columns
    assert {"Median PFS (months)", "✓", "✓: reproduced", "12.5", "(a constant)"} <= set(texts)


def test_scan_names_the_page(tmp_path: Path) -> None:
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "page.html").write_text(PAGE)
    (tmp_path / "book" / "clean.html").write_text("<table><tr><td>HT only</td></tr></table>")
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "skipped.html").write_text(PAGE)
    assert list(scan(tmp_path)) == ["book/page.html"]


# --------------------------------------------------------------------------- labels, reasons


def test_every_claim_has_a_label_without_code_names() -> None:
    for c in load_claims().values():
        assert c.label and c.label[0].isupper(), c.id
        assert not offending(c.label), (c.id, c.label)


def test_labels_read_as_a_clinician_names_the_number() -> None:
    assert claim("res_pfs_median_all").label == "Median PFS (months)"
    assert claim("abs_pfs_median_se_sorafenib_no").label == "SE of the median PFS (months), HT only"
    assert claim("res_pfs_rate_12m_sorafenib_no").label == "PFS rate at 12 months (%), HT only"
    assert claim("t3_pct_age_ge60").label == "Patients (%), age ≥ 60 years"
    assert claim("t1_os_uni_p_pmfi").label == "Log-rank p of OS, by PmFI"
    assert claim("res_os_median_val_s").group_label == "validation group S (sorafenib only)"
    assert claim("res_n_total").group_label == ""


@pytest.fixture(scope="module")
def card() -> pd.DataFrame:
    return scorecard()


def test_reader_table_names_numbers_and_gives_each_miss_the_scorecard_reason(card) -> None:
    rows = survival_claims(load_cohort().patients)
    table = reader_table(rows)
    assert list(table.columns) == ["Printed number", "Where printed", "Published", "Reproduced",
                                   "Match", "Why it misses"]
    assert not any(offending(str(v)) for v in table.to_numpy().ravel())
    notes = card.set_index("claim_id")["note"]
    for cid, (_, row) in zip(rows["claim"], table.iterrows(), strict=True):
        assert row["Printed number"] == claim(cid).label
        assert row["Match"] == MATCH[bool(card.set_index("claim_id").at[cid, "hit"])]
        assert row["Why it misses"] == reason(notes[cid], cid)
        assert (row["Match"] == MATCH[False]) == bool(row["Why it misses"])


def test_a_contradiction_reason_carries_the_papers_arithmetic(card) -> None:
    c10 = card.set_index("claim_id").loc["res_pfs_rate_12m_sorafenib_no"]
    assert c10["note"] == "C10" and not c10["hit"]
    text = reason("C10")
    assert text.startswith("The paper contradicts itself (C10")
    assert claim("res_pfs_rate_12m_sorafenib_no").value in text
    assert reason(NOT_REACHED).startswith("Not reached by the calibration")
    assert reason("") == ""


def test_reader_table_refuses_words_for_hits() -> None:
    rows = pd.DataFrame({"claim": ["res_pfs_median_all"], "published": ["7.50"],
                         "reproduced": ["7.50"], "hit": ["MISS"]})
    with pytest.raises(ValueError, match="True/False"):
        reader_table(rows)


def test_miss_reasons_lists_each_reason_once_with_its_numbers(card) -> None:
    rows = survival_claims(load_cohort().patients)
    text = miss_reasons(rows)
    misses = rows[~rows["hit"]]
    assert text.count("C10") >= 1
    for cid in misses["claim"]:
        assert claim(cid).label in text
    paragraphs = text.split("\n\n")
    notes = card.set_index("claim_id").loc[misses["claim"], "note"]
    assert len(paragraphs) == len({reason(n, cid) for cid, n in notes.items()})


def test_download_csv_is_labelled_synthetic_and_keeps_the_ids(card) -> None:
    text = csv_for_download(card)
    first, _ = text.split("\n", 1)
    assert first.startswith("# SYNTHETIC")
    back = pd.read_csv(io.StringIO(text), comment="#", keep_default_na=False, dtype=str)
    assert list(back["claim_id"]) == list(card["claim_id"])
    assert list(back["label"]) == [claim(c).label for c in card["claim_id"]]
    assert list(back["reproduced"]) == list(card["reproduced"])
    assert back["hit"].map({"True": True, "False": False}).tolist() == card["hit"].tolist()


def article_text(html: str) -> str:
    """A page's own text as a reader meets it: no navigation, code, folded code, formulas or
    title."""
    soup = BeautifulSoup(html, "html.parser")
    article = soup.select_one("article") or soup
    for element in article.select(f"script, style, pre, code, h1, .math, {FOLDED}"):
        element.decompose()
    return " ".join(article.get_text(" ").split())


def unexplained(text: str) -> list[str]:
    """Abbreviations of the glossary whose words appear neither before nor right after (as in
    'PFS, progression-free survival') their first use."""
    missing = []
    for abbreviation, words in ABBREVIATIONS.items():
        first = re.search(rf"(?<![\w-]){re.escape(abbreviation)}(?![\w-])", text)
        if first is None:
            continue
        spelled = text.lower().find(words.split(",")[0].lower())
        if not 0 <= spelled <= first.end() + 2:
            missing.append(abbreviation)
    return missing


def test_abbreviation_check_wants_the_words_before_the_first_use() -> None:
    assert unexplained("Median PFS was long. Progression-free survival was long.") == ["PFS"]
    assert unexplained("Progression-free survival (PFS) was long; PFS was long.") == []
    assert unexplained(f"Abbreviations: {spelled_out('PFS', 'PmFI')}. PFS and PmFI.") == []
    with pytest.raises(KeyError, match="XYZ"):
        spelled_out("XYZ")


# --------------------------------------------------------------------------- the built site


@pytest.mark.build
def test_every_page_spells_out_its_abbreviations_before_their_first_use(
    built_site: Path,
) -> None:
    missing = {page.name: unexplained(article_text(page.read_text(encoding="utf-8")))
               for page in sorted((built_site / "book").glob("*.html"))}
    assert {page: m for page, m in missing.items() if m} == {}



@pytest.mark.build
def test_no_reader_facing_table_shows_ids_booleans_nan_or_code_labels(built_site: Path) -> None:
    assert scan(built_site) == {}
