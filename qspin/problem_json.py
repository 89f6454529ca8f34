"""The versioned JSON format of an Ising problem (``qspin.problem``, version 1).

A document::

    {"format": "qspin.problem", "version": 1, "num_spins": n,
     "h": [...], "couplings": {"i": [...], "j": [...], "w": [...]}, "offset": x,
     "name": str | null, "labels": [...] | null, "metadata": {...}}

Floats are written with ``repr`` precision, so a save/load round trip is exact. Labels that
are tuples (lattice coordinates, dimod labels) are written as JSON lists and read back as
tuples. This module knows only plain values; :class:`qspin.IsingProblem` builds on it.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from qspin.errors import ProblemError

FORMAT = "qspin.problem"
VERSION = 1


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value


def _tuplify(value):
    return tuple(_tuplify(v) for v in value) if isinstance(value, list) else value


def encode(h, i, j, w, offset, name, labels, metadata) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "num_spins": int(len(h)),
        "h": [float(x) for x in h],
        "couplings": {"i": [int(x) for x in i], "j": [int(x) for x in j], "w": [float(x) for x in w]},
        "offset": float(offset),
        "name": name,
        "labels": None if labels is None else _jsonable(list(labels)),
        "metadata": _jsonable(metadata),
    }


def dumps(doc: dict[str, Any]) -> str:
    try:
        return json.dumps(doc, allow_nan=False, separators=(",", ":")) + "\n"
    except (TypeError, ValueError) as exc:
        raise ProblemError(f"problem metadata is not JSON-serialisable: {exc}") from None


def _require(doc, key, kind, source):
    if key not in doc:
        raise ProblemError(f"{source}: missing key {key!r}")
    value = doc[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ProblemError(
            f"{source}: key {key!r} must be {getattr(kind, '__name__', kind)}, got {type(value).__name__}"
        )
    return value


def _numbers(values, key, source, dtype):
    if not isinstance(values, list):
        raise ProblemError(f"{source}: key {key!r} must be a list")
    try:
        arr = np.array(values, dtype=dtype)
    except (TypeError, ValueError, OverflowError):
        raise ProblemError(f"{source}: key {key!r} must be a list of numbers") from None
    if arr.ndim != 1:
        raise ProblemError(f"{source}: key {key!r} must be a flat list of numbers")
    if dtype is np.int64 and any(isinstance(v, float) and not float(v).is_integer() for v in values):
        raise ProblemError(f"{source}: key {key!r} must hold integer indices")
    return arr


def decode(doc, *, source: str = "document") -> dict[str, Any]:
    """Validate a document and return its fields as arrays and plain values."""
    if not isinstance(doc, dict):
        raise ProblemError(f"{source}: expected a JSON object, got {type(doc).__name__}")
    fmt = doc.get("format")
    if fmt != FORMAT:
        raise ProblemError(f"{source}: not a qspin problem (format is {fmt!r}, expected {FORMAT!r})")
    version = _require(doc, "version", int, source)
    if version > VERSION:
        raise ProblemError(
            f"{source}: format version {version} is newer than this qspin reads ({VERSION}); upgrade qspin"
        )
    n = _require(doc, "num_spins", int, source)
    h = _numbers(_require(doc, "h", list, source), "h", source, np.float64)
    if h.size != n:
        raise ProblemError(f"{source}: 'h' has {h.size} entries but num_spins = {n}")
    c = _require(doc, "couplings", dict, source)
    i = _numbers(c.get("i"), "couplings.i", source, np.int64)
    j = _numbers(c.get("j"), "couplings.j", source, np.int64)
    w = _numbers(c.get("w"), "couplings.w", source, np.float64)
    if not (i.size == j.size == w.size):
        raise ProblemError(f"{source}: couplings.i, .j and .w have different lengths ({i.size}, {j.size}, {w.size})")
    bad = np.flatnonzero((i < 0) | (j < 0) | (i >= n) | (j >= n))
    if bad.size:
        k = int(bad[0])
        raise ProblemError(
            f"{source}: coupling {k} = ({i[k]}, {j[k]}) refers to spin {max(i[k], j[k])}, outside 0..{n - 1}"
        )
    offset = doc.get("offset", 0.0)
    if not isinstance(offset, (int, float)) or isinstance(offset, bool):
        raise ProblemError(f"{source}: key 'offset' must be a number")
    labels = doc.get("labels")
    if labels is not None and not isinstance(labels, list):
        raise ProblemError(f"{source}: key 'labels' must be a list or null")
    metadata = doc.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise ProblemError(f"{source}: key 'metadata' must be an object")
    name = doc.get("name")
    return {
        "h": h,
        "i": i,
        "j": j,
        "w": w,
        "offset": float(offset),
        "name": name,
        "labels": None if labels is None else [_tuplify(x) for x in labels],
        "metadata": metadata,
    }
