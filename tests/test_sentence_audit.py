"""Tests of the sentence ledger (lungmets.critique.ledger) and its checks
(lungmets.critique.sentence_audit): the ledger quotes the paper, covers every quantitative
sentence of the Results and the Discussion, and its new checks compute the right verdicts.

The paper's text comes from the ``paper`` fixture's file (raw, so the parser sees its lines);
expected values are hand computations stated in each docstring.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import paper_path

from lungmets.claims import claim, load_claims
from lungmets.critique.audit import run_audit, summary
from lungmets.critique.checks import FAMILIES, Check
from lungmets.critique.ledger import (
    EXCLUDED,
    LEDGER,
    SENTENCE_COLUMNS,
    Sentence,
    SentencesError,
    load_sentences,
    locate,
    needs_ledger,
    prose_sentences,
)
from lungmets.critique.sentence_audit import (
    FAMILY,
    ledger_frame,
    ledger_summary,
    new_checks_frame,
)

SECTIONS = ("Results", "Discussion")


@pytest.fixture(scope="module")
def raw_paper(paper: str) -> str:
    """The paper as extracted, line breaks kept (the ``paper`` fixture skips if it is absent)."""
    return paper_path().read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def checks() -> dict[str, Check]:
    return {ch.id: ch for ch in run_audit()}


def _quotes(section: str) -> list[str]:
    return ([s.quote for s in LEDGER if s.section == section]
            + [quote for where, quote, _ in EXCLUDED if where == section])


# ----------------------------------------------------------------------------- the ledger


@pytest.mark.parametrize("section", SECTIONS)
def test_every_quote_is_one_sentence_of_its_section(raw_paper: str, section: str) -> None:
    """Each ledger or exclusion quote is verbatim paper text inside exactly one sentence of the
    section the entry names."""
    sentences = prose_sentences(raw_paper, section)
    for quote in _quotes(section):
        assert locate(quote, raw_paper) >= 0
        assert sum(quote in s for s in sentences) == 1, quote


def test_locate_fails_on_a_quote_not_in_the_paper(raw_paper: str) -> None:
    with pytest.raises(ValueError, match="not found"):
        locate("approximately 4.5 times more likely", raw_paper)


@pytest.mark.parametrize("section", SECTIONS)
def test_every_quantitative_sentence_is_in_the_ledger(raw_paper: str, section: str) -> None:
    """A sentence with a number, a percentage or a comparison word is quoted by the ledger or
    excluded with a reason; nothing is left out silently."""
    quotes = _quotes(section)
    flagged = [s for s in prose_sentences(raw_paper, section) if needs_ledger(s)]
    assert len(flagged) > 25
    uncovered = [s for s in flagged if not any(q in s for q in quotes)]
    assert uncovered == []


def test_the_parser_sees_sentences_and_skips_tables(raw_paper: str) -> None:
    """Table 1's rows and the figure captions are not prose; figure pointers and citation
    markers are not numbers."""
    results = prose_sentences(raw_paper, "Results")
    assert results[0].startswith("A total of 45 patients")
    assert not any("Male vs Female" in s or "representative images" in s for s in results)
    assert not needs_ledger("Survival curves are shown in Figure 3C and 3D.")
    assert not needs_ledger("the prognosis of patients with extrahepatic metastases remains "
                            "poor [4, 5].")
    assert needs_ledger("None of AEs were > grade 2.")


def test_every_number_of_a_ledger_sentence_is_catalogued(raw_paper: str) -> None:
    """Each number a ledger sentence prints has a claim whose quote lies in that sentence, so
    no number of the Results or the Discussion escapes the catalogue."""
    claims = list(load_claims().values())
    missing = []
    for section in SECTIONS:
        for sentence in prose_sentences(raw_paper, section):
            if not any(s.quote in sentence for s in LEDGER if s.section == section):
                continue
            body = re.sub(r"\[[^\]]*\]|Figure \d+|Table S?\d+|3D-CRT|4D-CT|V\d+", "", sentence)
            for number in re.findall(r"\d+(?:\.\d+)?", body):
                if not any(c.quote in sentence and c.value.lstrip("<>=≤≥") == number
                           for c in claims):
                    missing.append((number, sentence[:60]))
    assert missing == []


def test_ledger_ids_exist_and_every_new_check_is_quoted(checks: dict[str, Check]) -> None:
    catalogue = load_claims()
    assert len({s.key for s in LEDGER}) == len(LEDGER)
    for s in LEDGER:
        assert s.check_ids and all(i in checks for i in s.check_ids), s.key
        assert all(i in catalogue for i in s.claim_ids), s.key
    new = {ch.id for ch in checks.values() if ch.family == FAMILY}
    assert new == {i for s in LEDGER for i in s.new_check_ids}
    assert all(checks[i].claim_ids and all(c in catalogue for c in checks[i].claim_ids)
               for i in new)


def test_the_family_is_part_of_the_audit(checks: dict[str, Check]) -> None:
    assert list(FAMILIES)[-1] == FAMILY
    counts = summary(list(checks.values()))
    frame = new_checks_frame(list(checks.values()))
    assert len(frame) == sum(ch.family == FAMILY for ch in checks.values()) > 30
    assert counts["total"] == len(checks)


def test_ledger_summary_adds_up(checks: dict[str, Check]) -> None:
    counts = ledger_summary(list(checks.values()))
    assert counts["sentences"] == counts["results"] + counts["discussion"] == len(LEDGER)
    assert counts["earlier_only"] + counts["with_new"] == counts["sentences"]
    assert sum(counts[f"sentences_{v}"] for v in ("consistent", "inconsistent",
                                                  "not_checkable")) == counts["sentences"]
    frame = ledger_frame(list(checks.values()))
    assert not frame.isin(["True", "False", "NaN", "None"]).to_numpy().any()
    # one contradiction makes the sentence inconsistent: the 2-year OS of the whole cohort
    row = frame[frame["Sentence"].str.contains("2-year survival rate")].iloc[0]
    assert row["Verdict"] == "inconsistent"


# ----------------------------------------------------------------------------- the loader

_GOOD = "male,Results,The study population was predominantly male (84.4%).,res_pct_male_all,x_y,"
_EXCLUDED = ",Discussion,\"In most cases, it is contraindicated\",,,clinical background"


def _write(tmp_path: Path, *rows: str, header: str = ",".join(SENTENCE_COLUMNS)) -> Path:
    path = tmp_path / "bad_sentences.csv"
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    return path


def test_the_loader_splits_ledger_and_exclusions_in_file_order(tmp_path: Path) -> None:
    """Quotes are kept byte for byte (a comma inside a quoted cell, a ≤); ids split at spaces."""
    later = "small,Results,lesions were ≤ 3 cm,a b,c,"
    ledger, excluded = load_sentences(_write(tmp_path, _GOOD, _EXCLUDED, later))
    assert ledger == (
        Sentence("male", "Results", "The study population was predominantly male (84.4%).",
                 ("res_pct_male_all",), ("x_y",)),
        Sentence("small", "Results", "lesions were ≤ 3 cm", ("a", "b"), ("c",)),
    )
    assert excluded == (("Discussion", "In most cases, it is contraindicated",
                         "clinical background"),)


@pytest.mark.parametrize(
    ("rows", "line", "column", "says"),
    [
        ([_GOOD.replace("Results", "Methods")], 2, "section", "'Methods' is not one of"),
        ([_GOOD, "k,Results,,a,b,"], 3, "quote", "empty quote"),
        (["k,Results,two  spaces,a,b,"], 2, "quote", "whitespace is not normalised"),
        ([_EXCLUDED.replace(",,,", ",,sentence_x,")], 2, "check_ids", "excluded_because"),
        ([_EXCLUDED.replace(",Discussion", "k,Discussion")], 2, "key", "excluded_because"),
        (["k,Results,a quote,a,,"], 2, "check_ids", "or else an excluded_because reason"),
        ([_GOOD, _EXCLUDED, _GOOD], 4, "key", "'male' duplicates the key on line 2"),
        (["k,Results,a quote,res_n_total Res-N,b,"], 2, "claim_ids", "'Res-N' is not"),
        (["k,Results,a quote,a,b;c,"], 2, "check_ids", "'b;c' is not a snake_case id"),
        (["Key One,Results,a quote,a,b,"], 2, "key", "'Key One' is not snake_case"),
        (["k,Results,most, not all,a,b,"], 2, "excluded_because", "more cells than columns"),
    ],
)
def test_the_loader_names_file_line_and_column(tmp_path: Path, rows: list[str], line: int,
                                               column: str, says: str) -> None:
    with pytest.raises(SentencesError) as caught:
        load_sentences(_write(tmp_path, *rows))
    message = str(caught.value)
    assert message.startswith(f"bad_sentences.csv, line {line}, column '{column}': "), message
    assert says in message


def test_the_loader_wants_every_column(tmp_path: Path) -> None:
    path = _write(tmp_path, header="key,section,quote,claim_ids,check_ids")
    with pytest.raises(SentencesError, match=r"^bad_sentences\.csv, line 1, column "
                                             r"'excluded_because': required column"):
        load_sentences(path)


# ----------------------------------------------------------------------------- new checks


def test_hr_is_not_a_ratio_of_probabilities(checks: dict[str, Check]) -> None:
    """(1 - 0.5^3.76)/0.5 = 1.852 (±1e-3): at the ≤3-lesion median the probability ratio is
    under 2, not 3.5; solving (1 - s^3.76)/(1 - s) = 3.5 gives 1 - s ≈ 5.2%."""
    ch = checks["sentence_hr_not_probability_ratio"]
    assert ch.values["ratio_at_median"] == pytest.approx(1.852, abs=1e-3)
    assert ch.values["share_for_target"] == pytest.approx(5.2, abs=0.1)
    assert ch.verdict == "inconsistent"
    for claim_id in ("res_pfs_mv_hr_lesions", "res_pfs_hr_approx_lesions",
                     "res_pfs_median_lesions_le3"):
        assert claim(claim_id).value in ch.arithmetic


def test_most_adverse_events_of_the_whole_study(checks: dict[str, Check]) -> None:
    """Sorafenib-type events 4 + 3 + 3 + 2 = 12 of 18 + 12 = 30 listed = 40%: 'most' fails
    over the study, while within the combination arm it is 12/18 = 66.7%."""
    ch = checks["sentence_most_ae_whole_study"]
    assert ch.values["share_study"] == pytest.approx(40.0)
    assert ch.verdict == "inconsistent"
    assert "12/30 = 40.0%" in ch.arithmetic and "12/18 = 66.7%" in ch.arithmetic
    assert checks["t2_most_related_to_sorafenib"].verdict == "consistent"


def test_significance_words_against_alpha(checks: dict[str, Check]) -> None:
    """p = 0.022 and 0.014 < 0.05 with CIs above 1: 'significantly increased' is consistent;
    lesions are significant for PFS (<0.001) but not OS (0.406): 'only for PFS' holds."""
    mv = checks["sentence_mv_sorafenib"]
    assert mv.verdict == "consistent"
    for claim_id in ("res_pfs_mv_p_sorafenib", "res_os_mv_p_sorafenib", "res_pfs_mv_hr_sorafenib"):
        assert claim(claim_id).value in mv.arithmetic
    assert claim("met_alpha").number == 0.05 and "< 0.05" in mv.arithmetic
    only = checks["sentence_lesions_only_pfs"]
    assert only.verdict == "consistent"
    assert "p = 0.406 ≥ 0.05" in only.arithmetic


def test_one_year_pfs_higher_but_not_by_itself_significant(checks: dict[str, Check]) -> None:
    """55.2 - 45.5 = 9.7 points; SE = √(.552·.448/23 + .455·.545/22) = 14.8 points; z = 0.65."""
    ch = checks["sentence_pfs_1y_higher"]
    assert ch.verdict == "consistent"
    assert ch.values["se_points"] == pytest.approx(14.8, abs=0.05)
    assert ch.values["z"] == pytest.approx(0.65, abs=0.01)
    assert "55.2 > 45.5" in ch.arithmetic


def test_lesion_counts_fit_table3_and_the_inclusion_limit(checks: dict[str, Check]) -> None:
    """18·1 + 27·4 = 126 ≤ 195 ≤ 18·3 + 27·9 = 297."""
    ch = checks["sentence_lesions_per_patient"]
    assert (ch.values["min_lesions"], ch.values["max_lesions"]) == (126, 297)
    assert ch.verdict == "consistent"


@pytest.mark.parametrize(
    ("check_id", "fragment"),
    [("sentence_most_lesions_small", "96 to 184 of 195 lesions"),  # 195 - 11·9, 195 - 11
     ("sentence_local_control", "log-rank p of PFS"),
     ("sentence_literature_share", "34.5% from reference 6")],
)
def test_sentences_the_paper_cannot_settle(checks: dict[str, Check], check_id: str,
                                           fragment: str) -> None:
    ch = checks[check_id]
    assert ch.verdict == "not checkable"
    assert fragment in ch.arithmetic
