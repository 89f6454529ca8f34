"""The comparison harness: run every (problem, backend, seed), one DataFrame row each, resumably.

    import qspin
    df = qspin.compare(problems, ["exact", "sa", ("pt", {"num_sweeps": 5000})], seeds=4, store="runs.db")
    qspin.compare.summarize(df)         # one row per (problem, backend): means, p_s and TTS99 intervals

Rows run in workers: local processes by default (one per core), or any concurrent.futures-style
executor, a ``dask.distributed.Client`` included. The per-row work is :func:`run_row`, a
module-level function, so process pools and Dask can ship it. With a store (a
:class:`qspin.JobStore` path) each finished row is committed in its own transaction as it
finishes; a row's key is (problem fingerprint, backend name, hash of the resolved parameters,
seed), and a rerun skips every key already stored, so an interrupted sweep (Ctrl-C, kill -9)
resumes with nothing lost and nothing run or stored twice. Each problem's ground truth is
computed once (in a worker, next to the rows) and kept in the store.

Conventions (:mod:`qspin.metrics`): energies are qspin's (lower is better); ``E_0`` is exact for
``n <= exact_limit`` and otherwise ``"best-known"``: the best of long PT runs, lowered to any
better energy a row finds (metrics are computed from each row's stored energies when read, so
they always refer to the best ``E_0`` known). ``success_probability`` is the fraction of reads
within ``1e-9 * max(1, energy_scale)`` of ``E_0``, with a 95% Wilson interval; ``t_run`` is the
backend's wall time per read (reads that run in parallel share it: throughput time) and
``tts99 = t_run * ln(0.01) / ln(1 - p_s)`` (infinite when p_s = 0). ``device_time`` is the
backend's ``device_s`` (or D-Wave's ``qpu_access_s``) and ``queue_time`` its ``queue_s``, NaN
where a backend reports none. The first row of each backend setting and model in a worker runs
once untimed first, so JIT compilation and caches are not charged to it (``warmup_time``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import sys
import time
import types
import warnings
from collections.abc import Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qspin.compare_results import improve_truths, load_results, merge_truth, results_frame, summarize
from qspin.errors import BackendError, ParameterError
from qspin.metrics import ground_truth
from qspin.problem import IsingProblem
from qspin.store import JobStore, ResultRecord, json_default, open_store, redact
from qspin.sweep import BackendSpec, GroundTruthSpec, backend_specs, seed_list

__all__ = ["compare", "load_results", "row_key", "run_ground_truth", "run_row", "summarize"]

PROGRESS_AFTER_S = 1.0  # a sweep shows a progress bar once it has run this long (on a terminal)
_WARM: set = set()  # (backend, params hash, model) already run once in this process


# --- tasks and their results (shipped to workers) ------------------------------------------


@dataclass(frozen=True)
class RowTask:
    """One row: solve ``problem`` with backend ``name`` and ``options`` at ``seed``."""

    key: str
    problem: IsingProblem
    name: str
    options: dict[str, Any]
    seed: int
    config: str | None = None
    threads: int | None = None
    warm_key: tuple | None = None
    inline: bool = False


@dataclass
class RowResult:
    """What a worker returns for a row (energies aggregated: distinct values and their counts)."""

    key: str
    status: str
    error: str | None = None
    best_energy: float = math.nan
    energies: np.ndarray | None = None
    counts: np.ndarray | None = None
    timing: dict[str, float] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    warmup_s: float = 0.0
    overhead_s: float = math.nan


@dataclass(frozen=True)
class TruthTask:
    problem: IsingProblem
    spec: GroundTruthSpec
    threads: int | None = None
    inline: bool = False


@dataclass
class TruthResult:
    fingerprint: str
    energy: float = math.nan
    kind: str = ""
    degeneracy: int | None = None
    source: str = ""
    error: str | None = None


@contextlib.contextmanager
def _worker_env(threads: int | None, inline: bool):
    """Quiet solver progress bars and cap numba's threads for the duration of a task."""
    saved = os.environ.get("QSPIN_PROGRESS")
    os.environ["QSPIN_PROGRESS"] = "0"
    previous = None
    if threads:
        import numba

        previous = numba.get_num_threads()
        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    try:
        yield
    finally:
        if previous is not None:
            import numba

            numba.set_num_threads(previous)
        if inline:  # the caller's process: leave its environment as it was
            if saved is None:
                os.environ.pop("QSPIN_PROGRESS", None)
            else:
                os.environ["QSPIN_PROGRESS"] = saved


