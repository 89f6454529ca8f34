"""Minor embedding for annealers: a cache keyed by graph hashes, chain statistics, gauges.

An embedding maps each logical spin to a chain of physical qubits. Finding one (minorminer)
costs seconds, so embeddings are cached in memory and on disk, keyed by a hash of the
problem's interaction graph and a hash of the QPU's graph: a sweep over instances with the
same structure embeds once. The disk cache lives in ``$QSPIN_CACHE_DIR`` (default
``~/.cache/qspin``)/embeddings.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import numpy as np

from qspin.atomic import write_text_atomic
from qspin.errors import BackendError
from qspin.problem import IsingProblem

_MEMORY: dict[str, dict[int, list]] = {}


def graph_fingerprint(nodelist, edgelist) -> str:
    """SHA-256 of a target graph (sorted nodes and edges)."""
    digest = hashlib.sha256()
    digest.update(json.dumps(sorted(nodelist)).encode())
    digest.update(json.dumps(sorted(tuple(sorted(e)) for e in edgelist)).encode())
    return digest.hexdigest()


def cache_dir() -> Path:
    return Path(os.environ.get("QSPIN_CACHE_DIR") or Path.home() / ".cache" / "qspin") / "embeddings"


def find_embedding(
    problem: IsingProblem, nodelist, edgelist, target_hash: str, *, seed: int, timeout: float
) -> tuple[dict[int, list], dict]:
    """An embedding of ``problem`` into the target graph, from the cache or minorminer.

    Returns ``(embedding, info)`` with ``info`` = {"cached": bool, "embedding_s": seconds}.
    Isolated spins (no coupling) get a free qubit of their own.
    """
    key = hashlib.sha256(f"{problem.structure_fingerprint}:{target_hash}".encode()).hexdigest()
    t0 = time.perf_counter()
    if key in _MEMORY:
        return _MEMORY[key], {"cached": "memory", "embedding_s": time.perf_counter() - t0}
    path = cache_dir() / f"{key}.json"
    if path.is_file():
        try:
            doc = json.loads(path.read_text())
            embedding = {int(k): list(v) for k, v in doc["embedding"].items()}
            _MEMORY[key] = embedding
            return embedding, {"cached": "disk", "embedding_s": time.perf_counter() - t0}
        except (OSError, ValueError, KeyError):
            pass  # a corrupt cache entry is recomputed and overwritten
    import minorminer

    i, j, _ = problem.couplings
    source = list(zip(i.tolist(), j.tolist()))
    embedding = {}
    if source:
        found = minorminer.find_embedding(source, list(edgelist), random_seed=seed % (2**31), timeout=timeout)
        if not found:
            raise BackendError(
                f"no embedding of this {problem.num_spins}-spin problem into the QPU graph found in "
                f"{timeout:g} s; raise embedding_timeout or use 'dwave-hybrid'"
            )
        embedding = {int(k): list(v) for k, v in found.items()}
    used = {q for chain in embedding.values() for q in chain}
    free = (q for q in nodelist if q not in used)
    for v in range(problem.num_spins):
        if v not in embedding:
            try:
                embedding[v] = [next(free)]
            except StopIteration:
                raise BackendError("the QPU has too few qubits for this problem") from None
    _MEMORY[key] = embedding
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, json.dumps({"embedding": {str(k): v for k, v in embedding.items()}}))
    except OSError:
        pass  # caching is an optimisation; an unwritable cache dir is not an error
    return embedding, {"cached": False, "embedding_s": time.perf_counter() - t0}


def chain_statistics(embedding: dict[int, list]) -> dict:
    lengths = np.array([len(c) for c in embedding.values()] or [0])
    return {
        "num_chains": len(embedding),
        "max_chain_length": int(lengths.max()),
        "mean_chain_length": float(lengths.mean()),
        "num_qubits": int(lengths.sum()),
    }


def random_gauge(qubits, rng: np.random.Generator) -> dict:
    """A spin-reversal transform: +-1 per physical qubit."""
    signs = rng.choice(np.array([-1, 1]), size=len(qubits))
    return {q: int(g) for q, g in zip(qubits, signs)}


def apply_gauge(bqm, gauge: dict):
    """The gauge-transformed BQM: ``s_q -> g_q s_q`` (an exact symmetry of the energy)."""
    out = bqm.copy()
    for q, g in gauge.items():
        if g < 0 and q in out.variables:
            out.flip_variable(q)
    return out


def undo_gauge(sampleset, gauge: dict):
    """Map samples of the transformed BQM back to the original qubits (in place on a copy)."""
    record = sampleset.record.sample.copy()
    for col, q in enumerate(sampleset.variables):
        if gauge.get(q, 1) < 0:
            record[:, col] *= -1
    return record
