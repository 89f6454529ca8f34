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


@pytest.mark.parametrize("name", ["random5", "sk7-flip-symmetric"])
def test_warm_start_agrees_across_engines_and_with_a_dense_reference(name):
    """A warm start (Egger et al.): every engine prepares prod_k RY(theta_k)|0> with P(spin opposite
    to the start) = epsilon. Independent reference: that product vector by Kronecker products, then
    the layers as dense exponentials. The start breaks E(s) = E(-s), so the half-state path is off."""
    import scipy.linalg as sla

    from qspin.conventions import basis_indices_to_spins
    from qspin.qaoa import pennylane_engine

    problem = PROBLEMS[name]
    n = problem.num_spins
    rng = np.random.default_rng(11)
    start = rng.choice([-1, 1], size=n)
    g, b = rng.uniform(-0.8, 0.8, 2), rng.uniform(-0.8, 0.8, 2)
    eps = 0.2
    psi = np.ones(1)
    for k in range(n):  # kron puts the later factor on the less significant bit: qubit k is bit k
        p_one = eps if start[k] > 0 else 1 - eps
        psi = np.kron(np.array([np.sqrt(1 - p_one), np.sqrt(p_one)]), psi)
    E = problem.energies(basis_indices_to_spins(np.arange(1 << n), n))
    X = np.array([[0.0, 1.0], [1.0, 0.0]])
    B = sum(np.kron(np.kron(np.eye(1 << (n - 1 - q)), X), np.eye(1 << q)) for q in range(n))
    psi = psi.astype(complex)
    for gk, bk in zip(g, b):
        psi = sla.expm(-1j * bk * B) @ (np.exp(-1j * gk * E) * psi)
    ref = float(np.vdot(psi, E * psi).real)
    warm = {"initial_state": start, "epsilon": eps}
    np.testing.assert_allclose(qaoa.statevector(problem, g, b, **warm), psi, atol=1e-12)
    values = {
        "statevector": qaoa.expectation(problem, g, b, **warm),
        "aer": qaoa.expectation(problem, g, b, engine="aer", **warm),
        "pennylane": pennylane_engine.expectation(problem, g, b, **warm),
    }
    for engine, value in values.items():
        assert abs(value - ref) < TOL, f"{engine} differs from the dense reference by {value - ref:.3g}"
    value, dg, db = qaoa.expectation_and_gradient(problem, g, b, **warm)
    _, pdg, pdb = pennylane_engine.expectation_and_gradient(problem, g, b, **warm)
    assert value == pytest.approx(ref, abs=TOL)
    np.testing.assert_allclose(np.concatenate([dg, db]), np.concatenate([pdg, pdb]), atol=1e-8)
    # epsilon = 1/2 is |+>^n again; bad starts are refused before any engine runs
    plain = qaoa.expectation(problem, g, b)
    assert qaoa.expectation(problem, g, b, initial_state=start, epsilon=0.5) == pytest.approx(plain, abs=1e-12)
    with pytest.raises(ParameterError, match="epsilon"):
        qaoa.expectation(problem, g, b, initial_state=start, epsilon=0.0)
    with pytest.raises(ParameterError, match=r"initial_state\[0\] = 0"):
        qaoa.expectation(problem, g, b, initial_state=np.zeros(n), engine="aer")
    with pytest.raises(ParameterError, match="shape"):
        qaoa.expectation(problem, g, b, initial_state=start[:-1])
