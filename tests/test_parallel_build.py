"""book/_ext/lungmets_parallel.py: chapters read (and executed) on every core, written serially."""

from __future__ import annotations

import os
import sys
from types import SimpleNamespace

import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "book" / "_ext"))
import lungmets_parallel


class _App(SimpleNamespace):
    def connect(self, event: str, handler: object) -> None:
        self.handlers[event] = handler


def test_jobs_default_to_the_usable_cores_and_follow_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LUNGMETS_BUILD_JOBS", raising=False)
    assert lungmets_parallel._jobs() == len(os.sched_getaffinity(0))
    monkeypatch.setenv("LUNGMETS_BUILD_JOBS", "1")
    assert lungmets_parallel._jobs() == 1


def test_reading_runs_in_parallel_and_writing_serially(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUNGMETS_BUILD_JOBS", "2")
    app = _App(parallel=0, handlers={})
    lungmets_parallel.setup(app)
    assert app.parallel == 2
    app.handlers["env-updated"](app, None)
    assert app.parallel == 1


def test_only_extensions_that_declare_nothing_are_marked_read_safe() -> None:
    silent = SimpleNamespace(parallel_read_safe=None)
    unsafe = SimpleNamespace(parallel_read_safe=False)
    app = _App(extensions={"sphinx_multitoc_numbering": silent,
                           "sphinx_jupyterbook_latex": unsafe})
    lungmets_parallel._declare_read_safe(app, None)
    assert silent.parallel_read_safe is True and unsafe.parallel_read_safe is False
