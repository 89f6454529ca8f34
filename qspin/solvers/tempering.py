"""Parallel tempering (replica-exchange Monte Carlo) with two ladders for the spin overlap.

Each read is an independent run: two ladders (a and b) of ``T`` replicas at inverse temperatures
``betas`` (increasing), sequential Metropolis sweeps, replica exchange between neighbouring
temperatures, and optionally Houdayer cluster moves between a and b on the colder half of the
ladder. A read returns the lowest-energy state any of its replicas held at the end of a sweep.
During the measurement phase (after ``burn_in`` sweeps) the energy per temperature and the overlap
``q = (1/n) sum_i s_i^a s_i^b`` between the ladders are recorded, giving P(q) and its moments.

Default ladder (geometric between ``beta_min`` and ``beta_max``):

- ``beta_min = 1 / (1.5 sigma)`` with ``sigma`` the rms over spins of ``sqrt(h_i^2 + sum_j J_ij^2)``,
  the typical local field. A flip against a typical field (cost ``2 sigma``) is accepted with
  probability ``exp(-4/3) ~ 0.26``; this is 1.5 times the mean-field (SK) critical temperature.
  The largest local field would be far too hot for Gaussian and dense problems.
- ``beta_max = ln(10 n) / delta`` with ``delta`` the 10th percentile of the nonzero single-flip
  costs ``2 |f_i|`` at the local minima of a few zero-temperature descents from random states (drawn
  from the seed): the smallest gaps that matter are frozen, about 0.1 excitations of that size
  expected over the whole system.
- ``num_temperatures = clip(ceil(sqrt(n) ln(beta_max / beta_min) / 2) + 1, 16, 32)``: a geometric
  step ``~ 2 / sqrt(n)`` in ``ln beta`` keeps swap rates roughly constant as n grows.

With ``adapt_ladder=True`` the first half of the burn-in runs in rounds; after each, the betas move
(damped) so that ``-ln(acceptance)`` of every neighbouring pair becomes equal, keeping both ends
fixed. The adapted ladder is pooled over reads, so reads then share one ladder.
"""

from __future__ import annotations

import math
import time
from numbers import Integral, Real

import numpy as np

from qspin.errors import ParameterError
from qspin.problem import IsingProblem
from qspin.progress import check_progress
from qspin.progress import progress as progress_bar
from qspin.solvers._rng import stream_states
from qspin.solvers._tempering_kernels import init_fields, init_replicas, quench_gaps, run_block
from qspin.solvers.base import Backend, Samples

__all__ = ["PTBackend", "adapt_betas", "default_betas", "state_trace"]

HOUDAYER_MAX_DEGREE = 4.0  # houdayer=None turns the moves on up to this mean degree (2D lattices, chains)
FLIPS_PER_BLOCK = 2e7  # spin-flip attempts per kernel call (Ctrl-C and progress act between calls)
MAX_EXACT_Q_BINS = 201  # P(q) keeps every value of q up to n = 200, then groups neighbours
ADAPT_ROUNDS = 8
QUENCH_STARTS = 8


def default_betas(
    problem: IsingProblem,
    seed: int = 0,
    num_temperatures: int | None = None,
    beta_range: tuple[float, float] | None = None,
) -> np.ndarray:
    """The default geometric ladder for ``problem`` (see the module docstring for the rule)."""
    if beta_range is None:
        beta_range = _default_range(problem, seed)
    b0, b1 = (float(b) for b in beta_range)
    if num_temperatures is None:
        num_temperatures = int(np.clip(math.ceil(math.sqrt(problem.num_spins) * math.log(b1 / b0) / 2) + 1, 16, 32))
    return np.geomspace(b0, b1, num_temperatures)


