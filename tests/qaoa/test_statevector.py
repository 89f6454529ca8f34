"""The statevector engine against independent references: dense expm, numpy, Qiskit, finite differences."""

import importlib

import numpy as np
import pytest
import scipy.linalg as sla

from qspin import IsingProblem, ParameterError
from qspin.conventions import basis_indices_to_spins, bitstrings_to_spins
from qspin.qaoa import (
    apply_cost_layer,
    apply_mixer_layer,
    energy_diagonal,
    expectation,
    expectation_and_gradient,
    probabilities,
    sample,
    statevector,
)
from tests.conftest import random_problem

sv = importlib.import_module("qspin.qaoa.statevector")  # the module (its name is shadowed by the function)

# (LOW_BITS, HIGH_BITS, TILE_AMPS): the default, and tiny blocks that exercise every code path
# (index and row butterflies, odd qubit counts, several high passes, one-amplitude segments)
CONFIGS = [None, (5, 2, 4), (3, 3, 2), (1, 1, 1), (4, 5, 64)]


@pytest.fixture(params=CONFIGS, ids=lambda c: "default" if c is None else "low{}-high{}-tile{}".format(*c))
def config(request, monkeypatch):
    if request.param is not None:
        for name, value in zip(("LOW_BITS", "HIGH_BITS", "TILE_AMPS"), request.param):
            monkeypatch.setattr(sv, name, value)
    return request.param


def pauli_x_sum(n):
    X, N = np.array([[0.0, 1.0], [1.0, 0.0]]), 1 << n
    B = np.zeros((N, N))
    for q in range(n):
        op = np.ones((1, 1))
        for k in range(n - 1, -1, -1):  # kron puts its first factor on the most significant bit
            op = np.kron(op, X if k == q else np.eye(2))
        B += op
    return B


def dense_reference(problem, gammas, betas):
    """The QAOA state by full 2^n matrices and scipy's expm, energies from problem.energies."""
    n = problem.num_spins
    E = problem.energies(basis_indices_to_spins(np.arange(1 << n), n))
    B = pauli_x_sum(n)
    psi = np.full(1 << n, 2 ** (-n / 2), dtype=complex)
    for g, b in zip(gammas, betas):
        psi = sla.expm(-1j * b * B) @ (np.exp(-1j * g * E) * psi)
    return psi, E


def numpy_reference(E, gammas, betas):
    """The QAOA state by per-qubit reshapes: O(n 2^n), for sizes beyond dense matrices."""
    n = E.size.bit_length() - 1
    psi = np.full(E.size, 2 ** (-n / 2), dtype=complex)
    for g, b in zip(gammas, betas):
        psi = psi * np.exp(-1j * g * E)
        c, s = np.cos(b), np.sin(b)
        for q in range(n):
            t = psi.reshape(-1, 2, 1 << q)
            a0, a1 = t[:, 0, :].copy(), t[:, 1, :].copy()
            t[:, 0, :], t[:, 1, :] = c * a0 - 1j * s * a1, c * a1 - 1j * s * a0
    return psi


@pytest.mark.parametrize("n", [1, 2, 3, 9, 10, 11, 13])
def test_energy_diagonal_is_the_energy_of_every_decoded_state(n):
    problem = random_problem(np.random.default_rng(n), n, density=0.7, offset=0.3)
    diag = energy_diagonal(problem)
    assert diag.shape == (1 << n,) and diag.dtype == np.float64
    np.testing.assert_allclose(diag, problem.energies(basis_indices_to_spins(np.arange(1 << n), n)), atol=1e-12)


def test_energy_diagonal_is_cached_and_read_only():
    sv.clear_diagonal_cache()
    problem = random_problem(np.random.default_rng(0), 8)
    d = energy_diagonal(problem)
    assert energy_diagonal(problem) is d
    assert energy_diagonal(IsingProblem(problem.h, problem.coupling_dict(), problem.offset)) is d  # same fingerprint
    assert not d.flags.writeable
    with pytest.raises(ParameterError):
        energy_diagonal(np.zeros(4))


@pytest.mark.parametrize("field", [1.5, 0.0], ids=["fields", "flip-symmetric"])
@pytest.mark.parametrize("n", range(1, 7))
def test_matches_dense_expm_reference(n, config, field):
    rng = np.random.default_rng(10 + n)
    problem = random_problem(rng, n, density=0.8, field=field, offset=float(rng.normal()))
    gammas, betas = rng.normal(size=3), rng.normal(size=3)
    ref, E = dense_reference(problem, gammas, betas)
    np.testing.assert_allclose(statevector(problem, gammas, betas), ref, atol=1e-10)
    np.testing.assert_allclose(probabilities(problem, gammas, betas), np.abs(ref) ** 2, atol=1e-10)
    assert expectation(problem, gammas, betas) == pytest.approx(np.vdot(ref, E * ref).real, abs=1e-10)
    # a diagonal works as the cost too
    assert expectation(E, gammas, betas) == pytest.approx(np.vdot(ref, E * ref).real, abs=1e-10)


