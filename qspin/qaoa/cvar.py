"""Objectives computed from an energy distribution: the mean and the CVaR (Barkoutsos et al. 2020).

``CVaR_alpha`` is the mean energy of the lowest ``alpha`` fraction of the distribution (by
weight): ``alpha = 1`` is the plain mean, small ``alpha`` rewards states that put weight on low
energies. The same functions serve measured shots (weights are counts) and exact distributions
(weights are probabilities from the statevector engine); the boundary state is counted with the
fraction of its weight that fits, so the value is continuous in the weights.
"""

from __future__ import annotations

import math

import numpy as np

from qspin.errors import ParameterError

__all__ = ["check_alpha", "cvar", "mean"]


def check_alpha(alpha) -> float | None:
    """``alpha`` as a float in (0, 1], or None (the mean); ParameterError otherwise."""
    if alpha is None:
        return None
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.integer, np.floating)):
        raise ParameterError(f"cvar_alpha must be a number in (0, 1] or None, got {alpha!r}")
    value = float(alpha)
    if not (math.isfinite(value) and 0.0 < value <= 1.0):
        raise ParameterError(f"cvar_alpha must be in (0, 1] (1 is the mean), got {alpha!r}")
    return value


def _weights(energies, weights) -> tuple[np.ndarray, np.ndarray]:
    e = np.asarray(energies, dtype=np.float64).reshape(-1)
    w = np.ones_like(e) if weights is None else np.asarray(weights, dtype=np.float64).reshape(-1)
    if w.shape != e.shape:
        raise ParameterError(f"{e.size} energies but {w.size} weights")
    if e.size == 0 or not (w >= 0).all() or not w.sum() > 0:
        raise ParameterError("an energy distribution needs non-negative weights with a positive total")
    return e, w


def mean(energies, weights=None) -> float:
    """Weighted mean energy."""
    e, w = _weights(energies, weights)
    return float(np.dot(e, w) / w.sum())


def cvar(energies, weights=None, alpha: float | None = 1.0) -> float:
    """Mean of the lowest ``alpha`` fraction (by weight) of the energies; None or 1 is the mean."""
    alpha = check_alpha(alpha)
    if alpha is None or alpha == 1.0:
        return mean(energies, weights)
    e, w = _weights(energies, weights)
    order = np.argsort(e, kind="stable")
    e, w = e[order], w[order] / w.sum()
    before = np.concatenate([[0.0], np.cumsum(w)[:-1]])  # weight strictly below each entry
    take = np.clip(alpha - before, 0.0, w)
    return float(np.dot(e, take) / take.sum())
