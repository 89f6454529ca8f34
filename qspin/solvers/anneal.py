"""Simulated annealing ("sa"): single-spin-flip Metropolis sweeps over a beta schedule.

Each read starts from a random state (or a given one) and sweeps the spins in index order,
one beta per sweep. Reads run in parallel over the cores and in SIMD lanes within a core
(see :mod:`qspin.solvers._anneal_kernels`); read ``r`` draws from its own stream of the
master seed, so results are bit-identical whatever the number of threads. The sweeps run in
short kernel calls from Python, so Ctrl-C stops a long run within a fraction of a second.

Parameters (all optional):

* ``num_reads``: independent anneals (default 100, or one per row of ``initial_states``).
* ``num_sweeps``: sweeps per read (default 1000, or ``len(beta_schedule)`` for "custom").
* ``beta_range``: ``(beta_hot, beta_cold)``, default chosen from the couplings as
  dwave-samplers does (:func:`qspin.solvers.schedules.default_beta_range`). A constant
  schedule is ``(b, b)``.
* ``beta_schedule_type``: "geometric" (default), "linear" or "custom".
* ``beta_schedule``: for "custom", one beta >= 0 per sweep.
* ``initial_states``: ``(num_reads, n)`` array of +-1, or None for uniform random states.
* ``progress``: show a progress bar (None: only on a terminal).
"""

from __future__ import annotations

import math
import time
from functools import partial
from numbers import Integral

import numba
import numpy as np

from qspin.errors import ParameterError, ProblemError
from qspin.problem import IsingProblem
from qspin.progress import check_progress
from qspin.progress import progress as progress_bar
from qspin.solvers import _anneal_kernels as K
from qspin.solvers._rng import stream_states
from qspin.solvers.base import Backend, Samples
from qspin.solvers.schedules import SCHEDULE_TYPES, beta_schedule, check_beta_range, check_custom_schedule
from qspin.solvers.schedules import default_beta_range as _default_beta_range

__all__ = ["SABackend", "anneal"]

DEFAULT_NUM_READS = 100
DEFAULT_NUM_SWEEPS = 1000
BLOCK_SECONDS = 0.05  # target duration of one kernel call (Ctrl-C and progress act between calls)
STATE_BYTES = 256 * 2**20  # at most this much spin + field state at once; more reads run in batches
DENSE_MAX_SPINS = 4096  # the dense kernel stores J as an (n, n) float64 matrix
DENSE_MIN_DEGREE = 0.5  # ... and is used when the mean degree is at least this fraction of n (measured crossover)
DENSE_MAX_LANES = 32  # smaller groups keep a group's (lanes, n) fields near the core (measured: better on 2 cores)


def _check_count(params, key, default):
    value = params[key]
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ParameterError(f"{key} must be a positive integer, got {value!r}")
    return int(value)


