"""The job store: every run through ``qspin.solve`` can be recorded in one SQLite file.

A job row is written (status ``running``) *before* the backend starts, and a cloud backend's
vendor job id is written as soon as the vendor hands it out, so a crash or Ctrl-C leaves a
record that :func:`qspin.jobs.fetch_job` can complete later. Each change is one transaction
(WAL mode): a job is never half-written. Secrets are redacted before anything is stored.

The same file holds :func:`qspin.compare`'s rows (table ``results``, one per problem, backend,
resolved parameters and seed, keyed so that a rerun skips finished rows) and the reference
energy of each problem (table ``ground_truths``, so a resumed sweep never recomputes it).
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qspin.errors import StoreError
from qspin.problem import IsingProblem
from qspin.sampleset import SampleSet

__all__ = ["JobRecord", "JobStore", "ResultRecord", "open_store", "redact"]

SCHEMA_VERSION = 1
_SECRET_WORDS = ("token", "secret", "password", "apikey", "api_key", "authorization")
STATUSES = ("running", "done", "failed", "interrupted")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS problems (hash TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    status TEXT NOT NULL,
    backend TEXT NOT NULL,
    kind TEXT NOT NULL,
    problem_hash TEXT NOT NULL REFERENCES problems(hash),
    params TEXT NOT NULL,
    seed INTEGER,
    vendor TEXT,
    vendor_job_id TEXT,
    context TEXT,
    info TEXT,
    error TEXT
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status);
CREATE TABLE IF NOT EXISTS samples (
    job_id TEXT PRIMARY KEY REFERENCES jobs(id),
    spins BLOB NOT NULL,
    counts BLOB NOT NULL,
    energies BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    created REAL NOT NULL,
    status TEXT NOT NULL,
    problem_hash TEXT NOT NULL REFERENCES problems(hash),
    backend TEXT NOT NULL,
    seed INTEGER NOT NULL,
    record TEXT NOT NULL,
    info TEXT,
    energies BLOB,
    counts BLOB,
    error TEXT
);
CREATE INDEX IF NOT EXISTS results_problem ON results(problem_hash);
CREATE TABLE IF NOT EXISTS ground_truths (
    problem_hash TEXT PRIMARY KEY REFERENCES problems(hash),
    energy REAL NOT NULL,
    kind TEXT NOT NULL,
    degeneracy INTEGER,
    source TEXT,
    updated REAL NOT NULL
);
"""


