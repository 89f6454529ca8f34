"""Tests of the parallel-tempering backend "pt": Boltzmann sampling against enumeration, ground
states against the exact solver, 2D Edwards-Anderson energies against the literature, Houdayer
moves, P(q), determinism and parameter checks."""

from __future__ import annotations

import json

import numba
import numpy as np
import pytest
import scipy.stats

import qspin
from qspin.conventions import basis_indices_to_spins
from qspin.models import edwards_anderson, sherrington_kirkpatrick
from qspin.solvers._rng import stream_states
from qspin.solvers._tempering_kernels import _fields_and_energy, houdayer_move, quench_gaps
from qspin.solvers.tempering import _pq, adapt_betas, default_betas, state_trace

BETAS = [0.3, 0.6, 1.0]


def _boltzmann(problem, beta):
    n = problem.num_spins
    E = problem.energies(basis_indices_to_spins(np.arange(2**n), n))
    w = np.exp(-beta * (E - E.min()))
    return w / w.sum()


def _chi2_pvalue(states, probs):
    """Chi-square p-value of observed basis indices against ``probs``; rare states pooled."""
    counts = np.bincount(states, minlength=probs.size)
    expected = probs * states.size
    big = expected >= 5
    obs, exp = counts[big], expected[big]
    if (~big).any():
        obs, exp = np.append(obs, counts[~big].sum()), np.append(exp, expected[~big].sum())
    return scipy.stats.chisquare(obs, exp).pvalue


def _small_lattice(field: bool, seed: int = 11):
    # 2 x 4 open lattice: sparse, so Houdayer clusters are proper subsets of the disagreeing sites
    return edwards_anderson((2, 4), periodic=False, random_field=0.7 if field else 0.0, seed=seed)


# --- (1), (4) sampling correctness ---------------------------------------------------------


@pytest.mark.parametrize("houdayer", [False, True])
@pytest.mark.parametrize("field", [True, False])
@pytest.mark.parametrize("k", [1, 2])
def test_replica_states_follow_boltzmann(houdayer, field, k):
    p = _small_lattice(field)
    trace = state_trace(p, BETAS, 20_000, seed=3, temperature_index=k, num_reads=8, burn_in=100, houdayer=houdayer)
    states = trace[:, :, ::5].ravel()  # thinned: consecutive sweeps are correlated
    assert _chi2_pvalue(states, _boltzmann(p, BETAS[k])) > 1e-3
    # the test has the power to see a 15% error in beta
    assert _chi2_pvalue(states, _boltzmann(p, 1.15 * BETAS[k])) < 1e-6
    assert _chi2_pvalue(states, _boltzmann(p, BETAS[k] / 1.15)) < 1e-6


def test_boltzmann_on_dense_problem():
    rng = np.random.default_rng(7)
    p = qspin.IsingProblem(rng.normal(0, 0.5, 6), np.triu(rng.normal(0, 1, (6, 6)), 1))
    trace = state_trace(p, BETAS, 20_000, seed=1, temperature_index=2, num_reads=8, burn_in=100)
    states = trace[:, :, ::5].ravel()
    assert _chi2_pvalue(states, _boltzmann(p, BETAS[2])) > 1e-3