class SABackend(Backend):
    name = "sa"
    summary = (
        "simulated annealing: Metropolis sweeps on a geometric/linear/custom beta schedule (numba, SIMD, parallel)"
    )
    parameters = {
        "num_reads": None,
        "num_sweeps": None,
        "beta_range": None,
        "beta_schedule_type": "geometric",
        "beta_schedule": None,
        "initial_states": None,
        "progress": None,
    }
    packages = ("numba",)

    def check_parameters(self, problem: IsingProblem, params: dict) -> dict:
        p = dict(params)
        kind = p["beta_schedule_type"]
        if kind not in SCHEDULE_TYPES:
            raise ParameterError(
                f"beta_schedule_type must be one of {', '.join(map(repr, SCHEDULE_TYPES))}, got {kind!r}"
            )

        initial = p["initial_states"]
        if initial is not None:
            try:
                initial = problem.check_spins(initial, what="initial_states")
            except ProblemError as exc:
                raise ParameterError(f"{exc} (one row of +-1 per read)") from None
        p["num_reads"] = _check_count(p, "num_reads", DEFAULT_NUM_READS if initial is None else initial.shape[0])
        if initial is not None and initial.shape[0] != p["num_reads"]:
            raise ParameterError(
                f"initial_states has {initial.shape[0]} rows but num_reads = {p['num_reads']}; "
                "give one initial state per read (or leave num_reads out)"
            )
        p["initial_states"] = initial

        if kind == "custom":
            schedule = check_custom_schedule(p["beta_schedule"])
            if p["beta_range"] is not None:
                raise ParameterError(
                    "beta_range and a custom beta_schedule both set the betas; pass only beta_schedule"
                )
            p["num_sweeps"] = _check_count(p, "num_sweeps", schedule.size)
            if p["num_sweeps"] != schedule.size:
                raise ParameterError(
                    f"num_sweeps = {p['num_sweeps']} but the custom beta_schedule has {schedule.size} "
                    "betas (one per sweep); leave num_sweeps out"
                )
            p["beta_schedule"] = schedule
        else:
            if p["beta_schedule"] is not None:
                raise ParameterError(
                    f"beta_schedule is only used with beta_schedule_type='custom' (got {kind!r}); "
                    "pass beta_schedule_type='custom' or leave beta_schedule out"
                )
            p["num_sweeps"] = _check_count(p, "num_sweeps", DEFAULT_NUM_SWEEPS)
            if p["beta_range"] is None:
                p["beta_range"] = _default_beta_range(problem)
            p["beta_range"] = list(check_beta_range(p["beta_range"]))

        p["progress"] = check_progress(p["progress"])
        return p

    def sample(self, problem: IsingProblem, *, seed: int, **params) -> Samples:
        p = self.check_parameters(problem, {**self.parameters, **params})
        kind = p["beta_schedule_type"]
        betas = p["beta_schedule"] if kind == "custom" else beta_schedule(kind, p["beta_range"], p["num_sweeps"])
        spins, stats = anneal(
            problem, betas, p["num_reads"], seed, initial_states=p["initial_states"], progress=p["progress"]
        )
        sampling_s = stats.pop("sampling_s")
        attempts = p["num_reads"] * problem.num_spins * betas.size
        info = {
            "beta_range": [float(betas[0]), float(betas[-1])] if kind == "custom" else p["beta_range"],
            "beta_schedule_type": kind,
            "num_sweeps": int(betas.size),
            **stats,
        }
        timing = {"sampling_s": sampling_s, "ns_per_flip_attempt": sampling_s * 1e9 / attempts if attempts else 0.0}
        return Samples(spins, info=info, timing=timing)


def _layout(num_reads: int, threads: int, lanes: int | None, max_lanes: int = K.MAX_LANES) -> tuple[int, int]:
    """``(groups, lanes)``: the number of SIMD groups and the reads (lanes) in each.

    Each thread takes whole groups, so the groups are a multiple of the thread count, as few
    as fit in ``max_lanes`` lanes each. The kernels' lane loops run 4 lanes per SIMD step, so
    the lanes are rounded up to a multiple of 4 and the last group is padded with spare lanes.
    """
    if lanes is None:
        groups = threads * math.ceil(num_reads / (threads * max_lanes))
        lanes = math.ceil(num_reads / groups)
        if lanes > 4:
            lanes = 4 * math.ceil(lanes / 4)
    if not 1 <= lanes <= K.MAX_LANES:
        raise ParameterError(f"lanes must be in 1..{K.MAX_LANES}, got {lanes}")
    return math.ceil(num_reads / lanes), lanes


