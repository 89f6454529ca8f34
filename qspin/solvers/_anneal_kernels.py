"""Numba kernels for single-spin-flip Metropolis annealing, vectorised across reads.

Reads are processed in groups of ``W`` lanes (W <= 64). In a group, every read visits the
same spin at the same time, so the Metropolis decision for spin ``i`` is one SIMD loop over
the lanes, free of unpredictable branches. Each lane keeps its own spins (+-1.0 float64 in
the sparse kernel, +-1 int8 in the dense one), local fields ``f_i = h_i + sum_j J_ij s_j`` (float64) and xoshiro256+ stream (the generator of
:mod:`qspin.solvers._rng`, stepped here on a ``(4, W)`` state layout). A lane's result depends
only on its own state, so it is bit-identical whatever the group size, the number of threads,
or how the schedule is cut into kernel calls.

A sweep visits spins ``0 .. n-1`` in order. Flipping spin ``i`` changes the energy by
``dE = -2 s_i f_i`` and updates only its neighbours' fields. The Metropolis test accepts
``dE <= 0`` without consuming a random number. For ``x = beta dE > 0`` it draws ``u`` in
[0, 1) (52 random bits) and accepts when ``u < exp(-x)``. With ``y = x / 4`` the Taylor
bounds ``T5(-y)^4 < exp(-x) < T4(y)^-4`` settle almost every case inside the SIMD loop (the
gap is below 1e-3 relative for x < 2 and below 1e-3 absolute everywhere), and ``exp`` is
called only for the rare lanes whose ``u`` falls in between. Moves with ``x >= X_MAX`` (probability below 5e-18) are rejected without
a random number, as dwave-samplers does.

Layouts: sparse kernel ``spins, fields: (G, n, W)`` (a spin's lanes are contiguous); dense
kernel ``(G, W, n)`` (a lane's fields are contiguous, so a flip is one vectorised row update;
the decision gathers column ``i`` first).
RNG states are ``(G, 4, W)`` uint64.
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, prange, types, uint64
from numba.extending import intrinsic

from qspin.solvers._rng import next_u64

X_MAX = 40.0
MAX_LANES = 64
_C3 = 1.0 / 6.0
_C4 = 1.0 / 24.0
_C5 = 1.0 / 120.0
_ONE_BITS = uint64(0x3FF0000000000000)
_UPPER_SLACK = 1.0 + 1e-14
_LOWER_SLACK = 1.0 + 1e-14


@intrinsic
def _bits_to_double(typingctx, bits):
    """Reinterpret a uint64 as a float64 (an LLVM bitcast, vectorisable)."""
    if bits != types.uint64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.uint64), codegen


@intrinsic
def _lowest_bit(typingctx, bits):
    """Index of the lowest set bit of a nonzero uint64 (``llvm.cttz``)."""
    if bits != types.uint64:
        return None

    def codegen(context, builder, signature, args):
        return builder.cttz(args[0], ir.Constant(ir.IntType(1), 0))

    return types.uint64(types.uint64), codegen


@njit(cache=True, inline="always")
def _lane_step(beta, spin, field, st, lane, us):
    """Metropolis decision of one lane: ``(accept, undecided)``.

    Advances the lane's xoshiro256+ state only when ``0 < beta dE < X_MAX``. ``undecided``
    means ``u`` fell between the bounds of ``exp(-x)``; ``us`` keeps ``u`` for the exact
    test, :func:`_exact_accept`.
    """
    de = -2.0 * spin * field
    x = beta * de
    draw = (de > 0.0) & (x < X_MAX)
    a0 = st[0, lane]
    a1 = st[1, lane]
    a2 = st[2, lane]
    a3 = st[3, lane]
    out = a0 + a3
    t = a1 << uint64(17)
    b2 = a2 ^ a0
    b3 = a3 ^ a1
    b1 = a1 ^ b2
    b0 = a0 ^ b3
    b2 ^= t
    b3 = (b3 << uint64(45)) | (b3 >> uint64(19))
    st[0, lane] = b0 if draw else a0
    st[1, lane] = b1 if draw else a1
    st[2, lane] = b2 if draw else a2
    st[3, lane] = b3 if draw else a3
    u = _bits_to_double((out >> uint64(12)) | _ONE_BITS) - 1.0  # 52 random bits in [0, 1)
    # exp(-x) = exp(-y)^4 with y = x/4, and T5(-y) < exp(-y) < 1 / T4(y) (Taylor polynomials)
    y = 0.25 * x
    y2 = y * y
    even = 1.0 + y2 * (0.5 + y2 * _C4)
    odd = y * (1.0 + y2 * _C3)
    up = even + odd
    up *= up
    low = even - odd - y * y2 * y2 * _C5
    low = low if low > 0.0 else 0.0
    low *= low
    below_upper = u * (up * up) < _UPPER_SLACK  # the slack covers rounding in the bounds
    below_lower = u * _LOWER_SLACK < low * low
    us[lane] = u
    return (de <= 0.0) | (draw & below_lower), draw & below_upper & (not below_lower)


@njit(cache=True, inline="always")
def _exact_accept(beta, spin, field, u):
    """The exact Metropolis test ``u < exp(-beta dE)`` for a lane left undecided by the bounds."""
    return u < math.exp(-(beta * (-2.0 * spin * field)))


@njit(cache=True, nogil=True)
def _group_sparse(indptr, indices, data, betas, s, f, st, c, us):
    n = s.shape[0]
    W = s.shape[1]
    for t in range(betas.size):
        beta = betas[t]
        for i in range(n):
            si = s[i]
            fi = f[i]
            undecided = uint64(0)
            flips = False
            for lane in range(W):
                spin = si[lane]
                acc, maybe = _lane_step(beta, spin, fi[lane], st, lane, us)
                undecided |= uint64(maybe) << uint64(lane)
                flips |= acc
                c[lane] = 2.0 * spin if acc else 0.0  # f_j changes by -2 s_i J_ij
                si[lane] = -spin if acc else spin
            while undecided:
                lane = _lowest_bit(undecided)
                undecided &= undecided - uint64(1)
                if _exact_accept(beta, si[lane], fi[lane], us[lane]):
                    flips = True
                    c[lane] = 2.0 * si[lane]
                    si[lane] = -si[lane]
            if not flips:
                continue
            for k in range(indptr[i], indptr[i + 1]):
                fj = f[indices[k]]
                w = data[k]
                for lane in range(W):
                    fj[lane] -= c[lane] * w


@njit(cache=True, nogil=True)
def _group_dense(J, betas, s, f, st, us, scol, fcol):
    W = s.shape[0]
    n = s.shape[1]
    for t in range(betas.size):
        beta = betas[t]
        for i in range(n):
            for lane in range(W):  # gather column i, so that the decision loop vectorises
                scol[lane] = s[lane, i]
                fcol[lane] = f[lane, i]
            undecided = uint64(0)
            flips = uint64(0)
            for lane in range(W):
                acc, maybe = _lane_step(beta, scol[lane], fcol[lane], st, lane, us)
                undecided |= uint64(maybe) << uint64(lane)
                flips |= uint64(acc) << uint64(lane)
            while undecided:
                lane = _lowest_bit(undecided)
                undecided &= undecided - uint64(1)
                if _exact_accept(beta, scol[lane], fcol[lane], us[lane]):
                    flips |= uint64(1) << lane
            row = J[i]
            while flips:
                lane = _lowest_bit(flips)
                flips &= flips - uint64(1)
                spin = s[lane, i]
                c = 2.0 * spin
                s[lane, i] = -spin
                fl = f[lane]
                for j in range(n):  # J[i, i] = 0 keeps f[i]
                    fl[j] -= c * row[j]


@njit(cache=True, parallel=True)
def anneal_sparse(indptr, indices, data, betas, spins, fields, rng):
    """Sweeps ``betas`` (one beta per sweep) on every group; CSR adjacency, ``(G, n, W)`` layout."""
    W = spins.shape[2]
    for g in prange(spins.shape[0]):
        _group_sparse(indptr, indices, data, betas, spins[g], fields[g], rng[g], np.zeros(W), np.zeros(W))


@njit(cache=True, parallel=True)
def anneal_dense(J, betas, spins, fields, rng):
    """Sweeps ``betas`` on every group; dense symmetric ``J`` (zero diagonal), ``(G, W, n)`` layout."""
    W = spins.shape[1]
    for g in prange(spins.shape[0]):
        _group_dense(J, betas, spins[g], fields[g], rng[g], np.zeros(W), np.zeros(W), np.zeros(W))


@njit(cache=True, parallel=True)
def random_spins(spins, rng):
    """Fill row ``r`` of ``spins`` (R, n) with uniform +-1 values from stream ``rng[r]``."""
    n = spins.shape[1]
    for r in prange(spins.shape[0]):
        word = uint64(0)
        for i in range(n):
            if i % 64 == 0:
                word = next_u64(rng[r])
            spins[r, i] = 1 if (word >> uint64(i % 64)) & uint64(1) else -1


@njit(cache=True)
def lane_draws(rng, count):
    """``count`` raw outputs of each lane's stream, advancing ``rng`` (4, W) (for tests)."""
    W = rng.shape[1]
    out = np.empty((count, W), dtype=np.uint64)
    us = np.zeros(W)
    for k in range(count):
        for lane in range(W):
            out[k, lane] = rng[0, lane] + rng[3, lane]
            _lane_step(1.0, -1.0, 1.0, rng, lane, us)  # dE = 2 > 0: always draws
    return out


__all__ = ["MAX_LANES", "X_MAX", "anneal_dense", "anneal_sparse", "lane_draws", "random_spins"]
