"""The ``qspin`` command line: generate problems, solve them, list backends and jobs.

Human output is a table; ``--json`` prints machine-readable JSON. Exit codes: 0 success,
1 a backend failed, 2 bad input (arguments, files, parameters, configuration), 3 a backend is
unavailable and had no fallback, 130 interrupted. Errors are one line on stderr, never a
traceback.
"""

from __future__ import annotations

import json
import sys
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
