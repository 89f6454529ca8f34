"""Progress bars for long work: rich on a terminal, silent otherwise (and in tests and CI)."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager


def check_progress(value) -> bool | None:
    """A ``progress`` parameter: True, False or None (auto), else ParameterError."""
    if value is not None and not isinstance(value, bool):
        from qspin.errors import ParameterError

        raise ParameterError(f"progress must be True, False or None, got {value!r}")
    return value


def progress_enabled(requested: bool | None = None) -> bool:
    """``requested`` if given, else on only when stderr is a terminal and QSPIN_PROGRESS != 0."""
    if requested is not None:
        return bool(requested)
    if os.environ.get("QSPIN_PROGRESS", "") == "0" or os.environ.get("CI"):
        return False
    return sys.stderr.isatty()


@contextmanager
def progress(description: str, total: float, *, enabled: bool | None = None):
    """Yield an ``advance(amount)`` callable; draws a rich bar when enabled."""
    if not progress_enabled(enabled):
        yield lambda amount=1: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda amount=1: bar.advance(task, amount)