def _plain(value):
    """JSON-safe copy (secrets redacted, numpy converted)."""
    return json.loads(json.dumps(redact(value), default=json_default, allow_nan=True))


def run_row(task: RowTask) -> RowResult:
    """Run one row (module-level so process pools and Dask can ship it); never raises for a backend error."""
    from qspin.solvers.registry import solve

    t0 = time.perf_counter()
    warmup = 0.0
    with _worker_env(task.threads, task.inline):
        if task.warm_key is not None and task.warm_key not in _WARM:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    solve(task.problem, task.name, seed=task.seed, config=task.config, **task.options)
                except Exception:  # the timed run below records the failure
                    pass
            _WARM.add(task.warm_key)
            warmup = time.perf_counter() - t0
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                ss = solve(task.problem, task.name, seed=task.seed, config=task.config, **task.options)
            except Exception as exc:
                return RowResult(task.key, "failed", error=f"{type(exc).__name__}: {exc}", warmup_s=warmup)
    energies, inverse = np.unique(ss.energies, return_inverse=True)
    counts = np.bincount(inverse.reshape(-1), weights=ss.counts, minlength=energies.size).astype(np.int64)
    info = _plain(ss.info)
    timing = info.pop("timing", {})
    elapsed = time.perf_counter() - t0 - warmup
    return RowResult(
        task.key,
        "done",
        best_energy=ss.best_energy,
        energies=energies,
        counts=counts,
        timing=timing,
        info=info,
        warnings=sorted({str(w.message) for w in caught}),
        warmup_s=warmup,
        overhead_s=elapsed - float(timing.get("wall_s", 0.0)),
    )


def run_ground_truth(task: TruthTask) -> TruthResult:
    """The reference energy of one problem (exact or best-known), as in :func:`qspin.metrics.ground_truth`."""
    spec, p = task.spec, task.problem
    with _worker_env(task.threads, task.inline), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            gt = ground_truth(
                p, exact_limit=spec.exact_limit, pt_reads=spec.pt_reads, pt_sweeps=spec.pt_sweeps, seed=spec.seed
            )
        except Exception as exc:
            return TruthResult(p.fingerprint, error=f"{type(exc).__name__}: {exc}")
    source = (
        "exact enumeration"
        if gt.kind == "exact"
        else f"pt {spec.pt_reads} reads x {spec.pt_sweeps} sweeps, seed {spec.seed}"
    )
    return TruthResult(p.fingerprint, gt.energy, gt.kind, gt.degeneracy, source)


# --- resolving the sweep in the caller ----------------------------------------------------------


@dataclass(frozen=True)
class _Setting:
    spec: BackendSpec
    kind: str
    params: dict[str, Any]  # resolved: backend defaults, then profile options, then the spec's options
    params_hash: str


def _resolve_setting(spec: BackendSpec, cfg) -> _Setting:
    from qspin.solvers.registry import builtin_backends, get_backend, list_backends

    profile = cfg.get(spec.name)
    kind = profile.kind if profile is not None else spec.name
    if kind not in builtin_backends():
        raise BackendError(f"unknown backend {spec.name!r}; available: {', '.join(list_backends(cfg.path))}")
    base = dict(profile.options) if profile is not None else {}
    try:
        defaults = dict(get_backend(kind).parameters)
    except ImportError:  # an optional SDK is missing: the rows will fail and say so
        defaults = None
    if defaults is not None:
        unknown = sorted(set(spec.options) - set(defaults))
        if unknown:
            raise ParameterError(
                f"backend {spec.name!r} does not take {', '.join(map(repr, unknown))}; "
                f"its parameters are: {', '.join(sorted(defaults)) or 'none'}"
            )
    params = _plain({**(defaults or {}), **base, **spec.options})
    text = json.dumps({"kind": kind, "params": params}, sort_keys=True)
    return _Setting(spec, kind, params, hashlib.sha256(text.encode()).hexdigest()[:16])


