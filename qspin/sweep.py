"""Sweep specifications: problems, backends with options, seeds; TOML validated into frozen objects.

A sweep file names model families with size and instance ranges, the backends to run with their
options, and the run seeds. Errors are :class:`qspin.ConfigError` naming the file and the key::

    name = "sk-vs-ea"
    seeds = 4                                  # run seeds 0..3; or a list [0, 5, 9]; or { from = 0, to = 3 }

    [ground_truth]                             # optional: how E_0 is found
    exact_limit = 32                           # enumerate up to this many spins, else best of long PT runs
    pt_reads = 8
    pt_sweeps = 20000

    [[models]]
    model = "sk"                               # sk (n), ea (L, dim), maxcut (nodes, degree), hopfield
    n = { from = 8, to = 20, step = 4 }        # (spins, patterns) or file (path): a size is an int,
    instances = 2                              # a list or an inclusive range; instances (seeds of the
    couplings = "gaussian"                     # instances) a count, a list or a range

    [[backends]]
    name = "sa"                                # a built-in backend or a backends.toml profile
    options = { num_reads = 100, num_sweeps = 1000 }

    [[backends]]
    name = "qaoa"
    grid = { p = [1, 2, 3] }                   # one setting per combination, labelled "qaoa[p=1]", ...
    max_spins = 14                             # skip larger problems

``backends`` may also be an array of names and inline tables: ``backends = ["exact", "sa"]``.
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from qspin.errors import ConfigError, ParameterError
from qspin.problem import IsingProblem

__all__ = [
    "BackendSpec",
    "GroundTruthSpec",
    "ModelSpec",
    "Sweep",
    "backend_specs",
    "load_sweep",
    "seed_list",
]

_TOP_KEYS = {"name", "seeds", "models", "backends", "ground_truth"}
_BACKEND_KEYS = {"name", "options", "grid", "label", "max_spins"}
_COUPLINGS = ("gaussian", "pm1")
# model -> (size key, {other key: (type, default)}); "instances" is allowed for every generated model
_MODELS: dict[str, tuple[str, dict[str, tuple[type | tuple[type, ...], Any]]]] = {
    "sk": ("n", {"couplings": (str, "gaussian")}),
    "ea": (
        "L",
        {
            "dim": (int, 2),
            "couplings": (str, "gaussian"),
            "periodic": (bool, True),
            "field": ((int, float), 0.0),
            "random_field": ((int, float), 0.0),
        },
    ),
    "maxcut": ("nodes", {"degree": (int, 3)}),
    "hopfield": ("spins", {"patterns": (int, None), "rule": (str, "hebb")}),
}


def _frozen(mapping) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class GroundTruthSpec:
    """How a problem's reference energy ``E_0`` is found: exact enumeration up to ``exact_limit``
    spins, else the best energy of ``pt_reads`` parallel-tempering runs of ``pt_sweeps`` sweeps."""

    exact_limit: int = 32
    pt_reads: int = 8
    pt_sweeps: int = 20000
    seed: int = 0


@dataclass(frozen=True)
class BackendSpec:
    """One backend setting of a sweep: a backend or profile ``name``, its ``options``, the ``label``
    its rows carry (default: the name) and ``max_spins`` (larger problems are skipped)."""

    name: str
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    label: str = ""
    max_spins: int | None = None

    def __post_init__(self):
        object.__setattr__(self, "options", _frozen(self.options))
        if not self.label:
            object.__setattr__(self, "label", self.name)

    def runs_on(self, problem: IsingProblem) -> bool:
        return self.max_spins is None or problem.num_spins <= self.max_spins


@dataclass(frozen=True)
class ModelSpec:
    """A model family with its ``sizes``, instance seeds and generator ``options`` (or files)."""

    model: str
    sizes: tuple = ()
    instances: tuple[int, ...] = (0,)
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    paths: tuple[Path, ...] = ()

    def problems(self) -> list[IsingProblem]:
        """The instances, sizes outer, instance seeds inner (files in the order given)."""
        if self.model == "file":
            return [_read_problem(p) for p in self.paths]
        return [_generate(self.model, size, seed, self.options) for size in self.sizes for seed in self.instances]


@dataclass(frozen=True)
class Sweep:
    """A validated sweep file."""

    name: str
    models: tuple[ModelSpec, ...]
    backends: tuple[BackendSpec, ...]
    seeds: tuple[int, ...] = (0,)
    ground_truth: GroundTruthSpec = GroundTruthSpec()
    path: Path | None = None

    def problems(self) -> list[IsingProblem]:
        return [p for m in self.models for p in m.problems()]


# --- generating problems ---------------------------------------------------------------------


def _generate(model: str, size, seed: int, options: Mapping[str, Any]) -> IsingProblem:
    from qspin import models

    if model == "sk":
        return models.sherrington_kirkpatrick(size, couplings=options.get("couplings", "gaussian"), seed=seed)
    if model == "ea":
        shape = (size,) * int(options.get("dim", 2))
        return models.edwards_anderson(
            shape,
            couplings=options.get("couplings", "gaussian"),
            periodic=options.get("periodic", True),
            field=options.get("field", 0.0),
            random_field=options.get("random_field", 0.0),
            seed=seed,
        )
    if model == "maxcut":
        import networkx as nx

        degree = int(options.get("degree", 3))
        graph = nx.random_regular_graph(degree, size, seed=seed)
        problem = models.maxcut(graph, name=f"maxcut-{degree}reg-n{size}-s{seed}")
        return problem.replace(metadata={**problem.metadata, "seed": seed, "degree": degree})
    if model == "hopfield":
        import numpy as np

        xi = np.random.default_rng(seed).choice(np.array([-1, 1], dtype=np.int8), size=(options["patterns"], size))
        problem = models.hopfield(xi, rule=options.get("rule", "hebb"))
        return problem.replace(name=f"{problem.name}-s{seed}", metadata={**problem.metadata, "seed": seed})
    raise ParameterError(f"unknown model {model!r}")  # pragma: no cover (validated at load)


def _read_problem(path: Path) -> IsingProblem:
    from qspin.formats import load, read_bonds, read_gset

    if path.suffix == ".json":
        return load(path)
    if path.suffix in (".gset", ".rudy"):
        return read_gset(path)
    return read_bonds(path)


# --- normalising API arguments ----------------------------------------------------------------


def seed_list(seeds) -> tuple[int, ...]:
    """Seeds from a count (``4`` -> 0..3) or an iterable of non-negative integers."""
    if isinstance(seeds, bool):
        raise ParameterError(f"seeds must be a count or a list of non-negative integers, got {seeds!r}")
    if isinstance(seeds, int):
        if seeds < 1:
            raise ParameterError(f"seeds as a count must be >= 1, got {seeds}")
        return tuple(range(seeds))
    try:
        out = tuple(seeds)
    except TypeError:
        raise ParameterError(f"seeds must be a count or a list of non-negative integers, got {seeds!r}") from None
    if not out or any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in out):
        raise ParameterError(f"seeds must be a count or a non-empty list of non-negative integers, got {seeds!r}")
    if len(set(out)) != len(out):
        raise ParameterError(f"seeds must be distinct, got {list(out)}")
    return out


def backend_specs(backends) -> tuple[BackendSpec, ...]:
    """BackendSpecs from a name, a mapping ``{name: options}``, or an iterable of names,
    ``(name, options)`` pairs and BackendSpecs. Labels must be distinct."""
    if isinstance(backends, (str, BackendSpec)):
        backends = [backends]
    elif isinstance(backends, Mapping):
        backends = list(backends.items())
    specs = []
    for item in backends:
        if isinstance(item, BackendSpec):
            specs.append(item)
        elif isinstance(item, str):
            specs.append(BackendSpec(item))
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            specs.append(BackendSpec(item[0], dict(item[1] or {})))
        else:
            raise ParameterError(f"a backend is a name, a (name, options) pair or a BackendSpec, got {item!r}")
    if not specs:
        raise ParameterError("compare needs at least one backend")
    labels = [s.label for s in specs]
    dupes = sorted({x for x in labels if labels.count(x) > 1})
    if dupes:
        raise ParameterError(f"backend labels must be distinct; {dupes[0]!r} appears twice (give each a label)")
    return tuple(specs)


# --- reading the TOML -------------------------------------------------------------------------


def _fail(path, key, message):
    raise ConfigError(f"{path}: {key}: {message}")


def _int(path, key, value, low=0):
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        _fail(path, key, f"must be an integer >= {low}, got {value!r}")
    return value


def _values(path, key, value, *, low, count: bool) -> tuple[int, ...]:
    """An int (a count 0..k-1 when ``count``, else the value), a list, or {from, to, step} (inclusive)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if count:
            return tuple(range(_int(path, key, value, 1)))
        return (_int(path, key, value, low),)
    if isinstance(value, list):
        if not value:
            _fail(path, key, "must not be empty")
        out = tuple(_int(path, f"{key}[{k}]", v, low) for k, v in enumerate(value))
    elif isinstance(value, dict):
        unknown = sorted(set(value) - {"from", "to", "step"})
        if unknown:
            _fail(path, f"{key}.{unknown[0]}", "unknown key (a range has from, to and step)")
        if "from" not in value or "to" not in value:
            _fail(path, key, "a range needs from and to (both included)")
        start = _int(path, f"{key}.from", value["from"], low)
        stop = _int(path, f"{key}.to", value["to"], start)
        step = _int(path, f"{key}.step", value.get("step", 1), 1)
        out = tuple(range(start, stop + 1, step))
    else:
        what = "a count" if count else "an integer"
        _fail(path, key, f"must be {what}, a list or a range {{ from = .., to = .. }}, got {value!r}")
    if len(set(out)) != len(out):
        _fail(path, key, f"values must be distinct, got {list(out)}")
    return out


