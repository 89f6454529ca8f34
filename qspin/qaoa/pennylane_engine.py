"""QAOA on PennyLane devices, in qspin's convention (``qspin.qaoa.expectation(..., engine="pennylane")``).

The state is the one of :mod:`qspin.qaoa.statevector`,
``|gamma, beta> = prod_k exp(-i beta_k sum_j X_j) exp(-i gamma_k E) |+>^n``, built by
:func:`qspin.compile.pennylane.qaoa_layers` (wire k = spin k, ``|0> <-> s = +1``, the global
phase of the offset dropped); ``<E>`` is ``qml.expval`` of :func:`qspin.compile.pennylane.hamiltonian`,
whose identity term carries the offset. On ``lightning.qubit`` the results agree with qspin's
statevector engine to rounding (about 1e-14), and the gradient comes from the adjoint method.

Any PennyLane device name works (``default.qubit``, ``lightning.gpu``, a hardware plugin); the
qubit limit below applies to the local statevector simulators only.
"""

from __future__ import annotations

import numpy as np

from qspin.compile.warm_start import WARM_START_EPSILON, warm_start
from qspin.conventions import qubits_to_spins
from qspin.errors import ParameterError
from qspin.problem import IsingProblem
from qspin.provenance import resolve_seed
from qspin.qaoa.statevector import available_memory, check_angles

__all__ = [
    "MAX_QUBITS",
    "check_device",
    "expectation",
    "expectation_and_gradient",
    "is_simulator",
    "probabilities",
    "qaoa_circuit",
    "sample",
]

MAX_QUBITS = 30  # local statevector simulators: 2^30 amplitudes are 16 GiB
SIMULATORS = ("lightning.", "default.")


def _check_problem(problem) -> int:
    if not isinstance(problem, IsingProblem):
        raise ParameterError(
            f"the PennyLane engine needs an IsingProblem, got {type(problem).__name__} "
            "(cost diagonals are for the statevector engine)"
        )
    n = problem.num_spins
    if n < 1:
        raise ParameterError("QAOA needs a problem with at least one spin")
    return n


def is_simulator(device: str) -> bool:
    """Whether ``device`` names one of PennyLane's local statevector simulators."""
    return isinstance(device, str) and device.startswith(SIMULATORS)


def check_device(device: str, num_qubits: int, arrays: int = 3) -> None:
    """Raise :class:`ParameterError` when a local simulator cannot hold ``num_qubits`` qubits."""
    if not isinstance(device, str) or not device:
        raise ParameterError(f"device must be a PennyLane device name such as 'lightning.qubit', got {device!r}")
    if not is_simulator(device):
        return
    if num_qubits > MAX_QUBITS:
        raise ParameterError(
            f"{device} simulates the full statevector; {num_qubits} qubits is more than the {MAX_QUBITS} "
            "allowed here. Use fewer spins, or a sampling device (hardware, a tensor-network simulator)"
        )
    need = 16.0 * arrays * 2.0**num_qubits
    avail = available_memory()
    if avail is not None and need > 0.9 * avail:
        raise ParameterError(
            f"{device} with {num_qubits} qubits needs about {need / 2**30:.1f} GiB but {avail / 2**30:.1f} GiB "
            "is available; use fewer spins"
        )


def qaoa_circuit(
    problem: IsingProblem,
    *,
    device: str = "lightning.qubit",
    diff_method: str | None = "adjoint",
    shots: int | None = None,
    seed: int | None = None,
    initial_state=None,
    epsilon: float = WARM_START_EPSILON,
):
    """The QNode ``f(gammas, betas)`` (``<E>``, or bits when ``shots`` is given), after checks;
    ``initial_state`` (spins) and ``epsilon``: a warm-start product state instead of ``|+>^n``."""
    from qspin.compile.pennylane import qaoa_qnode

    n = _check_problem(problem)
    check_device(device, n)
    start = {"initial_state": initial_state, "epsilon": epsilon}
    if shots is not None:
        return qaoa_qnode(problem, device=device, shots=shots, seed=seed, **start)
    return qaoa_qnode(problem, device=device, diff_method=diff_method, **start)


