"""The exact solver: exhaustive Gray-code enumeration, parallel over the cores.

It is the oracle every other backend is tested against. Problems without fields are
symmetric under a global flip, so only half the states are walked and counts are doubled.
"""

from __future__ import annotations

import numpy as np

from qspin.conventions import basis_indices_to_spins
from qspin.errors import ParameterError
from qspin.problem import IsingProblem
from qspin.progress import check_progress
from qspin.progress import progress as progress_bar
from qspin.solvers.base import Backend, Samples
from qspin.solvers.registry import solve

MAX_SPINS = 40
CHUNK_BITS = 20  # states per chunk: 2^20, then energies are recomputed from scratch
BATCH_CHUNKS = 64  # chunks per parallel kernel call (Ctrl-C and progress act between calls)
NS_PER_STATE = 3.0  # rough cost on one core at n ~ 30, for the refusal message


def _check_int(params, key, low):
    value = params[key]
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ParameterError(f"{key} must be an integer >= {low}, got {value!r}")
    return int(value)


class ExactBackend(Backend):
    name = "exact"
    summary = "exhaustive Gray-code enumeration (numba, parallel); every ground state up to a cap"
    parameters = {"max_ground_states": 1024, "num_levels": 1, "rtol": 1e-9, "progress": None}
    packages = ("numba",)

    def check_parameters(self, problem, params):
        params = dict(params)
        params["max_ground_states"] = _check_int(params, "max_ground_states", 1)
        params["num_levels"] = _check_int(params, "num_levels", 1)
        if not (isinstance(params["rtol"], (int, float)) and 0 <= params["rtol"] < 1e-3):
            raise ParameterError(f"rtol must be a number in [0, 1e-3), got {params['rtol']!r}")
        params["progress"] = check_progress(params["progress"])
        n = problem.num_spins
        if n > MAX_SPINS:
            states = 2.0 ** (n - 1)
            hours = states * NS_PER_STATE * 1e-9 / 2 / 3600
            raise ParameterError(
                f"the exact solver enumerates 2^n states and refuses n > {MAX_SPINS}: this problem has "
                f"n = {n}, about {hours:,.0f} hours on two cores; use 'pt' or 'sa' for a best-known energy"
            )
        return params

    def sample(self, problem: IsingProblem, *, seed: int, max_ground_states, num_levels, rtol, progress) -> Samples:
        from qspin.solvers._gray import enumerate_batch

        n = problem.num_spins
        if n == 0:
            return Samples(
                np.zeros((1, 0), dtype=np.int8),
                info={"degeneracy": 1, "levels": [{"energy": problem.offset, "degeneracy": 1}], "states_enumerated": 1},
            )
        symmetric = not problem.h.any()
        free = n - 1 if symmetric else n  # with no fields, spin n-1 stays +1 and counts double
        chunk_bits = min(free, CHUNK_BITS)
        num_chunks = 1 << (free - chunk_bits)
        J = np.ascontiguousarray(problem.to_dense())
        h = np.ascontiguousarray(problem.h, dtype=np.float64)
        tol = rtol * max(1.0, problem.energy_scale)
        k, cap = num_levels, max_ground_states

        levels_E, levels_cnt, levels_rep, ground = [], [], [], []
        with progress_bar(
            f"exact n={n}", num_chunks, enabled=progress if num_chunks > BATCH_CHUNKS else False
        ) as advance:
            for first in range(0, num_chunks, BATCH_CHUNKS):
                C = min(BATCH_CHUNKS, num_chunks - first)
                lev_E = np.full((C, k), np.inf)
                lev_cnt = np.zeros((C, k), dtype=np.int64)
                lev_rep = np.zeros((C, k), dtype=np.int64)
                gs = np.zeros((C, cap), dtype=np.int64)
                gs_num = np.zeros((C, 1), dtype=np.int64)
                enumerate_batch(J, h, problem.offset, chunk_bits, first, tol, lev_E, lev_cnt, lev_rep, gs, gs_num)
                levels_E.append(lev_E.ravel())
                levels_cnt.append(lev_cnt.ravel())
                levels_rep.append(lev_rep.ravel())
                for c in range(C):
                    ground.append((lev_E[c, 0], gs[c, : gs_num[c, 0]]))
                ground = _keep_lowest(ground, tol, cap)
                advance(C)

        merged = _merge_levels(np.concatenate(levels_E), np.concatenate(levels_cnt), np.concatenate(levels_rep), tol, k)
        e0 = merged[0][0]
        masks = np.concatenate([m for e, m in ground if abs(e - e0) <= tol])[:cap]
        factor = 2 if symmetric else 1
        if symmetric:
            full = (1 << n) - 1
            masks = np.stack([masks, masks ^ full], axis=1).ravel()[:cap]
        spins = basis_indices_to_spins(masks, n)
        reps = basis_indices_to_spins(np.array([r for _, _, r in merged], dtype=np.int64), n)
        rep_E = problem.energies(reps)
        levels = [
            {"energy": float(e), "degeneracy": int(c) * factor, "representative": rep.tolist()}
            for (_, c, _), e, rep in zip(merged, rep_E, reps)
        ]
        degeneracy = levels[0]["degeneracy"]
        return Samples(
            spins,
            info={
                "degeneracy": degeneracy,
                "ground_states_truncated": degeneracy > spins.shape[0],
                "levels": levels,
                "states_enumerated": 1 << free,
                "symmetry_used": symmetric,
                "energy_tol": tol,
            },
        )


def _keep_lowest(ground, tol, cap):
    """Keep only the chunks' ground-state lists at the lowest energy seen, at most ``cap`` masks."""
    e0 = min(e for e, _ in ground)
    kept, total = [], 0
    for e, masks in ground:
        if abs(e - e0) <= tol and total < cap:
            kept.append((e, masks[: cap - total]))
            total += min(masks.size, cap - total)
    return kept or [(e0, np.zeros(0, dtype=np.int64))]


def _merge_levels(E, cnt, rep, tol, k):
    """Merge per-chunk levels into the global ``k`` lowest: list of (energy, count, representative)."""
    finite = np.isfinite(E)
    E, cnt, rep = E[finite], cnt[finite], rep[finite]
    order = np.argsort(E, kind="stable")
    merged: list[list] = []
    for e, c, r in zip(E[order], cnt[order], rep[order]):
        if merged and abs(e - merged[-1][0]) <= tol:
            merged[-1][1] += int(c)
        else:
            if len(merged) == k:
                break
            merged.append([float(e), int(c), int(r)])
    return [tuple(m) for m in merged]


def exact_ground_energy(problem: IsingProblem) -> float:
    """The exact ground-state energy (a convenience for tests and metrics)."""
    return solve(problem, "exact", seed=0).best_energy


__all__ = ["MAX_SPINS", "ExactBackend", "exact_ground_energy"]
