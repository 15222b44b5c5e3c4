"""DuckDB for queries: a sandboxed database per version store, a cursor and a time budget per query.

Sandbox. A DuckDB database is opened once per directory of versions (the parent of the
version directories, ``versions/`` in a VersionStore) and then locked down:
``allowed_directories`` lists that directory and a private scratch directory (spills and
Parquet exports), ``enable_external_access = false`` forbids every other file, extension
loading and ATTACH, and ``lock_configuration = true`` stops a statement from undoing it. The
SQL we run is built from checked ODSQL with bound parameters, so this is a second wall, not
the first one. Opening a DuckDB database costs ~10 ms here, a cursor ~0: databases are kept
(a few, least recently used first out), every query gets its own cursor.

Budget. Every statement of a query runs under one budget: when the budget is spent, the
process's one watchdog thread calls ``interrupt()`` on the query's cursor and the query fails
with QueryTimeout. A streamed export spends its budget inside DuckDB only (the execute and
each fetch), not while the client reads. One long-lived watchdog holding a heap of deadlines,
rather than a ``threading.Timer`` per DuckDB call: a Timer is a thread started and joined for
every call, 6-11 ms of each records request under load (docs/benchmarks.md, decision 0018).
"""

from __future__ import annotations

import heapq
import itertools
import os
import shutil
import tempfile
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from territoria.datastore.errors import DatastoreError, QueryError, QueryTimeout
from territoria.datastore.odsql.sql import Sql, quote_string
from territoria.datastore.paths import resolved
from territoria.datastore.spatial import load_spatial, spatial_extension_path

# DuckDB's defaults take every core and 80 % of the memory for each query; a web process
# serves many queries at once. Two threads keep a facet over 1M rows under 100 ms here.
THREADS = 2
MEMORY_LIMIT = "1GB"
# Databases kept open: one per version store in production, one per test directory in tests.
KEPT_DATABASES = 8

T = TypeVar("T")


class Sandbox:
    """A DuckDB database that can read files under ``readable`` and write only in its scratch,
    with the ``extensions`` it was opened with ("spatial", "excel") and no others."""

    def __init__(self, readable: Path, extensions: frozenset[str] = frozenset()):
        self.readable = readable
        self.scratch = Path(tempfile.mkdtemp(prefix="territoria-duckdb-"))
        weakref.finalize(self, shutil.rmtree, self.scratch, True)
        connection = duckdb.connect(
            config={
                "threads": THREADS,
                "memory_limit": MEMORY_LIMIT,
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": False,
            }
        )
        # Extensions load by path from their wheels, before the configuration is locked:
        # spatial for geo ODSQL, excel for the xlsx export (decision 0015). Loading them
        # costs 0.4-1.5 s here: only the databases of the queries that need them have them.
        if "spatial" in extensions:
            load_spatial(connection)
        if "excel" in extensions:
            connection.execute(f"LOAD {quote_string(str(excel_extension_path()))}")
        directories = [f"{readable}/", f"{self.scratch}/"]
        connection.execute("SET allowed_directories = ?", [directories])
        connection.execute("SET temp_directory = ?", [str(self.scratch / "spill")])
        # Versions never change once written: their Parquet footers may be cached.
        connection.execute("SET parquet_metadata_cache = true")
        connection.execute("SET enable_external_access = false")
        connection.execute("SET lock_configuration = true")
        self._connection = connection
        self._lock = threading.Lock()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            return self._connection.cursor()


def excel_extension_path() -> Path:
    """DuckDB's excel extension (``duckdb-ext-excel``), beside the spatial one it ships with."""
    version_dir = spatial_extension_path().parent.parent
    found = sorted(version_dir.glob("*/excel.duckdb_extension"))
    if not found:
        raise DatastoreError(
            f"DuckDB's excel extension is not installed "
            f"(pip install 'duckdb-ext-excel=={duckdb.__version__}.*')"
        )
    return found[0]


_sandboxes: OrderedDict[tuple[Path, frozenset[str]], Sandbox] = OrderedDict()
_sandboxes_lock = threading.Lock()


def sandbox_for(parquet: Path, extensions: frozenset[str] = frozenset()) -> Sandbox:
    """The sandbox allowed to read ``parquet`` (the one of its version store), with
    ``extensions`` loaded."""
    parquet = resolved(parquet)
    readable = parquet.parent.parent
    if readable == Path(readable.anchor):  # never open the whole disk
        readable = parquet.parent
    key = (readable, extensions)
    with _sandboxes_lock:
        sandbox = _sandboxes.get(key)
        if sandbox is None:
            sandbox = Sandbox(readable, extensions)
            _sandboxes[key] = sandbox
            while len(_sandboxes) > KEPT_DATABASES:
                _sandboxes.popitem(last=False)
        _sandboxes.move_to_end(key)
        return sandbox


class _Watch:
    """One DuckDB call the watchdog may interrupt, until it is ``finished``."""

    __slots__ = ("cursor", "finished", "interrupted")

    def __init__(self, cursor: duckdb.DuckDBPyConnection):
        self.cursor: duckdb.DuckDBPyConnection | None = cursor
        self.finished = False
        self.interrupted = False