@pytest.mark.parametrize("field", [True, False])
def test_houdayer_move_conserves_total_energy(field):
    p = edwards_anderson((6, 6), random_field=0.5 if field else 0.0, seed=2)
    indptr, indices, data = p.csr
    h = np.asarray(p.h)
    rng = np.random.default_rng(0)
    st = stream_states(5, 1)[0].copy()
    stamp, stack = np.zeros(36, dtype=np.int64), np.empty(36, dtype=np.int64)
    sizes = []
    for mark in range(1, 40):
        sa = rng.choice(np.array([-1, 1], dtype=np.int8), 36)
        sb = np.where(rng.random(36) < 0.2 + 0.015 * mark, -sa, sa).astype(np.int8)  # q from ~0.6 to ~-0.6
        fa, fb = np.empty(36), np.empty(36)
        Ea = _fields_and_energy(indptr, indices, data, h, 0.0, sa, fa)
        Eb = _fields_and_energy(indptr, indices, data, h, 0.0, sb, fb)
        dEa, dEb, size = houdayer_move(indptr, indices, data, sa, fa, sb, fb, not field, st, stamp, mark, stack)
        sizes.append(size)
        assert dEa + dEb == pytest.approx(0.0, abs=1e-9)
        assert p.energy(sa) + p.energy(sb) == pytest.approx(Ea + Eb, abs=1e-9)
        assert p.energy(sa) == pytest.approx(Ea + dEa, abs=1e-9)
        fa2, fb2 = np.empty(36), np.empty(36)
        _fields_and_energy(indptr, indices, data, h, 0.0, sa, fa2)
        _fields_and_energy(indptr, indices, data, h, 0.0, sb, fb2)
        np.testing.assert_allclose(fa, fa2, atol=1e-9)
        np.testing.assert_allclose(fb, fb2, atol=1e-9)
    assert np.mean(sizes) > 0
    if not field:
        assert max(sizes) <= 18  # grown on the smaller of the agreeing and disagreeing sets


def test_houdayer_helps_on_2d_gaussian():
    p = edwards_anderson((12, 12), couplings="gaussian", seed=300)
    ref = min(
        qspin.solve(p, "pt", seed=9, num_reads=2, num_sweeps=10_000, houdayer=hd).best_energy for hd in (True, False)
    )
    sweeps = {}
    for hd in (False, True):
        r = qspin.solve(p, "pt", seed=1, num_reads=8, num_sweeps=3000, houdayer=hd, target_energy=ref)
        assert r.info["houdayer"] is hd
        sweeps[hd] = np.mean([3000 if s is None else s for s in r.info["sweeps_to_target"]])
    assert r.info["reads_reached_target"] == 8
    assert 0 < r.info["houdayer_mean_cluster_fraction"] < 0.5
    assert sweeps[True] < 0.5 * sweeps[False]


def test_houdayer_default_follows_mean_degree():
    assert qspin.solve(edwards_anderson((6, 6), seed=1), "pt", seed=0, num_sweeps=10).info["houdayer"] is True
    assert qspin.solve(sherrington_kirkpatrick(12, seed=1), "pt", seed=0, num_sweeps=10).info["houdayer"] is False


# --- (2), (3) ground states and energies ------------------------------------------------------


def test_finds_sk_ground_states():
    found = 0
    for k in range(10):
        p = sherrington_kirkpatrick(20, seed=100 + k)
        e0 = qspin.solve(p, "exact").best_energy
        r = qspin.solve(p, "pt", seed=k, num_reads=2)
        found += abs(r.best_energy - e0) <= 1e-9 * p.energy_scale
        assert r.energies.min() >= e0 - 1e-9 * p.energy_scale
    assert found == 10


@pytest.mark.parametrize(("couplings", "band"), [("gaussian", (-1.36, -1.28)), ("pm1", (-1.45, -1.36))])
def test_2d_edwards_anderson_energy_per_spin(couplings, band):
    # literature: e_inf ~ -1.317 (Gaussian), -1.4015 (+-J); see /work/shared/REFERENCE.md
    L = 12
    e = [
        qspin.solve(
            edwards_anderson((L, L), couplings=couplings, seed=200 + k), "pt", seed=k, num_reads=2, num_sweeps=2000
        ).best_energy
        / L**2
        for k in range(4)
    ]
    assert band[0] < np.mean(e) < band[1]


def test_target_energy_stops_early_and_records_sweeps():
    p = sherrington_kirkpatrick(16, seed=4)
    e0 = qspin.solve(p, "exact").best_energy
    r = qspin.solve(p, "pt", seed=2, num_reads=3, num_sweeps=100_000, target_energy=e0)
    assert r.info["target_reached"] and r.info["reads_reached_target"] == 3
    assert all(s is not None and 0 < s < 100_000 for s in r.info["sweeps_to_target"])
    assert r.info["sweeps"] == max(r.info["sweeps_to_target"])
    assert np.allclose(r.energies, e0)
    r = qspin.solve(p, "pt", seed=2, num_reads=2, num_sweeps=50, target_energy=e0 - 1.0)
    assert not r.info["target_reached"] and r.info["sweeps_to_target"] == [None, None]
    assert r.info["sweeps"] == 50


