"""The quantum Hopfield memory: recall from noisy and partial cues, next to the classical dynamics."""

import pickle

import numpy as np
import pytest

from qspin import ParameterError, ProblemError
from qspin.conventions import basis_indices_to_spins
from qspin.hopfield_dynamics import retrieve as classical_retrieve
from qspin.models.hopfield import corrupt
from qspin.qnn import QuantumHopfield, QuantumRecall, compare_recall


def separated_patterns(rng, P, N, distance=3):
    """Random patterns at Hamming distance >= ``distance`` from each other and from each other's
    mirror images: a cue with one flipped bit then has a unique nearest memory."""
    while True:
        xi = rng.choice(np.array([-1, 1], dtype=np.int8), size=(P, N))
        d = (N - np.abs(xi.astype(int) @ xi.T)) // 2  # min(distance to xi_nu, distance to -xi_nu)
        np.fill_diagonal(d, N)
        if d.min() >= distance:
            return xi


@pytest.mark.parametrize("N", [8, 10, 12])
@pytest.mark.parametrize("P", [1, 2])
def test_one_flip_cues_recall_the_stored_pattern(N, P):
    rng = np.random.default_rng(100 * N + P)
    for _ in range(2):
        xi = separated_patterns(rng, P, N)
        memory = QuantumHopfield(xi)
        for mu in range(P):
            for flip in rng.choice(N, size=2, replace=False):
                cue = xi[mu].copy()
                cue[flip] *= -1
                rec = memory.recall(cue)
                np.testing.assert_array_equal(rec.state, xi[mu])
                assert rec.best_pattern == mu and rec.overlaps[mu] == 1.0
                assert rec.probabilities[mu] == rec.state_probability > 0.5
                assert rec.mirror_probabilities[mu] < 1e-3  # the cue field picks xi, not -xi
                np.testing.assert_array_equal(memory.retrieve(cue), xi[mu])
                # the classical dynamics recall it too
                np.testing.assert_array_equal(classical_retrieve(memory.problem, cue, seed=1).state, xi[mu])


def test_partial_cue_with_unknown_entries():
    rng = np.random.default_rng(5)
    xi = separated_patterns(rng, 2, 10, distance=4)
    cue = xi[1].astype(float)
    cue[[0, 3, 7]] = 0  # unknown
    rec = QuantumHopfield(xi).recall(cue)
    np.testing.assert_array_equal(rec.state, xi[1])


def test_recall_result_is_consistent_with_the_distribution():
    rng = np.random.default_rng(6)
    xi = separated_patterns(rng, 2, 8)
    memory = QuantumHopfield(xi)
    cue = corrupt(xi[0], 1, seed=3)
    probs = memory.probabilities(cue)
    assert probs.shape == (256,) and probs.sum() == pytest.approx(1.0, abs=1e-10) and (probs >= 0).all()
    rec = memory.recall(cue)
    assert isinstance(rec, QuantumRecall) and rec.shots is None and rec.seed is None
    assert rec.state_probability == pytest.approx(probs.max())
    np.testing.assert_array_equal(rec.state, basis_indices_to_spins(np.argmax(probs), 8)[0])
    z = probs @ basis_indices_to_spins(np.arange(256), 8)
    np.testing.assert_allclose(rec.expected_overlaps, xi @ z / 8, atol=1e-12)
    assert rec.probabilities.sum() + rec.mirror_probabilities.sum() <= 1.0 + 1e-12
    with pytest.raises(ValueError):
        rec.state[0] = 1  # read-only


def test_pennylane_devices_give_the_same_probabilities():
    rng = np.random.default_rng(7)
    xi = separated_patterns(rng, 2, 5, distance=2)
    cue = np.array([1, -1, 0, 1, 1])
    kwargs = dict(steps=6, anneal_time=3.0, cue_strength=0.4)
    ref = QuantumHopfield(xi, **kwargs).probabilities(cue)
    for device in ("default.qubit", "lightning.qubit"):
        np.testing.assert_allclose(QuantumHopfield(xi, device=device, **kwargs).probabilities(cue), ref, atol=1e-10)


