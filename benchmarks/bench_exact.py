"""Exact enumeration rate: qspin's Gray-code solver at n = 28 against dimod.ExactSolver at n = 18.

Target (issue 2): qspin at n = 28 enumerates >= 100x more states per second than dimod at n = 18.
Both run on this machine in the same process; qspin uses every core (numba threads).
"""

from __future__ import annotations

import time

import dimod
import numba
import numpy as np

import qspin
from qspin.models import sherrington_kirkpatrick


def best_of(fn, repeats=3):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    print(f"threads: numba {numba.get_num_threads()}; dimod.ExactSolver is numpy (one core)")
    small = sherrington_kirkpatrick(18, seed=1).replace(h=np.full(18, 0.05))
    bqm = small.to_bqm()
    t_dimod = best_of(lambda: dimod.ExactSolver().sample(bqm), repeats=2)
    dimod_rate = 2**18 / t_dimod
    e_dimod = dimod.ExactSolver().sample(bqm).first.energy
    qspin.solve(small, "exact")  # compile / load the numba cache
    e_q = qspin.solve(small, "exact").best_energy
    assert abs(e_q - e_dimod) < 1e-9, (e_q, e_dimod)
    print(
        f"dimod.ExactSolver  n=18          : {t_dimod:8.3f} s  {1e9 / dimod_rate:8.2f} ns/state  ({dimod_rate / 1e6:.2f} Mstates/s)"
    )

    rows = []
    for label, problem in [
        ("qspin exact n=28 with fields   ", sherrington_kirkpatrick(28, seed=2).replace(h=np.full(28, 0.05))),
        ("qspin exact n=28 no fields (Z2)", sherrington_kirkpatrick(28, seed=2)),
    ]:
        t = best_of(lambda p=problem: qspin.solve(p, "exact"), repeats=2)
        rate = 2**28 / t  # every one of the 2^n states is accounted for (Z2 symmetry walks half)
        rows.append(rate)
        print(
            f"{label}: {t:8.3f} s  {1e9 / rate:8.2f} ns/state  ({rate / 1e6:.1f} Mstates/s)"
            f"  ratio vs dimod n=18: {rate / dimod_rate:6.0f}x"
        )
    print(
        f"target >= 100x: {'met' if min(rows) / dimod_rate >= 100 else 'NOT met'} "
        f"(worst case, with fields: {rows[0] / dimod_rate:.0f}x)"
    )


if __name__ == "__main__":
    main()
