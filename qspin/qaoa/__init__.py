"""QAOA on qspin's Ising IR: a statevector engine specialised for diagonal costs, angle tables
and strategies.

Convention: ``|gamma, beta> = prod_k exp(-i beta_k sum_j X_j) exp(-i gamma_k E) |+>^n`` with
``E`` the problem energy; ``<E>`` is minimised. Published (maximising) angles map onto it by
:func:`to_qspin_angles`.

:func:`expectation` and :func:`sample` run on an ``engine``: "statevector" (default, qspin's
numba engine, exact), "aer" (:mod:`qspin.qaoa.aer`: qiskit-aer, statevector or MPS, optionally an
IBM fake device's noise), "pennylane" (:mod:`qspin.qaoa.pennylane_engine`) or "ibm"
(:mod:`qspin.qaoa.ibm`: IBM Quantum hardware, measured). Noise-free engines agree to rounding.

The engine lives in :mod:`qspin.qaoa.statevector`; its function ``statevector`` is re-exported
here, so the attribute ``qspin.qaoa.statevector`` is that function. Reach the module's other
names with ``from qspin.qaoa.statevector import ...`` (or ``importlib.import_module``).
"""

import importlib

import numpy as np

from qspin.errors import BackendError, ParameterError
from qspin.problem import IsingProblem
from qspin.qaoa.angles import (
    FixedAngles,
    fourier_extrapolate,
    from_fourier,
    interp,
    linear_ramp,
    maxcut_regular_angles,
    random_angles,
    sk_angles,
    to_fourier,
    to_qspin_angles,
)
from qspin.qaoa.landscape import Landscape, landscape
from qspin.qaoa.optimise import QAOAResult, optimize
from qspin.qaoa.statevector import (
    apply_cost_layer,
    apply_mixer_layer,
    check_angles,
    clear_diagonal_cache,
    energy_diagonal,
    expectation_and_gradient,
    probabilities,
    statevector,
)

__all__ = [
    "ENGINES",
    "FixedAngles",
    "Landscape",
    "QAOAResult",
    "apply_cost_layer",
    "apply_mixer_layer",
    "check_angles",
    "clear_diagonal_cache",
    "energy_diagonal",
    "expectation",
    "expectation_and_gradient",
    "fourier_extrapolate",
    "from_fourier",
    "interp",
    "landscape",
    "linear_ramp",
    "maxcut_regular_angles",
    "optimize",
    "probabilities",
    "random_angles",
    "sample",
    "sk_angles",
    "statevector",
    "to_fourier",
    "to_qspin_angles",
]

ENGINES = ("statevector", "aer", "pennylane", "ibm")
_sv_module = importlib.import_module("qspin.qaoa.statevector")  # the name statevector is the function


def _engine_module(engine: str):
    """The module of a circuit engine, imported on first use (vendor SDKs load only then)."""
    modules = {"aer": "qspin.qaoa.aer", "ibm": "qspin.qaoa.ibm", "pennylane": "qspin.qaoa.pennylane_engine"}
    if engine not in modules:
        raise ParameterError(f"unknown QAOA engine {engine!r}; engines: {', '.join(ENGINES)}")
    try:
        return importlib.import_module(modules[engine])
    except ModuleNotFoundError as exc:
        if exc.name != modules[engine]:
            raise
        raise BackendError(
            f"the {engine!r} QAOA engine is not part of this qspin build ({modules[engine]} is missing); "
            "use engine='statevector' or 'aer'"
        ) from None


def _check_inputs(cost, gammas, betas, engine):
    gammas, betas = check_angles(gammas, betas)
    if engine != "statevector" and not isinstance(cost, IsingProblem):
        raise ParameterError(f"the {engine!r} engine needs an IsingProblem, got {type(cost).__name__}")
    return gammas, betas


def _statevector_options(options: dict) -> dict:
    extra = set(options) - {"initial_state", "epsilon"}
    if extra:
        raise ParameterError(
            f"the statevector engine takes only initial_state and epsilon, got {', '.join(sorted(extra))}"
        )
    return options


def expectation(cost, gammas, betas, engine: str = "statevector", **options) -> float:
    """``<gamma, beta| E |gamma, beta>`` on ``engine``.

    Every engine takes ``initial_state`` (+-1 spins: a warm-start product state instead of
    ``|+>^n``) and its ``epsilon``. "statevector" takes an IsingProblem or a cost diagonal and
    nothing else. "aer" takes ``method``, ``device`` (an IBM fake device: its noise), ``shots``
    (None: exact) and ``seed``; "ibm" takes ``device``, ``shots`` and the options of
    :class:`qspin.qaoa.ibm.IBMEngine` and returns a measured mean. Angles are checked (equal
    lengths p >= 1, finite) before any engine is loaded.
    """
    gammas, betas = _check_inputs(cost, gammas, betas, engine)
    if engine == "statevector":
        return _sv_module.expectation(cost, gammas, betas, **_statevector_options(options))
    return float(_engine_module(engine).expectation(cost, gammas, betas, **options))


def sample(cost, gammas, betas, shots: int, seed: int | None = None, engine: str = "statevector", **options):
    """``shots`` spin rows (int8, (shots, n)) measured on ``engine`` (sampled from ``|psi|^2``
    on "statevector"); options as for :func:`expectation`."""
    gammas, betas = _check_inputs(cost, gammas, betas, engine)
    if isinstance(shots, bool) or not isinstance(shots, (int, np.integer)) or shots < 1:
        raise ParameterError(f"shots must be a positive integer, got {shots!r}")
    if engine == "statevector":
        return _sv_module.sample(cost, gammas, betas, shots, seed, **_statevector_options(options))
    return np.asarray(_engine_module(engine).sample(cost, gammas, betas, shots, seed, **options), dtype=np.int8)
