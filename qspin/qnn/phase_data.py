"""Labelled Ising-ferromagnet configurations and the classical baselines of the phase classifier.

The data: spin configurations of a ferromagnet on an ``L x L`` torus (``E = -sum_<ij> s_i s_j``,
qspin couplings ``J = -1`` on the nearest-neighbour bonds) drawn by Metropolis Monte Carlo at a
fixed temperature with qspin's own ``"sa"`` backend (a constant schedule ``beta_range=(1/T, 1/T)``
from a random start; each read is one independent configuration). Configurations drawn below
the 2D critical temperature ``T_c = 2 / ln(1 + sqrt 2) ~ 2.269`` are labelled 1 ("ordered"),
those above it 0 ("disordered").

The baselines, both scikit-learn-style estimators (``fit``, ``predict``, ``predict_proba``,
``score``; parameters stored unmodified in ``__init__``):

* :class:`MagnetizationThreshold`: the classical order parameter ``|m| = |sum_i s_i| / N``
  with the threshold that best separates the training set;
* :class:`LogisticRegression`: L2-regularised logistic regression (scipy's L-BFGS), on the raw
  spins (``features="spins"``, a linear model, blind to the Z2 symmetry ``s -> -s`` of the
  order parameter) or on the pair products ``s_i s_j`` (``features="pairs"``, Z2-symmetric
  like the quantum classifier's readout).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

from qspin.errors import ParameterError, ProblemError
from qspin.problem import IsingProblem
from qspin.provenance import resolve_seed
from qspin.spin_arrays import as_spin_array

__all__ = [
    "T_C_2D",
    "bayes_accuracy",
    "LogisticRegression",
    "MagnetizationThreshold",
    "PhaseData",
    "check_spin_matrix",
    "ferromagnet",
    "magnetization",
    "phase_dataset",
    "sample_configurations",
]

T_C_2D = 2.0 / math.log(1.0 + math.sqrt(2.0))  # Onsager's critical temperature, J = k_B = 1


def ferromagnet(shape=(3, 3), *, periodic: bool = True) -> IsingProblem:
    """The nearest-neighbour Ising ferromagnet ``E = -sum_<ij> s_i s_j`` on a hypercubic lattice."""
    from qspin.models import lattice_edges

    i, j = lattice_edges(shape, periodic=periodic)
    dims = "x".join(str(int(L)) for L in np.atleast_1d(shape))
    meta = {"model": "ferromagnet", "lattice": {"shape": [int(L) for L in np.atleast_1d(shape)], "periodic": periodic}}
    return IsingProblem(None, {(int(a), int(b)): -1.0 for a, b in zip(i, j)}, name=f"ferromagnet-{dims}", metadata=meta)


def sample_configurations(
    problem: IsingProblem,
    temperature: float,
    num_samples: int,
    *,
    num_sweeps: int = 200,
    seed: int | None = None,
) -> np.ndarray:
    """``num_samples`` independent configurations (int8, (num_samples, n)) at ``temperature``.

    Each is the last state of a Metropolis run of ``num_sweeps`` sweeps at the constant
    ``beta = 1 / temperature`` from a uniformly random start (qspin's ``"sa"`` backend), in the
    order the reads were run (not sorted by energy).
    """
    from qspin.solvers.anneal import anneal

    if isinstance(temperature, bool) or not isinstance(temperature, Real) or not 0 < temperature < math.inf:
        raise ParameterError(f"temperature must be a positive finite number, got {temperature!r}")
    for key, value in (("num_samples", num_samples), ("num_sweeps", num_sweeps)):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
            raise ParameterError(f"{key} must be a positive integer, got {value!r}")
    betas = np.full(int(num_sweeps), 1.0 / float(temperature))
    spins, _ = anneal(problem, betas, int(num_samples), resolve_seed(seed))
    return spins


@dataclass(frozen=True)
class PhaseData:
    """Configurations ``X`` (M, N) int8, labels ``y`` (M,) (1 ordered, 0 disordered), and the
    temperature each configuration was drawn at, shuffled together."""

    X: np.ndarray
    y: np.ndarray
    temperatures: np.ndarray
    shape: tuple[int, ...]
    seed: int

    def split(self, test_fraction: float = 0.5) -> tuple[PhaseData, PhaseData]:
        """(train, test): the first and last part of the (already shuffled) data."""
        if not isinstance(test_fraction, Real) or not 0 < test_fraction < 1:
            raise ParameterError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
        cut = int(round(len(self.y) * (1 - float(test_fraction))))

        def part(rows: slice) -> PhaseData:
            return PhaseData(self.X[rows], self.y[rows], self.temperatures[rows], self.shape, self.seed)

        return part(slice(0, cut)), part(slice(cut, None))


def phase_dataset(
    shape=(3, 3),
    *,
    low=(1.0, 1.5),
    high=(5.0, 7.0),
    samples_per_temperature: int = 50,
    num_sweeps: int = 200,
    seed: int | None = None,
) -> PhaseData:
    """Labelled ferromagnet configurations on an ``L x L`` torus (see the module docstring).

    ``low`` temperatures must lie below ``T_C_2D`` (label 1, ordered) and ``high`` ones above it
    (label 0). Every temperature gets its own stream of ``seed``; the rows are then shuffled.

    On small lattices the two classes overlap: a 3 x 3 torus at T = 3.5 is fully aligned in about
    a fifth of the draws. :func:`bayes_accuracy` gives the best accuracy any classifier can reach
    (0.901 for L = 3 with high = (3.5, 5.0), 0.953 with the default (5.0, 7.0), 0.959 for L = 4
    with (3.5, 5.0)).
    """
    low, high = tuple(np.atleast_1d(low).tolist()), tuple(np.atleast_1d(high).tolist())
    if not low or not high:
        raise ParameterError("phase_dataset needs at least one low and one high temperature")
    if any(not 0 < t < T_C_2D for t in low) or any(t <= T_C_2D for t in high):
        raise ParameterError(
            f"low temperatures must lie in (0, {T_C_2D:.4f}) and high ones above it; got low={low}, high={high}"
        )
    seed = resolve_seed(seed)
    problem = ferromagnet(shape)
    temps = [*low, *high]
    streams = np.random.SeedSequence(seed).generate_state(len(temps) + 1, np.uint32)
    X = np.concatenate(
        [
            sample_configurations(problem, t, samples_per_temperature, num_sweeps=num_sweeps, seed=int(s))
            for t, s in zip(temps, streams[1:])
        ]
    )
    T = np.repeat(np.asarray(temps, dtype=np.float64), samples_per_temperature)
    order = np.random.default_rng(int(streams[0])).permutation(T.size)
    y = (T < T_C_2D).astype(np.int64)
    return PhaseData(X[order], y[order], T[order], tuple(int(L) for L in np.atleast_1d(shape)), seed)


def bayes_accuracy(shape=(3, 3), *, low=(1.0, 1.5), high=(5.0, 7.0)) -> float:
    """The best accuracy any classifier can reach on :func:`phase_dataset` data, exactly.

    Both classes are equal mixtures of Boltzmann distributions, so the Bayes classifier picks
    the likelier class of each configuration; its accuracy is ``(1/2) sum_s max(p_low, p_high)``,
    summed by enumeration (at most 20 spins). The likelihood ratio depends on the energy only:
    the energy is the sufficient statistic, the ideal learned order parameter.
    """
    from qspin.conventions import basis_indices_to_spins

    problem = ferromagnet(shape)
    n = problem.num_spins
    if n > 20:
        raise ParameterError(f"bayes_accuracy enumerates 2^n states and takes at most 20 spins, got {n}")
    E = problem.energies(basis_indices_to_spins(np.arange(1 << n), n))

    def mixture(temps):
        temps = np.atleast_1d(temps).astype(np.float64)
        p = np.zeros_like(E)
        for t in temps:
            w = np.exp(-(E - E.min()) / t)
            p += w / w.sum()
        return p / temps.size

    return float(0.5 * np.maximum(mixture(low), mixture(high)).sum())


# --- validation shared with the quantum classifier ------------------------------------------


def check_spin_matrix(X, *, num_features: int | None = None, what: str = "X") -> np.ndarray:
    """Validate a (M, N) array of +-1 spin configurations; return it as int8."""
    arr = as_spin_array(X, what=what, shape="(samples, spins)", nonempty=True, entries="spin values")
    if num_features is not None and arr.shape[1] != num_features:
        raise ProblemError(f"{what} has {arr.shape[1]} spins per row but the model was fitted on {num_features}")
    return arr


def check_labels(y, num_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """(classes, y encoded as 0/1) for a binary label vector of ``num_samples`` entries."""
    arr = np.asarray(y)
    if arr.ndim != 1 or arr.shape[0] != num_samples:
        raise ProblemError(f"y must be one-dimensional with one label per row of X ({num_samples}), got {arr.shape}")
    classes, encoded = np.unique(arr, return_inverse=True)
    if classes.size != 2:
        raise ProblemError(f"y must hold exactly two classes (ordered / disordered), got {classes.tolist()}")
    return classes, encoded.reshape(-1).astype(np.int64)


def magnetization(X) -> np.ndarray:
    """The classical order parameter ``|m| = |sum_i s_i| / N`` of each configuration."""
    s = check_spin_matrix(X)
    return np.abs(s.sum(axis=1, dtype=np.int64)) / s.shape[1]


class _BinaryClassifier:
    """Shared scikit-learn plumbing: get/set_params, predict, score."""

    def get_params(self, deep: bool = True) -> dict:
        return {k: getattr(self, k) for k in self._param_names}

    def set_params(self, **params):
        for key, value in params.items():
            if key not in self._param_names:
                raise ParameterError(
                    f"{type(self).__name__} has no parameter {key!r}; its parameters: {self._param_names}"
                )
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._param_names)
        return f"{type(self).__name__}({args})"

    def _check_fitted(self):
        if not hasattr(self, "classes_"):
            raise ParameterError(f"this {type(self).__name__} is not fitted yet; call fit(X, y) first")

    def predict(self, X) -> np.ndarray:
        proba = self.predict_proba(X)
        return self.classes_[(proba[:, 1] > 0.5).astype(np.int64)]

    def score(self, X, y) -> float:
        """Mean accuracy of :meth:`predict` on ``(X, y)``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))


