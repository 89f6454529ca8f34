"""The Aer engine: published SK values, bit order, IBM fake-device noise, and bad inputs."""

import math

import numpy as np
import pytest

import qspin.qaoa as qaoa
from qspin import IsingProblem, ParameterError
from qspin.models import sherrington_kirkpatrick
from qspin.qaoa import aer

pytest.importorskip("qiskit_aer")
pytest.importorskip("qiskit_ibm_runtime")


def test_sk_published_p1_angles_at_n12_on_aer():
    """Farhi et al.: at gamma = 1/2, beta = pi/8 the instance average of <C>/n is
    (n-1)/n * exp(-(n-1)/(2n)) / 2 exactly; 0.2898 at n = 12 (V_1 = 0.3033 as n grows)."""
    n, instances = 12, 30
    a = qaoa.sk_angles(1)
    vals = np.array(
        [-aer.expectation(sherrington_kirkpatrick(n, seed=s), a.gammas, a.betas) / n for s in range(instances)]
    )
    exact = (n - 1) / n * 0.5 * math.exp(-0.5 * (n - 1) / n)
    assert exact == pytest.approx(0.2898, abs=1e-4)
    assert abs(vals.mean() - exact) < 4 * vals.std(ddof=1) / math.sqrt(instances)


def strong_field_problem():
    """Fields of both signs, strong against weak couplings: each spin has its own clear bias."""
    h = np.array([1.5, -1.5, 1.5, 1.5, -1.5])
    return IsingProblem(h, {(0, 1): 0.1, (1, 2): -0.1, (3, 4): 0.1}, 0.25)


@pytest.mark.parametrize("device", [None, "fake_manila"])
def test_bit_order_round_trips_with_a_strong_field(device):
    """Little-endian counts decoded to spins: each spin's mean matches the exact marginal, also
    after layout and routing on a device (a reversed or permuted order would swap them)."""
    problem = strong_field_problem()
    g, b = [0.35], [-0.45]
    probs = qaoa.probabilities(problem, g, b)
    from qspin.conventions import basis_indices_to_spins

    states = basis_indices_to_spins(np.arange(probs.size), problem.num_spins)
    exact_means = probs @ states
    assert (np.sign(exact_means) == -np.sign(problem.h)).all() and (np.abs(exact_means) > 0.3).all()
    rows = aer.sample(problem, g, b, 4000, seed=3, device=device)
    means = rows.mean(axis=0)
    tol = 0.05 if device is None else 0.15  # a noisy device blurs the marginals towards 0
    assert np.abs(means - exact_means).max() < tol, (means, exact_means)
    assert (np.sign(means) == np.sign(exact_means)).all()


def check_noise_makes_it_worse(problem, device):
    res = qaoa.optimize(problem, 2, strategy="interp")
    ideal = aer.expectation(problem, res.gammas, res.betas)
    assert ideal == pytest.approx(res.value, abs=1e-8)
    noisy_exact = aer.expectation(problem, res.gammas, res.betas, device=device, method="density_matrix")
    noisy_shots = aer.expectation(problem, res.gammas, res.betas, device=device, shots=4000, seed=2)
    spread = np.sqrt(problem.energies(qaoa.sample(problem, res.gammas, res.betas, 2000, seed=1)).var())
    assert noisy_exact > ideal + 0.05 * spread
    assert noisy_shots > ideal + 0.05 * spread
    rows = aer.sample(problem, res.gammas, res.betas, 500, seed=1, device=device)
    n = problem.num_spins
    assert rows.shape == (500, n) and rows.dtype == np.int8 and np.isin(rows, (-1, 1)).all()


def test_noisy_fake_device_is_worse_than_noise_free():
    check_noise_makes_it_worse(sherrington_kirkpatrick(5, seed=4).replace(h=np.linspace(-0.3, 0.3, 5)), "manila")


@pytest.mark.slow
def test_noisy_127_qubit_device_is_worse_than_noise_free():
    """Brisbane's noise model takes seconds to build (once per process); the circuit runs on
    the touched qubits only."""
    check_noise_makes_it_worse(sherrington_kirkpatrick(6, seed=4).replace(h=np.linspace(-0.3, 0.3, 6)), "ibm_brisbane")


