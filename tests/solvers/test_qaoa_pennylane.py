"""The "qaoa-pennylane" backend: the same loop and angles as "qaoa", on PennyLane's adjoint gradient."""

import json

import numpy as np
import pytest

import qspin
import qspin.qaoa as qaoa
from qspin import IsingProblem, ParameterError
from qspin.models import sherrington_kirkpatrick

pytest.importorskip("pennylane")

SK = sherrington_kirkpatrick(8, seed=21).replace(h=np.linspace(-0.4, 0.4, 8), offset=0.5)


def test_same_angles_and_expectation_as_the_statevector_backend():
    ours = qspin.solve(SK, "qaoa-pennylane", seed=5, reps=2, shots=2000)
    ref = qspin.solve(SK, "qaoa", seed=5, reps=2, shots=10)
    info = ours.info
    np.testing.assert_allclose(info["gammas"], ref.info["gammas"], atol=1e-8)
    np.testing.assert_allclose(info["betas"], ref.info["betas"], atol=1e-8)
    g, b = np.array(info["gammas"]), np.array(info["betas"])
    assert info["expectation"] == pytest.approx(qaoa.expectation(SK, g, b), abs=1e-8)
    assert info["objective_value"] == pytest.approx(info["expectation"], abs=1e-8)
    assert info["ground_state_probability"] == pytest.approx(ref.info["ground_state_probability"], abs=1e-8)
    assert info["ground_state_energy"] == pytest.approx(qspin.solve(SK, "exact").best_energy)
    assert info["engine"] == "pennylane" and info["device"] == "lightning.qubit" and info["diff_method"] == "adjoint"
    assert info["nfev"] == len(info["trace"]) > 0 and info["strategy"] == "interp" and info["optimizer"] == "L-BFGS-B"
    assert ours.num_reads == 2000 and info["sample_mean"] == pytest.approx(info["expectation"], abs=0.15)
    sem = np.sqrt(info["ground_state_probability"] * (1 - info["ground_state_probability"]) / 2000)
    assert abs(info["ground_state_frequency"] - info["ground_state_probability"]) < 5 * sem
    assert {"optimize_s", "sample_s", "wall_s"} <= set(info["timing"])
    json.dumps(info)


def test_warm_start_matches_the_statevector_backend():
    start = {"warm_start": qspin.solve(SK, "sa", seed=1, num_reads=5), "warm_start_epsilon": 0.15}
    ours = qspin.solve(SK, "qaoa-pennylane", seed=5, reps=1, strategy="ramp", shots=500, **start).info
    ref = qspin.solve(SK, "qaoa", seed=5, reps=1, strategy="ramp", shots=10, **start).info
    np.testing.assert_allclose(ours["gammas"] + ours["betas"], ref["gammas"] + ref["betas"], atol=1e-7)
    assert ours["warm_start"] == ref["warm_start"] and ours["warm_start"]["epsilon"] == 0.15
    assert ours["expectation"] == pytest.approx(ref["expectation"], abs=1e-8)
    assert ours["ground_state_probability"] == pytest.approx(ref["ground_state_probability"], abs=1e-8)


def test_given_angles_are_used_as_given():
    g, b = [0.31, 0.62], [-0.5, -0.25]
    ss = qspin.solve(SK, "qaoa-pennylane", seed=1, reps=2, gammas=g, betas=b, optimize=False, shots=50)
    assert ss.info["gammas"] == g and ss.info["betas"] == b and ss.info["nfev"] == 0
    assert ss.info["expectation"] == pytest.approx(qaoa.expectation(SK, g, b), abs=1e-8)


def test_cvar_objective_is_gradient_free_and_rewards_the_low_tail():
    ss = qspin.solve(SK, "qaoa-pennylane", seed=3, reps=1, shots=200, cvar_alpha=0.2, maxiter=40)
    info = ss.info
    assert info["optimizer"] == "COBYLA" and info["objective"] == "cvar(0.2)"
    assert info["objective_value"] < info["expectation"]  # the lowest 20% lie below the mean


def test_default_qubit_device_runs():
    ss = qspin.solve(IsingProblem([0.5, -0.3], {(0, 1): 1.0}), "qaoa-pennylane", seed=2, reps=1, shots=100,
                     device="default.qubit", diff_method="backprop")  # fmt: skip
    assert ss.info["device"] == "default.qubit" and ss.num_reads == 100


def test_bad_parameters_fail_before_any_work():
    with pytest.raises(ParameterError, match="qubits"):
        qspin.solve(IsingProblem(np.ones(31)), "qaoa-pennylane", seed=1, reps=1)
    with pytest.raises(ParameterError, match="device"):
        qspin.solve(SK, "qaoa-pennylane", seed=1, device=None)
    with pytest.raises(ParameterError, match="diff_method"):
        qspin.solve(SK, "qaoa-pennylane", seed=1, diff_method=3)
    with pytest.raises(ParameterError, match="gradient"):
        qspin.solve(SK, "qaoa-pennylane", seed=1, cvar_alpha=0.5, optimizer="L-BFGS-B")
    with pytest.raises(ParameterError, match="reps"):
        qspin.solve(SK, "qaoa-pennylane", seed=1, reps=0)
