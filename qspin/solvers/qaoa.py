"""QAOA backends: "qaoa" (qspin's statevector engine), "qaoa-aer" (Aer) and "qaoa-ibm" (IBM Quantum).

The optimiser loop and the objectives live in :mod:`qspin.qaoa.optimise`; the backends
here choose an objective, run the loop, then measure the final circuit.

Conventions are qspin's (:mod:`qspin.qaoa`): ``exp(-i beta sum X) exp(-i gamma E)`` per layer,
``<E>`` minimised, angles reported in that convention. On hardware one usually optimises on the
exact engine and runs only the final circuit (``angles_from="statevector"``, the default of the
device backends); ``angles_from="engine"`` optimises on measured energies instead (COBYLA or
SPSA, optionally on the CVaR).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from qspin.compile.warm_start import WARM_START_EPSILON, warm_start
from qspin.errors import ParameterError
from qspin.problem import IsingProblem
from qspin.progress import check_progress
from qspin.qaoa import cvar as cv
from qspin.qaoa.optimise import (
    ANGLES_FROM,
    FREE_OPTIMIZERS,
    GRADIENT_OPTIMIZERS,
    STRATEGIES,
    ExactObjective,
    LoopResult,
    LoopSettings,
    SampledObjective,
    fixed_angles,
    optimise,
)
from qspin.sampleset import SampleSet
from qspin.solvers.base import Backend, Samples
from qspin.solvers.registry import report_submitted

__all__ = [
    "QAOAAerBackend",
    "QAOABackend",
    "QAOABackendBase",
    "QAOAIBMBackend",
    "aggregate_rows",
    "measured_summary",
    "resolve_warm_start",
    "trivial_samples",
    "warm_options",
]

GROUND_STATE_MAX_SPINS = 20  # exact ground-state probability reported up to this size
EXACT_SUMMARY_MAX_SPINS = 26  # noise-free <E> of the final angles reported up to this size (1 GiB)


def _int_at_least(params, key, low) -> int:
    value = params[key]
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ParameterError(f"{key} must be an integer >= {low}, got {value!r}")
    return int(value)


def resolve_warm_start(problem: IsingProblem, params: dict, seed: int) -> dict:
    """``params`` with a backend-name ``warm_start`` replaced by that backend's best state, solved
    now with a seed derived from ``seed`` (not recorded in any store)."""
    name = params.get("warm_start")
    if not isinstance(name, str):
        return params
    from qspin.solvers.registry import solve

    classical = solve(problem, name, seed=int(np.random.SeedSequence([seed, 14]).generate_state(1)[0]), store=False)
    spins = [int(v) for v in classical.best_spins.tolist()]
    return {**params, "warm_start": spins, "warm_start_from": {"backend": name, "energy": classical.best_energy}}


def warm_options(params) -> dict[str, Any]:
    """The engines' warm-start keywords from validated backend parameters ({} for ``|+>^n``, and
    for a backend name not resolved yet by :func:`resolve_warm_start`)."""
    if params.get("warm_start") is None or isinstance(params["warm_start"], str):
        return {}
    return {"initial_state": np.asarray(params["warm_start"], dtype=np.int8), "epsilon": params["warm_start_epsilon"]}


def trivial_samples(problem: IsingProblem) -> Samples:
    """The one state of a problem without spins (nothing to run)."""
    return Samples(np.zeros((1, 0), dtype=np.int8), info={"note": "the problem has no spins: nothing to run"})


def _statevector_fits(n: int, complex_arrays: int = 1, real_arrays: int = 1) -> bool:
    from qspin.qaoa.statevector import check_memory

    try:
        check_memory(n, complex_arrays, real_arrays)
    except ParameterError:
        return False
    return True


def _exact_summary(problem: IsingProblem, g, b, warm: dict) -> dict[str, Any]:
    """Noise-free ``<E>`` at the angles, and the ground state's probability when n is small."""
    from qspin.qaoa.statevector import energy_diagonal, expectation, probabilities

    n = problem.num_spins
    out: dict[str, Any] = {"expectation": None}
    if n > EXACT_SUMMARY_MAX_SPINS or not _statevector_fits(n):
        return out
    out["expectation"] = expectation(problem, g, b, **warm)
    if n <= GROUND_STATE_MAX_SPINS:
        diag = energy_diagonal(problem)
        e0 = float(diag.min())
        at_ground = diag <= e0 + 1e-9 * max(1.0, problem.energy_scale)
        out["ground_state_energy"] = e0
        out["ground_state_probability"] = float(probabilities(problem, g, b, **warm)[at_ground].sum())
    return out


