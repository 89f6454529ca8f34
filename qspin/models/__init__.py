"""Instance generators in qspin's sign (``E = sum h s + sum_{i<j} J s s``, positive J antiferromagnetic).

The physics literature writes ``H = -sum J s s``; these generators draw the physics couplings
and negate them, so a ferromagnetic physics bond (J > 0) is a negative qspin coupling. Each
generator records how it was made (model, parameters, seed) in ``problem.metadata``.
"""

from qspin.models.hopfield import corrupt, hopfield, overlaps
from qspin.models.lattice import edwards_anderson, lattice_edges
from qspin.models.maxcut import cut_value, maxcut
from qspin.models.sk import sherrington_kirkpatrick

__all__ = [
    "corrupt",
    "cut_value",
    "edwards_anderson",
    "hopfield",
    "lattice_edges",
    "maxcut",
    "overlaps",
    "sherrington_kirkpatrick",
]
