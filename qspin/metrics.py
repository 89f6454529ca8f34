"""Ground-state quality metrics: residual energy, approximation ratio, success probability, TTS.

Conventions: energies are qspin's (lower is better); ``E_0`` is the ground-state energy, exact
where enumeration is feasible and otherwise the best energy seen in long parallel-tempering
runs (marked ``"best-known"``). Time to solution follows Ronnow et al. (Science 2014):
``TTS_target = t_run * ln(1 - target) / ln(1 - p_success)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from qspin.errors import ParameterError
from qspin.problem import IsingProblem

__all__ = [
    "GroundTruth",
    "approximation_ratio",
    "cut_ratio",
    "ground_truth",
    "residual_energy_per_spin",
    "run_metrics",
    "success_probability",
    "tts",
    "tts_bootstrap",
    "wilson_interval",
]

EXACT_LIMIT = 32  # enumerate up to this many spins (2^31 states with the Z2 symmetry: seconds)


@dataclass(frozen=True)
class GroundTruth:
    """The reference energy of a problem and how it was obtained (``"exact"`` or ``"best-known"``)."""

    energy: float
    kind: str
    degeneracy: int | None = None


def ground_truth(
    problem: IsingProblem, *, exact_limit: int = EXACT_LIMIT, pt_reads: int = 8, pt_sweeps: int = 20000, seed: int = 0
) -> GroundTruth:
    """Exact energy by enumeration for n <= ``exact_limit``, else the best of long PT runs."""
    from qspin.solvers.registry import solve

    if problem.num_spins <= exact_limit:
        ss = solve(problem, "exact", seed=seed)
        return GroundTruth(ss.best_energy, "exact", int(ss.info["degeneracy"]))
    ss = solve(problem, "pt", seed=seed, num_reads=pt_reads, num_sweeps=pt_sweeps)
    return GroundTruth(ss.best_energy, "best-known")


def _tolerance(problem: IsingProblem | None, atol: float) -> float:
    return atol * max(1.0, problem.energy_scale) if problem is not None else atol


def success_probability(energies, counts, ground_energy: float, *, atol: float = 1e-9) -> float:
    """Fraction of reads (weighted by counts) within ``atol`` of the ground energy."""
    e = np.asarray(energies, dtype=float)
    c = np.ones_like(e) if counts is None else np.asarray(counts, dtype=float)
    total = c.sum()
    if total <= 0:
        raise ParameterError("no reads to compute a success probability from")
    return float(c[e <= ground_energy + atol].sum() / total)


def wilson_interval(successes: float, trials: float, *, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion."""
    if trials <= 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    low = 0.0 if successes <= 0 else max(0.0, centre - half)  # exact ends, not rounding residue
    high = 1.0 if successes >= trials else min(1.0, centre + half)
    return low, high


def _runs_needed(p, target):
    """Repetitions ``R = ln(1 - target) / ln(1 - p)``, at least one; infinite when p = 0 (vectorised)."""
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.log1p(-target) / np.log1p(-np.clip(p, 0.0, 1.0 - 1e-16))
    return np.where(p <= 0, np.inf, np.where(p >= target, 1.0, r))


def tts(p_success: float, t_run: float, *, target: float = 0.99) -> float:
    """Time to solution ``t_run * ln(1 - target) / ln(1 - p_s)``: ``t_run`` once p_s >= target, inf at 0."""
    if not 0 < target < 1:
        raise ParameterError(f"target must be in (0, 1), got {target!r}")
    if not 0 <= p_success <= 1:
        raise ParameterError(f"p_success must be in [0, 1], got {p_success!r}")
    return float(t_run * _runs_needed(p_success, target))


