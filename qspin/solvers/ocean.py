"""Thin adapters over D-Wave's classical samplers in ``dwave-samplers`` (Ocean).

``"ocean-sa"`` (SimulatedAnnealingSampler), ``"ocean-tabu"`` (TabuSampler), ``"ocean-greedy"``
(SteepestDescentSolver) and :class:`OceanPIMCBackend` (PathIntegralAnnealingSampler). Each
converts the problem with :meth:`IsingProblem.to_bqm`, runs the sampler and maps the returned
samples back to spin order 0..n-1 through the problem's labels. Parameters that mean the same
thing as in qspin's own solvers have the same names. ``dwave.samplers`` is imported only when a
sample is drawn.

Seeds: the vendor samplers take 32-bit seeds (SA and PIMC in fact refuse seeds >= 2^31), so
the vendor seed is derived from qspin's master seed by :func:`vendor_seed`. Missing initial
states are drawn by qspin from the master seed, so every run is reproducible, except tabu
runs that stop on ``timeout`` (wall-clock) rather than on ``num_restarts``.
"""

from __future__ import annotations

import math
import time
from numbers import Integral, Real

import numpy as np

from qspin.errors import MissingDependencyError, ParameterError, ProblemError
from qspin.problem import IsingProblem
from qspin.solvers.base import Backend, Samples
from qspin.solvers.schedules import check_custom_schedule

__all__ = ["OceanGreedyBackend", "OceanPIMCBackend", "OceanSABackend", "OceanTabuBackend", "vendor_seed"]

INSTALL_HINT = "install it with `pip install dwave-samplers` (it comes with dwave-ocean-sdk)"


def _samplers():
    try:
        import dwave.samplers
    except ImportError as exc:
        raise MissingDependencyError(
            f"the Ocean backends need dwave-samplers, which failed to import ({exc}); {INSTALL_HINT}"
        ) from None
    return dwave.samplers


def vendor_seed(seed: int, salt: int = 0) -> int:
    """A seed in [0, 2^31) for a vendor sampler, derived deterministically from qspin's seed."""
    return int(np.random.SeedSequence([int(seed), 0x0CEA, int(salt)]).generate_state(1, np.uint32)[0] >> np.uint32(1))


# --- parameter checks -----------------------------------------------------------------------


def _int(value, key, low, *, optional=False):
    if optional and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        raise ParameterError(f"{key} must be an integer >= {low}{' or None' if optional else ''}, got {value!r}")
    return int(value)


def _beta_range(value):
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise ParameterError(f"beta_range must be None or a pair (hot, cold) of positive numbers, got {value!r}")
    out = []
    for k, b in enumerate(value):
        if isinstance(b, bool) or not isinstance(b, Real) or not (math.isfinite(b) and b > 0):
            raise ParameterError(f"beta_range[{k}] must be a positive finite number, got {b!r}")
        out.append(float(b))
    return tuple(out)


def _initial_states(problem: IsingProblem, value, num_reads: int):
    """Validate ``initial_states`` ((k, n) or (n,) of +-1, k <= num_reads) as an int8 array, or None."""
    if value is None:
        return None
    try:
        arr = np.asarray(value)
        if arr.ndim == 1:
            arr = arr[None, :]
        states = problem.check_spins(arr, what="initial_states")
    except ProblemError as exc:
        raise ParameterError(str(exc)) from None
    if states.shape[0] == 0 or states.shape[0] > num_reads:
        raise ParameterError(f"initial_states has {states.shape[0]} rows; give between 1 and num_reads = {num_reads}")
    return states


def _complete_states(problem: IsingProblem, states, num_reads: int, seed: int) -> np.ndarray:
    """``num_reads`` initial states: the given rows, then uniform random rows drawn from ``seed``."""
    n = problem.num_spins
    have = 0 if states is None else states.shape[0]
    rng = np.random.default_rng([int(seed), 0x1A17])
    extra = (1 - 2 * rng.integers(0, 2, size=(num_reads - have, n))).astype(np.int8)
    return extra if states is None else np.concatenate([states, extra])


# --- running a sampler ----------------------------------------------------------------------


