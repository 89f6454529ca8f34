"""A conformance kit for backends: every backend, built-in or plugin, is checked the same way.

    from qspin.testing import check_backend
    check_backend("sa", num_reads=20, num_sweeps=200)

Each check raises AssertionError with a message naming the backend and what broke.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from qspin.errors import ParameterError
from qspin.models import edwards_anderson, sherrington_kirkpatrick
from qspin.problem import IsingProblem
from qspin.sampleset import SampleSet
from qspin.solvers.registry import get_backend, solve

__all__ = ["check_backend", "conformance_problems"]


def conformance_problems() -> dict[str, IsingProblem]:
    """Small problems with known exact ground states: SK, EA with a field, a frustrated triangle."""
    return {
        "sk8": sherrington_kirkpatrick(8, seed=101),
        "ea3x3-field": edwards_anderson((3, 3), couplings="gaussian", field=0.2, seed=102),
        "triangle": IsingProblem([0.1, 0.0, -0.2], {(0, 1): 1.0, (1, 2): 1.0, (0, 2): 1.0}, 0.5),
    }


def _check_shapes(name: str, problem: IsingProblem, ss: SampleSet) -> None:
    n = problem.num_spins
    assert isinstance(ss, SampleSet), f"{name}: solve() returned {type(ss).__name__}, not a SampleSet"
    assert ss.spins.ndim == 2 and ss.spins.shape[1] == n, f"{name}: spins shape {ss.spins.shape}, expected (R, {n})"
    assert ss.spins.dtype == np.int8, f"{name}: spins dtype {ss.spins.dtype}, expected int8"
    assert len(ss) >= 1, f"{name}: returned no samples"
    assert ss.energies.shape == (len(ss),) and ss.energies.dtype == np.float64, f"{name}: bad energies array"
    assert ss.counts.shape == (len(ss),) and (ss.counts >= 1).all(), f"{name}: counts must be positive, one per row"
    assert np.isin(ss.spins, (-1, 1)).all(), f"{name}: spins must be +-1"
    assert np.allclose(ss.energies, problem.energies(ss.spins), rtol=0, atol=1e-9), (
        f"{name}: energies are not the IR's energies of the returned spins"
    )
    assert (np.diff(ss.energies) >= 0).all(), f"{name}: samples must be sorted by energy"
    for key in ("backend", "seed", "parameters", "timing", "versions"):
        assert key in ss.info, f"{name}: info lacks {key!r}"


def check_backend(
    name: str, *, exact_ground_state: bool = True, deterministic: bool = True, **params: Any
) -> dict[str, float]:
    """Run the conformance checks on backend ``name`` with ``params``; return best energies found.

    Checks: shapes and dtypes; energies recomputed from the IR; sorted rows; provenance in
    ``info``; the same seed gives the same samples (when ``deterministic``); empty and one-spin
    problems; the exact ground state of small instances (when ``exact_ground_state``); an
    unknown parameter raises :class:`qspin.ParameterError` naming it.
    """
    get_backend(name)  # fails clearly if the backend cannot be loaded
    found = {}
    for label, problem in conformance_problems().items():
        ss = solve(problem, name, seed=1234, **params)
        _check_shapes(f"{name} on {label}", problem, ss)
        ran_as = ss.info.get("requested_backend", ss.info["backend"])  # a fallback records what was asked for
        assert ss.info["seed"] == 1234 and ran_as == name, f"{name}: info does not record seed/backend"
        found[label] = ss.best_energy
        if exact_ground_state:
            e0 = solve(problem, "exact", seed=0).best_energy
            assert ss.best_energy <= e0 + 1e-9 * max(1.0, problem.energy_scale), (
                f"{name} on {label}: best energy {ss.best_energy} above the exact ground energy {e0}"
            )
        if deterministic and label == "sk8":
            again = solve(problem, name, seed=1234, **params)
            assert np.array_equal(again.spins, ss.spins) and np.array_equal(again.counts, ss.counts), (
                f"{name}: the same seed gave different samples"
            )

    empty = solve(IsingProblem(offset=1.5), name, seed=1, **params)
    assert empty.spins.shape[1] == 0 and np.allclose(empty.energies, 1.5), f"{name}: wrong result on an empty problem"
    one = solve(IsingProblem([0.8]), name, seed=1, **params)
    _check_shapes(f"{name} on one spin", one.problem, one)
    if exact_ground_state:
        assert one.best_spins.tolist() == [-1], f"{name}: missed the ground state of a single spin in a field"

    try:
        solve(conformance_problems()["triangle"], name, seed=1, not_a_parameter=3, **params)
    except ParameterError as exc:
        assert "not_a_parameter" in str(exc), f"{name}: the error for an unknown parameter does not name it"
    else:
        raise AssertionError(f"{name}: accepted an unknown parameter")
    return found
