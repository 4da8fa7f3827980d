"""The book re-executes its chapters when the data or the package change (book/_ext)."""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "book" / "_ext"))

from lungmets_inputs import inputs_fingerprint  # noqa: E402


def _tree(root: Path) -> None:
    (root / "data" / "synthetic").mkdir(parents=True)
    (root / "src" / "lungmets").mkdir(parents=True)
    (root / "data" / "synthetic" / "patients.csv").write_text("patient_id\nP01\n")
    (root / "src" / "lungmets" / "claims.py").write_text("X = 1\n")
    (root / "requirements.txt").write_text("pandas==2.3.3\n")
    (root / "book").mkdir()
    (root / "book" / "intro.md").write_text("# Intro\n")


def test_fingerprint_is_stable_for_unchanged_inputs(tmp_path: Path) -> None:
    _tree(tmp_path)
    assert inputs_fingerprint(tmp_path) == inputs_fingerprint(tmp_path)


def test_fingerprint_follows_data_package_and_pins_but_not_prose(tmp_path: Path) -> None:
    _tree(tmp_path)
    seen = {inputs_fingerprint(tmp_path)}
    (tmp_path / "book" / "intro.md").write_text("# Intro, edited\n")
    assert inputs_fingerprint(tmp_path) in seen  # prose has its own Sphinx change tracking
    for path, text in [
        ("data/synthetic/patients.csv", "patient_id\nP02\n"),
        ("src/lungmets/claims.py", "X = 2\n"),
        ("requirements.txt", "pandas==2.3.2\n"),
        ("data/synthetic/lesions.csv", "lesion_id\n"),
    ]:
        (tmp_path / path).write_text(text)
        fingerprint = inputs_fingerprint(tmp_path)
        assert fingerprint not in seen, f"changing {path} did not change the fingerprint"
        seen.add(fingerprint)