def test_shots_are_reproducible_from_the_seed():
    rng = np.random.default_rng(8)
    xi = separated_patterns(rng, 2, 8)
    memory = QuantumHopfield(xi, shots=200, anneal_time=5.0, steps=20)  # a faster anneal: a spread-out state
    cue = corrupt(xi[1], 2, seed=4)
    a, b, c = memory.recall(cue, seed=11), memory.recall(cue, seed=11), memory.recall(cue, seed=12)
    assert a.seed == 11 and a.shots == 200
    np.testing.assert_array_equal(a.probabilities, b.probabilities)
    assert not np.array_equal(
        np.r_[a.probabilities, a.mirror_probabilities, a.expected_overlaps],
        np.r_[c.probabilities, c.mirror_probabilities, c.expected_overlaps],
    )
    cues = np.array([corrupt(xi[mu], 1, seed=mu) for mu in range(2)])
    np.testing.assert_array_equal(memory.retrieve(cues, seed=3), memory.retrieve(cues, seed=3))
    assert memory.retrieve(cues, seed=3).shape == (2, 8)


def test_recall_rate_against_load_and_noise_next_to_classical_dynamics():
    rows = compare_recall(10, [1, 2, 4], [1, 3], trials=6, seed=2024)
    table = {(r["num_patterns"], r["flips"]): r for r in rows}
    assert len(rows) == 6 and all(r["cues"] == r["num_patterns"] * 6 for r in rows)
    # low load: both memories recall everything, also from three flipped bits
    for flips in (1, 3):
        assert table[1, flips]["quantum_rate"] == table[1, flips]["classical_rate"] == 1.0
    assert table[2, 1]["quantum_rate"] >= 0.9 and table[2, 1]["classical_rate"] >= 0.9
    # above the critical load (alpha = 0.4 > 0.138) recall degrades for both
    for key in ("quantum_rate", "classical_rate"):
        assert table[4, 3][key] < table[1, 3][key]
        assert np.mean([table[4, k][key] for k in (1, 3)]) < 0.9
    # the quantum memory is never much worse than the classical dynamics on the same cues
    for r in rows:
        assert r["quantum_rate"] >= r["classical_rate"] - 0.25, r
        assert 0 <= r["quantum_probability"] <= 1 and -1 <= r["quantum_overlap"] <= 1


def test_stability_margins():
    xi = np.array([[1, 1, 1, 1, -1, -1], [1, -1, 1, -1, 1, -1]])
    memory = QuantumHopfield(xi)
    W = (xi.T @ xi) / 6.0
    np.fill_diagonal(W, 0)
    np.testing.assert_allclose(memory.stability_margins(), (xi * (xi @ W)).min(axis=1))
    assert memory.load == pytest.approx(2 / 6) and memory.num_neurons == 6 and memory.num_patterns == 2


def test_pickles():
    memory = QuantumHopfield(np.array([[1, -1, 1, -1, 1, 1]]), steps=10)
    again = pickle.loads(pickle.dumps(memory))
    cue = [1, -1, 1, -1, 1, -1]
    np.testing.assert_array_equal(again.probabilities(cue), memory.probabilities(cue))


def test_bad_patterns_cues_and_parameters():
    with pytest.raises(ProblemError, match="must be \\+1 or -1"):
        QuantumHopfield([[1, 0, 1, -1]])
    with pytest.raises(ProblemError, match="inconsistent"):
        QuantumHopfield([[1, -1, 1], [1, -1]])
    with pytest.raises(ParameterError, match="at most 20"):
        QuantumHopfield(np.ones((1, 21)))
    with pytest.raises(ProblemError, match="rule"):
        QuantumHopfield(np.ones((1, 4)), rule="oja")
    memory = QuantumHopfield(np.array([[1, -1, 1, -1, 1, 1]]))
    with pytest.raises(ProblemError, match="shape \\(6,\\)"):
        memory.retrieve([1, -1, 1])  # the wrong length is an error, not a broadcast
    with pytest.raises(ProblemError, match="shape \\(6,\\)"):
        memory.retrieve(np.ones((2, 5)))
    with pytest.raises(ProblemError, match="cue\\[2\\]"):
        memory.recall([1, -1, 2, -1, 1, 1])
    with pytest.raises(ProblemError, match="dtype"):
        memory.recall(list("abcdef"))
    for kwargs in ({"steps": 0}, {"cue_strength": 0.0}, {"anneal_time": -1.0}, {"shots": 0}, {"device": 3}):
        with pytest.raises(ParameterError):
            QuantumHopfield(np.ones((1, 4)), **kwargs)
    with pytest.raises(ParameterError, match="trials"):
        compare_recall(6, [1], [1], trials=0)
