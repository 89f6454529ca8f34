"""Warm-start QAOA (Egger et al., Quantum 2021): a product initial state biased towards a classical solution.

Qubit k starts in ``RY(theta_k)|0> = cos(theta_k/2)|0> + sin(theta_k/2)|1>`` with the probability
``epsilon`` of reading the spin opposite to ``spins[k]`` (``|0> <-> s = +1``); ``epsilon = 0.5``
is ``|+>^n``. Every engine prepares it from :func:`warm_start_angles`; the mixer stays ``sum X``.
"""

from __future__ import annotations

import numpy as np

from qspin.errors import ParameterError, ProblemError
from qspin.spin_arrays import as_spin_array

__all__ = ["WARM_START_EPSILON", "warm_start", "warm_start_angles"]

WARM_START_EPSILON = 0.25


def warm_start_angles(spins, epsilon: float = WARM_START_EPSILON) -> np.ndarray:
    """RY angles of a warm-start product state biased towards ``spins`` (Egger et al. 2021).

    Qubit k is prepared with probability ``epsilon`` of measuring the spin opposite to
    ``spins[k]``; ``epsilon = 0.5`` is the uniform ``|+>`` state.
    """
    s = np.asarray(spins)
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float, np.floating)) or not 0.0 < epsilon <= 0.5:
        raise ParameterError(f"warm-start epsilon must be in (0, 0.5], got {epsilon!r}")
    p_one = np.where(s > 0, epsilon, 1.0 - epsilon)  # P(|1>) = P(spin -1)
    return 2.0 * np.arcsin(np.sqrt(p_one))


def warm_start(initial_state, num_spins: int, epsilon: float = WARM_START_EPSILON) -> np.ndarray | None:
    """Validated RY angles (float64 (n,)) for a warm start from the +-1 spins ``initial_state``;
    None when ``initial_state`` is None (the plain ``|+>^n`` start)."""
    if initial_state is None:
        return None
    try:
        spins = as_spin_array(initial_state, what="initial_state", shape=f"({num_spins},)", ndims=(1,), width=num_spins)
    except ProblemError as exc:
        raise ParameterError(str(exc)) from None
    return warm_start_angles(spins, epsilon)
