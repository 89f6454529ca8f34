"""Solver backends behind one entry point, :func:`qspin.solve`; one module per family."""

from qspin.solvers.base import Backend, Samples
from qspin.solvers.registry import get_backend, list_backends, register_backend, solve

__all__ = ["Backend", "Samples", "get_backend", "list_backends", "register_backend", "solve"]
