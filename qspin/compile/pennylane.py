"""Compile the IR to PennyLane: the cost Hamiltonian and the QAOA circuit, wire k = spin k.

Same convention as the Qiskit compiler: ``|0> <-> s = +1`` so ``E = offset + sum h Z + sum J ZZ``,
and the QAOA state is ``prod_k exp(-i beta_k sum X) exp(-i gamma_k E) |+>^n``. PennyLane's
``RZ(t) = exp(-i t Z / 2)``, ``IsingZZ(t) = exp(-i t ZZ / 2)`` and ``RX(t) = exp(-i t X / 2)``.
"""

from __future__ import annotations

import numpy as np

from qspin.compile.warm_start import WARM_START_EPSILON, warm_start
from qspin.errors import ParameterError
from qspin.problem import IsingProblem

__all__ = ["cost_layer", "hamiltonian", "mixer_layer", "qaoa_layers", "qaoa_qnode"]


def hamiltonian(problem: IsingProblem):
    """The energy as a PennyLane operator (a LinearCombination of Z, ZZ and the identity)."""
    import pennylane as qml

    n = problem.num_spins
    coeffs, ops = [], []
    for k, v in enumerate(problem.h):
        if v != 0.0:
            coeffs.append(float(v))
            ops.append(qml.Z(k))
    i, j, w = problem.couplings
    for a, b, c in zip(i.tolist(), j.tolist(), w.tolist()):
        coeffs.append(c)
        ops.append(qml.Z(a) @ qml.Z(b))
    if problem.offset or not ops:
        coeffs.append(float(problem.offset))
        ops.append(qml.Identity(wires=range(max(n, 1))))
    return qml.Hamiltonian(coeffs, ops)


def cost_layer(problem: IsingProblem, gamma) -> None:
    """``exp(-i gamma (E - offset))`` inside a QNode: RZ for the fields, IsingZZ for the couplings."""
    import pennylane as qml

    i, j, w = problem.couplings
    for k, v in enumerate(problem.h):
        if v != 0.0:
            qml.RZ(2.0 * float(v) * gamma, wires=k)
    for a, c, d in zip(i.tolist(), j.tolist(), w.tolist()):
        qml.IsingZZ(2.0 * d * gamma, wires=[a, c])


def mixer_layer(num_qubits: int, beta) -> None:
    """``exp(-i beta sum_k X_k)`` on wires 0..num_qubits-1 inside a QNode."""
    import pennylane as qml

    for k in range(num_qubits):
        qml.RX(2.0 * beta, wires=k)


def qaoa_layers(problem: IsingProblem, gammas, betas, start=None) -> None:
    """Apply the QAOA preparation to wires 0..n-1 inside a QNode (global phase omitted).

    ``start``: RY angles of a warm-start product state (:func:`qspin.compile.warm_start.warm_start`)
    in place of the Hadamards.
    """
    import pennylane as qml

    for k in range(problem.num_spins):
        if start is None:
            qml.Hadamard(k)
        else:
            qml.RY(float(start[k]), wires=k)
    for g, b in zip(gammas, betas):
        cost_layer(problem, g)
        mixer_layer(problem.num_spins, b)


def qaoa_qnode(
    problem: IsingProblem,
    *,
    device: str = "lightning.qubit",
    diff_method: str = "adjoint",
    shots: int | None = None,
    seed: int | None = None,
    initial_state=None,
    epsilon: float = WARM_START_EPSILON,
):
    """A QNode ``f(gammas, betas) -> <E>`` (or samples when ``shots`` is given) on ``device``;
    ``initial_state`` (spins) starts from a warm-start product state."""
    import pennylane as qml

    n = problem.num_spins
    if n == 0:
        raise ParameterError("QAOA needs at least one spin")
    if shots is not None and (isinstance(shots, bool) or not isinstance(shots, (int, np.integer)) or shots < 1):
        raise ParameterError(f"shots must be a positive integer or None, got {shots!r}")
    start = warm_start(initial_state, n, epsilon)
    dev = qml.device(device, wires=n, seed=seed) if seed is not None else qml.device(device, wires=n)
    H = hamiltonian(problem)

    if shots is None:

        @qml.qnode(dev, diff_method=diff_method)
        def expectation(gammas, betas):
            qaoa_layers(problem, gammas, betas, start)
            return qml.expval(H)

        return expectation

    @qml.set_shots(int(shots))
    @qml.qnode(dev, diff_method=None)
    def samples(gammas, betas):
        qaoa_layers(problem, gammas, betas, start)
        return qml.sample(wires=range(n))

    return samples