@pytest.mark.parametrize("field", [0.5, 0.0], ids=["fields", "flip-symmetric"])
@pytest.mark.parametrize("n", [7, 12, 13, 15])
def test_matches_numpy_reference_beyond_one_block(n, config, field):
    rng = np.random.default_rng(n)
    problem = random_problem(rng, n, density=0.5, field=field, offset=1.0)
    gammas, betas = rng.normal(size=2) * 0.5, rng.normal(size=2)
    ref = numpy_reference(energy_diagonal(problem), gammas, betas)
    np.testing.assert_allclose(statevector(problem, gammas, betas), ref, atol=1e-11)


def test_layers_compose_into_the_state():
    rng = np.random.default_rng(3)
    problem = random_problem(rng, 9, offset=0.2)
    gammas, betas = rng.normal(size=2), rng.normal(size=2)
    psi = np.full(1 << 9, 2**-4.5, dtype=np.complex128)
    for g, b in zip(gammas, betas):
        apply_cost_layer(psi, problem, g)
        apply_mixer_layer(psi, b)
    np.testing.assert_allclose(psi, statevector(problem, gammas, betas), atol=1e-12)


def test_huge_phases_use_accurate_trigonometry():
    rng = np.random.default_rng(4)
    problem = random_problem(rng, 5, field=2.0, offset=3.0)
    gammas, betas = np.array([2.0e6, -3.0e6]), np.array([0.3, -0.7])  # |gamma E| beyond the fast path
    ref, _ = dense_reference(problem, gammas, betas)
    np.testing.assert_allclose(statevector(problem, gammas, betas), ref, atol=1e-8)


def test_agrees_with_qiskit_circuit_and_bit_order():
    """RZZ/RZ/RX circuit in Qiskit (RZ(t) = exp(-i t Z/2)), strong fields to pin the bit order."""
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import Statevector

    n = 5
    h = np.array([2.0, -2.5, 0.0, 1.5, -3.0])
    problem = IsingProblem(h, {(0, 1): 0.4, (1, 3): -0.7, (2, 4): 0.5, (0, 4): 0.3}, 0.8)
    gammas, betas = np.array([0.35, 0.6]), np.array([-0.5, -0.25])
    i, j, w = problem.couplings
    qc = QuantumCircuit(n)
    qc.h(range(n))
    for g, b in zip(gammas, betas):
        for a, c, x in zip(i, j, w):
            qc.rzz(2 * g * x, int(a), int(c))
        for q in range(n):
            qc.rz(2 * g * h[q], q)
        qc.rx(2 * b, range(n))
    ref = Statevector(qc).data * np.exp(-1j * gammas.sum() * problem.offset)  # the offset's global phase
    np.testing.assert_allclose(statevector(problem, gammas, betas), ref, atol=1e-12)
    # the most likely bit string decodes to the spins the fields favour, through both conventions
    probs = Statevector(qc).probabilities_dict()
    top = max(probs, key=probs.get)
    spins = bitstrings_to_spins([top])[0]
    assert (spins[h != 0] == -np.sign(h[h != 0])).all()
    ours = basis_indices_to_spins([int(np.argmax(probabilities(problem, gammas, betas)))], n)[0]
    assert (ours == spins).all()


@pytest.mark.parametrize("field", [0.7, 0.0], ids=["fields", "flip-symmetric"])
@pytest.mark.parametrize("n", [2, 6, 13])
def test_adjoint_gradient_matches_central_differences(n, config, field):
    rng = np.random.default_rng(20 + n)
    problem = random_problem(rng, n, density=0.6, field=field, offset=-0.4)
    p = 3
    gammas, betas = rng.normal(size=p) * 0.6, rng.normal(size=p) * 0.6
    value, dg, db = expectation_and_gradient(problem, gammas, betas)
    assert value == pytest.approx(expectation(problem, gammas, betas), abs=1e-12)
    eps = 1e-5
    for k in range(p):
        e = np.eye(p)[k] * eps
        fd_g = (expectation(problem, gammas + e, betas) - expectation(problem, gammas - e, betas)) / (2 * eps)
        fd_b = (expectation(problem, gammas, betas + e) - expectation(problem, gammas, betas - e)) / (2 * eps)
        assert dg[k] == pytest.approx(fd_g, abs=1e-7)
        assert db[k] == pytest.approx(fd_b, abs=1e-7)