class MagnetizationThreshold(_BinaryClassifier):
    """Classify by ``|m| > threshold`` with the threshold fitted to the training set.

    ``fit`` puts the threshold midway between the two consecutive ``|m|`` values that give the
    best training accuracy; the class more common among high-``|m|`` configurations is called
    the ordered one. ``predict_proba`` is a hard 0/1 probability.
    """

    _param_names = ()

    def fit(self, X, y):
        m = magnetization(X)
        self.classes_, t = check_labels(y, m.size)
        self.n_features_in_ = np.asarray(X).shape[1]
        levels = np.unique(m)
        cuts = np.concatenate([[levels[0] - 1.0], (levels[:-1] + levels[1:]) / 2, [levels[-1] + 1.0]])
        best = (-1.0, 0.0, 1)
        for c in cuts:
            above = m > c
            for positive in (1, 0):
                acc = float(np.mean(np.where(above, positive, 1 - positive) == t))
                if acc > best[0]:
                    best = (acc, float(c), positive)
        self.training_accuracy_, self.threshold_, self.ordered_class_index_ = best
        return self

    def predict_proba(self, X) -> np.ndarray:
        self._check_fitted()
        m = magnetization(check_spin_matrix(X, num_features=self.n_features_in_))
        above = (m > self.threshold_).astype(np.float64)
        p1 = above if self.ordered_class_index_ == 1 else 1.0 - above
        return np.column_stack([1.0 - p1, p1])


