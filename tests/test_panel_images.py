"""Page figures become the WebP files panels use (book/_ext/lungmets_panels.py): a figure
glued with lungmets.display.panels.shared_figure and the panel image of the same plot are one
file."""

from __future__ import annotations

import hashlib
import io
import sys
from pathlib import Path
from types import SimpleNamespace

import matplotlib.pyplot as plt
from conftest import REPO
from PIL import Image

sys.path.insert(0, str(REPO / "book" / "_ext"))
from lungmets_panels import remove_replaced_pngs, webp_page_figures

from lungmets.display.panels import figure_to_png, shared_figure


def _figure(slope: float = 1.0):
    fig, ax = plt.subplots(figsize=(4, 3), layout="constrained")
    ax.plot([0, 1, 2], [0, slope, 2 * slope])
    return fig


def test_shared_figure_has_the_panel_image_bytes() -> None:
    assert shared_figure(_figure()).data == figure_to_png(_figure())


def _app(tmp_path: Path, png: bytes) -> tuple[SimpleNamespace, str]:
    stem = hashlib.sha256(png).hexdigest()
    source = tmp_path / "src" / "jupyter_execute" / f"{stem}.png"
    source.parent.mkdir(parents=True)
    source.write_bytes(png)
    builder = SimpleNamespace(images={f"jupyter_execute/{stem}.png": f"{stem}.png"},
                              format="html")
    return SimpleNamespace(srcdir=str(tmp_path / "src"), outdir=str(tmp_path / "out"),
                           builder=builder), stem


def test_a_page_figure_points_at_its_webp_twin_with_the_same_pixels(tmp_path: Path) -> None:
    png = figure_to_png(_figure())
    app, stem = _app(tmp_path, png)
    body = (f'<figure><img alt="../_images/{stem}.png" src="../_images/{stem}.png" />'
            '</figure><img alt="Logo" src="logo.png">')
    context = {"body": body}
    webp_page_figures(app, "book/page", "page.html", context, None)
    assert context["body"] == (f'<figure><img alt="" src="../_images/{stem}.webp" />'
                               '</figure><img alt="Logo" src="logo.png">')
    with Image.open(tmp_path / "out" / "_images" / f"{stem}.webp") as webp, \
            Image.open(io.BytesIO(png)) as original:
        assert webp.format == "WEBP"
        assert webp.convert("RGBA").tobytes() == original.convert("RGBA").tobytes()


def test_an_image_sphinx_does_not_know_is_left_alone(tmp_path: Path) -> None:
    app, _ = _app(tmp_path, figure_to_png(_figure()))
    other = "a" * 64
    context = {"body": f'<img src="../_images/{other}.png">'}
    webp_page_figures(app, "book/page", "page.html", context, None)
    assert context["body"] == f'<img src="../_images/{other}.png">'


def test_only_pngs_with_a_twin_that_no_page_links_are_removed(tmp_path: Path) -> None:
    app, _ = _app(tmp_path, b"")
    images = Path(app.outdir) / "_images"
    images.mkdir(parents=True)
    replaced, linked, alone = ("1" * 64, "2" * 64, "3" * 64)
    for stem in (replaced, linked, alone):
        (images / f"{stem}.png").write_bytes(b"png")
    for stem in (replaced, linked):
        (images / f"{stem}.webp").write_bytes(b"webp")
    (Path(app.outdir) / "page.html").write_text(f'<a href="_images/{linked}.png">full size</a>')
    remove_replaced_pngs(app, None)
    assert sorted(p.name for p in images.iterdir()) == sorted([
        f"{replaced}.webp", f"{linked}.png", f"{linked}.webp", f"{alone}.png"])
