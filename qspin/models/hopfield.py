"""Hopfield networks: stored patterns as the low-energy states of an Ising problem."""

from __future__ import annotations

import numpy as np

from qspin.errors import ProblemError
from qspin.models._random import resolve_seed
from qspin.problem import IsingProblem
from qspin.spin_arrays import as_spin_array

RULES = ("hebb", "pseudo-inverse", "storkey")


def check_patterns(patterns) -> np.ndarray:
    """Validate a (P, N) array of +-1 patterns (a single pattern may be 1-D) and return int8."""
    xi = as_spin_array(
        patterns, what="patterns", shape="(P, N)", ndims=(1, 2), nonempty=True, entries="pattern entries"
    )
    return xi[None, :] if xi.ndim == 1 else xi


def _weights(xi: np.ndarray, rule: str) -> np.ndarray:
    """Physics weight matrix W (symmetric, zero diagonal) for ``H = -1/2 sum_{i != j} W_ij s_i s_j``."""
    P, N = xi.shape
    x = xi.astype(np.float64)
    if rule == "hebb":
        W = x.T @ x / N
    elif rule == "pseudo-inverse":
        C = x @ x.T / N  # pattern overlap matrix
        try:
            W = x.T @ np.linalg.solve(C, x) / N
        except np.linalg.LinAlgError:
            raise ProblemError("pseudo-inverse rule: the patterns are linearly dependent") from None
    elif rule == "storkey":
        W = np.zeros((N, N))
        for p in x:
            field = W @ p  # h_i = sum_k W_ik p_k, with W_ii = 0
            # h_ij = h_i - W_ij p_j (local field excluding i and j)
            h_ij = field[:, None] - W * p[None, :]
            W = W + (np.outer(p, p) - p[:, None] * h_ij.T - h_ij * p[None, :]) / N
            np.fill_diagonal(W, 0.0)
    else:
        raise ProblemError(f"rule must be one of {RULES}, got {rule!r}")
    np.fill_diagonal(W, 0.0)
    return 0.5 * (W + W.T)


def hopfield(patterns, *, rule: str = "hebb", name: str | None = None) -> IsingProblem:
    """Hopfield network storing ``patterns`` (P, N) of +-1.

    Physics: ``H = -sum_{i<j} W_ij s_i s_j``; Hebb's rule ``W_ij = (1/N) sum_mu xi_i xi_j``.
    In qspin's sign ``J_ij = -W_ij``, so stored patterns (and their negatives) are low-energy
    states. ``rule`` is ``"hebb"``, ``"pseudo-inverse"`` (projection rule, exact fixed points
    up to P < N linearly independent patterns) or ``"storkey"`` (incremental, local).
    """
    xi = check_patterns(patterns)
    P, N = xi.shape
    W = _weights(xi, rule)
    J = -np.triu(W, k=1)
    meta = {"model": "hopfield", "params": {"rule": rule, "num_patterns": P, "num_spins": N}, "patterns": xi.tolist()}
    return IsingProblem(np.zeros(N), J, name=name or f"hopfield-{rule}-P{P}-N{N}", metadata=meta)


def overlaps(patterns, spins) -> np.ndarray:
    """Overlaps ``m_mu = (1/N) sum_i xi_i^mu s_i``: shape (P,) for one state, (R, P) for many."""
    xi = check_patterns(patterns).astype(np.float64)
    s = np.asarray(spins, dtype=np.float64)
    if s.shape[-1] != xi.shape[1]:
        raise ProblemError(f"spins have length {s.shape[-1]} but the patterns have {xi.shape[1]}")
    return s @ xi.T / xi.shape[1]


def corrupt(pattern, k: int, *, seed: int | None = None) -> np.ndarray:
    """A copy of ``pattern`` with ``k`` distinct entries flipped, chosen at random from ``seed``."""
    xi = check_patterns(pattern)
    if xi.shape[0] != 1:
        raise ProblemError("corrupt takes a single pattern (1-D)")
    p = xi[0].copy()
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= p.size:
        raise ProblemError(f"k must be an integer in 0..{p.size}, got {k!r}")
    rng = np.random.default_rng(resolve_seed(seed))
    flip = rng.choice(p.size, size=int(k), replace=False)
    p[flip] *= -1
    return p
