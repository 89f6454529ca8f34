"""The backend registry and :func:`solve`, the one entry point every backend shares.

``solve`` resolves a name (a built-in backend or a backends.toml profile), rejects unknown
parameters, fixes the seed, records the job in the store before the backend starts, runs the
backend's fallback if it is unreachable, and recomputes every energy from the IR.
"""

from __future__ import annotations

import importlib
import time
import warnings
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qspin.config import BackendsConfig, load_backends_config
from qspin.config import find_config_file as _find_config_file
from qspin.errors import BackendError, BackendUnavailable, ParameterError
from qspin.problem import IsingProblem
from qspin.provenance import package_versions, resolve_seed
from qspin.sampleset import SampleSet
from qspin.solvers.base import Backend
from qspin.store import JobStore, open_store

__all__ = [
    "backend_status",
    "backends_config",
    "get_backend",
    "list_backends",
    "register_backend",
    "report_submitted",
    "solve",
]

# Built-in backends as "module:Class", imported only when first asked for.
_BUILTIN: dict[str, str] = {
    "exact": "qspin.solvers.exact:ExactBackend",
    "sa": "qspin.solvers.anneal:SABackend",
    "pt": "qspin.solvers.tempering:PTBackend",
    "sqa": "qspin.solvers.sqa:SQABackend",
    "ocean-sa": "qspin.solvers.ocean:OceanSABackend",
    "ocean-tabu": "qspin.solvers.ocean:OceanTabuBackend",
    "ocean-greedy": "qspin.solvers.ocean:OceanGreedyBackend",
    "ocean-pimc": "qspin.solvers.ocean:OceanPIMCBackend",
    "dwave": "qspin.solvers.dwave:DWaveBackend",
    "dwave-hybrid": "qspin.solvers.dwave:DWaveHybridBackend",
    "dwave-mock": "qspin.solvers.dwave:DWaveMockBackend",
    "qaoa": "qspin.solvers.qaoa:QAOABackend",
    "qaoa-aer": "qspin.solvers.qaoa:QAOAAerBackend",
    "qaoa-ibm": "qspin.solvers.qaoa:QAOAIBMBackend",
    "qaoa-pennylane": "qspin.solvers.qaoa_pennylane:QAOAPennyLaneBackend",
}
_REGISTERED: dict[str, Callable[[], Backend]] = {}
_INSTANCES: dict[str, Backend] = {}
_CONFIG_CACHE: dict[tuple, BackendsConfig] = {}


def register_backend(name: str, factory: Callable[[], Backend] | str, *, replace: bool = False) -> None:
    """Register a backend class or factory (or a ``"module:Class"`` path) under ``name``."""
    if not replace and (name in _BUILTIN or name in _REGISTERED):
        raise BackendError(f"a backend named {name!r} is already registered (pass replace=True)")
    if isinstance(factory, str):
        _BUILTIN[name] = factory
        _REGISTERED.pop(name, None)
    else:
        _REGISTERED[name] = factory
    _INSTANCES.pop(name, None)
    _CONFIG_CACHE.clear()


def get_backend(name: str) -> Backend:
    """The built-in or registered backend instance called ``name`` (imported on first use)."""
    if name in _INSTANCES:
        return _INSTANCES[name]
    if name in _REGISTERED:
        backend = _REGISTERED[name]()
    elif name in _BUILTIN:
        module_name, _, attr = _BUILTIN[name].partition(":")
        backend = getattr(importlib.import_module(module_name), attr)()
    else:
        raise BackendError(f"unknown backend {name!r}; available: {', '.join(list_backends())}")
    _INSTANCES[name] = backend
    return backend


class _ParameterNames(Mapping):
    """Built-in backend name -> its parameter names, loading a backend only when asked."""

    def __iter__(self):
        return iter(sorted({*_BUILTIN, *_REGISTERED}))

    def __len__(self):
        return len({*_BUILTIN, *_REGISTERED})

    def __getitem__(self, name):
        if name not in _BUILTIN and name not in _REGISTERED:
            raise KeyError(name)
        try:
            return frozenset(get_backend(name).parameters)
        except ImportError:
            return None  # an optional SDK is missing: the options cannot be checked here


