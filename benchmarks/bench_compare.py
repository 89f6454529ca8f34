"""What the compare harness costs beyond the solvers, and how a sweep scales from 1 to 2 workers.

1. Overhead per row: a sweep of fast rows ("sa", SK n = 16) runs once to load kernels and store
   the ground truths; then new seeds run, and the harness overhead is the sweep's elapsed time
   minus the backends' own wall time, per row (inline, with and without a store). The
   worker-side share (``overhead_time`` column: solve's bookkeeping, energy recomputation, result
   packing) is printed next to it.
2. Scaling: independent rows of about ``--row-seconds`` each (single-threaded "sa") on a process
   pool of 1 and of 2 workers, both already started; ratio = time(1) / time(2), ideally 2. The same
   rows as bare ``qspin.solve`` calls on the 2-worker pool show what the machine itself allows.

    python benchmarks/bench_compare.py             # 48 overhead rows, 16 rows of ~0.4 s for scaling
    python benchmarks/bench_compare.py --quick     # smaller, for a smoke test
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from qspin.compare import compare
from qspin.metrics import ground_truth
from qspin.models import sherrington_kirkpatrick

FAST = ("sa", {"num_reads": 8, "num_sweeps": 50})


def overhead(rows: int, store: Path | None) -> tuple[float, float]:
    """(end-to-end harness overhead per row, worker-side share per row), seconds."""
    problems = [sherrington_kirkpatrick(16, seed=s) for s in range(4)]
    compare(problems, [FAST], seeds=[1000, 1001], store=store, workers=1)  # kernels, ground truths
    t_truth = 0.0
    if store is None:  # without a store every call recomputes the ground truths: time them apart
        t0 = time.perf_counter()
        for p in problems:
            ground_truth(p)
        t_truth = time.perf_counter() - t0
    t0 = time.perf_counter()
    df = compare(problems, [FAST], seeds=max(1, rows // len(problems)), store=store, workers=1, warmup=False)
    elapsed = time.perf_counter() - t0
    return (elapsed - t_truth - df["wall_time"].sum()) / len(df), float(df["overhead_time"].mean())


def _start(_):
    """Start a pool worker: imports and the SA kernels load before timing."""
    import qspin

    qspin.solve(sherrington_kirkpatrick(8, seed=0), "sa", seed=0, num_reads=4, num_sweeps=10)
    return os.getpid()


def _bare(args):
    """One row without the harness: set one thread and solve."""
    import numba

    import qspin

    problem, sweeps = args
    numba.set_num_threads(1)
    qspin.solve(problem, "sa", seed=0, num_reads=4, num_sweeps=sweeps)


def bare_pool(rows: int, sweeps: int) -> float:
    """Seconds for the same rows as plain qspin.solve calls on a started pool of 2 (no harness)."""
    problems = [sherrington_kirkpatrick(64, seed=s) for s in range(rows)]
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        list(pool.map(_start, range(2)))
        t0 = time.perf_counter()
        list(pool.map(_bare, [(p, sweeps) for p in problems]))
        return time.perf_counter() - t0


def scaling(rows: int, sweeps: int) -> tuple[float, float]:
    """Seconds for the same independent rows on a started pool of 1 and of 2 workers."""
    import qspin

    problems = [sherrington_kirkpatrick(64, seed=s) for s in range(rows)]
    backend = [("sa", {"num_reads": 4, "num_sweeps": sweeps})]
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            store = Path(tmp) / f"w{workers}.db"
            with qspin.JobStore(store) as db:  # a reference energy, so no ground-truth work is timed
                for p in problems:
                    e = qspin.solve(p, "sa", seed=1, num_reads=8, num_sweeps=200).best_energy
                    db.set_ground_truth(p, e, "best-known", source="benchmark")
            with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
                list(pool.map(_start, range(workers)))
                t0 = time.perf_counter()
                compare(problems, backend, store=store, executor=pool, threads=1, warmup=False)
                times.append(time.perf_counter() - t0)
    return times[0], times[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--row-seconds", type=float, default=0.4)
    args = parser.parse_args()
    rows = 16 if args.quick else 48
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"\n1. harness overhead per row ({rows} rows of 'sa', SK n=16, inline)")
    with tempfile.TemporaryDirectory() as tmp:
        for label, store in (("no store", None), ("SQLite store", Path(tmp) / "bench.db")):
            total, worker = overhead(rows, store)
            print(
                f"   {label:13s} {1e3 * total:7.2f} ms per row end to end, {1e3 * worker:6.2f} ms of it in the worker"
            )

    # calibrate: one single-threaded row of about --row-seconds
    import numba

    numba.set_num_threads(1)
    probe = sherrington_kirkpatrick(64, seed=0)
    import qspin

    qspin.solve(probe, "sa", seed=0, num_reads=4, num_sweeps=100)
    t0 = time.perf_counter()
    qspin.solve(probe, "sa", seed=0, num_reads=4, num_sweeps=2000)
    sweeps = max(100, int(2000 * args.row_seconds / (time.perf_counter() - t0)))
    n_rows = 8 if args.quick else 16
    print(f"\n2. scaling: {n_rows} independent rows of ~{args.row_seconds} s ('sa', {sweeps} sweeps, 1 thread each)")
    one, two = scaling(n_rows, sweeps)
    print(f"   1 worker  {one:6.2f} s")
    print(f"   2 workers {two:6.2f} s   speed-up {one / two:.2f}x (ideal 2.00x)")
    bare = bare_pool(n_rows, sweeps)
    print(f"   the same rows as bare qspin.solve calls on 2 workers: {bare:.2f} s (harness / bare {two / bare:.2f})")


if __name__ == "__main__":
    main()
