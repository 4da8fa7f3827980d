"""The book re-executes its chapters when the data or the package change (book/_ext)."""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "book" / "_ext"))

from types import SimpleNamespace  # noqa: E402

from lungmets_inputs import (  # noqa: E402
    _stamp_after_build,
    inputs_fingerprint,
    reexecute_when_inputs_change,
)


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


def _app_and_env(root: Path) -> tuple[SimpleNamespace, SimpleNamespace]:
    cache = root / "_build" / ".jupyter_cache"
    env = SimpleNamespace(mystnb_config=SimpleNamespace(execution_cache_path=str(cache)),
                          found_docs={"book/intro"}, metadata={"book/intro": {"kernelspec": {}}})
    return SimpleNamespace(srcdir=str(root)), env


def test_changed_inputs_empty_the_cache_and_its_database_is_made_before_reading(
    tmp_path: Path,
) -> None:
    """The chapters execute in parallel processes: the cache database must exist before they
    start, or two of them race to create its tables."""
    _tree(tmp_path)
    app, env = _app_and_env(tmp_path)
    stale = tmp_path / "_build" / ".jupyter_cache" / "executed" / "old.ipynb"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")
    assert reexecute_when_inputs_change(app, env, set(), set(), set()) == ["book/intro"]
    assert not stale.exists()
    assert (tmp_path / "_build" / ".jupyter_cache" / "global.db").is_file()


def test_the_fingerprint_is_stored_only_after_a_build_that_finished(tmp_path: Path) -> None:
    _tree(tmp_path)
    app, env = _app_and_env(tmp_path)
    stamp = tmp_path / "_build" / ".lungmets-inputs"
    reexecute_when_inputs_change(app, env, set(), set(), set())
    _stamp_after_build(app, RuntimeError("a chapter failed"))
    assert not stamp.exists()
    assert reexecute_when_inputs_change(app, env, set(), set(), set()) == ["book/intro"]
    _stamp_after_build(app, None)
    assert stamp.read_text() == inputs_fingerprint(tmp_path)
    assert reexecute_when_inputs_change(app, env, set(), set(), set()) == []
