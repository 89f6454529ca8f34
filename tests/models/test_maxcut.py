import networkx as nx
import numpy as np
import pytest

import qspin
from qspin import ProblemError
from qspin.models import cut_value, maxcut
from tests.conftest import all_states


def test_energy_is_minus_cut():
    g = nx.random_regular_graph(3, 10, seed=4)
    for u, v in g.edges:
        g[u][v]["weight"] = (u + 2 * v) % 5 - 1.5
    p = maxcut(g)
    S = all_states(10)
    assert np.allclose(p.energies(S), [-cut_value(g, s) for s in S])


def test_ground_state_is_max_cut():
    g = nx.petersen_graph()
    p = maxcut(g)
    best = qspin.solve(p, "exact", seed=0)
    assert best.best_energy == -12.0  # Petersen graph: max cut 12 of 15 edges
    assert cut_value(g, best.best_spins) == 12


def test_labels_kept_and_bad_graphs():
    g = nx.Graph([("a", "b"), ("b", "c")])
    p = maxcut(g)
    assert p.labels == ("a", "b", "c")
    loop = nx.Graph([(0, 0), (0, 1)])
    with pytest.raises(ProblemError, match="self-loop"):
        maxcut(loop)
    with pytest.raises(ProblemError, match="simple undirected"):
        maxcut(nx.MultiGraph([(0, 1), (0, 1)]))
