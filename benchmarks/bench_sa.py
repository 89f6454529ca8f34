"""Spin-flip throughput of qspin's "sa" against dwave-samplers' SimulatedAnnealingSampler.

Both run the same geometric schedule (dwave-samplers' default beta range), the same number
of reads and sweeps, on every core: dwave-samplers' SA is single-threaded per call, so its
reads are split over one concurrent call per core (it releases the GIL). A single-thread
number for each is printed too. Times are the best of a few interleaved repeats, since other
work on the machine inflates them; the ratio is ocean-sa time / sa time per flip attempt.

    python benchmarks/bench_sa.py [--reads 100] [--sweeps 1000] [--repeats 3]
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
        return ss.record.energy

    tic = time.perf_counter()
    with ThreadPoolExecutor(len(shares)) as pool:
        energies = np.concatenate(list(pool.map(call, range(len(shares)))))
    return time.perf_counter() - tic, energies


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
        f"geometric schedule, {cores} cores, load average {os.getloadavg()[0]:.2f}"
    )
    print("ocean-sa is single-threaded per call: its reads are split over one concurrent call per core.")
    problems = [edwards_anderson((32, 32), couplings="pm1", seed=1), sherrington_kirkpatrick(256, seed=1)]
    qspin.solve(problems[0], "sa", seed=0, num_reads=2, num_sweeps=2)  # load the compiled kernels
    qspin.solve(problems[1], "sa", seed=0, num_reads=2, num_sweeps=2)
    for problem in problems:
        n = problem.num_spins
        bqm = problem.to_bqm()
        beta_range = default_beta_range(problem)
        attempts = R * S * n
        best = {}
        energies = {}
        for rep in range(args.repeats):
            for name, runner, target, threads in (
                ("sa", run_qspin, problem, cores),
                ("ocean-sa", run_ocean, bqm, cores),
                ("sa 1 thread", run_qspin, problem, 1),
                ("ocean-sa 1 thread", run_ocean, bqm, 1),
            ):
                seconds, e = runner(target, R, S, beta_range, threads, seed=1000 * rep + 1)
                best[name] = min(best.get(name, np.inf), seconds)
                energies.setdefault(name.split()[0], []).append(np.asarray(e) / n)
        numba.set_num_threads(cores)
        ns = {k: v * 1e9 / attempts for k, v in best.items()}
        print(f"\n{problem.name}: n = {n}, beta_range = ({beta_range[0]:.4g}, {beta_range[1]:.4g})")
        for name in ("sa", "ocean-sa", "sa 1 thread", "ocean-sa 1 thread"):
            print(f"  {name:<18} {ns[name]:7.2f} ns per flip attempt (wall time / attempts)")
        print(f"  speed-up, {cores} cores each:    {ns['ocean-sa'] / ns['sa']:5.2f}x")
        print(f"  speed-up, 1 thread each:    {ns['ocean-sa 1 thread'] / ns['sa 1 thread']:5.2f}x")
        for name in ("sa", "ocean-sa"):
            e = np.concatenate(energies[name])
            print(
                f"  mean final energy per spin, {name:<9} {e.mean():.5f} +- {e.std(ddof=1) / np.sqrt(e.size):.5f}"
                f"  (best {e.min():.5f}, {e.size} reads)"
            )


if __name__ == "__main__":
    main()
