"""Every exact QAOA engine gives the same numbers: qspin's statevector, Aer statevector, Aer MPS.

Problems carry fields and offsets, so a sign, a qubit order or a dropped constant shows up. The
shot-based paths are checked against the exact distribution with a chi-square test.
"""

import numpy as np
import pytest
from scipy import stats

import qspin.qaoa as qaoa
from qspin import IsingProblem, ParameterError
from qspin.conventions import spins_to_basis_indices
from tests.conftest import engine_agreement_problems

pytest.importorskip("qiskit_aer")

TOL = 1e-8


def problems():
    return engine_agreement_problems()


PROBLEMS = dict(problems())


@pytest.mark.parametrize("name", sorted(PROBLEMS))
@pytest.mark.parametrize("p", [1, 3])
def test_exact_engines_agree(name, p):
    problem = PROBLEMS[name]
    rng = np.random.default_rng(p)
    g, b = rng.uniform(-1.0, 1.0, p), rng.uniform(-1.0, 1.0, p)
    ref = qaoa.expectation(problem, g, b)
    values = {
        "aer-statevector": qaoa.expectation(problem, g, b, engine="aer", method="statevector"),
        "aer-mps": qaoa.expectation(problem, g, b, engine="aer", method="matrix_product_state"),
        "aer-density-matrix": qaoa.expectation(problem, g, b, engine="aer", method="density_matrix"),
    }
    for engine, value in values.items():
        assert abs(value - ref) < TOL, f"{engine} differs from the statevector engine by {value - ref:.3g}"


def test_mps_beyond_statevector_memory_matches_the_light_cone():
    """At p = 1 an edge of a uniform ring sees only its 4-spin neighbourhood, so <E>/n is the same
    on 10 spins (statevector) and on 40 (MPS; a statevector would need 16 TiB)."""

    def ring(n):
        return IsingProblem(np.full(n, 0.3), {(k, (k + 1) % n): 1.0 for k in range(n)}, 0.0)

    g, b = [0.37], [-0.61]
    small = qaoa.expectation(ring(10), g, b) / 10
    big = qaoa.expectation(ring(40), g, b, engine="aer", method="matrix_product_state") / 40
    assert abs(big - small) < TOL
    with pytest.raises(ParameterError, match="matrix_product_state"):
        qaoa.expectation(ring(40), g, b, engine="aer", method="statevector")


def chi_square_pvalue(problem, g, b, rows):
    """Pearson chi-square of sampled basis states against |psi|^2 (cells with expectation >= 5)."""
    probs = qaoa.probabilities(problem, g, b)
    observed = np.bincount(spins_to_basis_indices(rows), minlength=probs.size)
    expected = probs * rows.shape[0]
    keep = expected >= 5
    obs = np.append(observed[keep], observed[~keep].sum())
    exp = np.append(expected[keep], expected[~keep].sum())
    if exp[-1] == 0:
        obs, exp = obs[:-1], exp[:-1]
    return stats.chisquare(obs, exp * obs.sum() / exp.sum()).pvalue


@pytest.mark.parametrize("engine", ["statevector", "aer"])
def test_sampling_engines_follow_the_exact_distribution(engine):
    problem = PROBLEMS["random5"]
    g, b = [0.4, 0.7], [-0.5, -0.2]
    rows = qaoa.sample(problem, g, b, 20000, seed=11, engine=engine)
    assert rows.shape == (20000, 5) and rows.dtype == np.int8
    assert chi_square_pvalue(problem, g, b, rows) > 1e-4
    again = qaoa.sample(problem, g, b, 20000, seed=11, engine=engine)
    assert np.array_equal(rows, again)


def test_sampled_mean_estimates_the_exact_expectation():
    problem = PROBLEMS["sk8-field-offset"]
    g, b = [0.3, 0.5], [-0.45, -0.2]
    exact = qaoa.expectation(problem, g, b)
    shots = 20000
    estimate = qaoa.expectation(problem, g, b, engine="aer", shots=shots, seed=5)
    spread = np.sqrt(np.dot(qaoa.probabilities(problem, g, b), (qaoa.energy_diagonal(problem) - exact) ** 2))
    assert abs(estimate - exact) < 5 * spread / np.sqrt(shots)