def row_key(problem: IsingProblem, backend: str, params_hash: str, seed: int) -> str:
    """The identity of a row in a store: problem fingerprint, backend name, resolved-parameter hash, seed."""
    text = f"{problem.fingerprint}|{backend}|{params_hash}|{int(seed)}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _problem_list(problems) -> list[IsingProblem]:
    if isinstance(problems, IsingProblem):
        problems = [problems]
    out, seen = [], set()
    for p in problems:
        if not isinstance(p, IsingProblem):
            raise ParameterError(f"compare() needs IsingProblems, got {type(p).__name__}")
        if p.fingerprint not in seen:
            seen.add(p.fingerprint)
            out.append(p)
    if not out:
        raise ParameterError("compare needs at least one problem")
    return out


def _ground_truth_spec(value) -> GroundTruthSpec:
    if value is None:
        return GroundTruthSpec()
    if isinstance(value, GroundTruthSpec):
        return value
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - set(GroundTruthSpec.__dataclass_fields__))
        if unknown:
            raise ParameterError(f"ground_truth does not take {unknown[0]!r} (exact_limit, pt_reads, pt_sweeps, seed)")
        return GroundTruthSpec(**value)
    raise ParameterError(f"ground_truth must be a GroundTruthSpec or a mapping, got {value!r}")


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover (macOS, Windows)
        return os.cpu_count() or 1


# --- running -------------------------------------------------------------------------------------


def _init_worker(threads: int) -> None:
    """Local pool workers: no progress bars, and library thread pools sized to this worker's share."""
    os.environ["QSPIN_PROGRESS"] = "0"
    for var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(threads))


class _Progress:
    """A rich bar that appears only once the sweep has run for a moment (and only on a terminal)."""

    def __init__(self, total: int, enabled: bool | None):
        from qspin.progress import progress_enabled

        self.total, self.done, self.t0 = total, 0, time.perf_counter()
        self.enabled = progress_enabled(enabled) and total > 0
        self._stack = contextlib.ExitStack()
        self._advance = None

    def tick(self, amount: int = 0) -> None:
        self.done += amount
        if self._advance is None and self.enabled and time.perf_counter() - self.t0 > PROGRESS_AFTER_S:
            from qspin.progress import progress

            self._advance = self._stack.enter_context(progress("compare", self.total, enabled=True))
            self._advance(self.done)
        elif self._advance is not None and amount:
            self._advance(amount)

    def close(self) -> None:
        self._stack.close()


def _run_all(tasks: list, executor, workers: int, threads: int | None, on_result, bar: _Progress) -> None:
    """Run the tasks inline, on a local process pool or on ``executor``; ``on_result`` as each finishes."""
    fn = {RowTask: run_row, TruthTask: run_ground_truth}
    if executor is None and workers <= 1:
        for task in tasks:
            on_result(task, fn[type(task)](task))
            bar.tick(1)
        return
    own = executor is None
    if own:
        import multiprocessing

        executor = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(threads or 1,),
        )
    elif hasattr(executor, "get_executor") and not isinstance(executor, Executor):  # a dask.distributed.Client
        executor = executor.get_executor(pure=False)
        own = True  # the wrapper, not the client: shutting it down leaves the client running
    futures: dict[Future, Any] = {executor.submit(fn[type(t)], t): t for t in tasks}
    pending = set(futures)
    clean = False
    try:
        while pending:
            done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            for f in done:
                task = futures[f]
                try:
                    result = f.result()
                except Exception as exc:  # the worker itself died (or the cluster failed)
                    error = f"worker failed: {type(exc).__name__}: {exc}"
                    result = (
                        RowResult(task.key, "failed", error=error)
                        if isinstance(task, RowTask)
                        else TruthResult(task.problem.fingerprint, error=error)
                    )
                on_result(task, result)
                bar.tick(1)
            bar.tick(0)
        clean = True
    finally:
        if not clean:
            for f in pending:
                f.cancel()
        if own and isinstance(executor, ProcessPoolExecutor):
            executor.shutdown(wait=clean, cancel_futures=not clean)
        elif own:
            executor.shutdown(wait=clean)


