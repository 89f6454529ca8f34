"""QAOA on qspin's Ising IR: a statevector engine specialised for diagonal costs, angle tables
and strategies.

Convention: ``|gamma, beta> = prod_k exp(-i beta_k sum_j X_j) exp(-i gamma_k E) |+>^n`` with
``E`` the problem energy; ``<E>`` is minimised. Published (maximising) angles map onto it by
:func:`to_qspin_angles`.

The engine lives in :mod:`qspin.qaoa.statevector`; its function ``statevector`` is re-exported
here, so the attribute ``qspin.qaoa.statevector`` is that function. Reach the module's other
names with ``from qspin.qaoa.statevector import ...`` (or ``importlib.import_module``).
"""

from qspin.qaoa.angles import (
    FixedAngles,
    QAOAResult,
    fourier_extrapolate,
    from_fourier,
    interp,
    linear_ramp,
    maxcut_regular_angles,
    optimize,
    random_angles,
    sk_angles,
    to_fourier,
    to_qspin_angles,
)
from qspin.qaoa.statevector import (
    apply_cost_layer,
    apply_mixer_layer,
    check_angles,
    clear_diagonal_cache,
    energy_diagonal,
    expectation,
    expectation_and_gradient,
    probabilities,
    sample,
    statevector,
)

__all__ = [
    "FixedAngles",
    "QAOAResult",
    "apply_cost_layer",
    "apply_mixer_layer",
    "check_angles",
    "clear_diagonal_cache",
    "energy_diagonal",
    "expectation",
    "expectation_and_gradient",
    "fourier_extrapolate",
    "from_fourier",
    "interp",
    "linear_ramp",
    "maxcut_regular_angles",
    "optimize",
    "probabilities",
    "random_angles",
    "sample",
    "sk_angles",
    "statevector",
    "to_fourier",
    "to_qspin_angles",
]