def measured_summary(problem: IsingProblem, spins, counts, exact: dict) -> dict[str, Any]:
    energies = problem.energies(spins)
    out = {"sample_mean": cv.mean(energies, counts)}
    if "ground_state_energy" in exact:
        e0 = exact["ground_state_energy"]
        hit = energies <= e0 + 1e-9 * max(1.0, problem.energy_scale)
        out["ground_state_frequency"] = float(counts[hit].sum() / counts.sum())
    return out


def aggregate_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    spins, counts = np.unique(rows, axis=0, return_counts=True)
    return spins.astype(np.int8), counts.astype(np.int64)


class QAOABackendBase(Backend):
    """Parameters and checks shared by the three QAOA backends.

    ``reps`` depth p; ``strategy`` the starting angles: "fixed" (published tables transferred by
    :func:`fixed_angles`), "ramp" (linear ramp), "interp" / "fourier" (depth by depth from p = 1),
    "random" (``restarts`` seeded starts, best kept); ``gammas``/``betas`` start from (or, with
    ``optimize=False``, use) given angles in qspin's convention; ``optimizer`` None (L-BFGS-B
    where the exact gradient exists, else COBYLA), a scipy method name or "SPSA"; ``maxiter``
    iterations (COBYLA: evaluations); ``cvar_alpha`` None (mean) or the CVaR fraction in (0, 1];
    ``shots`` samples returned. Device backends add ``angles_from`` ("statevector": optimise on
    the exact engine, run only the final circuit; "engine": optimise on measured energies),
    ``device`` and ``optimization_level`` (Qiskit's preset pass manager). ``progress``: a bar
    over the optimiser runs, one per depth or start (None: when stderr is a terminal).
    ``warm_start`` (+-1 spins; a SampleSet: its best state; a classical backend's name such as
    "sa": solved first, seeded from ``seed``) starts every circuit from a warm-start product state
    (Egger et al. 2021) with ``warm_start_epsilon`` (default 0.25) the probability of each qubit
    reading the other spin; the mixer stays ``sum X``.
    """

    parameters = {
        "reps": 2,
        "strategy": "interp",
        "optimizer": None,
        "maxiter": 200,
        "restarts": 4,
        "optimize": True,
        "gammas": None,
        "betas": None,
        "cvar_alpha": None,
        "shots": 1000,
        "progress": None,
        "warm_start": None,
        "warm_start_epsilon": None,
    }

    def _has_gradient(self, params) -> bool:
        return params["cvar_alpha"] is None

    def check_parameters(self, problem, params):
        params = dict(params)
        p = params["reps"] = _int_at_least(params, "reps", 1)
        for key, low in (("maxiter", 1), ("restarts", 1), ("shots", 1)):
            params[key] = _int_at_least(params, key, low)
        if params["strategy"] not in STRATEGIES:
            raise ParameterError(f"strategy must be one of {', '.join(STRATEGIES)}, got {params['strategy']!r}")
        if not isinstance(params["optimize"], bool):
            raise ParameterError(f"optimize must be True or False, got {params['optimize']!r}")
        params["cvar_alpha"] = cv.check_alpha(params["cvar_alpha"])
        params["progress"] = check_progress(params["progress"])
        self._check_warm_start(problem, params)
        if (params["gammas"] is None) != (params["betas"] is None):
            raise ParameterError("give both gammas and betas (one pair per layer), or neither")
        if params["gammas"] is not None:
            from qspin.qaoa.statevector import check_angles

            g, b = check_angles(params["gammas"], params["betas"])
            if g.size != p:
                raise ParameterError(f"gammas and betas have {g.size} layers but reps = {p}")
            params["gammas"], params["betas"] = g.tolist(), b.tolist()
        elif not params["optimize"] and params["strategy"] not in ("fixed", "ramp"):
            raise ParameterError(
                f"strategy {params['strategy']!r} needs optimisation; with optimize=False use strategy "
                "'fixed' or 'ramp', or give gammas and betas"
            )
        if params["strategy"] == "fixed" and params["gammas"] is None and problem.num_spins:
            fixed_angles(problem, p)  # raises for depths beyond the tables
        optimizer = params["optimizer"]
        if optimizer is not None:
            if optimizer not in GRADIENT_OPTIMIZERS + FREE_OPTIMIZERS:
                raise ParameterError(
                    f"optimizer must be one of {', '.join(GRADIENT_OPTIMIZERS + FREE_OPTIMIZERS)} (or None), got {optimizer!r}"
                )
            if optimizer in GRADIENT_OPTIMIZERS and not self._has_gradient(params):
                raise ParameterError(
                    f"{optimizer} needs the exact gradient, which only the statevector engine's mean energy has "
                    "(no cvar_alpha, angles from the statevector); use COBYLA or SPSA"
                )
        return params

    @staticmethod
    def _check_warm_start(problem: IsingProblem, params) -> None:
        start, eps = params["warm_start"], params["warm_start_epsilon"]
        if start is None:
            if eps is not None:
                raise ParameterError("warm_start_epsilon needs warm_start (the spins to start near)")
            return
        eps = WARM_START_EPSILON if eps is None else eps
        if isinstance(start, str):  # a classical backend, solved first (resolve_warm_start)
            from qspin.solvers.registry import builtin_backends, get_backend, list_backends

            if start.startswith("qaoa"):
                raise ParameterError(f"warm_start names a classical backend to solve first (e.g. 'sa'), got {start!r}")
            if start not in list_backends():
                raise ParameterError(f"warm_start: unknown backend {start!r}; available: {', '.join(list_backends())}")
            if start in builtin_backends():  # its own checks (e.g. exact's size limit) before any work
                classical = get_backend(start)
                classical.check_parameters(problem, dict(classical.parameters))
            warm_start(np.ones(problem.num_spins), problem.num_spins, eps)  # checks epsilon
            params["warm_start_epsilon"] = float(eps)
            return
        if isinstance(start, SampleSet):
            start = start.best_spins
        warm_start(start, problem.num_spins, eps)  # ParameterError naming the bad entry or epsilon
        params["warm_start"] = [int(v) for v in np.asarray(start).tolist()]
        params["warm_start_epsilon"] = float(eps)

    @staticmethod
    def _settings(params) -> LoopSettings:
        initial = None
        if params["gammas"] is not None:
            initial = (np.asarray(params["gammas"], float), np.asarray(params["betas"], float))
        return LoopSettings(
            reps=params["reps"],
            strategy=params["strategy"],
            optimizer=params["optimizer"],
            maxiter=params["maxiter"],
            restarts=params["restarts"],
            optimize=params["optimize"],
            initial=initial,
            progress=params["progress"],
        )

    @staticmethod
    def _angles_info(result: LoopResult, params) -> dict[str, Any]:
        return {
            "reps": params["reps"],
            "gammas": result.gammas.tolist(),
            "betas": result.betas.tolist(),
            "angle_convention": "qspin: exp(-i beta sum X) exp(-i gamma E), <E> minimised",
            "strategy": result.strategy,
            "optimizer": result.optimizer,
            "objective": "mean" if params["cvar_alpha"] is None else f"cvar({params['cvar_alpha']:g})",
            "objective_value": result.value,
            "trace": result.trace,
            "nfev": result.nfev,
            "optimizer_message": result.message,
            "warm_start": None
            if params.get("warm_start") is None
            else {
                "spins": params["warm_start"],
                "epsilon": params["warm_start_epsilon"],
                **({"from": params["warm_start_from"]} if "warm_start_from" in params else {}),
            },
        }


