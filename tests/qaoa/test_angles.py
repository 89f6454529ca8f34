"""Angle tables (checked against exact simulation), the convention translation and the strategies."""

import math

import networkx as nx
import numpy as np
import pytest

from qspin import ParameterError
from qspin.models import maxcut, sherrington_kirkpatrick
from qspin.qaoa import (
    energy_diagonal,
    expectation,
    expectation_and_gradient,
    fourier_extrapolate,
    from_fourier,
    interp,
    linear_ramp,
    maxcut_regular_angles,
    optimize,
    random_angles,
    sk_angles,
    to_fourier,
    to_qspin_angles,
)
from tests.conftest import random_problem


def sk_mean_value(p, n, instances):
    """Mean and standard error of -<E>/n (= <C>/n) over SK instances at the published angles."""
    a = sk_angles(p)
    vals = np.array([-expectation(sherrington_kirkpatrick(n, seed=s), a.gammas, a.betas) / n for s in range(instances)])
    return vals.mean(), vals.std(ddof=1) / math.sqrt(instances)


def test_translation_negates_beta_only():
    g, b = to_qspin_angles([0.5, 0.6], [0.3, 0.2])
    assert g.tolist() == [0.5, 0.6] and b.tolist() == [-0.3, -0.2]
    g2, b2 = to_qspin_angles(g, b, source="qspin")
    assert g2.tolist() == g.tolist() and b2.tolist() == b.tolist()
    with pytest.raises(ParameterError):
        to_qspin_angles([0.5], [0.3], source="physics")


def test_published_state_is_qspin_state_at_minus_gamma_and_conjugation_symmetry():
    """exp(-i gamma C) with C = -E is qspin's layer at -gamma; (-gamma, beta) ~ (gamma, -beta)."""
    problem = sherrington_kirkpatrick(8, seed=1)
    g, b = np.array([0.5, 0.3]), np.array([0.4, 0.1])
    published = expectation(problem, -g, b)  # = -<C> of the paper's state
    assert expectation(problem, *to_qspin_angles(g, b)) == pytest.approx(published, abs=1e-12)
    assert expectation(problem, g, b) == pytest.approx(expectation(problem, -g, -b), abs=1e-12)


def test_sk_p1_matches_the_exact_finite_n_average():
    """At p = 1 the instance average is known exactly: E<C>/n = (n-1)/n gamma sin(4 beta) exp(-2 gamma^2 (n-1)/n).

    (Each coupling contributes w sin(2 gamma w) prod cos(...) terms; the Gaussian averages give
    the formula, which tends to V_1 = 0.3033 at gamma = 1/2, beta = pi/8.) This pins both the
    sign (E = -C) and the 1/sqrt(n) scale of qspin's SK model against the published angles.
    """
    n, instances = 10, 400
    mean, sem = sk_mean_value(1, n, instances)
    exact = (n - 1) / n * 0.5 * math.exp(-2 * 0.25 * (n - 1) / n)
    assert abs(mean - exact) < 4 * sem
    assert sk_angles(1).value == pytest.approx(0.5 * math.exp(-0.5), abs=1e-4)


@pytest.mark.parametrize("p, tol", [(1, 0.03), (2, 0.03), (3, 0.035)])
def test_sk_published_angles_reach_v_p_at_finite_n(p, tol):
    mean, _ = sk_mean_value(p, 14, 30)
    v = sk_angles(p).value
    assert v - tol < mean < v + 0.005  # finite n sits a little below the infinite-size value


def test_sk_table_values_and_higher_depths_improve():
    assert [round(sk_angles(p).value, 4) for p in range(1, 12)] == [
        0.3033,
        0.4075,
        0.4726,
        0.5157,
        0.5476,
        0.5721,
        0.5915,
        0.6073,
        0.6203,
        0.6314,
        0.6408,
    ]
    depths = [1, 2, 3, 4, 5, 6, 8, 10, 12, 14, 17]
    means = [sk_mean_value(p, 12, 8)[0] for p in depths]
    assert all(b > a for a, b in zip(means, means[1:])), means
    assert all(m < sk_angles(p).value for m, p in zip(means, depths))
    for p in range(1, 18):
        a = sk_angles(p)
        assert a.gammas.shape == a.betas.shape == (p,) and (a.gammas > 0).all() and (a.betas < 0).all()


def triangle_free_cubic_graph(n):
    for seed in range(200):
        g = nx.random_regular_graph(3, n, seed=seed)
        if nx.girth(g) > 3:
            return g
    raise AssertionError("no triangle-free graph found")


def cut_fraction(graph, angles):
    return -expectation(maxcut(graph), angles.gammas, angles.betas) / graph.number_of_edges()


def test_maxcut_p1_is_exact_on_triangle_free_cubic_graphs():
    a = maxcut_regular_angles(1)
    assert a.value == 0.5 + 1 / (3 * math.sqrt(3))
    for n in (12, 16):
        assert cut_fraction(triangle_free_cubic_graph(n), a) == pytest.approx(a.value, abs=1e-9)


def test_maxcut_p2_on_the_heawood_graph():
    heawood = nx.heawood_graph()
    assert nx.girth(heawood) == 6  # > 2p + 1: every edge sees a tree
    a = maxcut_regular_angles(2)
    assert cut_fraction(heawood, a) == pytest.approx(0.7559, abs=1e-4)
    assert cut_fraction(heawood, a) == pytest.approx(a.value, abs=1e-6)  # the table's value, to its precision


