"""backends.toml: named profiles over built-in backends, validated into frozen objects at load.

A profile names a built-in backend (its ``kind``), preset ``options`` and an optional
``fallback`` (another profile or built-in name, used when the backend is unreachable)::

    [backends.qpu]
    kind = "dwave"
    fallback = "ocean-sa"          # or false for none
    description = "Advantage QPU via Leap"
    options = { num_reads = 1000, annealing_time = 20 }

The file is looked up in this order: an explicit path, ``$QSPIN_BACKENDS``,
``./backends.toml``, ``~/.config/qspin/backends.toml``; the first that exists is used.
Unknown keys, wrong types, unknown kinds or options and fallback cycles are
:class:`qspin.ConfigError` naming the file and the key. Secrets never belong here:
credentials come from each vendor's own configuration.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from qspin.errors import ConfigError

__all__ = ["BackendProfile", "BackendsConfig", "find_config_file", "load_backends_config"]

_PROFILE_KEYS = {"kind", "fallback", "options", "description"}
_SECRET_WORDS = ("token", "secret", "password", "apikey", "api_key")


@dataclass(frozen=True)
class BackendProfile:
    """A configured backend name: a built-in ``kind`` with preset ``options`` and a ``fallback``.

    ``fallback`` is a backend or profile name, ``None`` for the kind's default, or ``False``
    for no fallback.
    """

    name: str
    kind: str
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    fallback: str | bool | None = None
    description: str = ""
    source: str = ""


@dataclass(frozen=True)
class BackendsConfig:
    """All profiles of one file (or none), by name."""

    profiles: Mapping[str, BackendProfile]
    path: Path | None = None

    def get(self, name: str) -> BackendProfile | None:
        return self.profiles.get(name)


def find_config_file(path=None) -> Path | None:
    """The backends.toml to use: ``path``, ``$QSPIN_BACKENDS``, ``./backends.toml``, then the user's."""
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"{p}: no such backends file")
        return p
    env = os.environ.get("QSPIN_BACKENDS")
    if env:
        p = Path(env)
        if not p.is_file():
            raise ConfigError(f"{p}: no such backends file (from $QSPIN_BACKENDS)")
        return p
    for candidate in (Path.cwd() / "backends.toml", Path.home() / ".config" / "qspin" / "backends.toml"):
        if candidate.is_file():
            return candidate
    return None


def _fail(path, key, message):
    raise ConfigError(f"{path}: {key}: {message}")


def _parse_profile(path, name, table, builtin_parameters) -> BackendProfile:
    where = f"backends.{name}"
    if not isinstance(table, dict):
        _fail(path, where, f"must be a table, got {type(table).__name__}")
    unknown = sorted(set(table) - _PROFILE_KEYS)
    if unknown:
        _fail(path, f"{where}.{unknown[0]}", f"unknown key (allowed: {', '.join(sorted(_PROFILE_KEYS))})")
    kind = table.get("kind")
    if not isinstance(kind, str):
        _fail(path, f"{where}.kind", "required, a built-in backend name (string)")
    if kind not in builtin_parameters:
        _fail(
            path,
            f"{where}.kind",
            f"unknown backend kind {kind!r}; built-in kinds: {', '.join(sorted(builtin_parameters))}",
        )
    options = table.get("options", {})
    if not isinstance(options, dict):
        _fail(path, f"{where}.options", f"must be a table, got {type(options).__name__}")
    known = builtin_parameters[kind]
    for key in options:
        if any(word in key.lower() for word in _SECRET_WORDS):
            _fail(
                path,
                f"{where}.options.{key}",
                "secrets do not belong in backends.toml; use the vendor's own "
                "configuration (dwave config, QiskitRuntimeService.save_account or environment variables)",
            )
        if known is not None and key not in known:
            _fail(
                path,
                f"{where}.options.{key}",
                f"backend kind {kind!r} has no such parameter; "
                f"its parameters are: {', '.join(sorted(known)) or 'none'}",
            )
    fallback = table.get("fallback")
    if fallback is True or not (fallback is None or fallback is False or isinstance(fallback, str)):
        _fail(path, f"{where}.fallback", "must be a backend name or false")
    description = table.get("description", "")
    if not isinstance(description, str):
        _fail(path, f"{where}.description", "must be a string")
    return BackendProfile(name, kind, MappingProxyType(dict(options)), fallback, description, str(path))


def load_backends_config(path, builtin_parameters: Mapping[str, Any]) -> BackendsConfig:
    """Read and validate the backends file (see the module docstring for the lookup order).

    ``builtin_parameters`` maps each built-in kind to its parameter names (``None`` to skip
    checking a kind's options); :func:`qspin.solvers.registry.backends_config` supplies it.
    """
    file = find_config_file(path)
    if file is None:
        return BackendsConfig(MappingProxyType({}), None)
    try:
        with file.open("rb") as fh:
            doc = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read: {exc.strerror or exc}") from None
    unknown = sorted(set(doc) - {"backends"})
    if unknown:
        _fail(file, unknown[0], "unknown top-level key (only [backends.NAME] tables are allowed)")
    tables = doc.get("backends", {})
    if not isinstance(tables, dict):
        _fail(file, "backends", "must be a table of [backends.NAME] tables")
    profiles = {}
    for name, table in tables.items():
        if name in builtin_parameters:
            _fail(file, f"backends.{name}", "a profile cannot reuse a built-in backend name; pick another name")
        profiles[name] = _parse_profile(file, name, table, builtin_parameters)
    for name, profile in profiles.items():
        fb = profile.fallback
        if isinstance(fb, str) and fb not in profiles and fb not in builtin_parameters:
            _fail(file, f"backends.{name}.fallback", f"unknown backend {fb!r}")
        seen, current = [name], fb
        while isinstance(current, str) and current in profiles:
            if current in seen:
                _fail(file, f"backends.{name}.fallback", f"fallback cycle: {' -> '.join([*seen, current])}")
            seen.append(current)
            current = profiles[current].fallback
    return BackendsConfig(MappingProxyType(profiles), file)