class Watchdog:
    """One thread interrupting the DuckDB calls whose deadline has passed.

    A call is registered with ``watch`` and released with ``release``; both and the
    interruption hold the same lock, so a call released is never interrupted afterwards
    (its cursor may already run the next call).
    """

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._deadlines: list[tuple[float, int, _Watch]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, cursor: duckdb.DuckDBPyConnection, seconds: float) -> _Watch:
        """Interrupt ``cursor`` in ``seconds`` unless the returned watch is released first."""
        watch = _Watch(cursor)
        entry = (time.monotonic() + seconds, next(self._order), watch)
        with self._lock:
            self._drop_released()
            heapq.heappush(self._deadlines, entry)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="territoria-duckdb-watchdog", daemon=True
                )
                self._thread.start()
            elif self._deadlines[0] is entry:
                self._lock.notify()  # the next deadline is sooner than the one it waits for
        return watch

    def release(self, watch: _Watch) -> None:
        """Mark the call over: from now on its cursor is never interrupted for it."""
        with self._lock:
            watch.finished = True
            watch.cursor = None

    def pending(self) -> int:
        """Deadlines still held (released ones are dropped lazily)."""
        with self._lock:
            return len(self._deadlines)

    def _drop_released(self) -> None:
        # Deadlines are mostly in the order calls start (one timeout for all), so released
        # calls reach the top soon: dropping them here keeps the heap to the calls running.
        while self._deadlines and self._deadlines[0][2].finished:
            heapq.heappop(self._deadlines)

    def _run(self) -> None:
        with self._lock:
            while True:
                self._drop_released()
                if not self._deadlines:
                    self._lock.wait()
                    continue
                deadline, _, watch = self._deadlines[0]
                wait = deadline - time.monotonic()
                if wait > 0:
                    self._lock.wait(wait)
                    continue
                heapq.heappop(self._deadlines)
                if watch.cursor is not None and not watch.finished:
                    watch.interrupted = True
                    watch.cursor.interrupt()


_watchdog = Watchdog()


def _new_watchdog_after_fork() -> None:
    # ``territoria serve --processes N`` forks: the child has no watchdog thread, and the
    # lock may have been held by it at the fork.
    global _watchdog
    _watchdog = Watchdog()


os.register_at_fork(after_in_child=_new_watchdog_after_fork)


def watchdog() -> Watchdog:
    return _watchdog


class Budget:
    """Seconds left for one query, spent by each DuckDB call made under ``spend``."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.left = seconds

    def timeout(self) -> QueryTimeout:
        return QueryTimeout(f"query took longer than {self.seconds:g} s")

    def spend(self, cursor: duckdb.DuckDBPyConnection, call: Callable[[], T]) -> T:
        """Run ``call`` (a DuckDB call on ``cursor``), interrupting it when the budget is out."""
        if self.left <= 0:
            raise self.timeout()
        guard = _watchdog
        watch = guard.watch(cursor, self.left)
        started = time.monotonic()
        try:
            return call()
        except duckdb.InterruptException:
            self.left = 0
            raise self.timeout() from None
        except duckdb.OutOfRangeException:
            raise QueryError("a computed value is out of range (arithmetic overflow)") from None
        except duckdb.ConversionException:
            raise QueryError("a value could not be converted to the expected type") from None
        except duckdb.Error as error:
            # Our SQL is checked before it runs: anything else is a fault of ours or of the
            # file, not of the request. Keep DuckDB's words out of the message, in the chain.
            raise DatastoreError("the query engine failed on this version") from error
        finally:
            guard.release(watch)
            self.left -= time.monotonic() - started


class Session:
    """One query's cursor on a version's sandbox, and the budget its statements share.

    The cursor is opened at the first statement: a query answered from the answer cache
    (``datastore.answers``) never opens one.
    """

    def __init__(
        self,
        parquet: Path,
        timeout: float,
        on_statement: Callable[[], None] | None = None,
        extensions: frozenset[str] = frozenset(),
    ):
        self.sandbox = sandbox_for(parquet, extensions)
        self.budget = Budget(timeout)
        self._cursor: duckdb.DuckDBPyConnection | None = None
        self._on_statement = on_statement

    @property
    def cursor(self) -> duckdb.DuckDBPyConnection:
        if self._cursor is None:
            self._cursor = self.sandbox.cursor()
        return self._cursor

    def execute(self, sql: Sql) -> None:
        if self._on_statement is not None:
            self._on_statement()
        cursor = self.cursor
        self.budget.spend(cursor, lambda: cursor.execute(sql.text, list(sql.params)))

    def fetchall(self, sql: Sql) -> list[tuple[Any, ...]]:
        self.execute(sql)
        return self.budget.spend(self.cursor, self.cursor.fetchall)

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        cursor = self.cursor
        return self.budget.spend(cursor, lambda: cursor.fetchmany(size))

    def close(self) -> None:
        if self._cursor is not None:
            self._cursor.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
