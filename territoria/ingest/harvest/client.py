"""HTTP for harvesters: every request through ``ingest/fetch.py``, under a run's deadline.

A harvest run makes many requests to one portal. Each one inherits the fetch's rules (public
addresses only unless ``TERRITORIA_SOURCES_ALLOW_PRIVATE``, ``TERRITORIA_HARVEST_TIMEOUT``
seconds of silence at most, a size cap) and, on top, the run's own deadline
(``TERRITORIA_HARVEST_RUN_SECONDS``): no request may last past it, and none starts after it.
So a source that stops answering fails the run within its timeout, and a slow one within the
deadline: a run can never hang.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from territoria.ingest.fetch import FetchFailed, FetchLimits, FetchUnavailable, fetch


class DeadlinePassed(FetchUnavailable):
    """The run used up its time: what is left is for the next run."""


class HarvestClient:
    """GET answers of one source, within ``deadline`` (a ``time.monotonic()`` value)."""

    def __init__(self, deadline: float | None = None):
        budget = settings.HARVEST_RUN_SECONDS
        self.deadline = deadline if deadline is not None else time.monotonic() + budget
        self.requests = 0

    def _limits(self) -> FetchLimits:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise DeadlinePassed(
                f"the run took longer than {settings.HARVEST_RUN_SECONDS:g} s: stopped"
            )
        return FetchLimits(
            timeout=min(settings.HARVEST_TIMEOUT, left),
            max_bytes=settings.HARVEST_MAX_MB * 1024 * 1024,
            allow_private=settings.SOURCES_ALLOW_PRIVATE,
            total_seconds=left,
        )

    def get_bytes(self, url: str, params: dict[str, Any] | None = None) -> bytes:
        """The body of ``url`` (with ``params`` as its query string). Raises FetchFailed
        (``FetchUnavailable`` when the source is down or silent, or the deadline passed)."""
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(params, doseq=True)}"
        limits = self._limits()
        self.requests += 1
        root = settings.HOME / "sources"  # with the URL sources' downloads (architecture.md)
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="harvest-", dir=root) as work:
            fetched = fetch(url, Path(work), limits=limits)
            assert fetched.path is not None  # no validators sent: never a 304
            return fetched.path.read_bytes()

    def get_json(self, url: str, params: dict[str, Any] | None = None) -> Any:
        """The JSON document at ``url``; FetchFailed when it is not JSON."""
        body = self.get_bytes(url, params)
        try:
            return json.loads(body)
        except ValueError:
            raise FetchFailed(f"{url}: the answer is not JSON") from None
