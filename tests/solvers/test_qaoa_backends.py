"""The QAOA backends through qspin.solve: angles, strategies, optimisers, CVaR, info and bad input."""

import json

import networkx as nx
import numpy as np
import pytest

import qspin
import qspin.qaoa as qaoa
from qspin import IsingProblem, ParameterError
from qspin.models import maxcut, sherrington_kirkpatrick
from qspin.qaoa import cvar as cv
from qspin.qaoa.optimise import ExactObjective, LoopSettings, fixed_angles, optimise


@pytest.fixture(autouse=True)
def no_ibm_account(tmp_path, monkeypatch):
    for var in ("QISKIT_IBM_TOKEN", "QISKIT_IBM_URL", "QISKIT_IBM_INSTANCE", "QISKIT_IBM_CHANNEL", "IAM_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


SK = sherrington_kirkpatrick(8, seed=21).replace(h=np.linspace(-0.4, 0.4, 8), offset=0.5)


def test_statevector_backend_info_is_exact_and_consistent(tmp_path):
    db = tmp_path / "jobs.db"
    ss = qspin.solve(SK, "qaoa", seed=5, reps=2, shots=4000, store=db)
    info = ss.info
    g, b = np.array(info["gammas"]), np.array(info["betas"])
    assert g.shape == b.shape == (2,)
    assert info["expectation"] == pytest.approx(qaoa.expectation(SK, g, b), abs=1e-12)
    assert info["objective_value"] == pytest.approx(info["expectation"], abs=1e-10)
    assert info["nfev"] == len(info["trace"]) > 0 and min(info["trace"]) == pytest.approx(info["objective_value"])
    assert info["strategy"] == "interp" and info["optimizer"] == "L-BFGS-B"
    diag = qaoa.energy_diagonal(SK)
    p0 = qaoa.probabilities(SK, g, b)[np.isclose(diag, diag.min())].sum()
    assert info["ground_state_probability"] == pytest.approx(p0, abs=1e-12)
    assert info["ground_state_energy"] == pytest.approx(qspin.solve(SK, "exact").best_energy)
    sem = np.sqrt(p0 * (1 - p0) / 4000)
    assert abs(info["ground_state_frequency"] - p0) < 5 * sem
    assert ss.num_reads == 4000 and info["sample_mean"] == pytest.approx(info["expectation"], abs=0.1)
    assert {"optimize_s", "sample_s", "wall_s"} <= set(info["timing"])
    (record,) = qspin.jobs(db)
    assert record.info["gammas"] == info["gammas"]  # the store keeps the angles
    json.dumps(info)


def test_deeper_circuits_do_better():
    values = [qspin.solve(SK, "qaoa", seed=1, reps=p, shots=10).info["expectation"] for p in (1, 2, 3)]
    assert values[0] > values[1] > values[2]


@pytest.mark.parametrize("strategy", ["ramp", "interp", "fourier", "random", "fixed"])
def test_every_strategy_optimises(strategy):
    ss = qspin.solve(SK, "qaoa", seed=2, reps=2, shots=10, strategy=strategy, restarts=2)
    info = ss.info
    assert info["strategy"].startswith(strategy) and info["nfev"] > 0
    start = qaoa.expectation(SK, *qaoa.linear_ramp(2, 0.75 / 1.0))
    assert info["expectation"] < min(start, SK.offset)  # better than a ramp guess and than |+>


def test_fixed_angles_without_optimisation_are_the_published_ones():
    sk = sherrington_kirkpatrick(12, seed=4)
    ss = qspin.solve(sk, "qaoa", seed=1, reps=3, strategy="fixed", optimize=False, shots=10)
    g, b, table = fixed_angles(sk, 3)
    assert table == "sk" and ss.info["nfev"] == 0 and ss.info["objective_value"] is None
    np.testing.assert_allclose(ss.info["betas"], qaoa.sk_angles(3).betas)
    np.testing.assert_allclose(ss.info["gammas"], g)
    assert np.allclose(g, qaoa.sk_angles(3).gammas, rtol=0.1)  # SK instances need only a small rescale
    cubic = maxcut(nx.random_regular_graph(3, 10, seed=1))
    g, b, table = fixed_angles(cubic, 2)
    assert table == "maxcut-3-regular"
    np.testing.assert_allclose(g, qaoa.maxcut_regular_angles(2).gammas)  # unit weights: J = 1/2, as tabulated
    heavy = cubic.replace(J=3 * cubic.coupling_matrix())
    np.testing.assert_allclose(fixed_angles(heavy, 2)[0], qaoa.maxcut_regular_angles(2).gammas / 3)


def test_explicit_angles_are_used_as_given_or_as_a_start():
    g, b = [0.2, 0.4], [-0.5, -0.3]
    ss = qspin.solve(SK, "qaoa", seed=1, reps=2, gammas=g, betas=b, optimize=False, shots=10)
    assert ss.info["gammas"] == g and ss.info["betas"] == b and ss.info["strategy"] == "initial"
    opt = qspin.solve(SK, "qaoa", seed=1, reps=2, gammas=g, betas=b, shots=10)
    assert opt.info["expectation"] <= qaoa.expectation(SK, g, b)


def test_cvar_objective_is_the_exact_cvar_at_the_angles():
    ss = qspin.solve(SK, "qaoa", seed=3, reps=2, shots=10, cvar_alpha=0.2, maxiter=60)
    info = ss.info
    assert info["objective"] == "cvar(0.2)" and info["optimizer"] == "COBYLA"
    g, b = info["gammas"], info["betas"]
    exact = cv.cvar(qaoa.energy_diagonal(SK), qaoa.probabilities(SK, g, b), 0.2)
    assert info["objective_value"] == pytest.approx(exact, abs=1e-10)
    assert info["objective_value"] < info["expectation"]  # the best 20% beat the mean


def test_cvar_function():
    e, w = np.array([3.0, 1.0, 2.0, 0.0]), np.array([1.0, 1.0, 1.0, 1.0])
    assert cv.cvar(e, w, 1.0) == pytest.approx(1.5) == cv.cvar(e, w, None)
    assert cv.cvar(e, w, 0.25) == pytest.approx(0.0)
    assert cv.cvar(e, w, 0.5) == pytest.approx(0.5)
    assert cv.cvar(e, w, 0.375) == pytest.approx((0.0 + 0.5 * 1.0) / 1.5)  # half of the boundary state
    for bad in (0, 1.5, -0.1, float("nan"), True, "0.5"):
        with pytest.raises(ParameterError, match="cvar_alpha"):
            cv.check_alpha(bad)


@pytest.mark.parametrize("optimizer", ["COBYLA", "SPSA", "Nelder-Mead"])
def test_derivative_free_optimisers_on_the_exact_engine(optimizer):
    ss = qspin.solve(SK, "qaoa", seed=4, reps=1, shots=10, optimizer=optimizer, maxiter=30, strategy="ramp")
    assert ss.info["optimizer"] == optimizer and ss.info["nfev"] > 5
    ramp = qaoa.expectation(SK, *qaoa.linear_ramp(1, 0.75 / 0.93))
    assert ss.info["expectation"] < ramp


@pytest.mark.parametrize("strategy", ["interp", "random"])
def test_progress_bar_changes_nothing(strategy):
    quiet = qspin.solve(SK, "qaoa", reps=2, seed=4, strategy=strategy, restarts=2, progress=False)
    shown = qspin.solve(SK, "qaoa", reps=2, seed=4, strategy=strategy, restarts=2, progress=True)  # rich, on stderr
    assert shown.info["trace"] == quiet.info["trace"] and np.array_equal(shown.spins, quiet.spins)


def test_warm_start_from_a_good_state_raises_the_ground_state_probability():
    """Warm-start QAOA (Egger et al.): from the exact ground state with epsilon = 0.1, depth 1
    finds the ground state far more often than from |+>^n; every reported number is the warm
    circuit's, and a SampleSet can serve as the start (its best state)."""
    ground = qspin.solve(SK, "exact")
    cold = qspin.solve(SK, "qaoa", reps=1, seed=3, strategy="ramp")
    warm = qspin.solve(SK, "qaoa", reps=1, seed=3, strategy="ramp", warm_start=ground, warm_start_epsilon=0.1)
    info = warm.info
    assert info["warm_start"] == {"spins": ground.best_spins.tolist(), "epsilon": 0.1}
    assert cold.info["warm_start"] is None
    start = {"initial_state": ground.best_spins, "epsilon": 0.1}
    assert info["expectation"] == pytest.approx(qaoa.expectation(SK, info["gammas"], info["betas"], **start), abs=1e-12)
    assert info["ground_state_probability"] > 0.5 > 3 * cold.info["ground_state_probability"]
    assert info["ground_state_frequency"] == pytest.approx(info["ground_state_probability"], abs=0.06)  # 1000 shots
    # the same start on Aer (angles from the statevector, shots from Aer's circuit)
    aer = qspin.solve(SK, "qaoa-aer", reps=1, seed=3, strategy="ramp", warm_start=ground, warm_start_epsilon=0.1)
    assert aer.info["gammas"] == pytest.approx(info["gammas"]) and aer.info["warm_start"] == info["warm_start"]
    assert aer.info["ground_state_frequency"] == pytest.approx(info["ground_state_probability"], abs=0.06)


def test_warm_start_backend_is_checked_before_any_work():
    big = sherrington_kirkpatrick(41, seed=1)  # beyond the exact solver's limit (40 spins)
    with pytest.raises(ParameterError, match="refuses n > 40"):
        qspin.solve(big, "qaoa-aer", warm_start="exact", method="matrix_product_state", reps=1, optimize=False,
                    strategy="fixed")  # fmt: skip


def test_warm_start_from_a_classical_backend_is_solved_first_and_seeded(tmp_path):
    store = tmp_path / "jobs.db"
    a = qspin.solve(SK, "qaoa", reps=1, seed=8, strategy="ramp", warm_start="sa", store=store).info
    b = qspin.solve(SK, "qaoa", reps=1, seed=8, strategy="ramp", warm_start="sa").info
    assert a["warm_start"] == b["warm_start"] and a["gammas"] == b["gammas"]
    start = a["warm_start"]
    assert start["from"]["backend"] == "sa" and start["epsilon"] == 0.25
    assert start["from"]["energy"] == pytest.approx(SK.energy(start["spins"]))
    assert start["from"]["energy"] == pytest.approx(qspin.solve(SK, "exact").best_energy)  # SA finds it at n = 8
    assert len(qspin.jobs(store)) == 1  # the classical run is not a job of its own
    assert a["parameters"]["warm_start"] == "sa"  # what was asked, as asked


def test_loop_is_engine_agnostic():
    """The loop only calls the objective: a counting stand-in sees every evaluation in the trace."""
    calls = []

    class Counting(ExactObjective):
        def __call__(self, g, b):
            calls.append(len(g))
            return super().__call__(g, b)

    result = optimise(
        SK,
        lambda q: Counting(SK, 0.5),
        LoopSettings(reps=3, strategy="fourier", optimizer="COBYLA", maxiter=20),
        seed=1,
    )
    assert result.nfev == len(calls) == len(result.trace) and sorted(set(calls)) == [1, 2, 3]


# --- the circuit backends -------------------------------------------------------------------------


def test_aer_backend_default_optimises_on_the_statevector_and_samples_on_aer():
    ss = qspin.solve(SK, "qaoa-aer", seed=5, reps=2, shots=3000)
    sv = qspin.solve(SK, "qaoa", seed=5, reps=2, shots=3000)
    assert ss.info["angles_from"] == "statevector" and ss.info["engine"] == "aer" and ss.info["simulated"] is True
    np.testing.assert_allclose(ss.info["gammas"], sv.info["gammas"], atol=1e-12)  # the same optimisation
    assert ss.info["expectation"] == pytest.approx(sv.info["expectation"], abs=1e-12)
    assert abs(ss.info["sample_mean"] - ss.info["expectation"]) < 0.15
    assert ss.info["circuit"]["two_qubit_gates"] == 2 * SK.num_couplings and ss.info["noise"] is None


def test_aer_backend_optimising_on_measured_energies_is_seeded():
    kwargs = dict(seed=6, reps=1, shots=500, angles_from="engine", maxiter=15, strategy="ramp")
    a = qspin.solve(SK, "qaoa-aer", **kwargs)
    b = qspin.solve(SK, "qaoa-aer", **kwargs)
    assert a.info["optimizer"] == "COBYLA" and a.info["nfev"] == 15
    assert a.info["trace"] == b.info["trace"] and np.array_equal(a.spins, b.spins)
    spsa = qspin.solve(
        SK, "qaoa-aer", **{**kwargs, "optimizer": "SPSA", "maxiter": 5, "method": "matrix_product_state"}
    )
    assert spsa.info["method"] == "matrix_product_state" and spsa.info["nfev"] == 2 * 2 + 2 * 5 + 1


def test_aer_backend_with_fake_device_noise_is_worse():
    small = sherrington_kirkpatrick(5, seed=8).replace(h=np.linspace(-0.3, 0.3, 5))
    kwargs = dict(seed=7, reps=2, shots=4000)
    clean = qspin.solve(small, "qaoa-aer", **kwargs)
    noisy = qspin.solve(small, "qaoa-aer", device="fake_manila", **kwargs)
    assert noisy.info["gammas"] == clean.info["gammas"]  # same angles from the statevector
    assert noisy.info["sample_mean"] > clean.info["sample_mean"] + 0.1
    assert noisy.info["device"] == "fake_manila" and noisy.info["circuit"]["num_qubits"] == 5
    assert noisy.info["ground_state_frequency"] < clean.info["ground_state_frequency"]


# --- bad input --------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["qaoa", "qaoa-aer", "qaoa-ibm"])
@pytest.mark.parametrize(
    "params, match",
    [
        ({"reps": 0}, "reps must be an integer >= 1"),
        ({"reps": 1.5}, "reps must be an integer"),
        ({"strategy": "annealing"}, "strategy must be one of"),
        ({"gammas": [0.1]}, "give both gammas and betas"),
        ({"gammas": [0.1], "betas": [0.2], "reps": 2}, "1 layers but reps = 2"),
        ({"gammas": [0.1, np.inf], "betas": [0.2, 0.1]}, "not finite"),
        ({"optimize": False}, "needs optimisation"),
        ({"cvar_alpha": 0.0}, "cvar_alpha"),
        ({"optimizer": "Adam"}, "optimizer must be one of"),
        ({"optimizer": "L-BFGS-B", "cvar_alpha": 0.5}, "needs the exact gradient"),
        ({"strategy": "fixed", "reps": 18}, "p = 1..17"),
        ({"shots": 0}, "shots must be an integer >= 1"),
        ({"progress": "yes"}, "progress must be True, False or None"),
        ({"warm_start_epsilon": 0.1}, "warm_start_epsilon needs warm_start"),
        ({"warm_start": [1, -1, 1]}, r"initial_state must have shape \(8,\)"),
        ({"warm_start": [1] * 7 + [0]}, r"initial_state\[7\] = 0"),
        ({"warm_start": [1] * 8, "warm_start_epsilon": 0.7}, "epsilon must be in"),
        ({"warm_start": "qaoa"}, "names a classical backend"),
        ({"warm_start": "annealer"}, "annealer"),
        ({"warm_start": "sa", "warm_start_epsilon": 0.0}, "epsilon must be in"),
    ],
)
def test_bad_parameters(backend, params, match):
    with pytest.raises(ParameterError, match=match):
        qspin.solve(SK, backend, **params)


def test_bad_device_parameters():
    with pytest.raises(ParameterError, match="needs the exact gradient"):
        qspin.solve(SK, "qaoa-aer", angles_from="engine", optimizer="BFGS")
    with pytest.raises(ParameterError, match="angles_from must be"):
        qspin.solve(SK, "qaoa-aer", angles_from="hardware")
    with pytest.raises(ParameterError, match="fake_brisbane"):
        qspin.solve(SK, "qaoa-aer", device="fake_atlantis")
    with pytest.raises(ParameterError, match="8 spins but fake_manila has only 5 qubits"):
        qspin.solve(SK, "qaoa-aer", device="manila")
    with pytest.raises(ParameterError, match="method must be one of"):
        qspin.solve(SK, "qaoa-aer", method="tensor_network")


def test_too_large_for_the_engine():
    big = IsingProblem(np.zeros(45), {(k, k + 1): 1.0 for k in range(44)})
    with pytest.raises(ParameterError, match="at most 40 qubits"):
        qspin.solve(big, "qaoa")
    with pytest.raises(ParameterError, match="angles_from='engine'"):
        qspin.solve(big, "qaoa-aer", method="matrix_product_state")
    with pytest.raises(ParameterError, match="Aer statevector needs"):
        qspin.solve(big, "qaoa-aer", method="statevector", angles_from="engine")
    ss = qspin.solve(
        big, "qaoa-aer", method="matrix_product_state", strategy="ramp", optimize=False, reps=1, shots=20, seed=1
    )
    assert ss.spins.shape[1] == 45 and ss.info["expectation"] is None  # no exact reference at this size
