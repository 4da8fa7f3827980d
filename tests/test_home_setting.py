"""The book's public home is one setting (issue #14): change it and every link follows.

``repository.url`` and ``repository.branch`` in _config.yml drive the repository button and
each chapter's Binder link. This test builds one chapter with a different home and checks
that both links name it, and that nothing still names the configured one.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import BIN, REPO

pytestmark = pytest.mark.build

OTHER_HOME = {"url": "https://github.com/example-hospital/teaching-copy", "branch": "course-2027"}
CHAPTER = "book/sensitivity-panels"  # a short chapter with a notebook twin


def test_repository_and_binder_links_follow_the_home_setting(tmp_path: Path) -> None:
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    configured = config["repository"]["url"]
    config["repository"] = OTHER_HOME
    extensions = config["sphinx"]["local_extensions"]  # resolved next to the config file
    config["sphinx"]["local_extensions"] = {name: str(REPO / p) for name, p in extensions.items()}
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (tmp_path / "_toc.yml").write_text(f"format: jb-book\nroot: {CHAPTER}\n", encoding="utf-8")
    result = subprocess.run(
        [str(BIN / "jupyter-book"), "build", ".", "--config", str(tmp_path / "_config.yml"),
         "--toc", str(tmp_path / "_toc.yml"), "--path-output", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    page = (tmp_path / "_build" / "html" / f"{CHAPTER}.html").read_text(encoding="utf-8")
    links = [str(a["href"]) for a in BeautifulSoup(page, "html.parser").find_all("a", href=True)]
    owner_repo = OTHER_HOME["url"].removeprefix("https://github.com/")
    binder = [h for h in links if "/v2/gh/" in h]
    assert binder, "no Binder link on the chapter"
    assert all(f"/v2/gh/{owner_repo}/{OTHER_HOME['branch']}?" in h for h in binder), binder
    assert all(h.endswith(f"notebooks/{CHAPTER.split('/')[1]}.ipynb") for h in binder), binder
    assert OTHER_HOME["url"] in links
    assert configured not in page
