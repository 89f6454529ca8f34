"""Adjoint (backward) kernels of the QAOA statevector engine: undo each layer on psi and lam = E psi.

Layouts and passes are those of :mod:`qspin.qaoa._sv_kernels` (``psi = x + i y``,
``lam = u + i w``, split real and imaginary arrays). Undoing a layer applies ``exp(+i beta X)``
to both states and then ``exp(+i gamma E)``; on the way the kernels accumulate
``Im <lam|X_j|psi>`` and ``Im <lam|E|psi>``, which those common rotations and phases leave
unchanged, so each is read where the data is already loaded.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from qspin.qaoa._sv_kernels import (
    _FM,
    SHORT,
    _mirror_blocks,
    _pair,
    _quad,
    cis,
    rot2,
    rot4,
)

# The X terms Im <lam|X_j|psi> are unchanged by rotations applied to both states alike, so the
# adjoint butterflies read them from the amplitudes they are about to rotate: one pass over the
# four arrays instead of a read pass plus two rotation passes. fastmath with reassociation lets
# LLVM vectorise the sums (these kernels have no range reduction to protect).


@njit(inline="always", fastmath=True)
def _x2(lr, li, ar, ai):
    """Im(conj(l) a)."""
    return lr * ai - li * ar


@njit(inline="always", fastmath=True)
def _x4(a0r, a0i, a1r, a1i, a2r, a2i, a3r, a3i, l0r, l0i, l1r, l1i, l2r, l2i, l3r, l3i):
    """A quad's share of Im <lam|X_q + X_r|psi> (pairs 0-1, 2-3 for q; 0-2, 1-3 for r)."""
    acc = _x2(l0r, l0i, a1r, a1i) + _x2(l1r, l1i, a0r, a0i) + _x2(l2r, l2i, a3r, a3i) + _x2(l3r, l3i, a2r, a2i)
    return acc + _x2(l0r, l0i, a2r, a2i) + _x2(l2r, l2i, a0r, a0i) + _x2(l1r, l1i, a3r, a3i) + _x2(l3r, l3i, a1r, a1i)


@njit(inline="always", fastmath=True)
def _quad_adj(x, y, u, w, i0, i1, i2, i3, c, s):
    """``_quad`` on psi = (x, y) and lam = (u, w); returns the quad's share of Im <lam|X_q + X_r|psi>."""
    acc = _x4(
        x[i0], y[i0], x[i1], y[i1], x[i2], y[i2], x[i3], y[i3], u[i0], w[i0], u[i1], w[i1], u[i2], w[i2], u[i3], w[i3]
    )
    _quad(x, y, i0, i1, i2, i3, c, s)
    _quad(u, w, i0, i1, i2, i3, c, s)
    return acc


@njit(inline="always", fastmath=True)
def _pair_adj(x, y, u, w, i0, i1, c, s):
    acc = _x2(u[i0], w[i0], x[i1], y[i1]) + _x2(u[i1], w[i1], x[i0], y[i0])
    _pair(x, y, i0, i1, c, s)
    _pair(u, w, i0, i1, c, s)
    return acc


@njit(cache=True, fastmath=True)
def _quad_rows_adj(x0, y0, x1, y1, x2, y2, x3, y3, u0, w0, u1, w1, u2, w2, u3, w3, c, s):
    """``_quad_rows`` on both states; returns the rows' share of Im <lam|X_q + X_r|psi>."""
    acc = 0.0
    for t in range(x0.size):
        a0r, a0i, a1r, a1i, a2r, a2i, a3r, a3i = x0[t], y0[t], x1[t], y1[t], x2[t], y2[t], x3[t], y3[t]
        l0r, l0i, l1r, l1i, l2r, l2i, l3r, l3i = u0[t], w0[t], u1[t], w1[t], u2[t], w2[t], u3[t], w3[t]
        acc += _x4(a0r, a0i, a1r, a1i, a2r, a2i, a3r, a3i, l0r, l0i, l1r, l1i, l2r, l2i, l3r, l3i)
        x0[t], y0[t], x1[t], y1[t], x2[t], y2[t], x3[t], y3[t] = rot4(a0r, a0i, a1r, a1i, a2r, a2i, a3r, a3i, c, s)
        u0[t], w0[t], u1[t], w1[t], u2[t], w2[t], u3[t], w3[t] = rot4(l0r, l0i, l1r, l1i, l2r, l2i, l3r, l3i, c, s)
    return acc


