import numpy as np
import pytest

import qspin
from qspin import ProblemError
from qspin.models import corrupt, hopfield, overlaps


def _local_minimum(problem, s):
    """True when no single flip lowers the energy."""
    e = problem.energy(s)
    for k in range(s.size):
        t = s.copy()
        t[k] *= -1
        if problem.energy(t) < e - 1e-12:
            return False
    return True


def test_hebb_couplings_in_qspin_sign():
    xi = np.array([[1, -1, 1, 1], [1, 1, -1, 1]])
    p = hopfield(xi)
    M = p.to_dense()
    expected = -(xi.T @ xi) / 4.0
    np.fill_diagonal(expected, 0)
    assert np.allclose(M, expected)


@pytest.mark.parametrize("rule", ["hebb", "pseudo-inverse", "storkey"])
def test_patterns_are_local_minima_at_low_load(rule):
    rng = np.random.default_rng(5)
    xi = rng.choice([-1, 1], size=(5, 100))  # alpha = 0.05
    p = hopfield(xi, rule=rule)
    for pattern in xi:
        assert _local_minimum(p, pattern)
        assert _local_minimum(p, -pattern)


def test_pseudo_inverse_stores_correlated_patterns_hebb_cannot():
    rng = np.random.default_rng(1)
    base = rng.choice([-1, 1], size=60)
    xi = np.array([np.where(rng.random(60) < 0.15, -base, base) for _ in range(8)])  # strongly correlated
    pinv = hopfield(xi, rule="pseudo-inverse")
    assert all(_local_minimum(pinv, x) for x in xi)
    hebb = hopfield(xi, rule="hebb")
    assert not all(_local_minimum(hebb, x) for x in xi)


def test_ground_state_is_a_stored_pattern_small():
    xi = np.array([[1, 1, 1, -1, -1, 1, -1, 1, 1, -1]])
    p = hopfield(xi)
    ss = qspin.solve(p, "exact", seed=0)
    found = {tuple(s) for s in ss.spins}
    assert found == {tuple(xi[0]), tuple(-xi[0])}


def test_overlaps_and_corrupt():
    rng = np.random.default_rng(2)
    xi = rng.choice([-1, 1], size=(3, 50))
    assert np.allclose(np.diag(overlaps(xi, xi)), 1.0)
    c = corrupt(xi[0], 5, seed=9)
    assert (c != xi[0]).sum() == 5
    assert overlaps(xi, c)[0] == pytest.approx(1 - 2 * 5 / 50)
    assert np.array_equal(corrupt(xi[0], 5, seed=9), c)
    assert overlaps(xi, np.stack([c, xi[1]])).shape == (2, 3)


@pytest.mark.parametrize(
    "patterns, match",
    [
        ([[1, 0, 1]], r"patterns\[0, 1\] = 0"),
        ([[1, 1], [1, 1, 1]], "inconsistent"),
        ([], "non-empty"),
        ([["a", "b"]], "numbers"),
    ],
)
def test_bad_patterns(patterns, match):
    with pytest.raises(ProblemError, match=match):
        hopfield(patterns)


def test_bad_rule_and_cue_length():
    with pytest.raises(ProblemError, match="rule"):
        hopfield([[1, -1]], rule="oja")
    with pytest.raises(ProblemError, match="length"):
        overlaps([[1, -1, 1]], [1, 1])
    with pytest.raises(ProblemError, match="k must be"):
        corrupt([1, -1, 1], 4)


def test_metadata_keeps_patterns(tmp_path):
    xi = np.array([[1, -1, 1, -1]])
    p = hopfield(xi)
    p.save(tmp_path / "h.json")
    assert qspin.load(tmp_path / "h.json").metadata["patterns"] == xi.tolist()
