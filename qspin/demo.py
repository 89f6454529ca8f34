"""`make demo`: compare every backend on a few SK and EA instances, print the table, write the plots.

Runs :func:`qspin.compare` over SK (n = 8..24) and 2D +-J EA (4x4..6x6) instances with exact, sa, pt,
sqa, ocean-sa, dwave (which falls back to ocean-sa without credentials), dwave-mock and, when
registered, qaoa and qaoa-ibm (small instances, several depths). E_0 is exact up to 32 spins; the
6x6 lattices (36 spins) get a best-known E_0 from long PT runs. Results go to a fresh store
``demo-output/demo.db``; the plots to ``demo-output/*.png``. A few minutes on two cores.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

OUTPUT = Path("demo-output")
SEEDS = 3

# Settings that keep each row to a fraction of a second on one core.
CLASSICAL = [  # (name, options, largest n): exact enumeration costs ~2^n, so it stops at 25 spins
    ("exact", {}, 25),
    ("sa", {"num_reads": 100, "num_sweeps": 1000}, None),
    ("pt", {"num_reads": 2, "num_sweeps": 2000}, None),
    ("sqa", {"num_reads": 16, "num_sweeps": 500}, None),
    ("ocean-sa", {"num_reads": 100, "num_sweeps": 1000}, None),
    ("dwave", {"num_reads": 100}, None),
    ("dwave-mock", {"num_reads": 100}, None),
]
QAOA_DEPTHS = {"qaoa": ((1, 2, 3), 12), "qaoa-ibm": ((1, 2), 8)}  # depths and the largest n they run on


def problems():
    from qspin.models import edwards_anderson, sherrington_kirkpatrick

    sk = [sherrington_kirkpatrick(n, seed=s) for n in (8, 12, 16, 20, 24) for s in (1, 2)]
    ea = [edwards_anderson((L, L), couplings="pm1", seed=s) for L in (4, 5, 6) for s in (1, 2)]
    return sk + ea


def backends():
    """The demo's backend settings; QAOA ones only when those backends are registered."""
    from qspin.compare_results import DEPTH_KEYS
    from qspin.solvers.registry import get_backend, list_backends
    from qspin.sweep import BackendSpec

    specs = [BackendSpec(name, options, max_spins=max_spins) for name, options, max_spins in CLASSICAL]
    available = list_backends()
    for name, (depths, max_spins) in QAOA_DEPTHS.items():
        if name not in available:
            continue
        try:
            params = get_backend(name).parameters
        except ImportError:
            continue
        key = next((k for k in DEPTH_KEYS if k in params), None)
        if key is None:
            specs.append(BackendSpec(name, max_spins=max_spins))
            continue
        specs.extend(BackendSpec(name, {key: p}, f"{name}[{key}={p}]", max_spins) for p in depths)
    return specs


def main() -> int:
    from rich.console import Console

    import qspin.compare as qc
    from qspin.cli import summary_table
    from qspin.plot import save_all

    console = Console(width=None if sys.stdout.isatty() else 160)
    OUTPUT.mkdir(exist_ok=True)
    db = OUTPUT / "demo.db"
    for suffix in ("", "-wal", "-shm"):  # a fresh store, so the demo really runs
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    specs = backends()
    console.print(f"qspin demo: {len(problems())} instances x {len(specs)} backend settings x {SEEDS} seeds")
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = qc.compare(problems(), specs, seeds=SEEDS, store=db)
    elapsed = time.perf_counter() - t0
    summary = qc.summarize(df)
    console.print(summary_table(summary, title="qspin demo: which backend reaches E_0, how closely, at what cost"))
    for message in dict.fromkeys(str(w.message) for w in caught):
        console.print(f"[yellow]note: {message}")
    paths = save_all(df, OUTPUT)
    done = df[df["status"] == "done"]
    console.print(
        f"{len(df)} rows in {elapsed:.1f} s; harness overhead {1e3 * done['overhead_time'].mean():.2f} ms per row "
        f"(mean, in the worker, beyond the backend's own wall time)"
    )
    console.print(f"store: {db}  (replot with: qspin plot --store {db} -o {OUTPUT})")
    console.print("plots: " + ", ".join(str(p) for p in paths))
    return 0 if (df["status"] == "done").all() else 1


if __name__ == "__main__":
    sys.exit(main())
