"""CITATION.cff has what CFF 1.2.0 requires and cites the article the README names."""

from __future__ import annotations

import re

import yaml
from conftest import REPO


def test_citation_file_has_the_required_keys_and_the_papers_doi() -> None:
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):
        assert cff[key], key
    assert "synthetic" in cff["message"].lower()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    article = cff["references"][0]
    assert article["doi"] == re.search(r"doi:(10\.\S+?)\s", readme).group(1)
    byline = re.search(r"> ((?:\w+ \w, )+\w+ \w)\. \*", readme).group(1)  # "Sun T, He J, ..."
    assert [(a["family-names"], a["given-names"][0]) for a in article["authors"]] == [
        tuple(name.split()) for name in byline.split(", ")]
