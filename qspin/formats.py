"""Reading problems from files: qspin's JSON, Gset/rudy Max-Cut graphs, spin-glass bond lists."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from qspin.errors import ProblemError
from qspin.models.maxcut import maxcut_from_edges
from qspin.problem import IsingProblem

__all__ = ["load", "read_bonds", "read_gset"]


def load(path) -> IsingProblem:
    """Read a problem written by :meth:`IsingProblem.save`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProblemError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProblemError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    return IsingProblem.from_json_dict(doc, source=str(path))


def _data_lines(path: Path):
    """Yield (line number, fields) for non-blank lines that are not comments (#, %, c)."""
    try:
        fh = path.open(encoding="utf-8")
    except OSError as exc:
        raise ProblemError(f"cannot read {path}: {exc.strerror or exc}") from None
    with fh:
        for number, line in enumerate(fh, start=1):
            stripped = line.strip()
            if not stripped or stripped[0] in "#%" or stripped.split()[0] == "c":
                continue
            yield number, stripped.split()


def _parse_edge(path, number, fields, what):
    if len(fields) not in (2, 3):
        raise ProblemError(f"{path}:{number}: expected 'i j {what}', got {' '.join(fields)!r}")
    try:
        a, b = int(fields[0]), int(fields[1])
    except ValueError:
        raise ProblemError(f"{path}:{number}: vertex numbers must be integers, got {' '.join(fields[:2])!r}") from None
    try:
        value = float(fields[2]) if len(fields) == 3 else 1.0
    except ValueError:
        raise ProblemError(f"{path}:{number}: {what} {fields[2]!r} is not a number") from None
    if not np.isfinite(value):
        raise ProblemError(f"{path}:{number}: {what} {fields[2]!r} is not finite")
    if a < 1 or b < 1:
        raise ProblemError(f"{path}:{number}: vertices are numbered from 1, got {a} {b}")
    if a == b:
        raise ProblemError(f"{path}:{number}: self-loop {a} {b}")
    return a - 1, b - 1, value


def read_gset(path, *, name: str | None = None) -> IsingProblem:
    """A Max-Cut problem from a Gset/rudy file (``n m`` then ``u v w`` per edge, 1-based).

    The energy is minus the cut value (see :func:`qspin.models.maxcut`), so the ground state
    is a maximum cut.
    """
    path = Path(path)
    lines = _data_lines(path)
    try:
        number, header = next(lines)
    except StopIteration:
        raise ProblemError(f"{path}: empty file, expected a header 'n m'") from None
    try:
        n, m = (int(x) for x in header)
    except ValueError:
        raise ProblemError(
            f"{path}:{number}: expected a header 'n m' (vertices, edges), got {' '.join(header)!r}"
        ) from None
    edges = []
    for number, fields in lines:
        a, b, w = _parse_edge(path, number, fields, "weight")
        if a >= n or b >= n:
            raise ProblemError(f"{path}:{number}: vertex {max(a, b) + 1} exceeds n = {n} in the header")
        edges.append((a, b, w))
    if len(edges) != m:
        raise ProblemError(f"{path}: header announces {m} edges but the file has {len(edges)}")
    seen = set()
    for a, b, _ in edges:
        if (min(a, b), max(a, b)) in seen:
            raise ProblemError(f"{path}: edge {a + 1} {b + 1} appears twice")
        seen.add((min(a, b), max(a, b)))
    return maxcut_from_edges(n, edges, name=name or path.stem, metadata={"source": path.name, "format": "gset"})


def read_bonds(
    path, *, convention: str = "physics", num_spins: int | None = None, name: str | None = None
) -> IsingProblem:
    """A spin glass from a bond list: one ``i j J`` per line, spins numbered from 1.

    ``convention="physics"`` (default) reads ``J`` as in ``H = -sum J s s`` (the spin-glass
    server's and most papers' sign) and negates it into qspin's sign; ``"qspin"`` takes the
    values as they are. An optional first line ``n m`` (two integers) gives the size.
    """
    if convention not in ("physics", "qspin"):
        raise ProblemError(f"convention must be 'physics' or 'qspin', got {convention!r}")
    path = Path(path)
    bonds, header = [], None
    for number, fields in _data_lines(path):
        if not bonds and header is None and len(fields) == 2:
            try:
                header = (int(fields[0]), int(fields[1]))
                continue
            except ValueError:
                pass
        bonds.append(_parse_edge(path, number, fields, "coupling"))
    if header is not None:
        if num_spins is not None and num_spins != header[0]:
            raise ProblemError(f"{path}: header says {header[0]} spins but num_spins = {num_spins}")
        num_spins = header[0]
        if len(bonds) != header[1]:
            raise ProblemError(f"{path}: header announces {header[1]} bonds but the file has {len(bonds)}")
    sign = -1.0 if convention == "physics" else 1.0
    J: dict[tuple[int, int], float] = {}
    for a, b, value in bonds:
        J[(a, b)] = J.get((a, b), 0.0) + sign * value
    meta = {"source": path.name, "format": "bonds", "convention": convention}
    try:
        return IsingProblem(None, J, num_spins=num_spins, name=name or path.stem, metadata=meta)
    except ProblemError as exc:
        raise ProblemError(f"{path}: {exc}") from None
