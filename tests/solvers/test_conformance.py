"""Every registered backend passes the conformance kit (qspin.testing.check_backend)."""

import warnings

import pytest

from qspin.solvers.registry import builtin_backends
from qspin.testing import check_backend

# Fast settings per backend; a registered backend missing here fails the suite on purpose.
FAST_PARAMS = {
    "exact": {},
    "sa": {"num_reads": 20, "num_sweeps": 300},
    "pt": {"num_reads": 2, "num_sweeps": 400},
    "sqa": {"num_reads": 8, "num_sweeps": 200, "num_slices": 8},
    "ocean-sa": {"num_sweeps": 200},
    "ocean-tabu": {"timeout": None, "num_restarts": 1, "num_reads": 4},
    "ocean-greedy": {"num_reads": 50},
    "ocean-pimc": {"num_reads": 8, "num_sweeps": 100},
    "dwave-mock": {"num_reads": 30},
    "qaoa-pennylane": {"reps": 1, "shots": 2000},
    "qaoa": {"reps": 1, "shots": 2000},
    "qaoa-aer": {"reps": 1, "shots": 2000},
    # without credentials (isolated_dwave_config moves HOME) it runs its fallback, qaoa-aer
    "qaoa-ibm": {"reps": 1, "shots": 2000},
    # without credentials (isolated_dwave_config) these run their fallback, recorded in info
    "dwave": {"num_reads": 30},
    "dwave-hybrid": {},
}


@pytest.mark.usefixtures("isolated_dwave_config")
@pytest.mark.parametrize("name", builtin_backends())
def test_backend_conforms(name):
    assert name in FAST_PARAMS, f"add conformance settings for the new backend {name!r}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the fallback warning of the cloud backends
        check_backend(name, **FAST_PARAMS[name])


@pytest.mark.usefixtures("isolated_dwave_config")
def test_progress_parameter_is_checked_alike():
    """Every backend with a progress bar accepts True, False or None and names anything else."""
    import qspin
    from qspin import IsingProblem, ParameterError
    from qspin.solvers.registry import get_backend

    with_bars = [name for name in builtin_backends() if "progress" in get_backend(name).parameters]
    assert {"exact", "sa", "pt", "sqa", "qaoa"} <= set(with_bars)
    for name in with_bars:
        with pytest.raises(ParameterError, match="progress must be True, False or None, got 'yes'"):
            qspin.solve(IsingProblem([0.5, -0.5], {(0, 1): 1.0}), name, progress="yes")
