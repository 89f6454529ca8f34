"""Classical Hopfield retrieval: asynchronous single-spin dynamics from a cue.

The network is an Ising problem in qspin's sign (``E = sum h s + sum_{i<j} J s s``; a Hebbian
Hopfield network has ``J = -W``), so a spin aligns with the physics field
``-(h_i + sum_j J_ij s_j) = sum_j W_ij s_j``. Each sweep visits every spin once in a fresh
random order. At ``temperature == 0`` a spin takes the sign of its physics field (a zero field
(within rounding) keeps the spin) and the run stops at the first sweep that changes nothing, a fixed point. At
``temperature > 0`` each visit is a Glauber (heat-bath) update,
``P(s_i = +1) = 1 / (1 + exp(2 (h_i + sum_j J_ij s_j) / T))``, for ``max_sweeps`` sweeps.

Every random choice flows from ``seed``: cue ``c`` owns one stream for its visiting order and
one for its heat-bath draws, so results do not depend on the thread count, and a very small
temperature replays the zero-temperature run exactly (unless a field is exactly zero).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from numba import njit, prange

from qspin.errors import ParameterError, ProblemError
from qspin.models.hopfield import check_patterns, hopfield, overlaps
from qspin.problem import IsingProblem
from qspin.provenance import resolve_seed
from qspin.solvers._rng import next_below, next_double, stream_states
from qspin.spin_arrays import as_spin_array

__all__ = ["RetrievalResult", "retrieve"]


@dataclass(frozen=True)
class RetrievalResult:
    """The outcome of :func:`retrieve`. Arrays are read-only.

    For one cue (a 1-D ``cue``): ``state`` (N,) int8, ``overlaps`` (P,), and scalars
    ``best_pattern``, ``sweeps``, ``converged``. For many cues (C, N): a leading C axis on
    every field. ``best_pattern`` is the index of the largest ``|overlap|`` (a negative
    overlap there means the mirror image -xi was retrieved), -1 when there are no patterns.
    ``converged`` at T = 0 means a fixed point was reached; at T > 0 that the final sweep
    changed no spin. ``sweeps`` counts the sweeps run.
    """

    state: np.ndarray
    overlaps: np.ndarray
    best_pattern: int | np.ndarray
    sweeps: int | np.ndarray
    converged: bool | np.ndarray
    temperature: float
    seed: int


@njit(cache=True, parallel=True)
def _run(states, indptr, indices, data, h, inv_temp, tie_tol, max_sweeps, order_rng, heat_rng, sweeps, converged):
    C, N = states.shape
    for c in prange(C):
        s = states[c]
        ost = order_rng[c]
        hst = heat_rng[c]
        f = h.copy()
        for i in range(N):
            for e in range(indptr[i], indptr[i + 1]):
                f[i] += data[e] * s[indices[e]]
        order = np.arange(N)
        for sweep in range(max_sweeps):
            for t in range(N - 1, 0, -1):  # Fisher-Yates: a fresh random visiting order
                u = next_below(ost, t + 1)
                tmp = order[t]
                order[t] = order[u]
                order[u] = tmp
            flips = 0
            for t in range(N):
                i = order[t]
                fi = f[i]
                if inv_temp < 0.0:  # T = 0: align with the physics field -f, keep on a tie
                    if fi > tie_tol:
                        new = -1
                    elif fi < -tie_tol:
                        new = 1
                    else:
                        new = s[i]
                else:
                    p_up = 1.0 / (1.0 + math.exp(2.0 * fi * inv_temp))
                    new = 1 if next_double(hst) < p_up else -1
                if new != s[i]:
                    d = 2.0 * new  # new - old
                    s[i] = new
                    for e in range(indptr[i], indptr[i + 1]):
                        f[indices[e]] += data[e] * d
                    flips += 1
            sweeps[c] = sweep + 1
            converged[c] = flips == 0
            if flips == 0 and inv_temp < 0.0:
                break


def _check_cue(cue, n: int) -> np.ndarray:
    return as_spin_array(cue, what="cue", shape=f"({n},) or (C, {n})", ndims=(1, 2), width=n, entries="cue entries")


def _network(problem_or_patterns, rule):
    if isinstance(problem_or_patterns, IsingProblem):
        problem = problem_or_patterns
        if rule is not None:
            raise ProblemError("rule applies only when patterns are given; a problem's couplings are used as they are")
        stored = problem.metadata.get("patterns")
        if stored is None:
            return problem, None
        xi = check_patterns(stored)
        if xi.shape[1] != problem.num_spins:
            raise ProblemError(
                f"problem.metadata['patterns'] has length {xi.shape[1]} but the problem has {problem.num_spins} spins"
            )
        return problem, xi
    xi = check_patterns(problem_or_patterns)
    return hopfield(xi, rule="hebb" if rule is None else rule), xi


def _readonly(a):
    a = np.asarray(a)
    a.flags.writeable = False
    return a


def retrieve(
    problem_or_patterns,
    cue,
    *,
    temperature: float = 0.0,
    max_sweeps: int = 100,
    seed: int | None = None,
    rule: str | None = None,
) -> RetrievalResult:
    """Run asynchronous Hopfield dynamics from ``cue`` and report what it retrieves.

    Parameters
    ----------
    problem_or_patterns : IsingProblem or array (P, N) of +-1
        A network (e.g. from :func:`qspin.models.hopfield`, whose stored patterns are read from
        ``problem.metadata["patterns"]``), or patterns to store with ``rule``.
    cue : array (N,) or (C, N) of +-1
        Starting state(s); several cues run in parallel, each with its own random stream.
    temperature : float
        0 for deterministic descent to a fixed point; > 0 for Glauber dynamics at that
        temperature (in the units of the weights, the physics field ``sum_j W_ij s_j``).
    max_sweeps : int
        Most sweeps to run (all of them when ``temperature > 0``).
    seed : int, optional
        Master seed of the visiting orders and heat-bath draws (fresh when None; recorded).
    rule : str, optional
        Learning rule when patterns are given ("hebb" by default, see :func:`qspin.models.hopfield`).
    """
    problem, xi = _network(problem_or_patterns, rule)
    n = problem.num_spins
    states = _check_cue(cue, n)
    single = states.ndim == 1
    states = np.array(states.reshape(-1, n), dtype=np.int8)
    if (
        isinstance(temperature, bool)
        or not isinstance(temperature, Real)
        or not (math.isfinite(temperature) and temperature >= 0)
    ):
        raise ParameterError(f"temperature must be a finite number >= 0, got {temperature!r}")
    if isinstance(max_sweeps, bool) or not isinstance(max_sweeps, Integral) or max_sweeps < 1:
        raise ParameterError(f"max_sweeps must be an integer >= 1, got {max_sweeps!r}")
    seed = resolve_seed(seed)

    C = states.shape[0]
    sweeps = np.zeros(C, dtype=np.int64)
    converged = np.zeros(C, dtype=np.bool_)
    if C and n:
        indptr, indices, data = problem.csr
        h = np.ascontiguousarray(problem.h, dtype=np.float64)
        inv_temp = -1.0 if temperature == 0 else 1.0 / float(temperature)
        # a field within rounding of zero is a tie (Hebbian fields are exact multiples of 1/N)
        row_abs = np.abs(h) + np.bincount(np.repeat(np.arange(n), np.diff(indptr)), weights=np.abs(data), minlength=n)
        tie_tol = 1e-12 * max(1.0, float(row_abs.max()))
        _run(
            states,
            indptr,
            indices,
            data,
            h,
            inv_temp,
            tie_tol,
            int(max_sweeps),
            stream_states(seed, C, salt=1),
            stream_states(seed, C, salt=2),
            sweeps,
            converged,
        )
    elif C:
        converged[:] = True

    if xi is None:
        m = np.zeros((C, 0))
        best = np.full(C, -1, dtype=np.int64)
    else:
        m = overlaps(xi, states)
        best = np.argmax(np.abs(m), axis=1).astype(np.int64) if C else np.zeros(0, dtype=np.int64)
    if single:
        return RetrievalResult(
            _readonly(states[0]),
            _readonly(m[0]),
            int(best[0]),
            int(sweeps[0]),
            bool(converged[0]),
            float(temperature),
            seed,
        )
    return RetrievalResult(
        _readonly(states),
        _readonly(m),
        _readonly(best),
        _readonly(sweeps),
        _readonly(converged),
        float(temperature),
        seed,
    )
