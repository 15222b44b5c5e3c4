"""How far a long operation has gone, and a way to stop it: plain Python, no Django.

A ``Progress`` follows one operation (an ingestion, an export…) through its stages
(``checksum``, ``read``, ``transform``, ``checks``…): bytes and rows done, the fraction of the
stage, and an estimate of the time left. The code doing the work reports what it knows
(``stage``, ``advance``) and calls ``check_cancelled`` between steps.

DuckDB statements are long and opaque: a reader's connection is *watched* (``watch``). While
a statement runs, a thread polls ``connection.query_progress()`` (DuckDB's own estimate of the
share of its input it has read), turns it into bytes done, and, once the operation is
cancelled, calls ``connection.interrupt()`` until the statement gives up. The readers need no
parameter for this: ``use`` makes a ``Progress`` the current one (a context variable) for
everything the operation calls, and ``readers/connection.py`` watches every connection it opens.

The same thread calls ``on_update`` with a ``Snapshot`` at most every ``interval`` seconds
(the caller persists it: a heartbeat too, without slowing the work down) and asks
``is_cancelled`` (e.g. a flag in a database row) at every poll.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

# How often DuckDB's progress is read, and how often the caller hears of it. A snapshot a
# second is what a progress bar needs; each one may cost the caller a database write.
POLL_SECONDS = 0.2
UPDATE_SECONDS = 1.0
# Rows are counted only at the end of a read; before that they are estimated from the line
# density of the file's first bytes (text formats only).
DENSITY_SAMPLE_BYTES = 1 << 20
# No estimate of the time left before this share of a stage is done: too noisy before.
MIN_FRACTION_FOR_ETA = 0.02


class Cancelled(Exception):
    """The operation was cancelled; whatever it wrote aside is discarded by its caller."""

    def __init__(self, message: str = "cancelled") -> None:
        super().__init__(message)


class Interruptible(Protocol):
    """What ``watch`` needs of a DuckDB connection."""

    def query_progress(self) -> float: ...

    def interrupt(self) -> None: ...

    def execute(self, query: str, *args: Any, **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class Snapshot:
    """Where an operation stands. ``None``: unknown (yet)."""

    stage: str = ""
    bytes_done: int = 0
    bytes_total: int | None = None
    rows_done: int = 0
    rows_estimated: bool = False  # rows_done comes from the line density, not a count
    fraction: float | None = None  # of the current stage, 0 to 1
    eta_seconds: float | None = None  # time left in the current stage
    cancelled: bool = False


class Progress:
    """The progress of one operation; safe to use from the working thread and the poller.

    ``on_update(snapshot)`` and ``is_cancelled()`` are called from the poller thread (never
    from the working one), ``on_thread_exit()`` once when that thread stops (e.g. to close a
    database connection the callbacks opened).
    """

    def __init__(
        self,
        on_update: Callable[[Snapshot], None] | None = None,
        *,
        is_cancelled: Callable[[], bool] | None = None,
        on_thread_exit: Callable[[], None] | None = None,
        interval: float = UPDATE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._on_update = on_update
        self._is_cancelled = is_cancelled
        self._on_thread_exit = on_thread_exit
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._snapshot = Snapshot()
        self._stage_started = clock()
        self._rows_per_byte: float | None = None
        self._connections: list[Interruptible] = []
        self._cancelled = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    # --- what the working code reports -------------------------------------------------

    def stage(self, name: str, *, bytes_total: int | None = None) -> None:
        """A new stage starts: its fraction and time left start again from nothing."""
        self.check_cancelled()
        with self._lock:
            self._snapshot = replace(
                self._snapshot,
                stage=name,
                bytes_total=bytes_total if bytes_total is not None else self._snapshot.bytes_total,
                bytes_done=0 if bytes_total is not None else self._snapshot.bytes_done,
                fraction=None,
                eta_seconds=None,
            )
            self._stage_started = self._clock()

    def reading(self, source: Path) -> None:
        """The ``read`` stage of ``source`` starts: bytes are the file's, rows are estimated
        from the line density of its first MiB when it is text."""
        size = source.stat().st_size
        self.stage("read", bytes_total=size)
        density = _line_density(source)
        with self._lock:
            self._rows_per_byte = density
            self._snapshot = replace(
                self._snapshot, rows_done=0, rows_estimated=density is not None
            )

    def advance(self, *, bytes_done: int | None = None, rows_done: int | None = None) -> None:
        """Absolute amounts done in the current stage (a count of rows ends the estimate)."""
        with self._lock:
            snapshot = self._snapshot
            if rows_done is not None:
                snapshot = replace(snapshot, rows_done=rows_done, rows_estimated=False)
            if bytes_done is not None:
                snapshot = self._with_bytes(snapshot, bytes_done)
            self._snapshot = snapshot

    def snapshot(self) -> Snapshot:
        with self._lock:
            return replace(self._snapshot, cancelled=self._cancelled.is_set())

    # --- cancellation ------------------------------------------------------------------

    def cancel(self) -> None:
        """Ask the operation to stop: watched statements are interrupted at once."""
        self._cancelled.set()
        self._interrupt_all()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check_cancelled(self) -> None:
        """Raise Cancelled if the operation was cancelled (call it between steps)."""
        if self._cancelled.is_set():
            raise Cancelled()

    # --- DuckDB connections ------------------------------------------------------------

    def watch(self, connection: Interruptible) -> None:
        """Follow the statements of ``connection`` (until it is closed) and interrupt them on
        cancellation. Precondition: called in the thread that owns the connection, before
        it runs a statement."""
        # DuckDB tracks a statement's progress only with its progress bar on (not printed).
        connection.execute(
            "SET enable_progress_bar = true; SET enable_progress_bar_print = false;"
            " SET progress_bar_time = 0"
        )
        with self._lock:
            self._connections.append(connection)
        self.check_cancelled()

    # --- the poller thread -------------------------------------------------------------

    def start(self) -> None:
        """Start the poller thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._poll, name="progress", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the poller; it sends a last snapshot first."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _poll(self) -> None:
        next_update = self._clock()
        try:
            while True:
                stopping = self._stopped.wait(POLL_SECONDS)
                self._read_connections()
                now = self._clock()
                # Asked at every poll: a cancelled job stops within a fifth of a second.
                if self._is_cancelled is not None and not self.cancelled and self._is_cancelled():
                    self.cancel()
                if now >= next_update or stopping:
                    next_update = now + self._interval
                    if self._on_update is not None:
                        self._on_update(self.snapshot())
                if self._cancelled.is_set():
                    self._interrupt_all()
                if stopping:
                    return
        finally:
            if self._on_thread_exit is not None:
                self._on_thread_exit()

    def _read_connections(self) -> None:
        with self._lock:
            connections = list(self._connections)
        best = -1.0
        for connection in connections:
            try:
                best = max(best, connection.query_progress())
            except Exception:  # closed: nothing more to follow
                with self._lock:
                    self._connections.remove(connection)
        if best < 0:
            return
        with self._lock:
            total = self._snapshot.bytes_total
            if total:
                done = int(total * min(best, 100.0) / 100.0)
                # A reader runs several statements; the bar never goes back within a stage.
                self._snapshot = self._with_bytes(self._snapshot, done)

    def _interrupt_all(self) -> None:
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with suppress(Exception):  # closed meanwhile: nothing to interrupt
                connection.interrupt()

    def _with_bytes(self, snapshot: Snapshot, bytes_done: int) -> Snapshot:
        """``snapshot`` with ``bytes_done`` (never less than before) and what follows from it.

        Precondition: the caller holds the lock.
        """
        done = max(bytes_done, snapshot.bytes_done)
        total = snapshot.bytes_total
        fraction = min(done / total, 1.0) if total else None
        eta = None
        if fraction is not None and fraction >= MIN_FRACTION_FOR_ETA:
            elapsed = self._clock() - self._stage_started
            eta = elapsed * (1.0 - fraction) / fraction
        rows = snapshot.rows_done
        if snapshot.rows_estimated and self._rows_per_byte is not None:
            rows = max(rows, int(done * self._rows_per_byte))
        return replace(
            snapshot, bytes_done=done, fraction=fraction, eta_seconds=eta, rows_done=rows
        )


