"""Numba kernels for exhaustive enumeration in Gray-code order.

State masks: bit q set <-> spin q = -1 (the qubit convention, |0> <-> +1). A chunk fixes the
high bits (its prefix) and walks the low ``chunk_bits`` bits in Gray-code order: one spin flip
per state, O(n) work for the local fields (a contiguous row of the dense coupling matrix,
vectorised), O(1) for the energy. Each chunk keeps the ``k`` lowest energy levels it saw
(energy, count, one representative) and up to ``cap`` ground-state masks.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, nogil=True)
def _record(E, mask, tol, lev_E, lev_cnt, lev_rep, gs, gs_num):
    k = lev_E.size
    for p in range(k):
        if abs(E - lev_E[p]) <= tol:
            lev_cnt[p] += 1
            if p == 0 and gs_num[0] < gs.size:
                gs[gs_num[0]] = mask
                gs_num[0] += 1
            return
        if E < lev_E[p]:
            for q in range(k - 1, p, -1):
                lev_E[q] = lev_E[q - 1]
                lev_cnt[q] = lev_cnt[q - 1]
                lev_rep[q] = lev_rep[q - 1]
            lev_E[p] = E
            lev_cnt[p] = 1
            lev_rep[p] = mask
            if p == 0 and gs.size > 0:
                gs[0] = mask
                gs_num[0] = 1
            return


@njit(cache=True, nogil=True)
def _chunk(J, h, offset, chunk_bits, prefix, tol, lev_E, lev_cnt, lev_rep, gs, gs_num):
    n = h.size
    s = np.empty(n)
    base = prefix << chunk_bits
    for q in range(n):
        s[q] = 1.0 - 2.0 * ((base >> q) & 1)
    f = h.copy()
    for a in range(n):
        for b in range(n):
            f[a] += J[a, b] * s[b]
    E = offset
    for a in range(n):
        E += s[a] * (h[a] + 0.5 * (f[a] - h[a]))
    k = lev_E.size
    _record(E, base, tol, lev_E, lev_cnt, lev_rep, gs, gs_num)
    thr = lev_E[k - 1] + tol
    gray = 0
    for t in range(1, 1 << chunk_bits):
        b = 0
        x = t
        while (x & 1) == 0:
            x >>= 1
            b += 1
        sb = s[b]
        E -= 2.0 * sb * f[b]
        s[b] = -sb
        d = -2.0 * sb
        row = J[b]
        for q in range(n):
            f[q] += d * row[q]
        gray ^= 1 << b
        if E < thr:
            _record(E, base | gray, tol, lev_E, lev_cnt, lev_rep, gs, gs_num)
            thr = lev_E[k - 1] + tol


@njit(parallel=True, cache=True)
def enumerate_batch(J, h, offset, chunk_bits, first_prefix, tol, lev_E, lev_cnt, lev_rep, gs, gs_num):
    """Enumerate chunks ``first_prefix .. first_prefix + len(lev_E) - 1`` in parallel.

    ``lev_E`` (C, k) must start at +inf; ``lev_cnt``/``lev_rep`` (C, k); ``gs`` (C, cap);
    ``gs_num`` (C, 1) zeros. Chunk ``c`` writes only to row ``c``.
    """
    for c in prange(lev_E.shape[0]):
        _chunk(J, h, offset, chunk_bits, first_prefix + c, tol, lev_E[c], lev_cnt[c], lev_rep[c], gs[c], gs_num[c])