class QAOABackend(QAOABackendBase):
    name = "qaoa"
    summary = "QAOA on qspin's statevector engine: angles by L-BFGS-B on the adjoint gradient, shots from |psi|^2"
    packages = ("numba", "scipy")

    def check_parameters(self, problem, params):
        params = super().check_parameters(problem, params)
        if problem.num_spins:
            from qspin.qaoa.statevector import check_memory

            check_memory(problem.num_spins, 2, 1)
        return params

    def sample(self, problem: IsingProblem, *, seed: int, shots, cvar_alpha, **params) -> Samples:
        from qspin.qaoa.statevector import sample as sv_sample

        if problem.num_spins == 0:
            return trivial_samples(problem)
        all_params = resolve_warm_start(problem, {**params, "shots": shots, "cvar_alpha": cvar_alpha}, seed)
        warm = warm_options(all_params)
        objective = ExactObjective(problem, cvar_alpha, **warm)
        t0 = time.perf_counter()
        result = optimise(problem, lambda q: objective, self._settings(all_params), seed=seed)
        t1 = time.perf_counter()
        spins, counts = aggregate_rows(sv_sample(problem, result.gammas, result.betas, shots, seed=seed, **warm))
        t2 = time.perf_counter()
        exact = _exact_summary(problem, result.gammas, result.betas, warm)
        info = {
            "engine": "statevector",
            **self._angles_info(result, all_params),
            **exact,
            **measured_summary(problem, spins, counts, exact),
        }
        return Samples(spins, counts, info=info, timing={"optimize_s": t1 - t0, "sample_s": t2 - t1})