def backends_config(path=None) -> BackendsConfig:
    """The validated backends.toml in force (see :mod:`qspin.config` for the lookup order)."""
    file = _find_config_file(path)
    if file is None:
        return BackendsConfig({}, None)
    key = (str(Path(file).resolve()), Path(file).stat().st_mtime_ns)
    if key not in _CONFIG_CACHE:
        _CONFIG_CACHE[key] = load_backends_config(file, _ParameterNames())
    return _CONFIG_CACHE[key]


def builtin_backends() -> list[str]:
    """Names of the built-in and registered backends (not backends.toml profiles), sorted."""
    return sorted({*_BUILTIN, *_REGISTERED})


def list_backends(config=None) -> list[str]:
    """Names of every built-in and registered backend and every configured profile, sorted."""
    return sorted({*_BUILTIN, *_REGISTERED, *backends_config(config).profiles})


@dataclass(frozen=True)
class _Resolved:
    name: str
    kind: str
    options: dict[str, Any]
    fallback: str | None


def _resolve(name: str, config: BackendsConfig) -> _Resolved:
    profile = config.get(name)
    if profile is None:
        backend = get_backend(name)
        return _Resolved(name, name, {}, backend.fallback)
    fallback = profile.fallback
    if fallback is None:
        fallback = get_backend(profile.kind).fallback
    return _Resolved(name, profile.kind, dict(profile.options), fallback or None)


def backend_status(config=None) -> list[dict[str, Any]]:
    """For every name: its kind, whether it can run now and why not (never a secret)."""
    cfg = backends_config(config)
    rows = []
    for name in list_backends(config):
        try:
            r = _resolve(name, cfg)
            available, reason = get_backend(r.kind).availability()
        except ImportError as exc:
            r, available, reason = None, False, f"SDK missing: {exc}"
        rows.append(
            {
                "name": name,
                "kind": r.kind if r else name,
                "available": available,
                "reason": reason,
                "fallback": r.fallback if r else None,
            }
        )
    return rows


# --- the job a backend is running (so cloud backends can record vendor ids early) --------


@dataclass(frozen=True)
class _JobHandle:
    store: JobStore | None
    job_id: str | None


_CURRENT_JOB: ContextVar[_JobHandle | None] = ContextVar("qspin_current_job", default=None)


def report_submitted(vendor: str, vendor_job_id: str, context: dict[str, Any] | None = None) -> None:
    """Called by a cloud backend as soon as the vendor returns a job id, before waiting on it."""
    handle = _CURRENT_JOB.get()
    if handle is not None and handle.store is not None:
        handle.store.set_vendor_job(handle.job_id, vendor, vendor_job_id, context)


# --- solve -------------------------------------------------------------------------------


