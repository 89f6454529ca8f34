"""The ``qspin`` command line: generate problems, solve them, compare backends over a sweep, plot
the results, list backends and jobs.

Human output is a table; ``--json`` prints machine-readable JSON (NaN and infinity as null). Exit
codes: 0 success, 1 a backend failed (for ``compare``: some row failed), 2 bad input (arguments,
files, parameters, configuration), 3 a backend (or the Dask scheduler) is unavailable and had no
fallback, 130 interrupted. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import json
import math
import sys
import time
import warnings
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Quantum and classical solvers for Ising spin glasses."
)
generate_app = typer.Typer(no_args_is_help=True, help="Generate a problem and write it as qspin JSON.")
jobs_app = typer.Typer(no_args_is_help=True, help="List, show and fetch recorded jobs.")
app.add_typer(generate_app, name="generate")
app.add_typer(jobs_app, name="jobs")

EXIT_BACKEND, EXIT_INPUT, EXIT_UNAVAILABLE, EXIT_INTERRUPT = 1, 2, 3, 130

Output = Annotated[Path, typer.Option("--output", "-o", help="Where to write the problem (JSON).")]
Seed = Annotated[int | None, typer.Option(help="Seed of the instance (recorded in the file).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
StoreOpt = Annotated[Path | None, typer.Option(help="Job store (SQLite); default $QSPIN_STORE.")]


def _console():
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 160)


def _fail(message: str, code: int) -> None:
    typer.echo(f"qspin: error: {message}", err=True)
    raise typer.Exit(code)


def _write_problem(problem, output: Path) -> None:
    problem.save(output)
    typer.echo(f"wrote {output}: {problem.num_spins} spins, {problem.num_couplings} couplings ({problem.name})")


@generate_app.command("sk")
def generate_sk(n: int, output: Output, couplings: str = "gaussian", seed: Seed = None):
    """Sherrington-Kirkpatrick model with N spins."""
    from qspin.models import sherrington_kirkpatrick

    _write_problem(sherrington_kirkpatrick(n, couplings=couplings, seed=seed), output)


@generate_app.command("ea")
def generate_ea(
    shape: Annotated[str, typer.Argument(help="Side lengths, e.g. 16x16 or 6x6x6.")],
    output: Output,
    couplings: str = "gaussian",
    open_boundaries: bool = False,
    field: float = 0.0,
    random_field: float = 0.0,
    seed: Seed = None,
):
    """Edwards-Anderson spin glass on a hypercubic lattice."""
    from qspin.models import edwards_anderson

    try:
        dims = tuple(int(x) for x in shape.lower().split("x"))
    except ValueError:
        _fail(f"shape must look like 16x16 or 6x6x6, got {shape!r}", EXIT_INPUT)
    problem = edwards_anderson(
        dims, couplings=couplings, periodic=not open_boundaries, field=field, random_field=random_field, seed=seed
    )
    _write_problem(problem, output)


@generate_app.command("hopfield")
def generate_hopfield(patterns: int, spins: int, output: Output, rule: str = "hebb", seed: Seed = None):
    """Hopfield network storing PATTERNS random patterns of SPINS spins."""
    import numpy as np

    from qspin.models import hopfield

    if patterns < 1 or spins < 1:
        _fail("patterns and spins must be positive", EXIT_INPUT)
    xi = np.random.default_rng(seed).choice(np.array([-1, 1], dtype=np.int8), size=(patterns, spins))
    problem = hopfield(xi, rule=rule)
    _write_problem(problem.replace(metadata={**problem.metadata, "seed": seed}), output)


@generate_app.command("maxcut")
def generate_maxcut(degree: int, nodes: int, output: Output, seed: Seed = None):
    """Max-Cut on a random DEGREE-regular graph with NODES nodes."""
    import networkx as nx

    from qspin.models import maxcut

    try:
        graph = nx.random_regular_graph(degree, nodes, seed=seed)
    except nx.NetworkXError as exc:
        _fail(str(exc), EXIT_INPUT)
    problem = maxcut(graph, name=f"maxcut-{degree}reg-n{nodes}-s{seed}")
    _write_problem(problem.replace(metadata={**problem.metadata, "seed": seed, "degree": degree}), output)


def _read_problem(path: Path, fmt: str):
    import qspin

    readers = {"json": qspin.load, "gset": qspin.read_gset, "bonds": qspin.read_bonds}
    if fmt == "auto":
        fmt = "json" if path.suffix == ".json" else "gset" if path.suffix in (".gset", ".rudy") else "bonds"
    if fmt not in readers:
        _fail(f"--format must be one of auto, {', '.join(readers)}", EXIT_INPUT)
    return readers[fmt](path)


def _parse_params(items: list[str]) -> dict:
    params = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            _fail(f"--param wants KEY=VALUE, got {item!r}", EXIT_INPUT)
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    return params


@app.command()
def solve(
    problem_file: Annotated[Path, typer.Argument(help="Problem file (qspin JSON, Gset or bond list).")],
    backend: Annotated[str, typer.Option("--backend", "-b")] = "exact",
    param: Annotated[list[str], typer.Option("--param", "-p", help="Backend parameter KEY=VALUE.")] = [],  # noqa: B006
    seed: Annotated[int | None, typer.Option(help="Master seed of the run.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="auto, json, gset or bonds.")] = "auto",
    store: StoreOpt = None,
    as_json: AsJson = False,
    top: int = 5,
):
    """Solve a problem with one backend and print the lowest-energy samples."""
    import qspin

    problem = _read_problem(problem_file, fmt)
    ss = qspin.solve(problem, backend, seed=seed, store=store, **_parse_params(param))
    summary = {
        "problem": problem.name,
        "n": problem.num_spins,
        "backend": backend,
        "best_energy": ss.best_energy,
        "num_reads": ss.num_reads,
        "seed": ss.info["seed"],
        "wall_s": ss.info["timing"]["wall_s"],
        "fallback": ss.info.get("fallback"),
        "job_id": ss.info.get("job_id"),
        "best_spins": ss.best_spins.tolist(),
    }
    if as_json:
        typer.echo(json.dumps(summary))
        return
    from rich.table import Table

    table = Table(title=f"{problem.name} ({problem.num_spins} spins) with {backend}")
    for col in ("rank", "energy", "energy / spin", "count"):
        table.add_column(col, justify="right")
    for k in range(min(top, len(ss))):
        table.add_row(
            str(k + 1), f"{ss.energies[k]:.6f}", f"{ss.energies[k] / max(1, problem.num_spins):.6f}", str(ss.counts[k])
        )
    console = _console()
    console.print(table)
    if summary["fallback"]:
        fb = summary["fallback"]
        console.print(f"[yellow]fell back from {fb['from']} to {fb['to']}: {fb['reason']}")
    console.print(
        f"seed {summary['seed']}, {summary['num_reads']} reads, {summary['wall_s']:.3f} s"
        + (f", job {summary['job_id']}" if summary["job_id"] else "")
    )


@app.command()
def backends(
    config: Annotated[Path | None, typer.Option(help="backends.toml to use.")] = None, as_json: AsJson = False
):
    """List backends and profiles, whether each can run now, and why not."""
    from qspin.solvers.registry import backend_status

    rows = backend_status(config)
    if as_json:
        typer.echo(json.dumps(rows))
        return
    from rich.table import Table

    table = Table(title="qspin backends")
    for col in ("name", "kind", "available", "fallback", "reason"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["name"], r["kind"], "yes" if r["available"] else "[red]no", r["fallback"] or "", r["reason"])
    _console().print(table)


def _job_row(record) -> dict:
    return {
        "id": record.id,
        "status": record.status,
        "backend": record.backend,
        "kind": record.kind,
        "seed": record.seed,
        "vendor_job_id": record.vendor_job_id,
        "created": record.created,
        "best_energy": (record.info or {}).get("best_energy"),
        "error": record.error,
    }


@jobs_app.command("list")
def jobs_list(store: StoreOpt = None, status: str | None = None, as_json: AsJson = False):
    """List recorded jobs, oldest first."""
    import datetime

    import qspin

    rows = [_job_row(r) for r in qspin.jobs(store, status=status)]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    from rich.table import Table

    table = Table(title="qspin jobs")
    for col in ("id", "created", "status", "backend", "vendor job", "error"):
        table.add_column(col)
    for r in rows:
        when = datetime.datetime.fromtimestamp(r["created"]).strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(r["id"][:12], when, r["status"], r["backend"], r["vendor_job_id"] or "", (r["error"] or "")[:60])
    _console().print(table)


@jobs_app.command("show")
def jobs_show(job_id: str, store: StoreOpt = None):
    """Print one job as JSON."""
    from qspin.store import open_store

    db = open_store(store)
    if db is None:
        _fail("no job store: pass --store PATH or set $QSPIN_STORE", EXIT_INPUT)
    record = db.job(job_id)
    typer.echo(json.dumps({**_job_row(record), "params": record.params, "info": record.info}, indent=2, default=str))


@jobs_app.command("fetch")
def jobs_fetch(job_id: str, store: StoreOpt = None, as_json: AsJson = False):
    """Return a job's samples: from the store, or from the vendor by id for an interrupted cloud job."""
    import qspin

    ss = qspin.fetch_job(job_id, store)
    out = {"job_id": job_id, "best_energy": ss.best_energy, "num_reads": ss.num_reads}
    typer.echo(
        json.dumps(out) if as_json else f"job {job_id}: best energy {ss.best_energy:.6f} over {ss.num_reads} reads"
    )


