"""The pip path (requirements.txt) and the conda/Binder path (environment.yml) must not drift."""

import re
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;]+)$")


def _requirement_lines(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_requirement_is_pinned_exactly() -> None:
    loose = [line for line in _requirement_lines(ROOT / "requirements.txt") if not PIN.match(line)]
    assert loose == [], f"requirements.txt lines without an exact '==' pin: {loose}"


def test_top_level_names_are_all_locked() -> None:
    locked = {
        _normalise(m["name"]): m["version"]
        for m in map(PIN.match, _requirement_lines(ROOT / "requirements.txt"))
    }
    for line in _requirement_lines(ROOT / "requirements.in"):
        name, _, version = line.partition("==")
        assert _normalise(name) in locked, f"{name} is in requirements.in but not locked"
        if version:
            assert locked[_normalise(name)] == version, f"{name}: .in says {version}"


def test_jupyter_book_stays_on_version_1() -> None:
    text = (ROOT / "requirements.txt").read_text()
    assert re.search(r"^jupyter-book==1\.0\.4\.post1$", text, re.M)


def test_environment_yml_installs_exactly_the_pip_pins_and_the_package() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert pip_section == ["-r requirements.txt", "-e ."]
    conda_names = [d for d in deps if isinstance(d, str)]
    # Any Python package listed for conda directly would bypass the pins.
    assert {d.split("=")[0] for d in conda_names} <= {"python", "pip", "nodejs"}


def test_python_version_agrees_everywhere() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_python = next(
        d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python=")
    )
    major_minor = conda_python.split("=")[1]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == f">={major_minor},<3.{int(major_minor.split('.')[1]) + 1}"
    assert f"{sys.version_info.major}.{sys.version_info.minor}" == major_minor