def _line_density(source: Path) -> float | None:
    """Lines per byte in the first MiB of ``source``; None for binary content (Parquet,
    gzip, zip, spreadsheets), whose bytes say nothing of their rows."""
    with source.open("rb") as handle:
        head = handle.read(DENSITY_SAMPLE_BYTES)
    if not head or b"\0" in head[:8192] or head[:2] == b"\x1f\x8b":
        return None
    return head.count(b"\n") / len(head)


# --- the current operation -----------------------------------------------------------------

_current: ContextVar[Progress | None] = ContextVar("territoria_progress", default=None)


def current() -> Progress | None:
    """The Progress of the operation running in this context, if any."""
    return _current.get()


@contextmanager
def use(progress: Progress | None) -> Iterator[Progress | None]:
    """Make ``progress`` the current one inside the block, its poller running. None, or the
    current one already: nothing changes (nested stages of one operation share it)."""
    if progress is None or progress is current():
        yield current()
        return
    token = _current.set(progress)
    progress.start()
    try:
        yield progress
    finally:
        _current.reset(token)
        progress.stop()


def watch_connection(connection: Interruptible) -> None:
    """Let the current operation, if any, follow and interrupt ``connection``."""
    progress = current()
    if progress is not None:
        progress.watch(connection)


def enter_stage(name: str, *, bytes_total: int | None = None) -> None:
    """Report the start of a stage to the current operation, if any (raises Cancelled)."""
    progress = current()
    if progress is not None:
        progress.stage(name, bytes_total=bytes_total)


def enter_reading(source: Path) -> None:
    """Report to the current operation, if any, that reading ``source`` starts."""
    progress = current()
    if progress is not None:
        progress.reading(source)