# --- compare and plot ----------------------------------------------------------------------------


def _text(value) -> str:
    """A string cell: pandas stores a missing string as NaN."""
    return value if isinstance(value, str) else ""


def _seconds(t: float) -> str:
    if t is None or not math.isfinite(t):
        return "inf" if t == math.inf else "-"
    if t < 1e-3:
        return f"{t * 1e6:.3g} µs"
    return f"{t * 1e3:.3g} ms" if t < 1 else f"{t:.3g} s"


def _residual(r: float, sem: float) -> str:
    if not math.isfinite(r):
        return "-"
    text = "0" if r == 0 else f"{r:.2e}"
    return text + (f" ± {sem:.1e}" if math.isfinite(sem) and sem > 0 else "")


def summary_table(summary, title: str = "qspin compare"):
    """A rich Table of :func:`qspin.compare.summarize` output: one line per problem and backend."""
    from rich.table import Table

    table = Table(title=title, caption="E_0 marked * is best-known, not exact; p_s and TTS99 with 95% intervals")
    for col in ("problem", "n", "backend", "E_0", "best E", "residual / spin", "p_s", "TTS99", "wall / run"):
        table.add_column(col, justify="left" if col in ("problem", "backend") else "right")
    previous = None
    for r in summary.itertuples(index=False):
        if previous is not None and r.problem != previous:
            table.add_section()
        previous = r.problem
        backend = r.backend + (f" → {r.fell_back_to}" if _text(r.fell_back_to) else "")
        if r.failed:
            backend += f" [red]({r.failed} failed)"
        e0 = "-" if not math.isfinite(r.ground_energy) else f"{r.ground_energy:.4f}"
        e0 += "*" if r.ground_truth == "best-known" else ""
        p = "-" if not math.isfinite(r.success_probability) else f"{r.success_probability:.2f}"
        if math.isfinite(r.success_ci_low):
            p += f" [{r.success_ci_low:.2f}, {r.success_ci_high:.2f}]"
        t = _seconds(r.tts99)
        if math.isfinite(r.tts99) and r.seeds > 1:
            t += f" [{_seconds(r.tts99_low)}, {_seconds(r.tts99_high)}]"
        table.add_row(
            r.problem,
            str(r.n),
            backend,
            e0,
            "-" if not math.isfinite(r.best_energy) else f"{r.best_energy:.4f}",
            _residual(r.residual_energy_per_spin, r.residual_sem),
            p,
            t,
            _seconds(r.wall_time),
        )
    return table


