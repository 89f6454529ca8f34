import networkx as nx
import numpy as np
import pytest

import qspin
from qspin import ProblemError
from qspin.models import cut_value
from tests.conftest import all_states


def test_read_gset(tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("4 4\n1 2 1\n2 3 1\n3 4 2\n4 1 1\n")
    p = qspin.read_gset(path)
    assert p.num_spins == 4 and p.name == "g"
    g = nx.Graph()
    g.add_weighted_edges_from([(0, 1, 1), (1, 2, 1), (2, 3, 2), (3, 0, 1)])
    S = all_states(4)
    assert np.allclose(p.energies(S), [-cut_value(g, s) for s in S])
    assert p.energies(S).min() == -5.0  # the 4-cycle is bipartite: every edge cut


@pytest.mark.parametrize(
    "text, match",
    [
        ("", "empty file"),
        ("4\n1 2 1\n", "header"),
        ("3 1\n1 5 1\n", "exceeds n = 3"),
        ("3 1\n0 2 1\n", "numbered from 1"),
        ("3 1\n2 2 1\n", "self-loop"),
        ("3 2\n1 2 1\n", "announces 2 edges"),
        ("3 1\n1 2 x\n", "weight 'x'"),
        ("3 2\n1 2 1\n2 1 1\n", "appears twice"),
        ("3 1\n1 2 nan\n", "not finite"),
    ],
)
def test_read_gset_errors_name_the_line(tmp_path, text, match):
    path = tmp_path / "bad.gset"
    path.write_text(text)
    with pytest.raises(ProblemError, match=match) as err:
        qspin.read_gset(path)
    assert "bad.gset" in str(err.value)


def test_read_bonds_physics_sign(tmp_path):
    path = tmp_path / "b.txt"
    path.write_text("# a 3-spin chain\n1 2 1.5\n2 3 -1\n")
    p = qspin.read_bonds(path)
    assert p.coupling_dict() == {(0, 1): -1.5, (1, 2): 1.0}  # H = -sum J s s -> qspin J = -J
    q = qspin.read_bonds(path, convention="qspin")
    assert q.coupling_dict() == {(0, 1): 1.5, (1, 2): -1.0}


def test_read_bonds_header_and_errors(tmp_path):
    path = tmp_path / "b.txt"
    path.write_text("5 2\n1 2 1\n2 3 1\n")
    assert qspin.read_bonds(path).num_spins == 5
    path.write_text("5 3\n1 2 1\n2 3 1\n")
    with pytest.raises(ProblemError, match="announces 3 bonds"):
        qspin.read_bonds(path)
    path.write_text("1 2 1\n1 2 x\n")
    with pytest.raises(ProblemError, match=r"b.txt:2"):
        qspin.read_bonds(path)
    with pytest.raises(ProblemError, match="convention"):
        qspin.read_bonds(path, convention="other")
