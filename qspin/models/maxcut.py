"""Max-Cut as an Ising problem whose energy is minus the cut value."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from qspin.errors import ProblemError
from qspin.problem import IsingProblem


def maxcut_from_edges(n: int, edges, *, name=None, labels=None, metadata=None) -> IsingProblem:
    """Max-Cut of weighted edges ``(u, v, w)`` on vertices 0..n-1.

    ``cut(s) = sum_(u,v) w (1 - s_u s_v) / 2``, so ``E(s) = sum w/2 s_u s_v - sum w/2 = -cut(s)``.
    """
    edges = list(edges)
    u = np.array([e[0] for e in edges], dtype=np.int64)
    v = np.array([e[1] for e in edges], dtype=np.int64)
    w = np.array([e[2] for e in edges], dtype=np.float64)
    J = sp.coo_array((0.5 * w, (u, v)), shape=(n, n))
    meta = {"model": "maxcut", "params": {"num_nodes": n, "num_edges": len(edges)}, **(metadata or {})}
    return IsingProblem(None, J, -0.5 * float(w.sum()), num_spins=n, name=name, labels=labels, metadata=meta)


def maxcut(graph, *, weight: str = "weight", name: str | None = None) -> IsingProblem:
    """Max-Cut of a networkx graph; the energy is exactly minus the cut value.

    Edge weights come from the ``weight`` attribute (default 1). Nodes are numbered in
    ``graph.nodes`` order; labels other than 0..n-1 are kept on the problem.
    """
    if graph.is_directed() or graph.is_multigraph():
        raise ProblemError("maxcut needs a simple undirected graph (convert with nx.Graph(g))")
    nodes = list(graph.nodes)
    index = {node: k for k, node in enumerate(nodes)}
    edges = []
    for a, b, data in graph.edges(data=True):
        if a == b:
            raise ProblemError(f"maxcut: self-loop on node {a!r} (it can never be cut; remove it)")
        edges.append((index[a], index[b], data.get(weight, 1.0)))
    return maxcut_from_edges(len(nodes), edges, name=name, labels=nodes)


def cut_value(graph, spins, *, weight: str = "weight") -> float:
    """Total weight of the edges of ``graph`` whose endpoints have different spins (nodes in order)."""
    side = dict(zip(graph.nodes, np.asarray(spins).tolist()))
    return float(sum(d.get(weight, 1.0) for a, b, d in graph.edges(data=True) if side[a] != side[b]))
