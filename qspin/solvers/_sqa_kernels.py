"""Numba kernels for path-integral Monte Carlo (simulated quantum annealing).

A read is a path ``s[k, i]`` (P Trotter slices of n spins, int8) with local fields
``f[k, i] = h_i + sum_j J_ij s[k, j]`` (qspin sign, float64). The weight of a path is

    exp( -a * sum_k E(s_k) + K * sum_{k, i} s[k, i] s[k+1, i] ),   slice P == slice 0,

with ``a = beta / P`` and ``K = -ln tanh(beta Gamma / P) / 2`` (see :mod:`qspin.solvers.sqa`).
Every read owns one xoshiro stream, so the result does not depend on the thread count.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from qspin.solvers._rng import next_double, next_u64


@njit(cache=True, parallel=True)
def init_paths(spins, fields, rng, indptr, indices, data, h):
    """Fill ``spins`` (R, P, n) with independent random slices and ``fields`` with their local fields."""
    R, P, n = spins.shape
    for r in prange(R):
        st = rng[r]
        for k in range(P):
            for i in range(n):
                spins[r, k, i] = 1 if (next_u64(st) >> np.uint64(63)) == 0 else -1
        for k in range(P):
            for i in range(n):
                acc = h[i]
                for e in range(indptr[i], indptr[i + 1]):
                    acc += data[e] * spins[r, k, indices[e]]
                fields[r, k, i] = acc


@njit(cache=True, inline="always")
def _flip(s, f, k, i, indptr, indices, data):
    old = s[k, i]
    s[k, i] = -old
    d = -2.0 * old
    for e in range(indptr[i], indptr[i + 1]):
        f[k, indices[e]] += data[e] * d


@njit(cache=True, parallel=True)
def sweep_block(spins, fields, rng, indptr, indices, data, a, Ks, global_moves, accepted):
    """Run ``Ks.size`` sweeps, sweep ``t`` at inter-slice coupling ``Ks[t]``.

    A sweep is a Metropolis pass over every (slice, spin) in order, then, if ``global_moves``,
    one worldline move per spin (flip spin i in every slice). ``accepted[r]`` counts the
    accepted (local, worldline) moves of read r.
    """
    R, P, n = spins.shape
    for r in prange(R):
        st = rng[r]
        s = spins[r]
        f = fields[r]
        n_local = 0
        n_global = 0
        for t in range(Ks.size):
            K = Ks[t]
            for k in range(P):
                kp = k - 1 if k > 0 else P - 1
                kn = k + 1 if k < P - 1 else 0
                for i in range(n):
                    si = s[k, i]
                    # log acceptance of s -> -s: -a dE - K d(s (s_prev + s_next))
                    x = 2.0 * si * (a * f[k, i] - K * (s[kp, i] + s[kn, i]))
                    if x >= 0.0 or next_double(st) < np.exp(x):
                        _flip(s, f, k, i, indptr, indices, data)
                        n_local += 1
            if global_moves:
                for i in range(n):
                    x = 0.0
                    for k in range(P):
                        x += s[k, i] * f[k, i]
                    x *= 2.0 * a
                    if x >= 0.0 or next_double(st) < np.exp(x):
                        for k in range(P):
                            _flip(s, f, k, i, indptr, indices, data)
                        n_global += 1
        accepted[r, 0] += n_local
        accepted[r, 1] += n_global


@njit(cache=True, parallel=True)
def slice_energies(spins, fields, h, offset):
    """Classical energy of every slice, (R, P): ``offset + sum_i s_i (h_i + f_i) / 2``."""
    R, P, n = spins.shape
    out = np.empty((R, P))
    for r in prange(R):
        for k in range(P):
            e = 0.0
            for i in range(n):
                e += spins[r, k, i] * (h[i] + fields[r, k, i])
            out[r, k] = offset + 0.5 * e
    return out
