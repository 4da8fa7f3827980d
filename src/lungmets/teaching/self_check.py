"""Self-check questions a resident answers on the page, checked in the browser.

Why a component of our own: the questions must work in the static book with no kernel and no
network (a hospital PC opening the bundle from disk) and in Jupyter alike, and their numeric
answers must be the book's computed values, never typed. A question is therefore built in a
code cell from the same variable the page glues, and renders as plain HTML: native radio
buttons and text inputs with labels, a button, a live status line, and each answer's feedback
as hidden text. A few lines of script (``self_check.js``, next to this module) reveal the
feedback; they and a small stylesheet travel inline with the HTML, so the same output works in
the built page, in JupyterLab and in a downloaded notebook. Nothing is sent anywhere.

Every option carries its own feedback, so a wrong choice says why it is wrong; a numeric
question says whether a wrong answer is too high or too low and gives a hint, and keeps the
answer behind a "Show the answer" toggle that works without script.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files

__all__ = ["Choice", "Numeric", "Option", "SelfCheck"]

_SCRIPT = files(__package__).joinpath("self_check.js").read_text(encoding="utf-8")
_STYLE = files(__package__).joinpath("self_check.css").read_text(encoding="utf-8")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Option:
    """One answer to a multiple-choice question, with why it is right or wrong."""

    text: str
    why: str
    correct: bool = False


@dataclass(frozen=True)
class Choice:
    """A multiple-choice question with exactly one right option."""

    prompt: str
    options: tuple[Option, ...]

    def __post_init__(self) -> None:
        if len(self.options) < 2:
            raise ValueError(f"question {self.prompt!r}: give at least two options")
        if sum(option.correct for option in self.options) != 1:
            raise ValueError(f"question {self.prompt!r}: exactly one option must be correct")
        for option in self.options:
            if not option.why.strip():
                raise ValueError(f"question {self.prompt!r}, option {option.text!r}: "
                                 "say why it is right or wrong")


@dataclass(frozen=True)
class Numeric:
    """A question whose answer is a computed number, checked to its printed precision.

    ``answer`` is the value the page computes (and glues); ``decimals`` is how it is printed.
    An answer within ``tolerance`` counts as right, by default half a unit of the last printed
    digit, so typing the printed value is always right.
    """

    prompt: str
    answer: float
    decimals: int
    why: str
    unit: str = ""
    tolerance: float | None = None

    def __post_init__(self) -> None:
        if not math.isfinite(self.answer):
            raise ValueError(f"question {self.prompt!r}: the answer {self.answer!r} is not a "
                             "finite number")
        if self.decimals < 0 or not self.why.strip():
            raise ValueError(f"question {self.prompt!r}: give decimals >= 0 and a hint (why)")

    @property
    def accepted_error(self) -> float:
        """How far a typed answer may be from ``answer`` and still count as right."""
        if self.tolerance is not None:
            return self.tolerance
        return 0.5 * 10.0 ** -self.decimals * (1 + 1e-9)

    @property
    def answer_text(self) -> str:
        """The answer as the page prints it, with its unit."""
        number = f"{self.answer:.{self.decimals}f}"
        return number + "%" if self.unit == "%" else f"{number} {self.unit}".strip()


class SelfCheck:
    """The self-check questions of one page, rendered as HTML that checks itself."""

    def __init__(self, page: str, questions: Sequence[Choice | Numeric]) -> None:
        if not questions:
            raise ValueError(f"self-check for page {page!r}: give at least one question")
        self.page = _SLUG.sub("-", page.lower()).strip("-")
        self.questions = tuple(questions)

    def _repr_html_(self) -> str:
        items = "\n".join(self._question_html(number, question)
                          for number, question in enumerate(self.questions, start=1))
        return (f'<style>{_STYLE}</style>\n'
                f'<section class="lungmets-self-check" aria-label="Self-check questions">\n'
                f'<p class="lungmets-sc-note">Your answers are checked in your browser; '
                f'nothing is sent anywhere.</p>\n{items}\n</section>\n'
                f'<script>{_SCRIPT}</script>')

    def _question_html(self, number: int, question: Choice | Numeric) -> str:
        qid = f"sc-{self.page}-{number}"
        legend = (f'<span class="lungmets-sc-number">Question {number}.</span> '
                  f'{html.escape(question.prompt)}')
        if isinstance(question, Choice):
            body, kind, after = _choice_body(qid, question), "choice", ""
        else:
            body, kind, after = _numeric_body(qid, question), "numeric", _answer(question)
        return (f'<div class="lungmets-sc-question" data-kind="{kind}" id="{qid}">\n'
                f'<fieldset><legend>{legend}</legend>\n{body}</fieldset>\n'
                f'<button type="button" class="lungmets-sc-check">Check answer</button>\n'
                f'<p class="lungmets-sc-feedback" role="status" aria-live="polite"></p>\n'
                f'{after}</div>')


def _choice_body(qid: str, question: Choice) -> str:
    rows, whys = [], []
    for index, option in enumerate(question.options):
        oid = f"{qid}-{index}"
        rows.append(f'<div class="lungmets-sc-option"><input type="radio" name="{qid}" '
                    f'id="{oid}" value="{index}" data-correct="{str(option.correct).lower()}">'
                    f'<label for="{oid}">{html.escape(option.text)}</label></div>')
        whys.append(f'<p data-option="{index}">{html.escape(option.why)}</p>')
    return "\n".join(rows) + f'\n<div class="lungmets-sc-whys" hidden>{"".join(whys)}</div>\n'


def _numeric_body(qid: str, question: Numeric) -> str:
    places = "a whole number" if question.decimals == 0 else (
        f"{question.decimals} decimal place{'s' if question.decimals > 1 else ''}")
    unit = f' <span class="lungmets-sc-unit">{html.escape(question.unit)}</span>' \
        if question.unit else ""
    answer, why = html.escape(question.answer_text), html.escape(question.why)
    return (f'<div class="lungmets-sc-number-row"><label for="{qid}-input">Your answer '
            f'({places})</label> <input type="text" inputmode="decimal" autocomplete="off" '
            f'id="{qid}-input" data-answer="{float(question.answer)!r}" '
            f'data-tolerance="{float(question.accepted_error)!r}">{unit}</div>\n'
            f'<div class="lungmets-sc-whys" hidden><p data-option="right">{answer}. {why}</p>'
            f'<p data-option="wrong">Hint: {why}</p></div>\n')


def _answer(question: Numeric) -> str:
    """The answer behind a toggle that needs no script, for a resident who is stuck."""
    return (f'<details class="lungmets-sc-answer"><summary>Show the answer</summary>'
            f'<p>{html.escape(question.answer_text)}. {html.escape(question.why)}</p></details>\n')
