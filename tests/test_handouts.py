"""PDF handouts (`make pdf`): one per page and one of the whole book, printed by Chromium.

Each page's PDF must have the page's title, as many images as the page shows figures, a
page count that fits its length, no code, and the printed note on each panel.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from lungmets.site.toc import toc_pages

pytestmark = pytest.mark.build
PAGES = toc_pages()
CHARS_PER_PDF_PAGE = (500, 15000)  # an A4 page of this book: a figure, prose, a dense table
PANEL_NOTE = "Interactive panel: its default view is printed"


def _stem(docname: str) -> str:
    return docname.rsplit("/", 1)[-1]


def _article(site: Path, docname: str) -> BeautifulSoup:
    soup = BeautifulSoup((site / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")
    return soup.select_one("article.bd-article")


def _shown_images(article: BeautifulSoup) -> int:
    return sum(1 for img in article.find_all("img")
               if img.find_parent(attrs={"hidden": True}) is None
               and not img.get("src", "").endswith(".svg"))


@pytest.mark.parametrize("docname", PAGES, ids=_stem)
def test_each_page_prints_its_title_figures_and_no_code(built_site: Path, docname: str) -> None:
    pdf = built_site / "downloads" / "pdf" / f"{_stem(docname)}.pdf"
    assert pdf.is_file(), f"{pdf} missing: make pdf did not print {docname}"
    reader = PdfReader(pdf)
    text = " ".join(page.extract_text() for page in reader.pages)
    # ligatures to letters, and a hyphenated word broken over two lines joined again
    flat = re.sub(r"- ", "-", " ".join(unicodedata.normalize("NFKC", text).split()))
    article = _article(built_site, docname)
    heading = " ".join(article.find("h1").get_text(" ", strip=True).split()).rstrip("#").strip()
    title = re.sub(r"^\d+(\.\d+)*\.? ", "", heading)  # the section number is not printed
    assert title in flat, f"{pdf.name} lacks its title {title!r}"
    assert "SYNTHETIC data" in flat, f"{pdf.name}: the footer must say the data are synthetic"
    images = sum(len(page.images) for page in reader.pages)
    assert images >= _shown_images(article), f"{pdf.name}: a figure did not print"
    chars = len(" ".join(article.get_text(" ", strip=True).split()))
    low, high = (chars / CHARS_PER_PDF_PAGE[1], chars / CHARS_PER_PDF_PAGE[0] + 2)
    assert low <= len(reader.pages) <= high, (pdf.name, len(reader.pages), chars)
    code = {" ".join(line.split()) for cell in article.select(".cell_input")
            for line in cell.get_text().splitlines() if len(line.strip()) >= 30}
    assert not [line for line in code if line in flat], f"{pdf.name} prints code"
    panels = article.select(".lungmets-w-view")
    assert (PANEL_NOTE in flat) == bool(panels), f"{pdf.name}: panel note and panels disagree"


def test_the_whole_book_is_every_page_in_reading_order(built_site: Path) -> None:
    folder = built_site / "downloads" / "pdf"
    book = PdfReader(folder / "lungmets-book.pdf")
    counts = [len(PdfReader(folder / f"{_stem(name)}.pdf").pages) for name in PAGES]
    assert len(book.pages) == sum(counts)
    outline = [book.get_destination_page_number(item) for item in book.outline]
    starts = [sum(counts[:i]) for i in range(len(counts))]
    assert outline == starts, "one bookmark per page, at the page's first PDF page"