@pytest.mark.parametrize("n", [2, 5, 14])
def test_flip_symmetric_costs_use_the_half_state_and_agree_with_the_full_one(n, monkeypatch):
    """Without fields E(s) = E(-s): the engine stores only psi[k], k < 2^(n-1). Every result must
    equal the full-state computation; a field, or an asymmetric diagonal, turns the shortcut off."""
    rng = np.random.default_rng(40 + n)
    problem = random_problem(rng, n, density=0.7, field=0.0, offset=0.6)
    assert sv._cost(problem, 1).symmetric and sv._cost(energy_diagonal(problem).copy(), 1).symmetric
    assert not sv._cost(random_problem(rng, n, field=0.3), 1).symmetric
    asymmetric = energy_diagonal(problem).copy()
    asymmetric[0] += 1e-9
    assert not sv._cost(asymmetric, 1).symmetric
    gammas, betas = rng.normal(size=3), rng.normal(size=3) * 2  # |beta| past pi/4 too
    half = (statevector(problem, gammas, betas), expectation_and_gradient(problem, gammas, betas))
    counts = sample(problem, gammas, betas, 1000, seed=3)
    monkeypatch.setattr(sv, "FLIP_SYMMETRY", False)
    assert not sv._cost(problem, 1).symmetric
    full = (statevector(problem, gammas, betas), expectation_and_gradient(problem, gammas, betas))
    np.testing.assert_allclose(half[0], full[0], atol=1e-12)
    np.testing.assert_allclose(np.abs(half[0]), np.abs(half[0][::-1]), atol=1e-15)  # psi[~k] = psi[k]
    assert half[1][0] == pytest.approx(full[1][0], abs=1e-11)
    np.testing.assert_allclose(np.concatenate(half[1][1:]), np.concatenate(full[1][1:]), atol=1e-10)
    assert np.array_equal(counts, sample(problem, gammas, betas, 1000, seed=3))


def test_sampling_follows_the_distribution_and_is_seeded():
    rng = np.random.default_rng(5)
    problem = random_problem(rng, 4, field=1.0)
    gammas, betas = [0.4, 0.7], [-0.6, -0.3]
    shots = 200_000
    spins = sample(problem, gammas, betas, shots, seed=11)
    assert spins.shape == (shots, 4) and spins.dtype == np.int8
    assert np.array_equal(spins, sample(problem, gammas, betas, shots, seed=11))
    from qspin.conventions import spins_to_basis_indices

    counts = np.bincount(spins_to_basis_indices(spins), minlength=16)
    prob = probabilities(problem, gammas, betas)
    sigma = np.sqrt(prob * (1 - prob) / shots)
    assert (np.abs(counts / shots - prob) <= 5 * sigma + 1e-12).all()
    chi2 = (((counts - shots * prob) ** 2) / (shots * prob)).sum()
    assert chi2 < 45  # 15 degrees of freedom: p ~ 1e-4
    with pytest.raises(ParameterError):
        sample(problem, gammas, betas, 0)


def test_refuses_sizes_beyond_memory_before_allocating(monkeypatch):
    big = IsingProblem(np.zeros(34))  # 2^34 amplitudes: 256 GiB
    for fn in (expectation, statevector, probabilities, expectation_and_gradient):
        with pytest.raises(ParameterError, match="GiB"):
            fn(big, [0.1], [0.2])
    with pytest.raises(ParameterError, match="GiB"):
        energy_diagonal(big)
    with pytest.raises(ParameterError, match="at most 40 qubits"):
        expectation(IsingProblem(np.zeros(41)), [0.1], [0.2])
    # with 1 GiB available a 26-qubit gradient (2 x 1 GiB + 0.5 GiB) is refused, a 20-qubit one is not
    monkeypatch.setattr(sv, "available_memory", lambda: 2**30)
    with pytest.raises(ParameterError, match="available"):
        expectation_and_gradient(IsingProblem(np.zeros(26)), [0.1], [0.2])
    expectation_and_gradient(IsingProblem(np.ones(20)), [0.1], [0.2])


@pytest.mark.parametrize(
    "gammas, betas, match",
    [
        ([0.1, 0.2], [0.3], "one pair per layer"),
        ([], [], "at least one layer"),
        ([0.1, np.nan], [0.2, 0.3], "not finite"),
        ([0.1], [np.inf], "not finite"),
        ([[0.1, 0.2]], [[0.1, 0.2]], "one-dimensional"),
        ([0.1j], [0.2], "real numbers"),
        (["a"], [0.2], "real numbers"),
    ],
)
def test_bad_angles_are_refused(gammas, betas, match):
    problem = random_problem(np.random.default_rng(0), 3)
    with pytest.raises(ParameterError, match=match):
        expectation(problem, gammas, betas)


def test_bad_costs_are_refused():
    for cost in (np.zeros(6), np.zeros(1), np.zeros(4, complex), np.array([0.0, np.nan]), [0.0, 1.0], "x"):
        with pytest.raises(ParameterError):
            expectation(cost, [0.1], [0.2])
    with pytest.raises(ParameterError):
        expectation(IsingProblem(num_spins=0), [0.1], [0.2])
    psi = np.zeros(8, dtype=np.complex128)
    with pytest.raises(ParameterError):
        apply_cost_layer(psi, np.zeros(4), 0.1)
    with pytest.raises(ParameterError):
        apply_mixer_layer(np.zeros(8), 0.1)
