"""`make demo`: solve an SK and an EA instance with every registered backend and print a table."""

from __future__ import annotations

import sys
import time

from qspin.errors import QspinError
from qspin.models import edwards_anderson, sherrington_kirkpatrick
from qspin.solvers.registry import list_backends, solve

# Settings that keep the demo to seconds per backend; backends not listed run with defaults.
DEMO_PARAMS: dict[str, dict] = {
    "sa": {"num_reads": 64, "num_sweeps": 1000},
    "pt": {"num_reads": 2, "num_sweeps": 2000},
    "sqa": {"num_reads": 16, "num_sweeps": 500},
    "ocean-sa": {"num_reads": 64, "num_sweeps": 1000},
    "ocean-tabu": {"num_reads": 8},
    "ocean-greedy": {"num_reads": 64},
}


def main() -> int:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 150)
    problems = [sherrington_kirkpatrick(20, seed=1), edwards_anderson((5, 5), couplings="gaussian", seed=2)]
    table = Table(title="qspin demo: ground-state search, energies recomputed from the IR")
    for col in ("problem", "n", "backend", "best energy", "exact E0", "residual / spin", "p(ground)", "wall s"):
        table.add_column(col, justify="left" if col in ("problem", "backend") else "right")
    for problem in problems:
        e0 = solve(problem, "exact", seed=0).best_energy
        for name in list_backends():
            t0 = time.perf_counter()
            try:
                ss = solve(problem, name, seed=7, **DEMO_PARAMS.get(name, {}))
            except (QspinError, ImportError) as exc:
                table.add_row(problem.name, str(problem.num_spins), name, f"[red]unavailable: {exc}", "", "", "", "")
                continue
            wall = time.perf_counter() - t0
            residual = (ss.best_energy - e0) / problem.num_spins
            table.add_row(
                problem.name,
                str(problem.num_spins),
                name,
                f"{ss.best_energy:.4f}",
                f"{e0:.4f}",
                f"{residual:.2e}",
                f"{ss.fraction_at_or_below(e0):.3f}",
                f"{wall:.2f}",
            )
        table.add_section()
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
