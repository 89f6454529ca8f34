import numpy as np
import pytest

import qspin
from qspin import IsingProblem, ParameterError
from qspin.models import edwards_anderson, sherrington_kirkpatrick
from tests.conftest import brute_force, random_problem


@pytest.mark.parametrize("seed", range(12))
def test_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 13))
    p = random_problem(rng, n, density=rng.random(), field=[0.0, 1.0][seed % 2])
    e0, ground, _ = brute_force(p)
    ss = qspin.solve(p, "exact")
    assert ss.best_energy == pytest.approx(e0, abs=1e-9)
    assert {tuple(s) for s in ss.spins} == ground
    assert ss.info["degeneracy"] == len(ground)
    assert np.allclose(ss.energies, e0)


def test_degenerate_pm1_lattice_counts_every_ground_state():
    p = edwards_anderson((4, 4), couplings="pm1", seed=2)
    e0, ground, E = brute_force(p)
    ss = qspin.solve(p, "exact", num_levels=4)
    assert ss.info["degeneracy"] == len(ground) > 2
    assert {tuple(s) for s in ss.spins} == ground
    levels = np.unique(E)[:4]
    assert [lv["energy"] for lv in ss.info["levels"]] == pytest.approx(levels.tolist())
    assert [lv["degeneracy"] for lv in ss.info["levels"]] == [int((E == x).sum()) for x in levels]
    for lv in ss.info["levels"]:
        assert p.energy(lv["representative"]) == pytest.approx(lv["energy"])


@pytest.mark.parametrize("field", [0.0, 0.3])
def test_levels_with_and_without_symmetry(field):
    p = edwards_anderson((3, 4), couplings="gaussian", field=field, seed=5)
    _, _, E = brute_force(p)
    ss = qspin.solve(p, "exact", num_levels=6)
    assert ss.info["symmetry_used"] is (field == 0.0)
    expected = np.sort(E)[: 6 if field else 12]
    got = [e for lv in ss.info["levels"] for e in [lv["energy"]] * lv["degeneracy"]][: expected.size]
    assert np.allclose(got, expected)


def test_cap_on_ground_states_keeps_true_count():
    p = IsingProblem(num_spins=10)  # every state is a ground state
    ss = qspin.solve(p, "exact", max_ground_states=7)
    assert len(ss) == 7 and ss.info["degeneracy"] == 1024 and ss.info["ground_states_truncated"]
    assert len({tuple(s) for s in ss.spins}) == 7


def test_many_chunks_agree_with_single_chunk(monkeypatch):
    from qspin.solvers import exact

    p = sherrington_kirkpatrick(14, seed=3).replace(h=np.linspace(-0.2, 0.2, 14))
    ref = qspin.solve(p, "exact", num_levels=5)
    monkeypatch.setattr(exact, "CHUNK_BITS", 4)  # 2^10 chunks over 16 batches
    monkeypatch.setattr(exact, "BATCH_CHUNKS", 64)
    many = qspin.solve(p, "exact", num_levels=5)
    assert many.info["levels"] == ref.info["levels"]
    assert np.array_equal(many.spins, ref.spins)


def test_empty_and_one_spin():
    empty = qspin.solve(IsingProblem(offset=2.5), "exact")
    assert empty.spins.shape == (1, 0) and empty.best_energy == 2.5
    one = qspin.solve(IsingProblem([0.7]), "exact")
    assert one.best_spins.tolist() == [-1] and one.best_energy == pytest.approx(-0.7)
    free = qspin.solve(IsingProblem([0.0]), "exact")
    assert free.info["degeneracy"] == 2 and len(free) == 2


def test_refuses_large_problems_with_reason():
    with pytest.raises(ParameterError, match=r"n > 40.*n = 41.*hours"):
        qspin.solve(IsingProblem(num_spins=41), "exact")


@pytest.mark.parametrize("params", [{"max_ground_states": 0}, {"num_levels": 1.5}, {"rtol": -1}, {"bogus": 1}])
def test_bad_parameters(params):
    with pytest.raises(ParameterError):
        qspin.solve(IsingProblem([1.0, 2.0]), "exact", **params)


def test_result_records_provenance():
    ss = qspin.solve(IsingProblem([1.0, -1.0], {(0, 1): 0.5}), "exact", seed=11)
    assert ss.info["seed"] == 11 and ss.info["backend"] == "exact"
    assert ss.info["versions"]["numba"] and ss.info["versions"]["numpy"] and ss.info["versions"]["qspin"]
    assert ss.info["timing"]["wall_s"] >= 0
    d = ss.to_dimod()
    assert d.first.energy == pytest.approx(ss.best_energy)


# Exact SK averages (REFERENCE.md): about -0.57 (n=8), -0.62 (12), -0.64 (16), -0.66 (20),
# approaching the Parisi value -0.7632 as e(N) ~ e_inf + a N^(-2/3).
SK_REFERENCE = {8: -0.57, 12: -0.62, 16: -0.64, 20: -0.66}


@pytest.mark.slow
def test_sk_ground_state_energy_finite_size_trend():
    sizes, means = [], []
    for n, instances in [(8, 300), (12, 200), (16, 150), (20, 100)]:
        e = [
            qspin.solve(sherrington_kirkpatrick(n, seed=7919 * n + s), "exact", seed=0).best_energy / n
            for s in range(instances)
        ]
        sem = np.std(e) / np.sqrt(instances)
        assert abs(np.mean(e) - SK_REFERENCE[n]) < 0.02 + 3 * sem, (n, np.mean(e))
        sizes.append(n)
        means.append(np.mean(e))
    assert all(a > b for a, b in zip(means, means[1:]))  # decreasing towards the Parisi value
    A = np.stack([np.ones(4), np.array(sizes, float) ** (-2 / 3)], axis=1)
    e_inf, a = np.linalg.lstsq(A, np.array(means), rcond=None)[0]
    assert -0.83 < e_inf < -0.70 and 0.4 < a < 1.2, (e_inf, a)
