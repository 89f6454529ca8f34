import math

import numpy as np
import pytest

from qspin import ParameterError
from qspin import metrics as m
from qspin.models import sherrington_kirkpatrick


def test_tts_formula_and_limits():
    # Ronnow et al.: TTS99 = t ln(0.01) / ln(1 - p)
    assert m.tts(0.5, 2.0) == pytest.approx(2.0 * math.log(0.01) / math.log(0.5))
    assert m.tts(0.5, 2.0) == pytest.approx(13.2877, rel=1e-4)
    assert m.tts(1.0, 3.0) == 3.0 and m.tts(0.995, 3.0) == 3.0  # one run suffices
    assert m.tts(0.0, 3.0) == math.inf
    assert m.tts(0.1, 1.0, target=0.5) == pytest.approx(math.log(0.5) / math.log(0.9))
    with pytest.raises(ParameterError):
        m.tts(1.5, 1.0)
    with pytest.raises(ParameterError):
        m.tts(0.5, 1.0, target=1.0)


def test_wilson_interval_known_value():
    # 8 successes in 10: Wilson 95% interval (0.4902, 0.9433)
    lo, hi = m.wilson_interval(8, 10)
    assert lo == pytest.approx(0.4902, abs=1e-4) and hi == pytest.approx(0.9433, abs=1e-4)
    assert m.wilson_interval(0, 50)[0] == pytest.approx(0.0, abs=1e-12)
    assert m.wilson_interval(50, 50)[1] == pytest.approx(1.0, abs=1e-12)


def test_success_probability_with_counts():
    e = np.array([-3.0, -3.0, -2.0, -1.0])
    assert m.success_probability(e, [1, 2, 3, 4], -3.0) == pytest.approx(0.3)
    assert m.success_probability(e, None, -3.0) == 0.5
    with pytest.raises(ParameterError):
        m.success_probability(e, [0, 0, 0, 0], -3.0)


def test_tts_bootstrap_interval_contains_point_and_covers_truth():
    rng = np.random.default_rng(3)
    p = rng.binomial(100, 0.2, size=40) / 100  # 40 seeds, 100 reads each, true p = 0.2
    t = np.full(40, 0.5)
    point, lo, hi = m.tts_bootstrap(p, t)
    truth = m.tts(0.2, 0.5)
    assert lo <= point <= hi and lo <= truth <= hi and hi / lo < 1.5
    assert m.tts_bootstrap([0.0, 0.0], [1.0, 1.0])[0] == math.inf


def test_ratios_and_ground_truth():
    assert m.residual_energy_per_spin(-9.0, -10.0, 4) == 0.25
    assert m.approximation_ratio(-9.0, -10.0) == 0.9 and math.isnan(m.approximation_ratio(1.0, 2.0))
    assert m.cut_ratio(-11.0, -12.0) == pytest.approx(11 / 12)
    p = sherrington_kirkpatrick(10, seed=1)
    gt = m.ground_truth(p)
    assert gt.kind == "exact" and gt.degeneracy == 2
