import numpy as np
import pytest

from qspin import IsingProblem
from qspin.compile.pennylane import hamiltonian, qaoa_qnode
from qspin.compile.qiskit import bind, circuit
from qspin.compile.qiskit import hamiltonian as qiskit_hamiltonian
from qspin.conventions import qubits_to_spins
from tests.conftest import all_states, random_problem


def test_hamiltonian_diagonal_is_the_energy(rng):
    import pennylane as qml

    p = random_problem(rng, 4)
    M = qml.matrix(hamiltonian(p), wire_order=range(4))
    # PennyLane's matrix index puts wire 0 in the most significant bit
    S = all_states(4)
    bits = (1 - S) // 2
    index = bits @ (2 ** np.arange(3, -1, -1))
    assert np.allclose(np.diag(M).real[index], p.energies(S))
    assert np.allclose(M, np.diag(np.diag(M)))


def test_qnode_expectation_agrees_with_qiskit(rng):
    from qiskit.quantum_info import Statevector

    p = random_problem(rng, 4)
    g, b = rng.normal(size=2), rng.normal(size=2)
    expected = Statevector(bind(circuit(p, 2), g, b)).expectation_value(qiskit_hamiltonian(p)).real
    assert qaoa_qnode(p)(g, b) == pytest.approx(expected, abs=1e-10)


def test_samples_map_wires_to_spins():
    p = IsingProblem([4.0, -4.0, 0.0], {(0, 2): 0.0})
    # gamma, beta chosen so the field dominates: spin 0 = -1 and spin 1 = +1 are most likely
    f = qaoa_qnode(p, shots=400, seed=7, device="default.qubit")
    spins = qubits_to_spins(np.asarray(f(np.array([0.2]), np.array([-0.35]))))
    assert spins.shape == (400, 3)
    means = spins.mean(axis=0)  # about (-0.64, +0.64, 0): the field acts on spins 0 and 1 only
    assert means[0] < -0.4 and means[1] > 0.4 and abs(means[2]) < 0.2


def test_empty_problem_refused():
    from qspin import ParameterError

    with pytest.raises(ParameterError):
        qaoa_qnode(IsingProblem())
