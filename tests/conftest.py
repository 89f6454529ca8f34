"""Shared fixtures and independent reference implementations for the test suite."""

from __future__ import annotations

import itertools
import os

import numpy as np
import pytest

os.environ.setdefault("QSPIN_PROGRESS", "0")


def all_states(n: int) -> np.ndarray:
    """Every +-1 state of n spins, (2^n, n) int8."""
    return np.array(list(itertools.product([1, -1], repeat=n)), dtype=np.int8).reshape(-1, n)


def reference_energies(h, J_upper, offset, states) -> np.ndarray:
    """Energies from an upper-triangular coupling matrix, written independently of qspin."""
    s = np.asarray(states, dtype=np.float64)
    return offset + s @ np.asarray(h, dtype=np.float64) + np.einsum("ri,ij,rj->r", s, J_upper, s)


def brute_force(problem):
    """(ground energy, ground states as a set of tuples, all energies) by plain enumeration."""
    n = problem.num_spins
    U = np.zeros((n, n))
    for a, b, w in zip(*problem.couplings):
        U[a, b] += w
    states = all_states(n)
    E = reference_energies(problem.h, U, problem.offset, states)
    e0 = E.min()
    ground = {tuple(int(x) for x in states[k]) for k in np.flatnonzero(np.abs(E - e0) < 1e-9)}
    return e0, ground, E


def random_problem(rng: np.random.Generator, n: int, density: float = 0.6, field: float = 1.0, offset=None):
    from qspin import IsingProblem

    J = {}
    for a in range(n):
        for b in range(a + 1, n):
            if rng.random() < density:
                J[(a, b)] = float(rng.normal())
    h = field * rng.normal(size=n)
    return IsingProblem(h, J, float(rng.normal()) if offset is None else offset)


@pytest.fixture
def rng():
    return np.random.default_rng(20261204)


@pytest.fixture
def isolated_dwave_config(tmp_path, monkeypatch):
    """No dwave.conf, no D-Wave environment variables, a private embedding cache."""
    for var in (
        "DWAVE_API_TOKEN",
        "DWAVE_API_ENDPOINT",
        "DWAVE_API_REGION",
        "DWAVE_CONFIG_FILE",
        "DWAVE_PROFILE",
        "DWAVE_API_SOLVER",
        "DWAVE_API_CLIENT",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.setenv("QSPIN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def engine_agreement_problems():
    """(label, problem) pairs with fields and offsets on which every QAOA engine must agree (the
    field-free one takes the statevector engine's half-state path)."""
    from qspin import IsingProblem
    from qspin.models import sherrington_kirkpatrick

    rng = np.random.default_rng(7)
    yield "random5", random_problem(rng, 5, density=0.8, field=0.7)
    yield "random7-sparse", random_problem(rng, 7, density=0.4, field=1.3, offset=-2.5)
    sk = sherrington_kirkpatrick(8, seed=3)
    yield "sk8-field-offset", sk.replace(h=np.linspace(-0.6, 0.9, 8), offset=1.75)
    yield "one-spin", IsingProblem([0.8], offset=0.3)
    yield "fields-only", IsingProblem([0.5, -1.0, 0.25], offset=-0.4)
    yield "sk7-flip-symmetric", sherrington_kirkpatrick(7, seed=4).replace(offset=0.6)
