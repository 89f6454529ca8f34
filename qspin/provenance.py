"""What a result records about how it was made: package versions and seeds."""

from __future__ import annotations

import platform
from functools import cache
from importlib import metadata

import numpy as np

from qspin.errors import ParameterError

CORE_PACKAGES = ("qspin", "numpy")


@cache
def package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def package_versions(*names: str) -> dict[str, str | None]:
    """Versions of qspin, numpy, Python and the named packages (None when not installed)."""
    out = {"python": platform.python_version()}
    for name in (*CORE_PACKAGES, *names):
        out[name] = package_version(name)
    return out


def resolve_seed(seed) -> int:
    """The master seed of a run: the given non-negative integer, or a fresh one from OS entropy."""
    if seed is None:
        return int(np.random.SeedSequence().generate_state(2, np.uint32).view(np.uint64)[0] >> np.uint64(1))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"seed must be a non-negative integer or None, got {seed!r}")
    return int(seed)
