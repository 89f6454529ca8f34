"""Numba kernels of the QAOA statevector engine: a diagonal cost phase and an X mixer, blocked.

Amplitudes are complex128, passed to the kernels as their float64 view ``v`` (``v[2k]`` real,
``v[2k+1]`` imaginary part of amplitude ``k``); index ``k = sum_q b_q 2^q``, qubit 0 least
significant. The mixer ``exp(-i beta X)`` on one qubit maps a pair ``(a, b)`` (bit clear, bit set)
to ``(c a - i s b, c b - i s a)`` with ``c = cos beta``, ``s = sin beta``.

Memory passes per layer: a *low* pass walks contiguous blocks of ``2^low`` amplitudes (cache
resident), applies the phase and then the rotations of qubits ``0..low-1`` two at a time
(radix 4); each *high* pass rotates up to ``m`` further qubits at once on tiles of ``2^m`` rows
of ``seg`` contiguous amplitudes. The backward (adjoint) kernels carry a second array through
the same passes and accumulate ``Im <lam|X_j|psi>`` and ``Im <lam|E|psi>`` on the way.

``cis`` is a branch-free sine/cosine (Cody-Waite reduction to [-pi/4, pi/4], Cephes minimax
polynomials, about 1 ulp) that LLVM vectorises; libm's is ~15x slower here. It is exact in the
reduction while ``|x| < 2^20 pi/2``; the callers switch to libm beyond that.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

# fastmath without 'reassoc', which could fold the range reduction away
_FM = {"nnan", "ninf", "nsz", "arcp", "contract"}
_S0, _S1, _S2 = 1.58962301576546568060e-10, -2.50507477628578072866e-8, 2.75573136213857245213e-6
_S3, _S4, _S5 = -1.98412698295895385996e-4, 8.33333333332211858878e-3, -1.66666666666666307295e-1
_C0, _C1, _C2 = -1.13585365213876817300e-11, 2.08757008419747316778e-9, -2.75573141792967388112e-7
_C3, _C4, _C5 = 2.48015872888517045348e-5, -1.38888888888730564116e-3, 4.16666666666665929218e-2
_P1, _P2, _P3 = 1.57079632673412561417e00, 6.07710050630396597660e-11, 2.02226624879595063154e-21
FAST_TRIG_LIMIT = 1.0e6  # |gamma * E| below which cis is exact in its range reduction


@njit(inline="always", fastmath=_FM)
def cis(x, fast):
    """(cos x, sin x)."""
    if not fast:
        return np.cos(x), np.sin(x)
    j = np.floor(x * 0.63661977236758134308 + 0.5)
    y = ((x - j * _P1) - j * _P2) - j * _P3
    z = y * y
    s = y + y * z * (((((_S0 * z + _S1) * z + _S2) * z + _S3) * z + _S4) * z + _S5)
    c = 1.0 - 0.5 * z + z * z * (((((_C0 * z + _C1) * z + _C2) * z + _C3) * z + _C4) * z + _C5)
    q = j - 4.0 * np.floor(j * 0.25)  # quadrant 0..3
    odd = (q == 1.0) | (q == 3.0)
    cc = s if odd else c
    ss = c if odd else s
    if (q == 1.0) | (q == 2.0):
        cc = -cc
    if q >= 2.0:
        ss = -ss
    return cc, ss


# --- the cost diagonal ---------------------------------------------------------------------


@njit(cache=True, parallel=True, fastmath=_FM)
def ising_diagonal(J, h, offset, low, out):
    """``out[k] = E(spins of k)`` for a dense symmetric ``J`` (zero diagonal) and fields ``h``.

    ``E = A(high bits) + sum_{i<low} s_i g_i(high bits) + T(low bits)``: the quadratic table
    ``T`` is built once, and within each block of ``2^low`` states the linear part is filled
    by doubling (``L[t + 2^i] = L[t] - 2 g_i``), so a state costs O(1) and a block O(n^2).
    """
    n = h.size
    size = 1 << low
    T = np.empty(size)
    for t in prange(size):
        acc = 0.0
        for i in range(low):
            si = 1.0 - 2.0 * ((t >> i) & 1)
            for j in range(i + 1, low):
                acc += J[i, j] * si * (1.0 - 2.0 * ((t >> j) & 1))
        T[t] = acc
    for blk in prange(out.size >> low):
        s = np.empty(n)
        for j in range(low, n):
            s[j] = 1.0 - 2.0 * ((blk >> (j - low)) & 1)
        const = offset
        for j in range(low, n):
            const += h[j] * s[j]
            for m in range(j + 1, n):
                const += J[j, m] * s[j] * s[m]
        base = blk << low
        g = np.empty(low)
        tot = const
        for i in range(low):
            gi = h[i]
            for j in range(low, n):
                gi += J[i, j] * s[j]
            g[i] = gi
            tot += gi
        out[base] = tot
        for i in range(low):
            step = 1 << i
            d = 2.0 * g[i]
            for t in range(step):
                out[base + step + t] = out[base + t] - d
        for t in range(size):
            out[base + t] += T[t]


# --- butterflies ---------------------------------------------------------------------------
# Hot loops live in small separately compiled functions taking slices that start at index 0:
# inlined into a bigger prange body, LLVM stops vectorising them.


@njit(inline="always", fastmath=_FM)
def _quad(v, i0, i1, i2, i3, c, s):
    """exp(-i beta X) on both qubits of the 4 amplitudes i0, i1 = i0^q, i2 = i0^r, i3 = i0^q^r."""
    a0r, a0i, a1r, a1i = v[2 * i0], v[2 * i0 + 1], v[2 * i1], v[2 * i1 + 1]
    a2r, a2i, a3r, a3i = v[2 * i2], v[2 * i2 + 1], v[2 * i3], v[2 * i3 + 1]
    b0r, b0i, b1r, b1i = c * a0r + s * a1i, c * a0i - s * a1r, c * a1r + s * a0i, c * a1i - s * a0r
    b2r, b2i, b3r, b3i = c * a2r + s * a3i, c * a2i - s * a3r, c * a3r + s * a2i, c * a3i - s * a2r
    v[2 * i0], v[2 * i0 + 1] = c * b0r + s * b2i, c * b0i - s * b2r
    v[2 * i2], v[2 * i2 + 1] = c * b2r + s * b0i, c * b2i - s * b0r
    v[2 * i1], v[2 * i1 + 1] = c * b1r + s * b3i, c * b1i - s * b3r
    v[2 * i3], v[2 * i3 + 1] = c * b3r + s * b1i, c * b3i - s * b1r


@njit(inline="always", fastmath=_FM)
def _pair(v, i0, i1, c, s):
    ar, ai, br, bi = v[2 * i0], v[2 * i0 + 1], v[2 * i1], v[2 * i1 + 1]
    v[2 * i0], v[2 * i0 + 1] = c * ar + s * bi, c * ai - s * br
    v[2 * i1], v[2 * i1 + 1] = c * br + s * ai, c * bi - s * ar


@njit(cache=True, fastmath=_FM)
def _quad_rows(r0, r1, r2, r3, c, s):
    """``_quad`` along rows (float views of equal length); r1, r2 differ from r0 in one qubit each."""
    for t in range(r0.size // 2):
        a0r, a0i, a1r, a1i = r0[2 * t], r0[2 * t + 1], r1[2 * t], r1[2 * t + 1]
        a2r, a2i, a3r, a3i = r2[2 * t], r2[2 * t + 1], r3[2 * t], r3[2 * t + 1]
        b0r, b0i, b1r, b1i = c * a0r + s * a1i, c * a0i - s * a1r, c * a1r + s * a0i, c * a1i - s * a0r
        b2r, b2i, b3r, b3i = c * a2r + s * a3i, c * a2i - s * a3r, c * a3r + s * a2i, c * a3i - s * a2r
        r0[2 * t], r0[2 * t + 1] = c * b0r + s * b2i, c * b0i - s * b2r
        r2[2 * t], r2[2 * t + 1] = c * b2r + s * b0i, c * b2i - s * b0r
        r1[2 * t], r1[2 * t + 1] = c * b1r + s * b3i, c * b1i - s * b3r
        r3[2 * t], r3[2 * t + 1] = c * b3r + s * b1i, c * b3i - s * b1r


@njit(cache=True, fastmath=_FM)
def _pair_rows(r0, r1, c, s):
    for t in range(r0.size // 2):
        ar, ai, br, bi = r0[2 * t], r0[2 * t + 1], r1[2 * t], r1[2 * t + 1]
        r0[2 * t], r0[2 * t + 1] = c * ar + s * bi, c * ai - s * br
        r1[2 * t], r1[2 * t + 1] = c * br + s * ai, c * bi - s * ar


@njit(inline="always")
def _row(v, start, length):
    return v[2 * start : 2 * (start + length)]


@njit(cache=True, fastmath=_FM)
def _rotate_rows(v, base, lo, m, seg, c, s):
    """Rotate qubits lo..lo+m-1 on the 2^m rows ``base + (r << lo) + [0, seg)``, two at a time."""
    q = 0
    while q + 1 < m:
        d = 1 << (lo + q)
        for r in range(1 << m):
            if (r >> q) & 3 == 0:
                a = base + (r << lo)
                _quad_rows(_row(v, a, seg), _row(v, a + d, seg), _row(v, a + 2 * d, seg), _row(v, a + 3 * d, seg), c, s)
        q += 2
    if q < m:
        d = 1 << (lo + q)
        for r in range(1 << m):
            if (r >> q) & 1 == 0:
                a = base + (r << lo)
                _pair_rows(_row(v, a, seg), _row(v, a + d, seg), c, s)


SHORT = 4  # qubits 0..3 are rotated by index: rows of fewer than 16 amplitudes are too short to slice


@njit(cache=True, fastmath=_FM)
def _rotate_block(v, base, low, c, s):
    """Rotate qubits 0..low-1 of the contiguous block of 2^low amplitudes at ``base``."""
    size = 1 << low
    short = min(low, SHORT)
    q = 0
    while q + 1 < short:
        s1 = 1 << q
        for hi in range(base, base + size, 4 * s1):
            for t in range(hi, hi + s1):
                _quad(v, t, t + s1, t + 2 * s1, t + 3 * s1, c, s)
        q += 2
    if q < short:
        s1 = 1 << q
        for hi in range(base, base + size, 2 * s1):
            for t in range(hi, hi + s1):
                _pair(v, t, t + s1, c, s)
    if short < low:
        _rotate_rows(v, base, short, low - short, 1 << short, c, s)


@njit(cache=True, fastmath=_FM)
def _phase_rows(vb, db, gamma, fast, init, amp):
    """``vb *= exp(-i gamma db)``, or with ``init`` ``vb = amp exp(-i gamma db)``."""
    if init:
        for k in range(db.size):
            cr, si = cis(gamma * db[k], fast)
            vb[2 * k], vb[2 * k + 1] = amp * cr, -amp * si
    else:
        for k in range(db.size):
            cr, si = cis(gamma * db[k], fast)
            re, im = vb[2 * k], vb[2 * k + 1]
            vb[2 * k], vb[2 * k + 1] = re * cr + im * si, im * cr - re * si


# --- forward passes ------------------------------------------------------------------------


@njit(cache=True, parallel=True)
def phase_low(v, diag, gamma, c, s, low, mix, init, fast):
    """One pass: ``psi *= exp(-i gamma E)`` then (if ``mix``) rotate qubits 0..low-1.

    With ``init`` the state is taken to be |+>^n and only written (the first layer).
    """
    amp = 1.0 / np.sqrt(diag.size)
    size = 1 << low
    for blk in prange(diag.size >> low):
        base = blk << low
        _phase_rows(_row(v, base, size), diag[base : base + size], gamma, fast, init, amp)
        if mix:
            _rotate_block(v, base, low, c, s)


@njit(cache=True, parallel=True)
def mix_low(v, c, s, low):
    """One pass rotating qubits 0..low-1 (blocks of 2^low amplitudes)."""
    for blk in prange((v.size // 2) >> low):
        _rotate_block(v, blk << low, low, c, s)


@njit(cache=True, parallel=True)
def mix_high(v, lo, m, seg, c, s):
    """One pass rotating qubits lo..lo+m-1 (tiles of 2^m rows of ``seg`` amplitudes)."""
    nseg = (1 << lo) // seg
    for tile in prange((v.size // 2 >> (lo + m)) * nseg):
        _rotate_rows(v, ((tile // nseg) << (lo + m)) + (tile % nseg) * seg, lo, m, seg, c, s)


@njit(cache=True, parallel=True, fastmath=True)
def expectation(v, diag):
    """sum_k |psi_k|^2 E_k."""
    acc = 0.0
    for k in prange(diag.size):
        acc += (v[2 * k] * v[2 * k] + v[2 * k + 1] * v[2 * k + 1]) * diag[k]
    return acc


@njit(cache=True, parallel=True, fastmath=True)
def probabilities(v, out):
    for k in prange(out.size):
        out[k] = v[2 * k] * v[2 * k] + v[2 * k + 1] * v[2 * k + 1]


@njit(cache=True, parallel=True, fastmath=True)
def times_diagonal(v, diag, w):
    """``w = E psi``; returns <psi|E|psi>."""
    acc = 0.0
    for k in prange(diag.size):
        e = diag[k]
        re, im = v[2 * k], v[2 * k + 1]
        w[2 * k], w[2 * k + 1] = e * re, e * im
        acc += e * (re * re + im * im)
    return acc


# --- backward (adjoint) passes ---------------------------------------------------------------


@njit(cache=True, fastmath=True)
def _xterm_rows(va, wa, vb, wb):
    """sum_t Im(conj(wa_t) vb_t + conj(wb_t) va_t): rows a, b differ in one qubit j; the pairs'
    share of Im <w|X_j|v>."""
    acc = 0.0
    for t in range(va.size // 2):
        acc += (wa[2 * t] * vb[2 * t + 1] - wa[2 * t + 1] * vb[2 * t]) + (
            wb[2 * t] * va[2 * t + 1] - wb[2 * t + 1] * va[2 * t]
        )
    return acc


@njit(cache=True)
def _xterms(v, w, base, lo, m, seg):
    """sum over qubits lo..lo+m-1 of Im <w|X_j|v> restricted to the rows ``base + (r << lo) + [0, seg)``."""
    acc = 0.0
    for q in range(m):
        d = 1 << (lo + q)
        for r in range(1 << m):
            if (r >> q) & 1 == 0:
                a = base + (r << lo)
                acc += _xterm_rows(_row(v, a, seg), _row(w, a, seg), _row(v, a + d, seg), _row(w, a + d, seg))
    return acc


@njit(inline="always", fastmath=True)
def _xterm(v, w, a, b):
    """Im(conj(w_a) v_b + conj(w_b) v_a): one pair's share of Im <w|X_j|v>."""
    return (w[2 * a] * v[2 * b + 1] - w[2 * a + 1] * v[2 * b]) + (w[2 * b] * v[2 * a + 1] - w[2 * b + 1] * v[2 * a])