def expectation(problem: IsingProblem, gammas, betas, *, device: str = "lightning.qubit", **options) -> float:
    """``<gamma, beta| E |gamma, beta>`` on a PennyLane device (exact on simulators).

    ``options`` go to :func:`qaoa_circuit` (``diff_method``).
    """
    gammas, betas = check_angles(gammas, betas)
    return float(qaoa_circuit(problem, device=device, **options)(gammas, betas))


def expectation_and_gradient(
    problem: IsingProblem,
    gammas,
    betas,
    *,
    device: str = "lightning.qubit",
    diff_method: str = "adjoint",
    circuit=None,
    initial_state=None,
    epsilon: float = WARM_START_EPSILON,
) -> tuple[float, np.ndarray, np.ndarray]:
    """``(<E>, d<E>/dgamma, d<E>/dbeta)`` by PennyLane (the adjoint method by default).

    Pass ``circuit`` (from :func:`qaoa_circuit`) to reuse one QNode across calls.
    """
    import pennylane as qml
    from pennylane import numpy as pnp

    gammas, betas = check_angles(gammas, betas)
    if circuit is None:
        circuit = qaoa_circuit(
            problem, device=device, diff_method=diff_method, initial_state=initial_state, epsilon=epsilon
        )
    f = circuit
    grad = qml.grad(f, argnums=[0, 1])
    dg, db = grad(pnp.array(gammas, requires_grad=True), pnp.array(betas, requires_grad=True))
    return float(grad.forward), np.asarray(dg, dtype=np.float64), np.asarray(db, dtype=np.float64)


def probabilities(
    problem: IsingProblem,
    gammas,
    betas,
    *,
    device: str = "lightning.qubit",
    initial_state=None,
    epsilon: float = WARM_START_EPSILON,
) -> np.ndarray:
    """``|<k|gamma, beta>|^2`` from ``qml.probs``, float64 (2^n,), indexed as qspin's statevector
    (qubit 0 the least significant bit; PennyLane's own order has wire 0 the most significant)."""
    import pennylane as qml

    from qspin.compile.pennylane import qaoa_layers

    gammas, betas = check_angles(gammas, betas)
    n = _check_problem(problem)
    check_device(device, n)
    start = warm_start(initial_state, n, epsilon)

    @qml.qnode(qml.device(device, wires=n), diff_method=None)
    def probs():
        qaoa_layers(problem, gammas, betas, start)
        return qml.probs(wires=range(n))

    p = np.asarray(probs(), dtype=np.float64)
    return np.ascontiguousarray(p.reshape((2,) * n).transpose(range(n - 1, -1, -1)).reshape(-1))


def sample(
    problem: IsingProblem, gammas, betas, shots: int, seed: int | None = None, *, device="lightning.qubit", **options
) -> np.ndarray:
    """``shots`` spin rows (int8, (shots, n)) measured on a PennyLane device.

    The device draws with ``seed`` (a fresh one when None), so a seeded simulator repeats
    itself; column k is wire k, spin ``1 - 2 bit``.
    """
    if isinstance(shots, bool) or not isinstance(shots, (int, np.integer)) or shots < 1:
        raise ParameterError(f"shots must be a positive integer, got {shots!r}")
    extra = set(options) - {"initial_state", "epsilon"}
    if extra:
        raise ParameterError(f"sample takes no options {sorted(extra)} on the PennyLane engine")
    gammas, betas = check_angles(gammas, betas)
    n = _check_problem(problem)
    seed = resolve_seed(seed)
    bits = np.asarray(qaoa_circuit(problem, device=device, shots=int(shots), seed=seed, **options)(gammas, betas))
    return qubits_to_spins(bits.reshape(int(shots), n))