# --- ladder ----------------------------------------------------------------------------------


def test_default_ladder():
    for p in (sherrington_kirkpatrick(30, seed=1), edwards_anderson((8, 8), couplings="pm1", seed=1)):
        b = default_betas(p, seed=0)
        assert 16 <= b.size <= 32 and (np.diff(b) > 0).all()
        assert np.allclose(np.diff(np.log(b)), np.log(b[1] / b[0]))  # geometric
        assert b[0] < 1.0 < b[-1]  # hot end above and cold end below the coupling scale
    b = default_betas(edwards_anderson((8, 8), couplings="pm1", seed=1), num_temperatures=5, beta_range=(0.5, 2.0))
    np.testing.assert_allclose(b, [0.5, 0.5 * 2**0.5, 1.0, 2**0.5, 2.0])


def test_quench_reaches_local_minima():
    p = edwards_anderson((6, 6), random_field=0.3, seed=3)
    spins = np.where(np.random.default_rng(1).random((5, 36)) < 0.5, -1, 1).astype(np.int8)
    gaps = quench_gaps(*p.csr, np.asarray(p.h), spins, 1000)
    for s, g in zip(spins, gaps):
        f = np.asarray(p.h) + p.to_dense() @ s
        assert (s * f <= 1e-12).all()  # no flip lowers the energy
        np.testing.assert_allclose(g, 2 * np.abs(f))


def test_info_schema():
    r = qspin.solve(edwards_anderson((4, 4), seed=1), "pt", seed=0, num_reads=2, num_sweeps=100)
    for key in (
        "betas",
        "num_temperatures",
        "swap_acceptance",
        "mean_energy",
        "measurement_sweeps",
        "sweeps",
        "sweeps_per_read",
        "pq",
        "q_abs_mean",
        "q2_mean",
        "q_abs_mean_per_temperature",
        "q2_mean_per_temperature",
        "q4_mean_per_temperature",
        "binder",
        "ladder",
        "houdayer",
        "burn_in",
        "target_reached",
        "reads_reached_target",
        "sweeps_to_target",
        "houdayer_mean_cluster_fraction",
    ):
        assert key in r.info, key
    assert r.info["burn_in"] == 50 and r.info["measurement_sweeps"] == 2 * 50 and r.info["sweeps"] == 100
    assert r.spins.shape == (2, 16) and r.info["timing"]["sampling_s"] > 0
    json.dumps(r.info)


def test_adapted_ladder_evens_out_swap_rates():
    p = edwards_anderson((10, 10), seed=3)
    rates = {}
    for adapt in (False, True):
        r = qspin.solve(p, "pt", seed=1, num_reads=2, num_sweeps=4000, adapt_ladder=adapt)
        rates[adapt] = np.array(r.info["swap_acceptance"])
        assert r.info["betas"][0] == pytest.approx(default_betas(p, seed=1)[0])
    assert r.info["ladder"] == "default+adapted"
    assert rates[True].std() < 0.5 * rates[False].std()
    assert rates[True].min() > rates[False].min()


def test_adapt_betas_keeps_ends_and_order():
    betas = np.geomspace(0.2, 5.0, 8)
    acc = np.array([90, 80, 70, 10, 20, 85, 95])
    new = adapt_betas(betas, acc, np.full(7, 100))
    assert new[0] == pytest.approx(0.2) and new[-1] == pytest.approx(5.0) and (np.diff(new) > 0).all()
    assert np.diff(np.log(new))[3] < np.diff(np.log(betas))[3]  # the worst pair moves closer
    np.testing.assert_array_equal(adapt_betas(betas, acc, np.zeros(7)), betas)


def test_explicit_betas_are_used():
    p = sherrington_kirkpatrick(10, seed=2)
    r = qspin.solve(p, "pt", seed=0, num_sweeps=200, betas=[0.5, 1.0, 2.0, 4.0])
    assert r.info["betas"] == [0.5, 1.0, 2.0, 4.0] and r.info["ladder"] == "explicit"
    assert len(r.info["swap_acceptance"]) == 3 and len(r.info["mean_energy"]) == 4
    assert r.info["mean_energy"][0] > r.info["mean_energy"][-1]


