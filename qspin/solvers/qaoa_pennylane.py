"""QAOA on PennyLane ("qaoa-pennylane"): the shared QAOA loop on PennyLane's gradient, then shots.

The circuit and convention are those of :mod:`qspin.qaoa.pennylane_engine` (the same state as
qspin's statevector engine: ``exp(-i beta sum X) exp(-i gamma E)`` per layer, ``<E>``
minimised). The parameters, their checks and the optimiser loop (strategies, staged depths,
restarts, trace) are those of the other QAOA backends (:mod:`qspin.solvers.qaoa`: ``reps``,
``strategy``, ``optimizer``, ``maxiter``, ``restarts``, ``optimize``, ``gammas``/``betas``,
``cvar_alpha``, ``shots``); only the objective differs: ``<E>`` and its gradient come from a
PennyLane QNode on ``device`` (``lightning.qubit`` by default) differentiated by
``diff_method`` (``adjoint``), or, with ``cvar_alpha``, the exact CVaR of ``qml.probs``
(gradient-free: COBYLA by default). The final circuit is then measured ``shots`` times on the
device, seeded from the master seed, and identical rows are merged with counts.

``info`` holds what the other QAOA backends record (``reps``, ``gammas``, ``betas``,
``strategy``, ``optimizer``, ``objective_value``, ``trace``, ``nfev``, ``sample_mean``, ...)
plus ``engine="pennylane"``, ``device``, ``diff_method``, and ``expectation``,
``ground_state_energy`` and ``ground_state_probability`` computed on the PennyLane device
(simulators only; None elsewhere).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from qspin.errors import ParameterError
from qspin.problem import IsingProblem
from qspin.qaoa import cvar as cv
from qspin.solvers.base import Samples
from qspin.solvers.qaoa import (
    GROUND_STATE_MAX_SPINS,
    QAOABackendBase,
    aggregate_rows,
    measured_summary,
    optimise,
    resolve_warm_start,
    trivial_samples,
    warm_options,
)

__all__ = ["PennyLaneObjective", "QAOAPennyLaneBackend"]


class PennyLaneObjective:
    """``<E>`` with PennyLane's gradient, or the exact CVaR of ``qml.probs``, on one device.

    The QNode takes angles of any depth, so one objective serves every stage of the loop.
    """

    def __init__(self, problem: IsingProblem, device: str, diff_method: str, cvar_alpha: float | None = None, **warm):
        from qspin.qaoa.pennylane_engine import qaoa_circuit

        self.warm = warm

        self.problem = problem
        self.device = device
        self.cvar_alpha = cvar_alpha
        self.gradient = cvar_alpha is None
        self._circuit = qaoa_circuit(problem, device=device, diff_method=diff_method, **warm) if self.gradient else None

    def __call__(self, gammas, betas) -> float:
        from qspin.qaoa.pennylane_engine import probabilities
        from qspin.qaoa.statevector import energy_diagonal

        if self.cvar_alpha is None:
            return float(self._circuit(np.asarray(gammas, float), np.asarray(betas, float)))
        probs = probabilities(self.problem, gammas, betas, device=self.device, **self.warm)
        return cv.cvar(energy_diagonal(self.problem), probs, self.cvar_alpha)

    def value_and_gradient(self, gammas, betas) -> tuple[float, np.ndarray]:
        from qspin.qaoa.pennylane_engine import expectation_and_gradient

        value, dg, db = expectation_and_gradient(self.problem, gammas, betas, circuit=self._circuit)
        return value, np.concatenate([dg, db])


class QAOAPennyLaneBackend(QAOABackendBase):
    name = "qaoa-pennylane"
    summary = "QAOA on a PennyLane device (lightning.qubit): angles by L-BFGS-B on the adjoint gradient, then shots"
    parameters = {**QAOABackendBase.parameters, "device": "lightning.qubit", "diff_method": "adjoint"}
    packages = ("pennylane", "pennylane_lightning", "scipy")

    def availability(self) -> tuple[bool, str]:
        from importlib.util import find_spec

        if find_spec("pennylane") is None:
            return False, "SDK missing (pip install pennylane)"
        return True, "local"

    def check_parameters(self, problem: IsingProblem, params: dict) -> dict:
        from qspin.qaoa.pennylane_engine import check_device

        params = super().check_parameters(problem, params)
        if not isinstance(params["diff_method"], str) or not params["diff_method"]:
            raise ParameterError(
                f"diff_method must be a PennyLane differentiation method such as 'adjoint', got {params['diff_method']!r}"
            )
        check_device(params["device"], problem.num_spins)
        return params

    def _summary(self, problem: IsingProblem, device: str, g, b, warm: dict) -> dict[str, Any]:
        """``<E>`` and the ground state's probability on the device (simulators only)."""
        from qspin.qaoa.pennylane_engine import expectation, is_simulator, probabilities
        from qspin.qaoa.statevector import energy_diagonal

        out: dict[str, Any] = {"expectation": None}
        if not is_simulator(device):
            return out
        out["expectation"] = expectation(problem, g, b, device=device, diff_method=None, **warm)
        if problem.num_spins <= GROUND_STATE_MAX_SPINS:
            diag = energy_diagonal(problem)
            e0 = float(diag.min())
            at_ground = diag <= e0 + 1e-9 * max(1.0, problem.energy_scale)
            out["ground_state_energy"] = e0
            out["ground_state_probability"] = float(
                probabilities(problem, g, b, device=device, **warm)[at_ground].sum()
            )
        return out

    def sample(self, problem: IsingProblem, *, seed: int, **params) -> Samples:
        from qspin.qaoa.pennylane_engine import sample as pl_sample

        if problem.num_spins == 0:
            return trivial_samples(problem)
        params = resolve_warm_start(problem, params, seed)
        device, diff_method, cvar_alpha = params["device"], params["diff_method"], params["cvar_alpha"]
        warm = warm_options(params)
        objective = PennyLaneObjective(problem, device, diff_method, cvar_alpha, **warm)
        t0 = time.perf_counter()
        result = optimise(problem, lambda q: objective, self._settings(params), seed=seed)
        t1 = time.perf_counter()
        spins, counts = aggregate_rows(
            pl_sample(problem, result.gammas, result.betas, params["shots"], seed, device=device, **warm)
        )
        t2 = time.perf_counter()
        summary = self._summary(problem, device, result.gammas, result.betas, warm)
        info = {
            "engine": "pennylane",
            "device": device,
            "diff_method": diff_method,
            **self._angles_info(result, params),
            **summary,
            **measured_summary(problem, spins, counts, summary),
        }
        return Samples(spins, counts, info=info, timing={"optimize_s": t1 - t0, "sample_s": t2 - t1})
