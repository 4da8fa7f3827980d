"""Printable handouts: one PDF per page of the built book, and one of the whole book (``make pdf``).

Why from the HTML: the book's figures, glued numbers and panels already exist there, and the
Chromium that the browser tests use prints them with the book's print stylesheet
(``book/_ext/static/lungmets-site.css``: no navigation, no code, a panel's default view with a
note, external links with their address). Sphinx's LaTeX route would need a TeX installation
and would lose the panels' default views.

The PDFs land in ``_build/html/downloads/pdf/``, where the downloads page links them. Each
page's footer says the data are synthetic and numbers the pages. Two pages print at a time
(the machine has two cores). Images that the site loads lazily are loaded before printing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import time
from pathlib import Path

from playwright.async_api import Page, async_playwright
from pypdf import PdfReader, PdfWriter

from lungmets.site.browser import CHROMIUM_ARGS, chromium_executable
from lungmets.site.toc import toc_pages

ROOT = Path(__file__).resolve().parent.parent
BOOK_PDF = "lungmets-book.pdf"
PARALLEL_PAGES = 2
FOOTER = ('<div style="font-size:8px;width:100%;padding:0 12mm;display:flex;'
          'justify-content:space-between;font-family:sans-serif">'
          '<span>Reanalysis of Sun et al. 2016 on SYNTHETIC data: no real patient.</span>'
          '<span>page <span class="pageNumber"></span> of <span class="totalPages"></span>'
          '</span></div>')
# Lazy images outside hidden panel states are loaded (and decoded) before the page prints;
# maths is typeset first where MathJax runs.
READY_FOR_PRINT = """async () => {
  const shown = [...document.images].filter(img => !img.closest('[hidden]'));
  shown.forEach(img => { img.loading = 'eager'; });
  await Promise.all(shown.map(img => img.decode().catch(() => null)));
  if (window.MathJax && window.MathJax.startup) { await window.MathJax.startup.promise; }
}"""


def page_pdf_name(docname: str) -> str:
    """``book/kaplan-meier`` -> ``kaplan-meier.pdf``."""
    return f"{docname.rsplit('/', 1)[-1]}.pdf"


async def _print_page(page: Page, html: Path, pdf: Path) -> str:
    await page.goto(html.as_uri(), wait_until="load")
    await page.emulate_media(media="print")
    await page.evaluate(READY_FOR_PRINT)
    await page.pdf(path=str(pdf), format="A4", print_background=False,
                   display_header_footer=True, header_template="<span></span>",
                   footer_template=FOOTER,
                   margin={"top": "14mm", "bottom": "16mm", "left": "14mm", "right": "14mm"})
    return await page.title()


async def print_pages(site: Path, out: Path, docnames: list[str]) -> dict[str, str]:
    """Print every page to ``out`` and return each docname's page title."""
    missing = [name for name in docnames if not (site / f"{name}.html").is_file()]
    if missing:
        raise SystemExit(f"make_pdf: {site} lacks {', '.join(missing)}; run the book build first")
    out.mkdir(parents=True, exist_ok=True)
    titles: dict[str, str] = {}
    queue: asyncio.Queue[str] = asyncio.Queue()
    for name in docnames:
        queue.put_nowait(name)
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=chromium_executable(),
                                                    args=list(CHROMIUM_ARGS))

        async def worker() -> None:
            page = await browser.new_page()
            while not queue.empty():
                name = queue.get_nowait()
                titles[name] = await _print_page(page, site / f"{name}.html",
                                                 out / page_pdf_name(name))
            await page.close()

        await asyncio.gather(*(worker() for _ in range(PARALLEL_PAGES)))
        await browser.close()
    return titles


def merge_book(out: Path, docnames: list[str], titles: dict[str, str]) -> Path:
    """One PDF of the whole book in reading order, with a bookmark per page."""
    writer = PdfWriter()
    for name in docnames:
        start = len(writer.pages)
        writer.append(PdfReader(out / page_pdf_name(name)), import_outline=False)
        writer.add_outline_item(title=titles[name].split(" — ")[0], page_number=start)
    writer.add_metadata({"/Title": "Tomotherapy and sorafenib for lung metastases of HCC: "
                                   "a reproducible reanalysis on SYNTHETIC data"})
    book = out / BOOK_PDF
    partial = book.with_name(book.name + ".partial")
    with partial.open("wb") as handle:
        writer.write(handle)
    partial.replace(book)
    return book


def _benchmark(path: Path, pages: int, seconds: float) -> None:
    path.write_text(
        "# PDF handouts benchmark\n\nWritten by `scripts/make_pdf.py --benchmark` "
        "(`make pdf`); measured, not typed.\n\n| quantity | value |\n| --- | --- |\n"
        f"| pages printed (one PDF each, plus the whole book) | {pages} |\n"
        f"| wall time, printing and merging | {seconds:.0f} s |\n"
        f"| pages printed at a time | {PARALLEL_PAGES} |\n"
        f"| machine | {platform.machine()}, {len(os.sched_getaffinity(0))} "
        "logical CPUs |\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``make pdf``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--benchmark", type=Path, help="write the timing here (markdown)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    docnames = toc_pages()
    out = args.site / "downloads" / "pdf"
    titles = asyncio.run(print_pages(args.site, out, docnames))
    book = merge_book(out, docnames, titles)
    seconds = time.perf_counter() - started
    if args.benchmark:
        _benchmark(args.benchmark, len(docnames), seconds)
    print(f"make_pdf: {len(docnames)} pages and {book} ({len(PdfReader(book).pages)} PDF pages) "
          f"in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
