"""qspin's QAOA statevector engine, specialised for diagonal (Ising) costs.

The state is ``|gamma, beta> = prod_{k=1..p} exp(-i beta_k sum_j X_j) exp(-i gamma_k E) |+>^n``
(layer 1 acts first) with ``E`` the full problem energy, fields and offset included (the offset
is a global phase); ``<E>`` is the quantity to minimise. Published angles that maximise a cut
or ``C = -E`` map onto this by :func:`qspin.qaoa.angles.to_qspin_angles` (negate beta).

Amplitude ``k`` is the basis state with qubit ``q`` = bit ``q`` of ``k`` (qubit 0 least
significant, as Qiskit) and spin ``1 - 2 bit`` (see :mod:`qspin.conventions`). The cost
diagonal ``E_k`` is computed once per problem (and cached by fingerprint); a layer is then one
fused phase + low-qubit mixer pass over memory plus one pass per ``HIGH_BITS`` further qubits.
The kernels hold the state as separate real and imaginary float64 arrays.

When ``E(s) = E(-s)`` (no fields, or any diagonal with ``E[k] = E[~k]``) the state keeps
``psi[~k] = psi[k]`` from ``|+>^n`` on, and only the half with the top qubit clear is stored and
evolved: half the memory and time. ``FLIP_SYMMETRY = False`` turns this off. Functions taking ``cost`` accept an :class:`~qspin.problem.IsingProblem` or any real diagonal
of length ``2^n`` (e.g. from :func:`energy_diagonal`, or a higher-order cost).
"""

from __future__ import annotations

import functools
import math
import os
import threading
from collections import OrderedDict
from typing import NamedTuple

import numba
import numpy as np

from qspin.compile.warm_start import WARM_START_EPSILON, warm_start
from qspin.conventions import basis_indices_to_spins
from qspin.errors import ParameterError
from qspin.problem import IsingProblem
from qspin.provenance import resolve_seed
from qspin.qaoa import _sv_adjoint as A
from qspin.qaoa import _sv_kernels as K

__all__ = [
    "apply_cost_layer",
    "apply_mixer_layer",
    "available_memory",
    "check_angles",
    "check_memory",
    "clear_diagonal_cache",
    "energy_diagonal",
    "expectation",
    "expectation_and_gradient",
    "layer_passes",
    "probabilities",
    "sample",
    "statevector",
]

MAX_QUBITS = 40  # hard cap whatever the memory: 2^40 amplitudes are 16 TiB
LOW_BITS = 12  # qubits rotated inside one cache-resident block of the low pass (64 KiB)
HIGH_BITS = 6  # at most this many qubits rotated per high pass
TILE_AMPS = 1 << 16  # amplitudes per high-pass tile (1 MiB: long rows beat L2 residency; n=24 1.3x faster than 2^14)
FLIP_SYMMETRY = True  # store half the state when E(s) = E(-s) (no fields); False: always the full state
SPLIT_PAD = 72  # floats between the real and imaginary arrays (see _allocate)
DIAG_LOW_BITS = 10  # spins per block of the diagonal kernel
MEMORY_FRACTION = 0.9  # of the available memory a simulation may plan to use
CACHE_ENTRIES = 4
CACHE_BYTES = 2 << 30


# --- validation ----------------------------------------------------------------------------


def available_memory() -> int | None:
    """Bytes of memory available now (psutil, else sysconf), or None when unknown."""
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except ImportError:
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def check_memory(num_qubits: int, complex_arrays: int, real_arrays: int = 0) -> None:
    """Raise :class:`ParameterError` unless ``complex_arrays`` complex128 and ``real_arrays``
    float64 arrays of ``2^num_qubits`` entries fit in the available memory."""
    if num_qubits > MAX_QUBITS:
        raise ParameterError(
            f"the statevector engine simulates at most {MAX_QUBITS} qubits; this problem has {num_qubits}"
        )
    need = (16 * complex_arrays + 8 * real_arrays) * 2.0**num_qubits
    avail = available_memory()
    if avail is not None and need > MEMORY_FRACTION * avail:
        raise ParameterError(
            f"simulating {num_qubits} qubits needs {need / 2**30:.1f} GiB ({complex_arrays} complex statevector(s) "
            f"and {real_arrays} real diagonal(s) of 2^{num_qubits} entries) but only {avail / 2**30:.1f} GiB is "
            f"available; use fewer spins, or a sampling backend (Aer MPS, hardware) for this size"
        )