@njit(cache=True, fastmath=True)
def _pair_rows_adj(x0, y0, x1, y1, u0, w0, u1, w1, c, s):
    acc = 0.0
    for t in range(x0.size):
        ar, ai, br, bi = x0[t], y0[t], x1[t], y1[t]
        lr, li, mr, mi = u0[t], w0[t], u1[t], w1[t]
        acc += _x2(lr, li, br, bi) + _x2(mr, mi, ar, ai)
        x0[t], y0[t], x1[t], y1[t] = rot2(ar, ai, br, bi, c, s)
        u0[t], w0[t], u1[t], w1[t] = rot2(lr, li, mr, mi, c, s)
    return acc


@njit(inline="always")
def _quad_at_adj(x, y, u, w, a, d, seg, c, s):
    b, e, f = a + d, a + 2 * d, a + 3 * d
    return _quad_rows_adj(
        x[a : a + seg], y[a : a + seg], x[b : b + seg], y[b : b + seg],
        x[e : e + seg], y[e : e + seg], x[f : f + seg], y[f : f + seg],
        u[a : a + seg], w[a : a + seg], u[b : b + seg], w[b : b + seg],
        u[e : e + seg], w[e : e + seg], u[f : f + seg], w[f : f + seg], c, s,
    )  # fmt: skip


@njit(inline="always")
def _pair_at_adj(x, y, u, w, a, d, seg, c, s):
    b = a + d
    return _pair_rows_adj(
        x[a : a + seg], y[a : a + seg], x[b : b + seg], y[b : b + seg],
        u[a : a + seg], w[a : a + seg], u[b : b + seg], w[b : b + seg], c, s,
    )  # fmt: skip


@njit(cache=True, fastmath=True)
def _rot_short_adj(x, y, u, w, nq, c, s):
    """``_rot_short`` on both states (slices); returns sum_{j<nq} of the slice's Im <lam|X_j|psi>."""
    acc = 0.0
    q = 0
    while q + 1 < nq:
        d = 1 << q
        for hi in range(0, x.size, 4 * d):
            for t in range(hi, hi + d):
                acc += _quad_adj(x, y, u, w, t, t + d, t + 2 * d, t + 3 * d, c, s)
        q += 2
    if q < nq:
        d = 1 << q
        for hi in range(0, x.size, 2 * d):
            for t in range(hi, hi + d):
                acc += _pair_adj(x, y, u, w, t, t + d, c, s)
    return acc


@njit(cache=True, fastmath=True)
def _rot0123_adj(x, y, u, w, c, s):
    """Qubits 0-3 of both states on a slice whose length is a multiple of 16."""
    acc = 0.0
    for g in range(0, x.size, 4):
        acc += _quad_adj(x, y, u, w, g, g + 1, g + 2, g + 3, c, s)
    for g in range(0, x.size, 16):
        for t in range(g, g + 4):
            acc += _quad_adj(x, y, u, w, t, t + 4, t + 8, t + 12, c, s)
    return acc


@njit(cache=True)
def _rotate_rows_adj(x, y, u, w, base, lo, m, seg, c, s):
    """``_rotate_rows`` on both states; returns the rows' share of sum_j Im <lam|X_j|psi>."""
    acc = 0.0
    q = 0
    while q + 1 < m:
        d = 1 << (lo + q)
        for r in range(1 << m):
            if (r >> q) & 3 == 0:
                acc += _quad_at_adj(x, y, u, w, base + (r << lo), d, seg, c, s)
        q += 2
    if q < m:
        d = 1 << (lo + q)
        for r in range(1 << m):
            if (r >> q) & 1 == 0:
                acc += _pair_at_adj(x, y, u, w, base + (r << lo), d, seg, c, s)
    return acc


@njit(cache=True)
def _rotate_block_adj(x, y, u, w, base, low, c, s):
    """``_rotate_block`` on both states; returns the block's share of sum_{j<low} Im <lam|X_j|psi>."""
    size = 1 << low
    sl = slice(base, base + size)
    if low < SHORT:
        return _rot_short_adj(x[sl], y[sl], u[sl], w[sl], low, c, s)
    acc = _rot0123_adj(x[sl], y[sl], u[sl], w[sl], c, s)
    q = SHORT
    while q + 1 < low:
        d = 1 << q
        for hi in range(base, base + size, 4 * d):
            acc += _quad_at_adj(x, y, u, w, hi, d, d, c, s)
        q += 2
    if q < low:
        d = 1 << q
        for hi in range(base, base + size, 2 * d):
            acc += _pair_at_adj(x, y, u, w, hi, d, d, c, s)
    return acc


@njit(cache=True, fastmath=True)
def _eterm_rows(xb, yb, ub, wb, db):
    """Im <lam|E|psi> on a block."""
    acc = 0.0
    for k in range(db.size):
        acc += db[k] * (ub[k] * yb[k] - wb[k] * xb[k])
    return acc


