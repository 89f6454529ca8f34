"""The "aer" QAOA engine: qiskit-aer's EstimatorV2 for expectations and SamplerV2 for shots.

The circuit is :func:`qspin.compile.qiskit.circuit` (qubit k = spin k, ``|0> <-> s = +1``),
bound by parameter name. Without a device the logical circuit runs as it is, on Aer's
``method`` ("automatic", "statevector", "matrix_product_state" or "density_matrix"); the
noise-free expectation is exact (precision 0) and agrees with qspin's statevector engine to
rounding. With ``device`` (an IBM fake backend by name: "fake_brisbane", "brisbane" or
"ibm_brisbane") the circuit is transpiled for that device's target by Qiskit's preset pass
manager and simulated with its noise model. The noise model is Aer's device model, built with
the same functions ``AerSimulator.from_backend`` uses, restricted to the physical qubits the
transpiled circuit touches (renumbered compactly), which gives the same results as the
127-qubit model at a fraction of the setup cost per run. A noisy expectation is exact with
``method="density_matrix"`` (which "automatic" picks for small noisy circuits).

Shots come back little-endian (Qiskit's order) and are decoded by
:func:`qspin.conventions.bitstrings_to_spins`.
"""

from __future__ import annotations

import importlib.util
import inspect
import time
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np

from qspin.compile.warm_start import WARM_START_EPSILON, warm_start
from qspin.conventions import bitstrings_to_spins
from qspin.errors import MissingDependencyError, ParameterError
from qspin.problem import IsingProblem
from qspin.provenance import resolve_seed
from qspin.qaoa.statevector import MEMORY_FRACTION, available_memory, check_angles

__all__ = [
    "METHODS",
    "AerEngine",
    "circuit_report",
    "expectation",
    "fake_device",
    "fake_device_names",
    "resolve_fake_device",
    "sample",
]

METHODS = ("automatic", "statevector", "matrix_product_state", "density_matrix")
INSTALL_HINT = "pip install qiskit-aer qiskit-ibm-runtime"