def _parse_model(path: Path, where: str, table) -> ModelSpec:
    if not isinstance(table, dict):
        _fail(path, where, "must be a table")
    model = table.get("model")
    if model == "file":
        unknown = sorted(set(table) - {"model", "path"})
        if unknown:
            _fail(path, f"{where}.{unknown[0]}", "unknown key (a file model has only path)")
        raw = table.get("path")
        raw = [raw] if isinstance(raw, str) else raw
        if not isinstance(raw, list) or not raw or not all(isinstance(p, str) for p in raw):
            _fail(path, f"{where}.path", "required: a file name or a list of them (relative to the sweep file)")
        paths = tuple((path.parent / p) for p in raw)
        for k, p in enumerate(paths):
            if not p.is_file():
                _fail(path, f"{where}.path" + (f"[{k}]" if len(raw) > 1 else ""), f"no such file {str(p)!r}")
        return ModelSpec("file", paths=paths)
    if model not in _MODELS:
        _fail(path, f"{where}.model", f"required, one of {', '.join([*_MODELS, 'file'])}; got {model!r}")
    size_key, others = _MODELS[model]
    allowed = {"model", "instances", size_key, *others}
    unknown = sorted(set(table) - allowed)
    if unknown:
        _fail(path, f"{where}.{unknown[0]}", f"unknown key for model {model!r} (allowed: {', '.join(sorted(allowed))})")
    if size_key not in table:
        _fail(path, f"{where}.{size_key}", f"required for model {model!r}: an integer, a list or a range")
    low = 3 if model == "ea" and table.get("periodic", True) else 1
    sizes = _values(path, f"{where}.{size_key}", table[size_key], low=low, count=False)
    instances = _values(path, f"{where}.instances", table.get("instances", 1), low=0, count=True)
    options = {}
    for key, (kind, default) in others.items():
        value = table.get(key, default)
        if value is None:
            _fail(path, f"{where}.{key}", f"required for model {model!r}")
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            _fail(path, f"{where}.{key}", f"wrong type {type(value).__name__}")
        options[key] = value
    if "couplings" in options and options["couplings"] not in _COUPLINGS:
        _fail(path, f"{where}.couplings", f"must be one of {', '.join(_COUPLINGS)}, got {options['couplings']!r}")
    if model == "ea" and not 1 <= options["dim"] <= 4:
        _fail(path, f"{where}.dim", f"must be 1 to 4, got {options['dim']}")
    if model == "maxcut":
        d = options["degree"]
        bad = [n for n in sizes if d >= n or (d * n) % 2]
        if d < 1 or bad:
            _fail(path, f"{where}.degree", f"a {d}-regular graph needs d < nodes and d * nodes even (nodes {bad})")
    if model == "hopfield" and options["patterns"] < 1:
        _fail(path, f"{where}.patterns", "must be >= 1")
    return ModelSpec(model, sizes, instances, _frozen(options))


