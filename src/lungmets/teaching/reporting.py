"""Reporting survival analyses: STROBE and KMunicate applied to the paper (``book/reporting.md``).

Two checklists are held here as data, each entry a frozen dataclass in a tuple:

* :data:`STROBE` is the STROBE checklist for cohort studies (von Elm et al., 2007; the 22 items
  in short form, their official wording shortened, not paraphrased), each item judged against
  the paper with a verdict, the place in the paper and a short quotation of it;
* :data:`PAPER_FIGURES` judges the paper's three Kaplan-Meier figures against the checklist of
  :mod:`lungmets.teaching.km_checklist` (KMunicate and survminer's conventions) from their
  legends and the text, because the images themselves are not available.

Why a Python module and not a CSV. Every judgement carries one or more quotations, and a
quotation belongs to the item it supports: nested data that a flat CSV would have to spread over
several rows or pack into one cell. As frozen dataclasses the entries are typed, checked when the
module is imported (a verdict outside :data:`VERDICTS`, a duplicate item number or an unknown
element fails at once, not when a page renders), and reviewed in a diff like code. And the book's
build cache keys on ``data/``, so a checklist there would rebuild every chapter for a change that
concerns one page; this module is read only by that page and its test.

A figure the book draws is checked against the same list by
:func:`lungmets.teaching.km_checklist.inspect_km_figure`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from lungmets.site.glossary import ABBREVIATIONS
from lungmets.teaching.km_checklist import KM_ELEMENTS

__all__ = [
    "FIGURE_STATUSES",
    "PAPER_FIGURES",
    "STROBE",
    "STROBE_SECTIONS",
    "VERDICTS",
    "Evidence",
    "FigureJudgement",
    "PaperFigure",
    "StrobeItem",
    "abbreviations_used",
    "all_quotes",
    "paper_figure_details",
    "paper_figures_frame",
    "strobe_frame",
    "verdict_counts",
]

Verdict = Literal["reported", "partly reported", "not reported"]
VERDICTS: tuple[Verdict, ...] = ("reported", "partly reported", "not reported")
"""Reported: every applicable part of the item is in the paper. Partly reported: some part is,
not all. Not reported: nothing in the paper answers the item."""

STROBE_SECTIONS: tuple[str, ...] = (
    "Title and abstract", "Introduction", "Methods", "Results", "Discussion", "Other information",
)
"""The checklist's own headings, in its order."""

FigureStatus = Literal["in the legend", "in the text only", "not mentioned", "not applicable"]
FIGURE_STATUSES: tuple[FigureStatus, ...] = (
    "in the legend", "in the text only", "not mentioned", "not applicable",
)
"""What the paper's words say about an element of one of its figures. "In the text only": the
number is printed in the text, which does not say it is on the figure. "Not mentioned": neither
the legend nor the text says it is there, which, without the image, is not proof that it is
absent."""


@dataclass(frozen=True)
class Evidence:
    """Where the paper answers an item: its section, and a quotation a reader can search for.

    The quotation is verbatim paper text with runs of white space read as one space (the text was
    extracted from a two-column layout), and short, so that it points rather than reproduces.
    """

    where: str
    quote: str

    def __post_init__(self) -> None:
        if not self.quote or len(self.quote) > 160:
            raise ValueError(f"quotation must be 1-160 characters: {self.quote!r}")


@dataclass(frozen=True)
class StrobeItem:
    """One STROBE item for cohort studies, judged against the paper."""

    number: int
    section: str
    topic: str
    recommendation: str
    verdict: Verdict
    evidence: tuple[Evidence, ...]
    comment: str

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"item {self.number}: verdict {self.verdict!r} not in {VERDICTS}")
        if self.section not in STROBE_SECTIONS:
            raise ValueError(f"item {self.number}: section {self.section!r} unknown")
        if self.verdict != "not reported" and not self.evidence:
            raise ValueError(f"item {self.number}: a verdict other than 'not reported' needs "
                             "the paper's words")


@dataclass(frozen=True)
class FigureJudgement:
    """What the paper's legend and text say about one element of one figure."""

    element: str
    status: FigureStatus
    evidence: tuple[Evidence, ...] = ()
    comment: str = ""

    def __post_init__(self) -> None:
        if self.status not in FIGURE_STATUSES:
            raise ValueError(f"{self.element}: status {self.status!r} not in {FIGURE_STATUSES}")
        if self.status in ("in the legend", "in the text only") and not self.evidence:
            raise ValueError(f"{self.element}: status {self.status!r} needs the paper's words")