def tts_bootstrap(
    p_successes, t_runs, *, target: float = 0.99, confidence: float = 0.95, seed: int = 0, n_resamples: int = 2000
) -> tuple[float, float, float]:
    """TTS of the seed-averaged success probability, with a percentile bootstrap interval over seeds.

    Returns ``(tts, low, high)``; a bound is infinite where resampled p_s reaches 0.
    """
    from scipy.stats import bootstrap

    p = np.asarray(p_successes, dtype=float)
    t = np.asarray(t_runs, dtype=float)
    if p.shape != t.shape or p.ndim != 1 or p.size == 0:
        raise ParameterError("p_successes and t_runs must be non-empty 1-D arrays of equal length")

    def stat(pp, tt, axis=-1):
        return tt.mean(axis=axis) * _runs_needed(pp.mean(axis=axis), target)

    point = float(stat(p, t))
    if p.size < 2 or (np.ptp(p) == 0 and np.ptp(t) == 0):
        return point, point, point
    with np.errstate(invalid="ignore"):  # resamples with p_s = 0 give an infinite TTS (and inf - inf in the s.e.)
        res = bootstrap(
            (p, t),
            stat,
            paired=True,
            vectorized=True,
            confidence_level=confidence,
            n_resamples=n_resamples,
            method="percentile",
            rng=np.random.default_rng(seed),
        )
    return point, float(res.confidence_interval.low), float(res.confidence_interval.high)


def residual_energy_per_spin(best_energy: float, ground_energy: float, num_spins: int) -> float:
    """``(E_best - E_0) / n`` (0 at the ground state; >= 0 when E_0 is exact)."""
    return (best_energy - ground_energy) / max(1, num_spins)


def approximation_ratio(best_energy: float, ground_energy: float) -> float:
    """``E_best / E_0`` for problems with ``E_0 < 0`` (1 at the ground state), else NaN."""
    return best_energy / ground_energy if ground_energy < 0 else math.nan


def cut_ratio(best_energy: float, ground_energy: float) -> float:
    """Cut found over maximum cut for Max-Cut problems (energy = -cut)."""
    return (-best_energy) / (-ground_energy) if ground_energy < 0 else math.nan


def run_metrics(
    energies,
    counts,
    ground_energy: float,
    num_spins: int,
    *,
    tolerance: float = 1e-9,
    t_run: float = math.nan,
    t_device: float = math.nan,
    target: float = 0.99,
) -> dict[str, float]:
    """Every per-run metric of one run's sampled ``energies`` (with ``counts``) against ``E_0``.

    ``tolerance`` is absolute: reads within it of ``E_0`` count as ground states, and a best energy
    within it is taken as ``E_0`` (residual 0, ratio 1). ``t_run`` and ``t_device`` are times per
    read; NaN gives a NaN TTS. Keys: best_energy, residual_energy_per_spin, approximation_ratio,
    mean_energy, mean_approximation_ratio, success_probability, success_ci_low, success_ci_high
    (95% Wilson), tts, tts_device. With no reads or no ``E_0`` (NaN) the metrics that need them are NaN.
    """
    e = np.asarray(energies, dtype=float)
    c = np.asarray(counts, dtype=float)
    reads = float(c.sum())
    nan = math.nan
    best = float(e.min()) if e.size else nan
    e0 = float(ground_energy)
    known = math.isfinite(e0)
    if known and abs(best - e0) <= tolerance:
        best = e0
    mean = float(np.dot(e, c) / reads) if reads else nan
    p = lo = hi = t = td = nan
    if reads and known:
        hits = float(c[e <= e0 + tolerance].sum())
        p = hits / reads
        lo, hi = wilson_interval(hits, reads)
        t = tts(p, t_run, target=target) if math.isfinite(t_run) else nan
        td = tts(p, t_device, target=target) if math.isfinite(t_device) else nan
    return {
        "best_energy": best,
        "residual_energy_per_spin": residual_energy_per_spin(best, e0, num_spins) if known else nan,
        "approximation_ratio": approximation_ratio(best, e0) if known else nan,
        "mean_energy": mean,
        "mean_approximation_ratio": approximation_ratio(mean, e0) if known else nan,
        "success_probability": p,
        "success_ci_low": lo,
        "success_ci_high": hi,
        "tts": t,
        "tts_device": td,
    }
