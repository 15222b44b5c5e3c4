"""The answer cache: rows of the statements already run on a version, kept in memory.

A version never changes once written, so the rows a statement returns over its file depend
only on the version and the statement: its SQL text and bound parameters. The key is those,
so an entry is never stale, and a newly published version (another key, another file path
in the SQL) finds nothing of the previous one — the old entries age out of the LRU.
Everything the caller may see is compiled into the SQL (the columns of the schema it was
given, the conditions of its query, and any per-caller row or column restriction added
before compilation), so two callers share an entry only when they would run the same
statement and get the same rows.

What is kept: the rows of records pages, totals (counts) and facets — statements whose
result is fetched whole — and, from the Explore dialect, whole JSON answers under their ETag
(``api/explore/views._answer``). Streamed exports are never kept.

    cache = AnswerCache(max_bytes=64 * 2**20)    # 0: keeps nothing
    rows = cache.fetch(answer_key(version.key, sql), lambda: session.fetchall(sql))

Measured (docs/benchmarks.md, decision 0018): a facet over 1M rows costs 35-54 ms of DuckDB,
a hit a dictionary look-up; this is how facets and group-bys reach 50x Datasette.
Each web process has its own cache (``shared_answer_cache``); a reverse-proxy cache on the
ETags of ``api/explore`` is the multi-process form of the same idea.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from territoria.datastore.odsql.sql import Sql

Rows = list[tuple[Any, ...]]
AnswerKey = tuple[Hashable, ...]
# An answer larger than this share of the cache is not kept: it would evict everything else
# for one query (e.g. facets of 10,000 values of a text column).
LARGEST_SHARE = 4


def answer_key(version_key: str, sql: Sql) -> AnswerKey:
    """What a statement's rows depend on. Each parameter is keyed with its type: ``1``,
    ``1.0`` and ``True`` are equal in Python but not to DuckDB."""
    return (version_key, sql.text, tuple(_typed(value) for value in sql.params))


def _typed(value: Any) -> Hashable:
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(_typed(item) for item in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), _typed(v)) for k, v in value.items())))
    return (type(value).__name__, value)


def approximate_size(value: Any) -> int:
    """Bytes held by ``value`` and what it contains (containers walked, objects shared
    between rows counted each time: an upper bound is what a memory cap needs)."""
    size = sys.getsizeof(value)
    if isinstance(value, list | tuple | set | frozenset):
        size += sum(approximate_size(item) for item in value)
    elif isinstance(value, dict):
        size += sum(approximate_size(k) + approximate_size(v) for k, v in value.items())
    return size


class AnswerCache:
    """Rows by ``answer_key``, least recently used out first, within ``max_bytes``.

    Thread-safe. ``hits`` and ``misses`` count look-ups; ``size`` is the bytes held.
    Two threads missing the same key at once both compute it (the second store wins): a
    burst of identical first requests costs what it cost without a cache.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[AnswerKey, tuple[Rows, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def fetch(self, key: AnswerKey, compute: Callable[[], Rows]) -> Rows:
        """The rows kept under ``key``, else ``compute()`` kept and returned. The rows are
        shared between callers: read them, never change them."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry[0]
            self.misses += 1
        rows = compute()
        self._keep(key, rows)
        return rows

    def _keep(self, key: AnswerKey, rows: Rows) -> None:
        size = approximate_size(key) + approximate_size(rows)
        if size * LARGEST_SHARE > self.max_bytes:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self.size -= previous[1]
            self._entries[key] = (rows, size)
            self.size += size
            while self.size > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.size -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0

    def _after_fork(self) -> None:
        # A forked web process starts with a copy of the entries and a lock that another
        # thread may have held at the fork.
        self._lock = threading.Lock()


_shared: AnswerCache | None = None
_shared_lock = threading.Lock()


def shared_answer_cache(max_bytes: int) -> AnswerCache | None:
    """The process's answer cache, holding at most ``max_bytes``; None when ``max_bytes``
    is 0 (no cache). A different size starts a new, empty cache."""
    global _shared
    if max_bytes <= 0:
        return None
    with _shared_lock:
        if _shared is None or _shared.max_bytes != max_bytes:
            _shared = AnswerCache(max_bytes)
        return _shared


def _reset_after_fork() -> None:
    global _shared_lock
    _shared_lock = threading.Lock()
    if _shared is not None:
        _shared._after_fork()


os.register_at_fork(after_in_child=_reset_after_fork)