def compare(
    problems,
    backends,
    *,
    seeds=1,
    store=None,
    executor=None,
    workers: int | None = None,
    threads: int | None = None,
    config=None,
    ground_truth: GroundTruthSpec | Mapping | None = None,
    warmup: bool = True,
    progress: bool | None = None,
):
    """Run every (problem, backend, seed) and return a pandas DataFrame, one row each.

    Parameters
    ----------
    problems : IsingProblem or iterable of them
        Duplicates (same fingerprint) run once.
    backends : name, ``{name: options}``, or iterable of names, ``(name, options)`` and BackendSpecs
        Backends or backends.toml profiles; a BackendSpec adds a ``label`` and ``max_spins``.
    seeds : int or iterable of int
        A count (``4`` -> seeds 0..3) or the seeds themselves.
    store : path or JobStore, optional
        Commit each row as it finishes and skip rows already stored (default ``$QSPIN_STORE``).
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Where rows run. Default: ``workers`` local processes (inline when one).
    workers : int, optional
        Local processes (default: the machine's cores, at most one per task).
    threads : int, optional
        Numba threads per row (default: cores // workers locally, 1 on a given executor).
    ground_truth : GroundTruthSpec or mapping, optional
        How ``E_0`` is found (exact_limit, pt_reads, pt_sweeps, seed).
    warmup : bool
        Run the first row of each backend setting and model once untimed in each worker.
    progress : bool, optional
        Progress bar (default: on a terminal, once the sweep has run for a moment).

    Columns: problem, model, n, backend (the label), backend_name, ran_as (after any fallback),
    seed, status ("done"/"failed"), best_energy, ground_energy, ground_truth ("exact",
    "best-known" or "none"), residual_energy_per_spin, approximation_ratio, cut_ratio (Max-Cut),
    success_probability with success_ci_low/high, num_reads, tts99 (s), tts99_device, wall_time,
    device_time, queue_time, warmup_time, overhead_time (s), threads, depth, error, params (JSON),
    then backend extras: scalar info entries, ``time_*`` for each reported timing, ``pq`` (PT's P(q)).
    """
    from qspin.config import find_config_file
    from qspin.solvers.registry import backends_config

    plist = _problem_list(problems)
    specs = backend_specs(backends)
    seed_values = seed_list(seeds)
    gt_spec = _ground_truth_spec(ground_truth)
    config_file = find_config_file(config)
    cfg = backends_config(config_file)
    settings = [_resolve_setting(s, cfg) for s in specs]
    config_arg = None if config_file is None else str(config_file.resolve())

    rows: list[tuple[str, IsingProblem, _Setting, int]] = []
    for p in plist:
        for st in settings:
            if st.spec.runs_on(p):
                rows.extend((row_key(p, st.spec.name, st.params_hash, s), p, st, s) for s in seed_values)
    keys = [r[0] for r in rows]

    db = open_store(store)
    done = db.result_keys() if db is not None else set()
    truths = db.ground_truths() if db is not None else {}
    todo = [r for r in rows if r[0] not in done]
    need_truth = [
        p
        for p in plist
        if p.fingerprint not in truths
        or (truths[p.fingerprint]["kind"] != "exact" and p.num_spins <= gt_spec.exact_limit)
    ]

    n_tasks = len(todo) + len(need_truth)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ParameterError(f"workers must be a positive integer, got {workers!r}")
    n_workers = 0 if executor is not None else min(workers or _cores(), max(1, n_tasks))
    inline = executor is None and n_workers <= 1
    if threads is None and not inline:
        threads = max(1, _cores() // n_workers) if executor is None else 1

    tasks: list = [TruthTask(p, gt_spec, threads, inline) for p in need_truth]
    for key, p, st, s in todo:
        warm = (st.spec.name, st.params_hash, str(p.metadata.get("model", "problem"))) if warmup else None
        tasks.append(RowTask(key, p, st.spec.name, dict(st.spec.options), s, config_arg, threads, warm, inline))

    recorder = _Recorder(db, truths, {key: (p, st, s) for key, p, st, s in rows}, threads)
    bar = _Progress(len(tasks), progress)
    try:
        _run_all(tasks, executor, n_workers, threads, recorder, bar)
    finally:
        bar.close()

    records = db.results(keys) if db is not None else [recorder.memory[k] for k in keys if k in recorder.memory]
    improve_truths(records, truths, {p.fingerprint: p for p in plist}, db)
    for m in recorder.messages:
        warnings.warn(m, RuntimeWarning, stacklevel=2)
    order = {k: i for i, k in enumerate(keys)}
    records = sorted(records, key=lambda r: order[r.key])
    df = results_frame(records, truths, labels={key: st.spec.label for key, _, st, _ in rows})
    failed = df[df["status"] == "failed"] if len(df) else df
    if len(failed):
        first = failed.iloc[0]
        warnings.warn(
            f"{len(failed)} of {len(df)} rows failed (first: {first['backend']} on {first['problem']}: "
            f"{first['error']}); run again to retry them",
            RuntimeWarning,
            stacklevel=2,
        )
    return df


class _Recorder:
    """Called in the caller's process as each task finishes: commits rows and ground truths."""

    def __init__(self, db: JobStore | None, truths: dict, rows: dict, threads: int | None):
        self.db, self.truths, self.rows, self.threads = db, truths, rows, threads
        self.memory: dict[str, ResultRecord] = {}  # the rows, when there is no store
        self.messages: dict[str, None] = {}  # warnings to show once each

    def __call__(self, task, result) -> None:
        if isinstance(task, TruthTask):
            self._truth(task, result)
            return
        p, st, seed = self.rows[result.key]
        record = _record(p, st, seed, result, self.threads)
        self.messages.update(dict.fromkeys(result.warnings))
        fields = {
            "status": result.status,
            "backend": st.spec.label,
            "seed": seed,
            "record": record,
            "info": result.info if result.status == "done" else None,
            "energies": result.energies,
            "counts": result.counts,
            "error": result.error,
        }
        if self.db is not None:
            self.db.put_result(p, key=result.key, **fields)
        else:
            self.memory[result.key] = ResultRecord(
                len(self.memory) + 1, result.key, time.time(), problem_hash=p.fingerprint, **fields
            )

    def _truth(self, task: TruthTask, result: TruthResult) -> None:
        if result.error is not None:
            name = task.problem.name or task.problem.fingerprint[:12]
            self.messages[f"ground truth of {name} failed: {result.error}"] = None
            return
        if self.db is not None:
            self.db.set_ground_truth(
                task.problem, result.energy, result.kind, degeneracy=result.degeneracy, source=result.source
            )
        merge_truth(self.truths, result.fingerprint, result.energy, result.kind, result.degeneracy, result.source)


def _record(p: IsingProblem, st: _Setting, seed: int, result: RowResult, threads) -> dict[str, Any]:
    return {
        "label": st.spec.label,
        "backend": st.spec.name,
        "kind": st.kind,
        "params": st.params,
        "params_hash": st.params_hash,
        "seed": seed,
        "problem": p.name or p.fingerprint[:12],
        "model": str(p.metadata.get("model", "problem")),
        "n": p.num_spins,
        "tolerance": 1e-9 * max(1.0, p.energy_scale),
        "best_energy": result.best_energy,
        "num_reads": int(result.counts.sum()) if result.counts is not None else 0,
        "timing": result.timing,
        "warmup_s": result.warmup_s,
        "overhead_s": result.overhead_s,
        "threads": threads,
        "warnings": result.warnings,
    }


class _CallableModule(types.ModuleType):
    """``qspin.compare`` is this module and also the function: ``qspin.compare(problems, backends)``."""

    def __call__(self, *args, **kwargs):
        return compare(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
