"""The example files parse into the sweeps their comments describe."""

from pathlib import Path

from qspin.sweep import load_sweep

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_example_sweep_parses():
    sweep = load_sweep(EXAMPLES / "sweep.toml")
    labels = [b.label for b in sweep.backends]
    assert {"sa", "pt", "qaoa p=2", "warm qaoa p=2"} <= set(labels)
    warm = next(b for b in sweep.backends if b.label == "warm qaoa p=2")
    assert warm.options["warm_start"] == "sa" and warm.max_spins == 16