class _DeviceBackend(QAOABackendBase):
    """Shared path of the circuit backends: angles (statevector or engine), then the final circuit."""

    parameters = {**QAOABackendBase.parameters, "angles_from": "statevector", "device": None, "optimization_level": 1}

    def _has_gradient(self, params) -> bool:
        return params["cvar_alpha"] is None and params["angles_from"] == "statevector"

    def check_parameters(self, problem, params):
        params = dict(params)
        if params["angles_from"] not in ANGLES_FROM:
            raise ParameterError(f"angles_from must be 'statevector' or 'engine', got {params['angles_from']!r}")
        params = super().check_parameters(problem, params)
        n = problem.num_spins
        if n and params["optimize"] and params["angles_from"] == "statevector" and not _statevector_fits(n, 2, 1):
            raise ParameterError(
                f"optimising {n} spins on the statevector engine does not fit in memory; "
                "use angles_from='engine', or optimize=False with fixed angles"
            )
        if n:
            self._engine(problem, params["reps"], 0, params).check()  # size, device, method: before any run
        return params

    def _engine(self, problem, reps, seed, params, **extra):  # pragma: no cover - abstract
        raise NotImplementedError

    def _run(self, problem: IsingProblem, seed: int, params, engine_at) -> tuple[Samples, Any]:
        """Optimise (per ``angles_from``), measure the final circuit; (Samples, final engine)."""
        cvar_alpha, warm = params["cvar_alpha"], warm_options(params)
        if params["angles_from"] == "statevector":

            def objective_at(q):
                return ExactObjective(problem, cvar_alpha, **warm)
        else:

            def objective_at(q):
                return SampledObjective(problem, engine_at(q), params["shots"], seed, cvar_alpha)

        t0 = time.perf_counter()
        result = optimise(problem, objective_at, self._settings(params), seed=seed)
        t1 = time.perf_counter()
        final = engine_at(params["reps"])
        spins, counts = final.counts(result.gammas, result.betas, params["shots"], seed)
        t2 = time.perf_counter()
        exact = _exact_summary(problem, result.gammas, result.betas, warm)
        info = {
            "angles_from": params["angles_from"],
            **self._angles_info(result, params),
            **exact,
            **measured_summary(problem, spins, counts, exact),
            "circuit": final.circuit_report(),
        }
        return Samples(spins, counts, info=info, timing={"optimize_s": t1 - t0, "sample_s": t2 - t1}), final


class QAOAAerBackend(_DeviceBackend):
    name = "qaoa-aer"
    summary = "QAOA circuits on qiskit-aer (statevector or MPS), optionally with an IBM fake device's noise"
    parameters = {**_DeviceBackend.parameters, "method": None}
    packages = ("qiskit", "qiskit-aer", "qiskit-ibm-runtime", "scipy")

    def availability(self):
        import importlib.util

        if importlib.util.find_spec("qiskit_aer") is None:
            return False, "SDK missing (pip install qiskit-aer)"
        return True, "local"

    def _engine(self, problem, reps, seed, params, **extra):
        from qspin.qaoa.aer import AerEngine

        return AerEngine(
            problem,
            reps,
            method=params["method"],
            device=params["device"],
            seed=seed,
            optimization_level=params["optimization_level"],
            **warm_options(params),
        )

    def sample(self, problem: IsingProblem, *, seed: int, **params) -> Samples:
        if problem.num_spins == 0:
            return trivial_samples(problem)
        from qspin.qaoa.aer import check_method, resolve_fake_device

        params = resolve_warm_start(problem, params, seed)
        engines: dict[int, Any] = {}

        def engine_at(q):
            if q not in engines:
                engines[q] = self._engine(problem, q, seed, params)
            return engines[q]

        out, _ = self._run(problem, seed, params, engine_at)
        device = None if params["device"] is None else resolve_fake_device(params["device"])
        out.info.update(
            {
                "engine": "aer",
                "method": check_method(params["method"]),
                "simulated": True,
                "device": device,
                "noise": None if device is None else f"Aer device noise model of {device}",
            }
        )
        out.timing["transpile_s"] = sum(e.transpile_seconds() for e in engines.values())
        return out


