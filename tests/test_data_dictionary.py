"""The data dictionaries describe every column and cite published numbers by claim id."""

import fnmatch
import re
from pathlib import Path

import pandas as pd
import pytest

from lungmets.claims import load_claims

ROOT = Path(__file__).resolve().parents[1]
SYNTHETIC = ROOT / "data" / "synthetic"
DICTIONARY = SYNTHETIC / "README.md"
PUBLISHED = ROOT / "data" / "published"
CLAIM_REFERENCE = re.compile(r"`((?:abs|intro|res|t1|t2|t3|met|disc|fig)_[a-z0-9_*]+)`")


def test_every_claim_the_dictionary_cites_exists() -> None:
    ids = list(load_claims())
    cited = CLAIM_REFERENCE.findall(DICTIONARY.read_text())
    assert cited, "the dictionary cites no claim id"
    unknown = [ref for ref in cited if not fnmatch.filter(ids, ref)]
    assert unknown == []


@pytest.mark.parametrize("csv", sorted([*SYNTHETIC.glob("*.csv"), *PUBLISHED.glob("*.csv")]),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_column_is_in_the_dictionary(csv: Path) -> None:
    section = (csv.parent / "README.md").read_text().split(f"## `{csv.name}`", 1)
    assert len(section) == 2, f"{csv.name} has no section in the data dictionary"
    text = section[1].split("\n## ", 1)[0]
    columns = pd.read_csv(csv, nrows=0, comment="#").columns
    undocumented = [c for c in columns if f"`{c}`" not in text]
    assert undocumented == []


def test_the_dictionary_says_synthetic() -> None:
    assert "SYNTHETIC" in DICTIONARY.read_text().splitlines()[0]
