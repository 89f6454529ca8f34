"""Adapters over dwave-samplers: ground states, reproducibility, label order, parameter checks."""

from __future__ import annotations

import dimod
import numpy as np
import pytest

import qspin
from qspin import IsingProblem, ParameterError
from qspin.models import edwards_anderson, sherrington_kirkpatrick
from qspin.solvers.ocean import OceanPIMCBackend, vendor_seed

FAST = {
    "ocean-sa": {"num_reads": 20, "num_sweeps": 500},
    "ocean-tabu": {"num_reads": 5, "timeout": None, "num_restarts": 2},
    "ocean-greedy": {"num_reads": 400},
}
PROBLEMS = [
    sherrington_kirkpatrick(12, seed=1),
    sherrington_kirkpatrick(14, seed=2),
    edwards_anderson((4, 4), seed=3),
    edwards_anderson((3, 5), couplings="pm1", periodic=False, seed=4, random_field=0.3),
]


@pytest.fixture(scope="module")
def ground_energies():
    return [qspin.solve(p, "exact").best_energy for p in PROBLEMS]


@pytest.mark.parametrize("backend", sorted(FAST))
def test_adapters_find_exact_ground_states(backend, ground_energies):
    for problem, e0 in zip(PROBLEMS, ground_energies):
        ss = qspin.solve(problem, backend, seed=1, **FAST[backend])
        assert ss.best_energy == pytest.approx(e0, abs=1e-9), problem.name
        assert ss.num_reads == FAST[backend]["num_reads"]
        assert ss.info["versions"]["dwave-samplers"] and ss.info["versions"]["dimod"]


@pytest.mark.parametrize("backend", sorted(FAST))
def test_reproducible_from_seed(backend):
    problem = sherrington_kirkpatrick(30, seed=7)
    kw = {**FAST[backend], "num_reads": 5}
    if backend == "ocean-sa":
        kw["num_sweeps"] = 20  # short runs, so different seeds differ
    a = qspin.solve(problem, backend, seed=11, **kw)
    b = qspin.solve(problem, backend, seed=11, **kw)
    c = qspin.solve(problem, backend, seed=12, **kw)
    np.testing.assert_array_equal(a.spins, b.spins)
    assert not np.array_equal(a.spins, c.spins)


def test_vendor_seed_is_deterministic_and_in_range():
    seeds = [vendor_seed(s) for s in (0, 1, 2**62, 2**63 - 1)]
    assert all(0 <= s < 2**31 for s in seeds)
    assert seeds == [vendor_seed(s) for s in (0, 1, 2**62, 2**63 - 1)]
    assert len(set(seeds)) == 4


@pytest.mark.parametrize("backend", sorted(FAST))
def test_labelled_problems_come_back_in_label_order(backend):
    rng = np.random.default_rng(3)
    names = ["q", "b", "zeta", "a", "m", "c", "x"]
    bqm = dimod.BinaryQuadraticModel(
        {v: rng.normal() for v in names},
        {(u, v): rng.normal() for k, u in enumerate(names) for v in names[k + 1 :] if rng.random() < 0.6},
        0.25,
        dimod.SPIN,
    )
    problem = IsingProblem.from_bqm(bqm)
    assert set(problem.labels) == set(names) and list(problem.labels) != sorted(names)
    ss = qspin.solve(problem, backend, seed=2, **{**FAST[backend], "num_reads": 8})
    vendor_energies = bqm.energies((ss.spins, list(problem.labels)))
    np.testing.assert_allclose(ss.energies, vendor_energies)
    exact = dimod.ExactSolver().sample(bqm).first.energy
    assert ss.best_energy == pytest.approx(exact)


def test_samples_are_mapped_by_label_not_by_column_position():
    """A sampler may return its variables in any order; the adapter maps columns through the labels."""
    from dwave.samplers import SteepestDescentSolver

    from qspin.solvers import ocean

    class Reversing:
        def sample(self, bqm, **kwargs):
            ss = SteepestDescentSolver().sample(bqm, **kwargs)
            labels = list(ss.variables)[::-1]
            return dimod.SampleSet.from_samples(
                (ss.record.sample[:, ::-1], labels), dimod.SPIN, energy=ss.record.energy
            )

    bqm = dimod.BinaryQuadraticModel(
        {"u": 1.0, "v": -0.5, "w": 0.2}, {("u", "v"): 0.3, ("v", "w"): -0.7}, 0.0, dimod.SPIN
    )
    problem = IsingProblem.from_bqm(bqm)
    start = np.array([[1, 1, -1], [-1, 1, 1]], dtype=np.int8)
    out = ocean._run(problem, Reversing(), 2, start, seed=1)
    direct = ocean._run(problem, SteepestDescentSolver(), 2, start, seed=1)
    np.testing.assert_array_equal(out.spins, direct.spins)
    np.testing.assert_allclose(problem.energies(out.spins), bqm.energies((out.spins, list(problem.labels))))


