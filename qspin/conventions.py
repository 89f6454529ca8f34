"""The conversions between qspin's spin convention and every other encoding.

Each conversion lives here, once, next to its inverse; tests round-trip every pair.

* Spins: ``s_i`` in {-1, +1}; energy ``E(s) = offset + sum_i h_i s_i + sum_{i<j} J_ij s_i s_j``
  (dimod's sign: positive ``J`` is antiferromagnetic). The physics Hamiltonian
  ``H = -sum J s s - sum h s`` of the papers maps to qspin by negating ``J`` and ``h``
  (:func:`from_physics_couplings`).
* QUBO bits (dimod's BINARY): ``x = (1 + s) / 2``, so ``s = +1 <-> x = 1``.
* Qubits: qubit ``k`` is spin ``k`` and ``|0> <-> s = +1`` (the Z eigenvalue), so
  ``s = 1 - 2 b`` with ``b`` the computational-basis bit. Note that this is the *opposite*
  of the QUBO map: spin +1 is bit 1 in a QUBO and bit 0 on a qubit.
* Basis index: statevector index ``k = sum_q b_q 2^q`` (qubit 0 is the least significant bit,
  as in Qiskit and as qspin's statevector engine stores amplitudes).
* Qiskit bit strings are little-endian: the rightmost character is qubit 0.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "basis_indices_to_spins",
    "bitstrings_to_spins",
    "bits_to_spins",
    "from_physics_couplings",
    "ising_to_qubo",
    "qubo_to_ising",
    "qubits_to_spins",
    "spins_to_basis_indices",
    "spins_to_bits",
    "spins_to_bitstrings",
    "spins_to_qubits",
]


# --- signs -------------------------------------------------------------------------------


def from_physics_couplings(values):
    """Map couplings or fields of ``H = -sum J s s - sum h s`` to qspin's sign (negate)."""
    return -np.asarray(values, dtype=np.float64)


# --- QUBO bits: x = (1 + s) / 2 ----------------------------------------------------------


def spins_to_bits(spins) -> np.ndarray:
    """QUBO bits ``x = (1 + s) / 2`` (uint8)."""
    return ((np.asarray(spins) + 1) // 2).astype(np.uint8)


def bits_to_spins(bits) -> np.ndarray:
    """Spins ``s = 2 x - 1`` (int8) from QUBO bits."""
    return (2 * np.asarray(bits, dtype=np.int8) - 1).astype(np.int8)


def ising_to_qubo(h, i, j, w, offset):
    """Ising coefficients -> QUBO coefficients under ``x = (1 + s) / 2``.

    Returns ``(linear, i, j, quadratic, offset)`` with ``E = offset + sum_k linear_k x_k +
    sum_e quadratic_e x_i x_j`` equal to the Ising energy on every state.
    """
    h = np.asarray(h, dtype=np.float64)
    i = np.asarray(i, dtype=np.int64)
    j = np.asarray(j, dtype=np.int64)
    w = np.asarray(w, dtype=np.float64)
    # s = 2x - 1:  h s -> 2h x - h ;  J s_i s_j -> 4J x_i x_j - 2J x_i - 2J x_j + J
    linear = 2.0 * h
    np.subtract.at(linear, i, 2.0 * w)
    np.subtract.at(linear, j, 2.0 * w)
    return linear, i, j, 4.0 * w, float(offset) - float(h.sum()) + float(w.sum())


def qubo_to_ising(linear, i, j, quadratic, offset):
    """QUBO coefficients -> Ising coefficients; the inverse of :func:`ising_to_qubo`.

    Returns ``(h, i, j, J, offset)``.
    """
    linear = np.asarray(linear, dtype=np.float64)
    i = np.asarray(i, dtype=np.int64)
    j = np.asarray(j, dtype=np.int64)
    q = np.asarray(quadratic, dtype=np.float64)
    # x = (1 + s)/2:  a x -> a/2 s + a/2 ;  Q x_i x_j -> Q/4 (s_i s_j + s_i + s_j + 1)
    h = 0.5 * linear
    np.add.at(h, i, 0.25 * q)
    np.add.at(h, j, 0.25 * q)
    return h, i, j, 0.25 * q, float(offset) + 0.5 * float(linear.sum()) + 0.25 * float(q.sum())


# --- qubits: |0> <-> s = +1, qubit k = spin k --------------------------------------------


def spins_to_qubits(spins) -> np.ndarray:
    """Computational-basis bits ``b = (1 - s) / 2`` (uint8): spin +1 is ``|0>``."""
    return ((1 - np.asarray(spins)) // 2).astype(np.uint8)


def qubits_to_spins(bits) -> np.ndarray:
    """Spins ``s = 1 - 2 b`` (int8) from computational-basis bits."""
    return (1 - 2 * np.asarray(bits, dtype=np.int8)).astype(np.int8)


def spins_to_basis_indices(spins) -> np.ndarray:
    """Statevector indices ``sum_q b_q 2^q`` of spin rows (qubit 0 least significant)."""
    bits = spins_to_qubits(np.atleast_2d(spins)).astype(np.int64)
    n = bits.shape[1]
    if n > 62:
        raise ValueError(f"basis indices need at most 62 qubits, got {n}")
    return bits @ (np.int64(1) << np.arange(n, dtype=np.int64))


def basis_indices_to_spins(indices, num_spins: int) -> np.ndarray:
    """Spin rows (int8, shape (len(indices), num_spins)) of statevector indices."""
    idx = np.asarray(indices, dtype=np.int64).reshape(-1)
    bits = (idx[:, None] >> np.arange(num_spins, dtype=np.int64)) & 1
    return qubits_to_spins(bits)


def spins_to_bitstrings(spins) -> list[str]:
    """Qiskit (little-endian) bit strings: the rightmost character is qubit 0."""
    bits = spins_to_qubits(np.atleast_2d(spins))
    return ["".join("1" if b else "0" for b in row[::-1]) for row in bits]


def bitstrings_to_spins(bitstrings) -> np.ndarray:
    """Spin rows (int8) from Qiskit little-endian bit strings; the inverse of the above."""
    strings = list(bitstrings)
    if not strings:
        return np.zeros((0, 0), dtype=np.int8)
    n = len(strings[0])
    if any(len(s) != n or set(s) - {"0", "1"} for s in strings):
        raise ValueError("bit strings must all have the same length and contain only 0 and 1")
    bits = np.array([[c == "1" for c in reversed(s)] for s in strings], dtype=np.uint8).reshape(-1, n)
    return qubits_to_spins(bits)