def _require(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise MissingDependencyError(f"the Aer QAOA engine needs {module}; {INSTALL_HINT}")


def check_shots(shots) -> int:
    if isinstance(shots, bool) or not isinstance(shots, (int, np.integer)) or shots < 1:
        raise ParameterError(f"shots must be a positive integer, got {shots!r}")
    return int(shots)


def check_method(method) -> str:
    if method is None:
        return "automatic"
    if method not in METHODS:
        raise ParameterError(f"method must be one of {', '.join(METHODS)} (or None: automatic), got {method!r}")
    return method


def derived_seed(seed: int, *key: int) -> int:
    """A simulator seed (31 bits) derived from a master seed and a key."""
    return int(np.random.SeedSequence([seed, *key]).generate_state(1, np.uint32)[0] >> 1)


# --- IBM fake devices ------------------------------------------------------------------------


@cache
def _fake_classes() -> dict[str, type]:
    _require("qiskit_ibm_runtime")
    import qiskit_ibm_runtime.fake_provider as fp
    from qiskit_ibm_runtime.fake_provider.fake_backend import FakeBackendV2

    return {
        cls.backend_name: cls
        for cls in vars(fp).values()
        if inspect.isclass(cls) and issubclass(cls, FakeBackendV2) and getattr(cls, "backend_name", None)
    }


def fake_device_names() -> list[str]:
    """Names of the IBM fake devices shipped with qiskit-ibm-runtime (system snapshots)."""
    return sorted(_fake_classes())


def resolve_fake_device(name) -> str:
    """The fake device for ``name`` ("fake_brisbane", "brisbane" or "ibm_brisbane")."""
    if not isinstance(name, str) or not name:
        raise ParameterError(f"device must be a device name such as 'fake_brisbane', got {name!r}")
    key = name.strip().lower()
    for prefix in ("fake_", "ibm_", "ibmq_"):
        if key.startswith(prefix):
            key = key[len(prefix) :]
            break
    key = "fake_" + key
    if key not in _fake_classes():
        raise ParameterError(
            f"no IBM fake device called {name!r}; qiskit-ibm-runtime ships: {', '.join(fake_device_names())}"
        )
    return key


@dataclass(frozen=True)
class _Device:
    backend: object  # a FakeBackendV2
    num_qubits: int
    basis_gates: tuple[str, ...]
    gate_errors: tuple  # (name, qubits, QuantumError), as AerSimulator.from_backend builds them
    readout_errors: tuple  # (qubits, ReadoutError)


@lru_cache(maxsize=4)
def fake_device(name: str) -> _Device:
    """The fake backend and its Aer noise-model pieces (a few seconds for 127 qubits; cached)."""
    from qiskit_aer.noise.device import basic_device_gate_errors, basic_device_readout_errors

    backend = _fake_classes()[name]()
    target = backend.target
    return _Device(
        backend,
        int(backend.num_qubits),
        tuple(backend.operation_names),
        tuple(basic_device_gate_errors(target=target)),
        tuple(basic_device_readout_errors(target=target)),
    )


def device_num_qubits(name: str) -> int:
    """Qubits of a fake device, from its configuration (without building its noise model)."""
    return fake_device(resolve_fake_device(name)).num_qubits


# --- circuits ---------------------------------------------------------------------------------


def circuit_report(qc) -> dict:
    """Size of a circuit as it runs: depth, two-qubit gates and their depth, qubits, operations."""
    ops = qc.count_ops()
    two = sum(1 for inst in qc.data if inst.operation.num_qubits == 2 and inst.operation.name != "barrier")
    return {
        "depth": int(qc.depth(lambda inst: inst.operation.name != "barrier")),
        "two_qubit_gates": int(two),
        "two_qubit_depth": int(
            qc.depth(lambda inst: inst.operation.num_qubits == 2 and inst.operation.name != "barrier")
        ),
        "num_qubits": int(qc.num_qubits),
        "operations": {str(k): int(v) for k, v in ops.items()},
    }


def transpile_for(qc, backend, *, optimization_level: int, seed: int):
    """``qc`` transpiled for ``backend``'s target by Qiskit's preset pass manager."""
    from qiskit.transpiler import generate_preset_pass_manager

    pm = generate_preset_pass_manager(optimization_level=optimization_level, backend=backend, seed_transpiler=seed)
    return pm.run(qc)


def _compact(isa):
    """(circuit on the touched physical qubits only, physical -> compact index, final layout)."""
    from qiskit import QuantumCircuit

    layout = list(isa.layout.final_index_layout()) if isa.layout is not None else list(range(isa.num_qubits))
    active = set(layout)
    for inst in isa.data:
        if inst.operation.name not in ("barrier", "delay"):
            active.update(isa.find_bit(q).index for q in inst.qubits)
    index = {q: k for k, q in enumerate(sorted(active))}
    out = QuantumCircuit(len(index), global_phase=isa.global_phase, name=isa.name)
    for creg in isa.cregs:
        out.add_register(creg)
    for inst in isa.data:
        qubits = [isa.find_bit(q).index for q in inst.qubits]
        if inst.operation.name == "barrier":
            qubits = [q for q in qubits if q in index]
            if not qubits:
                continue
            out.barrier(*[index[q] for q in qubits])
            continue
        out.append(inst.operation, [index[q] for q in qubits], [isa.find_bit(c).index for c in inst.clbits])
    return out, index, layout


def _noise_model(device: _Device, index: dict[int, int]):
    from qiskit_aer.noise import NoiseModel

    model = NoiseModel(basis_gates=list(device.basis_gates))
    for qubits, error in device.readout_errors:
        if all(q in index for q in qubits):
            model.add_readout_error(error, [index[q] for q in qubits], warnings=False)
    for name, qubits, error in device.gate_errors:
        if all(q in index for q in qubits):
            model.add_quantum_error(error, name, [index[q] for q in qubits], warnings=False)
    return model


def _check_size(n: int, method: str, device: _Device | None, device_name: str | None) -> None:
    if n < 1:
        raise ParameterError("QAOA needs a problem with at least one spin")
    if device is not None and n > device.num_qubits:
        raise ParameterError(
            f"the problem has {n} spins but {device_name} has only {device.num_qubits} qubits; "
            "choose a larger device or a smaller problem"
        )
    if method == "matrix_product_state":
        return  # memory depends on entanglement, not on n alone
    if method == "density_matrix" or (method == "automatic" and device is not None and n <= 14):
        need, what = 16.0 * 4.0**n, "a density matrix"
    else:
        need, what = 16.0 * 2.0**n, "a statevector"
    avail = available_memory()
    if need > 2.0**50 or (avail is not None and need > MEMORY_FRACTION * avail):
        have = "unknown" if avail is None else f"{avail / 2**30:.1f} GiB"
        raise ParameterError(
            f"Aer {method} needs {need / 2**30:.3g} GiB for {what} of {n} qubits (available: {have}); "
            "use method='matrix_product_state', fewer spins, or hardware"
        )


class AerEngine:
    """QAOA circuits of one problem and depth on Aer (built lazily, reused across angle sets).

    ``device``: None (noise-free) or an IBM fake device name; ``seed`` fixes the transpiler
    layout (and, through :meth:`counts`' own seed, every shot); ``initial_state`` (spins) and
    ``epsilon``: a warm-start product state instead of ``|+>^n``.
    """

    def __init__(
        self,
        problem: IsingProblem,
        reps: int,
        *,
        method: str | None = None,
        device: str | None = None,
        seed: int | None = None,
        optimization_level: int = 1,
        initial_state=None,
        epsilon: float = WARM_START_EPSILON,
    ):
        self.problem = problem
        self.reps = reps
        self.method = method
        self.device = device
        self.seed = seed
        self.optimization_level = optimization_level
        self.initial_state = initial_state
        self.epsilon = epsilon
        self._built: dict[bool, tuple] = {}

    # --- preparation -------------------------------------------------------------------------

    def check(self) -> None:
        """Raise ParameterError for a bad method, device or size, before anything runs."""
        _require("qiskit_aer")
        method = check_method(self.method)
        if isinstance(self.reps, bool) or not isinstance(self.reps, (int, np.integer)) or self.reps < 1:
            raise ParameterError(f"reps (p) must be an integer >= 1, got {self.reps!r}")
        if self.optimization_level not in (0, 1, 2, 3):
            raise ParameterError(f"optimization_level must be 0, 1, 2 or 3, got {self.optimization_level!r}")
        warm_start(self.initial_state, self.problem.num_spins, self.epsilon)  # ParameterError for a bad start
        name = None if self.device is None else resolve_fake_device(self.device)
        _check_size(self.problem.num_spins, method, None if name is None else fake_device(name), name)

    def _build(self, measure: bool):
        """(simulator, circuit to bind, observable or None, transpile seconds)."""
        if measure in self._built:
            return self._built[measure]
        from qiskit_aer import AerSimulator

        from qspin.compile.qiskit import circuit, hamiltonian

        self.check()
        method = check_method(self.method)
        qc = circuit(
            self.problem, int(self.reps), initial_state=self.initial_state, epsilon=self.epsilon, measure=measure
        )
        H = None if measure else hamiltonian(self.problem)
        t0 = time.perf_counter()
        if self.device is None:
            sim, run = AerSimulator(method=method), qc
            report = circuit_report(qc)
        else:
            device = fake_device(resolve_fake_device(self.device))
            seed = derived_seed(0 if self.seed is None else resolve_seed(self.seed), 0)
            isa = transpile_for(qc, device.backend, optimization_level=int(self.optimization_level), seed=seed)
            report = circuit_report(isa)
            run, index, layout = _compact(isa)
            report["physical_qubits"] = sorted(index)
            report["layout"] = [int(q) for q in layout]
            sim = AerSimulator(method=method, noise_model=_noise_model(device, index))
            if H is not None:
                H = H.apply_layout([index[q] for q in layout], num_qubits=run.num_qubits)
        built = (sim, run, H, report, time.perf_counter() - t0)
        self._built[measure] = built
        return built

    def circuit_report(self, measure: bool = True) -> dict:
        """Depth and two-qubit gate count of the circuit as it runs (transpiled for a device)."""
        return dict(self._build(measure)[3])

    def transpile_seconds(self) -> float:
        return sum(b[4] for b in self._built.values())

    # --- runs --------------------------------------------------------------------------------

    def expectation(self, gammas, betas, *, seed: int | None = None) -> float:
        """``<E>`` by EstimatorV2 at precision 0 (exact noise-free; exact noisy on density matrices)."""
        from qiskit_aer.primitives import EstimatorV2

        from qspin.compile.qiskit import bind

        gammas, betas = check_angles(gammas, betas)
        sim, qc, H, _, _ = self._build(False)
        run_options = {} if seed is None else {"seed_simulator": derived_seed(seed, 1)}
        est = EstimatorV2.from_backend(sim, options={"default_precision": 0.0, "run_options": run_options})
        result = est.run([(bind(qc, gammas, betas), H)]).result()
        return float(np.real(result[0].data.evs))

    def counts(self, gammas, betas, shots: int, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``shots`` measurements by SamplerV2: (distinct spin rows int8, their counts)."""
        from qiskit_aer.primitives import SamplerV2

        from qspin.compile.qiskit import bind

        gammas, betas = check_angles(gammas, betas)
        shots = check_shots(shots)
        sim, qc, _, _, _ = self._build(True)
        sampler = SamplerV2.from_backend(sim, seed=derived_seed(resolve_seed(seed), 2))
        result = sampler.run([bind(qc, gammas, betas)], shots=shots).result()
        return counts_to_spins(result[0].data.meas.get_counts(), self.problem.num_spins)


def counts_to_spins(counts: dict, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Qiskit counts (little-endian bit strings) -> (spin rows int8 (k, n), counts int64 (k,))."""
    keys = sorted(counts)
    if not keys:
        return np.zeros((0, n), dtype=np.int8), np.zeros(0, dtype=np.int64)
    spins = bitstrings_to_spins(keys)
    if spins.shape[1] != n:
        raise ParameterError(f"measured {spins.shape[1]} bits for a problem of {n} spins")
    return spins, np.array([counts[k] for k in keys], dtype=np.int64)


def shuffled_rows(spins: np.ndarray, counts: np.ndarray, seed: int | None) -> np.ndarray:
    """One row per shot, in a seeded random order (as independent draws would come)."""
    rows = np.repeat(spins, counts, axis=0)
    return rows[np.random.default_rng(resolve_seed(seed)).permutation(rows.shape[0])]


# --- the engine as functions ----------------------------------------------------------------------


def _problem(problem) -> IsingProblem:
    if not isinstance(problem, IsingProblem):
        raise ParameterError(f"the aer engine needs an IsingProblem, got {type(problem).__name__}")
    return problem


def _checked_engine(problem, reps, method, device, seed, optimization_level, initial_state, epsilon) -> AerEngine:
    """The AerEngine of the module-level functions, its settings checked before anything runs."""
    engine = AerEngine(
        _problem(problem),
        reps,
        method=method,
        device=device,
        seed=seed,
        optimization_level=optimization_level,
        initial_state=initial_state,
        epsilon=epsilon,
    )
    engine.check()
    return engine


def expectation(
    problem: IsingProblem,
    gammas,
    betas,
    *,
    method: str | None = None,
    device: str | None = None,
    shots: int | None = None,
    seed: int | None = None,
    optimization_level: int = 1,
    initial_state=None,
    epsilon: float = WARM_START_EPSILON,
) -> float:
    """``<E>`` on Aer: exact (EstimatorV2, precision 0) when ``shots`` is None, else the mean
    energy of ``shots`` SamplerV2 measurements (what hardware would estimate)."""
    gammas, betas = check_angles(gammas, betas)
    engine = _checked_engine(problem, gammas.size, method, device, seed, optimization_level, initial_state, epsilon)
    if shots is None:
        return engine.expectation(gammas, betas, seed=None if seed is None else resolve_seed(seed))
    spins, counts = engine.counts(gammas, betas, check_shots(shots), seed)
    return float(np.dot(problem.energies(spins), counts) / counts.sum())


def sample(
    problem: IsingProblem,
    gammas,
    betas,
    shots: int,
    seed: int | None = None,
    *,
    method: str | None = None,
    device: str | None = None,
    optimization_level: int = 1,
    initial_state=None,
    epsilon: float = WARM_START_EPSILON,
) -> np.ndarray:
    """``shots`` measured spin rows (int8, (shots, n)) from Aer's SamplerV2."""
    gammas, betas = check_angles(gammas, betas)
    shots = check_shots(shots)
    seed = resolve_seed(seed)
    engine = _checked_engine(problem, gammas.size, method, device, seed, optimization_level, initial_state, epsilon)
    spins, counts = engine.counts(gammas, betas, shots, seed)
    return shuffled_rows(spins, counts, seed)