def test_compact_noise_model_matches_aer_from_backend():
    """The noise model restricted to the touched qubits gives AerSimulator.from_backend's numbers."""
    from qiskit_aer import AerSimulator
    from qiskit_aer.primitives import EstimatorV2

    from qspin.compile.qiskit import bind, circuit, hamiltonian

    problem = sherrington_kirkpatrick(5, seed=2).replace(h=np.linspace(-0.5, 0.5, 5), offset=0.3)
    g, b, seed = [0.4, 0.3], [-0.5, -0.2], 1
    ours = aer.expectation(problem, g, b, device="fake_guadalupe", method="density_matrix", seed=seed)
    backend = aer.fake_device("fake_guadalupe").backend
    isa = aer.transpile_for(circuit(problem, 2), backend, optimization_level=1, seed=aer.derived_seed(seed, 0))
    sim = AerSimulator.from_backend(backend, method="density_matrix")
    observable = hamiltonian(problem).apply_layout(isa.layout)
    ref = float(EstimatorV2.from_backend(sim).run([(bind(isa, g, b), observable)]).result()[0].data.evs)
    assert ours == pytest.approx(ref, abs=1e-10)
    assert ours != pytest.approx(qaoa.expectation(problem, g, b), abs=1e-3)  # and the noise does something


def test_transpiled_circuit_report():
    problem = sherrington_kirkpatrick(6, seed=1)
    logical = aer.AerEngine(problem, 2).circuit_report()
    assert logical["two_qubit_gates"] == 2 * problem.num_couplings and logical["num_qubits"] == 6
    device = aer.AerEngine(problem, 2, device="fake_guadalupe", seed=3).circuit_report()
    assert device["num_qubits"] == 16 and len(device["physical_qubits"]) >= 6
    assert device["two_qubit_gates"] >= 2 * logical["two_qubit_gates"]  # each RZZ is at least two CNOTs
    assert set(device["operations"]) <= {"cx", "rz", "sx", "x", "measure", "barrier", "id", "delay", "reset"}
    assert device["depth"] > logical["depth"]


def test_fake_device_names():
    names = aer.fake_device_names()
    assert {"fake_brisbane", "fake_manila", "fake_torino"} <= set(names)
    for alias in ("fake_brisbane", "brisbane", "ibm_brisbane", "IBM_Brisbane"):
        assert aer.resolve_fake_device(alias) == "fake_brisbane"


# --- bad input, refused before anything runs -------------------------------------------------


def test_unknown_fake_device_lists_the_valid_names():
    with pytest.raises(ParameterError, match="fake_brisbane.*fake_manila") as err:
        aer.expectation(strong_field_problem(), [0.1], [0.2], device="fake_atlantis")
    assert "fake_atlantis" in str(err.value)


def test_device_too_small_for_the_problem():
    problem = sherrington_kirkpatrick(6, seed=1)
    with pytest.raises(ParameterError, match="6 spins but fake_manila has only 5 qubits"):
        aer.sample(problem, [0.1], [0.2], 10, device="fake_manila")


@pytest.mark.parametrize(
    "gammas, betas, match",
    [
        ([0.1, 0.2], [0.3], "gammas has 2 angles but betas has 1"),
        ([], [], "p >= 1"),
        ([0.1, np.nan], [0.2, 0.3], "not finite"),
        ([0.1], [np.inf], "not finite"),
    ],
)
def test_bad_angles(gammas, betas, match):
    for engine in ("aer", "ibm", "statevector"):
        with pytest.raises(ParameterError, match=match):
            qaoa.expectation(strong_field_problem(), gammas, betas, engine=engine)


def test_other_bad_inputs():
    problem = strong_field_problem()
    with pytest.raises(ParameterError, match="method must be one of"):
        aer.expectation(problem, [0.1], [0.2], method="stabiliser")
    with pytest.raises(ParameterError, match="shots must be a positive integer"):
        qaoa.sample(problem, [0.1], [0.2], 0, engine="aer")
    with pytest.raises(ParameterError, match="needs an IsingProblem"):
        qaoa.expectation(qaoa.energy_diagonal(problem), [0.1], [0.2], engine="aer")
    with pytest.raises(ParameterError, match="unknown QAOA engine 'cirq'"):
        qaoa.expectation(problem, [0.1], [0.2], engine="cirq")
    with pytest.raises(ParameterError, match="takes only initial_state and epsilon, got method"):
        qaoa.expectation(problem, [0.1], [0.2], method="statevector")
    with pytest.raises(ParameterError, match="at least one spin"):
        aer.expectation(IsingProblem(offset=1.0), [0.1], [0.2])
    big = IsingProblem(np.zeros(45), {(k, k + 1): 1.0 for k in range(44)})
    with pytest.raises(ParameterError, match="Aer statevector needs"):
        aer.expectation(big, [0.1], [0.2], method="statevector")