# --- (5) P(q) ----------------------------------------------------------------------------------


def _widths(edges):
    return np.diff(np.asarray(edges))


def test_pq_is_normalised_and_symmetric_without_fields():
    p = sherrington_kirkpatrick(24, seed=5)
    r = qspin.solve(p, "pt", seed=3, num_reads=4, num_sweeps=4000, pq_all_temperatures=True)
    pq = r.info["pq"]
    edges, density = np.asarray(pq["edges"]), np.asarray(pq["density"])
    assert edges.size == 26 and edges[0] == pytest.approx(-1 - 1 / 24) and edges[-1] == pytest.approx(1 + 1 / 24)
    assert (density * _widths(edges)).sum() == pytest.approx(1.0)
    for row in r.info["pq_all_temperatures"]["density"]:
        assert (np.asarray(row) * _widths(edges)).sum() == pytest.approx(1.0)
    mass = density * _widths(edges)
    centres = 0.5 * (edges[1:] + edges[:-1])
    assert abs(mass[centres > 0].sum() - mass[centres < 0].sum()) < 0.05
    assert np.abs(mass - mass[::-1]).sum() < 0.1
    assert r.info["pq_all_temperatures"]["density"][-1] == pq["density"]
    # moments agree with the histogram; spin-glass order grows as the temperature falls
    assert r.info["q2_mean"] == pytest.approx((mass * centres**2).sum())
    assert r.info["q_abs_mean"] == pytest.approx((mass * np.abs(centres)).sum())
    q2 = r.info["q2_mean_per_temperature"]
    assert q2[-1] > 0.5 > q2[0]
    # n = 24 puts one q value per bin, so every moment follows from each temperature's histogram
    for row, m2, m4, g in zip(
        r.info["pq_all_temperatures"]["density"], q2, r.info["q4_mean_per_temperature"], r.info["binder"]
    ):
        w = np.asarray(row) * _widths(edges)
        assert m2 == pytest.approx((w * centres**2).sum()) and m4 == pytest.approx((w * centres**4).sum())
        assert g == pytest.approx(0.5 * (3 - m4 / m2**2))


def test_pq_is_shifted_by_a_field():
    p = sherrington_kirkpatrick(24, seed=5).replace(h=np.full(24, -0.5))  # favours s = +1
    r = qspin.solve(p, "pt", seed=3, num_reads=2, num_sweeps=2000)
    edges, density = np.asarray(r.info["pq"]["edges"]), np.asarray(r.info["pq"]["density"])
    centres = 0.5 * (edges[1:] + edges[:-1])
    assert (density * _widths(edges))[centres > 0].sum() > 0.9


def test_pq_groups_values_for_large_n():
    n = 1000
    counts = np.zeros((1, n + 1), dtype=np.int64)
    counts[0, [0, 250, 500, 501, 1000]] = [1, 2, 3, 4, 5]
    edges, density = _pq(counts, n)
    edges = np.asarray(edges)
    assert len(density[0]) <= 201 and edges[0] == pytest.approx(-1.001) and edges[-1] == pytest.approx(1.001)
    np.testing.assert_allclose(edges, -edges[::-1])
    assert (np.asarray(density[0]) * np.diff(edges)).sum() == pytest.approx(1.0)


# --- (6) determinism ------------------------------------------------------------------------------


def _strip(info):
    return {k: v for k, v in info.items() if k != "timing"}


def test_seed_reproducible():
    p = edwards_anderson((6, 6), seed=4)
    a = qspin.solve(p, "pt", seed=12, num_reads=3, num_sweeps=500, adapt_ladder=True)
    b = qspin.solve(p, "pt", seed=12, num_reads=3, num_sweeps=500, adapt_ladder=True)
    c = qspin.solve(p, "pt", seed=13, num_reads=3, num_sweeps=500, adapt_ladder=True)
    np.testing.assert_array_equal(a.spins, b.spins)
    assert _strip(a.info) == _strip(b.info)
    assert a.info["mean_energy"] != c.info["mean_energy"]


