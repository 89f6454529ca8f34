"""Compilers from the IR to vendor objects (circuits, Hamiltonians); each imports its SDK lazily.

The QUBO and dimod BQM conversions live on :class:`qspin.IsingProblem` itself
(:meth:`~qspin.IsingProblem.to_qubo`, :meth:`~qspin.IsingProblem.to_bqm`) because they are
the IR's interchange formats; the maps between spins, bits and qubits are in
:mod:`qspin.conventions`.
"""