def _parse_backend(path: Path, where: str, item, known) -> list[BackendSpec]:
    if isinstance(item, str):
        item = {"name": item}
    if not isinstance(item, dict):
        _fail(path, where, "must be a backend name or a table with name and options")
    unknown = sorted(set(item) - _BACKEND_KEYS)
    if unknown:
        _fail(path, f"{where}.{unknown[0]}", f"unknown key (allowed: {', '.join(sorted(_BACKEND_KEYS))})")
    name = item.get("name")
    if not isinstance(name, str) or not name:
        _fail(path, f"{where}.name", "required: a backend or profile name")
    options = item.get("options", {})
    if not isinstance(options, dict):
        _fail(path, f"{where}.options", "must be a table of backend parameters")
    grid = item.get("grid", {})
    if not isinstance(grid, dict) or not all(isinstance(v, list) and v for v in grid.values()):
        _fail(path, f"{where}.grid", "must be a table of non-empty lists, e.g. { p = [1, 2, 3] }")
    both = sorted(set(grid) & set(options))
    if both:
        _fail(path, f"{where}.grid.{both[0]}", "is also in options; give it in one place")
    label = item.get("label", name)
    if not isinstance(label, str) or not label:
        _fail(path, f"{where}.label", "must be a non-empty string")
    max_spins = item.get("max_spins")
    if max_spins is not None:
        _int(path, f"{where}.max_spins", max_spins, 1)
    params = known(name)
    if params is False:
        _fail(path, f"{where}.name", "unknown backend; `qspin backends` lists them")
    if params is not None:
        for key in [*options, *grid]:
            if key not in params:
                section = "options" if key in options else "grid"
                _fail(
                    path,
                    f"{where}.{section}.{key}",
                    f"backend {name!r} has no such parameter; its parameters are: {', '.join(sorted(params)) or 'none'}",
                )
    specs = []
    keys = sorted(grid)
    for combo in itertools.product(*(grid[k] for k in keys)):
        suffix = ",".join(f"{k}={v}" for k, v in zip(keys, combo))
        specs.append(
            BackendSpec(name, {**options, **dict(zip(keys, combo))}, f"{label}[{suffix}]" if keys else label, max_spins)
        )
    return specs


