"""qspin: one Ising IR, compiled to annealers, gate-based devices and classical solvers.

Energy convention (dimod's): ``E(s) = offset + sum_i h_i s_i + sum_{i<j} J_ij s_i s_j`` with
``s_i`` in {-1, +1}; positive ``J`` is antiferromagnetic. Papers' ``H = -sum J s s`` maps by
negating ``J``. QUBO bits are ``x = (1 + s) / 2``; qubit ``k`` is spin ``k`` with ``|0> <-> s = +1``.
See :mod:`qspin.conventions`.

``import qspin`` is cheap: submodules (and any vendor SDK) load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS = {
    "IsingProblem": "qspin.problem",
    "SampleSet": "qspin.sampleset",
    "QspinError": "qspin.errors",
    "ProblemError": "qspin.errors",
    "ParameterError": "qspin.errors",
    "BackendError": "qspin.errors",
    "MissingDependencyError": "qspin.errors",
    "solve": "qspin.solvers.registry",
    "list_backends": "qspin.solvers.registry",
    "register_backend": "qspin.solvers.registry",
    "get_backend": "qspin.solvers.registry",
    "backend_status": "qspin.solvers.registry",
    "jobs": "qspin.job_queries",
    "fetch_job": "qspin.job_queries",
    "JobStore": "qspin.store",
    "BackendUnavailable": "qspin.errors",
    "ConfigError": "qspin.errors",
    "StoreError": "qspin.errors",
    "load": "qspin.formats",
    "read_gset": "qspin.formats",
    "read_bonds": "qspin.formats",
}
_SUBMODULES = {
    "models",
    "conventions",
    "solvers",
    "compile",
    "formats",
    "testing",
    "config",
    "store",
    "metrics",
    "qaoa",
    "compare",
    "plot",
    "sweep",
    "qnn",
}

__all__ = sorted([*_EXPORTS, *_SUBMODULES])

if TYPE_CHECKING:  # pragma: no cover
    from qspin.errors import (
        BackendError,
        BackendUnavailable,
        ConfigError,
        MissingDependencyError,
        ParameterError,
        ProblemError,
        QspinError,
        StoreError,
    )
    from qspin.formats import load, read_bonds, read_gset
    from qspin.job_queries import fetch_job, jobs
    from qspin.problem import IsingProblem
    from qspin.sampleset import SampleSet
    from qspin.solvers.registry import backend_status, get_backend, list_backends, register_backend, solve
    from qspin.store import JobStore


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"qspin.{name}")
    else:
        raise AttributeError(f"module 'qspin' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return __all__
