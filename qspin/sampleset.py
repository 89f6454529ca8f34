"""SampleSet: the states a backend returned, with energies recomputed from the IR."""

from __future__ import annotations

from typing import Any

import numpy as np

from qspin.errors import ProblemError
from qspin.problem import IsingProblem

__all__ = ["SampleSet"]


class SampleSet:
    """Samples of one problem: ``spins`` (R, n) int8, ``energies`` (R,), ``counts`` (R,), ``info``.

    Build it with :meth:`from_spins`, which recomputes every energy from the problem; a
    backend's own energies are never trusted. Rows are sorted by energy (lowest first).
    """

    def __init__(
        self, problem: IsingProblem, spins: np.ndarray, energies: np.ndarray, counts: np.ndarray, info: dict[str, Any]
    ):
        self.problem = problem
        self.spins = spins
        self.energies = energies
        self.counts = counts
        self.info = info

    @classmethod
    def from_spins(
        cls, problem: IsingProblem, spins, counts=None, info: dict[str, Any] | None = None, *, aggregate: bool = False
    ) -> SampleSet:
        """Validate ``spins``, recompute energies from ``problem`` and sort by energy.

        With ``aggregate=True`` identical rows are merged and their counts added.
        """
        s = problem.check_spins(spins)
        c = np.ones(s.shape[0], dtype=np.int64) if counts is None else np.asarray(counts, dtype=np.int64).reshape(-1)
        if c.shape[0] != s.shape[0]:
            raise ProblemError(f"counts has {c.shape[0]} entries for {s.shape[0]} samples")
        if (c < 0).any():
            raise ProblemError("counts must be non-negative")
        if aggregate and s.shape[0]:
            s, inverse = np.unique(s, axis=0, return_inverse=True)
            c = np.bincount(inverse.reshape(-1), weights=c, minlength=s.shape[0]).astype(np.int64)
        e = problem.energies(s)
        order = np.argsort(e, kind="stable")
        return cls(problem, s[order], e[order], c[order], dict(info or {}))

    # --- summaries ---------------------------------------------------------------------

    def __len__(self) -> int:
        return self.spins.shape[0]

    @property
    def num_reads(self) -> int:
        """Total number of reads (the sum of counts)."""
        return int(self.counts.sum())

    @property
    def best_spins(self) -> np.ndarray:
        if not len(self):
            raise ProblemError("the sample set is empty")
        return self.spins[0]

    @property
    def best_energy(self) -> float:
        if not len(self):
            raise ProblemError("the sample set is empty")
        return float(self.energies[0])

    def aggregate(self) -> SampleSet:
        """Merge identical states, adding their counts."""
        return SampleSet.from_spins(self.problem, self.spins, self.counts, self.info, aggregate=True)

    def fraction_at_or_below(self, energy: float, *, atol: float = 1e-9) -> float:
        """Fraction of reads (weighted by counts) with energy <= ``energy + atol * scale``."""
        if not self.num_reads:
            return 0.0
        tol = atol * max(1.0, self.problem.energy_scale)
        return float(self.counts[self.energies <= energy + tol].sum() / self.num_reads)

    def to_dimod(self):
        """A ``dimod.SampleSet`` (SPIN vartype) with the problem's labels and ``num_occurrences``."""
        import dimod

        labels = self.problem.labels if self.problem.labels is not None else range(self.problem.num_spins)
        return dimod.SampleSet.from_samples(
            (self.spins, list(labels)),
            dimod.SPIN,
            energy=self.energies,
            num_occurrences=self.counts,
            info=dict(self.info),
        )

    def __repr__(self) -> str:
        best = f", best energy {self.best_energy:.6g}" if len(self) else ""
        return f"<SampleSet: {len(self)} states, {self.num_reads} reads{best}, backend {self.info.get('backend')!r}>"
