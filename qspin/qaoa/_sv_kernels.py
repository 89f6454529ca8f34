"""Numba kernels of the QAOA statevector engine: a diagonal cost phase and an X mixer, blocked.

The state is held as two float64 arrays, ``x`` the real and ``y`` the imaginary parts (a
structure of arrays: every butterfly is then plain lane-wise arithmetic that LLVM vectorises,
about 1.6x faster than interleaved complex128 here). Index ``k = sum_q b_q 2^q``, qubit 0 least
significant. The mixer ``exp(-i beta X)`` on one qubit maps a pair ``(a, b)`` (bit clear, bit set)
to ``(c a - i s b, c b - i s a)`` with ``c = cos beta``, ``s = sin beta``; in real parts
``a' = (c ar + s bi, c ai - s br)``.

Memory passes per layer: a *low* pass walks contiguous blocks of ``2^low`` amplitudes (cache
resident), applies the phase and then the rotations of qubits ``0..low-1`` two at a time
(radix 4; qubits 0-3 by index within groups of 16, the others along rows of ``2^q``); each *high* pass rotates up to ``m`` further qubits at once on tiles of ``2^m`` rows
of ``seg`` contiguous amplitudes. The backward (adjoint) kernels, in :mod:`qspin.qaoa._sv_adjoint`, carry a
second pair of arrays (``u``, ``w``) through the same passes.

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
def rot2(ar, ai, br, bi, c, s):
    """exp(-i beta X) on the pair (a, b), as reals: ``(a'r, a'i, b'r, b'i)``."""
    return c * ar + s * bi, c * ai - s * br, c * br + s * ai, c * bi - s * ar


@njit(inline="always", fastmath=_FM)
def rot4(a0r, a0i, a1r, a1i, a2r, a2i, a3r, a3i, c, s):
    """exp(-i beta X) on both qubits of a quad (1 = 0^q, 2 = 0^r, 3 = 0^q^r), as eight reals."""
    b0r, b0i, b1r, b1i = rot2(a0r, a0i, a1r, a1i, c, s)
    b2r, b2i, b3r, b3i = rot2(a2r, a2i, a3r, a3i, c, s)
    d0r, d0i, d2r, d2i = rot2(b0r, b0i, b2r, b2i, c, s)
    d1r, d1i, d3r, d3i = rot2(b1r, b1i, b3r, b3i, c, s)
    return d0r, d0i, d1r, d1i, d2r, d2i, d3r, d3i


@njit(inline="always", fastmath=_FM)
def _quad(x, y, i0, i1, i2, i3, c, s):
    """exp(-i beta X) on both qubits of the 4 amplitudes i0, i1 = i0^q, i2 = i0^r, i3 = i0^q^r."""
    x[i0], y[i0], x[i1], y[i1], x[i2], y[i2], x[i3], y[i3] = rot4(
        x[i0], y[i0], x[i1], y[i1], x[i2], y[i2], x[i3], y[i3], c, s
    )


@njit(inline="always", fastmath=_FM)
def _pair(x, y, i0, i1, c, s):
    x[i0], y[i0], x[i1], y[i1] = rot2(x[i0], y[i0], x[i1], y[i1], c, s)


@njit(cache=True, fastmath=_FM)
def _quad_rows(x0, y0, x1, y1, x2, y2, x3, y3, c, s):
    """``_quad`` along four rows of equal length; rows 1, 2 differ from row 0 in one qubit each."""
    for t in range(x0.size):
        x0[t], y0[t], x1[t], y1[t], x2[t], y2[t], x3[t], y3[t] = rot4(
            x0[t], y0[t], x1[t], y1[t], x2[t], y2[t], x3[t], y3[t], c, s
        )


@njit(cache=True, fastmath=_FM)
def _pair_rows(x0, y0, x1, y1, c, s):
    for t in range(x0.size):
        x0[t], y0[t], x1[t], y1[t] = rot2(x0[t], y0[t], x1[t], y1[t], c, s)


@njit(inline="always")
def _quad_at(x, y, a, d, seg, c, s):
    """``_quad_rows`` on the rows ``a + j d + [0, seg)``, j = 0..3."""
    _quad_rows(
        x[a : a + seg], y[a : a + seg], x[a + d : a + d + seg], y[a + d : a + d + seg],
        x[a + 2 * d : a + 2 * d + seg], y[a + 2 * d : a + 2 * d + seg],
        x[a + 3 * d : a + 3 * d + seg], y[a + 3 * d : a + 3 * d + seg], c, s,
    )  # fmt: skip


@njit(inline="always")
def _pair_at(x, y, a, d, seg, c, s):
    _pair_rows(x[a : a + seg], y[a : a + seg], x[a + d : a + d + seg], y[a + d : a + d + seg], c, s)


@njit(cache=True, fastmath=_FM)
def _rot01(x, y, c, s):
    """Qubits 0 and 1 of a slice whose length is a multiple of 4."""
    for g in range(0, x.size, 4):
        _quad(x, y, g, g + 1, g + 2, g + 3, c, s)


@njit(cache=True, fastmath=_FM)
def _rot23(x, y, c, s):
    """Qubits 2 and 3 of a slice whose length is a multiple of 16 (four quads side by side)."""
    for g in range(0, x.size, 16):
        _quad(x, y, g, g + 4, g + 8, g + 12, c, s)
        _quad(x, y, g + 1, g + 5, g + 9, g + 13, c, s)
        _quad(x, y, g + 2, g + 6, g + 10, g + 14, c, s)
        _quad(x, y, g + 3, g + 7, g + 11, g + 15, c, s)


@njit(cache=True, fastmath=_FM)
def _rot_short(x, y, nq, c, s):
    """Qubits 0..nq-1 of a slice by index (blocks too small for ``_rot01``/``_rot23``)."""
    q = 0
    while q + 1 < nq:
        d = 1 << q
        for hi in range(0, x.size, 4 * d):
            for t in range(hi, hi + d):
                _quad(x, y, t, t + d, t + 2 * d, t + 3 * d, c, s)
        q += 2
    if q < nq:
        d = 1 << q
        for hi in range(0, x.size, 2 * d):
            for t in range(hi, hi + d):
                _pair(x, y, t, t + d, c, s)


@njit(cache=True, fastmath=_FM)
def _rotate_rows(x, y, base, lo, m, seg, c, s):
    """Rotate qubits lo..lo+m-1 on the 2^m rows ``base + (r << lo) + [0, seg)``, two at a time."""
    q = 0
    while q + 1 < m:
        d = 1 << (lo + q)
        for r in range(1 << m):
            if (r >> q) & 3 == 0:
                _quad_at(x, y, base + (r << lo), d, seg, c, s)
        q += 2
    if q < m:
        d = 1 << (lo + q)
        for r in range(1 << m):
            if (r >> q) & 1 == 0:
                _pair_at(x, y, base + (r << lo), d, seg, c, s)


SHORT = 4  # qubits 0..3 are rotated by index: rows of fewer than 16 amplitudes are too short


@njit(cache=True, fastmath=_FM)
def _rotate_block(x, y, base, low, c, s):
    """Rotate qubits 0..low-1 of the contiguous block of 2^low amplitudes at ``base``."""
    size = 1 << low
    xb, yb = x[base : base + size], y[base : base + size]
    if low < SHORT:
        _rot_short(xb, yb, low, c, s)
        return
    _rot01(xb, yb, c, s)
    _rot23(xb, yb, c, s)
    q = SHORT
    while q + 1 < low:  # stage (q, q+1): quads of rows of 2^q amplitudes
        d = 1 << q
        for hi in range(base, base + size, 4 * d):
            _quad_at(x, y, hi, d, d, c, s)
        q += 2
    if q < low:
        d = 1 << q
        for hi in range(base, base + size, 2 * d):
            _pair_at(x, y, hi, d, d, c, s)


@njit(cache=True, fastmath=_FM)
def _phase_rows(xb, yb, db, gamma, fast, init, amp):
    """``psi *= exp(-i gamma db)``, or with ``init`` ``psi = amp exp(-i gamma db)``."""
    if init:
        for k in range(db.size):
            cr, si = cis(gamma * db[k], fast)
            xb[k], yb[k] = amp * cr, -amp * si
    else:
        for k in range(db.size):
            cr, si = cis(gamma * db[k], fast)
            re, im = xb[k], yb[k]
            xb[k], yb[k] = re * cr + im * si, im * cr - re * si


# --- forward passes ------------------------------------------------------------------------


@njit(cache=True, parallel=True)
def phase_low(x, y, diag, gamma, c, s, low, mix, init, fast):
    """One pass: ``psi *= exp(-i gamma E)`` then (if ``mix``) rotate qubits 0..low-1.

    With ``init`` the state is taken to be |+>^n and only written (the first layer).
    """
    amp = 1.0 / np.sqrt(diag.size)
    size = 1 << low
    for blk in prange(diag.size >> low):
        base = blk << low
        _phase_rows(x[base : base + size], y[base : base + size], diag[base : base + size], gamma, fast, init, amp)
        if mix:
            _rotate_block(x, y, base, low, c, s)


@njit(cache=True, parallel=True)
def mix_low(x, y, c, s, low):
    """One pass rotating qubits 0..low-1 (blocks of 2^low amplitudes)."""
    for blk in prange(x.size >> low):
        _rotate_block(x, y, blk << low, low, c, s)


@njit(cache=True, parallel=True)
def mix_high(x, y, lo, m, seg, c, s):
    """One pass rotating qubits lo..lo+m-1 (tiles of 2^m rows of ``seg`` amplitudes)."""
    nseg = (1 << lo) // seg
    for tile in prange((x.size >> (lo + m)) * nseg):
        _rotate_rows(x, y, ((tile // nseg) << (lo + m)) + (tile % nseg) * seg, lo, m, seg, c, s)


@njit(cache=True, parallel=True, fastmath=True)
def expectation(x, y, diag):
    """sum_k |psi_k|^2 E_k."""
    acc = 0.0
    for k in prange(diag.size):
        acc += (x[k] * x[k] + y[k] * y[k]) * diag[k]
    return acc


@njit(cache=True, parallel=True, fastmath=True)
def probabilities(x, y, out):
    for k in prange(out.size):
        out[k] = x[k] * x[k] + y[k] * y[k]


@njit(cache=True, parallel=True, fastmath=True)
def times_diagonal(x, y, diag, u, w):
    """``(u, w) = E psi``; returns <psi|E|psi>."""
    acc = 0.0
    for k in prange(diag.size):
        e = diag[k]
        re, im = x[k], y[k]
        u[k], w[k] = e * re, e * im
        acc += e * (re * re + im * im)
    return acc


# --- flip-symmetric states: the half with the top qubit clear ---------------------------------
# When E(s) = E(-s) the state keeps psi[k] = psi[~k], so only the M = 2^(n-1) amplitudes with
# the top qubit clear are stored. Qubits 0..n-2 rotate as usual; the top qubit pairs the stored
# amplitude k with psi[k ^ top] = psi[M - 1 - k]: a butterfly between k and its mirror image,
# done in the low pass on blocks ``a`` and ``nblk - 1 - a`` together (a block with itself when
# there is only one).


@njit(cache=True, fastmath=_FM)
def _reflect_rows(xa, ya, xb, yb, c, s):
    """exp(-i beta X) on the pairs (a_t, b_{L-1-t}), L = len(b)."""
    last = xb.size - 1
    for t in range(xa.size):
        r = last - t
        xa[t], ya[t], xb[r], yb[r] = rot2(xa[t], ya[t], xb[r], yb[r], c, s)


@njit(inline="always")
def _mirror_blocks(nblk, pb, low):
    """(start of block a, start of its mirror block, half-length when a is its own mirror or 0)."""
    size = 1 << low
    if nblk == 1:
        return 0, size // 2, size // 2
    return pb << low, (nblk - 1 - pb) << low, 0


@njit(cache=True, parallel=True)
def phase_low_sym(x, y, diag, gamma, c, s, low, init, fast):
    """``phase_low`` with ``mix`` on the stored half (``diag`` is E on that half), the top
    qubit's rotation included; ``init`` starts from |+>^n (amplitudes 2^(-n/2))."""
    amp = 1.0 / np.sqrt(2.0 * diag.size)
    size = 1 << low
    nblk = diag.size >> low
    for pb in prange(max(nblk // 2, 1)):
        a, b, half = _mirror_blocks(nblk, pb, low)
        sa = slice(a, a + size)
        _phase_rows(x[sa], y[sa], diag[sa], gamma, fast, init, amp)
        if half:  # one block, its own mirror: pairs (t, size - 1 - t)
            _reflect_rows(x[:half], y[:half], x[half:size], y[half:size], c, s)
        else:
            sb = slice(b, b + size)
            _phase_rows(x[sb], y[sb], diag[sb], gamma, fast, init, amp)
            _reflect_rows(x[sa], y[sa], x[sb], y[sb], c, s)
            _rotate_block(x, y, b, low, c, s)
        _rotate_block(x, y, a, low, c, s)