def _default_range(problem: IsingProblem, seed: int) -> tuple[float, float]:
    n = problem.num_spins
    indptr, indices, data = problem.csr
    sq = np.asarray(problem.h) ** 2
    np.add.at(sq, np.repeat(np.arange(n), np.diff(indptr)), data**2)
    sigma = float(np.sqrt(sq.mean())) if n else 0.0
    if sigma == 0.0:
        return 0.1, 10.0  # every state has the same energy
    starts = np.empty((1, 2, QUENCH_STARTS, n), dtype=np.int8)
    init_replicas(starts, stream_states(seed, 2 * QUENCH_STARTS, salt=0x9A7).reshape(1, -1, 4))
    gaps = quench_gaps(indptr, indices, data, np.asarray(problem.h), starts[0, 0].copy(), 1000).ravel()
    gaps = gaps[gaps > 1e-9 * sigma]
    delta = float(np.quantile(gaps, 0.1)) if gaps.size else 2 * sigma
    beta_min = 1.0 / (1.5 * sigma)
    return beta_min, max(math.log(10 * n) / delta, 4 * beta_min)


def adapt_betas(betas: np.ndarray, acc: np.ndarray, att: np.ndarray, damping: float = 0.5) -> np.ndarray:
    """Move the inner betas so that ``-ln A`` is equal for every neighbouring pair (ends fixed).

    Assumes ``-ln A_k ~ rho_k (dx_k)^2`` on ``x = ln beta``; puts the new points at equal steps of
    ``int sqrt(rho) dx`` and mixes them with the old ones by ``damping``.
    """
    if (att == 0).any():
        return betas
    x = np.log(betas)
    rate = np.clip(acc / np.maximum(att, 1), 0.01, 0.99)
    dx = np.diff(x)
    density = np.sqrt(-np.log(rate)) / dx
    cum = np.concatenate([[0.0], np.cumsum(density * dx)])
    new_x = np.interp(np.linspace(0.0, cum[-1], x.size), cum, x)
    new_x = damping * x + (1 - damping) * new_x
    new_x[0], new_x[-1] = x[0], x[-1]
    return np.exp(new_x)


def _int(params, key, low, *, none_ok=False):
    value = params[key]
    if value is None and none_ok:
        return None
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        raise ParameterError(f"{key} must be an integer >= {low}{' or None' if none_ok else ''}, got {value!r}")
    return int(value)


def _flag(params, key, *, none_ok=False):
    value = params[key]
    if (value is None and none_ok) or isinstance(value, (bool, np.bool_)):
        return None if value is None else bool(value)
    raise ParameterError(f"{key} must be True or False{' or None' if none_ok else ''}, got {value!r}")


def _positive_increasing(values, what, min_size):
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError(f"{what} must be a sequence of numbers, got {values!r}") from None
    if arr.ndim != 1 or arr.size < min_size:
        raise ParameterError(
            f"{what} must be a flat sequence of at least {min_size} inverse temperatures, got {values!r}"
        )
    if not (np.isfinite(arr).all() and (arr > 0).all() and (np.diff(arr) > 0).all()):
        raise ParameterError(
            f"{what} must be finite, positive and strictly increasing (coldest last), got {arr.tolist()}"
        )
    return arr


