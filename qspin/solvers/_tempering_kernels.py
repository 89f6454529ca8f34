"""Numba kernels for parallel tempering with two ladders (replicas a and b) per run.

Layout, for ``R`` runs (reads), ``T`` temperatures and ``n`` spins:

- ``spins`` (R, 2, T, n) int8 and ``fields`` (R, 2, T, n) float64: replica ``slot`` of ladder ``c``
  of run ``r``. Local fields are ``f_i = h_i + sum_j J_ij s_j``, so flipping ``s_i`` costs
  ``dE = -2 s_i f_i``; they are kept up to date on every accepted flip.
- ``energies`` (R, 2, T): the energy of each slot (offset included), computed once by
  :func:`init_fields` and then updated incrementally. Nothing is recomputed between blocks, so
  the floating-point history, hence every decision, does not depend on the block size.
- ``perm`` (R, 2, T) int64: ``perm[r, c, k]`` is the slot at temperature ``k`` (``betas`` increase
  with ``k``). A replica exchange swaps two entries of ``perm``, never the spins.
- ``rng`` (R, 2 T + 1, 4) uint64: one stream per slot (Metropolis) and one per run (exchanges,
  Houdayer moves), so a run's trajectory does not depend on how runs are spread over threads.

One call of :func:`run_block` does up to ``num_sweeps`` sweeps of every run (parallel over runs).
A sweep is: one sequential Metropolis pass over the spins of every replica, then Houdayer cluster
moves between ladders a and b at temperatures ``k >= houdayer_from``, then replica exchange
attempts between neighbouring temperatures within each ladder (even pairs, then odd pairs).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from qspin.solvers._rng import next_below, next_double


@njit(cache=True, nogil=True)
def _fields_and_energy(indptr, indices, data, h, offset, s, f):
    """Fill ``f`` with the local fields of ``s`` and return the energy."""
    n = h.size
    e2 = 0.0
    for i in range(n):
        acc = h[i]
        for p in range(indptr[i], indptr[i + 1]):
            acc += data[p] * s[indices[p]]
        f[i] = acc
        e2 += s[i] * (acc + h[i])
    return offset + 0.5 * e2


@njit(cache=True, nogil=True)
def _flip(indptr, indices, data, s, f, i):
    """Flip spin ``i`` and update the neighbours' fields; return the energy change."""
    si = s[i]
    dE = -2.0 * si * f[i]
    s[i] = -si
    for p in range(indptr[i], indptr[i + 1]):
        f[indices[p]] -= 2.0 * data[p] * si
    return dE


@njit(cache=True, nogil=True)
def metropolis_sweep(indptr, indices, data, beta, s, f, st):
    """One sequential Metropolis pass over all spins at inverse temperature ``beta``; returns dE.

    Moves with ``beta dE > 40`` (acceptance below 5e-18, under the resolution of the uniform draw)
    are rejected without drawing a number.
    """
    total = 0.0
    for i in range(s.size):
        dE = -2.0 * s[i] * f[i]
        if dE > 0.0:
            x = beta * dE
            if x > 40.0 or next_double(st) >= np.exp(-x):
                continue
        total += _flip(indptr, indices, data, s, f, i)
    return total