class QAOAIBMBackend(_DeviceBackend):
    name = "qaoa-ibm"
    summary = "QAOA on IBM Quantum (qiskit-ibm-runtime Sampler); falls back to qaoa-aer with the device's noise"
    parameters = {**_DeviceBackend.parameters, "mode": "job", "request_timeout": 30.0, "result_timeout": None}
    packages = ("qiskit", "qiskit-ibm-runtime", "qiskit-aer", "scipy")
    fallback = "qaoa-aer"

    def availability(self):
        import importlib.util

        if importlib.util.find_spec("qiskit_ibm_runtime") is None:
            return False, "SDK missing (pip install qiskit-ibm-runtime)"
        from qspin.errors import BackendError
        from qspin.qaoa.ibm import credentials_status

        try:
            return credentials_status()
        except BackendError as exc:
            return False, str(exc)

    def _engine(self, problem, reps, seed, params, **extra):
        from qspin.qaoa.ibm import IBMEngine

        return IBMEngine(
            problem,
            reps,
            device=params["device"],
            seed=seed,
            optimization_level=params["optimization_level"],
            mode=params["mode"],
            request_timeout=params["request_timeout"],
            result_timeout=params["result_timeout"],
            **warm_options(params),
            **extra,
        )

    def sample(self, problem: IsingProblem, *, seed: int, **params) -> Samples:
        if problem.num_spins == 0:
            return trivial_samples(problem)
        params = resolve_warm_start(problem, params, seed)
        ids: list[str] = []

        def on_submit(job_id: str, context: dict) -> None:
            ids.append(job_id)
            report_submitted("ibm", ",".join(ids), {**context, "job_ids": list(ids)})  # stored before waiting

        first = self._engine(problem, params["reps"], seed, params, on_submit=on_submit)
        device = first.connect()  # no credentials or no answer: BackendUnavailable, before any work
        engines = {params["reps"]: first}

        def engine_at(q):
            if q not in engines:
                engines[q] = self._engine(problem, q, seed, params, on_submit=on_submit, backend=device)
            return engines[q]

        try:
            out, _ = self._run(problem, seed, params, engine_at)
        finally:
            for engine in engines.values():
                engine.close()
        out.info.update(
            {
                "engine": "ibm",
                "device": first.device_name,
                "mode": params["mode"],
                "vendor_job_ids": ids,
                "simulated": first.local,
                "local_testing_mode": first.local,
            }
        )
        out.timing["transpile_s"] = sum(e.transpile_s for e in engines.values())
        out.timing["queue_and_run_s"] = sum(e.wait_s for e in engines.values())
        out.timing["queue_s"] = sum(e.queue_s for e in engines.values())  # NaN when the service did not say
        out.timing["device_s"] = sum(e.device_s for e in engines.values())
        return out

    def fetch(self, problem: IsingProblem, vendor_job_id: str, context: dict) -> Samples:
        """The final circuit's shots of an interrupted run, by IBM job id (the last of the run)."""
        from qspin.errors import BackendError
        from qspin.qaoa.ibm import fetch_counts

        if context.get("local"):
            raise BackendError(
                "jobs of qiskit-ibm-runtime's local testing mode live only in the process that ran them; run it again"
            )
        ids = vendor_job_id.split(",")
        spins, counts = fetch_counts(ids[-1], problem.num_spins)
        info = {
            "engine": "ibm",
            "device": context.get("device"),
            "vendor_job_ids": ids,
            "gammas": context.get("gammas"),
            "betas": context.get("betas"),
            "simulated": False,
            **measured_summary(problem, spins, counts, {}),
        }
        return Samples(spins, counts, info=info)
