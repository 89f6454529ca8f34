import numpy as np
import pytest
from scipy.linalg import expm

from qspin import IsingProblem, ParameterError
from qspin.compile.qiskit import bind, circuit, hamiltonian, to_qasm3, warm_start_angles
from qspin.conventions import basis_indices_to_spins
from tests.conftest import random_problem


def _diagonal(problem):
    n = problem.num_spins
    return problem.energies(basis_indices_to_spins(np.arange(2**n), n))


def _reference_state(problem, gammas, betas):
    """prod exp(-i beta X) exp(-i gamma E) |+>, with dense matrices (independent of qiskit)."""
    n = problem.num_spins
    X = np.array([[0, 1], [1, 0]], dtype=complex)
    mixer = np.zeros((2**n, 2**n), dtype=complex)
    for q in range(n):  # qubit q is bit q of the index: kron order puts qubit 0 last
        mixer += np.kron(np.kron(np.eye(2 ** (n - 1 - q)), X), np.eye(2**q))
    psi = np.full(2**n, 2 ** (-n / 2), dtype=complex)
    E = _diagonal(problem)
    for g, b in zip(gammas, betas):
        psi = expm(-1j * b * mixer) @ (np.exp(-1j * g * E) * psi)
    return psi


def test_hamiltonian_is_the_energy_diagonal(rng):
    p = random_problem(rng, 5)
    M = hamiltonian(p).to_matrix()
    assert np.allclose(M, np.diag(np.diag(M)))
    assert np.allclose(np.diag(M).real, _diagonal(p))


@pytest.mark.parametrize("reps", [1, 2, 3])
def test_circuit_matches_dense_reference_including_phase(rng, reps):
    from qiskit.quantum_info import Statevector

    p = random_problem(rng, 4)
    gammas, betas = rng.normal(size=reps), rng.normal(size=reps)
    sv = Statevector(bind(circuit(p, reps), gammas, betas)).data
    assert np.allclose(sv, _reference_state(p, gammas, betas), atol=1e-10)


def test_strong_field_bit_order():
    # h_0 = +5 favours spin 0 = -1: qubit 0 in |1>; qiskit's bit string ends with '1'
    from qiskit.quantum_info import Statevector

    p = IsingProblem([5.0, -5.0, 0.0])
    warm = circuit(p, 1, initial_state=[-1, 1, 1], epsilon=0.01)
    probs = Statevector(bind(warm, [0.0], [0.0])).probabilities_dict()
    best = max(probs, key=probs.get)
    assert best == "001" and probs[best] > 0.95


def test_parameters_named_and_bound_by_name():
    qc = circuit(random_problem(np.random.default_rng(1), 3), 2)
    assert sorted(p.name for p in qc.parameters) == ["beta[0]", "beta[1]", "gamma[0]", "gamma[1]"]
    with pytest.raises(ParameterError, match="depth 2"):
        bind(qc, [0.1], [0.2, 0.3])
    with pytest.raises(ParameterError, match="finite"):
        bind(qc, [0.1, np.nan], [0.2, 0.3])
    with pytest.raises(ParameterError, match="reps"):
        circuit(IsingProblem([1.0]), 0)


def test_warm_start_and_qasm3():
    assert np.allclose(np.sin(warm_start_angles([1, -1], 0.25) / 2) ** 2, [0.25, 0.75])
    with pytest.raises(ParameterError):
        warm_start_angles([1], 0.0)
    text = to_qasm3(circuit(IsingProblem([0.5, 0.0], {(0, 1): 1.0}), 1))
    assert text.startswith("OPENQASM 3.0") and "rzz" in text and "input float[64]" in text


def test_reference_circuits_have_not_drifted():
    from pathlib import Path

    from qspin.compile.reference_circuits import reference_qasm

    folder = Path(__file__).parents[2] / "circuits"
    for name, text in reference_qasm().items():
        assert (folder / name).read_text() == text, (
            f"circuits/{name} is stale: run python -m qspin.compile.reference_circuits"
        )