@dataclass(frozen=True)
class PaperFigure:
    """One of the paper's Kaplan-Meier figures, known only from its legend and the text."""

    name: str
    shows: str
    legend: Evidence
    judgements: tuple[FigureJudgement, ...]


# ------------------------------------------------------------------------------------ STROBE

_ABSTRACT = "Abstract"
_INTRO = "Introduction"
_DESIGN = "Methods: study design and patient population"
_FOLLOW = "Methods: follow-up"
_STATS = "Methods: statistical analyses"
_VALID_M = "Methods: further validation of combination treatment"
_LIMITS = "Discussion: limitations"


def _e(where: str, quote: str) -> Evidence:
    return Evidence(where, quote)


STROBE: tuple[StrobeItem, ...] = (
    StrobeItem(
        1, "Title and abstract", "Title and abstract",
        "(a) Indicate the study's design with a commonly used term in the title or the abstract; "
        "(b) provide in the abstract an informative and balanced summary of what was done and "
        "what was found",
        "partly reported",
        (_e(_ABSTRACT, "We evaluated radiotherapy using helical tomotherapy (HT) combined with "
                       "sorafenib"),
         _e(_ABSTRACT, "Further validation confirmed the benefit of combination treatment.")),
        "The abstract gives what was done and the main numbers, but neither it nor the title "
        "names the design (retrospective, single-centre cohort), and 'confirmed the benefit' is "
        "not a balanced summary of a non-randomised comparison.",
    ),
    StrobeItem(
        2, "Introduction", "Background/rationale",
        "Explain the scientific background and rationale for the investigation being reported",
        "reported",
        (_e(_INTRO, "multiple pulmonary lesions are difficult to treat with 3D-CRT"),
         _e(_INTRO, "the information regarding treatment of pulmonary metastases from HCC is "
                    "limited")),
        "The rationale (many lesions, limited evidence, sorafenib's effect on lung metastases) is "
        "given.",
    ),
    StrobeItem(
        3, "Introduction", "Objectives",
        "State specific objectives, including any prespecified hypotheses",
        "partly reported",
        (_e(_INTRO, "as well as important prognostic factors for progression-free survival (PFS) "
                    "and overall survival (OS)"),),
        "The aims are stated in general terms; no hypothesis is prespecified, and the comparison "
        "of HT with and without sorafenib, the paper's main claim, is not named as an objective.",
    ),
    StrobeItem(
        4, "Methods", "Study design",
        "Present key elements of study design early in the paper",
        "partly reported",
        (_e(_DESIGN, "This was a retrospective, single-center study"),),
        "The design is stated, but only in the methods, which this journal prints after the "
        "discussion; a reader of the abstract and results does not learn that the study is "
        "retrospective.",
    ),
    StrobeItem(
        5, "Methods", "Setting",
        "Describe the setting, locations, and relevant dates, including periods of recruitment, "
        "exposure, follow-up, and data collection",
        "reported",
        (_e(_DESIGN, "conducted from October 2011 to October 2014"),
         _e(_FOLLOW, "At the time of the last follow- up (October 24, 2015)"),
         _e(_VALID_M, "Data on patients receiving sorafenib only were collected between 2007 "
                      "and 2011")),
        "Period of the study, closing date and the historical period of the sorafenib-only group "
        "are given. The institution is named only through the authors' affiliations, which the "
        "text used here does not contain.",
    ),
    StrobeItem(
        6, "Methods", "Participants",
        "(a) Give the eligibility criteria, and the sources and methods of selection of "
        "participants; describe methods of follow-up. (b) For matched studies, give matching "
        "criteria and number of exposed and unexposed",
        "partly reported",
        (_e(_DESIGN, "all eligible patients were consecutively enrolled into the study"),
         _e(_DESIGN, "Inclusion criteria were eligibility for radiation therapy"),
         _e(_FOLLOW, "Follow-up exams at 3-month intervals included contrast-enhanced CT"),
         _e(_VALID_M, "other selection criteria were equivalent to that of the 33 patients")),
        "Eligibility, consecutive enrolment and the follow-up schedule are given for the main "
        "cohort. The source of the records is not, and the sorafenib-only validation group is "
        "selected by criteria 'equivalent' to the others without saying how its patients were "
        "found. Matching does not apply.",
    ),
    StrobeItem(
        7, "Methods", "Variables",
        "Clearly define all outcomes, exposures, predictors, potential confounders, and effect "
        "modifiers; give diagnostic criteria, if applicable",
        "partly reported",
        (_e(_STATS, "PFS was defined as the time from the initiation of radiotherapy"),
         _e(_STATS, "OS was defined as the time from the detection of lung lesions to death from "
                    "any cause"),
         _e(_DESIGN, "Well-controlled intrahepatic primary tumors were defined as follows")),
        "Outcomes, intrahepatic control and the diagnosis of HCC and lung metastases are defined. "
        "The exposure is not: what counted as receiving sorafenib (how long, started when "
        "relative to HT) is never said, and no variable is named as a potential confounder.",
    ),
    StrobeItem(
        8, "Methods", "Data sources/measurement",
        "For each variable of interest, give sources of data and details of methods of "
        "assessment (measurement); describe comparability of assessment methods if there is "
        "more than one group",
        "partly reported",
        (_e("Methods: evaluation of response and toxicity",
            "using the guidelines of the Response Evaluation Criteria in Solid Tumors Group"),
         _e("Methods: evaluation of response and toxicity",
            "Toxicity was assessed using the Common Terminology Criteria for Adverse Events "
            "(CTCAE v3.0)")),
        "Response and toxicity assessment are described. Where the data came from (charts, a "
        "registry) is not, nor whether the historical sorafenib-only group was assessed in the "
        "same way.",
    ),
    StrobeItem(
        9, "Methods", "Bias",
        "Describe any efforts to address potential sources of bias",
        "partly reported",
        (_e(_DESIGN, "To minimize selection bias, all eligible patients were consecutively "
                     "enrolled"),
         _e(_DESIGN, "some patients discontinued sorafenib treatment because of its cost")),
        "Consecutive enrolment and independent reading of response are named. The bias that "
        "matters most for the treatment comparison, who received sorafenib (cost, adverse "
        "events), is reported as a fact but not addressed, and OS measured from detection "
        "includes time before treatment.",
    ),
    StrobeItem(
        10, "Methods", "Study size",
        "Explain how the study size was arrived at",
        "not reported",
        (_e(_LIMITS, "the sample size is small"),),
        "No reason for the number of patients is given; the sample size appears only as a "
        "limitation.",
    ),
    StrobeItem(
        11, "Methods", "Quantitative variables",
        "Explain how quantitative variables were handled in the analyses; if applicable, "
        "describe which groupings were chosen and why",
        "partly reported",
        (_e("Table 1", "Age <60 vs Age≥60"),
         _e("Table 1", "PmFI(months) ≥12 vs <12")),
        "Every continuous variable is cut into two groups and the cut-points are printed, but "
        "not why they were chosen, and the unit of the AFP cut-point is not given.",
    ),
    StrobeItem(
        12, "Methods", "Statistical methods",
        "(a) Describe all statistical methods, including those used to control for confounding; "
        "(b) methods for subgroups and interactions; (c) missing data; (d) loss to follow-up; "
        "(e) sensitivity analyses",
        "partly reported",
        (_e(_STATS, "Survival curves were calculated using the Kaplan-Meier method"),
         _e(_STATS, "Multivariate analysis was performed using a forward- stepwise Cox "
                    "regression model")),
        "The tests and the software are named. Not described: which variables were offered to "
        "the stepwise model and its entry and removal rules, any check of proportional hazards, "
        "how missing data and loss to follow-up were handled (the inclusion criteria demand "
        "complete records), and any sensitivity analysis.",
    ),
    StrobeItem(
        13, "Results", "Participants",
        "(a) Report numbers of individuals at each stage of study; (b) give reasons for "
        "non-participation at each stage; (c) consider use of a flow diagram",
        "partly reported",
        (_e("Results: patient characteristics",
            "A total of 45 patients with pulmonary metastases from HCC were included in this "
            "study."),),
        "Only the number included (and analysed) is given: not how many were screened or "
        "excluded and why, and there is no flow diagram.",
    ),
    StrobeItem(
        14, "Results", "Descriptive data",
        "(a) Give characteristics of study participants and information on exposures and "
        "potential confounders; (b) indicate the number with missing data for each variable; "
        "(c) summarise follow-up time",
        "partly reported",
        (_e("Table 3", "Clinicopathologic profiles of 45 patients with pulmonary metastases"),
         _e(_FOLLOW, "The median follow-up period was 28.9 ± 12.3 months")),
        "Characteristics are given for all patients together, not by treatment, so a reader "
        "cannot see whether the arms were alike (the validation groups' profiles are in a "
        "supplementary table). Follow-up is summarised, without saying how.",
    ),
    StrobeItem(
        15, "Results", "Outcome data",
        "Report numbers of outcome events or summary measures over time",
        "partly reported",
        (_e(_FOLLOW, "a total of 29 (64.4%) patients had died"),
         _e("Results: factors affecting treatment outcomes",
            "the rates of PFS and OS were 45.5% and 66.8%, respectively, at 1 year")),
        "Deaths are counted for all patients only, and progressions not at all; landmark rates "
        "are given by treatment. A reader cannot tell how many events each curve rests on.",
    ),
    StrobeItem(
        16, "Results", "Main results",
        "(a) Give unadjusted and confounder-adjusted estimates with their precision, and make "
        "clear which confounders were adjusted for and why; (b) report category boundaries; "
        "(c) consider translating relative into absolute risk",
        "partly reported",
        (_e("Results: factors affecting treatment outcomes",
            "(hazard ratio [HR], 2.23; 95% CI, 1.12-4.42; p = 0.022)"),
         _e(_ABSTRACT, "(11.80 ± 1.55 vs 5.80 ± 0.52 months, p = 0.006)")),
        "Adjusted HRs with 95% CIs, unadjusted medians with their SEs and log-rank p-values, "
        "category boundaries and landmark rates are printed. No unadjusted HR is given, and "
        "which variables the adjusted HRs are adjusted for is left to the stepwise selection, "
        "with no reason in terms of confounding.",
    ),
    StrobeItem(
        17, "Results", "Other analyses",
        "Report other analyses done, e.g. analyses of subgroups and interactions, and "
        "sensitivity analyses",
        "reported",
        (_e("Results: further validation of combination treatment",
            "The median OS was 23.20 ± 1.35 months for patients receiving radiotherapy only"),
         _e("Results: response to radiotherapy",
            "No significant relationship was observed between response to radiotherapy and "
            "clinicopathologic features")),
        "The validation comparison and the response analysis are reported; no subgroup, "
        "interaction or sensitivity analysis was done, so none is missing.",
    ),
    StrobeItem(
        18, "Discussion", "Key results",
        "Summarise key results with reference to study objectives",
        "reported",
        (_e("Discussion", "patients treated with HT (with or without sorafenib) had a median PFS "
                          "of 7.5 ± 0.53 months"),),
        "The discussion restates the response, survival and sorafenib results.",
    ),
    StrobeItem(
        19, "Discussion", "Limitations",
        "Discuss limitations of the study, taking into account sources of potential bias or "
        "imprecision; discuss both direction and magnitude of any potential bias",
        "partly reported",
        (_e(_LIMITS, "The present study has several limitations."),
         _e(_LIMITS, "the retrospective nature of this study is a major limitation")),
        "Three limitations are listed (size, retrospective design, representativeness), but "
        "neither the direction nor the size of any bias, and not the non-random allocation of "
        "sorafenib.",
    ),
    StrobeItem(
        20, "Discussion", "Interpretation",
        "Give a cautious overall interpretation of results considering objectives, limitations, "
        "multiplicity of analyses, results from similar studies, and other relevant evidence",
        "partly reported",
        (_e("Discussion", "we demonstrated that sorafenib administered during and after HT in "
                          "patients with lung metastatic lesions was more beneficial than HT "
                          "alone"),
         _e("Discussion", "Kitano et al. [9] reported similar survival rates")),
        "Results are compared with similar studies, but 'demonstrated ... more beneficial' is a "
        "causal claim a non-randomised comparison cannot carry, and the many tests in Table 1 "
        "are not considered.",
    ),
    StrobeItem(
        21, "Discussion", "Generalisability",
        "Discuss the generalisability (external validity) of the study results",
        "partly reported",
        (_e(_LIMITS, "patients in the study may not be representative of the general patient "
                     "population"),),
        "Raised, but only because five patients had other metastases; the restrictive inclusion "
        "criteria (fewer than ten lesions, none over 5 cm, no coexisting lung disease) are "
        "not discussed.",
    ),
    StrobeItem(
        22, "Other information", "Funding",
        "Give the source of funding and the role of the funders for the present study",
        "not reported",
        (),
        "The text used here has no funding statement. It ends with the methods and lacks the "
        "article's back matter, so the published version may carry one that this text does not.",
    ),
)

