"""Simulated quantum annealing (SQA): path-integral Monte Carlo of a transverse-field Ising model.

The quantum Hamiltonian is ``H(Gamma) = E(Z) - Gamma sum_i X_i`` with ``E`` the problem's energy
(qspin sign). Its Suzuki-Trotter decomposition with ``P`` slices at inverse temperature ``beta``
is the classical model of ``P`` replicas ``s_k`` of the spins, simulated here as

    H_P = sum_k E(s_k) - J_perp sum_{k, i} s_{k,i} s_{k+1,i}     at inverse temperature beta / P,

with ``J_perp = -(P / (2 beta)) ln tanh(beta Gamma / P)`` > 0 (ferromagnetic along imaginary
time, periodic: slice P is slice 0). The classical couplings are *not* divided by P; each slice
instead runs at ``beta / P`` (Martonak, Santoro, Tosatti 2002). Equivalently the weight of a path
is ``exp(-(beta / P) sum_k E(s_k) + K sum s_k s_{k+1})`` with ``K = beta J_perp / P``. As P grows
the distribution of one slice tends to the quantum Boltzmann distribution of ``sigma^z``.
With ``P = 1`` there is no imaginary-time coupling: classical Metropolis at ``beta``.

Annealing lowers ``Gamma`` from ``gamma_range[0]`` to ``gamma_range[1]`` (one value per sweep)
at fixed ``beta``; a constant ``gamma_range`` samples one quantum Gibbs state. A sweep is a
Metropolis pass over every slice and spin, then (``global_moves``) one worldline move per spin
that flips it in every slice, which leaves the imaginary-time bonds unchanged.
"""

from __future__ import annotations

import math
import time

import numpy as np

from qspin.errors import ParameterError
from qspin.problem import IsingProblem
from qspin.progress import check_progress
from qspin.progress import progress as progress_bar
from qspin.solvers._rng import stream_states
from qspin.solvers.base import Backend, Samples

__all__ = ["SQABackend", "check_schedule", "energy_unit", "gamma_values", "resolve_schedule", "trotter_coupling"]

DEFAULT_SWEEPS = 1000
GAMMA_START = 3.0  # default gamma_range, in units of energy_unit(problem)
GAMMA_END = 1e-3
BETA_DEFAULT = 40.0  # default beta, in units of 1 / energy_unit(problem): beta / P ~ 1.25 at P = 32
WORK_PER_BLOCK = 2e7  # spin updates per kernel call; Ctrl-C and progress act between calls
READOUTS = ("best", "slice", "all")
SCHEDULES = ("linear", "geometric")


def energy_unit(problem: IsingProblem) -> float:
    """Typical local-field scale ``sqrt(mean_i (h_i^2 + sum_j J_ij^2))`` (1.0 for a problem without terms).

    The default ``gamma_range`` and ``beta`` are measured in this unit: it is about 1 for SK
    (couplings N(0, 1/N)) and sqrt(z) for a +-1 lattice of coordination z.
    """
    n = problem.num_spins
    if n == 0:
        return 1.0
    _, _, w = problem.couplings
    total = float(np.sum(problem.h**2) + 2.0 * np.sum(w**2))
    unit = math.sqrt(total / n)
    return unit if unit > 0 else 1.0


def trotter_coupling(gamma, beta: float, num_slices: int) -> np.ndarray:
    """Dimensionless imaginary-time coupling ``K = -ln tanh(beta Gamma / P) / 2`` (0 when P = 1)."""
    x = beta * np.asarray(gamma, dtype=np.float64) / num_slices
    if num_slices == 1:
        return np.zeros_like(x)
    with np.errstate(over="ignore"):  # ln tanh x = ln(1 - 2 / (e^{2x} + 1)), accurate for large x
        large = np.log1p(-2.0 / (np.exp(2.0 * np.maximum(x, 1.0)) + 1.0))
    return -0.5 * np.where(x < 1.0, np.log(np.tanh(np.minimum(x, 1.0))), large)


def gamma_values(gamma_range, schedule: str, num_sweeps: int) -> np.ndarray:
    """One transverse field per sweep, from ``gamma_range[0]`` to ``gamma_range[1]``."""
    g0, g1 = gamma_range
    if num_sweeps == 1:
        return np.array([float(g1)])
    if schedule == "geometric":
        return np.geomspace(g0, g1, num_sweeps)
    return np.linspace(g0, g1, num_sweeps)


def _check_int(params, key, low, *, optional=False):
    value = params[key]
    if optional and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ParameterError(f"{key} must be an integer >= {low}{' or None' if optional else ''}, got {value!r}")
    return int(value)