def redact(value):
    """A copy of ``value`` with every mapping entry whose key names a secret replaced."""
    if isinstance(value, dict):
        return {
            k: "<redacted>" if any(w in str(k).lower() for w in _SECRET_WORDS) else redact(v) for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    return value


def _json(value) -> str:
    return json.dumps(redact(value), default=json_default, allow_nan=True)


def json_default(obj):
    """``json.dumps`` fallback: numpy to lists and numbers, sets sorted, callables by name, else repr."""
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    if callable(obj):  # by name, not repr: a repr with an address would change every run's key
        return f"<callable {getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', type(obj).__name__)}>"
    return repr(obj)


def _to_blob(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(array), allow_pickle=False)
    return buf.getvalue()


def _from_blob(blob: bytes) -> np.ndarray:
    return np.load(io.BytesIO(blob), allow_pickle=False)


@dataclass(frozen=True)
class JobRecord:
    """One stored job; ``info``, ``params`` and ``context`` are decoded JSON."""

    id: str
    created: float
    updated: float
    status: str
    backend: str
    kind: str
    problem_hash: str
    params: dict[str, Any]
    seed: int | None
    vendor: str | None
    vendor_job_id: str | None
    context: dict[str, Any] | None
    info: dict[str, Any] | None
    error: str | None


@dataclass(frozen=True)
class ResultRecord:
    """One stored compare row: ``record`` (decoded JSON: labels, parameters, timings) and ``info``
    (the backend's info), with the energies and counts of its distinct samples."""

    id: int
    key: str
    created: float
    status: str
    problem_hash: str
    backend: str
    seed: int
    record: dict[str, Any]
    info: dict[str, Any] | None
    energies: np.ndarray | None
    counts: np.ndarray | None
    error: str | None


class JobStore:
    """An SQLite job store at ``path`` (created if missing, WAL mode)."""

    def __init__(self, path):
        self.path = Path(path)
        try:
            self._conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a commit survives a killed process (kill -9) and never corrupts the file;
            # only a power loss or OS crash can roll back the last commits. FULL costs an fsync per row.
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.executescript(_SCHEMA)
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                self._conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            elif int(row[0]) > SCHEMA_VERSION:
                raise StoreError(f"{self.path}: store schema {row[0]} is newer than this qspin reads; upgrade qspin")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable qspin store ({exc})") from None

    def close(self) -> None:
        self._conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _tx(self):
        return _Transaction(self._conn)

    # --- writing ------------------------------------------------------------------------

    def start_job(
        self, problem: IsingProblem, *, backend: str, kind: str, params: dict[str, Any], seed: int | None
    ) -> str:
        """Record a job as ``running`` (and its problem) and return its id."""
        job_id = uuid.uuid4().hex
        now = time.time()
        with self._tx() as c:
            self._add_problem(c, problem)
            c.execute(
                "INSERT INTO jobs (id, created, updated, status, backend, kind, problem_hash, params, seed) "
                "VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?)",
                (job_id, now, now, backend, kind, problem.fingerprint, _json(params), seed),
            )
        return job_id

    def set_vendor_job(self, job_id: str, vendor: str, vendor_job_id: str, context: dict[str, Any] | None = None):
        """Record the vendor's job id (and what is needed to decode its result later)."""
        with self._tx() as c:
            c.execute(
                "UPDATE jobs SET vendor = ?, vendor_job_id = ?, context = ?, updated = ? WHERE id = ?",
                (vendor, str(vendor_job_id), _json(context or {}), time.time(), job_id),
            )

    def finish_job(self, job_id: str, sampleset) -> None:
        """Store the samples and mark the job ``done``, in one transaction."""
        with self._tx() as c:
            c.execute(
                "INSERT OR REPLACE INTO samples VALUES (?, ?, ?, ?)",
                (job_id, _to_blob(sampleset.spins), _to_blob(sampleset.counts), _to_blob(sampleset.energies)),
            )
            c.execute(
                "UPDATE jobs SET status = 'done', info = ?, error = NULL, updated = ? WHERE id = ?",
                (_json(sampleset.info), time.time(), job_id),
            )

    def fail_job(self, job_id: str, status: str, error: str) -> None:
        if status not in STATUSES:
            raise StoreError(f"unknown job status {status!r}")
        with self._tx() as c:
            c.execute(
                "UPDATE jobs SET status = ?, error = ?, updated = ? WHERE id = ?",
                (status, str(error)[:2000], time.time(), job_id),
            )

    # --- reading ------------------------------------------------------------------------

    def _record(self, row) -> JobRecord:
        (id_, created, updated, status, backend, kind, phash, params, seed, vendor, vjid, context, info, error) = row
        return JobRecord(
            id_,
            created,
            updated,
            status,
            backend,
            kind,
            phash,
            json.loads(params),
            seed,
            vendor,
            vjid,
            json.loads(context) if context else None,
            json.loads(info) if info else None,
            error,
        )

    def jobs(self, *, status: str | None = None, backend: str | None = None) -> list[JobRecord]:
        """Jobs, oldest first, optionally filtered by status and backend."""
        query, args = "SELECT * FROM jobs WHERE 1 = 1", []
        if status is not None:
            query += " AND status = ?"
            args.append(status)
        if backend is not None:
            query += " AND backend = ?"
            args.append(backend)
        return [self._record(r) for r in self._conn.execute(query + " ORDER BY created", args)]

    def job(self, job_id: str) -> JobRecord:
        rows = self._conn.execute("SELECT * FROM jobs WHERE id = ? OR id LIKE ?", (job_id, job_id + "%")).fetchall()
        if not rows:
            raise StoreError(f"{self.path}: no job {job_id!r}")
        if len(rows) > 1:
            raise StoreError(f"{self.path}: job id prefix {job_id!r} is ambiguous ({len(rows)} jobs)")
        return self._record(rows[0])

    def problem(self, problem_hash: str) -> IsingProblem:
        row = self._conn.execute("SELECT doc FROM problems WHERE hash = ?", (problem_hash,)).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: no problem {problem_hash[:12]}")
        return IsingProblem.from_json_dict(json.loads(row[0]), source=f"{self.path} problem {problem_hash[:12]}")

    def samples(self, job_id: str):
        """The stored SampleSet of a finished job (energies recomputed from the stored problem)."""
        record = self.job(job_id)
        row = self._conn.execute("SELECT spins, counts FROM samples WHERE job_id = ?", (record.id,)).fetchone()
        if row is None:
            raise StoreError(f"job {record.id} has no samples (status {record.status})")
        return SampleSet.from_spins(
            self.problem(record.problem_hash), _from_blob(row[0]), _from_blob(row[1]), record.info or {}
        )

    # --- compare rows and ground truths -------------------------------------------------

    def _add_problem(self, c, problem: IsingProblem) -> None:
        c.execute(
            "INSERT OR IGNORE INTO problems VALUES (?, ?)",
            (problem.fingerprint, json.dumps(problem.to_json_dict(), allow_nan=False)),
        )

    def result_keys(self, *, status: str | None = "done") -> set[str]:
        """Keys of the stored compare rows (only finished ones by default)."""
        if status is None:
            return {r[0] for r in self._conn.execute("SELECT key FROM results")}
        return {r[0] for r in self._conn.execute("SELECT key FROM results WHERE status = ?", (status,))}

    def put_result(
        self,
        problem: IsingProblem,
        *,
        key: str,
        status: str,
        backend: str,
        seed: int,
        record: dict[str, Any],
        info: dict[str, Any] | None = None,
        energies: np.ndarray | None = None,
        counts: np.ndarray | None = None,
        error: str | None = None,
    ) -> bool:
        """Commit one compare row in its own transaction; False (and nothing written) if ``key`` is done.

        A failed row is stored as ``failed`` and replaced when the same key later finishes.
        """
        if status not in ("done", "failed"):
            raise StoreError(f"unknown result status {status!r}")
        with self._tx() as c:
            row = c.execute("SELECT status FROM results WHERE key = ?", (key,)).fetchone()
            if row is not None and row[0] == "done":
                return False
            self._add_problem(c, problem)
            values = (
                time.time(),
                status,
                problem.fingerprint,
                backend,
                int(seed),
                _json(record),
                None if info is None else _json(info),
                None if energies is None else _to_blob(np.asarray(energies, dtype=np.float64)),
                None if counts is None else _to_blob(np.asarray(counts, dtype=np.int64)),
                None if error is None else str(error)[:2000],
            )
            if row is None:
                c.execute(
                    "INSERT INTO results (key, created, status, problem_hash, backend, seed, record, info, energies, "
                    "counts, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (key, *values),
                )
            else:
                c.execute(
                    "UPDATE results SET created = ?, status = ?, problem_hash = ?, backend = ?, seed = ?, record = ?, "
                    "info = ?, energies = ?, counts = ?, error = ? WHERE key = ?",
                    (*values, key),
                )
        return True

    def results(self, keys=None) -> list[ResultRecord]:
        """Stored compare rows in the order they were first stored (all, or those with the given keys)."""
        rows = self._conn.execute("SELECT * FROM results ORDER BY id").fetchall()
        if keys is not None:
            wanted = set(keys)
            rows = [r for r in rows if r[1] in wanted]
        return [
            ResultRecord(
                id_,
                key,
                created,
                status,
                phash,
                backend,
                seed,
                json.loads(record),
                json.loads(info) if info else None,
                None if energies is None else _from_blob(energies),
                None if counts is None else _from_blob(counts),
                error,
            )
            for (id_, key, created, status, phash, backend, seed, record, info, energies, counts, error) in rows
        ]

    def ground_truths(self) -> dict[str, dict[str, Any]]:
        """Problem hash -> ``{"energy", "kind", "degeneracy", "source", "updated"}``."""
        rows = self._conn.execute("SELECT * FROM ground_truths").fetchall()
        return {h: {"energy": e, "kind": k, "degeneracy": d, "source": s, "updated": u} for (h, e, k, d, s, u) in rows}

    def set_ground_truth(
        self,
        problem: IsingProblem,
        energy: float,
        kind: str,
        *,
        degeneracy: int | None = None,
        source: str = "",
    ) -> bool:
        """Record a problem's reference energy; True if stored.

        ``kind`` is ``"exact"`` or ``"best-known"``. An exact energy replaces a best-known one; a
        best-known energy only replaces a higher best-known one (never an exact one).
        """
        if kind not in ("exact", "best-known"):
            raise StoreError(f"ground truth kind must be 'exact' or 'best-known', got {kind!r}")
        with self._tx() as c:
            row = c.execute(
                "SELECT energy, kind FROM ground_truths WHERE problem_hash = ?", (problem.fingerprint,)
            ).fetchone()
            if row is not None and (row[1] == "exact" or (kind == "best-known" and energy >= row[0])):
                return False
            self._add_problem(c, problem)
            c.execute(
                "INSERT OR REPLACE INTO ground_truths VALUES (?, ?, ?, ?, ?, ?)",
                (problem.fingerprint, float(energy), kind, degeneracy, source, time.time()),
            )
        return True


class _Transaction:
    def __init__(self, conn):
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")


def open_store(store=None) -> JobStore | None:
    """A JobStore from a path or JobStore, else from ``$QSPIN_STORE``, else None (no recording);
    ``store=False`` never records, whatever the environment says."""
    if isinstance(store, JobStore):
        return store
    path = store if store is not None else os.environ.get("QSPIN_STORE")
    return JobStore(path) if path else None