# --------------------------------------------------------------------------- Kaplan-Meier

_ELEMENT_KEYS = frozenset(element.key for element in KM_ELEMENTS)

_NOT_MENTIONED = "No legend or text mentions it."


def _judge(key: str, status: FigureStatus, *evidence: Evidence, comment: str = "") -> (
        FigureJudgement):
    if key not in _ELEMENT_KEYS:
        raise ValueError(f"unknown element {key!r}")
    return FigureJudgement(key, status, tuple(evidence),
                           comment or (_NOT_MENTIONED if status == "not mentioned" else ""))


def _unmentioned(*keys: str) -> tuple[FigureJudgement, ...]:
    return tuple(_judge(key, "not mentioned") for key in keys)


_FIG2 = Evidence("Figure 2 legend", "Kaplan-Meier survival curves of 45 patients with pulmonary "
                                    "metastases (PM) from Hcc.")
_FIG3 = Evidence("Figure 3 legend", "d. PFS is associated with number of pulmonary metastases "
                                    "(log-rank test).")
_FIG4 = Evidence("Figure 4 legend", "Kaplan-Meier survival curves of patients who received "
                                    "radiotherapy or sorafenib or both (compared by log-rank "
                                    "test).")

PAPER_FIGURES: tuple[PaperFigure, ...] = (
    PaperFigure(
        "Figure 2", "PFS and OS of all patients", _FIG2,
        (*_unmentioned("at_risk", "extended_table", "censor_marks"),
         _judge("ci", "not mentioned",
                comment="The text gives a 95% CI for each median, not a band around the curve."),
         _judge("median_lines", "in the text only",
                Evidence("Results: survival outcomes",
                         "Median PFS for all patients was 7.50±0.53 months"),
                comment="The medians and their CIs are in the text; the legend does not say "
                        "they are marked."),
         _judge("test_p", "not applicable", comment="One group: nothing to compare."),
         _judge("group_n", "in the legend", _FIG2),
         _judge("time_axis", "in the legend",
                Evidence("Figure 2 legend", "PFS and OS after diagnosis of pulmonary "
                                            "metastases."),
                comment="The origin is given, but for both curves, while the methods start PFS "
                        "at radiotherapy; no unit is given.")),
    ),
    PaperFigure(
        "Figure 3", "PFS and OS by treatment, OS by intrahepatic status, PFS by lesions", _FIG3,
        (*_unmentioned("at_risk", "extended_table", "ci", "censor_marks"),
         _judge("median_lines", "in the text only",
                Evidence(_ABSTRACT, "(11.80 ± 1.55 vs 5.80 ± 0.52 months, p = 0.006)")),
         _judge("test_p", "in the legend", _FIG3,
                Evidence("Results: factors affecting treatment outcomes",
                         "more likely to experience cancer progression (p = 0.006) and death "
                         "(p = 0.007)"),
                comment="The legend names the test; the p-values are in the text."),
         _judge("group_n", "in the text only",
                Evidence(_DESIGN, "HT combined with sorafenib (n = 23) or HT only (n = 22)"),
                comment="The treatment groups' sizes are in the methods, the others' in Table 3."),
         _judge("time_axis", "not mentioned",
                comment="The legend gives neither origin nor unit; the methods define both "
                        "endpoints.")),
    ),
    PaperFigure(
        "Figure 4", "OS of the validation groups", _FIG4,
        (*_unmentioned("at_risk", "extended_table", "ci", "censor_marks"),
         _judge("median_lines", "in the text only",
                Evidence("Results: further validation of combination treatment",
                         "25.00 ± 3.18 months for patients receiving sorafenib only")),
         _judge("test_p", "in the legend", _FIG4,
                Evidence("Results: further validation of combination treatment",
                         "Co, p = 0.031; S vs Co, p = 0.018; Rt vs S, p = 0.983)"),
                comment="Pairwise log-rank p-values, in the text."),
         _judge("group_n", "in the text only",
                Evidence(_VALID_M, "(Co group, n = 18), radiotherapy only (Rt group, n = 15), "
                                   "or sorafenib only (S group, n = 18)")),
         _judge("time_axis", "not mentioned",
                comment="The legend gives neither origin nor unit. The methods start OS at the "
                        "detection of lung lesions, which also fits the sorafenib-only group, "
                        "who had no radiotherapy.")),
    ),
)
"""The paper's Kaplan-Meier figures, judged from their legends and the text alone."""


