import math
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import qspin
import qspin.compare
from qspin import BackendError, JobStore, ParameterError
from qspin.compare import compare, load_results, summarize
from qspin.metrics import GroundTruth
from qspin.models import edwards_anderson, maxcut, sherrington_kirkpatrick
from qspin.solvers import Backend, register_backend
from qspin.solvers import registry as _registry
from qspin.solvers.base import Samples
from qspin.sweep import BackendSpec
from tests.conftest import brute_force

SA = ("sa", {"num_reads": 16, "num_sweeps": 100})
PROBLEMS = [sherrington_kirkpatrick(8, seed=1), edwards_anderson((3, 3), couplings="pm1", seed=2)]


class Counting(Backend):
    """Random states; counts its calls (in this process)."""

    name = "test-counting"
    parameters = {"num_reads": 8}
    calls: list = []

    def sample(self, problem, *, seed, num_reads):
        Counting.calls.append((problem.fingerprint, seed))
        rng = np.random.default_rng(seed)
        return Samples(rng.choice(np.array([-1, 1], dtype=np.int8), size=(num_reads, problem.num_spins)))


class Flaky(Backend):
    """Fails while ``broken`` is True."""

    name = "test-flaky"
    parameters = {}
    broken = True

    def sample(self, problem, *, seed):
        if Flaky.broken:
            raise BackendError("the test backend is broken today")
        return Samples(np.ones((1, problem.num_spins), dtype=np.int8))


@pytest.fixture
def test_backends():
    Counting.calls = []
    Flaky.broken = True
    register_backend("test-counting", Counting, replace=True)
    register_backend("test-flaky", Flaky, replace=True)
    yield
    for name in ("test-counting", "test-flaky"):
        _registry._REGISTERED.pop(name, None)
        _registry._INSTANCES.pop(name, None)


def test_rows_columns_and_metrics_against_direct_solves():
    df = compare(PROBLEMS, ["exact", SA], seeds=[3, 4], workers=1)
    assert len(df) == 2 * 2 * 2
    required = {
        "problem",
        "n",
        "backend",
        "seed",
        "best_energy",
        "ground_energy",
        "ground_truth",
        "residual_energy_per_spin",
        "approximation_ratio",
        "success_probability",
        "tts99",
        "wall_time",
    }
    assert required <= set(df.columns)
    assert (df["status"] == "done").all() and (df["ground_truth"] == "exact").all()
    for problem in PROBLEMS:
        e0 = brute_force(problem)[0]
        rows = df[df["problem"] == problem.name]
        assert np.allclose(rows["ground_energy"], e0) and (rows["n"] == problem.num_spins).all()
        ex = rows[rows["backend"] == "exact"]
        assert (ex["residual_energy_per_spin"] == 0).all() and (ex["success_probability"] == 1).all()
        for seed in (3, 4):
            ss = qspin.solve(problem, SA[0], seed=seed, **SA[1])
            row = rows[(rows["backend"] == "sa") & (rows["seed"] == seed)].iloc[0]
            p = ss.fraction_at_or_below(e0)
            assert row["best_energy"] == pytest.approx(ss.best_energy)
            assert row["success_probability"] == pytest.approx(p) and row["num_reads"] == 16
            assert row["success_ci_low"] <= p <= row["success_ci_high"]
            assert row["residual_energy_per_spin"] == pytest.approx(
                (ss.best_energy - e0) / problem.num_spins, abs=1e-12
            )
            assert row["approximation_ratio"] == pytest.approx(ss.best_energy / e0)
            assert row["mean_energy"] == pytest.approx(np.average(ss.energies, weights=ss.counts))
            t_run = row["wall_time"] / 16
            expected = t_run if p >= 0.99 else (math.inf if p == 0 else t_run * math.log(0.01) / math.log(1 - p))
            assert row["tts99"] == pytest.approx(expected)
            assert row["overhead_time"] >= 0 and row["wall_time"] > 0