@njit(cache=True, nogil=True)
def houdayer_move(indptr, indices, data, sa, fa, sb, fb, symmetric, st, stamp, mark, stack):
    """Houdayer (2001) cluster move between two replicas at the same temperature.

    A site where the replicas disagree is drawn uniformly; the connected cluster of disagreeing
    sites containing it (bonds with nonzero coupling) is flipped in both replicas. This swaps the
    replicas' values on the cluster, so ``E_a + E_b`` is unchanged (fields included) and the move is
    accepted with probability one. Without fields (``symmetric``: ``E(s) = E(-s)``) and with more
    disagreeing than agreeing sites, replica b is seen through a global flip, as Houdayer does: the
    cluster is then grown on the agreeing sites, which keeps clusters below half the system. The
    choice does not change under the move, so detailed balance holds. ``stamp`` (n,) int64 marks
    visited sites with the value ``mark``. Returns ``(dE_a, dE_b, cluster_size)``.
    """
    n = sa.size
    nd = 0
    for i in range(n):
        if sa[i] != sb[i]:
            nd += 1
    want = True  # grow on sites where (sa[i] != sb[i]) == want
    if symmetric and 2 * nd > n:
        want = False
        nd = n - nd
    if nd == 0:
        return 0.0, 0.0, 0
    pick = next_below(st, nd)
    seed_site = 0
    for i in range(n):
        if (sa[i] != sb[i]) == want:
            if pick == 0:
                seed_site = i
                break
            pick -= 1
    dEa = 0.0
    dEb = 0.0
    size = 0
    top = 0
    stack[0] = seed_site
    top = 1
    stamp[seed_site] = mark
    while top > 0:
        top -= 1
        u = stack[top]
        dEa += _flip(indptr, indices, data, sa, fa, u)
        dEb += _flip(indptr, indices, data, sb, fb, u)
        size += 1
        for p in range(indptr[u], indptr[u + 1]):
            v = indices[p]
            if data[p] != 0.0 and stamp[v] != mark and (sa[v] != sb[v]) == want:
                stamp[v] = mark
                stack[top] = v
                top += 1
    return dEa, dEb, size


@njit(cache=True, nogil=True)
def _state_index(s):
    """Basis index of a state of n <= 62 spins: bit i set <-> s_i = -1."""
    idx = 0
    for i in range(s.size):
        if s[i] < 0:
            idx |= 1 << i
    return idx


@njit(cache=True, parallel=True)
def init_replicas(spins, rng):
    """Uniformly random spins for every replica, each slot from its own stream."""
    R, _, T, n = spins.shape
    for r in prange(R):
        for c in range(2):
            for k in range(T):
                st = rng[r, c * T + k]
                for i in range(n):
                    spins[r, c, k, i] = 1 if next_double(st) < 0.5 else -1


@njit(cache=True, parallel=True)
def init_fields(indptr, indices, data, h, offset, spins, fields, energies):
    """Local fields and energies of every replica, from scratch."""
    R, _, T, _ = spins.shape
    for r in prange(R):
        for c in range(2):
            for k in range(T):
                energies[r, c, k] = _fields_and_energy(
                    indptr, indices, data, h, offset, spins[r, c, k], fields[r, c, k]
                )


