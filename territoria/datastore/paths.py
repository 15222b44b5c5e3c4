"""Paths of version files, resolved once per process."""

from __future__ import annotations

import functools
from pathlib import Path


def resolved(path: Path) -> Path:
    """The absolute path of a version's file. Versions never move (a version directory appears
    by rename and stays until deleted): an absolute path is resolved once rather than by system
    calls on every request (profiled: 1 ms of every 16 under the answer cache); a relative
    one, which depends on the working directory, every time."""
    return _resolved_absolute(path) if path.is_absolute() else path.resolve()


@functools.lru_cache(maxsize=1024)
def _resolved_absolute(path: Path) -> Path:
    return path.resolve()