def _validate() -> None:
    """Refuse, at import, a checklist that is not the checklist."""
    numbers = [item.number for item in STROBE]
    if sorted(numbers) != list(range(1, 23)):
        raise ValueError(f"STROBE must hold items 1-22 once each, got {numbers}")
    for figure in PAPER_FIGURES:
        keys = [judgement.element for judgement in figure.judgements]
        if sorted(keys) != sorted(_ELEMENT_KEYS):
            raise ValueError(f"{figure.name}: every element must be judged once, got {keys}")


_validate()


def all_quotes() -> list[tuple[str, str]]:
    """(where it is used, quotation) for every quotation on this page, for the verbatim test."""
    quotes = [(f"STROBE item {item.number}", e.quote) for item in STROBE for e in item.evidence]
    for figure in PAPER_FIGURES:
        quotes.append((figure.name, figure.legend.quote))
        quotes += [(f"{figure.name}, {j.element}", e.quote)
                   for j in figure.judgements for e in j.evidence]
    return quotes


def _texts() -> Iterable[str]:
    """Every string a reader meets in this module's tables."""
    for item in STROBE:
        yield from (item.topic, item.recommendation, item.comment)
        for e in item.evidence:
            yield from (e.where, e.quote)
    for element in KM_ELEMENTS:
        yield from (element.element, element.why)
    for figure in PAPER_FIGURES:
        yield from (figure.shows, figure.legend.where, figure.legend.quote)
        for j in figure.judgements:
            yield j.comment
            for e in j.evidence:
                yield from (e.where, e.quote)