@njit(cache=True, parallel=True)
def run_block(indptr, indices, data, symmetric, houdayer_from, spins, fields, energies, perm, rng, e_sum, q_mom,
              q_hist, n_meas, cluster_stats, best_E, best_spins, done, sweeps_done, sweeps_to_target,
              betas, num_sweeps, measure, swap_acc, swap_att, target, trace_k, trace):  # fmt: skip
    """Up to ``num_sweeps`` sweeps of every run not yet ``done`` (see the module docstring).

    ``symmetric``: ``h = 0``; ``houdayer_from``: the first temperature index with Houdayer moves
    (``T``: none). Statistics accumulate into the arrays passed: ``swap_acc``/``swap_att`` (R, T-1)
    and ``cluster_stats`` (R, 2) (Houdayer moves, flipped sites) always; with ``measure``: ``e_sum``
    (R, T) summed energies of both ladders, ``q_mom`` (R, T, 3) sums of |q|, q^2, q^4, ``q_hist``
    (R, H, n+1) counts of ``m = n q`` at index ``(m + n) / 2`` (``H = T``: every temperature;
    ``H = 1``: the coldest only) and ``n_meas`` (R,). ``best_E``/``best_spins`` keep each run's
    lowest-energy state seen at the end of a sweep. A run whose best energy reaches ``target`` is
    marked done and its sweep count is written to ``sweeps_to_target``. With ``trace_k >= 0``, the
    basis index of the state at temperature ``trace_k`` of both ladders is written to ``trace``
    (R, 2, num_sweeps).

    Arrays are flat arguments and the sweep loop has no ``break``: numba 0.68 loses writes made just
    before a ``break`` inside ``prange`` to arrays unpacked from a tuple argument.
    """
    R, _, T, n = spins.shape
    H = q_hist.shape[1]
    for r in prange(R):
        ctrl = rng[r, 2 * T]
        stamp = np.zeros(n, dtype=np.int64)
        stack = np.empty(n, dtype=np.int64)
        mark = 0
        t = 0
        while t < num_sweeps and not done[r]:
            for c in range(2):
                for k in range(T):
                    slot = perm[r, c, k]
                    energies[r, c, slot] += metropolis_sweep(
                        indptr, indices, data, betas[k], spins[r, c, slot], fields[r, c, slot], rng[r, c * T + slot]
                    )
            for k in range(houdayer_from, T):
                a = perm[r, 0, k]
                b = perm[r, 1, k]
                mark += 1
                dEa, dEb, size = houdayer_move(
                    indptr,
                    indices,
                    data,
                    spins[r, 0, a],
                    fields[r, 0, a],
                    spins[r, 1, b],
                    fields[r, 1, b],
                    symmetric,
                    ctrl,
                    stamp,
                    mark,
                    stack,
                )
                energies[r, 0, a] += dEa
                energies[r, 1, b] += dEb
                cluster_stats[r, 0] += 1
                cluster_stats[r, 1] += size
            for c in range(2):
                for parity in range(2):
                    for k in range(parity, T - 1, 2):
                        a = perm[r, c, k]
                        b = perm[r, c, k + 1]
                        delta = (betas[k] - betas[k + 1]) * (energies[r, c, a] - energies[r, c, b])
                        swap_att[r, k] += 1
                        if delta >= 0.0 or next_double(ctrl) < np.exp(delta):
                            perm[r, c, k] = b
                            perm[r, c, k + 1] = a
                            swap_acc[r, k] += 1
            for c in range(2):
                for k in range(T):
                    if energies[r, c, k] < best_E[r]:
                        best_E[r] = energies[r, c, k]
                        best_spins[r, :] = spins[r, c, k]
            sweeps_done[r] += 1
            if measure:
                n_meas[r] += 1
                for k in range(T):
                    sa = spins[r, 0, perm[r, 0, k]]
                    sb = spins[r, 1, perm[r, 1, k]]
                    e_sum[r, k] += energies[r, 0, perm[r, 0, k]] + energies[r, 1, perm[r, 1, k]]
                    m = 0
                    for i in range(n):
                        m += np.int64(sa[i]) * np.int64(sb[i])
                    q = m / n
                    q_mom[r, k, 0] += abs(q)
                    q_mom[r, k, 1] += q * q
                    q_mom[r, k, 2] += q * q * q * q
                    if H == T:
                        q_hist[r, k, (m + n) // 2] += 1
                    elif k == T - 1:
                        q_hist[r, 0, (m + n) // 2] += 1
            if trace_k >= 0:
                trace[r, 0, t] = _state_index(spins[r, 0, perm[r, 0, trace_k]])
                trace[r, 1, t] = _state_index(spins[r, 1, perm[r, 1, trace_k]])
            if best_E[r] <= target:
                done[r] = True
                sweeps_to_target[r] = sweeps_done[r]
            t += 1


@njit(cache=True, parallel=True)
def quench_gaps(indptr, indices, data, h, spins, max_sweeps):
    """Zero-temperature descent from each row of ``spins`` (K, n); returns the single-flip costs
    ``2 |f_i|`` at the local minima reached, (K, n). Used to size the default ladder."""
    K, n = spins.shape
    gaps = np.empty((K, n))
    for r in prange(K):
        s = spins[r]
        f = np.empty(n)
        _fields_and_energy(indptr, indices, data, h, 0.0, s, f)
        flipped = True
        sweeps = 0
        while flipped and sweeps < max_sweeps:
            flipped = False
            for i in range(n):
                if s[i] * f[i] > 0.0:
                    _flip(indptr, indices, data, s, f, i)
                    flipped = True
            sweeps += 1
        for i in range(n):
            gaps[r, i] = 2.0 * abs(f[i])
    return gaps
