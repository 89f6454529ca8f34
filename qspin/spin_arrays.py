"""Validation of +-1 spin arrays: one place for the checks and the messages every caller shares."""

from __future__ import annotations

import numpy as np

from qspin.errors import ProblemError

__all__ = ["as_spin_array"]


def as_spin_array(
    values,
    *,
    what: str,
    shape: str,
    ndims: tuple[int, ...] = (2,),
    width: int | None = None,
    nonempty: bool = False,
    entries: str = "entries",
) -> np.ndarray:
    """``values`` as an int8 array of +1 and -1, or a :class:`~qspin.errors.ProblemError` naming the cause.

    ``what`` names the argument in messages and ``shape`` describes the expected shape (e.g.
    ``"(R, 12)"``). ``ndims``: the allowed numbers of dimensions; ``width``: the required length
    of the last axis; ``nonempty``: refuse arrays with a zero-length axis. The first entry that
    is neither +1 nor -1 is named with its index, as ``what[r, k] = value``.
    """
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError):
        raise ProblemError(f"{what} must be a {shape} array of +-1; rows have inconsistent lengths") from None
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise ProblemError(f"{what} must hold the numbers +1 and -1, got dtype {arr.dtype}")
    if arr.ndim not in ndims or (width is not None and arr.shape[-1] != width) or (nonempty and 0 in arr.shape):
        raise ProblemError(f"{what} must have shape {shape}{' (non-empty)' if nonempty else ''}, got {arr.shape}")
    bad = (arr != 1) & (arr != -1)
    if bad.any():
        where = tuple(int(x) for x in np.argwhere(bad)[0])
        index = ", ".join(map(str, where))
        raise ProblemError(f"{what}[{index}] = {arr[where].item()!r}; {entries} must be +1 or -1")
    return arr.astype(np.int8)
