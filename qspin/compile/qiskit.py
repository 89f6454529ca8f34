"""Compile the IR to Qiskit: the cost Hamiltonian and the parametrised QAOA circuit.

Convention (qspin.conventions): qubit k is spin k and ``|0> <-> s = +1``, so the energy is the
diagonal operator ``E = offset + sum_i h_i Z_i + sum_{i<j} J_ij Z_i Z_j``. The QAOA state is
``prod_k exp(-i beta_k sum_j X_j) exp(-i gamma_k E) |+>^n``; with Qiskit's
``RZ(t) = exp(-i t Z / 2)``, ``RZZ(t) = exp(-i t ZZ / 2)`` and ``RX(t) = exp(-i t X / 2)`` a cost
layer is ``RZ(2 gamma h_i)`` and ``RZZ(2 gamma J_ij)`` (plus the global phase ``-gamma offset``)
and a mixer layer is ``RX(2 beta)`` on every qubit. Parameters are two ParameterVectors named
``gamma`` and ``beta``; :func:`bind` binds them by name, never by position.
"""

from __future__ import annotations

import numpy as np

from qspin.compile.warm_start import WARM_START_EPSILON, warm_start, warm_start_angles
from qspin.errors import ParameterError
from qspin.problem import IsingProblem

__all__ = ["bind", "circuit", "hamiltonian", "to_qasm3", "warm_start_angles"]


def hamiltonian(problem: IsingProblem):
    """The energy as a ``qiskit.quantum_info.SparsePauliOp`` (Z and ZZ terms plus the offset)."""
    from qiskit.quantum_info import SparsePauliOp

    n = problem.num_spins
    i, j, w = problem.couplings
    terms = [("Z", [k], float(v)) for k, v in enumerate(problem.h) if v != 0.0]
    terms += [("ZZ", [int(a), int(b)], float(c)) for a, b, c in zip(i, j, w)]
    terms.append(("", [], float(problem.offset)))
    return SparsePauliOp.from_sparse_list(terms, num_qubits=n).simplify(atol=0.0)


def circuit(
    problem: IsingProblem, reps: int, *, initial_state=None, epsilon: float = WARM_START_EPSILON, measure: bool = False
):
    """The parametrised QAOA circuit of depth ``reps`` (parameters ``gamma[k]``, ``beta[k]``).

    ``initial_state`` (spins of a classical solution) replaces ``|+>^n`` by a warm-start
    product state (see :func:`warm_start_angles`); the mixer stays ``sum X``.
    """
    from qiskit.circuit import ParameterVector, QuantumCircuit

    if isinstance(reps, bool) or not isinstance(reps, (int, np.integer)) or reps < 1:
        raise ParameterError(f"reps (p) must be an integer >= 1, got {reps!r}")
    n = problem.num_spins
    gamma, beta = ParameterVector("gamma", int(reps)), ParameterVector("beta", int(reps))
    qc = QuantumCircuit(n, name=f"qaoa-p{reps}")
    if initial_state is None:
        qc.h(range(n))
    else:
        for k, theta in enumerate(warm_start(initial_state, n, epsilon)):
            qc.ry(float(theta), k)
    i, j, w = problem.couplings
    phase = 0
    for layer in range(int(reps)):
        for k, v in enumerate(problem.h):
            if v != 0.0:
                qc.rz(2.0 * float(v) * gamma[layer], k)
        for a, b, c in zip(i.tolist(), j.tolist(), w.tolist()):
            qc.rzz(2.0 * c * gamma[layer], a, b)
        phase = phase - problem.offset * gamma[layer]
        qc.rx(2.0 * beta[layer], range(n))
    if problem.offset:
        qc.global_phase = phase
    if measure:
        qc.measure_all()
    return qc


def bind(qc, gammas, betas):
    """Bind ``gamma[k]`` and ``beta[k]`` by parameter name; lengths must match the circuit's depth."""
    gammas, betas = np.asarray(gammas, dtype=float).ravel(), np.asarray(betas, dtype=float).ravel()
    by_name = {p.name: p for p in qc.parameters}
    reps = sum(1 for name in by_name if name.startswith("gamma["))
    if gammas.size != reps or betas.size != reps:
        raise ParameterError(f"the circuit has depth {reps}; got {gammas.size} gammas and {betas.size} betas")
    if not (np.isfinite(gammas).all() and np.isfinite(betas).all()):
        raise ParameterError("QAOA angles must be finite")
    values = {by_name[f"gamma[{k}]"]: gammas[k] for k in range(reps)}
    values.update({by_name[f"beta[{k}]"]: betas[k] for k in range(reps)})
    return qc.assign_parameters(values)


def to_qasm3(qc) -> str:
    """OpenQASM 3 text of a circuit (parameters become ``input float[64]`` declarations)."""
    from qiskit import qasm3

    return qasm3.dumps(qc)
