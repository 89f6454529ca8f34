"""Simulated quantum annealing ("sqa"): path-integral Monte Carlo against exact quantum oracles."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import qspin
from qspin import IsingProblem, ParameterError
from qspin.models import edwards_anderson, sherrington_kirkpatrick
from qspin.solvers import sqa
from qspin.solvers.registry import get_backend

# --- independent oracles ----------------------------------------------------------------------


def _states(n):
    """Every state, first spin slowest (the order of kron(...) below), +1 before -1."""
    return np.array(list(itertools.product([1, -1], repeat=n)), dtype=np.float64).reshape(-1, n)


def _ed_expectations(problem, gamma, beta):
    """<Z_i> and <Z_i Z_j> of H = E(Z) - gamma sum X at inverse temperature beta, by diagonalisation."""
    n = problem.num_spins
    s = _states(n)
    X = np.array([[0.0, 1.0], [1.0, 0.0]])
    H = np.diag(problem.energies(s.astype(np.int8)))
    for i in range(n):
        H -= gamma * np.kron(np.kron(np.eye(2**i), X), np.eye(2 ** (n - i - 1)))
    w, V = np.linalg.eigh(H)
    p = np.exp(-beta * (w - w[0]))
    diag = (V**2) @ p / p.sum()  # <b| rho |b>
    return diag @ s, np.einsum("b,bi,bj->ij", diag, s, s)


def _trotter_expectations(problem, gamma, beta, P):
    """The same at P Trotter slices, exactly: Tr[diag(O) (D T)^P] / Tr[(D T)^P]."""
    n = problem.num_spins
    s = _states(n)
    K = float(sqa.trotter_coupling(gamma, beta, P))
    D = np.diag(np.exp(-(beta / P) * problem.energies(s.astype(np.int8))))
    T1 = np.exp(K * np.outer([1.0, -1.0], [1.0, -1.0]))
    T = np.ones((1, 1))
    for _ in range(n):
        T = np.kron(T, T1)
    M = np.linalg.matrix_power(D @ T, P)
    diag = np.diag(M) / np.trace(M)
    return diag @ s, np.einsum("b,bi,bj->ij", diag, s, s)


def _paths(problem, seed, **params):
    """Every slice of every read, (R, P, n), in read order (straight from the backend, unsorted)."""
    be = get_backend("sqa")
    p = be.check_parameters(problem, {**be.parameters, **params, "readout": "all"})
    out = be.sample(problem, seed=seed, **p)
    return out.spins.reshape(p["num_reads"], p["num_slices"], problem.num_spins).astype(np.float64)


def _estimate(paths):
    """<Z_i>, <Z_i Z_j> over all slices and reads, with standard errors from the per-read means."""
    R = paths.shape[0]
    z = paths.mean(axis=1)  # (R, n)
    zz = np.einsum("rki,rkj->rij", paths, paths) / paths.shape[1]
    return z.mean(0), z.std(0) / np.sqrt(R), zz.mean(0), zz.std(0) / np.sqrt(R)


# --- physics ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("h", "gamma", "beta"), [(0.5, 1.0, 2.0), (-0.3, 0.7, 3.0)])
def test_single_spin_magnetisation_matches_the_quantum_value(h, gamma, beta):
    omega = np.hypot(h, gamma)
    exact = -h / omega * np.tanh(beta * omega)  # E = h s, so <sigma_z> = -h/omega tanh(beta omega)
    P = 64
    finite_p, _ = _trotter_expectations(IsingProblem([h]), gamma, beta, P)
    assert abs(finite_p[0] - exact) < 2e-3  # the Trotter error at this P is negligible
    paths = _paths(
        IsingProblem([h]), seed=7, num_reads=3000, num_sweeps=150, num_slices=P, beta=beta, gamma_range=(gamma, gamma)
    )
    m, se, _, _ = _estimate(paths)
    assert abs(m[0] - exact) < 4 * se[0] + 2e-3, (m[0], se[0], exact)


def test_kernel_is_exact_at_coarse_trotterisation():
    """At P = 4 the Trotter error is large; the sampler must match the P = 4 transfer matrix, not the limit."""
    problem = IsingProblem([0.4, -0.2], {(0, 1): 0.8})
    gamma, beta, P = 1.0, 2.5, 4
    z_p, zz_p = _trotter_expectations(problem, gamma, beta, P)
    z_q, zz_q = _ed_expectations(problem, gamma, beta)
    paths = _paths(problem, seed=3, num_reads=20000, num_sweeps=60, num_slices=P, beta=beta, gamma_range=(gamma, gamma))
    z, se, zz, se_zz = _estimate(paths)
    np.testing.assert_array_less(np.abs(z - z_p), 4 * se)
    assert abs(zz[0, 1] - zz_p[0, 1]) < 4 * se_zz[0, 1]
    # the test can tell P = 4 from the continuum
    assert abs(zz_p[0, 1] - zz_q[0, 1]) > 8 * se_zz[0, 1]


@pytest.mark.parametrize("global_moves", [True, False])
@pytest.mark.parametrize("n", [2, 3])
def test_small_systems_match_exact_diagonalisation(n, global_moves):
    if n == 2:
        problem = IsingProblem([0.3, -0.5], {(0, 1): 0.7})
    else:  # a frustrated antiferromagnetic triangle with fields
        problem = IsingProblem([0.2, -0.1, 0.4], {(0, 1): 1.0, (1, 2): 0.8, (0, 2): 0.6})
    gamma, beta, P = 0.8, 2.0, 32
    z_q, zz_q = _ed_expectations(problem, gamma, beta)
    z_p, zz_p = _trotter_expectations(problem, gamma, beta, P)
    trotter = max(np.abs(z_q - z_p).max(), np.abs(zz_q - zz_p).max())
    assert trotter < 5e-3
    paths = _paths(
        problem,
        seed=11 + n,
        num_reads=4000,
        num_sweeps=100,
        num_slices=P,
        beta=beta,
        gamma_range=(gamma, gamma),
        global_moves=global_moves,
    )
    z, se, zz, se_zz = _estimate(paths)
    np.testing.assert_array_less(np.abs(z - z_q), 4.5 * se + trotter)
    iu = np.triu_indices(n, 1)
    np.testing.assert_array_less(np.abs(zz - zz_q)[iu], 4.5 * se_zz[iu] + trotter)


def test_tiny_transverse_field_samples_the_classical_boltzmann_distribution():
    """Gamma -> 0 locks the slices together: a slice is classical Metropolis at beta (via worldline moves)."""
    rng = np.random.default_rng(5)
    problem = IsingProblem(
        0.5 * rng.normal(size=5), {(a, b): 0.5 * rng.normal() for a in range(5) for b in range(a + 1, 5)}
    )
    beta = 1.5
    s = _states(5).astype(np.int8)
    w = np.exp(-beta * (problem.energies(s) - problem.energies(s).min()))
    w /= w.sum()
    ss = qspin.solve(
        problem,
        "sqa",
        seed=2,
        num_reads=4000,
        num_sweeps=200,
        num_slices=4,
        beta=beta,
        gamma_range=(1e-6, 1e-6),
        readout="slice",
    )
    assert ss.info["slice_energy_spread"]["max"] < 1e-9  # locked worldlines
    freq = np.array([np.all(ss.spins == row, axis=1).sum() for row in s]) / ss.num_reads
    assert 0.5 * np.abs(freq - w).sum() < 0.035  # total-variation distance (about 0.015 expected from noise)
    # at large beta the slice marginal sits in the classical ground state (a field-dominated instance,
    # whose only single-flip minimum is the ground state, so fixed-beta Metropolis reaches it)
    field_dominated = IsingProblem(
        [1.0, -1.2, 0.9, -1.5, 1.1], {(a, b): 0.2 * rng.choice([-1.0, 1.0]) for a in range(5) for b in range(a + 1, 5)}
    )
    e0 = qspin.solve(field_dominated, "exact").best_energy
    cold = qspin.solve(
        field_dominated,
        "sqa",
        seed=2,
        num_reads=200,
        num_sweeps=100,
        num_slices=8,
        beta=30.0,
        gamma_range=(1e-6, 1e-6),
        readout="all",
    )
    assert cold.fraction_at_or_below(e0) > 0.99


@pytest.mark.parametrize(
    "problem",
    [
        sherrington_kirkpatrick(14, seed=1),
        sherrington_kirkpatrick(16, seed=2),
        edwards_anderson((4, 4), seed=3),
        edwards_anderson((4, 5), couplings="pm1", seed=4),
        edwards_anderson((3, 3, 2), periodic=False, seed=5, random_field=0.5),
    ],
    ids=["sk14", "sk16", "ea4x4", "ea4x5pm", "ea3x3x2h"],
)
def test_annealing_finds_exact_ground_states(problem):
    e0 = qspin.solve(problem, "exact").best_energy
    ss = qspin.solve(problem, "sqa", seed=1, num_reads=16, num_sweeps=300)
    assert ss.best_energy == pytest.approx(e0, abs=1e-9)
    assert ss.fraction_at_or_below(e0) >= 0.5


# --- contract -------------------------------------------------------------------------------------


def test_seed_reproducibility_threads_and_blocks(monkeypatch):
    import numba

    problem = sherrington_kirkpatrick(12, seed=9)
    kw = dict(num_reads=6, num_sweeps=50, num_slices=8, readout="all")
    a = qspin.solve(problem, "sqa", seed=123, **kw)
    b = qspin.solve(problem, "sqa", seed=123, **kw)
    c = qspin.solve(problem, "sqa", seed=124, **kw)
    np.testing.assert_array_equal(a.spins, b.spins)
    assert not np.array_equal(_paths(problem, 123, **kw), _paths(problem, 124, **kw))
    assert c.info["seed"] == 124
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one_thread = _paths(problem, 123, **kw)
    finally:
        numba.set_num_threads(old)
    monkeypatch.setattr(sqa, "WORK_PER_BLOCK", 1.0)  # one sweep per kernel call
    np.testing.assert_array_equal(one_thread, _paths(problem, 123, **kw))


def test_readouts_and_info():
    problem = sherrington_kirkpatrick(10, seed=4)
    best = qspin.solve(problem, "sqa", seed=5, num_reads=4, num_sweeps=40, num_slices=6)
    allrows = qspin.solve(problem, "sqa", seed=5, num_reads=4, num_sweeps=40, num_slices=6, readout="all")
    first = qspin.solve(problem, "sqa", seed=5, num_reads=4, num_sweeps=40, num_slices=6, readout="slice")
    assert best.num_reads == 4 and first.num_reads == 4 and allrows.num_reads == 24
    paths = _paths(problem, 5, num_reads=4, num_sweeps=40, num_slices=6)
    for r in range(4):  # "best" is the lowest-energy slice of each path
        assert np.isclose(problem.energies(paths[r].astype(np.int8)).min(), best.energies, atol=1e-9).any()
    np.testing.assert_allclose(np.sort(first.energies), np.sort(problem.energies(paths[:, 0].astype(np.int8))))
    info = best.info
    assert info["gamma_schedule"]["type"] == "linear" and info["gamma_schedule"]["num_values"] == 40
    u = sqa.energy_unit(problem)
    assert info["gamma_schedule"]["start"] == pytest.approx(3 * u) and info["gamma_schedule"]["end"] == pytest.approx(
        1e-3 * u
    )
    jp = info["j_perp_range"]
    assert 0 <= jp[0] < jp[1]  # J_perp grows as Gamma falls (and underflows to 0 at large beta Gamma / P)
    assert set(info["slice_energy_spread"]) == {"mean", "max"}
    assert 0 < info["acceptance"]["local"] < 1
    assert info["timing"]["sampling_s"] > 0 and info["versions"]["numba"]


def test_custom_and_geometric_schedules():
    problem = sherrington_kirkpatrick(8, seed=2)
    g = np.geomspace(2.0, 1e-3, 30)
    custom = qspin.solve(problem, "sqa", seed=1, num_reads=2, gamma_schedule=g, num_slices=4)
    geo = qspin.solve(
        problem,
        "sqa",
        seed=1,
        num_reads=2,
        gamma_schedule="geometric",
        gamma_range=(2.0, 1e-3),
        num_sweeps=30,
        num_slices=4,
    )
    np.testing.assert_array_equal(custom.spins, geo.spins)
    assert custom.info["gamma_schedule"]["type"] == "custom" and custom.info["num_sweeps"] == 30


def test_tiny_problems():
    empty = qspin.solve(IsingProblem(num_spins=0), "sqa", seed=1, num_reads=3)
    assert empty.spins.shape == (3, 0)
    one = qspin.solve(IsingProblem([1.0]), "sqa", seed=1, num_reads=5, num_sweeps=100, num_slices=4)
    np.testing.assert_array_equal(one.spins, -np.ones((5, 1)))
    free = qspin.solve(IsingProblem(num_spins=2), "sqa", seed=1, num_reads=3, num_sweeps=5)
    assert free.spins.shape == (3, 2)
    classical = qspin.solve(
        IsingProblem([1.0, -1.0], {(0, 1): -0.5}), "sqa", seed=1, num_slices=1, num_sweeps=50, beta=5.0
    )
    assert classical.best_energy == pytest.approx(-1.5)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"num_reads": 0}, "num_reads"),
        ({"num_slices": 0}, "num_slices"),
        ({"num_sweeps": 2.5}, "num_sweeps"),
        ({"beta": -1.0}, "beta"),
        ({"beta": float("inf")}, "beta"),
        ({"gamma_range": (1.0,)}, "gamma_range"),
        ({"gamma_range": (0.0, 1.0)}, r"gamma_range\[0\]"),
        ({"gamma_range": "big"}, "gamma_range"),
        ({"gamma_schedule": "cubic"}, "gamma_schedule"),
        ({"gamma_schedule": [1.0, -0.1]}, r"gamma_schedule\[1\]"),
        ({"gamma_schedule": [[1.0]]}, "1-D"),
        ({"gamma_schedule": [1.0, 0.5], "gamma_range": (1.0, 0.5)}, "either"),
        ({"gamma_schedule": [1.0, 0.5], "num_sweeps": 3}, "num_sweeps"),
        ({"global_moves": "yes"}, "global_moves"),
        ({"readout": "median"}, "readout"),
        ({"temperature": 1.0}, "does not take"),
    ],
)
def test_bad_parameters_are_refused_before_work(params, match):
    with pytest.raises(ParameterError, match=match):
        qspin.solve(sherrington_kirkpatrick(5, seed=1), "sqa", seed=1, **params)
