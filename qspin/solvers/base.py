"""The backend contract: one required method, ``sample(problem, *, seed, **params) -> Samples``.

Everything else (registration, parameter validation, seeding, timing, provenance and energy
recomputation) is shared and lives in :mod:`qspin.solvers.registry`.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from qspin.problem import IsingProblem


@dataclass
class Samples:
    """What a backend returns: spin rows (R, n) of +-1, optional counts, and backend info.

    Energies are deliberately absent: ``qspin.solve`` recomputes them from the IR.
    ``timing`` holds seconds (e.g. ``{"sampling_s": ...}``); ``info`` anything JSON-friendly.
    """

    spins: np.ndarray
    counts: np.ndarray | None = None
    info: dict[str, Any] = field(default_factory=dict)
    timing: dict[str, float] = field(default_factory=dict)


class Backend(abc.ABC):
    """A solver backend.

    Subclasses set ``name``, ``parameters`` (every accepted parameter and its default) and
    ``packages`` (distributions whose versions results record), and implement :meth:`sample`.
    ``check_parameters`` may raise :class:`qspin.ParameterError` before any work starts.
    """

    name: ClassVar[str]
    summary: ClassVar[str] = ""
    parameters: ClassVar[dict[str, Any]] = {}
    packages: ClassVar[tuple[str, ...]] = ()
    fallback: ClassVar[str | None] = None  # run instead when this backend raises BackendUnavailable

    def availability(self) -> tuple[bool, str]:
        """Whether the backend can run now and why not, without leaking secrets or waiting long."""
        return True, "local"

    def check_parameters(self, problem: IsingProblem, params: dict[str, Any]) -> dict[str, Any]:
        """Validate (and normalise) the resolved parameters; the default accepts them as they are."""
        return params

    @abc.abstractmethod
    def sample(self, problem: IsingProblem, *, seed: int, **params) -> Samples:
        """Run on ``problem`` with a master ``seed`` (every random choice must flow from it)."""
