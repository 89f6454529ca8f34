import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from qspin import conventions as cv

spin_rows = st.integers(1, 12).flatmap(
    lambda n: arrays(np.int8, st.tuples(st.integers(1, 6), st.just(n)), elements=st.sampled_from([-1, 1]))
)


@given(spin_rows)
def test_bits_round_trip(spins):
    bits = cv.spins_to_bits(spins)
    assert set(np.unique(bits)) <= {0, 1}
    assert np.array_equal(cv.bits_to_spins(bits), spins)
    assert np.array_equal(bits == 1, spins == 1)  # x = (1 + s) / 2


@given(spin_rows)
def test_qubits_round_trip(spins):
    q = cv.spins_to_qubits(spins)
    assert np.array_equal(q == 0, spins == 1)  # |0> <-> s = +1
    assert np.array_equal(cv.qubits_to_spins(q), spins)


@given(spin_rows)
def test_basis_index_and_bitstring_round_trip(spins):
    n = spins.shape[1]
    idx = cv.spins_to_basis_indices(spins)
    assert np.array_equal(cv.basis_indices_to_spins(idx, n), spins)
    strings = cv.spins_to_bitstrings(spins)
    assert np.array_equal(cv.bitstrings_to_spins(strings), spins)
    for _s, k, b in zip(spins, idx, strings):
        assert int(b, 2) == k  # Qiskit strings are little-endian: int(b, 2) is the basis index


def test_known_values():
    # spin 0 = -1 (qubit 0 in |1>), others +1: index 1, Qiskit string '...001'
    s = np.array([[-1, 1, 1]])
    assert cv.spins_to_basis_indices(s).tolist() == [1]
    assert cv.spins_to_bitstrings(s) == ["001"]
    assert cv.spins_to_bits(s).tolist() == [[0, 1, 1]]
    assert np.array_equal(cv.from_physics_couplings([1.0, -2.0]), [-1.0, 2.0])


def test_bad_bitstrings():
    with pytest.raises(ValueError):
        cv.bitstrings_to_spins(["01", "0"])
    with pytest.raises(ValueError):
        cv.bitstrings_to_spins(["0a"])


@given(st.integers(1, 7), st.integers(0, 2**32 - 1))
def test_qubo_coefficient_round_trip(n, seed):
    rng = np.random.default_rng(seed)
    h = rng.normal(size=n)
    i, j = np.triu_indices(n, 1)
    w = rng.normal(size=i.size)
    off = rng.normal()
    lin, qi, qj, quad, qoff = cv.ising_to_qubo(h, i, j, w, off)
    h2, _, _, w2, off2 = cv.qubo_to_ising(lin, qi, qj, quad, qoff)
    assert np.allclose(h2, h) and np.allclose(w2, w) and np.isclose(off2, off)
    # energies agree on every state under x = (1 + s) / 2
    from tests.conftest import all_states

    S = all_states(n).astype(float)
    X = (1 + S) / 2
    E_ising = off + S @ h + (S[:, i] * S[:, j]) @ w
    E_qubo = qoff + X @ lin + (X[:, qi] * X[:, qj]) @ quad
    assert np.allclose(E_ising, E_qubo)