def abbreviations_used(*also: str) -> tuple[str, ...]:
    """The glossary's abbreviations that the tables use, plus ``also`` (the page's prose), in
    the glossary's order: the page spells them out before a quotation can use one unexplained.
    """
    text = " ".join(_texts())
    found = {a for a in ABBREVIATIONS if re.search(rf"(?<![\w-]){re.escape(a)}(?![\w-])", text)}
    unknown = set(also) - set(ABBREVIATIONS)
    if unknown:
        raise KeyError(f"no words for {sorted(unknown)} in lungmets.site.glossary.ABBREVIATIONS")
    return tuple(a for a in ABBREVIATIONS if a in found | set(also))


# --------------------------------------------------------------------------------- tables


def _where(evidence: Iterable[Evidence]) -> str:
    return "; ".join(f"{e.where}: “{e.quote}”" for e in evidence) or "Nowhere in the text"


def strobe_frame() -> pd.DataFrame:
    """The checklist as a reader's table: labelled columns, words only."""
    return pd.DataFrame(
        {
            "Item": [item.number for item in STROBE],
            "Section": [item.section for item in STROBE],
            "Topic": [item.topic for item in STROBE],
            "Recommendation (short form)": [item.recommendation for item in STROBE],
            "Verdict": [item.verdict for item in STROBE],
            "Where in the paper": [_where(item.evidence) for item in STROBE],
            "Comment": [item.comment for item in STROBE],
        }
    )


