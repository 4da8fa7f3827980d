"""scripts/set_home.py sets the book's home in _config.yml and nothing else (issue #14), and
the version stamp does not call a home-only change "uncommitted changes"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "book" / "_ext"))
from lungmets_version import build_version
from set_home import main, set_home

CONFIG = (REPO / "_config.yml").read_text(encoding="utf-8")
HOME = "https://github.com/example-hospital/teaching-copy"


def test_only_the_two_home_lines_change() -> None:
    updated = set_home(CONFIG, HOME, "course-2027")
    assert yaml.safe_load(updated)["repository"] == {"url": HOME, "branch": "course-2027"}
    before, after = CONFIG.splitlines(), updated.splitlines()
    assert len(before) == len(after)
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    assert [a.strip() for _, a in changed] == [f"url: {HOME}", "branch: course-2027"]


@pytest.mark.parametrize(("url", "branch", "message"), [
    ("https://gitlab.com/a/b", "main", "not a GitHub repository address"),
    ("https://github.com/only-owner", "main", "not a GitHub repository address"),
    (HOME, "bad branch", "not a branch name"),
])
def test_a_bad_home_is_refused(url: str, branch: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        set_home(CONFIG, url, branch)


def test_a_config_without_the_block_is_refused_and_left_unchanged(tmp_path: Path,
                                                                   capsys) -> None:
    config = tmp_path / "_config.yml"
    config.write_text("title: x\nrepository:\n  url: https://github.com/a/b\nhtml: {}\n")
    assert main([HOME, "main", "--config", str(config)]) == 2
    assert "line 2: the repository block has no branch" in capsys.readouterr().err
    assert config.read_text() == "title: x\nrepository:\n  url: https://github.com/a/b\nhtml: {}\n"


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root,
                   check=True, capture_output=True)


def test_the_version_stamp_ignores_a_home_only_change(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text(CONFIG, encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "_config.yml")
    _git(tmp_path, "commit", "-q", "-m", "config")
    assert main([HOME, "course-2027", "--config", str(tmp_path / "_config.yml")]) == 0
    assert "uncommitted" not in build_version(tmp_path)
    with (tmp_path / "_config.yml").open("a", encoding="utf-8") as config:
        config.write("# another change\n")
    assert build_version(tmp_path).endswith("with uncommitted changes")