def _as_angles(x, what: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype == object or np.iscomplexobj(arr) or not np.issubdtype(arr.dtype, np.number):
        raise ParameterError(f"{what} must be real numbers, got {x!r}")
    arr = np.atleast_1d(arr.astype(np.float64))
    if arr.ndim != 1:
        raise ParameterError(f"{what} must be one-dimensional (one angle per layer), got shape {arr.shape}")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise ParameterError(f"{what}[{bad[0]}] = {arr[bad[0]]} is not finite")
    return arr


def _as_angle(x, what: str) -> float:
    arr = _as_angles(x, what)
    if arr.size != 1:
        raise ParameterError(f"{what} must be one number, got {arr.size}")
    return float(arr[0])


def check_angles(gammas, betas) -> tuple[np.ndarray, np.ndarray]:
    """Validated float64 copies of ``(gammas, betas)``: equal lengths p >= 1, finite."""
    g, b = _as_angles(gammas, "gammas"), _as_angles(betas, "betas")
    if g.size != b.size:
        raise ParameterError(f"gammas has {g.size} angles but betas has {b.size}; give one pair per layer")
    if g.size == 0:
        raise ParameterError("QAOA needs at least one layer (p >= 1); the angle arrays are empty")
    return g, b


# --- the cost diagonal, cached by problem fingerprint ---------------------------------------

_cache: OrderedDict[str, tuple[np.ndarray, float]] = OrderedDict()
_cache_lock = threading.Lock()


def clear_diagonal_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _problem_diagonal(problem: IsingProblem) -> tuple[np.ndarray, float]:
    key = problem.fingerprint
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    n = problem.num_spins
    if n < 1:
        raise ParameterError("QAOA needs a problem with at least one spin")
    check_memory(n, 0, 1)
    diag = np.empty(1 << n)
    J = np.ascontiguousarray(problem.to_dense())
    K.ising_diagonal(J, np.ascontiguousarray(problem.h), problem.offset, min(n, DIAG_LOW_BITS), diag)
    diag.flags.writeable = False
    entry = (diag, problem.energy_scale)  # energy_scale bounds |E|
    if diag.nbytes <= CACHE_BYTES:
        with _cache_lock:
            _cache[key] = entry
            while len(_cache) > CACHE_ENTRIES or sum(d.nbytes for d, _ in _cache.values()) > CACHE_BYTES:
                _cache.popitem(last=False)
    return entry


def energy_diagonal(problem: IsingProblem) -> np.ndarray:
    """``E`` of every basis state, float64 (2^n,), read-only; entry ``k`` is the energy of
    ``basis_indices_to_spins(k, n)``. Cached per problem fingerprint (a small LRU)."""
    if not isinstance(problem, IsingProblem):
        raise ParameterError(f"energy_diagonal needs an IsingProblem, got {type(problem).__name__}")
    return _problem_diagonal(problem)[0]


class _Cost(NamedTuple):
    diag: np.ndarray  # E of every basis state, read-only
    bound: float  # >= max |E|
    n: int
    symmetric: bool  # E(s) = E(-s): the engine stores only the half with the top qubit clear (psi[~k] = psi[k])
    start: np.ndarray | None = None  # RY angles of a warm-start product state; None: |+>^n

    @property
    def stored(self) -> np.ndarray:
        """E on the amplitudes the engine stores."""
        return self.diag[: self.diag.size // 2] if self.symmetric else self.diag


def _cost(cost, complex_arrays: int, real_arrays: int = 0, initial_state=None, epsilon=WARM_START_EPSILON) -> _Cost:
    """The cost diagonal and its facts, after the memory check for the arrays the caller will add;
    with ``initial_state`` (spins) the evolution starts from a warm-start product state instead."""
    out = _cost_diagonal(cost, complex_arrays, real_arrays)
    if initial_state is None:
        return out
    return out._replace(symmetric=False, start=warm_start(initial_state, out.n, epsilon))


def _cost_diagonal(cost, complex_arrays: int, real_arrays: int) -> _Cost:
    if isinstance(cost, IsingProblem):
        n = cost.num_spins
        if n < 1:
            raise ParameterError("QAOA needs a problem with at least one spin")
        with _cache_lock:
            cached = cost.fingerprint in _cache
        check_memory(n, complex_arrays, real_arrays + (0 if cached else 1))
        diag, bound = _problem_diagonal(cost)
        return _Cost(diag, bound, n, FLIP_SYMMETRY and n >= 2 and not cost.h.any())
    if not isinstance(cost, np.ndarray):
        raise ParameterError(f"cost must be an IsingProblem or a diagonal array, got {type(cost).__name__}")
    if cost.ndim != 1 or cost.size < 2 or cost.size & (cost.size - 1):
        raise ParameterError(f"a cost diagonal must be one-dimensional of length 2^n (n >= 1), got shape {cost.shape}")
    if np.iscomplexobj(cost) or not np.issubdtype(cost.dtype, np.number):
        raise ParameterError(f"a cost diagonal must be real, got dtype {cost.dtype}")
    n = cost.size.bit_length() - 1
    check_memory(n, complex_arrays, real_arrays)
    diag = np.ascontiguousarray(cost, dtype=np.float64).view()
    diag.flags.writeable = False  # the kernels are compiled for read-only diagonals only
    bound = float(np.max(np.abs(diag)))
    if not math.isfinite(bound):
        raise ParameterError("the cost diagonal has non-finite entries")
    return _Cost(diag, bound, n, FLIP_SYMMETRY and n >= 2 and _mirror_symmetric(diag, bound))


def _mirror_symmetric(diag: np.ndarray, bound: float) -> bool:
    """E[k] = E[~k] up to rounding (1e-13 of max |E|): a diagonal with the global spin-flip symmetry."""
    half = diag.size // 2
    return bool(np.max(np.abs(diag[:half] - diag[: half - 1 : -1])) <= 1e-13 * max(bound, 1.0))


# --- layers --------------------------------------------------------------------------------


def _high_plan(n: int) -> list[tuple[int, int, int]]:
    """(first qubit, qubits, tile segment) of each high pass."""
    low = min(n, LOW_BITS)
    rest = n - low
    if rest == 0:
        return []
    groups = -(-rest // HIGH_BITS)
    plan, lo = [], low
    for g in range(groups):
        m = rest // groups + (1 if g < rest % groups else 0)
        plan.append((lo, m, min(1 << lo, max(1, TILE_AMPS >> m))))
        lo += m
    return plan


def layer_passes(num_qubits: int) -> int:
    """Passes over the statevector per QAOA layer (the phase rides on the first)."""
    return 1 + len(_high_plan(num_qubits))


def _fast(gamma: float, bound: float) -> bool:
    return abs(gamma) * bound < K.FAST_TRIG_LIMIT


def _check_psi(psi: np.ndarray) -> int:
    """n for a valid complex128 state of length 2^n."""
    if not (isinstance(psi, np.ndarray) and psi.dtype == np.complex128 and psi.ndim == 1):
        raise ParameterError("psi must be a one-dimensional complex128 array")
    if psi.size < 2 or psi.size & (psi.size - 1):
        raise ParameterError(f"psi must have length 2^n, got {psi.size}")
    return psi.size.bit_length() - 1


def _allocate(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Uninitialised (real parts, imaginary parts), float64 (size,) each: the kernels' layout.

    Both live in one buffer, the second ``SPLIT_PAD`` floats after the first ends: with a
    power-of-two distance every butterfly's eight streams would share one L1 cache set (the
    high passes ran 2.2x slower that way).
    """
    buf = np.empty(2 * size + SPLIT_PAD)
    return buf[:size], buf[size + SPLIT_PAD :]


def _split(psi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = _allocate(psi.size)
    x[:], y[:] = psi.real, psi.imag
    return x, y


def _join(x: np.ndarray, y: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    psi = np.empty(x.size, dtype=np.complex128) if out is None else out
    psi.real, psi.imag = x, y
    return psi


def apply_cost_layer(psi: np.ndarray, cost, gamma: float) -> None:
    """``psi <- exp(-i gamma E) psi`` in place (a convenience: it converts to the kernels'
    split layout and back, so it costs three passes more than a layer inside the engine)."""
    n = _check_psi(psi)
    diag, bound, *_ = _cost(cost, 1)
    if diag.size != psi.size:
        raise ParameterError(f"psi has {psi.size} amplitudes but the cost diagonal has {diag.size}")
    g = _as_angle(gamma, "gamma")
    x, y = _split(psi)
    K.phase_low(x, y, diag, g, 1.0, 0.0, min(n, LOW_BITS), False, False, _fast(g, bound))
    _join(x, y, psi)


def apply_mixer_layer(psi: np.ndarray, beta: float) -> None:
    """``psi <- exp(-i beta sum_j X_j) psi`` in place (converting layouts, as ``apply_cost_layer``)."""
    n = _check_psi(psi)
    b = _as_angle(beta, "beta")
    c, s = math.cos(b), math.sin(b)
    x, y = _split(psi)
    K.mix_low(x, y, c, s, min(n, LOW_BITS))
    for lo, m, seg in _high_plan(n):
        K.mix_high(x, y, lo, m, seg, c, s)
    _join(x, y, psi)


def _evolve(cost: _Cost, gammas: np.ndarray, betas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The QAOA state as (real parts, imaginary parts) of the stored amplitudes (see ``_Cost``)."""
    diag, m = cost.stored, cost.n - cost.symmetric  # m: qubits indexing the stored amplitudes
    x, y = _allocate(diag.size)
    if cost.start is not None:
        _product_state(cost.start, x)
        y[:] = 0.0
    low, plan = min(m, LOW_BITS), _high_plan(m)
    for k, (g, b) in enumerate(zip(gammas.tolist(), betas.tolist())):
        c, s = math.cos(b), math.sin(b)
        fast = _fast(g, cost.bound)
        init = k == 0 and cost.start is None  # the first layer writes |+>^n as it goes
        if cost.symmetric:
            K.phase_low_sym(x, y, diag, g, c, s, low, init, fast)
        else:
            K.phase_low(x, y, diag, g, c, s, low, True, init, fast)
        for lo, q, seg in plan:
            K.mix_high(x, y, lo, q, seg, c, s)
    return x, y


def _product_state(angles: np.ndarray, out: np.ndarray) -> None:
    """``out`` = amplitudes of ``prod_q RY(angles[q])|0>`` (real), built in place by doubling."""
    out[0] = 1.0
    for q, theta in enumerate(angles.tolist()):
        half = 1 << q
        out[half : 2 * half] = out[:half] * math.sin(theta / 2)
        out[:half] *= math.cos(theta / 2)


def _unfold(half: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Fill ``out`` (2^n,) from per-amplitude values of the stored half: psi[~k] = psi[k]."""
    out[: half.size] = half
    out[half.size :] = half[::-1]
    return out


# --- public engine -------------------------------------------------------------------------


SERIAL_BELOW = 14  # below 2^14 amplitudes, thread start-up costs more than the work


def _serial_when_small(fn):
    """Run ``fn`` on one numba thread for small problems (threads only add latency there)."""

    @functools.wraps(fn)
    def wrapper(cost, *args, **kwargs):
        n = cost.num_spins if isinstance(cost, IsingProblem) else int(np.size(cost)).bit_length() - 1
        if n >= SERIAL_BELOW:
            return fn(cost, *args, **kwargs)
        previous = numba.get_num_threads()
        numba.set_num_threads(1)
        try:
            return fn(cost, *args, **kwargs)
        finally:
            numba.set_num_threads(previous)

    return wrapper


@_serial_when_small
def statevector(cost, gammas, betas, *, initial_state=None, epsilon: float = WARM_START_EPSILON) -> np.ndarray:
    """The QAOA state ``|gamma, beta>``, complex128 (2^n,).

    ``initial_state`` (+-1 spins) starts from a warm-start product state instead of ``|+>^n``
    (see :mod:`qspin.compile.warm_start`); every function of the engine takes it.
    """
    gammas, betas = check_angles(gammas, betas)
    cost = _cost(cost, 2, 0, initial_state, epsilon)
    x, y = _evolve(cost, gammas, betas)
    if cost.symmetric:
        return _unfold(_join(x, y), np.empty(cost.diag.size, dtype=np.complex128))
    return _join(x, y)


@_serial_when_small
def probabilities(cost, gammas, betas, *, initial_state=None, epsilon: float = WARM_START_EPSILON) -> np.ndarray:
    """``|<k|gamma, beta>|^2`` for every basis index k, float64 (2^n,)."""
    gammas, betas = check_angles(gammas, betas)
    return _probabilities(_cost(cost, 1, 1, initial_state, epsilon), gammas, betas)


def _probabilities(cost: _Cost, gammas: np.ndarray, betas: np.ndarray) -> np.ndarray:
    out = np.empty(cost.diag.size)
    x, y = _evolve(cost, gammas, betas)
    K.probabilities(x, y, out[: x.size])
    return _unfold(out[: x.size], out) if cost.symmetric else out


@_serial_when_small
def expectation(cost, gammas, betas, *, initial_state=None, epsilon: float = WARM_START_EPSILON) -> float:
    """``<gamma, beta| E |gamma, beta>`` (one dot product with the cost diagonal)."""
    gammas, betas = check_angles(gammas, betas)
    cost = _cost(cost, 1, 0, initial_state, epsilon)
    return (1.0 + cost.symmetric) * float(K.expectation(*_evolve(cost, gammas, betas), cost.stored))


@_serial_when_small
def expectation_and_gradient(
    cost, gammas, betas, *, initial_state=None, epsilon: float = WARM_START_EPSILON
) -> tuple[float, np.ndarray, np.ndarray]:
    """``(<E>, d<E>/dgamma, d<E>/dbeta)`` exactly, by the adjoint method.

    With ``psi`` the final state and ``lam = E psi``, both are carried back through the
    layers. For a gate ``exp(-i theta G)``, ``d<E>/dtheta = 2 Re <lam'| -iG |psi'> =
    2 Im <lam'|G|psi'>`` with ``lam'``, ``psi'`` taken just after that gate; so
    ``d/dbeta_k = 2 Im <lam|sum_j X_j|psi>`` after mixer k and ``d/dgamma_k = 2 Im <lam|E|psi>``
    after phase k. The backward sweep costs about twice the forward one (two arrays).
    For a flip-symmetric cost every inner product is twice its share on the stored half.
    """
    gammas, betas = check_angles(gammas, betas)
    cost = _cost(cost, 2, 0, initial_state, epsilon)
    diag, m, weight = cost.stored, cost.n - cost.symmetric, 1.0 + cost.symmetric
    x, y = _evolve(cost, gammas, betas)
    u, w = _allocate(diag.size)  # lam = E psi
    value = weight * float(K.times_diagonal(x, y, diag, u, w))
    dg, db = np.empty(gammas.size), np.empty(betas.size)
    low, plan = min(m, LOW_BITS), _high_plan(m)
    unmix_unphase_low = A.unmix_unphase_low_sym if cost.symmetric else A.unmix_unphase_low
    for k in range(gammas.size - 1, -1, -1):
        g, b = float(gammas[k]), float(betas[k])
        c, s = math.cos(b), math.sin(b)
        xs = sum(A.unmix_high(x, y, u, w, lo, q, seg, c, s) for lo, q, seg in plan)
        x_low, e_term = unmix_unphase_low(x, y, u, w, diag, g, c, s, low, _fast(g, cost.bound))
        db[k] = 2.0 * weight * (xs + x_low)
        dg[k] = 2.0 * weight * e_term
    return value, dg, db


@_serial_when_small
def sample(
    cost, gammas, betas, shots: int, seed: int | None = None, *, initial_state=None, epsilon: float = WARM_START_EPSILON
) -> np.ndarray:
    """``shots`` spin rows (int8, (shots, n)) drawn from ``|<k|gamma, beta>|^2``.

    The draw uses ``numpy.random.default_rng(seed)`` (a fresh seed when None).
    """
    if isinstance(shots, bool) or not isinstance(shots, (int, np.integer)) or shots < 1:
        raise ParameterError(f"shots must be a positive integer, got {shots!r}")
    rng = np.random.default_rng(resolve_seed(seed))
    gammas, betas = check_angles(gammas, betas)
    cost = _cost(cost, 1, 1, initial_state, epsilon)
    cdf = _probabilities(cost, gammas, betas)
    np.cumsum(cdf, out=cdf)
    idx = np.searchsorted(cdf, rng.random(int(shots)) * cdf[-1], side="right")
    return basis_indices_to_spins(np.minimum(idx, cdf.size - 1), cost.n)
