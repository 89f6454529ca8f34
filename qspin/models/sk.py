"""The Sherrington-Kirkpatrick model."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from qspin.errors import ProblemError
from qspin.models._random import draw_couplings, resolve_seed
from qspin.problem import IsingProblem


def sherrington_kirkpatrick(n: int, *, couplings: str = "gaussian", seed: int | None = None) -> IsingProblem:
    """SK model ``H = -(1/sqrt n) sum_{i<j} J_ij s_i s_j`` with ``J_ij`` N(0, 1) or +-1.

    In qspin's sign the couplings are ``-J_ij / sqrt(n)``. The ground-state energy per spin
    tends to -0.7632 (Parisi) as n grows.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ProblemError(f"n must be a positive integer, got {n!r}")
    n = int(n)
    seed = resolve_seed(seed)
    rng = np.random.default_rng(seed)
    i, j = np.triu_indices(n, k=1)
    J_phys = draw_couplings(rng, couplings, i.size) / np.sqrt(n)
    J = sp.coo_array((-J_phys, (i, j)), shape=(n, n))
    meta = {"model": "sherrington_kirkpatrick", "params": {"n": n, "couplings": couplings}, "seed": seed}
    return IsingProblem(None, J, num_spins=n, name=f"sk-{couplings}-n{n}-s{seed}", metadata=meta)