def test_maxcut_table_sanity_at_higher_depth():
    """p >= 3 needs girth > 7 (30+ qubits) to check exactly; on the bipartite Heawood graph the
    cut fraction must keep growing with p and stay above the tree value."""
    heawood = nx.heawood_graph()
    fracs = [cut_fraction(heawood, maxcut_regular_angles(p)) for p in range(1, 12)]
    assert all(b > a for a, b in zip(fracs, fracs[1:])), fracs
    assert all(f >= maxcut_regular_angles(p).value - 1e-6 for p, f in zip(range(1, 12), fracs))


def test_table_lookups_refuse_unknown_depths():
    for bad in (0, 18, 2.0, True):
        with pytest.raises(ParameterError):
            sk_angles(bad)
    with pytest.raises(ParameterError):
        maxcut_regular_angles(12)
    with pytest.raises(ParameterError):
        maxcut_regular_angles(2, degree=4)


def test_linear_ramp():
    g, b = linear_ramp(4, dt=1.0)
    np.testing.assert_allclose(g, [0.125, 0.375, 0.625, 0.875])
    np.testing.assert_allclose(b, [-0.875, -0.625, -0.375, -0.125])
    with pytest.raises(ParameterError):
        linear_ramp(0)


def test_interp_formula():
    g, b = interp([1.0, 2.0], [-3.0, -1.0])
    np.testing.assert_allclose(g, [1.0, 1.5, 2.0])  # (i-1)/p x_{i-1} + (p-i+1)/p x_i
    np.testing.assert_allclose(b, [-3.0, -2.0, -1.0])
    g1, b1 = interp([0.4], [-0.2])
    np.testing.assert_allclose(g1, [0.4, 0.4])
    np.testing.assert_allclose(b1, [-0.2, -0.2])


def test_fourier_round_trip_and_extrapolation():
    rng = np.random.default_rng(0)
    g, b = rng.normal(size=5), rng.normal(size=5)
    u, v = to_fourier(g, b)
    g2, b2 = from_fourier(u, v, 5)
    np.testing.assert_allclose(g2, g, atol=1e-12)
    np.testing.assert_allclose(b2, b, atol=1e-12)
    ge, be = fourier_extrapolate(g, b)
    assert ge.shape == be.shape == (6,)
    # a single frequency stays a single frequency: u_1 sin((i - 1/2) pi / (2p))
    ge, _ = fourier_extrapolate(*from_fourier([1.0], [1.0], 3))
    np.testing.assert_allclose(ge, np.sin((np.arange(1, 5) - 0.5) * np.pi / 8), atol=1e-12)


def test_random_angles_are_seeded_and_in_range():
    g, b = random_angles(6, seed=3, gamma_max=0.5)
    g2, b2 = random_angles(6, seed=3, gamma_max=0.5)
    assert (g == g2).all() and (b == b2).all()
    assert ((0 <= g) & (g <= 0.5)).all() and ((-math.pi / 4 <= b) & (b <= 0)).all()


@pytest.mark.parametrize("strategy", ["ramp", "interp", "fourier", "random"])
def test_optimize_strategies(strategy):
    problem = sherrington_kirkpatrick(8, seed=2)
    res = optimize(problem, 3, strategy=strategy, seed=1, restarts=2)
    assert res.gammas.shape == res.betas.shape == (3,)
    assert res.value == pytest.approx(expectation(problem, res.gammas, res.betas), abs=1e-12)
    assert res.nfev == len(res.trace) and min(abs(t - res.value) for t in res.trace) < 1e-12
    _, dg, db = expectation_and_gradient(problem, res.gammas, res.betas)
    assert np.abs(np.concatenate([dg, db])).max() < 1e-3  # a stationary point
    fixed = sk_angles(3)
    assert res.value <= expectation(problem, fixed.gammas, fixed.betas) + 1e-9


def test_optimize_from_initial_angles_and_errors():
    problem = random_problem(np.random.default_rng(1), 6, field=0.5)
    res = optimize(problem, 2, initial=linear_ramp(2))
    assert res.value < expectation(problem, *linear_ramp(2))
    with pytest.raises(ParameterError):
        optimize(problem, 3, initial=linear_ramp(2))
    with pytest.raises(ParameterError):
        optimize(problem, 2, strategy="anneal")
    with pytest.raises(ParameterError, match="optimizer"):
        optimize(problem, 2, optimizer="Adam")
    with pytest.raises(ParameterError, match="restarts"):
        optimize(problem, 2, strategy="random", restarts=0)
    # a cost diagonal works too (same local optimum from the same start), but has no fixed-angle table
    diag = energy_diagonal(problem)
    assert optimize(diag, 2, initial=linear_ramp(2)).value == pytest.approx(res.value, abs=1e-7)
    with pytest.raises(ParameterError, match="fixed"):
        optimize(diag, 2, strategy="fixed")


def test_optimize_a_warm_start():
    problem = sherrington_kirkpatrick(8, seed=4)
    ground = np.where(np.arange(8) % 2 == 0, 1, -1)  # any start: the optimum is for that start
    res = optimize(problem, 2, strategy="ramp", initial_state=ground, epsilon=0.2)
    assert res.value == pytest.approx(expectation(problem, res.gammas, res.betas, initial_state=ground, epsilon=0.2))
    assert res.value != pytest.approx(expectation(problem, res.gammas, res.betas), abs=1e-6)


def test_optimize_with_a_derivative_free_optimizer_improves_the_fixed_angles():
    problem = sherrington_kirkpatrick(8, seed=4)
    fixed = sk_angles(2)
    res = optimize(problem, 2, strategy="fixed", optimizer="COBYLA", maxiter=200)
    assert res.strategy == "fixed (sk)" and res.nfev == len(res.trace) <= 200
    assert res.value < expectation(problem, fixed.gammas, fixed.betas) - 1e-3