@njit(cache=True, fastmath=_FM)
def _unphase_rows(xb, yb, ub, wb, db, gamma, fast):
    """Both states times exp(+i gamma E)."""
    for k in range(db.size):
        cr, si = cis(gamma * db[k], fast)
        re, im = xb[k], yb[k]
        xb[k], yb[k] = re * cr - im * si, im * cr + re * si
        re, im = ub[k], wb[k]
        ub[k], wb[k] = re * cr - im * si, im * cr + re * si


@njit(cache=True, parallel=True)
def unmix_high(x, y, u, w, lo, m, seg, c, s):
    """Rotate qubits lo..lo+m-1 of both states by exp(+i beta X); returns sum_j Im <lam|X_j|psi>."""
    nseg = (1 << lo) // seg
    ntiles = (x.size >> (lo + m)) * nseg
    parts = np.zeros(ntiles)
    for tile in prange(ntiles):
        base = ((tile // nseg) << (lo + m)) + (tile % nseg) * seg
        parts[tile] = _rotate_rows_adj(x, y, u, w, base, lo, m, seg, c, -s)
    return parts.sum()


@njit(cache=True, parallel=True)
def unmix_unphase_low(x, y, u, w, diag, gamma, c, s, low, fast):
    """Undo a low pass on both states (rotations, then the phase).

    Returns ``(sum_{j<low} Im <lam|X_j|psi>, Im <lam|E|psi>)``; both are unchanged by the
    common rotations (they commute with X_j) and by the common phase (it commutes with E), so
    they are read at whatever point of the pass is convenient.
    """
    size = 1 << low
    nblk = diag.size >> low
    parts = np.zeros((nblk, 2))
    for blk in prange(nblk):
        base = blk << low
        parts[blk, 0] = _rotate_block_adj(x, y, u, w, base, low, c, -s)
        sl = slice(base, base + size)
        xb, yb, ub, wb, db = x[sl], y[sl], u[sl], w[sl], diag[sl]
        parts[blk, 1] = _eterm_rows(xb, yb, ub, wb, db)
        _unphase_rows(xb, yb, ub, wb, db, gamma, fast)
    return parts[:, 0].sum(), parts[:, 1].sum()


# --- flip-symmetric states (see _sv_kernels): the top qubit pairs k with its mirror M - 1 - k ---


@njit(cache=True, fastmath=True)
def _reflect_rows_adj(xa, ya, xb, yb, ua, wa, ub, wb, c, s):
    """``_reflect_rows`` on both states; returns the top qubit's share of Im <lam|X|psi>."""
    last = xb.size - 1
    acc = 0.0
    for t in range(xa.size):
        r = last - t
        ar, ai, br, bi = xa[t], ya[t], xb[r], yb[r]
        lr, li, mr, mi = ua[t], wa[t], ub[r], wb[r]
        acc += _x2(lr, li, br, bi) + _x2(mr, mi, ar, ai)
        xa[t], ya[t], xb[r], yb[r] = rot2(ar, ai, br, bi, c, s)
        ua[t], wa[t], ub[r], wb[r] = rot2(lr, li, mr, mi, c, s)
    return acc


@njit(cache=True, parallel=True)
def unmix_unphase_low_sym(x, y, u, w, diag, gamma, c, s, low, fast):
    """``unmix_unphase_low`` for the stored halves; the X sum includes the top qubit."""
    size = 1 << low
    nblk = diag.size >> low
    npairs = max(nblk // 2, 1)
    parts = np.zeros((npairs, 2))
    for pb in prange(npairs):
        a, b, half = _mirror_blocks(nblk, pb, low)
        sa = slice(a, a + size)
        if half:
            lo_, hi_ = slice(0, half), slice(half, size)
            px = _reflect_rows_adj(x[lo_], y[lo_], x[hi_], y[hi_], u[lo_], w[lo_], u[hi_], w[hi_], c, -s)
        else:
            sb = slice(b, b + size)
            px = _reflect_rows_adj(x[sa], y[sa], x[sb], y[sb], u[sa], w[sa], u[sb], w[sb], c, -s)
            px += _rotate_block_adj(x, y, u, w, b, low, c, -s)
            parts[pb, 1] = _eterm_rows(x[sb], y[sb], u[sb], w[sb], diag[sb])
            _unphase_rows(x[sb], y[sb], u[sb], w[sb], diag[sb], gamma, fast)
        px += _rotate_block_adj(x, y, u, w, a, low, c, -s)
        parts[pb, 0] = px
        parts[pb, 1] += _eterm_rows(x[sa], y[sa], u[sa], w[sa], diag[sa])
        _unphase_rows(x[sa], y[sa], u[sa], w[sa], diag[sa], gamma, fast)
    return parts[:, 0].sum(), parts[:, 1].sum()