def _check_positive(value, key):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ParameterError(f"{key} must be a positive number, got {value!r}")
    x = float(value)
    if not (math.isfinite(x) and x > 0):
        raise ParameterError(f"{key} must be a positive finite number, got {value!r}")
    return x


def check_schedule(problem: IsingProblem, params: dict) -> dict:
    """Validate and resolve ``num_sweeps``, ``beta``, ``gamma_range`` and ``gamma_schedule``.

    Shared by the annealers that take a transverse-field schedule ("sqa", and the
    path-integral adapter in :mod:`qspin.solvers.ocean`). Raises ParameterError.
    """
    p = dict(params)
    p["num_sweeps"] = _check_int(p, "num_sweeps", 1, optional=True)
    unit = energy_unit(problem)
    p["beta"] = BETA_DEFAULT / unit if p["beta"] is None else _check_positive(p["beta"], "beta")
    sched = p["gamma_schedule"]
    if isinstance(sched, str):
        if sched not in SCHEDULES:
            raise ParameterError(
                f"gamma_schedule must be one of {SCHEDULES} or an array of Gamma values, got {sched!r}"
            )
        gr = p["gamma_range"]
        if gr is None:
            gr = (GAMMA_START * unit, GAMMA_END * unit)
        elif isinstance(gr, (str, bytes)) or not hasattr(gr, "__len__") or len(gr) != 2:
            raise ParameterError(f"gamma_range must be a pair (start, end) of positive numbers, got {gr!r}")
        p["gamma_range"] = (_check_positive(gr[0], "gamma_range[0]"), _check_positive(gr[1], "gamma_range[1]"))
        if p["num_sweeps"] is None:
            p["num_sweeps"] = DEFAULT_SWEEPS
        return p
    if p["gamma_range"] is not None:
        raise ParameterError(
            "give either gamma_range (with gamma_schedule 'linear' or 'geometric') "
            "or an explicit gamma_schedule array, not both"
        )
    try:
        g = np.array(sched, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError(
            "gamma_schedule must be 'linear', 'geometric' or a 1-D array of positive numbers"
        ) from None
    if g.ndim != 1 or g.size == 0:
        raise ParameterError(f"a gamma_schedule array must be 1-D and non-empty, got shape {g.shape}")
    bad = ~(np.isfinite(g) & (g > 0))
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise ParameterError(f"gamma_schedule[{k}] = {g[k]!r}; every Gamma must be positive and finite")
    if p["num_sweeps"] is not None and p["num_sweeps"] != g.size:
        raise ParameterError(
            f"num_sweeps = {p['num_sweeps']} but gamma_schedule has {g.size} values "
            "(one per sweep); leave num_sweeps as None"
        )
    p["num_sweeps"] = int(g.size)
    p["gamma_schedule"] = g
    return p


def resolve_schedule(gamma_range, gamma_schedule, num_sweeps: int) -> tuple[np.ndarray, dict]:
    """The Gamma value of every sweep and a JSON-friendly summary, from checked parameters."""
    if isinstance(gamma_schedule, str):
        gammas = gamma_values(gamma_range, gamma_schedule, num_sweeps)
        kind = gamma_schedule
    else:
        gammas = np.asarray(gamma_schedule, dtype=np.float64)
        kind = "custom"
    return gammas, {
        "type": kind,
        "start": float(gammas[0]),
        "end": float(gammas[-1]),
        "min": float(gammas.min()),
        "max": float(gammas.max()),
        "num_values": int(gammas.size),
    }


class SQABackend(Backend):
    """Simulated quantum annealing ("sqa").

    Parameters
    ----------
    num_reads : int
        Independent annealing runs (paths), run in parallel.
    num_sweeps : int or None
        Sweeps, one Gamma value each (default 1000, or ``len(gamma_schedule)``).
    num_slices : int
        Trotter slices P; 1 is classical Metropolis at ``beta``.
    beta : float or None
        Inverse temperature of the quantum system (default ``40 / energy_unit(problem)``, so that each of
        the default 32 slices runs at about 1.25 / energy_unit; lower it to sample a warmer state).
    gamma_range : (float, float) or None
        Transverse field at the first and last sweep, both > 0 (default ``(3, 1e-3) x energy_unit``);
        equal values sample one quantum Gibbs state at constant Gamma.
    gamma_schedule : "linear", "geometric" or array
        Interpolation of ``gamma_range``, or an explicit Gamma per sweep (then no ``gamma_range``).
    global_moves : bool
        Also try, once per sweep, to flip each spin in every slice at once (a worldline move).
    readout : "best", "slice" or "all"
        Per read, the slice of lowest classical energy; slice 0 (an unbiased sample of the
        slice marginal, for measuring quantum expectation values); or every slice (R * P rows).
    progress : bool or None
        Progress bar (None: only on a terminal).
    """

    name = "sqa"
    summary = "simulated quantum annealing: discrete-time path-integral Monte Carlo (numba, parallel over reads)"
    parameters = {
        "num_reads": 16,
        "num_sweeps": None,
        "num_slices": 32,
        "beta": None,
        "gamma_range": None,
        "gamma_schedule": "linear",
        "global_moves": True,
        "readout": "best",
        "progress": None,
    }
    packages = ("numba",)

    def check_parameters(self, problem, params):
        p = dict(params)
        p["num_reads"] = _check_int(p, "num_reads", 1)
        p["num_slices"] = _check_int(p, "num_slices", 1)
        p = check_schedule(problem, p)
        if not isinstance(p["global_moves"], (bool, np.bool_)):
            raise ParameterError(f"global_moves must be True or False, got {p['global_moves']!r}")
        p["global_moves"] = bool(p["global_moves"])
        if not isinstance(p["readout"], str) or p["readout"] not in READOUTS:
            raise ParameterError(f"readout must be one of {READOUTS}, got {p['readout']!r}")
        p["progress"] = check_progress(p["progress"])
        return p

    def sample(
        self,
        problem: IsingProblem,
        *,
        seed: int,
        num_reads,
        num_sweeps,
        num_slices,
        beta,
        gamma_range,
        gamma_schedule,
        global_moves,
        readout,
        progress,
    ) -> Samples:
        from qspin.solvers import _sqa_kernels as kern

        n, R, P = problem.num_spins, num_reads, num_slices
        gammas, schedule_info = resolve_schedule(gamma_range, gamma_schedule, num_sweeps)
        Ks = trotter_coupling(gammas, beta, P)
        a = beta / P
        info = {
            "num_slices": P,
            "num_sweeps": num_sweeps,
            "beta": beta,
            "energy_unit": energy_unit(problem),
            "gamma_schedule": schedule_info,
            # J_perp in energy units (the coupling of H_P at inverse temperature beta / P)
            "j_perp_range": [float(Ks[0] / a), float(Ks[-1] / a)],
            "effective_hamiltonian": "sum_k E(s_k) - J_perp sum_{k,i} s_ki s_(k+1)i at inverse temperature beta/P",
        }
        if n == 0:
            rows = R * P if readout == "all" else R
            return Samples(np.zeros((rows, 0), dtype=np.int8), info=info)

        indptr, indices, data = problem.csr
        h = np.ascontiguousarray(problem.h, dtype=np.float64)
        spins = np.empty((R, P, n), dtype=np.int8)
        fields = np.empty((R, P, n), dtype=np.float64)
        rng = stream_states(seed, R)
        accepted = np.zeros((R, 2), dtype=np.int64)

        t0 = time.perf_counter()
        kern.init_paths(spins, fields, rng, indptr, indices, data, h)
        cost = R * P * (n + indices.size) + (R * (P * n + indices.size) if global_moves else 0)
        block = max(1, int(WORK_PER_BLOCK // max(1, cost)))
        with progress_bar(f"sqa n={n} P={P}", num_sweeps, enabled=progress) as advance:
            for start in range(0, num_sweeps, block):
                Kb = np.ascontiguousarray(Ks[start : start + block])
                kern.sweep_block(spins, fields, rng, indptr, indices, data, a, Kb, global_moves, accepted)
                advance(Kb.size)
        E = kern.slice_energies(spins, fields, h, problem.offset)
        sampling_s = time.perf_counter() - t0

        if readout == "best":
            best = np.argmin(E, axis=1)
            out = spins[np.arange(R), best]
        elif readout == "slice":
            out = spins[:, 0]
        else:
            out = spins.reshape(R * P, n)
        spread = E.max(axis=1) - E.min(axis=1)
        info.update(
            {
                "slice_energy_spread": {"mean": float(spread.mean()), "max": float(spread.max())},
                "slice_energy_mean": float(E.mean()),
                "acceptance": {
                    "local": float(accepted[:, 0].sum() / (R * P * n * num_sweeps)),
                    "worldline": float(accepted[:, 1].sum() / (R * n * num_sweeps)) if global_moves else None,
                },
                "sweeps_per_block": block,
            }
        )
        return Samples(np.ascontiguousarray(out), info=info, timing={"sampling_s": sampling_s})