def _pair_features(s: np.ndarray) -> np.ndarray:
    iu, ju = np.triu_indices(s.shape[1], k=1)
    return (s[:, iu] * s[:, ju]).astype(np.float64)


class LogisticRegression(_BinaryClassifier):
    """L2-regularised logistic regression (a small numpy/scipy stand-in for scikit-learn's).

    Parameters
    ----------
    features : "spins" or "pairs"
        The raw spins ``s_i`` (linear in s, so blind to the Z2 symmetry of the order parameter)
        or the pair products ``s_i s_j`` (``N (N - 1) / 2`` features, Z2-symmetric).
    C : float
        Inverse regularisation strength, as scikit-learn's (the intercept is not penalised).
    max_iter : int
        L-BFGS iterations.
    """

    _param_names = ("features", "C", "max_iter")

    def __init__(self, features: str = "pairs", C: float = 1.0, max_iter: int = 500):
        self.features = features
        self.C = C
        self.max_iter = max_iter

    def _transform(self, X) -> np.ndarray:
        s = check_spin_matrix(X, num_features=getattr(self, "n_features_in_", None))
        if self.features == "spins":
            return s.astype(np.float64)
        if self.features == "pairs":
            return _pair_features(s)
        raise ParameterError(f"features must be 'spins' or 'pairs', got {self.features!r}")

    def fit(self, X, y):
        from scipy.optimize import minimize
        from scipy.special import expit, log_expit

        if isinstance(self.C, bool) or not isinstance(self.C, Real) or not 0 < self.C < math.inf:
            raise ParameterError(f"C must be a positive number, got {self.C!r}")
        F = self._transform(X)
        self.classes_, t = check_labels(y, F.shape[0])
        self.n_features_in_ = np.asarray(X).shape[1]
        sign = 2.0 * t - 1.0

        def loss(w):
            z = F @ w[1:] + w[0]
            value = -np.sum(log_expit(sign * z)) + 0.5 / self.C * w[1:] @ w[1:]
            r = -sign * expit(-sign * z)
            return value, np.concatenate([[r.sum()], F.T @ r + w[1:] / self.C])

        res = minimize(loss, np.zeros(F.shape[1] + 1), jac=True, method="L-BFGS-B", options={"maxiter": self.max_iter})
        self.intercept_, self.coef_ = float(res.x[0]), res.x[1:]
        self.n_iter_ = int(res.nit)
        return self

    def decision_function(self, X) -> np.ndarray:
        self._check_fitted()
        return self._transform(X) @ self.coef_ + self.intercept_

    def predict_proba(self, X) -> np.ndarray:
        from scipy.special import expit

        p1 = expit(self.decision_function(X))
        return np.column_stack([1.0 - p1, p1])