def test_summary_pools_reads_and_bootstraps_tts():
    df = compare(PROBLEMS[:1], [SA], seeds=4, workers=1)
    (row,) = summarize(df).itertuples()
    assert row.seeds == 4 and row.failed == 0 and row.fell_back_to == ""
    assert row.success_probability == pytest.approx(df["success_probability"].mean())
    assert row.tts99_low <= row.tts99 <= row.tts99_high
    assert row.residual_energy_per_spin == pytest.approx(df["residual_energy_per_spin"].mean())


def test_fallback_and_device_time_columns(isolated_dwave_config):
    p = PROBLEMS[1]
    with pytest.warns(RuntimeWarning, match="falling back to 'ocean-sa'"):
        df = compare(p, [("dwave", {"num_reads": 10}), ("dwave-mock", {"num_reads": 10})], workers=1)
    dw, mock = df.iloc[0], df.iloc[1]
    assert dw["backend"] == "dwave" and dw["ran_as"] == "ocean-sa" and "credentials" in dw["fallback_reason"]
    assert math.isnan(dw["device_time"]) and mock["device_time"] > 0 and np.isfinite(mock["tts99_device"])
    assert summarize(df)["fell_back_to"].tolist() == ["ocean-sa", ""]


def test_maxcut_cut_ratio():
    import networkx as nx

    p = maxcut(nx.random_regular_graph(3, 8, seed=1))
    df = compare(p, ["exact", ("ocean-greedy", {"num_reads": 1})], workers=1)
    assert df.loc[0, "cut_ratio"] == 1.0 and 0 < df.loc[1, "cut_ratio"] <= 1.0


def test_store_resume_runs_only_missing_rows(tmp_path, test_backends):
    db = tmp_path / "runs.db"
    first = compare(PROBLEMS, ["test-counting"], seeds=2, store=db, workers=1, warmup=False)
    assert len(Counting.calls) == 4
    again = compare(PROBLEMS, ["test-counting"], seeds=2, store=db, workers=1, warmup=False)
    assert len(Counting.calls) == 4  # nothing rerun
    assert again[["key", "created", "best_energy"]].equals(first[["key", "created", "best_energy"]])
    more = compare(PROBLEMS, ["test-counting"], seeds=3, store=db, workers=1, warmup=False)
    assert len(Counting.calls) == 6 and sorted(s for _, s in Counting.calls[4:]) == [2, 2]
    assert len(more) == 6 and more["key"].is_unique
    assert len(load_results(db)) == 6
    # other options are other rows; a label is not part of the identity
    four = BackendSpec("test-counting", {"num_reads": 4}, "four")
    compare(PROBLEMS[0], [four], seeds=2, store=db, workers=1, warmup=False)
    eight = BackendSpec("test-counting", {}, "eight")
    relabelled = compare(PROBLEMS[0], [eight], seeds=2, store=db, workers=1, warmup=False)
    assert len(Counting.calls) == 8 and (relabelled["backend"] == "eight").all()
    with JobStore(db) as store:
        assert len(store.results()) == 8 and len(store.ground_truths()) == 2


def test_ground_truth_computed_once_and_cached(tmp_path, monkeypatch, test_backends):
    db = tmp_path / "runs.db"
    compare(PROBLEMS[0], ["test-counting"], seeds=1, store=db, workers=1)

    def boom(*args, **kwargs):
        raise AssertionError("ground truth recomputed")

    monkeypatch.setattr(qspin.compare, "ground_truth", boom)
    df = compare(PROBLEMS[0], ["test-counting"], seeds=2, store=db, workers=1)
    assert (df["ground_truth"] == "exact").all()


