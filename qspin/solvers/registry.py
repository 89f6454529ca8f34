"""The backend registry and :func:`solve`, the one entry point every backend shares."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from qspin.errors import BackendError, ParameterError
from qspin.problem import IsingProblem
from qspin.provenance import package_versions, resolve_seed
from qspin.sampleset import SampleSet
from qspin.solvers.base import Backend

__all__ = ["get_backend", "list_backends", "register_backend", "solve"]

# Built-in backends as "module:Class", imported only when first asked for.
_BUILTIN: dict[str, str] = {
    "exact": "qspin.solvers.exact:ExactBackend",
    "sa": "qspin.solvers.anneal:SABackend",
    "pt": "qspin.solvers.tempering:PTBackend",
    "sqa": "qspin.solvers.sqa:SQABackend",
    "ocean-sa": "qspin.solvers.ocean:OceanSABackend",
    "ocean-tabu": "qspin.solvers.ocean:OceanTabuBackend",
    "ocean-greedy": "qspin.solvers.ocean:OceanGreedyBackend",
}
_REGISTERED: dict[str, Callable[[], Backend]] = {}
_INSTANCES: dict[str, Backend] = {}


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


def list_backends() -> list[str]:
    """Names of every registered backend, sorted."""
    return sorted({*_BUILTIN, *_REGISTERED})


def get_backend(name: str) -> Backend:
    """The backend instance registered under ``name`` (imported on first use)."""
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


def solve(problem: IsingProblem, backend: str = "exact", *, seed: int | None = None, **params) -> SampleSet:
    """Solve ``problem`` with the backend registered as ``backend``.

    ``seed`` is the master seed of every random choice (a fresh one is drawn and recorded
    when None). Unknown parameters are rejected before any work starts. Energies in the
    result are recomputed from the problem, never taken from the backend.
    """
    if not isinstance(problem, IsingProblem):
        raise ParameterError(f"solve() needs an IsingProblem, got {type(problem).__name__}")
    be = get_backend(backend)
    unknown = sorted(set(params) - set(be.parameters))
    if unknown:
        known = ", ".join(sorted(be.parameters)) or "none"
        raise ParameterError(
            f"backend {backend!r} does not take {', '.join(map(repr, unknown))}; its parameters are: {known}"
        )
    resolved = {**be.parameters, **params}
    resolved = be.check_parameters(problem, resolved)
    seed = resolve_seed(seed)
    t0 = time.perf_counter()
    raw = be.sample(problem, seed=seed, **resolved)
    wall = time.perf_counter() - t0
    info = {
        "backend": backend,
        "parameters": _jsonable_params(resolved),
        "seed": seed,
        "problem": problem.fingerprint,
        **raw.info,
        "timing": {"wall_s": wall, **raw.timing},
        "versions": package_versions(*be.packages),
    }
    return SampleSet.from_spins(problem, raw.spins, raw.counts, info)