def _jsonable(obj):
    """A JSON-friendly copy of a sampler's info (numpy to Python; anything else to its repr)."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    return repr(obj)


def _labels(problem: IsingProblem) -> list:
    return list(problem.labels) if problem.labels is not None else list(range(problem.num_spins))


def _run(problem: IsingProblem, sampler, num_reads: int, initial, **kwargs) -> Samples:
    """Sample ``problem.to_bqm()`` with ``sampler`` and map the rows back to spin order 0..n-1."""
    labels = _labels(problem)
    n = problem.num_spins
    if n == 0:
        return Samples(np.zeros((num_reads, 0), dtype=np.int8), info={"sampler": type(sampler).__name__})
    bqm = problem.to_bqm()
    if initial is not None:
        kwargs.update(initial_states=(initial, labels), initial_states_generator="none")
    t0 = time.perf_counter()
    sampleset = sampler.sample(bqm, num_reads=num_reads, **kwargs)
    wall = time.perf_counter() - t0

    index = {v: c for c, v in enumerate(sampleset.variables)}
    columns = np.array([index[v] for v in labels], dtype=np.int64)
    record = sampleset.record
    spins = np.ascontiguousarray(record.sample[:, columns], dtype=np.int8)
    counts = np.asarray(record.num_occurrences, dtype=np.int64)
    info = _jsonable(dict(sampleset.info))
    vendor_timing = info.pop("timing", None) or {}
    timing = {"sampling_s": wall}
    for key, value in vendor_timing.items():  # the samplers report nanoseconds as "<phase>_ns"
        if key.endswith("_ns") and isinstance(value, (int, float)):
            timing[f"vendor_{key[:-3]}_s"] = value * 1e-9
    extra = [f for f in record.dtype.names if f not in ("sample", "energy", "num_occurrences")]
    for f in extra:  # per-read vectors such as tabu's num_restarts or greedy's num_steps, summarised
        v = np.asarray(record[f], dtype=np.float64)
        info[f] = {"min": float(v.min()), "mean": float(v.mean()), "max": float(v.max())}
    return Samples(spins, counts=counts, info={"sampler": type(sampler).__name__, "sampler_info": info}, timing=timing)


# --- the adapters ---------------------------------------------------------------------------


class OceanSABackend(Backend):
    """dwave-samplers' SimulatedAnnealingSampler (C++ Metropolis SA).

    Parameters, named as in qspin's "sa": ``num_reads``; ``num_sweeps`` (default 1000, or
    ``len(beta_schedule)``); ``beta_range`` ((hot, cold) inverse temperatures, None for the
    sampler's default from the problem's biases); ``beta_schedule_type`` ("geometric",
    "linear" or "custom"); ``beta_schedule`` (the betas, one per sweep, with "custom");
    ``initial_states`` ((k, n) of +-1 in spin order, k <= num_reads; the other reads start at
    random states drawn from the seed).
    """

    name = "ocean-sa"
    summary = "dwave-samplers SimulatedAnnealingSampler (C++ simulated annealing)"
    parameters = {
        "num_reads": 10,
        "num_sweeps": None,
        "beta_range": None,
        "beta_schedule_type": "geometric",
        "beta_schedule": None,
        "initial_states": None,
    }
    packages = ("dwave-samplers", "dimod")

    def check_parameters(self, problem, params):
        p = dict(params)
        p["num_reads"] = _int(p["num_reads"], "num_reads", 1)
        p["num_sweeps"] = _int(p["num_sweeps"], "num_sweeps", 1, optional=True)
        p["beta_range"] = _beta_range(p["beta_range"])
        kind = p["beta_schedule_type"]
        if not isinstance(kind, str) or kind not in ("geometric", "linear", "custom"):
            raise ParameterError(f"beta_schedule_type must be 'geometric', 'linear' or 'custom', got {kind!r}")
        if kind == "custom":
            p["beta_schedule"] = check_custom_schedule(p["beta_schedule"])
            if p["beta_range"] is not None:
                raise ParameterError(
                    "beta_range and a custom beta_schedule both set the betas; pass only beta_schedule"
                )
            if p["num_sweeps"] is not None and p["num_sweeps"] != p["beta_schedule"].size:
                raise ParameterError(
                    f"num_sweeps = {p['num_sweeps']} but beta_schedule has {p['beta_schedule'].size} betas "
                    "(one per sweep); leave num_sweeps as None"
                )
            p["num_sweeps"] = int(p["beta_schedule"].size)
        else:
            if p["beta_schedule"] is not None:
                raise ParameterError(f"beta_schedule is only used with beta_schedule_type='custom' (got {kind!r})")
            if p["num_sweeps"] is None:
                p["num_sweeps"] = 1000
        p["initial_states"] = _initial_states(problem, p["initial_states"], p["num_reads"])
        return p

    def sample(
        self, problem, *, seed, num_reads, num_sweeps, beta_range, beta_schedule_type, beta_schedule, initial_states
    ) -> Samples:
        sampler = _samplers().SimulatedAnnealingSampler()
        initial = _complete_states(problem, initial_states, num_reads, seed)
        if beta_schedule_type == "custom":
            kwargs = {"beta_schedule": beta_schedule}
        else:
            kwargs = {"num_sweeps": num_sweeps, "beta_range": beta_range}
        out = _run(
            problem,
            sampler,
            num_reads,
            initial,
            beta_schedule_type=beta_schedule_type,
            seed=vendor_seed(seed),
            **kwargs,
        )
        if beta_schedule_type == "custom":
            out.info["beta_range"] = [float(beta_schedule[0]), float(beta_schedule[-1])]
        else:
            out.info["beta_range"] = out.info.get("sampler_info", {}).get("beta_range", beta_range)
        return out


class OceanTabuBackend(Backend):
    """dwave-samplers' TabuSampler (multistart tabu search, C++).

    Parameters: ``num_reads``; ``timeout`` (milliseconds per read, or None for no time limit);
    ``num_restarts`` (restarts per read; None is the sampler's 1,000,000, allowed only with a
    timeout); ``tenure`` (tabu list length, None for min(20, n // 4)); ``initial_states``.
    A run that ends on ``timeout`` depends on the machine's speed; for reproducible results
    set ``timeout=None`` and a small ``num_restarts``.
    """

    name = "ocean-tabu"
    summary = "dwave-samplers TabuSampler (multistart tabu search)"
    parameters = {"num_reads": 10, "timeout": 20, "num_restarts": None, "tenure": None, "initial_states": None}
    packages = ("dwave-samplers", "dimod")

    def check_parameters(self, problem, params):
        p = dict(params)
        p["num_reads"] = _int(p["num_reads"], "num_reads", 1)
        p["timeout"] = _int(p["timeout"], "timeout", 1, optional=True)
        p["num_restarts"] = _int(p["num_restarts"], "num_restarts", 0, optional=True)
        if p["timeout"] is None and p["num_restarts"] is None:
            raise ParameterError(
                "timeout=None runs until num_restarts restarts; set num_restarts as well "
                "(the sampler's default of 1,000,000 would take hours)"
            )
        n = problem.num_spins
        if p["tenure"] is not None:
            p["tenure"] = _int(p["tenure"], "tenure", 0)
            if n and p["tenure"] >= n:
                raise ParameterError(f"tenure must be below the number of spins ({n}), got {p['tenure']}")
        p["initial_states"] = _initial_states(problem, p["initial_states"], p["num_reads"])
        return p

    def sample(self, problem, *, seed, num_reads, timeout, num_restarts, tenure, initial_states) -> Samples:
        sampler = _samplers().TabuSampler()
        initial = _complete_states(problem, initial_states, num_reads, seed)
        kwargs = {"timeout": timeout, "tenure": tenure, "seed": vendor_seed(seed)}
        if num_restarts is not None:
            kwargs["num_restarts"] = num_restarts
        return _run(problem, sampler, num_reads, initial, **kwargs)


class OceanGreedyBackend(Backend):
    """dwave-samplers' SteepestDescentSolver: steepest descent to a local minimum from each start.

    Parameters: ``num_reads``; ``initial_states`` (the other reads start at random states drawn
    from the seed).
    """

    name = "ocean-greedy"
    summary = "dwave-samplers SteepestDescentSolver (steepest descent from random or given states)"
    parameters = {"num_reads": 10, "initial_states": None}
    packages = ("dwave-samplers", "dimod")

    def check_parameters(self, problem, params):
        p = dict(params)
        p["num_reads"] = _int(p["num_reads"], "num_reads", 1)
        p["initial_states"] = _initial_states(problem, p["initial_states"], p["num_reads"])
        return p

    def sample(self, problem, *, seed, num_reads, initial_states) -> Samples:
        sampler = _samplers().SteepestDescentSolver()
        initial = _complete_states(problem, initial_states, num_reads, seed)
        return _run(problem, sampler, num_reads, initial, seed=vendor_seed(seed))


class OceanPIMCBackend(Backend):
    """dwave-samplers' PathIntegralAnnealingSampler: continuous-time path-integral annealing.

    It samples ``H = E(Z) - Gamma sum_i X_i`` at inverse temperature ``beta`` (the sampler's
    ``Hp_field = beta`` and ``Hd_field = beta * Gamma`` per sweep, 2^16 imaginary-time slices),
    with the same schedule parameters as qspin's "sqa": ``num_sweeps``, ``beta``,
    ``gamma_range``, ``gamma_schedule``, and ``initial_states`` (classical starting paths).
    Each read returns one imaginary-time slice (an unbiased sample of sigma^z), like
    "sqa" with ``readout="slice"``.
    """

    name = "ocean-pimc"
    summary = "dwave-samplers PathIntegralAnnealingSampler (continuous-time path-integral annealing)"
    parameters = {
        "num_reads": 16,
        "num_sweeps": None,
        "beta": None,
        "gamma_range": None,
        "gamma_schedule": "linear",
        "initial_states": None,
    }
    packages = ("dwave-samplers", "dimod")

    def check_parameters(self, problem, params):
        from qspin.solvers.sqa import check_schedule

        p = dict(params)
        p["num_reads"] = _int(p["num_reads"], "num_reads", 1)
        p = check_schedule(problem, p)
        p["initial_states"] = _initial_states(problem, p["initial_states"], p["num_reads"])
        return p

    def sample(
        self, problem, *, seed, num_reads, num_sweeps, beta, gamma_range, gamma_schedule, initial_states
    ) -> Samples:
        from qspin.solvers.sqa import resolve_schedule

        sampler = _samplers().PathIntegralAnnealingSampler()
        gammas, schedule_info = resolve_schedule(gamma_range, gamma_schedule, num_sweeps)
        initial = _complete_states(problem, initial_states, num_reads, seed)
        out = _run(
            problem,
            sampler,
            num_reads,
            initial,
            beta_schedule_type="custom",
            num_sweeps_per_beta=1,
            Hp_field=np.full(gammas.size, beta),
            Hd_field=beta * gammas,
            seed=vendor_seed(seed),
            make_info_json_serializable=True,
        )
        out.info.update({"beta": beta, "num_sweeps": num_sweeps, "gamma_schedule": schedule_info})
        return out