def verdict_counts(by: str | None = None) -> pd.DataFrame | pd.Series:
    """How many items get each verdict, overall (a Series) or by a column of
    :func:`strobe_frame` (a table with every verdict as a column, zeros included)."""
    frame = strobe_frame()
    if by is None:
        return frame["Verdict"].value_counts().reindex(list(VERDICTS), fill_value=0)
    table = (frame.groupby(by, sort=False)["Verdict"].value_counts().unstack(fill_value=0)
             .reindex(columns=list(VERDICTS), fill_value=0))
    table.columns.name = None
    return table


def paper_figures_frame() -> pd.DataFrame:
    """Element by figure: what the paper's words say, one row per element."""
    names = {e.key: e.element for e in KM_ELEMENTS}
    rows = {}
    for figure in PAPER_FIGURES:
        rows[figure.name] = {names[j.element]: j.status for j in figure.judgements}
    table = pd.DataFrame(rows).reindex([e.element for e in KM_ELEMENTS])
    return table.rename_axis("Element")


def paper_figure_details(name: str) -> pd.DataFrame:
    """One figure's judgements with the paper's words and a comment."""
    figure = next(f for f in PAPER_FIGURES if f.name == name)
    names = {e.key: e.element for e in KM_ELEMENTS}
    return pd.DataFrame({
        "Element": [names[j.element] for j in figure.judgements],
        "What the paper says": [j.status for j in figure.judgements],
        "Where in the paper": [_where(j.evidence) if j.evidence else
                               "Nowhere in the legend or text" if j.status == "not mentioned"
                               else "" for j in figure.judgements],
        "Comment": [j.comment for j in figure.judgements],
    })
