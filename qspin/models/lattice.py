"""Edwards-Anderson spin glasses on d-dimensional hypercubic lattices."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from qspin.errors import ProblemError
from qspin.models._random import draw_couplings, resolve_seed
from qspin.problem import IsingProblem


def _check_shape(shape) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        shape = tuple(shape)
    except TypeError:
        raise ProblemError(f"shape must be a tuple of side lengths, got {shape!r}") from None
    if not shape or any(isinstance(L, bool) or not isinstance(L, (int, np.integer)) or L < 1 for L in shape):
        raise ProblemError(f"shape must be a non-empty tuple of positive integers, got {shape!r}")
    return tuple(int(L) for L in shape)


def lattice_edges(shape, *, periodic: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Nearest-neighbour bonds ``(i, j)`` of a hypercubic lattice, sites in C (row-major) order.

    A periodic lattice has ``d * N`` bonds and needs every side to be at least 3 (a side of 2
    would put two bonds on the same pair); an open one has ``sum_k (L_k - 1) N / L_k``.
    """
    shape = _check_shape(shape)
    if periodic and any(L < 3 for L in shape):
        raise ProblemError(f"a periodic lattice needs every side >= 3, got shape {shape} (use periodic=False)")
    sites = np.arange(int(np.prod(shape))).reshape(shape)
    ii, jj = [], []
    for axis, L in enumerate(shape):
        if periodic:
            ii.append(sites.ravel())
            jj.append(np.roll(sites, -1, axis=axis).ravel())
        elif L > 1:
            lo = [slice(None)] * len(shape)
            hi = [slice(None)] * len(shape)
            lo[axis], hi[axis] = slice(0, L - 1), slice(1, L)
            ii.append(sites[tuple(lo)].ravel())
            jj.append(sites[tuple(hi)].ravel())
    if not ii:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    i, j = np.concatenate(ii), np.concatenate(jj)
    return np.minimum(i, j).astype(np.int64), np.maximum(i, j).astype(np.int64)


def edwards_anderson(
    shape,
    *,
    couplings: str = "gaussian",
    periodic: bool = True,
    field: float = 0.0,
    random_field: float = 0.0,
    seed: int | None = None,
) -> IsingProblem:
    """EA spin glass ``H = -sum_<ij> J_ij s_i s_j - sum_i B_i s_i`` on a hypercubic lattice.

    Parameters
    ----------
    shape : tuple of int
        Side lengths, e.g. ``(32, 32)`` or ``(8, 8, 8)``; site ``k`` is ``np.unravel_index(k, shape)``.
    couplings : "gaussian" or "pm1"
        Bond distribution: N(0, 1) or +-1 with equal probability.
    periodic : bool
        Periodic (torus) or open boundaries.
    field, random_field : float
        Physics field ``B_i = field + random_field * N(0, 1)``; a positive field favours s = +1.

    qspin's coefficients are ``J = -J_ij`` and ``h = -B``. The lattice geometry is kept in
    ``problem.metadata["lattice"]`` for lattice-aware algorithms.
    """
    shape = _check_shape(shape)
    for key, value in (("field", field), ("random_field", random_field)):
        if not np.isfinite(float(value)):
            raise ProblemError(f"{key} must be finite, got {value!r}")
    if random_field < 0:
        raise ProblemError(f"random_field is a standard deviation and must be >= 0, got {random_field!r}")
    seed = resolve_seed(seed)
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    i, j = lattice_edges(shape, periodic=periodic)
    J_phys = draw_couplings(rng, couplings, i.size)
    B = np.full(n, float(field))
    if random_field:
        B += float(random_field) * rng.standard_normal(n)
    J = sp.coo_array((-J_phys, (i, j)), shape=(n, n))
    meta = {
        "model": "edwards_anderson",
        "params": {
            "shape": list(shape),
            "couplings": couplings,
            "periodic": bool(periodic),
            "field": float(field),
            "random_field": float(random_field),
        },
        "seed": seed,
        "lattice": {"shape": list(shape), "periodic": bool(periodic), "order": "C"},
    }
    dims = "x".join(map(str, shape))
    return IsingProblem(-B, J, name=f"ea-{couplings}-{dims}-s{seed}", metadata=meta)
