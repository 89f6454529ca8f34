"""The QAOA optimiser loop, apart from any engine: strategies, optimisers, restarts, the trace.

:func:`optimise` sees only an :class:`Objective` per depth, a callable on ``(gammas, betas)``
with an optional gradient, so the statevector, Aer, IBM and PennyLane backends share it.
:class:`ExactObjective` (the statevector engine's ``<E>`` with the adjoint gradient, or the
exact CVaR) and :class:`SampledObjective` (the mean or CVaR of measured shots) are the two
objectives qspin ships; :func:`optimize` is the loop on the exact ``<E>`` as one call.
Conventions are qspin's (:mod:`qspin.qaoa`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from qspin.compile.warm_start import WARM_START_EPSILON
from qspin.errors import ParameterError
from qspin.problem import IsingProblem
from qspin.progress import check_progress
from qspin.progress import progress as progress_bar
from qspin.provenance import resolve_seed
from qspin.qaoa import cvar as cv
from qspin.qaoa.angles import (
    fourier_extrapolate,
    interp,
    linear_ramp,
    maxcut_regular_angles,
    random_angles,
    sk_angles,
)

__all__ = [
    "ANGLES_FROM",
    "FREE_OPTIMIZERS",
    "GRADIENT_OPTIMIZERS",
    "STRATEGIES",
    "ExactObjective",
    "LoopResult",
    "LoopSettings",
    "Objective",
    "QAOAResult",
    "SampledObjective",
    "fixed_angles",
    "local_field_rms",
    "optimise",
    "optimize",
]

STRATEGIES = ("fixed", "ramp", "interp", "fourier", "random")
GRADIENT_OPTIMIZERS = ("L-BFGS-B", "BFGS", "CG", "SLSQP", "TNC")
FREE_OPTIMIZERS = ("COBYLA", "Nelder-Mead", "Powell", "SPSA")
ANGLES_FROM = ("statevector", "engine")
COBYLA_RHOBEG = 0.3  # radians in the normalised coordinates (gamma times the field scale, beta)


# === the loop: engine-agnostic ================================================================


class Objective(Protocol):
    """What the loop minimises at one depth. ``gradient`` says whether ``value_and_gradient`` works."""

    gradient: bool

    def __call__(self, gammas: np.ndarray, betas: np.ndarray) -> float: ...

    def value_and_gradient(self, gammas: np.ndarray, betas: np.ndarray) -> tuple[float, np.ndarray]: ...


@dataclass(frozen=True)
class LoopSettings:
    """How to choose and optimise the angles (validated by the backends' ``check_parameters``)."""

    reps: int
    strategy: str = "interp"
    optimizer: str | None = None  # None: L-BFGS-B with a gradient, else COBYLA
    maxiter: int = 200
    restarts: int = 4
    optimize: bool = True
    initial: tuple[np.ndarray, np.ndarray] | None = None
    progress: bool | None = None  # a bar over the optimiser runs (None: when stderr is a terminal)


@dataclass
class LoopResult:
    gammas: np.ndarray
    betas: np.ndarray
    value: float | None  # the objective at the angles (None when not optimised)
    trace: list[float] = field(default_factory=list)
    nfev: int = 0
    strategy: str = ""
    optimizer: str | None = None
    message: str = ""


def local_field_rms(cost) -> float:
    """RMS over spins of ``sqrt(h_i^2 + sum_j J_ij^2)``: the energy per flip, gamma's natural scale.

    For a cost diagonal (length 2^n) the same scale is estimated as ``std(E) sqrt(2 / n)``.
    """
    if isinstance(cost, np.ndarray):
        n = max(cost.size.bit_length() - 1, 1)
        return max(float(np.std(cost)) * math.sqrt(2.0 / n), 1e-12)
    if not isinstance(cost, IsingProblem):
        raise ParameterError(f"cost must be an IsingProblem or a diagonal array, got {type(cost).__name__}")
    problem = cost
    i, j, w = problem.couplings
    sq = problem.h**2
    np.add.at(sq, i, w**2)
    np.add.at(sq, j, w**2)
    return max(math.sqrt(float(sq.mean())) if sq.size else 0.0, 1e-12)


def fixed_angles(problem: IsingProblem, p: int) -> tuple[np.ndarray, np.ndarray, str]:
    """Published angles transferred to ``problem`` (qspin's convention) and which table.

    A 3-regular graph with one positive coupling ``J`` and no fields is Max-Cut with weight
    ``2J``: the fixed-angle table (p <= 11) with gamma divided by ``2J``. Anything else gets the
    SK table (p <= 17) with gamma divided by the RMS local field times ``sqrt(n / (n - 1))``,
    which is 1 on average on SK instances (couplings ``N(0, 1/n)``).
    """
    n = problem.num_spins
    i, j, w = problem.couplings
    degree = np.bincount(np.concatenate([i, j]), minlength=n)
    if n >= 4 and w.size and not problem.h.any() and w[0] > 0 and np.allclose(w, w[0]) and (degree == 3).all():
        a = maxcut_regular_angles(p)
        return a.gammas * (0.5 / float(w[0])), a.betas, "maxcut-3-regular"
    a = sk_angles(p)
    scale = local_field_rms(problem) * (math.sqrt(n / (n - 1)) if n > 1 else 1.0)
    return a.gammas / scale, a.betas, "sk"


def _to_x(g, b, scale):
    return np.concatenate([np.asarray(g) * scale, np.asarray(b)])


def _spsa(fun, x0: np.ndarray, maxiter: int, rng: np.random.Generator) -> tuple[np.ndarray, float, str]:
    """Simultaneous-perturbation stochastic approximation (Spall's gains, calibrated first step 0.2)."""
    alpha, gam, c, A = 0.602, 0.101, 0.1, 0.1 * maxiter

    def gradient(x, ck):
        delta = rng.choice([-1.0, 1.0], size=x.size)
        return (fun(x + ck * delta) - fun(x - ck * delta)) / (2.0 * ck) * delta

    size = float(np.mean([np.mean(np.abs(gradient(x0, c))) for _ in range(2)]))
    a = 0.2 * (A + 1.0) ** alpha / max(size, 1e-12)
    x = np.array(x0, dtype=float)
    for k in range(maxiter):
        x = x - a / (k + 1.0 + A) ** alpha * gradient(x, c / (k + 1.0) ** gam)
    return x, float(fun(x)), f"SPSA: {maxiter} iterations"


def _minimise(objective: Objective, g0, b0, *, scale, optimizer, maxiter, rng, trace) -> tuple:
    """One optimiser run at one depth, in coordinates ``(gamma * scale, beta)``."""
    from scipy.optimize import minimize

    q = len(g0)

    def split(x):
        return x[:q] / scale, x[q:]

    def fun(x):
        value = float(objective(*split(x)))
        trace.append(value)
        return value

    def fun_grad(x):
        value, grad = objective.value_and_gradient(*split(x))
        trace.append(float(value))
        return float(value), np.concatenate([grad[:q] / scale, grad[q:]])

    x0 = _to_x(g0, b0, scale)
    if optimizer == "SPSA":
        x, value, message = _spsa(fun, x0, maxiter, rng)
    elif optimizer in GRADIENT_OPTIMIZERS:
        res = minimize(fun_grad, x0, jac=True, method=optimizer, options={"maxiter": maxiter})
        x, value, message = res.x, float(res.fun), str(res.message)
    else:
        options = {"maxiter": maxiter, "rhobeg": COBYLA_RHOBEG} if optimizer == "COBYLA" else {"maxfev": maxiter}
        res = minimize(fun, x0, method=optimizer, options=options)
        x, value, message = res.x, float(res.fun), str(res.message)
    g, b = split(np.asarray(x, dtype=float))
    return g, b, value, message


def optimise(cost, objective_at: Callable[[int], Objective], settings: LoopSettings, *, seed: int) -> LoopResult:
    """Choose starting angles by ``settings.strategy`` and optimise them (or not) at depth ``reps``.

    ``cost`` (an IsingProblem, or a cost diagonal) sets the angle scale and the fixed-angle
    table. ``objective_at(q)`` is the objective at depth q; the staged strategies ("interp",
    "fourier") optimise depths 1..p, each started from the previous one. Every evaluation is
    recorded in the trace, in order.
    """
    p, strategy = settings.reps, settings.strategy
    scale = local_field_rms(cost)
    dt = 0.75 / scale
    if settings.initial is not None:
        starts, strategy = [settings.initial], "initial"
    elif strategy == "fixed":
        if not isinstance(cost, IsingProblem):
            raise ParameterError("strategy 'fixed' transfers published angles to an IsingProblem, not to a diagonal")
        g, b, table = fixed_angles(cost, p)
        starts, strategy = [(g, b)], f"fixed ({table})"
    elif strategy == "ramp":
        starts = [linear_ramp(p, dt)]
    elif strategy == "random":
        seeds = np.random.SeedSequence([seed, 11]).generate_state(settings.restarts)
        starts = [random_angles(p, seed=int(s), gamma_max=2 * dt) for s in seeds]
    else:
        starts = None  # staged
    if not settings.optimize:
        if starts is None or len(starts) != 1:
            raise ParameterError(f"strategy {strategy!r} needs optimisation; with optimize=False use 'fixed' or 'ramp'")
        g, b = starts[0]
        return LoopResult(np.asarray(g, float), np.asarray(b, float), None, strategy=strategy)

    objective = objective_at(p)
    optimizer = settings.optimizer or ("L-BFGS-B" if objective.gradient else "COBYLA")
    rng = np.random.default_rng([seed, 12])
    runs = len(starts) if starts is not None else p
    trace: list[float] = []
    run = dict(scale=scale, optimizer=optimizer, maxiter=settings.maxiter, rng=rng, trace=trace)
    label = f"qaoa p={p} {strategy}: " + ("starts" if starts is not None else "depths")
    with progress_bar(label, runs, enabled=settings.progress) as advance:  # one step per optimiser run
        if starts is not None:
            results = []
            for g0, b0 in starts:
                results.append(_minimise(objective, g0, b0, **run))
                advance(1)
            best = min(results, key=lambda r: r[2])
        else:
            step = interp if strategy == "interp" else fourier_extrapolate
            g, b = linear_ramp(1, dt)
            for q in range(1, p + 1):
                if q > 1:
                    g, b = step(g, b)
                best = _minimise(objective if q == p else objective_at(q), g, b, **run)
                g, b = best[0], best[1]
                advance(1)
    g, b, value, message = best
    return LoopResult(np.asarray(g), np.asarray(b), value, trace, len(trace), strategy, optimizer, message)


# === objectives: one per kind of engine =======================================================


class ExactObjective:
    """``<E>`` (with the adjoint gradient) or the exact CVaR, on qspin's statevector engine.

    ``problem``: an IsingProblem or a cost diagonal of length 2^n; ``warm``: ``initial_state``
    and ``epsilon`` of a warm start.
    """

    def __init__(self, problem, cvar_alpha: float | None = None, **warm):
        self.problem = problem
        self.cvar_alpha = cvar_alpha
        self.gradient = cvar_alpha is None
        self.warm = warm  # initial_state / epsilon of a warm start, if any

    def __call__(self, gammas, betas) -> float:
        from qspin.qaoa.statevector import energy_diagonal, expectation, probabilities

        if self.cvar_alpha is None:
            return expectation(self.problem, gammas, betas, **self.warm)
        diag = energy_diagonal(self.problem) if isinstance(self.problem, IsingProblem) else self.problem
        return cv.cvar(diag, probabilities(self.problem, gammas, betas, **self.warm), self.cvar_alpha)

    def value_and_gradient(self, gammas, betas):
        from qspin.qaoa.statevector import expectation_and_gradient

        value, dg, db = expectation_and_gradient(self.problem, gammas, betas, **self.warm)
        return value, np.concatenate([dg, db])


class SampledObjective:
    """The mean or CVaR of ``shots`` measured energies; ``engine.counts(g, b, shots, seed)``
    runs the circuit, with a fresh seed (derived from ``seed``) at every call."""

    gradient = False

    def __init__(self, problem: IsingProblem, engine, shots: int, seed: int, cvar_alpha: float | None = None):
        self.problem = problem
        self.engine = engine
        self.shots = shots
        self.seed = seed
        self.cvar_alpha = cvar_alpha
        self.calls = 0

    def __call__(self, gammas, betas) -> float:
        self.calls += 1
        key = [self.seed, 13, int(getattr(self.engine, "reps", 0)), self.calls]  # distinct per depth and call
        seed = int(np.random.SeedSequence(key).generate_state(1, np.uint32)[0])
        spins, counts = self.engine.counts(gammas, betas, self.shots, seed)
        return cv.cvar(self.problem.energies(spins), counts, self.cvar_alpha)

    def value_and_gradient(self, gammas, betas):  # pragma: no cover - gradient is False
        raise NotImplementedError("measured energies have no exact gradient")


# === the loop as one call on the exact <E> ======================================================


@dataclass(frozen=True)
class QAOAResult:
    """Optimised angles (qspin's convention) and how they were found."""

    gammas: np.ndarray
    betas: np.ndarray
    value: float  # <E> at the angles
    trace: tuple[float, ...]  # <E> at every evaluation, all stages and restarts in order
    nfev: int  # evaluations of <E> and its gradient, all stages together
    strategy: str
    message: str


def optimize(
    cost,
    p: int,
    *,
    strategy: str = "interp",
    optimizer: str = "L-BFGS-B",
    seed: int | None = None,
    restarts: int = 4,
    initial=None,
    maxiter: int = 500,
    progress: bool | None = None,
    initial_state=None,
    epsilon: float = WARM_START_EPSILON,
) -> QAOAResult:
    """Minimise ``<E>`` over depth-p angles on the statevector engine (the backends' loop).

    ``strategy``: ``"ramp"`` (start from :func:`~qspin.qaoa.angles.linear_ramp`), ``"interp"`` /
    ``"fourier"`` (optimise depth 1, 2, ..., p, each started from the previous by
    :func:`~qspin.qaoa.angles.interp` / :func:`~qspin.qaoa.angles.fourier_extrapolate`),
    ``"random"`` (``restarts`` seeded random starts, best kept), ``"fixed"`` (published angles,
    then optimised). ``initial=(gammas, betas)`` starts depth p from given angles instead. The
    ramp step and the random gamma range are scaled by the RMS local field of the problem;
    gradient optimisers use the adjoint gradient. ``initial_state`` (spins) and ``epsilon``
    optimise a warm-started QAOA instead. ``progress`` draws a bar over the optimiser runs (depths or starts)
    (None: when stderr is a terminal and QSPIN_PROGRESS is not 0).
    """
    from qspin.qaoa.statevector import check_angles

    linear_ramp(p)  # validates p
    if strategy not in STRATEGIES:
        raise ParameterError(f"strategy must be one of {', '.join(map(repr, STRATEGIES))}, got {strategy!r}")
    if optimizer not in GRADIENT_OPTIMIZERS + FREE_OPTIMIZERS:
        raise ParameterError(
            f"optimizer must be one of {', '.join(GRADIENT_OPTIMIZERS + FREE_OPTIMIZERS)}, got {optimizer!r}"
        )
    for name, value in (("restarts", restarts), ("maxiter", maxiter)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ParameterError(f"{name} must be a positive integer, got {value!r}")
    if initial is not None:
        initial = check_angles(*initial)
        if initial[0].size != p:
            raise ParameterError(f"initial angles have {initial[0].size} layers but p = {p}")
    settings = LoopSettings(
        reps=p,
        strategy=strategy,
        optimizer=optimizer,
        maxiter=int(maxiter),
        restarts=int(restarts),
        initial=initial,
        progress=check_progress(progress),
    )
    objective = ExactObjective(cost, initial_state=initial_state, epsilon=epsilon)
    res = optimise(cost, lambda q: objective, settings, seed=resolve_seed(seed))
    return QAOAResult(res.gammas, res.betas, float(res.value), tuple(res.trace), res.nfev, res.strategy, res.message)