class PTBackend(Backend):
    """Parallel tempering: ground states (best state per read) and the overlap distribution P(q).

    Parameters (see the module docstring for the ladder): ``num_reads`` independent runs, parallel
    over cores (use at least as many as cores); ``num_sweeps`` per run, of which the first
    ``burn_in`` (default half) are not measured; ``betas`` (increasing) or ``beta_range`` and
    ``num_temperatures``; ``adapt_ladder``; ``houdayer`` (None: on when the mean degree is at most
    4); ``target_energy`` (a run stops once its best energy is within ``target_tol``, default
    ``1e-9 * max(1, energy_scale)``); ``pq_all_temperatures``; ``progress``.
    """

    name = "pt"
    summary = "parallel tempering, two ladders for P(q), Houdayer cluster moves (numba, parallel over reads)"
    parameters = {
        "num_reads": 4,
        "num_sweeps": 10_000,
        "burn_in": None,
        "betas": None,
        "beta_range": None,
        "num_temperatures": None,
        "adapt_ladder": False,
        "houdayer": None,
        "target_energy": None,
        "target_tol": None,
        "pq_all_temperatures": False,
        "progress": None,
    }
    packages = ("numba",)

    def check_parameters(self, problem, params):
        p = dict(params)
        p["num_reads"] = _int(p, "num_reads", 1)
        p["num_sweeps"] = _int(p, "num_sweeps", 1)
        p["burn_in"] = _int(p, "burn_in", 0, none_ok=True)
        if p["burn_in"] is not None and p["burn_in"] >= p["num_sweeps"]:
            raise ParameterError(
                f"burn_in ({p['burn_in']}) must be below num_sweeps ({p['num_sweeps']}) to leave sweeps to measure"
            )
        p["num_temperatures"] = _int(p, "num_temperatures", 2, none_ok=True)
        for key in ("adapt_ladder", "pq_all_temperatures"):
            p[key] = _flag(p, key)
        p["houdayer"] = _flag(p, "houdayer", none_ok=True)
        if p["betas"] is not None:
            if p["beta_range"] is not None:
                raise ParameterError("pass either betas or beta_range, not both")
            p["betas"] = _positive_increasing(p["betas"], "betas", 2)
            if p["num_temperatures"] not in (None, p["betas"].size):
                raise ParameterError(
                    f"num_temperatures = {p['num_temperatures']} but betas has {p['betas'].size} entries"
                )
        if p["beta_range"] is not None:
            p["beta_range"] = tuple(_positive_increasing(p["beta_range"], "beta_range", 2).tolist())
            if len(p["beta_range"]) != 2:
                raise ParameterError(f"beta_range must be (beta_min, beta_max), got {p['beta_range']}")
        for key in ("target_energy", "target_tol"):
            value = p[key]
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value)
            ):
                raise ParameterError(f"{key} must be a finite number or None, got {value!r}")
        if p["target_tol"] is not None and p["target_tol"] < 0:
            raise ParameterError(f"target_tol must be >= 0, got {p['target_tol']!r}")
        p["progress"] = check_progress(p["progress"])
        return p

    def sample(self, problem: IsingProblem, *, seed: int, **p) -> Samples:
        n, R, target = problem.num_spins, p["num_reads"], -np.inf
        if p["target_energy"] is not None:
            tol = 1e-9 * max(1.0, problem.energy_scale) if p["target_tol"] is None else p["target_tol"]
            target = float(p["target_energy"]) + tol
        if n == 0:
            return Samples(
                np.zeros((R, 0), dtype=np.int8), info={"sweeps": 0, "target_reached": problem.offset <= target}
            )
        t0 = time.perf_counter()
        betas, rule = (
            p["betas"],
            "explicit" if p["betas"] is not None else "beta_range" if p["beta_range"] else "default",
        )
        if betas is None:
            betas = default_betas(problem, seed, p["num_temperatures"], p["beta_range"])
        houdayer = p["houdayer"]
        if houdayer is None:
            houdayer = 2 * np.count_nonzero(problem.couplings[2]) <= HOUDAYER_MAX_DEGREE * n
        num_sweeps = p["num_sweeps"]
        burn_in = num_sweeps // 2 if p["burn_in"] is None else p["burn_in"]
        run = _PTRun(problem, betas, R, seed, houdayer, p["pq_all_temperatures"])
        setup_s = time.perf_counter() - t0
        with progress_bar(f"pt n={n}", num_sweeps, enabled=p["progress"]) as advance:
            if p["adapt_ladder"]:
                rounds = max(1, min(ADAPT_ROUNDS, (burn_in // 2) // 20))
                for _ in range(rounds):
                    acc, att = run.advance((burn_in // 2) // rounds, target, advance)
                    run.betas = adapt_betas(run.betas, acc.sum(0), att.sum(0))
                rule += "+adapted"
            run.advance(burn_in - run.sweeps, target, advance)
            acc, att = run.advance(num_sweeps - run.sweeps, target, advance, measure=True)
        info = run.summary(acc, att)
        info.update(
            ladder=rule,
            houdayer=bool(houdayer),
            burn_in=burn_in,
            target_reached=bool(run.done.any()),
            reads_reached_target=int(run.done.sum()),
            sweeps_to_target=[int(x) if x >= 0 else None for x in run.sweeps_to_target],
        )
        sampling_s = time.perf_counter() - t0 - setup_s
        return Samples(run.best_spins, info=info, timing={"setup_s": setup_s, "sampling_s": sampling_s})


class _PTRun:
    """The state of ``R`` runs and their statistics; :meth:`advance` does sweeps in blocks."""

    def __init__(self, problem, betas, num_reads, seed, houdayer, pq_all_temperatures):
        self.problem = problem
        self.betas = np.ascontiguousarray(betas, dtype=np.float64)
        R, T, n = num_reads, self.betas.size, problem.num_spins
        self.csr = problem.csr
        self.h = np.ascontiguousarray(problem.h, dtype=np.float64)
        self.symmetric = not self.h.any()
        self.rng = stream_states(seed, R * (2 * T + 1)).reshape(R, 2 * T + 1, 4)
        self.spins = np.empty((R, 2, T, n), dtype=np.int8)
        init_replicas(self.spins, self.rng)
        self.fields = np.zeros((R, 2, T, n))
        self.energies = np.zeros((R, 2, T))
        init_fields(*self.csr, self.h, problem.offset, self.spins, self.fields, self.energies)
        self.perm = np.tile(np.arange(T, dtype=np.int64), (R, 2, 1))
        self.best_E = np.full(R, np.inf)
        self.best_spins = np.ones((R, n), dtype=np.int8)
        self.done = np.zeros(R, dtype=np.bool_)
        self.sweeps_done = np.zeros(R, dtype=np.int64)
        self.sweeps_to_target = np.full(R, -1, dtype=np.int64)
        self.sweeps = 0
        self.e_sum = np.zeros((R, T))
        self.q_mom = np.zeros((R, T, 3))
        self.q_hist = np.zeros((R, T if pq_all_temperatures else 1, n + 1), dtype=np.int64)
        self.n_meas = np.zeros(R, dtype=np.int64)
        self.cluster_stats = np.zeros((R, 2), dtype=np.int64)
        self.block = int(max(1, FLIPS_PER_BLOCK // (2 * T * max(n, 1) * R)))
        self.arrays = (*self.csr, self.symmetric, T // 2 if houdayer else T, self.spins, self.fields, self.energies,
                       self.perm, self.rng, self.e_sum, self.q_mom, self.q_hist, self.n_meas, self.cluster_stats,
                       self.best_E, self.best_spins, self.done, self.sweeps_done, self.sweeps_to_target)  # fmt: skip

    def advance(self, sweeps, target, advance=None, *, measure=False, trace_k=-1):
        """Do ``sweeps`` more sweeps; return the swap (accepted, attempted) counts (R, T-1) of these.

        With ``trace_k >= 0`` also return the basis indices (R, 2, sweeps) of the states at
        temperature ``trace_k`` after each sweep.
        """
        R, T = self.spins.shape[0], self.betas.size
        acc = np.zeros((R, T - 1), dtype=np.int64)
        att = np.zeros((R, T - 1), dtype=np.int64)
        trace = np.zeros((R, 2, max(sweeps, 0) if trace_k >= 0 else 0), dtype=np.int64)
        done_now = 0
        while done_now < sweeps and not self.done.all():
            step = min(self.block, sweeps - done_now)
            chunk = np.zeros((R, 2, step if trace_k >= 0 else 0), dtype=np.int64)
            run_block(*self.arrays, self.betas, step, measure, acc, att, target, trace_k, chunk)
            if trace_k >= 0:
                trace[:, :, done_now : done_now + step] = chunk
            done_now += step
            if advance is not None:
                advance(step)
        self.sweeps += max(sweeps, 0)
        return (acc, att, trace) if trace_k >= 0 else (acc, att)

    def summary(self, acc, att) -> dict:
        """Ladder, swap rates, energies per temperature and the overlap statistics, pooled over reads."""
        n, T = self.problem.num_spins, self.betas.size
        meas = int(self.n_meas.sum())
        info = {
            "betas": self.betas.tolist(),
            "num_temperatures": T,
            "swap_acceptance": (acc.sum(0) / np.maximum(att.sum(0), 1)).tolist(),
            "measurement_sweeps": meas,
            "sweeps": int(self.sweeps_done.max()),
            "sweeps_per_read": self.sweeps_done.tolist(),
        }
        if meas:  # none when every read reached the target during the burn-in
            q_mom = self.q_mom.sum(0) / meas
            edges, density = _pq(self.q_hist.sum(0), n)
            info.update(
                {
                    "mean_energy": (self.e_sum.sum(0) / (2 * meas)).tolist(),
                    "pq": {"beta": float(self.betas[-1]), "edges": edges, "density": density[-1]},
                    "q_abs_mean": float(q_mom[-1, 0]),
                    "q2_mean": float(q_mom[-1, 1]),
                    "q_abs_mean_per_temperature": q_mom[:, 0].tolist(),
                    "q2_mean_per_temperature": q_mom[:, 1].tolist(),
                    "q4_mean_per_temperature": q_mom[:, 2].tolist(),
                    "binder": (0.5 * (3 - q_mom[:, 2] / np.maximum(q_mom[:, 1], 1e-12) ** 2)).tolist(),
                }
            )
            if self.q_hist.shape[1] == T:
                info["pq_all_temperatures"] = {"edges": edges, "density": density}
        moves, sites = self.cluster_stats.sum(0)
        if moves:
            info["houdayer_mean_cluster_fraction"] = float(sites / (moves * n))
        return info


def state_trace(
    problem: IsingProblem,
    betas,
    num_sweeps: int,
    *,
    seed: int,
    temperature_index: int,
    num_reads: int = 1,
    burn_in: int = 0,
    houdayer: bool = False,
) -> np.ndarray:
    """Basis indices (bit i set <-> s_i = -1) of the states at ``betas[temperature_index]`` after
    every sweep, for checking the sampler against enumeration: int64 (num_reads, 2, num_sweeps)."""
    if not 0 < problem.num_spins <= 62:
        raise ParameterError(f"state_trace needs 1 <= n <= 62 spins, got {problem.num_spins}")
    betas = _positive_increasing(betas, "betas", 2)
    if not 0 <= temperature_index < betas.size:
        raise ParameterError(f"temperature_index must be in [0, {betas.size}), got {temperature_index}")
    run = _PTRun(problem, betas, num_reads, seed, houdayer, False)
    run.advance(burn_in, -np.inf)
    return run.advance(num_sweeps, -np.inf, trace_k=int(temperature_index))[2]


def _pq(counts: np.ndarray, n: int) -> tuple[list, list]:
    """Normalised P(q) densities from counts (H, n+1) of ``m = n q``: bin edges and (H, bins) densities.

    Up to n = 200 every value of q has its own bin of width 2/n centred on it; larger n groups
    neighbouring values into at most ``MAX_EXACT_Q_BINS`` bins whose edges lie between values.
    """
    cut = np.unique(np.round(np.linspace(0, n + 1, min(n + 1, MAX_EXACT_Q_BINS) + 1)).astype(np.int64))
    edges = -1.0 - 1.0 / n + 2.0 * cut / n
    grouped = np.add.reduceat(counts, cut[:-1], axis=1).astype(np.float64)
    total = np.maximum(grouped.sum(1, keepdims=True), 1)
    density = grouped / total / np.diff(edges)
    return edges.tolist(), density.tolist()
