"""A variational quantum classifier of Ising phases (ordered / disordered), in PennyLane.

**The circuit** (one qubit per spin, qubit k = spin k, ``|0> <-> s = +1`` as everywhere in qspin):

1. angle encoding ``RY(pi (1 - s_k) / 2)`` on qubit k, which prepares the basis state ``|s>``;
2. ``n_layers`` blocks of ``RX(phi_{l,k})`` on every qubit followed by ``IsingZZ(theta_{l,e})`` on
   the entangler's edges (a ring ``k -- k+1 mod N`` by default, or all pairs), then a final
   ``RX`` layer;
3. readout ``f(s) = <O>`` with ``O = (2 / (N (N - 1))) sum_{i<j} Z_i Z_j``, and the probability
   of the second class (``classes_[1]``; "ordered" for labels 1/0) ``sigmoid(w f(s) + c)`` with
   a trainable scale ``w`` and offset ``c`` (fitted classically to the initial circuit first).

**Z2 symmetry.** The order parameter is blind to a global flip ``s -> -s``, and so is this
model, exactly: the encoding maps ``-s`` to ``X^N |s>``, ``RX`` and ``IsingZZ`` commute with
``X^N``, and so does ``O``; hence ``f(-s) = f(s)``. With all angles zero ``f(s) =
(N m^2 - 1) / (N - 1)``, the classical order parameter ``m^2``; training moves away from it only
where the data say so. The symmetry also halves the work: configurations are reduced to the
representative with spin 0 = +1 and only distinct representatives are simulated.

**Training** minimises the mean cross-entropy with scipy's L-BFGS-B (or a PennyLane
optimizer, ``optimizer="adam"``) on the gradient PennyLane computes. The default device is
``default.qubit`` with ``diff_method="backprop"`` and parameter broadcasting over the training
configurations: measured on 9 qubits, 150 configurations, it takes about 0.35 s per gradient
against 1.1 s for ``lightning.qubit`` with the adjoint method, which runs one circuit per
configuration. Both are supported (``device="lightning.qubit", diff_method="adjoint"``).

The estimator follows scikit-learn's conventions: ``__init__`` stores its parameters
unmodified, ``fit`` does the work, fitted attributes end in ``_``, ``random_state`` makes
training reproducible, and the object pickles (no QNode is kept on it).
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from qspin.errors import ParameterError, ProblemError
from qspin.provenance import resolve_seed
from qspin.qnn.phase_data import _BinaryClassifier, check_labels, check_spin_matrix

__all__ = ["MAX_QUBITS", "PhaseClassifier"]

MAX_QUBITS = 20  # one qubit per spin; beyond this a statevector simulation of a batch is impractical
ENTANGLERS = ("ring", "all")
OPTIMIZERS = ("L-BFGS-B", "BFGS", "adam")


def _edges(n: int, entangler: str) -> list[tuple[int, int]]:
    if entangler == "ring":
        if n == 2:
            return [(0, 1)]
        return [(k, (k + 1) % n) for k in range(n)]
    return [(i, j) for i in range(n) for j in range(i + 1, n)]


def _readout_diagonal(n: int) -> np.ndarray:
    """Diagonal of ``O = mean_{i<j} Z_i Z_j`` in PennyLane's basis order (it is symmetric under
    bit reversal, so the order does not matter): ``(M^2 - n) / (n (n - 1))``, M the magnetisation."""
    from qspin.conventions import basis_indices_to_spins

    M = basis_indices_to_spins(np.arange(1 << n), n).sum(axis=1, dtype=np.float64)
    return (M * M - n) / (n * (n - 1))


def _fit_readout(f: np.ndarray, sign: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """(w, c) minimising the weighted cross-entropy of ``sigmoid(w f + c)`` at fixed features."""
    from scipy.optimize import minimize
    from scipy.special import expit, log_expit

    def loss(x):
        z = sign * (x[0] * f + x[1])
        r = -weight * sign * expit(-z)
        return -np.sum(weight * log_expit(z)), np.array([r @ f, r.sum()])

    return minimize(loss, np.zeros(2), jac=True, method="L-BFGS-B").x


class PhaseClassifier(_BinaryClassifier):
    """Variational quantum classifier of spin configurations (see the module docstring).

    Parameters
    ----------
    n_layers : int
        Entangling blocks (RX then IsingZZ); there are ``n_layers + 1`` RX layers.
    entangler : "ring" or "all"
        Which qubit pairs get an IsingZZ in each block.
    optimizer : "L-BFGS-B", "BFGS" or "adam"
        scipy's quasi-Newton methods, or PennyLane's ``AdamOptimizer``.
    max_iter : int
        Optimizer iterations (L-BFGS-B / BFGS iterations, or Adam steps on the full batch).
    learning_rate : float
        Adam's step size (unused by the scipy methods).
    tol : float
        ``tol`` of ``scipy.optimize.minimize`` (unused by Adam).
    init_scale : float
        Standard deviation of the initial angles (near zero the model starts at ``m^2``).
    device : str
        PennyLane device name; ``"default.qubit"`` broadcasts over configurations.
    diff_method : str
        PennyLane differentiation method (``"best"``: backprop on default.qubit, adjoint on
        lightning.qubit).
    random_state : int or None
        Seed of the initial angles; None draws a fresh one (recorded in ``random_state_``).
    """

    _param_names = (
        "n_layers",
        "entangler",
        "optimizer",
        "max_iter",
        "learning_rate",
        "tol",
        "init_scale",
        "device",
        "diff_method",
        "random_state",
    )

    def __init__(
        self,
        n_layers: int = 2,
        entangler: str = "ring",
        optimizer: str = "L-BFGS-B",
        max_iter: int = 50,
        learning_rate: float = 0.05,
        tol: float = 1e-6,
        init_scale: float = 0.1,
        device: str = "default.qubit",
        diff_method: str = "best",
        random_state: int | None = None,
    ):
        self.n_layers = n_layers
        self.entangler = entangler
        self.optimizer = optimizer
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.tol = tol
        self.init_scale = init_scale
        self.device = device
        self.diff_method = diff_method
        self.random_state = random_state

    # --- validation ------------------------------------------------------------------------

    def _check_params(self) -> None:
        for key, low in (("n_layers", 0), ("max_iter", 1)):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
                raise ParameterError(f"{key} must be an integer >= {low}, got {value!r}")
        for key in ("learning_rate", "tol", "init_scale"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, Real) or not 0 <= value < math.inf:
                raise ParameterError(f"{key} must be a finite number >= 0, got {value!r}")
        if self.entangler not in ENTANGLERS:
            raise ParameterError(f"entangler must be one of {ENTANGLERS}, got {self.entangler!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ParameterError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if not isinstance(self.device, str) or not isinstance(self.diff_method, str):
            raise ParameterError("device and diff_method must be PennyLane names (strings)")

    @staticmethod
    def _check_width(n: int) -> None:
        if n < 2:
            raise ProblemError(f"PhaseClassifier needs configurations of at least 2 spins, got {n}")
        if n > MAX_QUBITS:
            raise ParameterError(
                f"PhaseClassifier uses one qubit per spin and simulates at most {MAX_QUBITS} qubits; the "
                f"configurations have {n} spins. Use a smaller lattice (e.g. 3 x 3 or 4 x 4)"
            )

    # --- the circuit -----------------------------------------------------------------------

    def _split(self, params, n: int):
        """(phi (L+1, n), theta (L, E), w, c) views of the flat parameter vector."""
        E = len(_edges(n, self.entangler))
        L = int(self.n_layers)
        a = (L + 1) * n
        b = a + L * E
        return params[:a].reshape(L + 1, n), params[a:b].reshape(L, E), params[b], params[b + 1]

    def _num_params(self, n: int) -> int:
        return (int(self.n_layers) + 1) * n + int(self.n_layers) * len(_edges(n, self.entangler)) + 2

    def _qnode(self, n: int):
        """``f(angles (B, n), phi, theta) -> <O>`` (B,) built on a PennyLane QNode.

        Simulators differentiated by backprop return ``qml.probs`` and ``<O>`` is its dot product
        with the diagonal of ``O`` (one measurement instead of one per pair); other devices and
        methods (adjoint, parameter shift, hardware) measure ``qml.expval(O)``.
        """
        import pennylane as qml

        edges = _edges(n, self.entangler)
        pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
        readout = qml.Hamiltonian([1.0 / len(pairs)] * len(pairs), [qml.Z(i) @ qml.Z(j) for i, j in pairs])
        dev = qml.device(self.device, wires=n)
        by_probs = self.diff_method in ("backprop", "best") and self.device == "default.qubit"

        def layers(angles, phi, theta):
            for k in range(n):
                qml.RY(angles[..., k], wires=k)
            for layer in range(theta.shape[0]):
                for k in range(n):
                    qml.RX(phi[layer, k], wires=k)
                for e, (i, j) in enumerate(edges):
                    qml.IsingZZ(theta[layer, e], wires=[i, j])
            for k in range(n):
                qml.RX(phi[-1, k], wires=k)

        if by_probs:
            diagonal = _readout_diagonal(n)

            @qml.qnode(dev, diff_method=self.diff_method)
            def probs(angles, phi, theta):
                layers(angles, phi, theta)
                return qml.probs(wires=range(n))

            return lambda angles, phi, theta: probs(angles, phi, theta) @ diagonal

        @qml.qnode(dev, diff_method=self.diff_method)
        def expval(angles, phi, theta):
            layers(angles, phi, theta)
            return qml.expval(readout)

        return expval

    @staticmethod
    def _canonical(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(distinct Z2 representatives (U, n), their multiplicities, inverse index (M,))."""
        rep = X * X[:, :1]  # flip each row so that spin 0 is +1; f(-s) = f(s)
        uniq, inverse, counts = np.unique(rep, axis=0, return_inverse=True, return_counts=True)
        return uniq, counts, inverse.reshape(-1)

    @staticmethod
    def _angles(S: np.ndarray) -> np.ndarray:
        return np.pi * (1.0 - S.astype(np.float64)) / 2.0

    def _features(self, X: np.ndarray) -> np.ndarray:
        """``f(s) = <O>`` for each row of X, simulating each distinct representative once."""
        uniq, _, inverse = self._canonical(X)
        n = X.shape[1]
        phi, theta, _, _ = self._split(self.weights_, n)
        f = np.asarray(self._qnode(n)(self._angles(uniq), phi, theta), dtype=np.float64).reshape(-1)
        return f[inverse]

    # --- estimator API ---------------------------------------------------------------------

    def fit(self, X, y):
        """Train on configurations ``X`` (M, N) of +-1 and binary labels ``y`` (M,)."""
        import pennylane as qml
        from pennylane import numpy as pnp

        self._check_params()
        S = check_spin_matrix(X)
        n = S.shape[1]
        self._check_width(n)
        classes, t = check_labels(y, S.shape[0])
        seed = resolve_seed(self.random_state)

        # distinct (representative, label) pairs and their weights in the mean loss
        keys = np.concatenate([S * S[:, :1], t[:, None].astype(np.int8)], axis=1)
        uniq, counts = np.unique(keys, axis=0, return_counts=True)
        angles = self._angles(uniq[:, :n])
        sign = 2.0 * uniq[:, n].astype(np.float64) - 1.0
        weight = counts / counts.sum()
        circuit = self._qnode(n)

        def loss(params):
            phi, theta, w, c = self._split(params, n)
            f = circuit(angles, phi, theta)
            return pnp.sum(weight * pnp.logaddexp(0.0, -sign * (w * f + c)))

        rng = np.random.default_rng(seed)
        x0 = np.zeros(self._num_params(n))
        x0[:-2] = float(self.init_scale) * rng.standard_normal(x0.size - 2)
        phi0, theta0, _, _ = self._split(x0, n)
        f0 = np.asarray(circuit(angles, phi0, theta0), dtype=np.float64).reshape(-1)
        x0[-2:] = _fit_readout(f0, sign, weight)  # the classical scale and offset, fitted first
        grad = qml.grad(loss)
        curve: list[float] = []

        def value_and_grad(x):
            g = np.asarray(grad(pnp.array(x, requires_grad=True)), dtype=np.float64)
            curve.append(float(grad.forward))
            return curve[-1], g

        if self.optimizer == "adam":
            opt = qml.AdamOptimizer(stepsize=float(self.learning_rate))
            params = pnp.array(x0, requires_grad=True)
            for _ in range(int(self.max_iter)):
                params, value = opt.step_and_cost(loss, params)
                curve.append(float(value))
            x, n_iter, converged = np.asarray(params, dtype=np.float64), int(self.max_iter), False
        else:
            from scipy.optimize import minimize

            res = minimize(
                value_and_grad,
                x0,
                jac=True,
                method=self.optimizer,
                tol=float(self.tol),
                options={"maxiter": int(self.max_iter)},
            )
            x, n_iter, converged = np.asarray(res.x, dtype=np.float64), int(res.nit), bool(res.success)
        # fitted attributes, all set together once training has succeeded
        self.classes_, self.n_features_in_, self.random_state_ = classes, n, seed
        self.n_iter_, self.converged_ = n_iter, converged
        self.weights_ = x
        self.loss_curve_ = np.asarray(curve)
        self.loss_ = float(loss(pnp.array(x, requires_grad=False)))
        _, _, w, c = self._split(x, n)
        self.readout_scale_, self.readout_offset_ = float(w), float(c)
        return self

    def order_parameter(self, X) -> np.ndarray:
        """The learned order parameter ``f(s) = <O>`` (in [-1/(N-1), 1]) of each configuration."""
        self._check_fitted()
        return self._features(check_spin_matrix(X, num_features=self.n_features_in_))

    def decision_function(self, X) -> np.ndarray:
        """The logit ``w f(s) + c`` of the second class, ``classes_[1]``."""
        f = self.order_parameter(X)
        return self.readout_scale_ * f + self.readout_offset_

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (M, 2), columns in the order of ``classes_``; rows sum to 1."""
        from scipy.special import expit

        p1 = expit(self.decision_function(X))
        return np.column_stack([1.0 - p1, p1])
