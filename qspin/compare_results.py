"""Comparison results as DataFrames: one row per run, and per-(problem, backend) summaries.

Metrics are recomputed from each stored row's energies against the best ground truth known
(see :mod:`qspin.compare` for the conventions), so a resumed or extended sweep stays consistent.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from qspin.metrics import cut_ratio, run_metrics, tts_bootstrap, wilson_interval
from qspin.store import JobStore, ResultRecord, open_store

__all__ = ["load_results", "results_frame", "summarize"]

DEPTH_KEYS = ("p", "depth", "reps", "layers")  # a parameter naming a circuit depth (QAOA)
_PROVENANCE = {"backend", "kind", "seed", "problem", "job_id", "requested_backend", "parameters", "versions"}
_CORE = (  # the columns every frame has, in this order; backend extras follow
    "problem model n backend backend_name ran_as seed status best_energy ground_energy ground_truth "
    "residual_energy_per_spin approximation_ratio mean_energy mean_approximation_ratio cut_ratio "
    "success_probability success_ci_low success_ci_high num_reads tts99 tts99_device wall_time device_time "
    "queue_time warmup_time overhead_time threads depth error params problem_hash key created"
).split()


def merge_truth(truths, fingerprint, energy, kind, degeneracy, source) -> bool:
    old = truths.get(fingerprint)
    if old is not None and (old["kind"] == "exact" or (kind == "best-known" and energy >= old["energy"])):
        return False
    truths[fingerprint] = {"energy": energy, "kind": kind, "degeneracy": degeneracy, "source": source}
    return True


def improve_truths(records, truths, problems_by_hash, db) -> None:
    """A row that beats a best-known E_0 (or a problem whose ground truth failed) lowers it."""
    best: dict[str, tuple[float, ResultRecord]] = {}
    for r in records:
        e = r.record.get("best_energy")
        if r.status == "done" and e is not None and math.isfinite(e):
            if r.problem_hash not in best or e < best[r.problem_hash][0]:
                best[r.problem_hash] = (e, r)
    for h, (e, r) in best.items():
        old = truths.get(h)
        if old is not None and (old["kind"] == "exact" or e >= old["energy"] - r.record["tolerance"]):
            continue
        source = f"compare row: {r.record['label']} seed {r.seed}"
        if merge_truth(truths, h, e, "best-known", None, source) and db is not None and h in problems_by_hash:
            db.set_ground_truth(problems_by_hash[h], e, "best-known", source=source)


# --- the DataFrame --------------------------------------------------------------------------------


def _depth(params: Mapping[str, Any]) -> float:
    for k in DEPTH_KEYS:
        v = params.get(k)
        if isinstance(v, int) and not isinstance(v, bool):
            return float(v)
    return math.nan


def _row(r: ResultRecord, truth, label: str | None) -> dict[str, Any]:
    rec, info = r.record, r.info or {}
    n = int(rec["n"])
    e0 = truth["energy"] if truth else math.nan
    timing = rec.get("timing") or {}
    wall = float(timing.get("wall_s", math.nan))
    device = float(timing.get("device_s", timing.get("qpu_access_s", math.nan)))
    reads = int(rec.get("num_reads") or 0)
    done = r.status == "done" and r.energies is not None
    m = run_metrics(
        r.energies if done else [],
        r.counts if done else [],
        e0,
        n,
        tolerance=rec["tolerance"],
        t_run=wall / reads if reads else math.nan,
        t_device=device / reads if reads else math.nan,
    )
    best = m["best_energy"]
    out = {
        "problem": rec["problem"],
        "model": rec["model"],
        "n": n,
        "backend": label or rec["label"],
        "backend_name": rec["backend"],
        "ran_as": info.get("backend", rec["backend"]) if r.status == "done" else None,
        "seed": r.seed,
        "status": r.status,
        "best_energy": best,
        "ground_energy": e0,
        "ground_truth": truth["kind"] if truth else "none",
        "residual_energy_per_spin": m["residual_energy_per_spin"],
        "approximation_ratio": m["approximation_ratio"],
        "mean_energy": m["mean_energy"],
        "mean_approximation_ratio": m["mean_approximation_ratio"],
        "cut_ratio": cut_ratio(best, e0) if rec["model"] == "maxcut" and math.isfinite(e0) else math.nan,
        "success_probability": m["success_probability"],
        "success_ci_low": m["success_ci_low"],
        "success_ci_high": m["success_ci_high"],
        "num_reads": reads,
        "tts99": m["tts"],
        "tts99_device": m["tts_device"],
        "wall_time": wall,
        "device_time": device,
        "queue_time": float(timing.get("queue_s", math.nan)),
        "warmup_time": float(rec.get("warmup_s", math.nan)),
        "overhead_time": float(rec.get("overhead_s", math.nan)),
        "threads": rec.get("threads"),
        "depth": _depth(rec.get("params") or {}),
        "error": r.error,
        "params": json.dumps(rec.get("params") or {}, sort_keys=True),
        "problem_hash": r.problem_hash,
        "key": r.key,
        "created": r.created,
    }
    for k, v in info.items():
        if k in _PROVENANCE or k in out or k == "fallback":
            continue
        if isinstance(v, (bool, int, float, str)):
            out[k] = v
    fb = info.get("fallback")
    if isinstance(fb, dict):
        out["fallback_reason"] = fb.get("reason")
    if isinstance(info.get("pq"), dict):
        out["pq"] = info["pq"]
    for k, v in timing.items():
        if k != "wall_s" and isinstance(v, (int, float)):
            out[f"time_{k}"] = float(v)
    return out


def results_frame(records: Iterable[ResultRecord], truths: Mapping[str, Mapping], *, labels=None):
    """The DataFrame of stored rows, metrics computed against the ground truths given."""
    import pandas as pd

    labels = labels or {}
    data = [_row(r, truths.get(r.problem_hash), labels.get(r.key)) for r in records]
    df = pd.DataFrame(data)
    if df.empty:
        return pd.DataFrame(columns=_CORE)
    extras = [c for c in df.columns if c not in _CORE]
    return df[_CORE + extras]


def load_results(store=None):
    """Every row of a store (default ``$QSPIN_STORE``) as :func:`compare` returns them."""
    from qspin.errors import StoreError

    db = store if isinstance(store, JobStore) else open_store(store)
    if db is None:
        raise StoreError("no store: pass store=PATH or set $QSPIN_STORE")
    return results_frame(db.results(), db.ground_truths())


# --- summaries ------------------------------------------------------------------------------------


def summarize(df, *, target: float = 0.99, confidence: float = 0.95):
    """One row per (problem, backend): means over seeds, pooled p_s with its Wilson interval and
    TTS at ``target`` with a bootstrap interval over seeds (``tts99``, ``tts99_low``, ``tts99_high``).

    ``residual_sem`` is the standard error of the mean residual over seeds; ``fell_back_to``
    names the backend that actually ran when it differs (else "").
    """
    import pandas as pd

    out = []
    for (problem, backend), g in df.groupby(["problem", "backend"], sort=False):
        ok = g[g["status"] == "done"]
        row = {
            "problem": problem,
            "model": g["model"].iloc[0],
            "n": int(g["n"].iloc[0]),
            "backend": backend,
            "seeds": len(ok),
            "failed": int((g["status"] == "failed").sum()),
            "ground_truth": g["ground_truth"].iloc[0],
            "ground_energy": float(g["ground_energy"].iloc[0]),
        }
        ran = sorted({str(x) for x in ok["ran_as"].dropna()} - {str(g["backend_name"].iloc[0])})
        row["fell_back_to"] = ", ".join(ran)  # "" when the backend itself ran
        res = ok["residual_energy_per_spin"].to_numpy(dtype=float)
        valid = ok[np.isfinite(ok["success_probability"].to_numpy(dtype=float))]
        reads = valid["num_reads"].to_numpy(dtype=float)
        hits = (valid["success_probability"].to_numpy(dtype=float) * reads).round()
        t_run = valid["wall_time"].to_numpy(dtype=float) / np.maximum(reads, 1)
        p = hits.sum() / reads.sum() if reads.sum() else math.nan
        lo, hi = wilson_interval(hits.sum(), reads.sum(), confidence=confidence) if reads.sum() else (math.nan,) * 2
        t = tl = th = math.nan
        if len(valid) and np.isfinite(t_run).all():
            t, tl, th = tts_bootstrap(hits / reads, t_run, target=target, confidence=confidence)
        row.update(
            best_energy=float(ok["best_energy"].min()) if len(ok) else math.nan,
            residual_energy_per_spin=float(res.mean()) if res.size else math.nan,
            residual_sem=float(res.std(ddof=1) / math.sqrt(res.size)) if res.size > 1 else math.nan,
            approximation_ratio=float(ok["approximation_ratio"].mean()) if len(ok) else math.nan,
            success_probability=p,
            success_ci_low=lo,
            success_ci_high=hi,
            tts99=t,
            tts99_low=tl,
            tts99_high=th,
            wall_time=float(ok["wall_time"].mean()) if len(ok) else math.nan,
            device_time=float(ok["device_time"].mean()) if len(ok) else math.nan,
            overhead_time=float(ok["overhead_time"].mean()) if len(ok) else math.nan,
            depth=float(ok["depth"].iloc[0]) if len(ok) else math.nan,
        )
        out.append(row)
    return pd.DataFrame(out)
