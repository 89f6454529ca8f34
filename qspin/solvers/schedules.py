"""Inverse-temperature (beta) schedules for annealing-type solvers, and the default beta range.

A schedule is a float64 array with one beta per sweep. The default range follows
dwave-samplers' ``_default_ising_beta_range`` (dwave/samplers/sa/sampler.py), so that
``"sa"`` and ``"ocean-sa"`` anneal over the same temperatures by default:

* hot end: every spin can flip with probability at least 1/2 even against its largest
  possible field, ``beta_hot = ln 2 / (2 max_i (|h_i| + sum_j |J_ij|))``;
* cold end: about 1% chance of exciting any of the spins whose smallest nonzero bias is the
  problem's smallest, ``beta_cold = ln(count / 0.01) / (2 min_nonzero |h or J|)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from qspin.errors import ParameterError
from qspin.problem import IsingProblem

__all__ = ["SCHEDULE_TYPES", "beta_schedule", "check_beta_range", "default_beta_range"]

SCHEDULE_TYPES = ("geometric", "linear", "custom")
EXCITATION_RATE = 0.01
NULL_PROBLEM_RANGE = (0.1, 1.0)  # dwave-samplers' choice when every bias is zero


def default_beta_range(problem: IsingProblem) -> tuple[float, float]:
    """``(beta_hot, beta_cold)`` chosen from the fields and couplings as dwave-samplers does.

    A problem whose biases are all zero (including ``n = 0``) gets ``(0.1, 1.0)``.
    """
    n = problem.num_spins
    i, j, w = problem.couplings
    h_abs, w_abs = np.abs(problem.h), np.abs(w)
    total = h_abs + np.bincount(i, w_abs, minlength=n) + np.bincount(j, w_abs, minlength=n)
    smallest = np.where(h_abs > 0, h_abs, np.inf)
    nonzero = w_abs > 0
    np.minimum.at(smallest, i[nonzero], w_abs[nonzero])
    np.minimum.at(smallest, j[nonzero], w_abs[nonzero])
    smallest = smallest[np.isfinite(smallest)]
    if smallest.size == 0:
        return NULL_PROBLEM_RANGE
    hot = math.log(2.0) / (2.0 * float(total.max()))
    low = float(smallest.min())
    count = int(np.count_nonzero(smallest == low))
    cold = math.log(count / EXCITATION_RATE) / (2.0 * low)
    return hot, cold


def check_beta_range(beta_range) -> tuple[float, float]:
    """Validate a ``(beta_hot, beta_cold)`` pair: finite, positive and not reversed."""
    try:
        pair = np.asarray(beta_range, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError(
            f"beta_range must be a pair of numbers (beta_hot, beta_cold), got {beta_range!r}"
        ) from None
    if pair.shape != (2,):
        raise ParameterError(f"beta_range must be a pair (beta_hot, beta_cold), got {beta_range!r}")
    hot, cold = float(pair[0]), float(pair[1])
    if not (math.isfinite(hot) and math.isfinite(cold)):
        raise ParameterError(f"beta_range must be finite, got {beta_range!r}")
    if hot <= 0 or cold <= 0:
        raise ParameterError(f"beta_range values must be positive inverse temperatures, got {beta_range!r}")
    if hot > cold:
        raise ParameterError(
            f"beta_range {beta_range!r} is reversed: annealing goes from the hot (small) beta to the cold "
            f"(large) one; pass ({cold:g}, {hot:g}), or a custom beta_schedule to heat up"
        )
    return hot, cold


def check_custom_schedule(schedule) -> np.ndarray:
    """Validate a custom schedule: a non-empty 1-D sequence of finite betas >= 0."""
    if schedule is None:
        raise ParameterError("beta_schedule_type='custom' needs beta_schedule, one beta per sweep")
    try:
        arr = np.array(schedule, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError("beta_schedule must be a 1-D sequence of numbers, one beta per sweep") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ParameterError(f"beta_schedule must be a non-empty 1-D sequence, got shape {arr.shape}")
    bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0))
    if bad.size:
        k = int(bad[0])
        raise ParameterError(f"beta_schedule[{k}] = {arr[k]} is not a finite beta >= 0")
    return arr


def beta_schedule(kind: str, beta_range: Sequence[float], num_sweeps: int) -> np.ndarray:
    """One beta per sweep, from ``beta_range[0]`` to ``beta_range[1]``.

    ``"geometric"`` is ``np.geomspace`` and ``"linear"`` ``np.linspace`` (as dwave-samplers
    interpolates them); a single sweep runs at the cold end.
    """
    hot, cold = check_beta_range(beta_range)
    if num_sweeps == 1:
        return np.array([cold])
    if kind == "geometric":
        return np.geomspace(hot, cold, num_sweeps)
    if kind == "linear":
        return np.linspace(hot, cold, num_sweeps)
    raise ParameterError(f"beta_schedule_type must be 'geometric' or 'linear' here, got {kind!r}")
