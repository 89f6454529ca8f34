"""A quantum Hopfield associative memory: Trotterised annealing from a cue-biased state.

**The method.** The patterns are stored as the Hopfield Hamiltonian ``H_P`` of
:func:`qspin.models.hopfield` (Hebb by default; qubit k = neuron k, ``|0> <-> s = +1``). A cue
``c`` (+-1 entries, 0 for an unknown entry of a partial cue) adds the field
``H_c = -lambda sum_k c_k Z_k``, and the network is annealed along

    ``H(t) = (1 - t/T) (-Gamma sum_k X_k) + (t/T) H_P + H_c``,  0 <= t <= T,

from the ground state of ``H(0)``: the product state whose qubit k is tilted from ``|+>``
towards the cue by ``atan(lambda c_k / Gamma)`` (the cue-biased initial state). The evolution
is Trotterised into ``steps`` steps of ``dt = T / steps`` (the diagonal part, then the
transverse field, each at the midpoint of its step), the final state is measured in the
computational basis, and the recalled pattern is the most probable bit string (exactly, from the
simulated probabilities, or the most frequent of ``shots`` samples).

**Why this method.** A slow enough anneal ends in the ground state of ``H_P + H_c``: the
stored pattern that the cue selects. The cue field breaks the ``s -> -s`` symmetry of ``H_P``
(so the mirror image ``-xi`` is not recalled from a cue near ``xi``) and lifts the degeneracy
among the stored patterns in favour of the one nearest the cue, while a weak field
(``lambda`` below the pattern's stability margin, the smallest aligned local field
``min_k xi_k sum_j W_kj xi_j``) cannot make the corrupted cue itself the ground state. Unlike
classical zero-temperature dynamics, which stop in the first local minimum, the anneal looks
for the global one, so it can step over the spurious minima that appear as the load grows. It
needs no training (a variational ansatz would need an optimisation per cue), it is
deterministic before measurement (so recall is reproducible, and from a seed when sampled),
and it is a fixed circuit of RZ, IsingZZ and RX gates that any PennyLane device can run.
The defaults (``lambda = 0.25``, ``Gamma = 1``, ``T = 20``, 80 steps) are in the units of the
Hebbian local field (about 1 for a stored pattern) and were chosen on random patterns with
8-12 neurons. With P = 1 or 2 patterns at Hamming distance >= 3 from each other and from each
other's mirrors (so that a one-flip cue has a unique nearest memory), all 1350 one-flip cues
of 90 random memories were recalled, with the cued pattern's probability at least 0.56 (0.99
for P = 1). A cue midway between two patterns (distance 2 apart, the flipped bit one where they
differ) is genuinely ambiguous: the anneal then splits its weight between them.

**What counts as a recall.** :meth:`QuantumHopfield.recall` reports, for every stored
pattern, the probability of measuring it exactly (``probabilities``) and of measuring its
mirror image ``-xi`` (``mirror_probabilities``) separately. With the cue field the mirror is
a failure, not a success, so ``probabilities`` is the recall probability; the
mirror is reported because classical Hopfield dynamics treat ``+-xi`` as one memory
(:func:`qspin.hopfield_dynamics.retrieve` ranks patterns by ``|overlap|``).

**Simulation.** ``device=None`` (default) evolves the statevector in numpy (the cost
diagonal from :func:`qspin.qaoa.statevector.energy_diagonal`, see :func:`_rotate_x` for the
rotations; about 30 ms per recall at N = 10); ``device="lightning.qubit"`` (or any PennyLane
device name) builds the same circuit as a QNode and reads ``qml.probs``. Both give the same
probabilities to rounding. At most ``MAX_QUBITS`` neurons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

from qspin.conventions import basis_indices_to_spins, spins_to_basis_indices
from qspin.errors import ParameterError, ProblemError
from qspin.models.hopfield import check_patterns, corrupt, hopfield, overlaps
from qspin.problem import IsingProblem
from qspin.provenance import resolve_seed

__all__ = ["MAX_QUBITS", "QuantumHopfield", "QuantumRecall", "compare_recall"]

MAX_QUBITS = 20  # a full statevector and an all-to-all Trotter circuit (N (N - 1) / 2 IsingZZ per step)


@dataclass(frozen=True)
class QuantumRecall:
    """The outcome of :meth:`QuantumHopfield.recall` for one cue (arrays are read-only).

    ``state`` (N,) int8 is the decoded pattern (the most probable or most frequent bit string)
    and ``state_probability`` its probability (or frequency). For each stored pattern mu:
    ``overlaps[mu]`` of the decoded state, ``expected_overlaps[mu] = (1/N) sum_k xi_k <Z_k>``
    of the final quantum state, ``probabilities[mu]`` of measuring ``xi^mu`` exactly and
    ``mirror_probabilities[mu]`` of measuring ``-xi^mu``. ``best_pattern`` is the index of the
    largest ``|overlap|``. With ``shots`` the probabilities are frequencies; ``seed`` is the
    seed of the draw (None when exact).
    """

    state: np.ndarray
    state_probability: float
    overlaps: np.ndarray
    expected_overlaps: np.ndarray
    probabilities: np.ndarray
    mirror_probabilities: np.ndarray
    best_pattern: int
    shots: int | None
    seed: int | None


def _readonly(a) -> np.ndarray:
    a = np.asarray(a)
    a.flags.writeable = False
    return a


def _z_values(n: int) -> np.ndarray:
    """The spin ``s_k = 1 - 2 bit_k`` of qubit k in every basis state, int8 (2^n, n)."""
    return basis_indices_to_spins(np.arange(1 << n), n)


def _rotate_x(psi: np.ndarray, n: int, beta: float) -> None:
    """``psi <- exp(-i beta sum_k X_k) psi`` in place, one qubit at a time.

    Plain numpy: at these sizes (N <= 20) it is several times faster than the parallel kernel
    of :func:`qspin.qaoa.statevector.apply_mixer_layer` when the cores are shared (measured
    0.27 ms against 0.75-3 ms per layer at N = 10 on a loaded two-core machine).
    """
    c, s = math.cos(beta), -1j * math.sin(beta)
    for k in range(n):
        v = psi.reshape(-1, 2, 1 << k)  # axis 1 is qubit k
        flipped = v[:, ::-1, :] * s  # X_k psi, times -i sin(beta)
        v *= c
        v += flipped


def _positive(value, what: str, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ParameterError(f"{what} must be a finite number, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise ParameterError(f"{what} must be {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return float(value)


class QuantumHopfield:
    """Quantum Hopfield memory storing ``patterns`` (P, N) of +-1 (see the module docstring).

    Parameters
    ----------
    patterns : array (P, N) of +-1
        The memories (a single pattern may be 1-D).
    rule : str
        Learning rule of :func:`qspin.models.hopfield` ("hebb", "pseudo-inverse", "storkey").
    cue_strength : float
        ``lambda`` > 0, the cue field, in the units of the Hebbian local field.
    transverse_field : float
        ``Gamma``, the initial transverse field.
    anneal_time : float
        ``T``, the total evolution time.
    steps : int
        Trotter steps.
    shots : int or None
        None: decode from the exact probabilities; an integer: from that many samples.
    device : str or None
        None for qspin's statevector kernels, or a PennyLane device name.

    The constructor validates the patterns and the parameters and builds the Hopfield
    Hamiltonian (``problem``); nothing is simulated until a recall.
    """

    def __init__(
        self,
        patterns,
        rule: str = "hebb",
        *,
        cue_strength: float = 0.25,
        transverse_field: float = 1.0,
        anneal_time: float = 20.0,
        steps: int = 80,
        shots: int | None = None,
        device: str | None = None,
    ):
        xi = check_patterns(patterns)
        if xi.shape[1] > MAX_QUBITS:
            raise ParameterError(
                f"QuantumHopfield simulates one qubit per neuron, at most {MAX_QUBITS}; the patterns have "
                f"{xi.shape[1]} neurons. Store shorter patterns, or use qspin.hopfield_dynamics.retrieve"
            )
        self.cue_strength = _positive(cue_strength, "cue_strength")
        self.transverse_field = _positive(transverse_field, "transverse_field")
        self.anneal_time = _positive(anneal_time, "anneal_time")
        if isinstance(steps, bool) or not isinstance(steps, Integral) or steps < 1:
            raise ParameterError(f"steps must be a positive integer, got {steps!r}")
        if shots is not None and (isinstance(shots, bool) or not isinstance(shots, Integral) or shots < 1):
            raise ParameterError(f"shots must be a positive integer or None, got {shots!r}")
        if device is not None and (not isinstance(device, str) or not device):
            raise ParameterError(f"device must be None (qspin's simulator) or a PennyLane device name, got {device!r}")
        self.steps = int(steps)
        self.shots = None if shots is None else int(shots)
        self.device = device
        self.rule = rule
        self.problem: IsingProblem = hopfield(xi, rule=rule)
        self.patterns = _readonly(xi)

    def __repr__(self) -> str:
        P, N = self.patterns.shape
        return (
            f"QuantumHopfield(P={P}, N={N}, rule={self.rule!r}, cue_strength={self.cue_strength}, "
            f"transverse_field={self.transverse_field}, anneal_time={self.anneal_time}, steps={self.steps}, "
            f"shots={self.shots}, device={self.device!r})"
        )

    @property
    def num_neurons(self) -> int:
        return int(self.patterns.shape[1])

    @property
    def num_patterns(self) -> int:
        return int(self.patterns.shape[0])

    @property
    def load(self) -> float:
        """``alpha = P / N``."""
        return self.num_patterns / self.num_neurons

    # --- validation ------------------------------------------------------------------------

    def check_cue(self, cue) -> np.ndarray:
        """A cue as float64 (N,): entries +1, -1, or 0 for unknown; raise ProblemError otherwise."""
        n = self.num_neurons
        try:
            arr = np.asarray(cue)
        except (TypeError, ValueError):
            raise ProblemError(f"cue must be a length-{n} array of +1, -1 (or 0 for unknown)") from None
        if arr.dtype == object or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
            raise ProblemError(f"cue must hold the numbers +1, -1 (or 0 for unknown), got dtype {arr.dtype}")
        if arr.ndim != 1 or arr.shape[0] != n:
            raise ProblemError(f"cue must have shape ({n},) for a memory of {n} neurons, got {arr.shape}")
        bad = (arr != 1) & (arr != -1) & (arr != 0)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise ProblemError(f"cue[{k}] = {arr[k].item()!r}; cue entries must be +1, -1 or 0 (unknown)")
        return arr.astype(np.float64)

    # --- simulation ------------------------------------------------------------------------

    def _schedule(self):
        """(s_k, dt) at the midpoints of the Trotter steps."""
        dt = self.anneal_time / self.steps
        return (np.arange(self.steps) + 0.5) / self.steps, dt

    def _tilts(self, c: np.ndarray) -> np.ndarray:
        """RY angles of the ground state of ``-Gamma X_k - lambda c_k Z_k`` on each qubit."""
        return np.arctan2(self.transverse_field, self.cue_strength * c)

    def _probabilities_statevector(self, c: np.ndarray) -> np.ndarray:
        from qspin.qaoa.statevector import energy_diagonal

        n = self.num_neurons
        e_hop = np.asarray(energy_diagonal(self.problem))
        e_cue = -self.cue_strength * (_z_values(n) @ c)
        psi = np.ones(1, dtype=np.complex128)
        for theta in self._tilts(c)[::-1]:  # qubit 0 is the least significant bit
            psi = np.kron(psi, np.array([math.cos(theta / 2), math.sin(theta / 2)], dtype=np.complex128))
        s, dt = self._schedule()
        for sk in s.tolist():
            psi *= np.exp(-1j * dt * (sk * e_hop + e_cue))
            _rotate_x(psi, n, -(1.0 - sk) * self.transverse_field * dt)
        return np.abs(psi) ** 2

    def circuit(self, cue):
        """The recall circuit as a PennyLane QNode on ``device`` (lightning.qubit when None),
        returning ``qml.probs`` over wires 0..N-1 (PennyLane's order: wire 0 most significant)."""
        import pennylane as qml

        from qspin.compile.pennylane import cost_layer, mixer_layer

        c = self.check_cue(cue)
        n = self.num_neurons
        cue_problem = IsingProblem(-self.cue_strength * c)
        s, dt = self._schedule()
        tilts = self._tilts(c)
        dev = qml.device(self.device or "lightning.qubit", wires=n)

        @qml.qnode(dev, diff_method=None)
        def recall_circuit():
            for k in range(n):
                qml.RY(float(tilts[k]), wires=k)
            for sk in s.tolist():
                cost_layer(self.problem, sk * dt)
                cost_layer(cue_problem, dt)
                mixer_layer(n, -(1.0 - sk) * self.transverse_field * dt)
            return qml.probs(wires=range(n))

        return recall_circuit

    def probabilities(self, cue) -> np.ndarray:
        """Probabilities of the final state, float64 (2^N,), indexed as qspin's statevector
        (entry k is the pattern ``qspin.conventions.basis_indices_to_spins(k, N)``)."""
        c = self.check_cue(cue)
        if self.device is None:
            return self._probabilities_statevector(c)
        n = self.num_neurons
        probs = np.asarray(self.circuit(c)(), dtype=np.float64)
        # PennyLane puts wire 0 in the most significant bit; qspin in the least
        return np.ascontiguousarray(probs.reshape((2,) * n).transpose(range(n - 1, -1, -1)).reshape(-1))

    # --- recall ----------------------------------------------------------------------------

    def recall(self, cue, seed: int | None = None) -> QuantumRecall:
        """Recall from one ``cue``; overlaps and the probability of recalling each pattern."""
        n = self.num_neurons
        probs = self.probabilities(cue)
        if self.shots is None:
            dist, used_seed = probs, None
        else:
            used_seed = resolve_seed(seed)
            draws = np.random.default_rng(used_seed).choice(probs.size, size=self.shots, p=probs / probs.sum())
            dist = np.bincount(draws, minlength=probs.size) / self.shots
        k = int(np.argmax(dist))
        state = basis_indices_to_spins(k, n)[0]
        idx = spins_to_basis_indices(self.patterns)
        mirror = spins_to_basis_indices(-self.patterns)
        z = dist @ _z_values(n)  # <Z_k>
        m = overlaps(self.patterns, state)
        return QuantumRecall(
            state=_readonly(state),
            state_probability=float(dist[k]),
            overlaps=_readonly(m),
            expected_overlaps=_readonly(self.patterns.astype(np.float64) @ z / n),
            probabilities=_readonly(dist[idx]),
            mirror_probabilities=_readonly(dist[mirror]),
            best_pattern=int(np.argmax(np.abs(m))),
            shots=self.shots,
            seed=used_seed,
        )

    def retrieve(self, cue, seed: int | None = None) -> np.ndarray:
        """The recalled pattern (int8, (N,)) from a noisy or partial ``cue`` of length N
        (+-1 entries, 0 where unknown); a (C, N) array of cues gives (C, N), cue c drawn with
        its own stream of ``seed`` when ``shots`` is set."""
        arr = np.asarray(cue)
        if arr.ndim == 2 and arr.dtype != object:
            seeds = [None] * arr.shape[0]
            if self.shots is not None:
                seeds = [int(x) for x in np.random.SeedSequence(resolve_seed(seed)).generate_state(arr.shape[0])]
            out = np.array([self.recall(row, seed=s).state for row, s in zip(arr, seeds)], dtype=np.int8)
            return out.reshape(arr.shape[0], self.num_neurons)
        return np.array(self.recall(cue, seed=seed).state)

    def stability_margins(self) -> np.ndarray:
        """``min_k xi_k sum_j W_kj xi_j`` of each stored pattern (P,): a 1-flip cue is recalled
        only if this exceeds ``cue_strength`` (negative: the pattern is not even a fixed point)."""
        xi = self.patterns.astype(np.float64)
        W = -self.problem.to_dense()  # qspin's J = -W
        return np.min(xi * (xi @ W), axis=1)


def compare_recall(
    num_neurons: int,
    num_patterns,
    flips,
    *,
    trials: int = 10,
    seed: int | None = None,
    rule: str = "hebb",
    **quantum_options,
) -> list[dict]:
    """Recall rates of the quantum memory and of classical T = 0 dynamics on the same cues.

    For every load ``P`` in ``num_patterns`` and noise level ``k`` in ``flips``: ``trials``
    sets of random patterns (P, N), and from each a cue per pattern with ``k`` random flips.
    Both memories get the same patterns and cues; a recall succeeds when it returns the cued
    pattern exactly. Returns one row per (P, k): ``num_patterns``, ``load`` (P/N), ``flips``,
    ``noise`` (k/N), ``cues``, ``quantum_rate``, ``classical_rate``, ``quantum_overlap`` and
    ``classical_overlap`` (mean overlap with the cued pattern), ``quantum_probability`` (mean
    probability of measuring it).
    """
    from qspin.hopfield_dynamics import retrieve

    if isinstance(num_neurons, bool) or not isinstance(num_neurons, Integral) or num_neurons < 1:
        raise ParameterError(f"num_neurons must be a positive integer, got {num_neurons!r}")
    if isinstance(trials, bool) or not isinstance(trials, Integral) or trials < 1:
        raise ParameterError(f"trials must be a positive integer, got {trials!r}")
    N = int(num_neurons)
    master = np.random.SeedSequence(resolve_seed(seed))
    rows = []
    for P in np.atleast_1d(num_patterns).tolist():
        for k in np.atleast_1d(flips).tolist():
            if not (isinstance(P, int) and P >= 1 and isinstance(k, int) and 0 <= k <= N):
                raise ParameterError(f"num_patterns must be >= 1 and flips in 0..{N}, got P={P!r}, flips={k!r}")
            (cell,) = master.spawn(1)
            rng = np.random.default_rng(cell)
            q_ok = c_ok = 0
            q_m, c_m, q_p = [], [], []
            for _ in range(int(trials)):
                xi = rng.choice(np.array([-1, 1], dtype=np.int8), size=(P, N))
                memory = QuantumHopfield(xi, rule, **quantum_options)
                cues = np.array([corrupt(xi[mu], k, seed=int(rng.integers(2**63))) for mu in range(P)])
                classical = retrieve(memory.problem, cues, seed=int(rng.integers(2**63)))
                for mu in range(P):
                    rec = memory.recall(cues[mu], seed=int(rng.integers(2**63)))
                    q_ok += bool(np.array_equal(rec.state, xi[mu]))
                    c_ok += bool(np.array_equal(classical.state[mu], xi[mu]))
                    q_m.append(float(rec.overlaps[mu]))
                    c_m.append(float(classical.overlaps[mu, mu]))
                    q_p.append(float(rec.probabilities[mu]))
            cues_total = P * int(trials)
            rows.append(
                {
                    "num_patterns": P,
                    "load": P / N,
                    "flips": k,
                    "noise": k / N,
                    "cues": cues_total,
                    "quantum_rate": q_ok / cues_total,
                    "classical_rate": c_ok / cues_total,
                    "quantum_overlap": float(np.mean(q_m)),
                    "classical_overlap": float(np.mean(c_m)),
                    "quantum_probability": float(np.mean(q_p)),
                }
            )
    return rows
