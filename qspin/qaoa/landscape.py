"""The depth-1 QAOA energy landscape ``<E>(gamma, beta)`` on a grid, from the statevector engine.

Conventions are qspin's (:mod:`qspin.qaoa`): ``|gamma, beta> = exp(-i beta sum X) exp(-i gamma E) |+>^n``
and ``<E>`` is minimised. Two symmetries fix the default ranges: ``<E>(-gamma, -beta) = <E>(gamma, beta)``
(complex conjugation), and ``exp(-i pi X) = -1`` makes ``beta`` periodic with period ``pi`` (``pi/2``
when ``E(s) = E(-s)``). So ``gamma`` runs over ``[0, pi / r)`` with ``r`` the RMS local field (the
phase a typical spin flip picks up wraps around there) and ``beta`` over ``[-pi/2, pi/2)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from qspin.compile.warm_start import WARM_START_EPSILON
from qspin.errors import ParameterError
from qspin.problem import IsingProblem
from qspin.progress import check_progress
from qspin.progress import progress as progress_bar
from qspin.qaoa.optimise import local_field_rms
from qspin.qaoa.statevector import expectation

__all__ = ["Landscape", "landscape"]


@dataclass(frozen=True)
class Landscape:
    """``values[i, j] = <E>(gammas[i], betas[j])`` at depth 1 (qspin's convention)."""

    gammas: np.ndarray
    betas: np.ndarray
    values: np.ndarray
    num_spins: int

    @property
    def best(self) -> tuple[float, float, float]:
        """``(gamma, beta, <E>)`` at the grid's minimum."""
        i, j = np.unravel_index(int(np.argmin(self.values)), self.values.shape)
        return float(self.gammas[i]), float(self.betas[j]), float(self.values[i, j])


def _axis(values, default: np.ndarray, what: str) -> np.ndarray:
    if values is None:
        return default
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    if arr.size < 1 or not np.all(np.isfinite(arr)):
        raise ParameterError(f"{what} must be a non-empty sequence of finite angles")
    return arr


def landscape(
    cost,
    gammas=None,
    betas=None,
    *,
    points: int = 41,
    initial_state=None,
    epsilon: float = WARM_START_EPSILON,
    progress: bool | None = None,
) -> Landscape:
    """``<E>`` of depth-1 QAOA on the grid ``gammas x betas`` (defaults: ``points`` each, see the
    module docstring). ``cost``: an IsingProblem or a cost diagonal; ``initial_state`` and
    ``epsilon``: a warm start (:mod:`qspin.compile.warm_start`)."""
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or points < 2:
        raise ParameterError(f"points must be an integer >= 2, got {points!r}")
    progress = check_progress(progress)
    scale = local_field_rms(cost)
    g = _axis(gammas, np.linspace(0.0, math.pi / scale, int(points), endpoint=False), "gammas")
    b = _axis(betas, np.linspace(-math.pi / 2, math.pi / 2, int(points), endpoint=False), "betas")
    values = np.empty((g.size, b.size))
    with progress_bar("qaoa landscape", g.size, enabled=progress) as advance:
        for i, gamma in enumerate(g.tolist()):
            for j, beta in enumerate(b.tolist()):
                values[i, j] = expectation(cost, [gamma], [beta], initial_state=initial_state, epsilon=epsilon)
            advance(1)
    n = cost.num_spins if isinstance(cost, IsingProblem) else int(np.size(cost)).bit_length() - 1
    values.flags.writeable = False
    return Landscape(g, b, values, n)