def _parameter_lookup(config):
    """name -> its parameter names, None (cannot check: SDK missing) or False (unknown)."""
    from qspin.solvers.registry import backends_config, builtin_backends, get_backend

    cfg = backends_config(config)
    builtins = set(builtin_backends())

    def known(name):
        profile = cfg.get(name)
        kind = profile.kind if profile is not None else name
        if kind not in builtins:
            return False
        try:
            return set(get_backend(kind).parameters)
        except ImportError:
            return None

    return known


def load_sweep(path, *, config=None) -> Sweep:
    """Read and validate a sweep file; backends are checked against the registry (and ``config``)."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    unknown = sorted(set(doc) - _TOP_KEYS)
    if unknown:
        _fail(path, unknown[0], f"unknown top-level key (allowed: {', '.join(sorted(_TOP_KEYS))})")
    name = doc.get("name", path.stem)
    if not isinstance(name, str):
        _fail(path, "name", "must be a string")
    seeds = _values(path, "seeds", doc.get("seeds", 1), low=0, count=True)

    gt = doc.get("ground_truth", {})
    if not isinstance(gt, dict):
        _fail(path, "ground_truth", "must be a table")
    defaults = GroundTruthSpec()
    gt_unknown = sorted(set(gt) - set(defaults.__dataclass_fields__))
    if gt_unknown:
        _fail(path, f"ground_truth.{gt_unknown[0]}", "unknown key (allowed: exact_limit, pt_reads, pt_sweeps, seed)")
    ground_truth = GroundTruthSpec(
        **{k: _int(path, f"ground_truth.{k}", v, 0 if k in ("seed", "exact_limit") else 1) for k, v in gt.items()}
    )

    models = doc.get("models")
    if not isinstance(models, list) or not models:
        _fail(path, "models", "required: at least one [[models]] table")
    model_specs = tuple(_parse_model(path, f"models[{k}]", t) for k, t in enumerate(models))

    backends = doc.get("backends")
    if not isinstance(backends, list) or not backends:
        _fail(path, "backends", "required: at least one [[backends]] table (or backends = [names])")
    known = _parameter_lookup(config)
    specs = [s for k, item in enumerate(backends) for s in _parse_backend(path, f"backends[{k}]", item, known)]
    try:
        specs = backend_specs(specs)
    except ParameterError as exc:
        _fail(path, "backends", str(exc))
    return Sweep(name, model_specs, specs, seeds, ground_truth, path)
