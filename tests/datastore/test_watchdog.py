"""One watchdog thread keeps every query's time budget; a finished call is never interrupted."""

import threading
import time

import duckdb
import pytest

from territoria.datastore.engine import Budget, Watchdog, watchdog
from territoria.datastore.errors import QueryTimeout
from territoria.datastore.query import QueryEngine, RecordsQuery
from tests.datastore.test_query_records import sample_version

SLOW = "SELECT count(*) FROM range(100000000) a, range(1000) b WHERE a.range + b.range = 7"


def _watchdog_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "territoria-duckdb-watchdog"]


def test_queries_start_no_thread_of_their_own(tmp_path):
    version = sample_version(tmp_path)
    engine = QueryEngine(timeout=10)
    engine.records(version, RecordsQuery())  # the watchdog exists from here on
    before = threading.active_count()
    for _ in range(20):
        engine.records(version, RecordsQuery(where=("population > 1000",)))
    assert threading.active_count() == before
    assert len(_watchdog_threads()) == 1
    assert not [t for t in threading.enumerate() if isinstance(t, threading.Timer)]


def test_a_call_past_its_deadline_is_interrupted():
    cursor = duckdb.connect()
    budget = Budget(0.2)
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        budget.spend(cursor, lambda: cursor.execute(SLOW).fetchall())
    assert time.monotonic() - started < 5


def test_a_finished_call_is_never_interrupted():
    """Once released, a deadline passing does not touch the cursor: its next call runs."""
    cursor = duckdb.connect()
    guard = Watchdog()
    watch = guard.watch(cursor, 0.05)
    guard.release(watch)
    time.sleep(0.2)
    assert not watch.interrupted
    assert cursor.execute("SELECT 42").fetchall() == [(42,)]


def test_released_deadlines_do_not_pile_up():
    cursor = duckdb.connect()
    guard = Watchdog()
    for _ in range(1000):
        guard.release(guard.watch(cursor, 60))
    assert guard.pending() <= 1


def test_a_sooner_deadline_wakes_the_watchdog():
    """The thread waiting for a far deadline is woken for a nearer one."""
    guard = Watchdog()
    far = duckdb.connect()
    guard.watch(far, 3600)
    cursor = duckdb.connect()
    budget_started = time.monotonic()
    guard.watch(cursor, 0.1)
    with pytest.raises(duckdb.InterruptException):
        cursor.execute(SLOW).fetchall()
    assert time.monotonic() - budget_started < 5


def test_the_process_has_one_watchdog():
    assert watchdog() is watchdog()
