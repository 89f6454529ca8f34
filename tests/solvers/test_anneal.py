"""The "sa" backend: Boltzmann sampling at fixed beta, ground states, reproducibility, bad input."""

from __future__ import annotations

import _thread
import threading
import time
import warnings

import numba
import numpy as np
import pytest
from scipy import stats

import qspin
from qspin import IsingProblem, ParameterError
from qspin.models import edwards_anderson, sherrington_kirkpatrick
from qspin.solvers import _anneal_kernels as K
from qspin.solvers._rng import next_u64, stream_states
from qspin.solvers.anneal import anneal
from qspin.solvers.schedules import beta_schedule, default_beta_range
from tests.conftest import all_states, random_problem


def _chi_square(counts: np.ndarray, probs: np.ndarray) -> float:
    """p-value of observed ``counts`` against ``probs``; states expected fewer than 5 times pooled."""
    expected = probs * counts.sum()
    big = expected >= 5
    obs = np.append(counts[big], counts[~big].sum())
    exp = np.append(expected[big], expected[~big].sum())
    if exp[-1] == 0:
        obs, exp = obs[:-1], exp[:-1]
    return float(stats.chisquare(obs, exp).pvalue)


def _boltzmann(problem: IsingProblem, beta: float):
    states = all_states(problem.num_spins)
    E = problem.energies(states)
    w = np.exp(-beta * (E - E.min()))
    return states, w / w.sum()


@pytest.fixture(scope="module")
def small_problem():
    """Six spins with fields and a mix of couplings, so no state is forbidden or dominant."""
    return random_problem(np.random.default_rng(7), 6, density=0.7, field=0.6)


# --- sampling correctness --------------------------------------------------------------------------


@pytest.mark.parametrize("kernel", ["sparse", "dense"])
def test_fixed_beta_samples_the_boltzmann_distribution(small_problem, kernel):
    beta, reads = 0.8, 40_000
    spins, _ = anneal(small_problem, np.full(40, beta), reads, seed=2024, kernel=kernel)
    states, probs = _boltzmann(small_problem, beta)
    index = {tuple(s): k for k, s in enumerate(states.tolist())}
    counts = np.bincount([index[tuple(s)] for s in spins.tolist()], minlength=len(states))
    assert _chi_square(counts, probs) > 1e-3
    _, wrong = _boltzmann(small_problem, 2 * beta)  # the test has the power to see a wrong temperature
    assert _chi_square(counts, wrong) < 1e-6


def test_constant_beta_range_through_solve(small_problem):
    beta = 0.5
    res = qspin.solve(small_problem, "sa", seed=5, num_reads=20_000, num_sweeps=30, beta_range=(beta, beta))
    assert res.info["beta_range"] == [beta, beta]
    states, probs = _boltzmann(small_problem, beta)
    index = {tuple(s): k for k, s in enumerate(states.tolist())}
    counts = np.bincount([index[tuple(s)] for s in res.spins.tolist()], weights=res.counts, minlength=len(states))
    assert _chi_square(counts, probs) > 1e-3


# --- optimisation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "problem",
    [
        sherrington_kirkpatrick(16, seed=1),
        sherrington_kirkpatrick(18, seed=2),
        edwards_anderson((4, 5), seed=3),
        edwards_anderson((5, 4), couplings="pm1", field=0.3, seed=4),
    ],
    ids=lambda p: p.name,
)
def test_finds_the_exact_ground_state(problem):
    res = qspin.solve(problem, "sa", seed=11, num_reads=64, num_sweeps=500)
    exact = qspin.solve(problem, "exact")
    assert res.best_energy == pytest.approx(exact.best_energy, abs=1e-9 * problem.energy_scale)


def test_mean_energy_no_worse_than_dwave_samplers():
    dwave_sa = pytest.importorskip("dwave.samplers").SimulatedAnnealingSampler()
    problem = edwards_anderson((12, 12), couplings="gaussian", seed=5)
    beta_range, reads, sweeps = default_beta_range(problem), 200, 200
    ours = qspin.solve(problem, "sa", seed=3, num_reads=reads, num_sweeps=sweeps, beta_range=beta_range).energies
    theirs = dwave_sa.sample(
        problem.to_bqm(),
        num_reads=reads,
        num_sweeps=sweeps,
        beta_range=list(beta_range),
        beta_schedule_type="geometric",
        seed=3,
    ).record.energy
    se = np.hypot(ours.std(ddof=1), theirs.std(ddof=1)) / np.sqrt(reads)
    assert ours.mean() <= theirs.mean() + 3 * se


