"""Spin-flip throughput of qspin's "sa" against dwave-samplers' SimulatedAnnealingSampler.

Both run the same geometric schedule (dwave-samplers' default beta range) with the same
number of reads and sweeps. "All cores": qspin uses numba threads; dwave-samplers' SA is
single-threaded per call, so its reads are split over one concurrent call per core (it
releases the GIL). "1 thread": one core each. "Whole call" is wall-clock around
``qspin.solve`` / ``sampler.sample`` (for qspin it includes recomputing every energy from the
IR); "sampling only" is each sampler's own timing of its sampling phase (qspin's
``timing["sampling_s"]``, dwave-samplers' ``timing["sampling_ns"]``, the longest of the
concurrent calls). Each is the best of ``--repeats`` interleaved repeats, because other work
on the machine inflates them; for the 1-thread runs the process CPU time is printed too,
which other work barely disturbs. Ratios are ocean-sa time / sa time.

    python benchmarks/bench_sa.py [--reads 100] [--sweeps 1000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np

import qspin
from qspin.models import edwards_anderson, sherrington_kirkpatrick
from qspin.solvers.schedules import default_beta_range

# Idle time before each timed call: numpy's BLAS threads (used by the energy recomputation
# that ends every qspin.solve) busy-wait for a while after their work and would steal a core
# from whatever runs next on a small machine.
SETTLE_SECONDS = 0.3


def run_qspin(problem, reads, sweeps, beta_range, threads, seed):
    numba.set_num_threads(threads)
    result = qspin.solve(
        problem,
        "sa",
        seed=seed,
        num_reads=reads,
        num_sweeps=sweeps,
        beta_range=beta_range,
        beta_schedule_type="geometric",
    )
    return result.info["timing"]["sampling_s"], result.energies


def run_ocean(bqm, reads, sweeps, beta_range, threads, seed):
    from dwave.samplers import SimulatedAnnealingSampler

    sampler = SimulatedAnnealingSampler()
    shares = [len(part) for part in np.array_split(np.arange(reads), threads) if len(part)]

    def call(k):
        ss = sampler.sample(
            bqm,
            num_reads=shares[k],
            num_sweeps=sweeps,
            beta_range=list(beta_range),
            beta_schedule_type="geometric",
            seed=seed + k,
        )
        return ss.info["timing"]["sampling_ns"] * 1e-9, ss.record.energy

    with ThreadPoolExecutor(len(shares)) as pool:  # concurrent calls: the sampling phases overlap
        parts = list(pool.map(call, range(len(shares))))
    return max(s for s, _ in parts), np.concatenate([e for _, e in parts])


def timed(runner, *args, **kwargs):
    time.sleep(SETTLE_SECONDS)
    wall, cpu = time.perf_counter(), time.process_time()
    sampling, energies = runner(*args, **kwargs)
    return time.perf_counter() - wall, time.process_time() - cpu, sampling, energies


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=100)
    parser.add_argument("--sweeps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    cores = numba.config.NUMBA_NUM_THREADS
    R, S = args.reads, args.sweeps
    print(
        f"qspin 'sa' vs dwave-samplers SimulatedAnnealingSampler ('ocean-sa'): {R} reads x {S} sweeps, "
        f"geometric schedule, {cores} cores, load average {os.getloadavg()[0]:.2f} before"
    )
    print(f"ocean-sa is single-threaded per call: on {cores} cores its reads are split over {cores} concurrent calls.")
    problems = [edwards_anderson((32, 32), couplings="pm1", seed=1), sherrington_kirkpatrick(256, seed=1)]
    for p in problems:  # load (or compile) the kernels outside the timings
        qspin.solve(p, "sa", seed=0, num_reads=2, num_sweeps=2)
    runs = (
        ("sa", run_qspin, cores),
        ("ocean-sa", run_ocean, cores),
        ("sa 1 thread", run_qspin, 1),
        ("ocean-sa 1 thread", run_ocean, 1),
    )
    for problem in problems:
        n = problem.num_spins
        bqm = problem.to_bqm()
        beta_range = default_beta_range(problem)
        attempts = R * S * n
        wall, cpu, samp, energies = {}, {}, {}, {}
        for rep in range(args.repeats):
            for name, runner, threads in runs:
                target = problem if runner is run_qspin else bqm
                w, c, s, e = timed(runner, target, R, S, beta_range, threads, seed=1000 * rep + 1)
                wall[name] = min(wall.get(name, np.inf), w * 1e9 / attempts)
                cpu[name] = min(cpu.get(name, np.inf), c * 1e9 / attempts)
                samp[name] = min(samp.get(name, np.inf), s * 1e9 / attempts)
                energies.setdefault(name.split()[0], []).append(np.asarray(e) / n)
        numba.set_num_threads(cores)
        print(f"\n{problem.name}: n = {n}, beta_range = ({beta_range[0]:.4g}, {beta_range[1]:.4g})")
        print("  ns per flip attempt     whole call   sampling only")
        for name, _, threads in runs:
            extra = f"   (whole call, CPU time {cpu[name]:6.2f})" if threads == 1 else ""
            print(f"  {name:<18} {wall[name]:12.2f} {samp[name]:15.2f}{extra}")
        for label, a, b in (
            (f"{cores} cores each", "ocean-sa", "sa"),
            ("1 thread each", "ocean-sa 1 thread", "sa 1 thread"),
        ):
            print(
                f"  speed-up, {label:<14} {wall[a] / wall[b]:5.2f}x whole call, {samp[a] / samp[b]:5.2f}x sampling only"
                + (f", {cpu[a] / cpu[b]:5.2f}x by CPU time" if "1 thread" in label else "")
            )
        for name in ("sa", "ocean-sa"):
            e = np.concatenate(energies[name])
            print(
                f"  mean final energy per spin, {name:<9} {e.mean():.5f} +- {e.std(ddof=1) / np.sqrt(e.size):.5f}"
                f"  (best {e.min():.5f}, {e.size} reads)"
            )
    print(f"\nload average {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