def _rows_table(df):
    from rich.table import Table

    table = Table(title="qspin compare: every row")
    cols = ("problem", "backend", "seed", "status", "best E", "residual / spin", "p_s", "TTS99", "wall", "error")
    for col in cols:
        table.add_column(col, justify="left" if col in ("problem", "backend", "status", "error") else "right")
    for r in df.itertuples(index=False):
        table.add_row(
            r.problem,
            r.backend if _text(r.ran_as) in ("", r.backend_name) else f"{r.backend} → {r.ran_as}",
            str(r.seed),
            r.status,
            "-" if not math.isfinite(r.best_energy) else f"{r.best_energy:.4f}",
            _residual(r.residual_energy_per_spin, math.nan),
            "-" if not math.isfinite(r.success_probability) else f"{r.success_probability:.3f}",
            _seconds(r.tts99),
            _seconds(r.wall_time),
            _text(r.error)[:60],
        )
    return table


def _json_records(df) -> str:
    """Rows as a JSON list; NaN and infinity become null, bulky columns (P(q)) are left out."""
    import numpy as np

    df = df.drop(columns=[c for c in ("pq",) if c in df.columns])
    records = df.replace([np.inf, -np.inf], np.nan).astype(object).where(df.notna(), None).to_dict("records")
    clean = [{k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in r.items()} for r in records]
    return json.dumps(clean, default=lambda o: o.item() if hasattr(o, "item") else str(o))