@njit(cache=True, fastmath=True)
def _xterm_block(v, w, base, low):
    """sum_{j<low} Im <w|X_j|v> restricted to the block of 2^low amplitudes at ``base``."""
    size = 1 << low
    acc = 0.0
    for q in range(min(low, SHORT)):
        d = 1 << q
        for hi in range(base, base + size, 2 * d):
            for t in range(hi, hi + d):
                acc += _xterm(v, w, t, t + d)
    for q in range(SHORT, low):
        for hi in range(base, base + size, 2 << q):
            acc += _xterms(v, w, hi, q, 1, 1 << q)
    return acc


@njit(cache=True, fastmath=True)
def _eterm_rows(vb, wb, db):
    """Im <w|E|v> on a block."""
    acc = 0.0
    for k in range(db.size):
        acc += db[k] * (wb[2 * k] * vb[2 * k + 1] - wb[2 * k + 1] * vb[2 * k])
    return acc


@njit(cache=True, fastmath=_FM)
def _unphase_rows(vb, wb, db, gamma, fast):
    """Both rows times exp(+i gamma E)."""
    for k in range(db.size):
        cr, si = cis(gamma * db[k], fast)
        re, im = vb[2 * k], vb[2 * k + 1]
        vb[2 * k], vb[2 * k + 1] = re * cr - im * si, im * cr + re * si
        re, im = wb[2 * k], wb[2 * k + 1]
        wb[2 * k], wb[2 * k + 1] = re * cr - im * si, im * cr + re * si


