"""The README's Python examples run as written (in order, in one namespace, in a scratch folder)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_examples():
    assert len(_blocks()) >= 3


@pytest.mark.slow
@pytest.mark.usefixtures("isolated_dwave_config")
def test_readme_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QSPIN_PROGRESS", "0")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace: dict = {}
    for k, block in enumerate(_blocks(), 1):
        exec(compile(block, f"README.md python block {k}", "exec"), namespace)
    # the examples' claims hold: the QAOA engines agree, and the comparison wrote its store and plots
    from qspin import qaoa

    p, angles = namespace["p"], namespace["angles"]
    ours = qaoa.expectation(p, angles.gammas, angles.betas)
    assert ours == pytest.approx(qaoa.expectation(p, angles.gammas, angles.betas, engine="aer"), abs=1e-8)
    assert (tmp_path / "runs.db").exists() and (tmp_path / "ea16.json").exists()
    assert list((tmp_path / "plots").glob("*.png"))
