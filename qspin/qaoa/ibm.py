"""The "ibm" QAOA engine: IBM Quantum through qiskit-ibm-runtime's V2 Sampler.

The QAOA circuit (:func:`qspin.compile.qiskit.circuit`, qubit k = spin k, measured into the
register ``meas``) is transpiled for the device's target by Qiskit's preset pass manager; its
depth and two-qubit gate count are reported before it is submitted. Jobs run in job or batch
mode; the caller's ``on_submit(job_id, context)`` hears every job id as soon as IBM returns it,
before anything waits, and :func:`fetch_counts` completes a job later from its id.

Credentials come only from qiskit-ibm-runtime itself: its saved account
(``~/.qiskit/qiskit-ibm.json``, see ``QiskitRuntimeService.save_account``) or its environment
variables (``QISKIT_IBM_TOKEN``, ``QISKIT_IBM_INSTANCE``, ``QISKIT_IBM_CHANNEL``,
``QISKIT_IBM_URL``). No credentials, or no answer within ``request_timeout`` seconds, raises
:class:`~qspin.BackendUnavailable` (``qspin.solve`` then runs the fallback); a rejected token is
a :class:`~qspin.BackendError`. No token ever reaches a message, a result or the store.

A device named like a fake device ("fake_manila") runs qiskit-ibm-runtime's local testing mode
on that snapshot: the same transpile-submit-wait path with no account, simulated (reported so).
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from qspin.compile.warm_start import WARM_START_EPSILON, warm_start
from qspin.errors import BackendError, BackendUnavailable, MissingDependencyError, ParameterError, QspinError
from qspin.problem import IsingProblem
from qspin.provenance import resolve_seed
from qspin.qaoa.aer import (
    check_shots,
    circuit_report,
    counts_to_spins,
    derived_seed,
    fake_device,
    resolve_fake_device,
    shuffled_rows,
    transpile_for,
)
from qspin.qaoa.statevector import check_angles

__all__ = ["MODES", "IBMEngine", "account_file", "credentials_status", "expectation", "fetch_counts", "sample"]

MODES = ("job", "batch")
INSTALL_HINT = "pip install qiskit-ibm-runtime"
NO_CREDENTIALS = (
    "no IBM Quantum credentials (save an account with QiskitRuntimeService.save_account(...) "
    "or set QISKIT_IBM_TOKEN and QISKIT_IBM_INSTANCE)"
)
OnSubmit = Callable[[str, dict[str, Any]], None]


def _require() -> None:
    if importlib.util.find_spec("qiskit_ibm_runtime") is None:
        raise MissingDependencyError(f"the IBM QAOA engine needs qiskit-ibm-runtime; {INSTALL_HINT}")


def is_local_device(device) -> bool:
    """Whether ``device`` names a fake device (local testing mode, no account)."""
    return isinstance(device, str) and device.strip().lower().startswith("fake_")


# --- credentials, connection and errors ------------------------------------------------------------


def account_file() -> str:
    """qiskit-ibm-runtime's saved-account file, resolved from the home directory now."""
    return os.path.join(os.path.expanduser("~"), ".qiskit", "qiskit-ibm.json")


def _secrets() -> list[str]:
    """Tokens that must never appear in a message: the environment's and the saved accounts'."""
    found = [os.environ.get("QISKIT_IBM_TOKEN") or ""]
    try:
        with open(account_file()) as fh:
            found += [str(a.get("token") or "") for a in json.load(fh).values() if isinstance(a, dict)]
    except (OSError, ValueError, AttributeError):
        pass
    return [s for s in found if len(s) >= 4]


def _scrub(text: str) -> str:
    for secret in _secrets():
        text = text.replace(secret, "***")
    return text


def credentials_status() -> tuple[bool, str]:
    """Whether qiskit-ibm-runtime finds an account (environment or saved), without the network."""
    _require()
    from qiskit_ibm_runtime.accounts import AccountManager
    from qiskit_ibm_runtime.accounts.exceptions import AccountNotFoundError

    try:
        account = AccountManager.get(filename=account_file())
    except AccountNotFoundError:
        return False, NO_CREDENTIALS
    except Exception as exc:  # a malformed account file or variable
        raise BackendError(_scrub(f"cannot read the IBM Quantum account ({type(exc).__name__}: {exc})")) from None
    source = "environment" if os.environ.get("QISKIT_IBM_TOKEN") else "saved account"
    return True, f"credentials found ({source}, channel {account.channel}); not contacted"


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _status_code(exc) -> int | None:
    for attr in ("status_code", "code", "status"):
        value = getattr(exc, attr, None)
        if isinstance(value, int) and 100 <= value < 600:
            return value
    return None


