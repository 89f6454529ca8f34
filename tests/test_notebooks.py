"""Every notebook in notebooks/ runs top to bottom in fast mode (QSPIN_NOTEBOOK_FAST=1).

The notebooks are executed in memory on a fresh kernel and never written back, so the committed
outputs (from a full run) stay as they are. A cell that raises fails the test with the cell's
traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
CELL_TIMEOUT_S = 300


def _execute(nb, cwd: Path):
    client = NotebookClient(
        nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    )
    return client.execute()


@pytest.fixture
def fast_mode(monkeypatch):
    """The kernel inherits this environment: fast sizes, no progress bars, a non-interactive backend."""
    monkeypatch.setenv("QSPIN_NOTEBOOK_FAST", "1")
    monkeypatch.setenv("QSPIN_PROGRESS", "0")
    monkeypatch.setenv("MPLBACKEND", "Agg")


def test_notebooks_exist():
    assert sorted(NOTEBOOKS.glob("*.ipynb")), f"no notebooks in {NOTEBOOKS}"


@pytest.mark.slow
def test_kernel_runs_this_interpreter(fast_mode, tmp_path):
    """nbclient's "python3" kernel must be the test interpreter (the venv), not a system Python."""
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import os, sys; print(sys.executable); print(os.environ['QSPIN_NOTEBOOK_FAST'])")
        ]
    )
    out = _execute(nb, tmp_path).cells[0].outputs[0]["text"].split()
    assert Path(out[0]).resolve() == Path(sys.executable).resolve()
    assert out[1] == "1"


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_runs_in_fast_mode(path, fast_mode):
    nb = nbformat.read(path, as_version=4)
    before = path.stat().st_mtime_ns
    _execute(nb, NOTEBOOKS)  # raises CellExecutionError (with the traceback) if any cell fails
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, f"{path.name}: {errors[0]['ename']}: {errors[0]['evalue']}"
    assert path.stat().st_mtime_ns == before, f"{path.name} was modified by the test run"
    assert os.environ["QSPIN_NOTEBOOK_FAST"] == "1"


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_committed_outputs_keep_their_figures(path):
    """Every code cell that draws (plt.show(), display(fig), or a qspin.plot figure as its value)
    carries a PNG in the committed outputs. A re-run under a non-interactive backend
    (MPLBACKEND=Agg) silently drops them, and plt.show() never shows qspin.plot's figures."""
    nb = nbformat.read(path, as_version=4)
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        last = cell.source.strip().splitlines()[-1] if cell.source.strip() else ""
        draws = "plt.show()" in cell.source or "display(fig" in cell.source or last.startswith("qspin.plot.")
        if draws:
            pngs = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
            assert pngs, f"{path.name} cell {k} draws a figure but its committed output has no image"
