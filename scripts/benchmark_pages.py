"""Page speed of the built site on a slow hospital network, written to benchmarks/pages.md.

Why: issue #14's targets are about what a clinician on a slow network sees. Every page of
``_build/html`` is opened in Debian's Chromium (Playwright) under Lighthouse's mobile profile:
1.6 Mbps down, 150 ms round trip, CPU slowed 4x, with an empty cache. It is served the way a
static host serves it (gzip), and, for first paint only, opened from disk (file://, no
compression, no throttled network but the same CPU). Recorded per page:

* first contentful paint (target: at most 1.8 s served, 3 s from disk);
* when every panel responds: the ``lungmets-panels-ready`` mark that
  ``lungmets-panels.js`` sets once every control is wired (target: at most 5 s);
* bytes transferred on a first visit, as the browser counts them (target: at most 1.5 MB).

A benchmark, not a test: timings depend on the machine, so it reports and never fails.
``make bench-pages`` runs it after a build. Each page is loaded ``--runs`` times and the
median is reported, because a 2-core machine shared with other work is noisy.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import mimetypes
import platform
import statistics
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, sync_playwright

from lungmets.site.browser import CHROMIUM_ARGS, chromium_executable

ROOT = Path(__file__).resolve().parent.parent
NETWORK = {  # Lighthouse's simulated mobile ("slow 4G") profile
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6e6 / 8,
    "uploadThroughput": 750e3 / 8,
}
CPU_SLOWDOWN = 4
TARGETS = {"fcp_ms": 1800, "panels_ms": 5000, "bytes": 1.5e6, "disk_fcp_ms": 3000}
MEASURE = """() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    const ready = performance.getEntriesByName('lungmets-panels-ready')[0];
    const bytes = performance.getEntriesByType('resource')
        .reduce((sum, r) => sum + (r.transferSize || 0), nav ? nav.transferSize || 0 : 0);
    return {fcp_ms: paint ? paint.startTime : null, panels_ms: ready ? ready.startTime : null,
            bytes: bytes, panels: document.querySelectorAll('.lungmets-w-view').length};
}"""


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """A static host: files as they are, gzip-compressed when the browser accepts it."""

    def log_message(self, *args: Any) -> None:
        """Quiet: the benchmark prints its own table."""

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path.split("?")[0]))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        compress = "gzip" in self.headers.get("Accept-Encoding", "") and len(data) > 1024
        if compress:
            data = gzip.compress(data, 6, mtime=0)
        self.send_response(200)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.send_header("Content-Type", kind)
        if compress:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _load(browser: Browser, url: str, throttle_network: bool) -> dict[str, Any]:
    """Open one URL in a fresh context (empty cache) and measure it."""
    context = browser.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    if throttle_network:
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", NETWORK)
    page.goto(url, wait_until="load", timeout=180_000)
    page.wait_for_timeout(1000)
    result = page.evaluate(MEASURE)
    context.close()
    return result


def _median(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in runs if r[key] is not None]
    return statistics.median(values) if values else None


def measure(site: Path, pages: list[str], runs: int) -> list[dict[str, Any]]:
    """Median FCP, panel readiness and bytes for each page, served and from disk."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable(),
                                           args=list(CHROMIUM_ARGS))
        for name in pages:
            served = [_load(browser, f"{base}/{name}", True) for _ in range(runs)]
            disk = [_load(browser, (site / name).as_uri(), False) for _ in range(runs)]
            rows.append({
                "page": name,
                "fcp_ms": _median(served, "fcp_ms"),
                "panels_ms": _median(served, "panels_ms"),
                "panels": served[0]["panels"],
                "bytes": _median(served, "bytes"),
                "disk_fcp_ms": _median(disk, "fcp_ms"),
            })
            print(rows[-1], flush=True)
        browser.close()
    server.shutdown()
    return rows


def _cell(value: float | None, target: float, unit: str) -> str:
    if value is None:
        return "n/a"
    text = f"{value / 1000:.2f} s" if unit == "s" else f"{value / 1e6:.2f} MB"
    return text if value <= target else f"**{text}** (over)"


def report(rows: list[dict[str, Any]], runs: int) -> str:
    """The markdown written to benchmarks/pages.md."""
    lines = [
        "# Page speed on a slow network (`scripts/benchmark_pages.py`)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} "
        f"({platform.processor() or 'cpu'}), Chromium headless, empty cache, median of {runs} "
        f"load(s). Served with gzip under 1.6 Mbps / 150 ms / CPU {CPU_SLOWDOWN}x slower; "
        "\"from disk\" is file:// with the same CPU slowdown. Bold: over the target "
        "(first paint 1.8 s, panels 5 s, 1.5 MB, from disk 3 s).",
        "",
        "| page | first paint | panels respond | panels | transferred | first paint from disk |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        panels_ready = _cell(r["panels_ms"], TARGETS["panels_ms"], "s") if r["panels"] else "none"
        lines.append(
            f"| {r['page']} | {_cell(r['fcp_ms'], TARGETS['fcp_ms'], 's')} | {panels_ready} | "
            f"{r['panels']} | {_cell(r['bytes'], TARGETS['bytes'], 'MB')} | "
            f"{_cell(r['disk_fcp_ms'], TARGETS['disk_fcp_ms'], 's')} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``make bench-pages``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "pages.md")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("pages", nargs="*", help="pages relative to the site (default: all)")
    args = parser.parse_args(argv)
    pages = args.pages or sorted(
        p.relative_to(args.site).as_posix()
        for p in args.site.rglob("*.html")
        if p.relative_to(args.site).parts[0] not in {"_static", "_sources", "_images"}
        and p.name != "index.html"
    )
    rows = measure(args.site, pages, args.runs)
    args.out.write_text(report(rows, args.runs), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
