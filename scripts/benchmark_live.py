"""How fast a live panel answers: every panel's free control, moved in a real kernel.

Why: on Binder a learner drags a panel's *Any value* control and waits for the kernel to
recompute the figure or table. Each chapter with panels is executed here as a notebook with
``LUNGMETS_PANELS=live`` (what a person driving the kernel gets); then, in the same kernel,
every panel's free control is set to values across its range and the recomputation (the
page's own render function, the figure drawn and encoded) is timed. The browser's round trip
to the kernel is not included: it depends on the network, not on the book.

Writes a markdown table (``make bench-live`` writes benchmarks/live.md). Target: 150 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import jupytext
import nbclient
import nbformat

from lungmets.site.toc import panel_pages

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 150.0
MOVES = 7  # values per control, spread over its range
PASSES = 3  # sweeps over those values: the median is then of up to 21 moves
REFERENCE_LOOP = 3_000_000  # iterations of the fixed pure-Python loop that gauges the CPU
# Runs in the executed kernel: IPython keeps every displayed cell value in Out.
PROBE = f"""
import json as _json, statistics as _stats, time as _time
from lungmets.display.panels import Panel as _Panel
_seen, _report = set(), []
for _value in list(Out.values()) + list(globals().values()):
    if not isinstance(_value, _Panel) or _value.live_control is None or id(_value) in _seen:
        continue
    _seen.add(id(_value))
    _control = _value.live_control
    _low, _high = _control.min, _control.max
    _times = []
    for _k in list(range({MOVES})) * {PASSES}:
        _target = _low + (_high - _low) * (_k + 0.5) / {MOVES}
        if isinstance(_control.value, int):
            _target = int(round(_target))
        if _target == _control.value:
            continue
        _start = _time.perf_counter()
        _control.value = _target
        _times.append((_time.perf_counter() - _start) * 1000)
    _report.append({{"label": _control.description, "median_ms": _stats.median(_times),
                     "max_ms": max(_times), "moves": len(_times)}})
print("LIVE-REPORT " + _json.dumps(_report))
"""


def reference_ms() -> float:
    """Time of a fixed pure-Python loop: shared machines change speed during a run (here by up
    to a third), so the report states the range this gauge saw, to read the medians against."""
    start = time.perf_counter()
    total = 0
    for i in range(REFERENCE_LOOP):
        total += i * i
    return (time.perf_counter() - start) * 1000


def measure(page: str) -> list[dict[str, object]]:
    """Execute ``page`` live and return each free control's timings."""
    notebook = jupytext.read(ROOT / f"{page}.md")
    notebook.cells.append(nbformat.v4.new_code_cell(PROBE))
    os.environ["LUNGMETS_PANELS"] = "live"
    client = nbclient.NotebookClient(notebook, kernel_name="python3", timeout=900,
                                     resources={"metadata": {"path": str(ROOT / "book")}})
    client.execute()
    for output in notebook.cells[-1].outputs:
        for line in output.get("text", "").splitlines():
            if line.startswith("LIVE-REPORT "):
                return json.loads(line.removeprefix("LIVE-REPORT "))
    raise RuntimeError(f"{page}: the probe printed no report")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``make bench-live``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "live.md")
    parser.add_argument("--pages", nargs="*", help="docnames (default: every page with panels)")
    args = parser.parse_args(argv)
    rows, over = [], 0
    gauge: list[float] = []
    for page in args.pages or panel_pages():
        gauge.append(reference_ms())
        for control in measure(page):
            slow = control["median_ms"] > TARGET_MS
            over += slow
            rows.append(f"| {page.rsplit('/', 1)[-1]} | {control['label']} | {control['moves']} | "
                        f"{control['median_ms']:.0f} | {control['max_ms']:.0f} | "
                        f"{'over' if slow else 'ok'} |")
            print(rows[-1], flush=True)
    gauge.append(reference_ms())
    args.out.write_text(
        "# Live panels: recompute time in the kernel\n\n"
        "Written by `scripts/benchmark_live.py` (`make bench-live`); measured, not typed. Each "
        "chapter with panels is executed with `LUNGMETS_PANELS=live`; every panel's free control "
        f"is then moved to {MOVES} values across its range, {PASSES} times over, and each "
        "recomputation timed (render "
        "function, figure drawn and encoded; not the browser's round trip). Target: a median of at "
        f"most {TARGET_MS:.0f} ms; the maximum is usually the first move, which lays the figure "
        "out (later moves reuse that layout, `lungmets.display.panels.LiveFigures`). Chapters "
        "whose panels have no free control (categories, all precomputed) have no row.\n\n"
        "| page | control | moves | median (ms) | max (ms) | target |\n"
        "| --- | --- | ---: | ---: | ---: | --- |\n"
        + "\n".join(rows)
        + f"\n\n{len(rows) - over} of {len(rows)} controls within the target. Machine: "
        f"{platform.machine()}, {len(os.sched_getaffinity(0))} logical CPUs, 1-min load "
        f"average {os.getloadavg()[0]:.1f}. CPU gauge (a fixed pure-Python loop of "
        f"{REFERENCE_LOOP:,} steps, timed before each page and at the end): {min(gauge):.0f} to "
        f"{max(gauge):.0f} ms during the run.\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
