"""Time the book's cold build, its no-change rebuild and the full `make test`; write the table.

Why: "a no-change `make book` stays quick" and "a cold build fits in a coffee break" are
promises; benchmarks/timings.md records them with the machine and commands, so a
regression shows up as a diff. Run via `make bench`.

The cold build uses a fresh output folder (so a fresh execution cache, which lives under
the output path); the rebuild repeats the same command unchanged. `make test` then runs
with LUNGMETS_BUILD_OUTPUT pointing at the same output, so its book build is warm and the
repository's _build is left alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

__all__ = ["Timing", "main", "render_markdown", "run_timed"]

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "benchmarks" / "timings.md"
JUPYTER_BOOK = ROOT / ".venv" / "bin" / "jupyter-book"
# The cold build executes every chapter (on every core, book/_ext/lungmets_parallel.py).
TARGETS_S = {"cold build": 180.0, "no-change rebuild": 5.0}


@dataclass(frozen=True)
class Timing:
    """One measured step: what ran, how long it took and whether it succeeded."""

    step: str
    command: str
    seconds: float
    exit_code: int


def run_timed(
    step: str, command: list[str], log: Path, env: dict[str, str] | None = None
) -> Timing:
    """Run a command from the repository root, append its output to log, time it."""
    start = time.perf_counter()
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(command)}\n")
        out.flush()
        full_env = {**os.environ, **(env or {})}
        result = subprocess.run(
            command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=full_env
        )
    seconds = time.perf_counter() - start
    print(f"{step}: {seconds:.1f} s (exit {result.returncode})", flush=True)
    return Timing(step, " ".join(command), seconds, result.returncode)


def _machine() -> dict[str, str]:
    """What the numbers were measured on."""
    with open("/proc/meminfo") as meminfo:
        total_kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
    cpu = platform.processor() or platform.machine()
    return {
        "CPUs (nproc)": str(os.cpu_count()),
        "memory": f"{total_kb / 1024 / 1024:.1f} GiB",
        "platform": f"{platform.system()} {platform.release()} ({cpu})",
        "Python": platform.python_version(),
        "jupyter-book": metadata.version("jupyter-book"),
        "Sphinx": metadata.version("sphinx"),
    }


def render_markdown(timings: list[Timing], machine: dict[str, str], when: str) -> str:
    """The timings file: a table of steps, the targets, the machine."""
    lines = [
        "# Build and test timings",
        "",
        f"Measured {when} by `make bench` (scripts/benchmark_build.py); commands run from the",
        "repository root. Cold build: fresh output folder and execution cache. No-change",
        "rebuild: the same command again with nothing edited. make test: every test, its book",
        "build reusing that output (LUNGMETS_BUILD_OUTPUT), so a CI run from scratch costs about",
        "the cold build plus this line.",
        "",
        "| Step | Seconds | Target | Exit | Command |",
        "|---|---:|---:|---:|---|",
    ]
    for t in timings:
        target = f"< {TARGETS_S[t.step]:.0f}" if t.step in TARGETS_S else ""
        lines.append(f"| {t.step} | {t.seconds:.1f} | {target} | {t.exit_code} | `{t.command}` |")
    lines += ["", "## Machine", ""]
    lines += [f"- {key}: {value}" for key, value in machine.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Measure, write benchmarks/timings.md, and fail if any step failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-test", action="store_true", help="time the builds only")
    args = parser.parse_args(argv)
    subprocess.run([sys.executable, str(ROOT / "scripts" / "vendor_assets.py")], check=True)
    with tempfile.TemporaryDirectory(prefix="lungmets-bench-") as tmp:
        log = Path(tmp) / "bench.log"
        build = [str(JUPYTER_BOOK.relative_to(ROOT)), "build", ".", "-W", "-n", "--keep-going"]
        build += ["--path-output", str(Path(tmp) / "out")]
        timings = [
            run_timed("cold build", build, log),
            run_timed("no-change rebuild", build, log),
        ]
        if not args.skip_test:
            # The tests' build reuses the output above (warm cache), as in a developer's loop.
            env = {"LUNGMETS_BUILD_OUTPUT": str(Path(tmp) / "out")}
            timings.append(run_timed("make test (warm cache)", ["make", "test"], log, env))
        failed = [t for t in timings if t.exit_code != 0]
        if failed:
            print(log.read_text()[-6000:], file=sys.stderr)
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    OUTPUT.parent.mkdir(exist_ok=True)
    text = render_markdown(timings, _machine(), when)
    text = text.replace(str(Path(tmp) / "out"), "<fresh temporary folder>")
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