def _jsonable_params(params: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in params.items():
        if isinstance(value, np.ndarray):
            value = f"<array {value.dtype} {value.shape}>" if value.size > 64 else value.tolist()
        elif isinstance(value, np.generic):
            value = value.item()
        elif callable(value):
            value = getattr(value, "__name__", repr(value))
        out[key] = value
    return out


def _check_params(name: str, backend: Backend, params: dict[str, Any]) -> None:
    unknown = sorted(set(params) - set(backend.parameters))
    if unknown:
        known = ", ".join(sorted(backend.parameters)) or "none"
        raise ParameterError(
            f"backend {name!r} does not take {', '.join(map(repr, unknown))}; its parameters are: {known}"
        )


def solve(
    problem: IsingProblem,
    backend: str = "exact",
    *,
    seed: int | None = None,
    store=None,
    config=None,
    fallback: str | bool | None = None,
    **params,
) -> SampleSet:
    """Solve ``problem`` with the backend or backends.toml profile called ``backend``.

    Parameters
    ----------
    seed : int, optional
        Master seed of every random choice; a fresh one is drawn and recorded when None.
    store : path or JobStore, optional
        Record the job (default ``$QSPIN_STORE``; no recording when neither is set).
    config : path, optional
        The backends.toml to use instead of the default lookup.
    fallback : str or False, optional
        Override the fallback run when the backend is unreachable (False: none, raise).

    Unknown parameters are rejected before any work starts. Energies in the result are
    recomputed from the problem, never taken from the backend.
    """
    if not isinstance(problem, IsingProblem):
        raise ParameterError(f"solve() needs an IsingProblem, got {type(problem).__name__}")
    cfg = backends_config(config)
    resolved = _resolve(backend, cfg)
    if fallback is not None:
        resolved = _Resolved(resolved.name, resolved.kind, resolved.options, fallback or None)
    be = get_backend(resolved.kind)
    _check_params(backend, be, params)
    merged = be.check_parameters(problem, {**be.parameters, **resolved.options, **params})
    seed = resolve_seed(seed)
    jobs = open_store(store)
    job_id = (
        jobs.start_job(problem, backend=backend, kind=resolved.kind, params=_jsonable_params(merged), seed=seed)
        if jobs
        else None
    )
    token = _CURRENT_JOB.set(_JobHandle(jobs, job_id))
    try:
        try:
            ss = _run(problem, backend, resolved.kind, be, merged, seed)
        except BackendUnavailable as exc:
            if not resolved.fallback:
                raise
            ss = _run_fallback(problem, resolved, {**resolved.options, **params}, seed, cfg, exc)
    except KeyboardInterrupt:
        if jobs:
            jobs.fail_job(job_id, "interrupted", "interrupted by the user (KeyboardInterrupt)")
        raise
    except BaseException as exc:
        if jobs:
            jobs.fail_job(job_id, "failed", f"{type(exc).__name__}: {exc}")
        raise
    finally:
        _CURRENT_JOB.reset(token)
    if jobs:
        ss.info["job_id"] = job_id
        jobs.finish_job(job_id, ss)
    return ss


def _run(problem, name, kind, be: Backend, params, seed) -> SampleSet:
    t0 = time.perf_counter()
    raw = be.sample(problem, seed=seed, **params)
    wall = time.perf_counter() - t0
    info = {
        "backend": name,
        "kind": kind,
        "parameters": _jsonable_params(params),
        "seed": seed,
        "problem": problem.fingerprint,
        **raw.info,
        "timing": {"wall_s": wall, **raw.timing},
        "versions": package_versions(*be.packages),
    }
    return SampleSet.from_spins(problem, raw.spins, raw.counts, info)


def _run_fallback(problem, resolved: _Resolved, requested: dict[str, Any], seed, cfg, cause) -> SampleSet:
    target = _resolve(resolved.fallback, cfg)
    fb = get_backend(target.kind)
    passed = {k: v for k, v in requested.items() if k in fb.parameters}
    dropped = sorted(set(requested) - set(passed))
    reason = str(cause)
    warnings.warn(
        f"backend {resolved.name!r} is unavailable ({reason}); falling back to {target.name!r}",
        RuntimeWarning,
        stacklevel=3,
    )
    merged = fb.check_parameters(problem, {**fb.parameters, **target.options, **passed})
    try:
        ss = _run(problem, target.name, target.kind, fb, merged, seed)
    except BackendUnavailable as exc:
        if not target.fallback:
            raise
        ss = _run_fallback(problem, target, requested, seed, cfg, exc)
    record = {"from": resolved.name, "to": target.name, "reason": reason, "dropped_parameters": dropped}
    chain = ss.info.get("fallback")
    ss.info["fallback"] = record if chain is None else {**record, "then": chain}
    ss.info["requested_backend"] = resolved.name
    return ss
