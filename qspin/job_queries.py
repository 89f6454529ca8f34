"""Listing recorded jobs and completing interrupted cloud jobs from the vendor by id."""

from __future__ import annotations

from qspin.errors import StoreError
from qspin.sampleset import SampleSet
from qspin.solvers.registry import get_backend
from qspin.store import JobRecord, open_store

__all__ = ["fetch_job", "jobs"]


def _require_store(store):
    opened = open_store(store)
    if opened is None:
        raise StoreError("no job store: pass store=PATH or set $QSPIN_STORE")
    return opened


def jobs(store=None, *, status: str | None = None, backend: str | None = None) -> list[JobRecord]:
    """The jobs recorded in ``store`` (default ``$QSPIN_STORE``), oldest first."""
    return _require_store(store).jobs(status=status, backend=backend)


def fetch_job(job_id: str, store=None) -> SampleSet:
    """The samples of a job: from the store when it finished, else fetched from the vendor by id.

    A job interrupted after the vendor accepted it (status ``running`` or ``interrupted``, with
    a vendor job id) is completed from the vendor and stored; one interrupted before that has
    nothing to fetch.
    """
    db = _require_store(store)
    record = db.job(job_id)
    if record.status == "done":
        return db.samples(record.id)
    if not record.vendor_job_id:
        raise StoreError(f"job {record.id} ({record.status}) never reached the vendor; nothing to fetch - run it again")
    backend = get_backend(record.kind)
    fetch = getattr(backend, "fetch", None)
    if fetch is None:
        raise StoreError(f"backend {record.kind!r} cannot fetch past jobs (vendor id {record.vendor_job_id})")
    problem = db.problem(record.problem_hash)
    raw = fetch(problem, record.vendor_job_id, record.context or {})
    info = {
        "backend": record.backend,
        "kind": record.kind,
        "parameters": record.params,
        "seed": record.seed,
        "problem": record.problem_hash,
        **raw.info,
        "timing": dict(raw.timing),
        "fetched": True,
        "job_id": record.id,
    }
    ss = SampleSet.from_spins(problem, raw.spins, raw.counts, info)
    db.finish_job(record.id, ss)
    return ss
