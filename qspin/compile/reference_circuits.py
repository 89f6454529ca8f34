"""The reference QAOA circuits in ``circuits/``: fixed SK and EA instances at p = 1..3.

Regenerate with ``python -m qspin.compile.reference_circuits [FOLDER]`` (or ``qspin
export-circuits``); a test regenerates them and compares, so the files never drift from the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

from qspin.atomic import write_text_atomic
from qspin.compile.qiskit import circuit, to_qasm3
from qspin.models import edwards_anderson, sherrington_kirkpatrick

DEPTHS = (1, 2, 3)


def reference_problems():
    return {"sk8": sherrington_kirkpatrick(8, seed=1), "ea3x3": edwards_anderson((3, 3), couplings="pm1", seed=1)}


def reference_qasm() -> dict[str, str]:
    """File name -> OpenQASM 3 text of every reference circuit."""
    out = {}
    for label, problem in reference_problems().items():
        for p in DEPTHS:
            header = (
                f"// qspin reference QAOA circuit: {problem.name}, p = {p}\n"
                f"// E(s) = offset + sum h s + sum J s s; qubit k = spin k, |0> = +1; offset {problem.offset}\n"
            )
            out[f"{label}_p{p}.qasm"] = header + to_qasm3(circuit(problem, p))
    return out


def export(folder) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [write_text_atomic(folder / name, text) for name, text in reference_qasm().items()]


if __name__ == "__main__":
    for path in export(sys.argv[1] if len(sys.argv) > 1 else "circuits"):
        print(path)