def test_best_known_ground_truth_is_lowered_by_better_rows(tmp_path, monkeypatch):
    p = sherrington_kirkpatrick(12, seed=5)
    e0 = brute_force(p)[0]
    seen = []

    def weak(problem, **kwargs):
        seen.append(kwargs)
        return GroundTruth(e0 + 1.0, "best-known")

    monkeypatch.setattr(qspin.compare, "ground_truth", weak)
    db = tmp_path / "runs.db"
    df = compare(p, [SA], seeds=2, store=db, workers=1, ground_truth={"exact_limit": 4, "pt_sweeps": 10})
    assert seen[0]["exact_limit"] == 4 and seen[0]["pt_sweeps"] == 10
    assert (df["ground_truth"] == "best-known").all()
    assert df["ground_energy"].iloc[0] == pytest.approx(df["best_energy"].min())
    assert (df["residual_energy_per_spin"] >= 0).all() and df["success_probability"].max() > 0
    with JobStore(db) as store:
        (truth,) = store.ground_truths().values()
    assert truth["kind"] == "best-known" and truth["source"].startswith("compare row: sa")
    assert truth["energy"] == pytest.approx(df["best_energy"].min())


def test_failed_rows_are_recorded_and_retried(tmp_path, test_backends):
    db = tmp_path / "runs.db"
    with pytest.warns(RuntimeWarning, match="2 of 4 rows failed"):
        df = compare(PROBLEMS[0], ["test-flaky", "test-counting"], seeds=2, store=db, workers=1)
    bad = df[df["backend"] == "test-flaky"]
    assert (bad["status"] == "failed").all() and bad["error"].str.contains("broken today").all()
    assert bad["best_energy"].isna().all() and bad["success_probability"].isna().all()
    Flaky.broken = False
    df = compare(PROBLEMS[0], ["test-flaky", "test-counting"], seeds=2, store=db, workers=1)
    assert (df["status"] == "done").all() and len(load_results(db)) == 4


def test_errors_before_any_work(test_backends):
    with pytest.raises(ParameterError, match="does not take 'num_sweep'"):
        compare(PROBLEMS, [("sa", {"num_sweep": 10})], workers=1)
    with pytest.raises(BackendError, match="unknown backend 'nope'"):
        compare(PROBLEMS, ["nope"], workers=1)
    with pytest.raises(ParameterError, match="IsingProblems"):
        compare(["not a problem"], ["exact"], workers=1)
    with pytest.raises(ParameterError, match="workers"):
        compare(PROBLEMS, ["exact"], workers=0)
    with pytest.raises(ParameterError, match="ground_truth"):
        compare(PROBLEMS, ["exact"], workers=1, ground_truth={"sweeps": 3})
    assert Counting.calls == []


def test_max_spins_and_labels(test_backends):
    small, big = sherrington_kirkpatrick(5, seed=1), sherrington_kirkpatrick(9, seed=1)
    specs = [BackendSpec("test-counting", {"num_reads": 2}, "c2", max_spins=6), BackendSpec("test-counting", {}, "c8")]
    df = compare([small, big, small], specs, seeds=1, workers=1)
    assert df[["problem", "backend"]].values.tolist() == [
        [small.name, "c2"],
        [small.name, "c8"],
        [big.name, "c8"],
    ]
    assert df["num_reads"].tolist() == [2, 8, 8]


def test_qspin_compare_is_callable_and_a_module():
    df = qspin.compare.compare(PROBLEMS[0], "exact", workers=1)
    assert len(qspin.compare(PROBLEMS[0], "exact", workers=1)) == len(df) == 1
    assert callable(qspin.compare.summarize)


def _same_rows(a, b):
    cols = ["problem", "backend", "seed", "best_energy", "success_probability", "residual_energy_per_spin"]
    return a[cols].reset_index(drop=True).equals(b[cols].reset_index(drop=True))


