"""Quantum models on PennyLane: a quantum Hopfield associative memory and a QNN phase classifier.

* :class:`QuantumHopfield` (:mod:`qspin.qnn.hopfield`): patterns stored as a Hopfield
  Hamiltonian, recalled by a Trotterised anneal from a cue-biased state; :func:`compare_recall`
  puts its recall rates next to classical Hopfield dynamics.
* :class:`PhaseClassifier` (:mod:`qspin.qnn.classifier`): a variational classifier of Ising
  configurations (ordered / disordered) with scikit-learn's conventions; the data and the
  classical baselines (``|m|`` threshold, logistic regression) are in :mod:`qspin.qnn.phase_data`.

PennyLane is imported only when a model needs it, so ``import qspin.qnn`` stays cheap.
"""

from qspin.qnn.classifier import PhaseClassifier
from qspin.qnn.hopfield import QuantumHopfield, QuantumRecall, compare_recall
from qspin.qnn.phase_data import LogisticRegression, MagnetizationThreshold, PhaseData, bayes_accuracy, phase_dataset

__all__ = [
    "LogisticRegression",
    "MagnetizationThreshold",
    "PhaseClassifier",
    "PhaseData",
    "QuantumHopfield",
    "QuantumRecall",
    "bayes_accuracy",
    "compare_recall",
    "phase_dataset",
]
