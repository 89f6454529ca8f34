"""The QNN phase classifier against the classical order parameter |m| and logistic regression."""

import pickle

import numpy as np
import pytest

from qspin import ParameterError, ProblemError
from qspin.qnn import LogisticRegression, MagnetizationThreshold, PhaseClassifier, bayes_accuracy, phase_dataset
from qspin.qnn.phase_data import T_C_2D, ferromagnet, magnetization, sample_configurations

pytest.importorskip("pennylane")

SHAPE = (3, 3)
LOW, HIGH = (1.0, 1.5), (5.0, 7.0)  # well below and well above T_c = 2.269 for a 3 x 3 torus


@pytest.fixture(scope="module")
def data():
    train = phase_dataset(SHAPE, low=LOW, high=HIGH, samples_per_temperature=25, seed=11)
    test = phase_dataset(SHAPE, low=LOW, high=HIGH, samples_per_temperature=100, seed=12)
    return train, test


@pytest.fixture(scope="module")
def fitted(data):
    train, _ = data
    return PhaseClassifier(n_layers=1, max_iter=15, random_state=0).fit(train.X, train.y)


def test_learned_order_parameter_reaches_90_percent_next_to_the_classical_baselines(data, fitted):
    train, test = data
    ceiling = bayes_accuracy(SHAPE, low=LOW, high=HIGH)  # the best any classifier can do, exactly
    scores = {
        "qnn": fitted.score(test.X, test.y),
        "|m| threshold": MagnetizationThreshold().fit(train.X, train.y).score(test.X, test.y),
        "logistic (pairs)": LogisticRegression(features="pairs").fit(train.X, train.y).score(test.X, test.y),
        "logistic (spins)": LogisticRegression(features="spins").fit(train.X, train.y).score(test.X, test.y),
    }
    assert scores["qnn"] >= 0.9, scores
    assert scores["|m| threshold"] >= 0.85 and scores["logistic (pairs)"] >= 0.85, scores
    assert scores["qnn"] >= scores["|m| threshold"] - 0.03, scores  # as good as the physicist's order parameter
    assert scores["logistic (spins)"] < 0.75, scores  # linear in s: blind to the Z2 symmetry of the order parameter
    for name, value in scores.items():
        assert value <= ceiling + 0.05, (name, value, ceiling)  # 400 test rows: a few % sampling noise


def test_estimator_outputs(data, fitted):
    _, test = data
    proba = fitted.predict_proba(test.X)
    assert proba.shape == (len(test.y), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    assert ((proba >= 0) & (proba <= 1)).all()
    pred = fitted.predict(test.X)
    np.testing.assert_array_equal(pred, fitted.classes_[(proba[:, 1] > 0.5).astype(int)])
    assert fitted.score(test.X, test.y) == pytest.approx(np.mean(pred == test.y))
    assert fitted.n_features_in_ == 9 and fitted.n_iter_ <= 15 and fitted.loss_curve_.size >= fitted.n_iter_
    assert fitted.loss_ <= fitted.loss_curve_[0]
    # ordered configurations get the larger learned order parameter, and it is Z2-symmetric
    f = fitted.order_parameter(test.X)
    assert f[test.y == 1].mean() > f[test.y == 0].mean()
    np.testing.assert_allclose(fitted.order_parameter(-test.X), f, atol=1e-12)


def test_training_is_reproducible_from_the_seed(data):
    train, _ = data
    X, y = train.X[:30], train.y[:30]
    a = PhaseClassifier(n_layers=1, max_iter=3, random_state=7).fit(X, y)
    b = PhaseClassifier(n_layers=1, max_iter=3, random_state=7).fit(X, y)
    c = PhaseClassifier(n_layers=1, max_iter=3, random_state=8).fit(X, y)
    np.testing.assert_array_equal(a.weights_, b.weights_)
    np.testing.assert_array_equal(a.loss_curve_, b.loss_curve_)
    assert not np.allclose(a.weights_, c.weights_)
    fresh = PhaseClassifier(max_iter=1, n_layers=0)
    fresh.fit(X, y)
    assert fresh.random_state is None and isinstance(fresh.random_state_, int)  # the drawn seed is recorded


def test_lightning_adjoint_and_adam_train_the_same_model(data):
    train, _ = data
    X, y = train.X[:12], train.y[:12]
    ref = PhaseClassifier(n_layers=1, max_iter=2, random_state=3).fit(X, y)
    adjoint = PhaseClassifier(n_layers=1, max_iter=2, random_state=3, device="lightning.qubit", diff_method="adjoint")
    np.testing.assert_allclose(adjoint.fit(X, y).weights_, ref.weights_, atol=1e-6)
    adam = PhaseClassifier(n_layers=1, optimizer="adam", max_iter=3, random_state=3).fit(X, y)
    assert adam.loss_curve_.size == 3 and np.isfinite(adam.loss_)


def test_scikit_learn_conventions(data, fitted):
    train, test = data
    params = fitted.get_params()
    assert params == {
        "n_layers": 1,
        "entangler": "ring",
        "optimizer": "L-BFGS-B",
        "max_iter": 15,
        "learning_rate": 0.05,
        "tol": 1e-6,
        "init_scale": 0.1,
        "device": "default.qubit",
        "diff_method": "best",
        "random_state": 0,
    }
    clone = PhaseClassifier(**params)
    assert not hasattr(clone, "weights_") and clone.get_params() == params
    odd = PhaseClassifier(n_layers="two")  # __init__ stores, fit validates
    assert odd.n_layers == "two"
    with pytest.raises(ParameterError, match="n_layers"):
        odd.fit(train.X, train.y)
    assert clone.set_params(max_iter=3) is clone and clone.max_iter == 3
    with pytest.raises(ParameterError, match="no parameter"):
        clone.set_params(layers=3)
    with pytest.raises(ParameterError, match="not fitted"):
        clone.predict(test.X)
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict_proba(test.X), fitted.predict_proba(test.X))
    # labels of any kind: the probability columns follow classes_
    names = np.where(train.y == 1, "ordered", "disordered")
    small = PhaseClassifier(n_layers=0, max_iter=5, random_state=0).fit(train.X, names)
    assert small.classes_.tolist() == ["disordered", "ordered"]
    assert set(small.predict(test.X)) <= {"disordered", "ordered"}


