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
from qspin import JobStore, StoreError
from qspin.models import edwards_anderson, sherrington_kirkpatrick
from qspin.solvers import Backend, register_backend


def test_solve_records_job_and_samples(tmp_path):
    db = tmp_path / "jobs.db"
    p = sherrington_kirkpatrick(10, seed=3)
    ss = qspin.solve(p, "exact", store=db, seed=5)
    (record,) = qspin.jobs(db)
    assert record.status == "done" and record.backend == "exact" and record.seed == 5
    assert record.problem_hash == p.fingerprint and ss.info["job_id"] == record.id
    with JobStore(db) as store:
        back = store.samples(record.id)
        assert store.problem(record.problem_hash) == p
        assert store._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert np.array_equal(back.spins, ss.spins) and np.allclose(back.energies, ss.energies)
    assert qspin.fetch_job(record.id[:8], db).best_energy == ss.best_energy  # prefix lookup


def test_store_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("QSPIN_STORE", str(tmp_path / "env.db"))
    qspin.solve(edwards_anderson((3, 3), seed=1), "exact")
    assert len(qspin.jobs()) == 1


class _Interrupting(Backend):
    name = "test-interrupting"
    parameters = {}

    def sample(self, problem, *, seed):
        qspin.solvers.registry.report_submitted("test", "vendor-42", {"note": "x"})
        raise KeyboardInterrupt


class _Failing(Backend):
    name = "test-failing"
    parameters = {}

    def sample(self, problem, *, seed):
        raise RuntimeError("boom")


def test_interrupt_and_failure_leave_records(tmp_path):
    register_backend("test-interrupting", _Interrupting, replace=True)
    register_backend("test-failing", _Failing, replace=True)
    db = tmp_path / "jobs.db"
    p = sherrington_kirkpatrick(6, seed=1)
    with pytest.raises(KeyboardInterrupt):
        qspin.solve(p, "test-interrupting", store=db)
    with pytest.raises(RuntimeError):
        qspin.solve(p, "test-failing", store=db)
    interrupted, failed = qspin.jobs(db)
    assert interrupted.status == "interrupted" and interrupted.vendor_job_id == "vendor-42"
    assert interrupted.context == {"note": "x"}
    assert failed.status == "failed" and "boom" in failed.error
    with pytest.raises(StoreError, match="cannot fetch"):
        qspin.fetch_job(interrupted.id, db)
    with pytest.raises(StoreError, match="never reached the vendor"):
        qspin.fetch_job(failed.id, db)


CHILD = textwrap.dedent("""
    import sys, time
    import qspin
    from qspin.solvers import Backend, register_backend
    from qspin.solvers.registry import report_submitted

    class Slow(Backend):
        name = "test-slow"
        parameters = {}
        def sample(self, problem, *, seed):
            report_submitted("test", "vendor-777", {"embedding": {"0": [1]}})
            time.sleep(60)

    register_backend("test-slow", Slow)
    qspin.solve(qspin.models.sherrington_kirkpatrick(6, seed=1), "test-slow", store=sys.argv[1])
""")


def test_kill_9_leaves_a_fetchable_record(tmp_path):
    db = tmp_path / "jobs.db"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db)])
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            if db.exists():
                try:
                    rows = sqlite3.connect(db).execute("SELECT vendor_job_id FROM jobs").fetchall()
                except sqlite3.OperationalError:
                    rows = []
                if rows and rows[0][0]:
                    break
            time.sleep(0.2)
        else:
            pytest.fail("the job row with its vendor id never appeared")
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    (record,) = qspin.jobs(db)  # the store reopens cleanly after the kill
    assert record.status == "running" and record.vendor_job_id == "vendor-777"
    assert record.context == {"embedding": {"0": [1]}}


def test_secrets_are_redacted(tmp_path):
    from qspin.store import redact

    assert redact({"token": "x", "nested": {"api_key": "y", "ok": 1}, "list": [{"password": "z"}]}) == {
        "token": "<redacted>",
        "nested": {"api_key": "<redacted>", "ok": 1},
        "list": [{"password": "<redacted>"}],
    }


def test_bad_store_file(tmp_path):
    path = tmp_path / "not-a-db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable qspin store"):
        JobStore(path)
    with pytest.raises(StoreError, match="QSPIN_STORE"):
        qspin.jobs()
    with pytest.raises(StoreError, match="no job"):
        qspin.fetch_job("nope", tmp_path / "empty.db")


def test_finished_job_is_atomic(tmp_path):
    db = JobStore(tmp_path / "a.db")
    p = sherrington_kirkpatrick(5, seed=2)
    job = db.start_job(p, backend="exact", kind="exact", params={}, seed=1)

    class Broken:
        spins = np.zeros((1, 5), dtype=np.int8)
        counts = np.ones(1, dtype=np.int64)
        energies = np.zeros(1)
        info = {"x": object()}  # repr-able, fine

        @property
        def bad(self):
            raise RuntimeError

    db.finish_job(job, Broken())
    assert db.job(job).status == "done"
    job2 = db.start_job(p, backend="exact", kind="exact", params={}, seed=1)

    class Exploding(Broken):
        @property
        def energies(self):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        db.finish_job(job2, Exploding())
    assert db.job(job2).status == "running"  # rolled back: no samples without status, no status without samples
    assert db._conn.execute("SELECT COUNT(*) FROM samples WHERE job_id = ?", (job2,)).fetchone()[0] == 0