def translate_error(exc: BaseException, what: str) -> BackendError:
    """IBM's exceptions as qspin's: unreachable -> BackendUnavailable, rejected -> BackendError."""
    import requests

    for e in _chain(exc):
        name = type(e).__name__
        if name == "AccountNotFoundError":
            return BackendUnavailable(NO_CREDENTIALS)
        if name == "IBMNotAuthorizedError":
            return BackendError(
                f"IBM Quantum rejected the credentials during {what}; check the saved account or QISKIT_IBM_TOKEN"
            )
        if isinstance(
            e, (requests.exceptions.ConnectionError, requests.exceptions.Timeout, ConnectionError, TimeoutError)
        ):
            return BackendUnavailable(f"IBM Quantum unreachable during {what} ({name})")
        code = _status_code(e)
        if code in (400, 401, 403) and name in ("ApiException", "RequestsApiError", "IBMApiError"):
            return BackendError(
                f"IBM Quantum rejected the credentials during {what} (HTTP {code}); "
                "check the saved account or QISKIT_IBM_TOKEN"
            )
        if code is not None and (code >= 500 or code == 429):
            return BackendUnavailable(f"IBM Quantum unavailable during {what} (HTTP {code})")
    return BackendError(_scrub(f"IBM Quantum {what} failed ({type(exc).__name__}: {exc})"))


