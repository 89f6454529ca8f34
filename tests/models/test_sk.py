import numpy as np
import pytest

from qspin import ProblemError
from qspin.models import sherrington_kirkpatrick


def test_sk_structure_and_scale():
    p = sherrington_kirkpatrick(100, seed=1)
    assert p.num_couplings == 100 * 99 // 2
    w = p.couplings[2] * np.sqrt(100)  # 4950 N(0, 1) draws: standard error 0.014
    assert abs(w.std() - 1) < 0.05 and abs(w.mean()) < 0.06
    q = sherrington_kirkpatrick(10, couplings="pm1", seed=1)
    assert np.allclose(np.abs(q.couplings[2]), 1 / np.sqrt(10))


def test_sk_reproducible():
    assert sherrington_kirkpatrick(8, seed=3) == sherrington_kirkpatrick(8, seed=3)
    assert sherrington_kirkpatrick(8, seed=3) != sherrington_kirkpatrick(8, seed=4)
    assert sherrington_kirkpatrick(8, seed=3).metadata["params"] == {"n": 8, "couplings": "gaussian"}


@pytest.mark.parametrize("n", [0, -3, 2.5, True])
def test_sk_bad_n(n):
    with pytest.raises(ProblemError):
        sherrington_kirkpatrick(n)
