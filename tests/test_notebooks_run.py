"""Every notebook twin runs top to bottom the way Binder users open it.

Binder starts JupyterLab in the repository and the reader runs ``notebooks/<chapter>.ipynb``
from that folder, in a live kernel: panels then add their recompute-anything controls. The book
build never exercises that path (it executes ``book/<chapter>.md`` in batch, static mode), so
this test does: each twin, from ``notebooks/``, with live panels forced on.
"""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from lungmets.display.panels import LIVE_ENV_VAR

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
TWINS = sorted(NOTEBOOKS.glob("*.ipynb"))

pytestmark = pytest.mark.build


@pytest.mark.parametrize("twin", TWINS, ids=lambda p: p.stem)
def test_twin_runs_top_to_bottom_in_a_live_kernel(
    twin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LIVE_ENV_VAR, "live")  # the kernel inherits it, as on Binder
    notebook = nbformat.read(twin, as_version=4)
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": NOTEBOOKS}}
    )
    client.execute()
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert errors == []