def test_thread_count_independent():
    p = sherrington_kirkpatrick(18, seed=8)
    before = numba.get_num_threads()
    results = []
    try:
        for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(threads)
            results.append(qspin.solve(p, "pt", seed=5, num_reads=4, num_sweeps=400, houdayer=True))
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(results[0].spins, results[1].spins)
    assert _strip(results[0].info) == _strip(results[1].info)


def test_block_boundaries_do_not_change_the_run(monkeypatch):
    import qspin.solvers.tempering as tempering

    p = edwards_anderson((5, 5), seed=1)
    a = qspin.solve(p, "pt", seed=1, num_reads=2, num_sweeps=300)
    monkeypatch.setattr(tempering, "FLIPS_PER_BLOCK", 2 * 16 * 25 * 2 * 7)  # blocks of 7 sweeps
    b = qspin.solve(p, "pt", seed=1, num_reads=2, num_sweeps=300)
    np.testing.assert_array_equal(a.spins, b.spins)
    assert a.info["swap_acceptance"] == b.info["swap_acceptance"]
    np.testing.assert_allclose(a.info["mean_energy"], b.info["mean_energy"], rtol=1e-12)


# --- small and bad input ----------------------------------------------------------------------------


def test_empty_problem():
    r = qspin.solve(qspin.IsingProblem(num_spins=0, offset=1.5), "pt", seed=0, num_reads=3)
    assert r.spins.shape == (3, 0) and np.all(r.energies == 1.5)


@pytest.mark.parametrize("h", [0.0, 0.8, -0.3])
def test_one_spin(h):
    p = qspin.IsingProblem([h], offset=0.25)
    r = qspin.solve(p, "pt", seed=1, num_reads=2, num_sweeps=20)
    assert r.spins.shape == (2, 1)
    assert r.best_energy == pytest.approx(0.25 - abs(h))


def test_uncoupled_and_zero_problems():
    r = qspin.solve(qspin.IsingProblem(np.zeros(5)), "pt", seed=1, num_sweeps=20)
    assert r.info["betas"][0] == pytest.approx(0.1)
    r = qspin.solve(qspin.IsingProblem([1.0, -2.0, 0.5]), "pt", seed=1, num_sweeps=50)
    np.testing.assert_array_equal(r.best_spins, [-1, 1, -1])


@pytest.mark.parametrize(
    "params",
    [
        {"num_sweeps": 0},
        {"num_sweeps": -5},
        {"num_sweeps": 2.5},
        {"num_reads": 0},
        {"num_reads": True},
        {"num_temperatures": 1},
        {"betas": [1.0]},
        {"betas": [1.0, 0.5]},
        {"betas": [0.0, 1.0]},
        {"betas": [0.5, np.inf]},
        {"betas": [0.5, np.nan]},
        {"betas": [-1.0, 1.0]},
        {"betas": [[0.1, 1.0]]},
        {"betas": "hot"},
        {"betas": [0.1, 1.0], "num_temperatures": 3},
        {"betas": [0.1, 1.0], "beta_range": (0.1, 1.0)},
        {"beta_range": (1.0, 0.5)},
        {"beta_range": (0.1, 0.5, 1.0)},
        {"burn_in": 100, "num_sweeps": 100},
        {"burn_in": -1},
        {"adapt_ladder": "yes"},
        {"houdayer": 1},
        {"target_energy": np.nan},
        {"target_energy": "low"},
        {"target_tol": -1.0},
        {"pq_all_temperatures": None},
        {"bogus": 1},
    ],
)
def test_bad_parameters(params, monkeypatch):
    import qspin.solvers.tempering as tempering

    def no_work(*args, **kwargs):
        raise AssertionError("work started before the parameters were checked")

    monkeypatch.setattr(tempering, "_PTRun", no_work)
    with pytest.raises(qspin.ParameterError):
        qspin.solve(sherrington_kirkpatrick(6, seed=0), "pt", seed=0, **params)


def test_conformance_kit():
    from qspin.testing import check_backend

    check_backend("pt", num_reads=2, num_sweeps=300)
