"""A small, fast random generator for numba kernels: xoshiro256+ seeded by splitmix64.

Every stream is a function of (master seed, stream index), so results do not depend on how
work is split over threads. State is a uint64 array of 4 words per stream.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64

_MASK = (1 << 64) - 1


def _splitmix64(x: int) -> tuple[int, int]:
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return x, z ^ (z >> 31)


def stream_states(seed: int, num_streams: int, *, salt: int = 0) -> np.ndarray:
    """(num_streams, 4) uint64 states; stream ``k`` depends only on ``seed``, ``salt`` and ``k``."""
    out = np.empty((num_streams, 4), dtype=np.uint64)
    for k in range(num_streams):
        x = (seed * 0x100000001B3 + salt * 0x9E3779B1 + k * 0xD1B54A32D192ED03) & _MASK
        for w in range(4):
            x, z = _splitmix64(x)
            out[k, w] = z
        if not out[k].any():
            out[k, 0] = 1
    return out


@njit(inline="always")
def _rotl(x, k):
    return (x << uint64(k)) | (x >> uint64(64 - k))


@njit(inline="always")
def next_u64(s):
    """Advance state ``s`` (uint64[4]) and return 64 random bits (xoshiro256+)."""
    result = s[0] + s[3]
    t = s[1] << uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return result


@njit(inline="always")
def next_double(s):
    """A uniform double in [0, 1) from the top 53 bits."""
    return (next_u64(s) >> uint64(11)) * (1.0 / 9007199254740992.0)


@njit(inline="always")
def next_below(s, n):
    """A uniform integer in [0, n) (n > 0), by multiply-shift on the top 32 bits."""
    return int(((next_u64(s) >> uint64(32)) * uint64(n)) >> uint64(32))
