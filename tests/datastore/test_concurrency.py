"""The engine serves many readers at once: threads, processes, and a slow query starves no one.

Versions are immutable Parquet files, so readers share nothing but the sandbox's database:
each query has its own cursor and its own time budget. These tests hold the engine to it.
No global lock: a slow query holds only its own cursor, which the order-based test below
proves on any machine (a speed ratio would not: on a busy CI runner nothing runs faster in
parallel; the throughput under load is measured by bench/records.py and bench/soak.py).
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

from territoria.datastore.errors import QueryTimeout
from territoria.datastore.query import QueryEngine, RecordsQuery
from territoria.datastore.sql_guard import TableSource, check_sql, rewrite_sql, run_sql
from territoria.datastore.versions import VersionInfo

ROWS = 200_000
SCHEMA = {
    "fields": [
        {"name": "commune", "type": "string", "territoria:facet": True},
        {"name": "annee", "type": "integer", "territoria:facet": True},
        {"name": "valeur", "type": "number"},
    ]
}


BUDGET = 4.0  # seconds of the slow query


def make_version(root: Path) -> VersionInfo:
    directory = root / "versions" / "20260101T000000-c0ffee00"
    directory.mkdir(parents=True)
    parquet = directory / "data.parquet"
    duckdb.sql(
        "COPY (SELECT 'commune ' || (i * 7919 % 997) AS commune, 2000 + i % 25 AS annee, "
        f"(i % 1000) / 10.0 AS valeur FROM range({ROWS}) t(i)) TO '{parquet}' "
        f"(FORMAT parquet, ROW_GROUP_SIZE {ROWS})"
    )
    return VersionInfo(
        key=directory.name,
        parquet=parquet,
        row_count=ROWS,
        byte_size=parquet.stat().st_size,
        checksum="0" * 64,
        source="synthetic",
        source_format="csv",
        schema=SCHEMA,
    )


@pytest.fixture(scope="module")
def version(tmp_path_factory) -> VersionInfo:
    return make_version(tmp_path_factory.mktemp("concurrency"))


def facet_query(version: VersionInfo, index: int) -> list[dict]:
    """One facet query; ``index`` varies the filter so that no cache answers for another."""
    query = RecordsQuery(where=(f"valeur >= {index % 7}",))
    return QueryEngine(timeout=60).facets(version, query, ["commune", "annee"], limit=20)


def test_many_threads_get_the_same_answers_as_one(version):
    expected = [facet_query(version, i) for i in range(4)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda i: facet_query(version, i % 4), range(24)))
    assert answers == [expected[i % 4] for i in range(24)]
    page = QueryEngine().records(version, RecordsQuery(where=("annee = 2003",), limit=3))
    assert page.total_count == ROWS // 25


def facets_in_a_process(parquet: str, index: int) -> list[dict]:
    """Run in a child process (spawned: nothing shared but the file)."""
    info = VersionInfo("k", Path(parquet), ROWS, 0, "0" * 64, "synthetic", "csv", schema=SCHEMA)
    return facet_query(info, index)


def test_several_processes_read_the_same_version(version):
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        pending = [pool.apply_async(facets_in_a_process, (str(version.parquet), i)) for i in (1, 2)]
        here = [facet_query(version, i) for i in (1, 2)]  # meanwhile, this process reads too
        answers = [p.get(timeout=120) for p in pending]
    assert answers == here


def test_a_slow_query_neither_blocks_nor_starves_the_others(version):
    """A cross join that would run for hours holds its budget; facet queries started after
    it all finish while it still runs, then it is interrupted cleanly. This is the test a
    global lock cannot pass, however busy the machine: it compares order, not speed."""
    many = ", ".join(f'"v" t{i}' for i in range(4))
    source = TableSource(version.parquet, ("commune", "annee", "valeur"))
    statement = rewrite_sql(check_sql(f"SELECT count(*) FROM {many}"), {"v": source}, 10)
    slow: dict[str, object] = {}

    def run_slow() -> None:
        started = time.monotonic()
        try:
            run_sql(statement, version.parquet, BUDGET, 10)
        except QueryTimeout as error:
            slow["error"] = error
        slow["ended"] = time.monotonic()
        slow["took"] = slow["ended"] - started

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.3)  # the slow query is running
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda i: facet_query(version, i), range(8)))
    fast_ended = time.monotonic()
    thread.join(timeout=60)
    assert isinstance(slow.get("error"), QueryTimeout)
    assert fast_ended < slow["ended"], "the facet queries waited for the slow one"
    assert BUDGET - 0.5 < slow["took"] < BUDGET + 20  # interrupted at its budget, not before
    assert all(len(a) == 2 for a in answers)
