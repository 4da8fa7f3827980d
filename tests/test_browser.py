"""Real-browser test of the built site: headless Chromium, served from 127.0.0.1 only.

Every request to any other host is blocked and recorded, so a page that still needs a CDN
fails here even if the machine is online. For every page, served and opened from disk
(file://): no console error, no failed
request, images decoded, maths typeset, widgets rendered from their saved state; on the
sensitivity panels page, moving a slider changes what is shown, with no kernel.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import toc_pages

pytestmark = [pytest.mark.build, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOST = "127.0.0.1"
# Pages Sphinx writes besides the table of contents.
EXTRA_PAGES = ["index", "search", "genindex"]
PANEL_PAGE = "book/sensitivity-panels"
TIMEOUT_MS = 30_000
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
# Text the widget manager shows instead of a widget when the saved state cannot be rendered.
WIDGET_FAILURE_TEXT = (
    "Loading widget...",
    "Error displaying widget",
    "Could not create a view",
    "Failed to load model class",
)


def _require_chromium() -> None:
    """Skip locally when Chromium is absent; under CI a missing browser is a failure."""
    if CHROMIUM.is_file() or shutil.which("chromium"):
        return
    reason = "chromium not installed: run `make browser` (Debian package chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must run the browser test", pytrace=False)
    pytest.skip(reason)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static file handler that keeps the test output free of access logs."""

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    """Serve _build/html on 127.0.0.1 (an ephemeral port) for the whole session."""
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{LOCAL_HOST}:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@dataclass
class _Recorder:
    """What a page did that it should not have."""

    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def problems(self) -> dict[str, list[str]]:
        return {k: v for k, v in vars(self).items() if v}


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium; Playwright starts it with a new, empty profile directory."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM if CHROMIUM.is_file() else shutil.which("chromium")),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_context(browser: object) -> Iterator[object]:
    """A fresh context per test: every page is a first visit (no storage, no cache)."""
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def open_page(browser_context: object, site_url: str, built_site: Path) -> Iterator[object]:
    """Yield (visit, recorder): visit(docname, from_disk=False) opens a page and lets it settle.

    Pages come from the local server, or (from_disk) straight from _build/html via file://.
    """
    recorder = _Recorder()

    def route(route: object) -> None:
        url = route.request.url
        if urlsplit(url).hostname == LOCAL_HOST or urlsplit(url).scheme == "file":
            route.continue_()
        else:
            recorder.blocked.append(url)
            route.abort("blockedbyclient")

    browser_context.route("**/*", route)
    page = browser_context.new_page()

    def on_console(message: object) -> None:
        if message.type == "error":
            recorder.errors.append(f"console: {message.text} at {message.location.get('url')}")

    def on_response(response: object) -> None:
        if response.status >= 400:
            recorder.failed.append(f"{response.url} (HTTP {response.status})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: recorder.errors.append(f"uncaught: {error}"))
    page.on("requestfailed", lambda request: recorder.failed.append(
        f"{request.url} ({request.failure})"))
    page.on("response", on_response)

    def visit(docname: str, from_disk: bool = False) -> object:
        base = built_site.resolve().as_uri() + "/" if from_disk else site_url
        page.goto(f"{base}{docname}.html", wait_until="load")
        page.wait_for_load_state("networkidle")
        return page

    yield visit, recorder
    page.close()


def _wait_for_maths(page: object) -> int:
    """Wait for MathJax to finish typesetting; return the number of maths elements."""
    count = page.locator(".math").count()
    if count:
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("() => MathJax.startup.promise")
    return count


def _check_images(page: object) -> list[str]:
    """Load every image eagerly and return the sources of those that do not decode."""
    return page.evaluate(
        """async () => {
            const bad = [];
            for (const img of document.images) {
                img.loading = "eager";
                const src = img.currentSrc || img.src;
                try { await img.decode(); } catch (e) { bad.push(src); continue; }
                if (!(img.naturalWidth > 0)) { bad.push(src); }
            }
            return bad;
        }"""
    )


def _wait_for_widgets(page: object) -> int:
    """Wait until each saved widget view is rendered (html-manager fills a .widget-subarea
    just before the view's script tag); return the number of views."""
    views = page.locator(f'script[type="{WIDGET_VIEW_MIME}"]').count()
    if views:
        page.wait_for_function(
            """mime => [...document.querySelectorAll(`script[type="${mime}"]`)].every(s => {
                const area = s.previousElementSibling;
                return area && area.classList.contains("widget-subarea")
                    && area.firstElementChild !== null;
            })""",
            arg=WIDGET_VIEW_MIME,
        )
    return views


ALL_PAGES = list(dict.fromkeys(EXTRA_PAGES + toc_pages()))


def test_the_browser_test_visits_every_built_page(built_site: Path) -> None:
    built = {
        p.relative_to(built_site).with_suffix("").as_posix()
        for p in built_site.rglob("*.html")
        if not p.relative_to(built_site).parts[0].startswith(("_static", "_sources"))
    }
    assert built == set(ALL_PAGES)


@pytest.mark.parametrize("from_disk", [False, True], ids=["served", "from-disk"])
@pytest.mark.parametrize("docname", ALL_PAGES)
def test_page_loads_cleanly_and_offline(open_page: object, docname: str, from_disk: bool) -> None:
    visit, recorder = open_page
    page = visit(docname, from_disk)
    if docname == "index":  # a redirect to the root page
        page.wait_for_url(f"**/{toc_pages()[0]}.html")
        page.wait_for_load_state("networkidle")
    maths = _wait_for_maths(page)
    if maths:
        untypeset = page.evaluate(
            """() => [...document.querySelectorAll('.math')]
                .filter(e => !e.querySelector('mjx-container')
                             || /\\\\[\\(\\[]/.test(e.textContent))
                .map(e => e.textContent.slice(0, 80))"""
        )
        assert untypeset == [], "maths left as raw TeX"
    views = _wait_for_widgets(page)
    if views:
        text = page.locator("body").inner_text()
        assert not [t for t in WIDGET_FAILURE_TEXT if t in text]
    assert _check_images(page) == []
    page.wait_for_load_state("networkidle")
    assert recorder.problems() == {}


def _visible_output(page: object, panel: object) -> dict[str, object]:
    """What the panel currently shows: visible text and a hash of each visible image's bytes."""
    images = panel.locator("img:visible")
    digests = []
    for i in range(images.count()):
        data = page.evaluate(
            """async img => {
                const r = await fetch(img.src);
                return Array.from(new Uint8Array(await r.arrayBuffer()));
            }""",
            images.nth(i).element_handle(),
        )
        digests.append(hashlib.sha256(bytes(data)).hexdigest())
    return {"text": panel.inner_text(), "images": digests}


def test_panel_slider_changes_the_shown_output_without_a_kernel(open_page: object) -> None:
    visit, recorder = open_page
    if PANEL_PAGE not in toc_pages():
        pytest.fail(f"{PANEL_PAGE} is not in _toc.yml; the widget test has nothing to drive")
    page = visit(PANEL_PAGE)
    _wait_for_widgets(page)
    panels = page.locator(".lungmets-panel")
    assert panels.count() >= 1, "no widget panel (class lungmets-panel) rendered"
    for i in range(panels.count()):
        panel = panels.nth(i)
        handle = panel.locator(".noUi-handle").first
        assert handle.count() == 1, f"panel {i} has no slider handle"
        before = _visible_output(page, panel)
        assert before["images"], "panel shows no image before the slider moves"
        value_before = handle.get_attribute("aria-valuenow")
        at_max = value_before == handle.get_attribute("aria-valuemax")
        handle.focus()
        page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
        page.wait_for_function(
            "([h, v]) => h.getAttribute('aria-valuenow') !== v",
            arg=[handle.element_handle(), value_before],
        )
        page.wait_for_load_state("networkidle")
        after = _visible_output(page, panel)
        assert after["images"], "panel shows no image after the slider moved"
        assert after["images"] != before["images"], "image did not change with the slider"
        assert after["text"] != before["text"], "caption did not change with the slider"
    assert recorder.problems() == {}