@njit(cache=True, parallel=True)
def unmix_high(v, w, lo, m, seg, c, s):
    """Rotate qubits lo..lo+m-1 of both arrays by exp(+i beta X); returns sum_j Im <w|X_j|v>."""
    nseg = (1 << lo) // seg
    ntiles = (v.size // 2 >> (lo + m)) * nseg
    parts = np.zeros(ntiles)
    for tile in prange(ntiles):
        base = ((tile // nseg) << (lo + m)) + (tile % nseg) * seg
        parts[tile] = _xterms(v, w, base, lo, m, seg)
        _rotate_rows(v, base, lo, m, seg, c, -s)
        _rotate_rows(w, base, lo, m, seg, c, -s)
    return parts.sum()


@njit(cache=True, parallel=True)
def unmix_unphase_low(v, w, diag, gamma, c, s, low, fast):
    """Undo a low pass on both arrays (rotations, then the phase).

    Returns ``(sum_{j<low} Im <w|X_j|v>, Im <w|E|v>)``; both are unchanged by the common
    rotations (they commute with X_j) and by the common phase (it commutes with E), so they
    are read at whatever point of the pass is convenient.
    """
    size = 1 << low
    nblk = diag.size >> low
    parts = np.zeros((nblk, 2))
    for blk in prange(nblk):
        base = blk << low
        px = _xterm_block(v, w, base, low)
        _rotate_block(v, base, low, c, -s)
        _rotate_block(w, base, low, c, -s)
        vb, wb, db = _row(v, base, size), _row(w, base, size), diag[base : base + size]
        parts[blk, 0] = px
        parts[blk, 1] = _eterm_rows(vb, wb, db)
        _unphase_rows(vb, wb, db, gamma, fast)
    return parts[:, 0].sum(), parts[:, 1].sum()
