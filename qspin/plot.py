"""Plots of compare results: residual energy and TTS99 vs n, success probability per backend,
approximation ratio vs QAOA depth, and the overlap distribution P(q) from parallel tempering;
and the depth-1 QAOA landscape of :func:`qspin.qaoa.landscape`.

Every function takes the DataFrame of :func:`qspin.compare` (or :func:`qspin.compare.load_results`),
or a store path, and returns a :class:`matplotlib.figure.Figure` built without pyplot (no GUI
needed; notebooks display it). :func:`save_all` writes them all as PNG and/or SVG. Conventions
are those of :mod:`qspin.compare`: energies per spin, ``E_0`` the ground truth of each problem.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = [
    "approximation_vs_depth",
    "overlap_distribution",
    "qaoa_landscape",
    "residual_vs_n",
    "save_all",
    "success_by_backend",
    "tts_vs_n",
]

_MODEL_TITLES = {
    "sherrington_kirkpatrick": "SK",
    "edwards_anderson": "Edwards-Anderson",
    "maxcut": "Max-Cut",
    "hopfield": "Hopfield",
}


def _frame(data):
    """A DataFrame of done rows from a DataFrame, a store path or a JobStore."""
    import pandas as pd

    if not isinstance(data, pd.DataFrame):
        from qspin.compare import load_results

        data = load_results(data)
    return data[data["status"] == "done"] if len(data) else data


def _figure(ncols: int = 1, *, width: float = 5.0, height: float = 3.8):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * ncols, height), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, list(axes)


def _empty(ax, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="0.4", wrap=True)
    ax.set_xticks([])
    ax.set_yticks([])


def _colors(names) -> dict:
    from matplotlib import colormaps

    cmap = colormaps["tab10" if len(names) <= 10 else "tab20"]
    return {name: cmap(k % cmap.N) for k, name in enumerate(names)}


def _legend(ax, *, outside: bool = False, **kwargs) -> None:
    """A legend when there is something to label; ``outside``: to the right of the axes, clear of the data."""
    if not ax.get_legend_handles_labels()[0]:
        return
    if outside:
        kwargs = {"loc": "upper left", "bbox_to_anchor": (1.02, 1.0), "borderaxespad": 0.0, **kwargs}
    ax.legend(**kwargs)


def _models(df) -> list[str]:
    return list(dict.fromkeys(df["model"])) if len(df) else []


def _truth_note(g) -> str:
    kinds = set(g["ground_truth"])
    return "E_0 exact" if kinds == {"exact"} else "E_0 exact / best-known" if "exact" in kinds else "E_0 best-known"


def residual_vs_n(data):
    """Mean residual energy per spin ``(E_best - E_0)/n`` vs n, one line per backend, one panel per
    model; error bars are the standard error over instances and seeds."""
    df = _frame(data)
    models = _models(df) or ["(no rows)"]
    fig, axes = _figure(len(models))
    colors = _colors(list(dict.fromkeys(df["backend"])) if len(df) else [])
    for ax, model in zip(axes, models):
        g = df[df["model"] == model] if len(df) else df
        if not len(g):
            _empty(ax, "no finished rows")
            continue
        sizes = sorted(g["n"].unique())
        spacing = min(np.diff(sizes)) if len(sizes) > 1 else 1.0
        backends = list(dict.fromkeys(g["backend"]))
        for k, backend in enumerate(backends):
            s = g[g["backend"] == backend].groupby("n")["residual_energy_per_spin"].agg(["mean", "std", "count"])
            sem = (s["std"] / np.sqrt(s["count"])).fillna(0.0)
            dodge = (k - (len(backends) - 1) / 2) * 0.04 * spacing  # keep coinciding points apart
            ax.errorbar(
                s.index + dodge, s["mean"], yerr=sem, marker="o", ms=4, capsize=3, label=backend, color=colors[backend]
            )
        ax.axhline(0.0, color="0.6", lw=0.8, zorder=0)
        ax.set_xlabel("n (spins)")
        ax.set_ylabel("residual energy per spin  (E_best − E_0) / n")
        ax.set_title(f"{_title(model)}  ({_truth_note(g)})")
    _legend(axes[-1], outside=True, fontsize="small", title="backend")
    return fig


def _fit_exponent(n, t) -> tuple[float, float] | None:
    """Least-squares ``log2 TTS = a + alpha n`` on finite points; (alpha, a) or None."""
    n, t = np.asarray(n, float), np.asarray(t, float)
    ok = np.isfinite(t) & (t > 0)
    if np.unique(n[ok]).size < 2:
        return None
    alpha, a = np.polyfit(n[ok], np.log2(t[ok]), 1)
    return float(alpha), float(a)


def tts_vs_n(data, *, fit: bool = True):
    """TTS99 vs n (log scale), median over instances of each instance's TTS (bootstrap interval
    over seeds as error bars), with fitted scaling ``TTS ∝ 2^(alpha n)`` per backend."""
    from qspin.compare import summarize

    df = _frame(data)
    models = _models(df) or ["(no rows)"]
    fig, axes = _figure(len(models))
    summary = summarize(df) if len(df) else None
    colors = _colors(list(dict.fromkeys(df["backend"])) if len(df) else [])
    for ax, model in zip(axes, models):
        g = summary[summary["model"] == model] if summary is not None else None
        if g is None or not len(g) or not np.isfinite(g["tts99"]).any():
            _empty(ax, "no finite TTS99 (no run reached E_0)")
            continue
        for backend in dict.fromkeys(g["backend"]):
            b = g[(g["backend"] == backend) & np.isfinite(g["tts99"])]
            if not len(b):
                continue
            m = b.groupby("n")[["tts99", "tts99_low", "tts99_high"]].median()
            lower = np.clip(m["tts99"] - m["tts99_low"], 0, None)
            upper = np.clip(m["tts99_high"] - m["tts99"], 0, None).replace(np.inf, 0.0)
            label = backend
            fitted = _fit_exponent(m.index, m["tts99"]) if fit else None
            if fitted is not None:
                alpha, a = fitted
                label = f"{backend}: α = {alpha:.3f}"
                xs = np.linspace(m.index.min(), m.index.max(), 50)
                ax.plot(xs, 2.0 ** (a + alpha * xs), ls="--", lw=1, color=colors[backend])
            ax.errorbar(
                m.index,
                m["tts99"],
                yerr=[lower, upper],
                marker="o",
                ms=4,
                capsize=3,
                ls="none",
                color=colors[backend],
                label=label,
            )
        ax.set_yscale("log")
        ax.set_xlabel("n (spins)")
        ax.set_ylabel("TTS99 (s) = t_read · ln 0.01 / ln(1 − p_s)")
        ax.set_title(f"{_title(model)}  (dashed: fit TTS ∝ 2^(α n))")
        _legend(ax, outside=True, fontsize="x-small", title="backend")
    return fig


def success_by_backend(data):
    """Success probability per backend (reads at ``E_0`` over all reads, pooled over instances and
    seeds), one bar group per model, with 95% Wilson intervals."""
    from qspin.metrics import wilson_interval

    df = _frame(data)
    fig, (ax,) = _figure(1, width=max(5.0, 0.7 * df["backend"].nunique() + 2) if len(df) else 5.0)
    df = df[np.isfinite(df["success_probability"].to_numpy(dtype=float))] if len(df) else df
    if not len(df):
        _empty(ax, "no finished rows with a ground truth")
        return fig
    backends = list(dict.fromkeys(df["backend"]))
    models = _models(df)
    width = 0.8 / len(models)
    colors = _colors(models)
    for k, model in enumerate(models):
        g = df[df["model"] == model]
        heights, lows, highs, xs = [], [], [], []
        for i, backend in enumerate(backends):
            b = g[g["backend"] == backend]
            if not len(b):
                continue
            reads = b["num_reads"].to_numpy(dtype=float)
            hits = float((b["success_probability"].to_numpy(dtype=float) * reads).round().sum())
            p = hits / reads.sum()
            lo, hi = wilson_interval(hits, reads.sum())
            xs.append(i + (k - (len(models) - 1) / 2) * width)
            heights.append(p)
            lows.append(max(0.0, p - lo))
            highs.append(max(0.0, hi - p))
        ax.bar(xs, heights, width * 0.95, yerr=[lows, highs], capsize=3, color=colors[model], label=_title(model))
    ax.set_xticks(range(len(backends)), backends, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("success probability p_s (reads at E_0)")
    ax.set_title("Success probability (95% Wilson intervals)")
    _legend(ax, fontsize="small", title="model")
    return fig


def _title(model: str) -> str:
    return _MODEL_TITLES.get(model, model)


def approximation_vs_depth(data):
    """Approximation ratio vs circuit depth p for backends with a depth parameter (QAOA): best
    sample ``E_best/E_0`` (solid) and sample mean ``<E>/E_0`` (dashed), mean ± s.e. over rows."""
    df = _frame(data)
    fig, (ax,) = _figure(1)
    df = df[np.isfinite(df["depth"].to_numpy(dtype=float))] if len(df) else df
    if not len(df):
        _empty(ax, "no rows with a circuit depth\n(run a QAOA backend with several p)")
        return fig
    names = list(dict.fromkeys(df["backend_name"]))
    colors = _colors(names)
    for name in names:
        g = df[df["backend_name"] == name]
        for column, style, what in (("approximation_ratio", "-", "best"), ("mean_approximation_ratio", "--", "mean")):
            s = g.groupby("depth")[column].agg(["mean", "std", "count"])
            sem = (s["std"] / np.sqrt(s["count"])).fillna(0.0)
            ax.errorbar(
                s.index,
                s["mean"],
                yerr=sem,
                marker="o",
                ms=4,
                capsize=3,
                ls=style,
                color=colors[name],
                label=f"{name} ({what})",
            )
    ax.set_xlabel("depth p (layers)")
    ax.set_ylabel("approximation ratio E / E_0  (1 = ground state)")
    ax.set_title("Approximation ratio vs depth")
    depths = sorted(df["depth"].unique())
    ax.set_xticks(depths, [str(int(d)) for d in depths])
    _legend(ax, fontsize="small")
    return fig


def overlap_distribution(data, *, max_problems: int = 4):
    """P(q) at the coldest parallel-tempering temperature, averaged over seeds, one curve per problem
    (the ``max_problems`` largest), ``q = (1/n) sum_i s_i^a s_i^b`` between the two ladders."""
    df = _frame(data)
    fig, (ax,) = _figure(1)
    rows = df[df["pq"].map(lambda v: isinstance(v, dict))] if len(df) and "pq" in df.columns else df.iloc[0:0]
    if not len(rows):
        _empty(ax, "no P(q) in these rows\n(run the 'pt' backend)")
        return fig
    order = rows.drop_duplicates("problem").sort_values("n", ascending=False)["problem"].tolist()[:max_problems]
    colors = _colors(order)
    for problem in order:
        g = rows[rows["problem"] == problem]
        edges = np.asarray(g["pq"].iloc[0]["edges"], dtype=float)
        dens = [np.asarray(p["density"], float) for p in g["pq"] if len(p["edges"]) == len(edges)]
        backend = ", ".join(dict.fromkeys(g["backend"]))
        ax.stairs(np.mean(dens, axis=0), edges, color=colors[problem], label=f"{problem} ({backend}, {len(dens)} runs)")
    ax.set_xlim(-1.05, 1.05)
    ax.set_xlabel("overlap q = (1/n) Σ_i s_i^a s_i^b")
    ax.set_ylabel("P(q) (density)")
    ax.set_title("Overlap distribution at the coldest PT temperature")
    _legend(ax, fontsize="x-small")
    return fig


PLOTS = {
    "residual_vs_n": residual_vs_n,
    "tts_vs_n": tts_vs_n,
    "success_by_backend": success_by_backend,
    "approximation_vs_depth": approximation_vs_depth,
    "overlap_distribution": overlap_distribution,
}


def qaoa_landscape(landscape, *, title: str | None = None):
    """Heat map of ``<E>/n`` over (gamma, beta) from :func:`qspin.qaoa.landscape`, the grid's
    minimum marked."""
    fig, (ax,) = _figure(width=5.6, height=4.4)
    per_spin = np.asarray(landscape.values) / max(landscape.num_spins, 1)
    mesh = ax.pcolormesh(landscape.betas, landscape.gammas, per_spin, shading="nearest", cmap="viridis")
    fig.colorbar(mesh, ax=ax, label=r"$\langle E\rangle / n$")
    g, b, value = landscape.best
    ax.plot([b], [g], marker="*", color="white", markeredgecolor="black", markersize=14, linestyle="none")
    ax.annotate(f"min {value / max(landscape.num_spins, 1):+.4f}", (b, g), textcoords="offset points", xytext=(8, 8),
                color="white", fontsize=8)  # fmt: skip
    ax.set_xlabel(r"$\beta$ (mixer)")
    ax.set_ylabel(r"$\gamma$ (cost)")
    ax.set_title(title or f"depth-1 QAOA landscape, n = {landscape.num_spins}")
    return fig


def save_all(data, folder, *, formats=("png",), dpi: int = 120) -> list[Path]:
    """Write every plot to ``folder`` (created) as ``<name>.<format>``; returns the paths."""
    import pandas as pd

    if not isinstance(data, pd.DataFrame):
        from qspin.compare import load_results

        data = load_results(data)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, make in PLOTS.items():
        fig = make(data)
        for fmt in formats:
            path = folder / f"{name}.{fmt}"
            fig.savefig(path, dpi=dpi, format=fmt)
            paths.append(path)
    return paths
