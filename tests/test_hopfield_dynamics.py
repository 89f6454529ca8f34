"""Classical Hopfield retrieval: recall below the AGS capacity, failure above it, fixed points, seeds."""

from __future__ import annotations

import numpy as np
import pytest

from qspin import IsingProblem, ParameterError, ProblemError
from qspin.hopfield_dynamics import RetrievalResult, retrieve
from qspin.models import corrupt, hopfield


def _patterns(P, N, seed):
    rng = np.random.default_rng(seed)
    return (1 - 2 * rng.integers(0, 2, size=(P, N))).astype(np.int8)


def _cues(xi, fraction, seed):
    k = int(round(fraction * xi.shape[1]))
    return np.array([corrupt(x, k, seed=seed + mu) for mu, x in enumerate(xi)])


def test_low_load_recalls_corrupted_patterns():
    xi = _patterns(10, 200, seed=1)  # alpha = 0.05, well below alpha_c = 0.138
    res = retrieve(hopfield(xi), _cues(xi, 0.10, seed=100), seed=3)
    m = res.overlaps[np.arange(10), np.arange(10)]
    assert (m > 0.98).mean() >= 0.9 and m.mean() > 0.98
    assert (res.best_pattern == np.arange(10)).all()
    assert res.converged.all() and res.sweeps.max() < 10


def test_recall_fails_above_the_critical_load():
    xi = _patterns(90, 300, seed=2)  # alpha = 0.3, above alpha_c = 0.138 (Amit, Gutfreund, Sompolinsky)
    res = retrieve(hopfield(xi), _cues(xi, 0.10, seed=200), seed=4)
    m = res.overlaps[np.arange(90), np.arange(90)]
    assert m.mean() < 0.6
    assert (m > 0.98).mean() < 0.1


def test_stored_patterns_are_fixed_points_at_very_low_load():
    xi = _patterns(5, 300, seed=3)
    net = hopfield(xi)
    res = retrieve(net, xi, seed=5)
    np.testing.assert_array_equal(res.state, xi)
    assert (res.sweeps == 1).all() and res.converged.all()
    np.testing.assert_allclose(np.diagonal(res.overlaps), 1.0)
    mirror = retrieve(net, -xi[0], seed=5)  # the mirror image is stored too
    assert mirror.best_pattern == 0 and mirror.overlaps[0] == -1.0


def test_tiny_temperature_replays_the_zero_temperature_run():
    # P odd and N even make every Hebbian field an odd multiple of 1/N: no ties, so the runs agree exactly
    xi = _patterns(21, 200, seed=4)
    cues = _cues(xi, 0.2, seed=300)
    cold = retrieve(xi, cues, seed=6)
    warm = retrieve(xi, cues, seed=6, temperature=1e-9, max_sweeps=cold.sweeps.max() + 3)
    np.testing.assert_array_equal(warm.state, cold.state)
    assert warm.converged.all() and (warm.sweeps == cold.sweeps.max() + 3).all()


def test_finite_temperature_degrades_recall():
    xi = _patterns(10, 200, seed=5)
    cues = _cues(xi, 0.1, seed=400)
    warm = retrieve(xi, cues, seed=7, temperature=0.5, max_sweeps=20)
    hot = retrieve(xi, cues, seed=7, temperature=5.0, max_sweeps=20)
    m_warm = warm.overlaps[np.arange(10), np.arange(10)]
    m_hot = hot.overlaps[np.arange(10), np.arange(10)]
    assert 0.9 < m_warm.mean() < 0.99  # thermal retrieval: m = tanh(m / T) gives m = 0.957 at T = 0.5
    assert abs(m_hot.mean()) < 0.2  # paramagnet above T = 1
    assert (warm.sweeps == 20).all()


def test_reproducible_from_seed():
    xi = _patterns(40, 200, seed=6)  # alpha = 0.2: the dynamics wander, so seeds matter
    cues = _cues(xi, 0.2, seed=500)
    a = retrieve(xi, cues, seed=8)
    b = retrieve(xi, cues, seed=8)
    c = retrieve(xi, cues, seed=9)
    np.testing.assert_array_equal(a.state, b.state)
    assert not np.array_equal(a.state, c.state)
    t1 = retrieve(xi, cues, seed=8, temperature=0.3, max_sweeps=5)
    t2 = retrieve(xi, cues, seed=8, temperature=0.3, max_sweeps=5)
    np.testing.assert_array_equal(t1.state, t2.state)
    assert retrieve(xi, cues[3]).seed >= 0  # a fresh seed is drawn and recorded


def test_single_cue_result_and_patterns_or_problem():
    xi = _patterns(3, 50, seed=7)
    res = retrieve(xi, xi[1], seed=1)
    assert isinstance(res, RetrievalResult)
    assert res.state.shape == (50,) and res.overlaps.shape == (3,)
    assert isinstance(res.best_pattern, int) and isinstance(res.sweeps, int) and isinstance(res.converged, bool)
    assert res.best_pattern == 1 and res.seed == 1 and res.temperature == 0.0
    with pytest.raises(ValueError):
        res.state[0] = 1  # read-only
    same = retrieve(hopfield(xi), xi[1], seed=1)
    np.testing.assert_array_equal(same.state, res.state)
    storkey = retrieve(xi, xi[1], seed=1, rule="storkey")
    np.testing.assert_array_equal(storkey.state, xi[1])


def test_ties_keep_the_current_spin_and_plain_problems_work():
    free = IsingProblem(num_spins=4)  # every field is zero: nothing moves
    res = retrieve(free, [1, -1, 1, 1], seed=1)
    np.testing.assert_array_equal(res.state, [1, -1, 1, 1])
    assert res.converged and res.sweeps == 1 and res.best_pattern == -1 and res.overlaps.shape == (0,)
    ferro = IsingProblem([0.0, 0.0, 0.1], {(0, 1): -1.0, (1, 2): -1.0})  # qspin sign: J < 0 aligns
    assert retrieve(ferro, [1, -1, -1], seed=1).state.tolist() == [-1, -1, -1]


@pytest.mark.parametrize(
    ("cue", "match"),
    [
        (np.ones(49), r"shape \(50,\) or \(C, 50\)"),
        (np.ones((2, 51)), r"shape \(50,\) or \(C, 50\)"),
        (np.ones((2, 2, 50)), "shape"),
        (np.ones(1), "shape"),  # never broadcast
        (np.r_[np.ones(49), 0.0], r"cue\[49\] = 0.0"),
        (np.array(["+"] * 50), "numbers"),
    ],
)
def test_bad_cues_are_refused(cue, match):
    xi = _patterns(3, 50, seed=8)
    with pytest.raises(ProblemError, match=match):
        retrieve(xi, cue, seed=1)


def test_bad_arguments_are_refused():
    xi = _patterns(3, 50, seed=9)
    with pytest.raises(ParameterError, match="temperature"):
        retrieve(xi, xi[0], temperature=-1.0)
    with pytest.raises(ParameterError, match="max_sweeps"):
        retrieve(xi, xi[0], max_sweeps=0)
    with pytest.raises(ParameterError, match="seed"):
        retrieve(xi, xi[0], seed=-3)
    with pytest.raises(ProblemError, match="rule"):
        retrieve(xi, xi[0], rule="oja")
    with pytest.raises(ProblemError, match="rule applies only"):
        retrieve(hopfield(xi), xi[0], rule="hebb")
    with pytest.raises(ProblemError, match="pattern entries"):
        retrieve(np.zeros((2, 50)), xi[0])