def test_local_process_pool_matches_inline(tmp_path):
    inline = compare(PROBLEMS, ["exact", SA], seeds=2, workers=1)
    pooled = compare(PROBLEMS, ["exact", SA], seeds=2, workers=2, store=tmp_path / "pool.db", warmup=False)
    assert _same_rows(inline, pooled) and (pooled["threads"] == max(1, qspin.compare._cores() // 2)).all()


def test_dask_local_cluster_as_executor(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    inline = compare(PROBLEMS, ["exact", SA], seeds=2, workers=1)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        db = tmp_path / "dask.db"
        df = compare(PROBLEMS, ["exact", SA], seeds=2, executor=client, store=db, warmup=False)
        assert client.status == "running"  # compare leaves the caller's client open
    assert _same_rows(inline, df) and (df["threads"] == 1).all()
    assert len(load_results(db)) == len(df)


KILL_SCRIPT = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from qspin.compare import compare
    from qspin.models import sherrington_kirkpatrick
    from qspin.solvers import Backend, register_backend
    from qspin.solvers.base import Samples

    class Sleepy(Backend):
        name = "test-sleepy"
        parameters = {}

        def sample(self, problem, *, seed):
            with open(sys.argv[2], "a") as log:
                log.write(f"{seed}\\n")
            time.sleep(0.1)
            rng = np.random.default_rng(seed)
            return Samples(rng.choice(np.array([-1, 1], dtype=np.int8), size=(4, problem.num_spins)))

    register_backend("test-sleepy", Sleepy)
    compare(sherrington_kirkpatrick(6, seed=1), ["test-sleepy"], seeds=12, store=sys.argv[1], workers=1, warmup=False)
    """
)


def _stored(db):
    with sqlite3.connect(db) as conn:
        try:
            return conn.execute("SELECT key, id, created, seed FROM results WHERE status = 'done'").fetchall()
        except sqlite3.OperationalError:  # not created yet
            return []


def test_kill_9_then_resume_loses_nothing_and_repeats_nothing(tmp_path):
    script, db, log = tmp_path / "sweep.py", tmp_path / "runs.db", tmp_path / "calls.log"
    script.write_text(KILL_SCRIPT)
    env = {**os.environ, "QSPIN_PROGRESS": "0", "PYTHONPATH": os.getcwd()}
    proc = subprocess.Popen([sys.executable, str(script), str(db), str(log)], env=env, start_new_session=True)
    try:
        deadline = time.time() + 60
        while len(_stored(db)) < 3:
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.time() < deadline, "no rows were committed"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    before = _stored(db)
    assert 3 <= len(before) < 12
    calls_before = log.read_text().split()
    subprocess.run([sys.executable, str(script), str(db), str(log)], env=env, check=True)
    after = _stored(db)
    assert len(after) == 12 and len({row[0] for row in after}) == 12
    assert sorted(row[3] for row in after) == list(range(12))
    assert set(before) <= set(after)  # earlier rows untouched: same ids and timestamps
    rerun = [int(s) for s in log.read_text().split()[len(calls_before) :]]
    assert sorted(rerun) == sorted(set(range(12)) - {row[3] for row in before})  # only the missing ones ran


def test_run_metrics_edge_cases():
    from qspin.metrics import run_metrics

    m = run_metrics([-2.0, -1.0], [3, 1], -2.0 - 1e-12, 4, tolerance=1e-9, t_run=0.5)
    assert m["best_energy"] == -2.0 - 1e-12 and m["residual_energy_per_spin"] == 0 and m["approximation_ratio"] == 1
    assert m["success_probability"] == 0.75 and m["mean_energy"] == -1.75 and math.isnan(m["tts_device"])
    assert m["tts"] == pytest.approx(0.5 * math.log(0.01) / math.log(0.25))
    never = run_metrics([-1.0], [5], -2.0, 4, t_run=1.0)
    assert never["success_probability"] == 0 and never["tts"] == math.inf and never["success_ci_low"] == 0
    assert never["residual_energy_per_spin"] == 0.25 and never["approximation_ratio"] == 0.5
    unknown = run_metrics([-1.0], [5], math.nan, 4)
    assert math.isnan(unknown["success_probability"]) and math.isnan(unknown["residual_energy_per_spin"])
    empty = run_metrics([], [], -1.0, 4)
    assert math.isnan(empty["best_energy"]) and math.isnan(empty["success_probability"])