def test_initial_states_are_used():
    ferro = IsingProblem(np.zeros(10), {(k, k + 1): -1.0 for k in range(9)})
    start = np.ones((3, 10), dtype=np.int8)
    start[1] = -1
    start[2, :5] = -1  # a domain wall: at zero temperature it can only wander, never cost energy
    res = qspin.solve(ferro, "sa", seed=1, initial_states=start, beta_schedule_type="custom", beta_schedule=[1e9] * 3)
    assert res.num_reads == 3
    assert sorted(res.energies.tolist()) == [-9.0, -9.0, -7.0]


# --- reproducibility ------------------------------------------------------------------------------


def test_same_seed_same_samples_and_different_seed_differs():
    p = edwards_anderson((8, 8), seed=6)
    a = qspin.solve(p, "sa", seed=42, num_reads=40, num_sweeps=50)
    b = qspin.solve(p, "sa", seed=42, num_reads=40, num_sweeps=50)
    c = qspin.solve(p, "sa", seed=43, num_reads=40, num_sweeps=50)
    assert np.array_equal(a.spins, b.spins)
    assert not np.array_equal(a.spins, c.spins)


@pytest.mark.parametrize(
    "problem", [edwards_anderson((9, 7), seed=8), sherrington_kirkpatrick(40, seed=9)], ids=lambda p: p.name
)
def test_thread_count_does_not_change_results(problem):
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs two cores")
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = qspin.solve(problem, "sa", seed=7, num_reads=50, num_sweeps=100)
        numba.set_num_threads(2)
        two = qspin.solve(problem, "sa", seed=7, num_reads=50, num_sweeps=100)
    finally:
        numba.set_num_threads(threads)
    assert one.info["threads"] == 1 and two.info["threads"] == 2
    assert np.array_equal(one.spins, two.spins)


@pytest.mark.parametrize(
    "problem",
    [edwards_anderson((5, 6), random_field=0.4, seed=10), sherrington_kirkpatrick(14, seed=11)],
    ids=lambda p: p.name,
)
def test_blocks_lanes_and_kernels_do_not_change_results(problem):
    """Cutting the schedule into kernel calls, the SIMD grouping and the kernel are speed choices only."""
    betas = beta_schedule("geometric", default_beta_range(problem), 45)
    reference, _ = anneal(problem, betas, 37, seed=12, block_sweeps=betas.size, lanes=64, kernel="sparse")
    for kwargs in (
        {"block_sweeps": 1},
        {"block_sweeps": 7, "lanes": 16},
        {"lanes": 3},
        {"kernel": "dense", "block_sweeps": 4},
        {"kernel": "dense", "lanes": 1},
    ):
        spins, _ = anneal(problem, betas, 37, seed=12, **kwargs)
        assert np.array_equal(spins, reference), kwargs


def test_a_read_depends_only_on_its_own_stream():
    p = edwards_anderson((6, 6), seed=13)
    betas = beta_schedule("linear", (0.1, 3.0), 30)
    many, _ = anneal(p, betas, 70, seed=14)
    few, _ = anneal(p, betas, 5, seed=14)
    assert np.array_equal(many[:5], few)


def test_lane_generator_is_xoshiro256plus_of_rng_module():
    streams = stream_states(99, 3)
    lanes = np.ascontiguousarray(streams.T)
    draws = K.lane_draws(lanes, 5)
    for r in range(3):
        s = streams[r].copy()
        assert [int(next_u64(s)) for _ in range(5)] == draws[:, r].tolist()


# --- edge cases and info --------------------------------------------------------------------------


