"""The PennyLane QAOA engine gives qspin's statevector numbers: <E>, gradient, probabilities, samples.

Problems carry fields and offsets, so a sign, a qubit order or a dropped constant shows up.
"""

import numpy as np
import pytest
from scipy import stats

import qspin.qaoa as qaoa
from qspin import IsingProblem, ParameterError
from qspin.conventions import spins_to_basis_indices
from qspin.qaoa import pennylane_engine as pl
from qspin.qaoa.statevector import expectation_and_gradient
from tests.conftest import engine_agreement_problems

pytest.importorskip("pennylane")

TOL = 1e-8


def problems():
    return engine_agreement_problems()


PROBLEMS = dict(problems())


@pytest.mark.parametrize("name", sorted(PROBLEMS))
@pytest.mark.parametrize("p", [1, 3])
def test_expectation_and_gradient_agree_with_the_statevector_engine(name, p):
    problem = PROBLEMS[name]
    rng = np.random.default_rng(p)
    g, b = rng.uniform(-1.0, 1.0, p), rng.uniform(-1.0, 1.0, p)
    ref, ref_dg, ref_db = expectation_and_gradient(problem, g, b)
    assert abs(pl.expectation(problem, g, b) - ref) < TOL
    assert abs(qaoa.expectation(problem, g, b, engine="pennylane") - ref) < TOL  # the dispatch
    value, dg, db = pl.expectation_and_gradient(problem, g, b)  # lightning.qubit, adjoint
    assert abs(value - ref) < TOL
    np.testing.assert_allclose(dg, ref_dg, rtol=0, atol=TOL)
    np.testing.assert_allclose(db, ref_db, rtol=0, atol=TOL)


def test_other_devices_and_methods_agree():
    problem = PROBLEMS["random5"]
    g, b = [0.4, -0.7], [0.3, 0.9]
    ref = qaoa.expectation(problem, g, b)
    assert abs(pl.expectation(problem, g, b, device="default.qubit", diff_method="backprop") - ref) < TOL
    value, dg, _ = pl.expectation_and_gradient(problem, g, b, device="default.qubit", diff_method="parameter-shift")
    np.testing.assert_allclose(dg, expectation_and_gradient(problem, g, b)[1], atol=1e-7)


def test_probabilities_are_in_qspin_basis_order():
    problem = PROBLEMS["random7-sparse"]
    g, b = [0.3, 0.8], [-0.5, 0.2]
    np.testing.assert_allclose(pl.probabilities(problem, g, b), qaoa.probabilities(problem, g, b), atol=1e-12)


def test_samples_follow_the_exact_distribution_and_repeat_with_the_seed():
    problem = PROBLEMS["random5"]
    g, b = [0.5], [-0.35]
    spins = qaoa.sample(problem, g, b, 4000, seed=9, engine="pennylane")
    assert spins.shape == (4000, 5) and spins.dtype == np.int8
    np.testing.assert_array_equal(spins, pl.sample(problem, g, b, 4000, seed=9))
    assert not np.array_equal(spins, pl.sample(problem, g, b, 4000, seed=10))
    probs = qaoa.probabilities(problem, g, b)
    observed = np.bincount(spins_to_basis_indices(spins), minlength=probs.size)
    keep = probs * 4000 > 5  # chi-square on the well-populated states, the rest pooled
    f_obs = np.append(observed[keep], observed[~keep].sum())
    f_exp = np.append(probs[keep], probs[~keep].sum()) * 4000
    assert stats.chisquare(f_obs, f_exp).pvalue > 1e-4


def test_one_shot_has_the_right_shape():
    assert pl.sample(PROBLEMS["one-spin"], [0.1], [0.2], 1, seed=1).shape == (1, 1)


def test_bad_input():
    problem = PROBLEMS["random5"]
    with pytest.raises(ParameterError, match="at least one spin"):
        pl.expectation(IsingProblem(offset=1.0), [0.1], [0.1])
    with pytest.raises(ParameterError, match="IsingProblem"):
        pl.expectation(qaoa.energy_diagonal(problem), [0.1], [0.1])
    with pytest.raises(ParameterError, match="layer"):
        pl.expectation(problem, [0.1, 0.2], [0.1])
    with pytest.raises(ParameterError, match="shots"):
        pl.sample(problem, [0.1], [0.1], 0)
    with pytest.raises(ParameterError, match="options"):
        pl.sample(problem, [0.1], [0.1], 3, seed=1, method="mps")
    with pytest.raises(ParameterError, match="31 qubits"):
        pl.expectation(IsingProblem(np.ones(31)), [0.1], [0.1])
    with pytest.raises(ParameterError, match="device"):
        pl.expectation(problem, [0.1], [0.1], device="")