def _dask_client(address: str):
    from qspin.errors import BackendUnavailable, MissingDependencyError

    try:
        from dask.distributed import Client
    except ImportError:
        raise MissingDependencyError("--scheduler needs Dask: pip install 'qspin[dask]'") from None
    try:
        return Client(address, timeout=10)
    except (OSError, TimeoutError) as exc:
        raise BackendUnavailable(f"cannot reach the Dask scheduler at {address} ({exc})") from None


@app.command("compare")
def compare_command(
    sweep_file: Annotated[Path, typer.Argument(help="Sweep spec (TOML): models, backends with options, seeds.")],
    store: Annotated[
        Path | None, typer.Option(help="Results store (SQLite): rows are kept as they finish; a rerun resumes.")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Local worker processes (default: the cores).")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address: run the rows on that cluster.")] = None,
    threads: Annotated[int | None, typer.Option(help="Threads per row (default: cores / workers).")] = None,
    config: Annotated[Path | None, typer.Option(help="backends.toml to use.")] = None,
    rows: Annotated[bool, typer.Option("--rows", help="Show every row, not one line per problem and backend.")] = False,
    as_json: AsJson = False,
):
    """Run every (problem, backend, seed) of a sweep and print how close each backend gets to E_0."""
    from qspin.compare import compare, summarize
    from qspin.store import open_store
    from qspin.sweep import load_sweep

    if workers is not None and scheduler is not None:
        _fail("--workers and --scheduler exclude each other (workers are the cluster's)", EXIT_INPUT)
    if workers is not None and workers < 1:
        _fail(f"--workers must be at least 1, got {workers}", EXIT_INPUT)
    sweep = load_sweep(sweep_file, config=config)
    db = open_store(store)
    client = _dask_client(scheduler) if scheduler else None
    started = time.time()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            df = compare(
                sweep.problems(),
                sweep.backends,
                seeds=sweep.seeds,
                store=db,
                executor=client,
                workers=workers,
                threads=threads,
                config=config,
                ground_truth=sweep.ground_truth,
            )
    except KeyboardInterrupt:
        kept = f"{len(db.result_keys())} rows are in {db.path}; run the same command to resume" if db else "no --store"
        typer.echo(f"qspin: interrupted ({kept})", err=True)
        raise typer.Exit(EXIT_INTERRUPT) from None
    finally:
        if client is not None:
            client.close()
    for message in dict.fromkeys(str(w.message) for w in caught):
        typer.echo(f"qspin: note: {message}", err=True)
    failed = int((df["status"] == "failed").sum())
    if as_json:
        typer.echo(_json_records(df if rows else summarize(df)))
    else:
        console = _console()
        console.print(_rows_table(df) if rows else summary_table(summarize(df), title=f"qspin compare: {sweep.name}"))
        new = int((df["created"] >= started).sum())
        where = f", {len(df) - new} from {db.path}" if db is not None else ""
        console.print(f"{len(df)} rows: {new} run now{where}" + (f", [red]{failed} failed" if failed else ""))
    if failed:
        raise typer.Exit(EXIT_BACKEND)


