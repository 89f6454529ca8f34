"""Coupling draws shared by the disordered models."""

from __future__ import annotations

import numpy as np

from qspin.errors import ParameterError, ProblemError
from qspin.provenance import resolve_seed as _resolve

COUPLING_KINDS = ("gaussian", "pm1")


def draw_couplings(rng: np.random.Generator, kind: str, size: int) -> np.ndarray:
    """Physics couplings: N(0, 1) for ``"gaussian"``, +-1 with equal probability for ``"pm1"``."""
    if kind == "gaussian":
        return rng.standard_normal(size)
    if kind == "pm1":
        return rng.choice(np.array([-1.0, 1.0]), size=size)
    raise ProblemError(f"couplings must be one of {COUPLING_KINDS}, got {kind!r}")


def resolve_seed(seed) -> int:
    """The seed a generator records (a ProblemError for a bad one)."""
    try:
        return _resolve(seed)
    except ParameterError as exc:
        raise ProblemError(str(exc)) from None
