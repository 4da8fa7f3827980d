"""Self-check questions: validation of what a page author writes, and the HTML they render."""

from __future__ import annotations

import jupytext
import numpy as np
import pytest
from bs4 import BeautifulSoup
from conftest import REPO

from lungmets.site.toc import chapter_pages
from lungmets.teaching.self_check import Choice, Numeric, Option, SelfCheck


def _choice() -> Choice:
    return Choice("Which scale does lifelines use for the KM band?", (
        Option("plain", "The plain scale can leave [0, 1]."),
        Option("log-log", "lifelines builds the band on log(-log S).", correct=True),
    ))


def _rendered(*questions: Choice | Numeric) -> BeautifulSoup:
    return BeautifulSoup(SelfCheck("Kaplan Meier", questions)._repr_html_(), "html.parser")


def test_choice_needs_exactly_one_right_option_and_every_why() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Choice("q", (Option("a", "x"), Option("b", "y")))
    with pytest.raises(ValueError, match="exactly one"):
        Choice("q", (Option("a", "x", True), Option("b", "y", True)))
    with pytest.raises(ValueError, match="say why"):
        Choice("q", (Option("a", "x", True), Option("b", "  ")))
    with pytest.raises(ValueError, match="at least two"):
        Choice("q", (Option("a", "x", True),))


def test_numeric_rejects_a_missing_answer_and_a_missing_hint() -> None:
    with pytest.raises(ValueError, match="not a finite"):
        Numeric("median?", float("nan"), 1, "read it off the curve")
    with pytest.raises(ValueError, match="hint"):
        Numeric("median?", 12.0, 1, "")
    with pytest.raises(ValueError, match="at least one question"):
        SelfCheck("page", [])


def test_default_tolerance_accepts_the_printed_value_and_nothing_coarser() -> None:
    question = Numeric("median?", np.float64(29.63), 1, "read it off the curve", unit="months")
    assert question.answer_text == "29.6 months"
    assert abs(29.6 - question.answer) <= question.accepted_error
    assert abs(29.7 - question.answer) > question.accepted_error
    assert Numeric("rate?", 66.64, 1, "h", unit="%").answer_text == "66.6%"
    assert Numeric("n?", 45, 0, "count them", tolerance=0.0).accepted_error == 0.0


def test_choice_html_labels_every_option_and_keeps_each_feedback() -> None:
    soup = _rendered(_choice())
    question = soup.select_one(".lungmets-sc-question")
    assert question["id"] == "sc-kaplan-meier-1"
    assert question["data-kind"] == "choice"
    radios = question.select("input[type=radio]")
    assert [r["data-correct"] for r in radios] == ["false", "true"]
    for radio in radios:
        assert soup.select_one(f'label[for="{radio["id"]}"]') is not None
    whys = [p.get_text() for p in question.select(".lungmets-sc-whys p")]
    assert whys == ["The plain scale can leave [0, 1].",
                    "lifelines builds the band on log(-log S)."]
    assert question.select_one("[role=status][aria-live=polite]") is not None


def test_numeric_html_carries_the_computed_answer_not_a_typed_one() -> None:
    soup = _rendered(_choice(), Numeric("median?", np.float64(29.63), 1, "the 0.5 line",
                                        unit="months"))
    field = soup.select_one("#sc-kaplan-meier-2-input")
    assert float(field["data-answer"]) == 29.63
    assert float(field["data-tolerance"]) == pytest.approx(0.05)
    assert "1 decimal place" in soup.select_one('label[for="sc-kaplan-meier-2-input"]').get_text()
    assert soup.select_one("details.lungmets-sc-answer").get_text().startswith(
        "Show the answer29.6 months.")


def test_script_and_style_travel_with_the_html_so_jupyter_needs_nothing_else() -> None:
    soup = _rendered(_choice())
    script = soup.find("script").string
    assert "window.lungmetsSelfCheck" in script and "lungmets-sc-check" in script
    assert ".lungmets-sc-feedback.is-right" in soup.find("style").string


CHAPTERS = chapter_pages()


@pytest.mark.parametrize("page", CHAPTERS, ids=lambda p: p.rsplit("/", 1)[-1])
def test_every_chapter_ends_with_its_self_check_questions(page: str) -> None:
    """A ``Check yourself`` section whose one cell shows the questions and hides their code."""
    notebook = jupytext.read(REPO / f"{page}.md")
    headings = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "markdown"
                and "\n## Check yourself" in "\n" + cell.source]
    assert headings, f"{page}.md has no '## Check yourself' section"
    cells = [cell for cell in notebook.cells[headings[0]:]
             if cell.cell_type == "code" and "SelfCheck(" in cell.source]
    assert len(cells) == 1, f"{page}.md: one SelfCheck cell after '## Check yourself'"
    assert cells[0].metadata.get("tags") == ["remove-input"], (
        f"{page}.md: tag the SelfCheck cell remove-input, so readers see questions, not code")