def test_initial_states_are_used_and_completed():
    problem = sherrington_kirkpatrick(10, seed=5)
    ground = qspin.solve(problem, "exact").best_spins
    ss = qspin.solve(problem, "ocean-greedy", seed=1, num_reads=4, initial_states=ground)  # a minimum stays put
    assert ss.num_reads == 4
    assert (ss.spins == ground).all(axis=1).sum() >= 1
    tabu = qspin.solve(
        problem, "ocean-tabu", seed=1, num_reads=3, initial_states=[ground, -ground], timeout=None, num_restarts=0
    )
    assert tabu.best_energy == pytest.approx(problem.energy(ground))
    sa = qspin.solve(
        problem,
        "ocean-sa",
        seed=1,
        num_reads=2,
        num_sweeps=10,
        beta_range=(50.0, 60.0),
        beta_schedule_type="linear",
        initial_states=ground[None, :],
    )
    assert sa.best_energy == pytest.approx(problem.energy(ground))
    assert sa.info["beta_range"] == [50.0, 60.0]


def test_sa_custom_beta_schedule():
    problem = sherrington_kirkpatrick(12, seed=1)
    betas = np.geomspace(0.1, 10.0, 300)
    ss = qspin.solve(problem, "ocean-sa", seed=3, beta_schedule_type="custom", beta_schedule=betas)
    assert ss.best_energy == pytest.approx(qspin.solve(problem, "exact").best_energy)
    assert ss.info["beta_range"] == [0.1, 10.0] and ss.info["parameters"]["num_sweeps"] == 300


@pytest.mark.parametrize("backend", sorted(FAST))
def test_tiny_problems(backend):
    empty = qspin.solve(
        IsingProblem(num_spins=0), backend, seed=1, num_reads=3, **({"timeout": 5} if "tabu" in backend else {})
    )
    assert empty.spins.shape == (3, 0)
    one = qspin.solve(IsingProblem([0.5]), backend, seed=1, **FAST[backend])
    assert one.best_energy == -0.5


@pytest.mark.parametrize(
    ("backend", "params", "match"),
    [
        ("ocean-sa", {"num_reads": 0}, "num_reads"),
        ("ocean-sa", {"num_sweeps": 1.5}, "num_sweeps"),
        ("ocean-sa", {"beta_range": (1.0,)}, "beta_range"),
        ("ocean-sa", {"beta_range": (0.0, 1.0)}, r"beta_range\[0\]"),
        ("ocean-sa", {"beta_schedule_type": "exponential"}, "beta_schedule_type"),
        ("ocean-sa", {"beta_schedule_type": "custom"}, "needs beta_schedule"),
        ("ocean-sa", {"beta_schedule_type": "custom", "beta_schedule": [1.0, -1.0]}, r"beta_schedule\[1\]"),
        ("ocean-sa", {"beta_schedule_type": "custom", "beta_schedule": [1.0], "num_sweeps": 5}, "num_sweeps"),
        (
            "ocean-sa",
            {"beta_schedule_type": "custom", "beta_schedule": [1.0], "beta_range": (1, 2)},
            "only beta_schedule",
        ),
        ("ocean-sa", {"beta_schedule": [1.0, 2.0]}, "only used with"),
        ("ocean-sa", {"initial_states": np.ones((1, 4))}, r"shape \(R, 6\)"),
        ("ocean-sa", {"initial_states": np.zeros((1, 6))}, "must be \\+1 or -1"),
        ("ocean-sa", {"initial_states": np.ones((11, 6))}, "between 1 and num_reads"),
        ("ocean-tabu", {"timeout": None}, "num_restarts"),
        ("ocean-tabu", {"timeout": 0}, "timeout"),
        ("ocean-tabu", {"tenure": 6}, "tenure"),
        ("ocean-tabu", {"num_restarts": -1}, "num_restarts"),
        ("ocean-greedy", {"num_reads": True}, "num_reads"),
        ("ocean-greedy", {"num_sweeps": 10}, "does not take"),
    ],
)
def test_bad_parameters_are_refused(backend, params, match):
    with pytest.raises(ParameterError, match=match):
        qspin.solve(sherrington_kirkpatrick(6, seed=1), backend, seed=1, **params)


# --- the path-integral adapter (registered by the maintainers as "ocean-pimc") ---------------------


def _pimc(problem, seed, **params):
    be = OceanPIMCBackend()
    p = be.check_parameters(problem, {**be.parameters, **params})
    return be.sample(problem, seed=seed, **p)


def test_pimc_single_spin_matches_the_quantum_value():
    h, gamma, beta = 0.5, 1.0, 2.0
    omega = np.hypot(h, gamma)
    exact = -h / omega * np.tanh(beta * omega)
    out = _pimc(IsingProblem([h]), 4, num_reads=10000, num_sweeps=30, beta=beta, gamma_range=(gamma, gamma))
    s = out.spins[:, 0].astype(float)
    assert abs(s.mean() - exact) < 4 * s.std() / np.sqrt(s.size)
    assert out.info["gamma_schedule"]["start"] == gamma and out.info["beta"] == beta


def test_pimc_anneals_to_ground_states_and_is_reproducible(ground_energies):
    problem, e0 = PROBLEMS[0], ground_energies[0]
    out = _pimc(problem, 3, num_reads=8, num_sweeps=200)
    assert problem.energies(out.spins).min() == pytest.approx(e0)
    np.testing.assert_array_equal(out.spins, _pimc(problem, 3, num_reads=8, num_sweeps=200).spins)
    with pytest.raises(ParameterError, match="gamma_range"):
        _pimc(problem, 3, gamma_range=(1.0, -1.0))
