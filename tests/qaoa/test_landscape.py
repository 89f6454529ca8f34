"""The depth-1 landscape: its points are the engine's <E>, its symmetries hold, its maximum cut is the published value."""

import math

import networkx as nx
import numpy as np
import pytest

from qspin import ParameterError
from qspin.models import maxcut, sherrington_kirkpatrick
from qspin.qaoa import expectation, landscape, maxcut_regular_angles
from tests.conftest import random_problem


def test_points_are_the_engines_expectation_and_best_is_the_minimum():
    problem = random_problem(np.random.default_rng(3), 7, field=0.6, offset=0.4)
    L = landscape(problem, points=9)
    assert L.values.shape == (9, 9) and L.num_spins == 7 and not L.values.flags.writeable
    for i, j in ((0, 0), (3, 5), (8, 2)):
        assert L.values[i, j] == expectation(problem, [L.gammas[i]], [L.betas[j]])
    g, b, value = L.best
    assert value == L.values.min() and value == pytest.approx(expectation(problem, [g], [b]), abs=1e-12)
    # warm start: the same points from the warm product state
    start = np.ones(7)
    W = landscape(problem, L.gammas[:2], L.betas[:2], initial_state=start, epsilon=0.2)
    assert W.values[1, 1] == pytest.approx(
        expectation(problem, [L.gammas[1]], [L.betas[1]], initial_state=start, epsilon=0.2)
    )


def test_symmetries():
    """<E>(-gamma, -beta) = <E>(gamma, beta); beta has period pi, and pi/2 when E(s) = E(-s)."""
    rng = np.random.default_rng(5)
    g, b = rng.uniform(0, 2, 4), rng.uniform(-1, 1, 5)
    fields = random_problem(rng, 6, field=0.8, offset=-0.3)
    base = landscape(fields, g, b).values
    np.testing.assert_allclose(landscape(fields, -g, -b).values, base, atol=1e-12)
    np.testing.assert_allclose(landscape(fields, g, b + math.pi).values, base, atol=1e-12)
    assert np.abs(landscape(fields, g, b + math.pi / 2).values - base).max() > 1e-3  # fields break pi/2
    sk = sherrington_kirkpatrick(6, seed=2)
    np.testing.assert_allclose(landscape(sk, g, b + math.pi / 2).values, landscape(sk, g, b).values, atol=1e-12)


def test_maxcut_landscape_peaks_at_the_published_p1_value():
    """On a triangle-free cubic graph every edge sees a tree at p = 1, so the best cut fraction over all
    angles is 1/2 + 1/(3 sqrt 3) = 0.6925 exactly; the default grid must come within its spacing."""
    for seed in range(200):
        graph = nx.random_regular_graph(3, 12, seed=seed)
        if nx.girth(graph) > 3:
            break
    L = landscape(maxcut(graph), points=41)
    best_cut = -L.best[2] / graph.number_of_edges()
    assert maxcut_regular_angles(1).value - 0.01 < best_cut <= maxcut_regular_angles(1).value + 1e-9


def test_bad_grids_are_refused():
    problem = sherrington_kirkpatrick(4, seed=0)
    for kwargs in ({"points": 1}, {"points": 2.5}, {"gammas": []}, {"betas": [0.1, np.nan]}, {"progress": "no"}):
        with pytest.raises(ParameterError):
            landscape(problem, **kwargs)


def test_plot(tmp_path):
    from qspin.plot import qaoa_landscape

    L = landscape(sherrington_kirkpatrick(6, seed=1), points=11)
    fig = qaoa_landscape(L)
    ax = fig.axes[0]
    assert ax.collections and ax.lines[0].get_marker() == "*"
    assert ax.lines[0].get_xdata()[0] == L.best[1] and ax.lines[0].get_ydata()[0] == L.best[0]
    fig.savefig(tmp_path / "landscape.png")
    assert (tmp_path / "landscape.png").stat().st_size > 1000