def test_data_and_baselines():
    problem = ferromagnet(SHAPE)
    assert problem.num_spins == 9 and problem.num_couplings == 18
    assert problem.energy(np.ones(9)) == -18.0  # E = -sum_<ij> s_i s_j, ground state all aligned
    cold = sample_configurations(problem, 1.0, 50, seed=1)
    hot = sample_configurations(problem, 7.0, 50, seed=1)
    assert magnetization(cold).mean() > 0.9 > magnetization(hot).mean()
    d = phase_dataset(SHAPE, low=LOW, high=HIGH, samples_per_temperature=10, seed=3)
    np.testing.assert_array_equal(d.y, (d.temperatures < T_C_2D).astype(int))
    np.testing.assert_array_equal(d.X, phase_dataset(SHAPE, low=LOW, high=HIGH, samples_per_temperature=10, seed=3).X)
    train, test = d.split(0.25)
    assert len(train.y) == 30 and len(test.y) == 10
    assert bayes_accuracy(SHAPE, low=LOW, high=(3.5, 5.0)) == pytest.approx(0.901, abs=1e-3)  # classes overlap at L=3
    m = MagnetizationThreshold().fit(d.X, d.y)
    assert 0 < m.threshold_ < 1 and m.training_accuracy_ == m.score(d.X, d.y)


def test_bad_input(data, fitted):
    train, _ = data
    with pytest.raises(ProblemError, match=r"X\[0, 0\] = 0.0; spin values must be \+1 or -1"):
        PhaseClassifier().fit(np.zeros((4, 9)), [0, 1, 0, 1])
    with pytest.raises(ProblemError, match="two classes"):
        PhaseClassifier().fit(train.X[:3], [0, 1, 2])
    with pytest.raises(ProblemError, match="one label per row"):
        PhaseClassifier().fit(train.X[:3], [0, 1])
    with pytest.raises(ParameterError, match="at most 20"):
        PhaseClassifier().fit(np.ones((2, 21)), [0, 1])
    with pytest.raises(ProblemError, match="at least 2 spins"):
        PhaseClassifier().fit(np.ones((2, 1)), [0, 1])
    with pytest.raises(ProblemError, match="fitted on 9"):
        fitted.predict(np.ones((2, 16)))
    with pytest.raises(ParameterError, match="low temperatures"):
        phase_dataset(SHAPE, low=(3.0,), high=(5.0,))
    with pytest.raises(ParameterError, match="features"):
        LogisticRegression(features="quadratic").fit(train.X, train.y)