@app.command("plot")
def plot_command(
    store: StoreOpt = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the figures.")] = Path("plots"),
    fmt: Annotated[list[str], typer.Option("--format", "-f", help="png and/or svg (repeat).")] = ["png"],  # noqa: B006
    as_json: AsJson = False,
):
    """Plot the compare results of a store: residual and TTS99 vs n, p_s per backend, ratio vs depth, P(q)."""
    import os

    from qspin.compare import load_results
    from qspin.plot import save_all

    path = store if store is not None else os.environ.get("QSPIN_STORE")
    if not path:
        _fail("no results store: pass --store PATH or set $QSPIN_STORE", EXIT_INPUT)
    if not Path(path).is_file():
        _fail(f"no such store {str(path)!r}", EXIT_INPUT)
    bad = sorted(set(fmt) - {"png", "svg"})
    if bad:
        _fail(f"--format must be png or svg, got {bad[0]!r}", EXIT_INPUT)
    df = load_results(path)
    if not len(df):
        _fail(f"{path} holds no compare results; run `qspin compare SWEEP.toml --store {path}` first", EXIT_INPUT)
    paths = save_all(df, output, formats=tuple(dict.fromkeys(fmt)))
    typer.echo(json.dumps([str(p) for p in paths]) if as_json else "\n".join(f"wrote {p}" for p in paths))


@app.command("export-circuits")
def export_circuits(folder: Annotated[Path, typer.Argument()] = Path("circuits")):
    """Regenerate the reference QAOA circuits (OpenQASM 3)."""
    from qspin.compile.reference_circuits import export

    for path in export(folder):
        typer.echo(str(path))


def main() -> None:
    """Entry point: run the app, turning qspin errors into one-line messages and exit codes."""
    from qspin.errors import BackendError, BackendUnavailable, QspinError

    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("qspin: interrupted", err=True)
        sys.exit(EXIT_INTERRUPT)
    except BackendUnavailable as exc:
        typer.echo(f"qspin: error: {exc}", err=True)
        sys.exit(EXIT_UNAVAILABLE)
    except BackendError as exc:
        typer.echo(f"qspin: error: {exc}", err=True)
        sys.exit(EXIT_BACKEND)
    except (QspinError, OSError) as exc:
        typer.echo(f"qspin: error: {exc}", err=True)
        sys.exit(EXIT_INPUT)
    except Exception as exc:  # usage errors and anything unexpected: one line, not a traceback
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # click's (or typer's) usage errors
            exc.show()
            sys.exit(exc.exit_code)
        if type(exc).__name__ == "Abort":
            sys.exit(EXIT_INTERRUPT)
        typer.echo(f"qspin: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_BACKEND)


if __name__ == "__main__":
    main()
