import numpy as np
import pytest

from qspin import ProblemError
from qspin.models import edwards_anderson, lattice_edges


@pytest.mark.parametrize("shape", [(3,), (4, 4), (5, 3), (3, 4, 5), (4, 4, 4)])
def test_periodic_edge_count(shape):
    n = int(np.prod(shape))
    i, j = lattice_edges(shape, periodic=True)
    assert i.size == len(shape) * n
    assert len(set(zip(i.tolist(), j.tolist()))) == i.size  # no duplicate bonds
    deg = np.bincount(np.concatenate([i, j]), minlength=n)
    assert (deg == 2 * len(shape)).all()


@pytest.mark.parametrize("shape", [(2,), (4, 4), (5, 3), (3, 4, 5), (2, 2, 2), (1, 6)])
def test_open_edge_count(shape):
    n = int(np.prod(shape))
    i, j = lattice_edges(shape, periodic=False)
    assert i.size == sum((L - 1) * n // L for L in shape)


def test_bonds_are_nearest_neighbours():
    shape = (4, 5)
    i, j = lattice_edges(shape, periodic=True)
    for a, b in zip(i, j):
        ca, cb = np.array(np.unravel_index(a, shape)), np.array(np.unravel_index(b, shape))
        d = np.minimum(np.abs(ca - cb), np.array(shape) - np.abs(ca - cb))
        assert d.sum() == 1


def test_periodic_needs_side_three():
    with pytest.raises(ProblemError, match="side >= 3"):
        lattice_edges((2, 4), periodic=True)


def test_ea_reproducible_and_recorded():
    a = edwards_anderson((4, 4), couplings="pm1", seed=7)
    b = edwards_anderson((4, 4), couplings="pm1", seed=7)
    c = edwards_anderson((4, 4), couplings="pm1", seed=8)
    assert a == b and a != c
    assert set(np.abs(a.couplings[2])) == {1.0}
    assert a.metadata["lattice"] == {"shape": [4, 4], "periodic": True, "order": "C"}
    assert a.metadata["seed"] == 7 and a.metadata["model"] == "edwards_anderson"
    assert edwards_anderson((4, 4)).metadata["seed"] is not None  # a fresh seed is recorded


def test_ea_sign_and_fields():
    # physics J and B are negated: a positive uniform field favours s = +1 (h < 0 in qspin)
    p = edwards_anderson((3, 3), field=0.5, seed=1)
    assert np.allclose(p.h, -0.5)
    q = edwards_anderson((3, 3), random_field=1.0, seed=1)
    assert q.h.std() > 0.3
    g = edwards_anderson((30, 30), seed=3)
    w = g.couplings[2]
    assert abs(w.mean()) < 0.06 and abs(w.std() - 1) < 0.05


@pytest.mark.parametrize(
    "kwargs",
    [
        {"shape": ()},
        {"shape": (0, 3)},
        {"shape": (3, 3), "couplings": "cauchy"},
        {"shape": (3, 3), "seed": -1},
        {"shape": (3, 3), "random_field": -1.0},
    ],
)
def test_ea_bad_input(kwargs):
    with pytest.raises(ProblemError):
        edwards_anderson(**kwargs)
