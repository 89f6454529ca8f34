"""qspin's exception hierarchy: every error a user can cause is one of these."""

from __future__ import annotations


class QspinError(Exception):
    """Base class of every error qspin raises on purpose."""


class ProblemError(QspinError, ValueError):
    """A malformed Ising problem, problem file or sample (names the offending entry)."""


class ParameterError(QspinError, ValueError):
    """A solver parameter that is unknown, of the wrong type or out of range."""


class BackendError(QspinError, RuntimeError):
    """A backend that is unknown, unavailable or failed while running."""


class MissingDependencyError(QspinError, ImportError):
    """An optional SDK needed by the requested backend is not installed."""


class BackendUnavailable(BackendError):
    """A backend that cannot be reached now (no credentials, no connection, timeout).

    ``qspin.solve`` answers this one error by running the backend's fallback, if it has one;
    every other BackendError (a rejected token, an invalid problem) is raised to the user.
    """


class ConfigError(QspinError, ValueError):
    """A malformed backends.toml (names the file and the key)."""


class StoreError(QspinError, RuntimeError):
    """A job store that cannot be opened or read."""
