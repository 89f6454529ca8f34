"""The job store: every run through ``qspin.solve`` can be recorded in one SQLite file.

A job row is written (status ``running``) *before* the backend starts, and a cloud backend's
vendor job id is written as soon as the vendor hands it out, so a crash or Ctrl-C leaves a
record that :func:`qspin.jobs.fetch_job` can complete later. Each change is one transaction
(WAL mode): a job is never half-written. Secrets are redacted before anything is stored.
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

__all__ = ["JobRecord", "JobStore", "open_store", "redact"]

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
    return json.dumps(redact(value), default=_json_default, allow_nan=True)


def _json_default(obj):
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
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


class JobStore:
    """An SQLite job store at ``path`` (created if missing, WAL mode)."""

    def __init__(self, path):
        self.path = Path(path)
        try:
            self._conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
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
            c.execute(
                "INSERT OR IGNORE INTO problems VALUES (?, ?)",
                (problem.fingerprint, json.dumps(problem.to_json_dict(), allow_nan=False)),
            )
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


class _Transaction:
    def __init__(self, conn):
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")


def open_store(store=None) -> JobStore | None:
    """A JobStore from a path or JobStore, else from ``$QSPIN_STORE``, else None (no recording)."""
    if isinstance(store, JobStore):
        return store
    path = store if store is not None else os.environ.get("QSPIN_STORE")
    return JobStore(path) if path else None
