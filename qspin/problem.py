"""The Ising IR: one representation of ``E(s) = offset + sum_i h_i s_i + sum_{i<j} J_ij s_i s_j``.

Spins are ``s_i`` in {-1, +1}, indexed 0..n-1. The sign is dimod's: positive ``J`` is
antiferromagnetic. The papers' ``H = -sum J s s`` maps to qspin by negating ``J`` (the model
generators in :mod:`qspin.models` do that, so their problems mean what the papers mean).
All other encodings (QUBO bits, qubits, bit strings) are defined in :mod:`qspin.conventions`.
"""

from __future__ import annotations

import hashlib
import numbers
from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Any

import numpy as np

from qspin import conventions, problem_json
from qspin.atomic import write_text_atomic
from qspin.errors import ProblemError
from qspin.spin_arrays import as_spin_array

__all__ = ["IsingProblem"]


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def _as_index(value, what: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        raise ProblemError(f"{what}: index {value!r} is not an integer")
    if value < 0:
        raise ProblemError(f"{what}: index {value!r} is negative")
    return int(value)


def _as_finite(value, what: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ProblemError(f"{what}: value {value!r} is not a number") from None
    if not np.isfinite(x):
        raise ProblemError(f"{what}: value {x} is not finite")
    return x


def _check_finite_array(a: np.ndarray, what: str) -> None:
    bad = ~np.isfinite(a)
    if bad.any():
        where = tuple(int(k) for k in np.argwhere(bad)[0])
        where_str = where[0] if len(where) == 1 else where
        raise ProblemError(f"{what}[{where_str}] = {a[where].item()} is not finite")


def _parse_h(h, num_spins) -> tuple[np.ndarray | None, dict[int, float] | None]:
    """Return (dense h, None) for sequences/arrays or (None, sparse dict) for mappings."""
    if h is None:
        return None, None
    if isinstance(h, Mapping):
        out: dict[int, float] = {}
        for key, value in h.items():
            k = _as_index(key, "h")
            out[k] = out.get(k, 0.0) + _as_finite(value, f"h[{k}]")
        return None, out
    try:
        arr = np.asarray(h, dtype=np.float64)
    except (TypeError, ValueError):
        raise ProblemError(f"h must be a sequence, an array or a mapping of numbers, not {type(h).__name__}") from None
    if arr.ndim != 1:
        raise ProblemError(f"h must be one-dimensional, got shape {arr.shape}")
    _check_finite_array(arr, "h")
    return arr.copy(), None


def _parse_J(J) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Couplings as raw (i, j, w) triplets (any order, duplicates allowed) and a size hint."""
    empty = np.zeros(0, dtype=np.int64)
    if J is None:
        return empty, empty, np.zeros(0), 0
    if isinstance(J, Mapping):
        ii, jj, ww = [], [], []
        for key, value in J.items():
            if not (isinstance(key, tuple) and len(key) == 2):
                raise ProblemError(f"J key {key!r} is not a pair (i, j)")
            a = _as_index(key[0], f"J[{key}]")
            b = _as_index(key[1], f"J[{key}]")
            if a == b:
                raise ProblemError(f"J[{key}] is a self-coupling (i == j); put it in h or the offset")
            ii.append(a)
            jj.append(b)
            ww.append(_as_finite(value, f"J[{key}]"))
        return np.array(ii, dtype=np.int64), np.array(jj, dtype=np.int64), np.array(ww, dtype=np.float64), 0
    if hasattr(J, "tocoo") and hasattr(J, "shape"):  # scipy sparse matrix or array
        if len(J.shape) != 2 or J.shape[0] != J.shape[1]:
            raise ProblemError(f"J must be a square matrix, got shape {J.shape}")
        coo = J.tocoo()
        data = np.asarray(coo.data, dtype=np.float64)
        _check_finite_array(data, "J.data")
        rows, cols = np.asarray(coo.row, dtype=np.int64), np.asarray(coo.col, dtype=np.int64)
        diag = rows == cols
        if (data[diag] != 0).any():
            k = int(rows[diag & (data != 0)][0])
            raise ProblemError(f"J[{k}, {k}] is a self-coupling (i == j); put it in h or the offset")
        keep = ~diag
        return rows[keep], cols[keep], data[keep], int(J.shape[0])
    try:
        arr = np.asarray(J, dtype=np.float64)
    except (TypeError, ValueError):
        raise ProblemError(
            f"J must be a mapping {{(i, j): value}}, a square array or a scipy sparse matrix, not {type(J).__name__}"
        ) from None
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ProblemError(f"J must be a square matrix, got shape {arr.shape}")
    _check_finite_array(arr, "J")
    d = np.flatnonzero(np.diagonal(arr))
    if d.size:
        k = int(d[0])
        raise ProblemError(f"J[{k}, {k}] = {arr[k, k]} is a self-coupling (i == j); put it in h or the offset")
    rows, cols = np.nonzero(arr)
    return rows.astype(np.int64), cols.astype(np.int64), arr[rows, cols], int(arr.shape[0])


def _canonical_couplings(i, j, w):
    """Sort to i < j, lexicographic order, summing duplicates ((i, j) and (j, i) add)."""
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    if lo.size == 0:
        return lo, hi, w.astype(np.float64)
    order = np.lexsort((hi, lo))
    lo, hi, w = lo[order], hi[order], w[order]
    new = np.ones(lo.size, dtype=bool)
    new[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    starts = np.flatnonzero(new)
    return lo[starts], hi[starts], np.add.reduceat(w, starts)


class IsingProblem:
    """An Ising problem ``E(s) = offset + sum_i h_i s_i + sum_{i<j} J_ij s_i s_j``, s in {-1, +1}.

    Parameters
    ----------
    h : sequence, array or mapping {i: value}, optional
        Fields. A sequence fixes the number of spins; coupling indices must be below it.
    J : mapping {(i, j): value}, square array or scipy sparse matrix, optional
        Couplings. ``(i, j)`` and ``(j, i)`` name the same coupling and their values add, as in
        dimod; for a matrix this means ``J_ij = M[i, j] + M[j, i]``, so pass an upper-triangular
        matrix (or a symmetric one halved). Positive ``J`` is antiferromagnetic.
    offset : float
        Constant energy.
    num_spins : int, optional
        Number of spins, for problems whose last spins have no field or coupling.
    name : str, optional
        A human-readable name, kept by save/load.
    labels : sequence of hashables, optional
        Original variable labels (e.g. from a dimod BQM), restored by :meth:`to_bqm`.
    metadata : mapping, optional
        JSON-serialisable provenance (model, parameters, seed, lattice geometry).

    The problem is immutable: arrays are read-only and there are no setters.
    """

    def __init__(
        self,
        h=None,
        J=None,
        offset: float = 0.0,
        *,
        num_spins: int | None = None,
        name: str | None = None,
        labels=None,
        metadata: Mapping[str, Any] | None = None,
    ):
        if num_spins is not None:
            num_spins = _as_index(num_spins, "num_spins")
        h_dense, h_sparse = _parse_h(h, num_spins)
        ci, cj, cw, size_hint = _parse_J(J)
        max_index = int(max(ci.max(initial=-1), cj.max(initial=-1)))

        if h_dense is not None:
            n = h_dense.size
            if num_spins is not None and num_spins != n:
                raise ProblemError(f"h has {n} entries but num_spins = {num_spins}")
            if size_hint and size_hint != n:
                raise ProblemError(f"J is a {size_hint}x{size_hint} matrix but h has {n} entries")
            if max_index >= n:
                k = int(np.flatnonzero((ci >= n) | (cj >= n))[0])
                raise ProblemError(
                    f"J[({ci[k]}, {cj[k]})] refers to spin {max(ci[k], cj[k])} but h has only {n} entries (spins 0..{n - 1})"
                )
        else:
            needed = max(max_index + 1, size_hint, max(h_sparse, default=-1) + 1 if h_sparse else 0)
            if num_spins is not None:
                if needed > num_spins:
                    where = "h" if h_sparse and max(h_sparse) >= num_spins else "J"
                    raise ProblemError(f"{where} refers to spin {needed - 1} but num_spins = {num_spins}")
                n = num_spins
            else:
                n = needed
            h_dense = np.zeros(n, dtype=np.float64)
            for k, v in (h_sparse or {}).items():
                h_dense[k] = v

        i, j, w = _canonical_couplings(ci, cj, cw)
        self._h = _readonly(h_dense)
        self._i = _readonly(i.astype(np.int64))
        self._j = _readonly(j.astype(np.int64))
        self._w = _readonly(w.astype(np.float64))
        self._offset = _as_finite(offset, "offset")
        self._name = None if name is None else str(name)
        if labels is not None:
            labels = tuple(labels)
            if len(labels) != n:
                raise ProblemError(f"labels has {len(labels)} entries for {n} spins")
            if len(set(labels)) != n:
                raise ProblemError("labels must be distinct")
            if labels == tuple(range(n)):
                labels = None
        self._labels = labels
        self._metadata = MappingProxyType(dict(metadata or {}))

    # --- the stored data ------------------------------------------------------------------

    @property
    def num_spins(self) -> int:
        return self._h.size

    @property
    def h(self) -> np.ndarray:
        """Fields, float64 (n,), read-only."""
        return self._h

    @property
    def offset(self) -> float:
        return self._offset

    @property
    def couplings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(i, j, w)``: int64, int64, float64 arrays with ``i < j``, sorted by (i, j)."""
        return self._i, self._j, self._w

    @property
    def num_couplings(self) -> int:
        return self._w.size

    @property
    def name(self) -> str | None:
        return self._name

    @property
    def labels(self) -> tuple | None:
        """Original variable labels, or None when they are 0..n-1."""
        return self._labels

    @property
    def metadata(self) -> Mapping[str, Any]:
        """Read-only provenance: model, parameters, seed, lattice geometry."""
        return self._metadata

    def replace(self, **changes) -> IsingProblem:
        """A copy with some of ``h``, ``J``, ``offset``, ``name``, ``labels``, ``metadata`` replaced."""
        unknown = set(changes) - {"h", "J", "offset", "name", "labels", "metadata"}
        if unknown:
            raise TypeError(f"replace() got unexpected fields {sorted(unknown)}")
        args = {
            "h": self._h,
            "J": self.coupling_matrix(),
            "offset": self._offset,
            "name": self._name,
            "labels": self._labels,
            "metadata": dict(self._metadata),
        }
        args.update(changes)
        return IsingProblem(args.pop("h"), args.pop("J"), **args)

    # --- derived views --------------------------------------------------------------------

    @cached_property
    def csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Symmetric adjacency as CSR arrays ``(indptr, indices, data)`` (int64, int64, float64).

        Row ``k`` lists every neighbour of spin ``k`` with its coupling, for numba kernels.
        """
        n = self.num_spins
        rows = np.concatenate([self._i, self._j])
        cols = np.concatenate([self._j, self._i])
        data = np.concatenate([self._w, self._w])
        order = np.lexsort((cols, rows))
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        return _readonly(indptr), _readonly(cols[order].astype(np.int64)), _readonly(data[order])

    def to_dense(self) -> np.ndarray:
        """Symmetric (n, n) coupling matrix ``M`` with ``M[i, j] = M[j, i] = J_ij``, zero diagonal."""
        n = self.num_spins
        M = np.zeros((n, n), dtype=np.float64)
        M[self._i, self._j] = self._w
        M[self._j, self._i] = self._w
        return M

    def coupling_matrix(self):
        """Upper-triangular scipy sparse (CSR) matrix of the couplings, ``M[i, j] = J_ij``, i < j."""
        import scipy.sparse as sp

        n = self.num_spins
        return sp.csr_array((self._w, (self._i, self._j)), shape=(n, n))

    def coupling_dict(self) -> dict[tuple[int, int], float]:
        return {(int(a), int(b)): float(c) for a, b, c in zip(self._i, self._j, self._w)}

    def graph(self):
        """The interaction graph as a networkx Graph (nodes 0..n-1, edge attribute ``weight``)."""
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from(range(self.num_spins))
        g.add_weighted_edges_from(zip(self._i.tolist(), self._j.tolist(), self._w.tolist()))
        return g

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of the coefficients (not the name or metadata): equal problems, equal hashes."""
        digest = hashlib.sha256()
        for a in (np.int64(self.num_spins), self._h, self._i, self._j, self._w, np.float64(self._offset)):
            digest.update(np.ascontiguousarray(a).tobytes())
        return digest.hexdigest()

    @cached_property
    def structure_fingerprint(self) -> str:
        """SHA-256 of the interaction graph only (for caching embeddings)."""
        digest = hashlib.sha256()
        for a in (np.int64(self.num_spins), self._i, self._j):
            digest.update(np.ascontiguousarray(a).tobytes())
        return digest.hexdigest()

    @property
    def energy_scale(self) -> float:
        """``|offset| + sum |h| + sum |J|``: a bound on |E|, used for tolerances."""
        return abs(self._offset) + float(np.abs(self._h).sum()) + float(np.abs(self._w).sum())

    # --- energies -------------------------------------------------------------------------

    def check_spins(self, samples, *, what: str = "samples") -> np.ndarray:
        """Validate a (R, n) array of +-1 values and return it as int8."""
        return as_spin_array(samples, what=what, shape=f"(R, {self.num_spins})", width=self.num_spins, entries="spins")

    def energy(self, spins) -> float:
        """Energy of one state (a length-n sequence of +-1)."""
        arr = np.asarray(spins)
        if arr.ndim != 1:
            raise ProblemError(f"spins must be one-dimensional of length {self.num_spins}, got shape {arr.shape}")
        return float(self.energies(arr[None, :], what="spins")[0])

    def energies(self, samples, *, what: str = "samples") -> np.ndarray:
        """Energies (float64 (R,)) of a (R, n) array of +-1 states, vectorised."""
        s = self.check_spins(samples, what=what).astype(np.float64)
        out = self._offset + s @ self._h
        if self._w.size and s.shape[0]:
            out += (np.asarray(s @ self._upper_couplings) * s).sum(axis=1)  # sum_{i<j} J_ij s_i s_j
        return out

    @cached_property
    def _upper_couplings(self):
        """``U`` (CSR) with ``U[i, j] = J_ij`` for i < j; sparse products avoid BLAS threads that keep
        spinning after the call and slow the numba kernels that follow."""
        return self.coupling_matrix()

    # --- QUBO (x = (1 + s) / 2, see qspin.conventions) ---------------------------------------

    def to_qubo(self) -> tuple[dict[tuple[int, int], float], float]:
        """``(Q, offset)`` with ``E = offset + sum_{(a,b)} Q[a,b] x_a x_b``, ``x = (1 + s) / 2``.

        Diagonal keys ``(k, k)`` hold the linear terms; off-diagonal keys have ``a < b``.
        Keys are spin indices 0..n-1 (labels are kept only by :meth:`to_bqm`).
        """
        linear, i, j, quad, offset = conventions.ising_to_qubo(self._h, self._i, self._j, self._w, self._offset)
        Q = {(k, k): float(v) for k, v in enumerate(linear)}
        Q.update({(int(a), int(b)): float(c) for a, b, c in zip(i, j, quad)})
        return Q, offset

    @classmethod
    def from_qubo(
        cls, Q, offset: float = 0.0, *, num_spins: int | None = None, name: str | None = None
    ) -> IsingProblem:
        """The Ising problem with the same energy as a QUBO ``{(a, b): value}`` or square matrix.

        ``(a, b)`` and ``(b, a)`` add; ``(k, k)`` is the linear term of bit ``k``.
        """
        if isinstance(Q, Mapping):
            lin: dict[int, float] = {}
            quad: dict[tuple[int, int], float] = {}
            for key, value in Q.items():
                if not (isinstance(key, tuple) and len(key) == 2):
                    raise ProblemError(f"Q key {key!r} is not a pair (a, b)")
                a, b = _as_index(key[0], f"Q[{key}]"), _as_index(key[1], f"Q[{key}]")
                v = _as_finite(value, f"Q[{key}]")
                if a == b:
                    lin[a] = lin.get(a, 0.0) + v
                else:
                    quad[(a, b)] = quad.get((a, b), 0.0) + v
            probe = cls(lin, quad, num_spins=num_spins)  # validates indices, canonicalises
            n = probe.num_spins
            linear = probe.h
            i, j, q = probe.couplings
        else:
            arr = np.asarray(Q, dtype=np.float64)
            if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
                raise ProblemError(f"Q must be a square matrix, got shape {arr.shape}")
            _check_finite_array(arr, "Q")
            n = arr.shape[0]
            linear = np.diagonal(arr).copy()
            off = arr - np.diag(linear)
            probe = cls(num_spins=n, J=off)
            i, j, q = probe.couplings
        h, i, j, J, ising_offset = conventions.qubo_to_ising(linear, i, j, q, _as_finite(offset, "offset"))
        import scipy.sparse as sp

        return cls(h, sp.coo_array((J, (i, j)), shape=(n, n)), ising_offset, name=name)

    # --- dimod BQM --------------------------------------------------------------------------

    def to_bqm(self):
        """A ``dimod.BinaryQuadraticModel`` (SPIN vartype) with the same energy.

        Variables are the problem's labels when it has them, else 0..n-1.
        """
        import dimod

        labels = self._labels if self._labels is not None else range(self.num_spins)
        bqm = dimod.BinaryQuadraticModel(dimod.SPIN)
        bqm.add_variables_from(zip(labels, self._h.tolist()))
        if self._labels is None:
            bqm.add_quadratic_from(zip(self._i.tolist(), self._j.tolist(), self._w.tolist()))
        else:
            lab = self._labels
            bqm.add_quadratic_from(
                (lab[a], lab[b], c) for a, b, c in zip(self._i.tolist(), self._j.tolist(), self._w.tolist())
            )
        bqm.offset = self._offset
        return bqm

    @classmethod
    def from_bqm(cls, bqm, *, name: str | None = None) -> IsingProblem:
        """The problem of a dimod BQM of either vartype; labels other than 0..n-1 are kept."""
        import dimod

        if not isinstance(bqm, dimod.BinaryQuadraticModel):
            raise ProblemError(f"expected a dimod.BinaryQuadraticModel, got {type(bqm).__name__}")
        spin = bqm.spin if bqm.vartype is dimod.BINARY else bqm
        labels = list(spin.variables)
        index = {v: k for k, v in enumerate(labels)}
        h = [spin.get_linear(v) for v in labels]
        J = {(index[u], index[v]): bias for u, v, bias in spin.iter_quadratic()}
        return cls(h, J, spin.offset, name=name, labels=labels)

    # --- misc -------------------------------------------------------------------------------

    def to_json_dict(self) -> dict[str, Any]:
        """The versioned JSON document of this problem (see :mod:`qspin.problem_json`)."""
        return problem_json.encode(
            self._h, self._i, self._j, self._w, self._offset, self._name, self._labels, dict(self._metadata)
        )

    @classmethod
    def from_json_dict(cls, doc, *, source: str = "document") -> IsingProblem:
        """Rebuild a problem from :meth:`to_json_dict` output; errors name ``source`` and the key."""
        import scipy.sparse as sp

        f = problem_json.decode(doc, source=source)
        n = f["h"].size
        try:
            J = sp.coo_array((f["w"], (f["i"], f["j"])), shape=(n, n))
            return cls(f["h"], J, f["offset"], name=f["name"], labels=f["labels"], metadata=f["metadata"])
        except (ProblemError, ValueError, IndexError) as exc:
            raise ProblemError(f"{source}: {exc}") from None

    def save(self, path) -> None:
        """Write the problem to a versioned JSON file, atomically; read it back with ``qspin.load``."""
        write_text_atomic(path, problem_json.dumps(self.to_json_dict()))

    def __eq__(self, other) -> bool:
        if not isinstance(other, IsingProblem):
            return NotImplemented
        return self.fingerprint == other.fingerprint and self._labels == other._labels

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __repr__(self) -> str:
        name = f" {self._name!r}" if self._name else ""
        return f"<IsingProblem{name}: {self.num_spins} spins, {self.num_couplings} couplings, offset {self._offset:g}>"

    def __getstate__(self):
        return {
            "h": self._h,
            "i": self._i,
            "j": self._j,
            "w": self._w,
            "offset": self._offset,
            "name": self._name,
            "labels": self._labels,
            "metadata": dict(self._metadata),
        }

    def __setstate__(self, state):
        self._h = _readonly(np.array(state["h"]))
        self._i = _readonly(np.array(state["i"]))
        self._j = _readonly(np.array(state["j"]))
        self._w = _readonly(np.array(state["w"]))
        self._offset = state["offset"]
        self._name = state["name"]
        self._labels = state["labels"]
        self._metadata = MappingProxyType(state["metadata"])