def anneal(
    problem: IsingProblem,
    betas: np.ndarray,
    num_reads: int,
    seed: int,
    *,
    initial_states=None,
    progress=None,
    lanes: int | None = None,
    block_sweeps: int | None = None,
    kernel: str | None = None,
) -> tuple[np.ndarray, dict]:
    """Anneal ``num_reads`` reads through ``betas`` (one per sweep); return spins (R, n) int8 and stats.

    ``lanes`` (reads per SIMD group), ``block_sweeps`` (sweeps per kernel call, adaptive when
    None) and ``kernel`` ("sparse" or "dense", by density when None) change only speed, never
    the result: read ``r`` depends on ``seed``, ``r``, its initial state and ``betas`` alone.
    """
    import scipy.sparse as sp

    betas = np.ascontiguousarray(betas, dtype=np.float64)
    n, R = problem.num_spins, int(num_reads)
    threads = numba.get_num_threads()
    if kernel is None:
        dense = 2 <= n <= DENSE_MAX_SPINS and 2 * problem.num_couplings >= DENSE_MIN_DEGREE * n * n
        kernel = "dense" if dense else "sparse"
    stats = {"kernel": kernel, "threads": threads, "lanes": 0, "sampling_s": 0.0}
    if n == 0 or R == 0:
        return np.zeros((R, n), dtype=np.int8), stats

    groups, W = _layout(R, threads, lanes, K.MAX_LANES if kernel == "sparse" else DENSE_MAX_LANES)
    per_batch = max(1, STATE_BYTES // (16 * n * W)) * W  # reads per batch, a multiple of the lanes
    stats["lanes"] = W
    streams = stream_states(seed, groups * W)  # stream r for read r; padding lanes use the ones after R
    h = np.ascontiguousarray(problem.h)
    indptr, indices, data = problem.csr
    adjacency = sp.csr_array((data, indices, indptr), shape=(n, n))  # symmetric: J_ij at (i, j) and (j, i)
    if kernel == "dense":
        run = partial(K.anneal_dense, np.ascontiguousarray(problem.to_dense()))
    else:
        run = partial(K.anneal_sparse, indptr, indices, data)
    out = np.empty((R, n), dtype=np.int8)
    t_start = time.perf_counter()
    with progress_bar(f"sa n={n}", math.ceil(R / per_batch) * betas.size, enabled=progress) as advance:
        for first in range(0, R, per_batch):
            rows = min(per_batch, R - first)
            G = math.ceil(rows / W)
            rng = streams[first : first + G * W].copy()
            spins = np.ones((G * W, n), dtype=np.int8)
            if initial_states is None:
                K.random_spins(spins, rng)
            else:
                spins[:rows] = initial_states[first : first + rows]
            fields = np.ascontiguousarray(spins.astype(np.float64) @ adjacency) + h  # h_i + sum_j J_ij s_j
            state = [spins.reshape(G, W, n), fields.reshape(G, W, n), rng.reshape(G, W, 4).transpose(0, 2, 1)]
            if kernel == "sparse":  # a spin's lanes contiguous, (G, n, W), spins as +-1.0 (no int8 casts in SIMD)
                state[:2] = [a.transpose(0, 2, 1) for a in state[:2]]
                state[0] = state[0].astype(np.float64)
            state = [np.ascontiguousarray(a) for a in state]
            _run_blocks(run, betas, state, block_sweeps, advance)
            final = state[0] if kernel == "dense" else state[0].transpose(0, 2, 1)
            out[first : first + rows] = final.reshape(G * W, n)[:rows]
    stats["sampling_s"] = time.perf_counter() - t_start
    return out, stats


def _run_blocks(run, betas: np.ndarray, state, block_sweeps: int | None, advance) -> None:
    """Call ``run(betas[t0:t1], *state)`` on consecutive blocks of about BLOCK_SECONDS each."""
    t0, block = 0, block_sweeps or 1
    while t0 < betas.size:
        t1 = min(betas.size, t0 + block)
        tic = time.perf_counter()
        run(betas[t0:t1], *state)
        elapsed = time.perf_counter() - tic
        advance(t1 - t0)
        if block_sweeps is None:  # grow at most 4x per call; the first call may include loading the kernels
            block = max(1, min(4 * block, int(block * BLOCK_SECONDS / max(elapsed, 1e-6))))
        t0 = t1