def test_empty_and_one_spin_problems():
    empty = qspin.solve(IsingProblem(offset=2.0), "sa", seed=1, num_reads=7)
    assert empty.spins.shape == (7, 0) and np.allclose(empty.energies, 2.0)
    one = qspin.solve(IsingProblem([0.5]), "sa", seed=1, num_reads=5, num_sweeps=20)
    assert one.spins.shape == (5, 1) and one.best_spins.tolist() == [-1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        free = qspin.solve(IsingProblem(num_spins=3), "sa", seed=1, num_reads=4, num_sweeps=5)
    assert free.spins.shape == (4, 3) and free.info["beta_range"] == [0.1, 1.0]


def test_info_reports_schedule_and_timing():
    p = sherrington_kirkpatrick(30, seed=15)
    res = qspin.solve(p, "sa", seed=1, num_reads=10, num_sweeps=77, beta_schedule_type="linear")
    assert res.info["beta_schedule_type"] == "linear" and res.info["num_sweeps"] == 77
    assert res.info["beta_range"] == pytest.approx(list(default_beta_range(p)))
    assert res.info["timing"]["sampling_s"] > 0 and res.info["timing"]["ns_per_flip_attempt"] > 0
    custom = qspin.solve(p, "sa", seed=1, num_reads=4, beta_schedule_type="custom", beta_schedule=[0.1, 0.5, 2.0])
    assert custom.info["beta_range"] == [0.1, 2.0] and custom.info["num_sweeps"] == 3


def test_default_beta_range_matches_dwave_samplers():
    sa = pytest.importorskip("dwave.samplers.sa.sampler")
    for p in (
        edwards_anderson((6, 6), couplings="pm1", seed=16),
        sherrington_kirkpatrick(25, seed=17),
        edwards_anderson((4, 4), random_field=1.0, seed=18),
        IsingProblem([0.0, 2.0, 0.0], {(0, 1): 1.0}),
    ):
        assert default_beta_range(p) == pytest.approx(sa.default_beta_range(p.to_bqm()), rel=1e-12)


def test_ctrl_c_interrupts_within_a_block():
    """A run of hours stops within about one kernel call (~0.05 s) of Ctrl-C."""
    p = edwards_anderson((32, 32), couplings="pm1", seed=19)
    qspin.solve(p, "sa", seed=1, num_reads=8, num_sweeps=2)  # load the kernels first
    sent = []

    def interrupt():
        sent.append(time.perf_counter())
        _thread.interrupt_main()

    timer = threading.Timer(0.3, interrupt)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            qspin.solve(p, "sa", seed=1, num_reads=200, num_sweeps=10**7)
    finally:
        timer.cancel()
    assert time.perf_counter() - sent[0] < 2.0  # generous: the machine may be busy


# --- bad input ------------------------------------------------------------------------------------

BAD = [
    ({"num_reads": 0}, "num_reads"),
    ({"num_reads": -3}, "num_reads"),
    ({"num_reads": 2.5}, "num_reads"),
    ({"num_sweeps": 0}, "num_sweeps"),
    ({"num_sweeps": -1}, "num_sweeps"),
    ({"num_sweeps": True}, "num_sweeps"),
    ({"beta_range": (2.0, 1.0)}, "reversed"),
    ({"beta_range": (0.0, 1.0)}, "positive"),
    ({"beta_range": (-1.0, 1.0)}, "positive"),
    ({"beta_range": (0.1, 1.0, 2.0)}, "pair"),
    ({"beta_range": (0.1, np.inf)}, "finite"),
    ({"beta_range": (np.nan, 1.0)}, "finite"),
    ({"beta_range": "hot"}, "beta_range"),
    ({"beta_schedule_type": "cosine"}, "beta_schedule_type"),
    ({"beta_schedule_type": "custom"}, "needs beta_schedule"),
    ({"beta_schedule_type": "custom", "beta_schedule": [0.1, np.nan]}, "beta_schedule[1]"),
    ({"beta_schedule_type": "custom", "beta_schedule": [0.1, -1.0]}, "beta_schedule[1]"),
    ({"beta_schedule_type": "custom", "beta_schedule": []}, "non-empty"),
    ({"beta_schedule_type": "custom", "beta_schedule": [[0.1, 0.2]]}, "1-D"),
    ({"beta_schedule_type": "custom", "beta_schedule": [0.1, 0.2], "num_sweeps": 3}, "num_sweeps"),
    ({"beta_schedule_type": "custom", "beta_schedule": [0.1, 0.2], "beta_range": (0.1, 0.2)}, "only beta_schedule"),
    ({"beta_schedule": [0.1, 0.2]}, "custom"),
    ({"initial_states": np.ones((2, 3))}, "shape"),
    ({"initial_states": np.ones(4)}, "shape"),
    ({"initial_states": np.zeros((2, 4))}, "+1 or -1"),
    ({"initial_states": np.ones((2, 4)), "num_reads": 3}, "num_reads"),
    ({"progress": "yes"}, "progress"),
]


@pytest.mark.parametrize(("params", "message"), BAD, ids=[str(p) for p, _ in BAD])
def test_bad_parameters_are_rejected_before_work(params, message, monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("sampling started despite bad parameters")

    monkeypatch.setattr("qspin.solvers.anneal.anneal", no_work)
    p = IsingProblem([0.1, 0.2, 0.0, -0.3], {(0, 1): 1.0, (2, 3): -0.5})
    with pytest.raises(ParameterError, match=message.replace("[", r"\[").replace("+", r"\+")):
        qspin.solve(p, "sa", seed=1, **params)