def _bounded(fn, timeout: float, what: str):
    """``fn()`` in a daemon thread; BackendUnavailable when it takes longer than ``timeout`` s."""
    box: dict[str, Any] = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc

    thread = threading.Thread(target=target, name=f"qspin-ibm-{what}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise BackendUnavailable(f"IBM Quantum did not answer within {timeout:g} s during {what}")
    if "error" in box:
        if isinstance(box["error"], QspinError):
            raise box["error"]
        raise translate_error(box["error"], what) from None
    return box["value"]


def connect(timeout: float):
    """A QiskitRuntimeService from qiskit-ibm-runtime's own account, within ``timeout`` seconds."""
    _require()
    ok, reason = credentials_status()
    if not ok:
        raise BackendUnavailable(reason)
    from qiskit_ibm_runtime import QiskitRuntimeService

    return _bounded(lambda: QiskitRuntimeService(filename=account_file()), timeout, "connecting")


def _select_backend(service, device: str | None, num_qubits: int, timeout: float):
    from qiskit.providers.exceptions import QiskitBackendNotFoundError

    def pick():
        if device is None:
            return service.least_busy(min_num_qubits=num_qubits, operational=True, simulator=False)
        try:
            return service.backend(device)
        except QiskitBackendNotFoundError:
            names = sorted(b.name for b in service.backends())
            raise ParameterError(
                f"IBM Quantum has no device {device!r} for this account; available: {', '.join(names) or 'none'}"
            ) from None

    return _bounded(pick, timeout, "choosing the device")


def _sampler_class():
    try:  # qiskit-ibm-runtime >= 0.50: the client-side V2 Sampler (SamplerV2 is deprecated there)
        from qiskit_ibm_runtime.executor_sampler import Sampler
    except ImportError:  # pragma: no cover - older qiskit-ibm-runtime
        from qiskit_ibm_runtime import SamplerV2 as Sampler
    return Sampler


# --- the engine ----------------------------------------------------------------------------------------


class IBMEngine:
    """QAOA circuits of one problem and depth on an IBM device (connected and transpiled lazily).

    ``device``: an IBM device name, None (the least busy device with enough qubits), or a fake
    device name (local testing mode). ``mode``: "job" or "batch". ``on_submit(job_id, context)``
    hears every job id, with what decoding it needs, before the engine waits on it. ``backend``
    reuses a device another engine has connected to. ``initial_state`` (spins) and ``epsilon``:
    a warm-start product state instead of ``|+>^n``.
    """

    def __init__(
        self,
        problem: IsingProblem,
        reps: int,
        *,
        device: str | None = None,
        seed: int | None = None,
        optimization_level: int = 1,
        mode: str = "job",
        request_timeout: float = 30.0,
        result_timeout: float | None = None,
        on_submit: OnSubmit | None = None,
        backend=None,
        initial_state=None,
        epsilon: float = WARM_START_EPSILON,
    ):
        self.problem = problem
        self.initial_state = initial_state
        self.epsilon = epsilon
        self.reps = reps
        self.device = device
        self.seed = seed
        self.optimization_level = optimization_level
        self.mode = mode
        self.request_timeout = request_timeout
        self.result_timeout = result_timeout
        self.on_submit = on_submit
        self.job_ids: list[str] = []
        self._backend = backend
        self._batch = None
        self._isa = None
        self._report: dict | None = None
        self.transpile_s = 0.0
        self.wait_s = 0.0  # submission to result, as seen here
        self.queue_s = 0.0  # from the job's own metrics (see job_timing)
        self.device_s = 0.0

    @property
    def local(self) -> bool:
        return is_local_device(self.device)

    def check(self) -> None:
        """ParameterError for bad settings, before any connection."""
        _require()
        n = self.problem.num_spins
        if n < 1:
            raise ParameterError("QAOA needs a problem with at least one spin")
        if isinstance(self.reps, bool) or not isinstance(self.reps, (int, np.integer)) or self.reps < 1:
            raise ParameterError(f"reps (p) must be an integer >= 1, got {self.reps!r}")
        if self.mode not in MODES:
            raise ParameterError(f"mode must be 'job' or 'batch', got {self.mode!r}")
        if self.optimization_level not in (0, 1, 2, 3):
            raise ParameterError(f"optimization_level must be 0, 1, 2 or 3, got {self.optimization_level!r}")
        if self.device is not None and not (isinstance(self.device, str) and self.device.strip()):
            raise ParameterError(f"device must be an IBM device name or None, got {self.device!r}")
        warm_start(self.initial_state, n, self.epsilon)  # ParameterError for a bad start
        for key in ("request_timeout", "result_timeout"):
            value = getattr(self, key)
            if value is None and key == "result_timeout":
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ParameterError(f"{key} must be a positive number of seconds, got {value!r}")
        if self.local:
            name = resolve_fake_device(self.device)
            self._check_fits(fake_device(name).num_qubits, name)

    def _check_fits(self, qubits: int, name: str) -> None:
        n = self.problem.num_spins
        if n > qubits:
            raise ParameterError(
                f"the problem has {n} spins but {name} has only {qubits} qubits; choose a larger device or a smaller problem"
            )

    def connect(self):
        """Connect (or load the fake device) and check the problem fits; returns the backend."""
        if self._backend is None:
            self.check()
            if self.local:
                backend = fake_device(resolve_fake_device(self.device)).backend
            else:
                service = connect(float(self.request_timeout))
                backend = _select_backend(service, self.device, self.problem.num_spins, float(self.request_timeout))
            self._check_fits(int(backend.num_qubits), backend.name)
            self._backend = backend
        return self._backend

    def _transpiled(self):
        if self._isa is None:
            from qspin.compile.qiskit import circuit

            backend = self.connect()
            t0 = time.perf_counter()
            seed = derived_seed(0 if self.seed is None else resolve_seed(self.seed), 0)
            qc = circuit(
                self.problem, int(self.reps), initial_state=self.initial_state, epsilon=self.epsilon, measure=True
            )
            self._isa = transpile_for(qc, backend, optimization_level=int(self.optimization_level), seed=seed)
            self._report = circuit_report(self._isa)
            self.transpile_s += time.perf_counter() - t0
        return self._isa

    def circuit_report(self) -> dict:
        """Depth and two-qubit gate count of the transpiled circuit (transpiles if needed)."""
        self._transpiled()
        return dict(self._report)

    @property
    def device_name(self) -> str | None:
        return None if self._backend is None else str(self._backend.name)

    def _sampler(self, seed: int):
        Sampler = _sampler_class()
        backend = self.connect()
        if self.mode == "batch":
            if self._batch is None:
                from qiskit_ibm_runtime import Batch

                self._batch = Batch(backend=backend)
            sampler = Sampler(mode=self._batch)
        else:
            sampler = Sampler(mode=backend)
        if self.local:
            sampler.options.simulator.seed_simulator = derived_seed(seed, 3)
        return sampler

    def counts(self, gammas, betas, shots: int, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Submit one circuit, report its id, wait, and return (distinct spin rows, counts)."""
        from qspin.compile.qiskit import bind

        gammas, betas = check_angles(gammas, betas)
        shots = check_shots(shots)
        bound = bind(self._transpiled(), gammas, betas)
        sampler = self._sampler(resolve_seed(seed))
        try:
            job = sampler.run([bound], shots=shots)
            job_id = str(job.job_id())
        except Exception as exc:
            raise translate_error(exc, "submission") from None
        self.job_ids.append(job_id)
        context = {
            "device": self.device_name,
            "local": self.local,
            "num_spins": self.problem.num_spins,
            "shots": shots,
            "gammas": gammas.tolist(),
            "betas": betas.tolist(),
        }
        if self.on_submit is not None:
            self.on_submit(job_id, context)
        t0 = time.perf_counter()
        try:
            result = (
                job.result() if self.local or self.result_timeout is None else job.result(timeout=self.result_timeout)
            )
        except Exception as exc:
            raise BackendError(
                _scrub(
                    f"IBM job {job_id} was submitted but waiting for it failed ({type(exc).__name__}: {exc}); "
                    "complete it later with qspin.fetch_job (the job id is in the store)"
                )
            ) from None
        finally:
            waited = time.perf_counter() - t0
            self.wait_s += waited
        queue_s, device_s = (0.0, waited) if self.local else job_timing(job, result)
        self.queue_s += queue_s
        self.device_s += device_s
        return counts_to_spins(result[0].data.meas.get_counts(), self.problem.num_spins)

    def close(self) -> None:
        if self._batch is not None:
            try:
                self._batch.close()
            except Exception:  # closing is best effort; the jobs are already done
                pass
            self._batch = None


def _seconds_between(start: str, stop: str) -> float:
    from datetime import datetime

    return (datetime.fromisoformat(stop) - datetime.fromisoformat(start)).total_seconds()


def job_timing(job, result) -> tuple[float, float]:
    """(queue seconds, device seconds) of a finished IBM job; NaN for what the service does not say.

    Queue: the job's ``metrics()`` timestamps, ``running - created``. Device: the result's
    execution spans (the time the QPU ran the circuits), else the billed
    ``qpu_charge_time_seconds``, else ``finished - running``. Local testing mode has none of
    these; its engine reports the in-process simulation time as device time and no queue.
    """
    queue = device = float("nan")
    try:
        spans = result.metadata.get("execution", {}).get("execution_spans")
        if spans is not None and len(spans):
            device = float(spans.duration)
    except (AttributeError, TypeError):
        pass
    try:
        metrics = job.metrics() or {}
    except Exception:  # the metrics call is a second request; timing is optional, the counts are not
        return queue, device
    stamps, usage = metrics.get("timestamps") or {}, metrics.get("usage") or {}
    try:
        if stamps.get("created") and stamps.get("running"):
            queue = _seconds_between(stamps["created"], stamps["running"])
        if device != device and usage.get("status") == "complete" and usage.get("qpu_charge_time_seconds"):
            device = float(usage["qpu_charge_time_seconds"])
        if device != device and stamps.get("running") and stamps.get("finished"):
            device = _seconds_between(stamps["running"], stamps["finished"])
    except (TypeError, ValueError):
        pass
    return queue, device


def fetch_counts(job_id: str, num_spins: int, *, timeout: float = 30.0) -> tuple[np.ndarray, np.ndarray]:
    """(spin rows, counts) of a finished IBM job, by id, from qiskit-ibm-runtime's own account."""
    service = connect(timeout)
    job = _bounded(lambda: service.job(job_id), timeout, "finding the job")
    try:
        result = job.result()
    except Exception as exc:
        raise translate_error(exc, f"fetching job {job_id}") from None
    return counts_to_spins(result[0].data.meas.get_counts(), num_spins)


# --- the engine as functions ----------------------------------------------------------------------


def _engine(problem, gammas, betas, options) -> tuple[IBMEngine, np.ndarray, np.ndarray]:
    if not isinstance(problem, IsingProblem):
        raise ParameterError(f"the ibm engine needs an IsingProblem, got {type(problem).__name__}")
    gammas, betas = check_angles(gammas, betas)
    engine = IBMEngine(problem, gammas.size, **options)
    engine.check()
    return engine, gammas, betas


def sample(problem: IsingProblem, gammas, betas, shots: int, seed: int | None = None, **options) -> np.ndarray:
    """``shots`` measured spin rows (int8, (shots, n)) from one IBM job (options: see IBMEngine)."""
    shots = check_shots(shots)
    engine, gammas, betas = _engine(problem, gammas, betas, options)
    seed = resolve_seed(seed)
    try:
        spins, counts = engine.counts(gammas, betas, shots, seed)
    finally:
        engine.close()
    return shuffled_rows(spins, counts, seed)


def expectation(
    problem: IsingProblem, gammas, betas, *, shots: int = 4000, seed: int | None = None, **options
) -> float:
    """Mean measured energy of ``shots`` shots on an IBM device (an estimate, with noise)."""
    shots = check_shots(shots)
    engine, gammas, betas = _engine(problem, gammas, betas, options)
    try:
        spins, counts = engine.counts(gammas, betas, shots, seed)
    finally:
        engine.close()
    return float(np.dot(problem.energies(spins), counts) / counts.sum())
