"""Statistical secrecy under an aggregates-only agreement, on random tables and queries:
no published cell counts fewer units than the threshold, and nothing published depends on a
hidden cell — so no hidden cell can be recomputed from margins, totals or the difference of
two queries."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territoria.datastore.query import QueryEngine, RecordsQuery, restricted
from territoria.datastore.restriction import Restriction
from territoria.datastore.versions import VersionInfo

THRESHOLD = 3
COMMUNES = ["Metz", "Nancy", "Épinal"]
SECTORS = ["agriculture", "industrie", "services"]
SCHEMA = {
    "fields": [
        {"name": "commune", "type": "string"},
        {"name": "sector", "type": "string"},
        {"name": "age", "type": "integer"},
    ]
}
rows_strategy = st.lists(
    st.tuples(st.sampled_from(COMMUNES), st.sampled_from(SECTORS), st.integers(18, 70)),
    max_size=60,
)
queries = st.builds(
    lambda group, where, measure: (group, where, measure),
    st.sampled_from(["", "commune", "sector", "commune, sector"]),
    st.sampled_from(
        [(), ("commune = 'Metz'",), ("sector != 'industrie'",), ("commune in ('Metz', 'Nancy')",)]
    ),
    st.sampled_from(["count(*) as n", "count(*) as n, sum(age) as s, avg(age) as a"]),
)


def write(directory: Path, rows: list[tuple[str, str, int]]) -> VersionInfo:
    directory.mkdir(parents=True, exist_ok=True)
    parquet = directory / "data.parquet"
    connection = duckdb.connect()
    connection.execute("CREATE TABLE t (commune VARCHAR, sector VARCHAR, age BIGINT)")
    if rows:
        connection.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
    connection.execute(f"COPY t TO '{parquet}' (FORMAT parquet)")
    connection.close()
    return VersionInfo(directory.name, parquet, len(rows), 0, "x", "t", "csv", SCHEMA)


def answers(engine: QueryEngine, version: VersionInfo, query) -> list[dict]:
    group, where, measure = query
    view = restricted(version, Restriction(aggregates_only=True, min_cell=THRESHOLD))
    page = engine.records(
        view, RecordsQuery(select=measure, where=where, group_by=group or None, limit=100)
    )
    return page.results


def hidden_cells(rows) -> set[tuple[str, str]]:
    sizes = Counter((commune, sector) for commune, sector, _ in rows)
    return {cell for cell, n in sizes.items() if n < THRESHOLD}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows_strategy, query=queries)
def test_no_published_count_is_under_the_threshold(tmp_path_factory, rows, query):
    version = write(tmp_path_factory.mktemp("v"), rows)
    for row in answers(QueryEngine(timeout=10), version, query):
        assert row["n"] == 0 or row["n"] >= THRESHOLD, row


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows_strategy, query=queries, data=st.data())
def test_changing_hidden_cells_changes_no_answer(tmp_path_factory, rows, query, data):
    """The attack on margins and differences needs answers that depend on hidden cells:
    change every hidden cell (its ages, and a unit more or less while it stays hidden) and
    every answer stays the same."""
    hidden = hidden_cells(rows)
    changed = [row for row in rows if (row[0], row[1]) not in hidden]
    for commune, sector in hidden:
        size = sum(1 for r in rows if (r[0], r[1]) == (commune, sector))
        new_size = data.draw(st.integers(0, THRESHOLD - 1), label="hidden size") if size else 0
        ages = data.draw(st.lists(st.integers(18, 70), min_size=new_size, max_size=new_size))
        changed += [(commune, sector, age) for age in ages]
    engine = QueryEngine(timeout=10)
    before = answers(engine, write(tmp_path_factory.mktemp("a"), rows), query)
    after = answers(engine, write(tmp_path_factory.mktemp("b"), changed), query)
    assert before == after


def test_every_margin_equals_the_sum_of_its_published_cells(tmp_path):
    """Totals are those of the published cells: a margin minus its visible cells is 0."""
    rows = [
        (commune, sector, 30)
        for commune, sector in itertools.product(COMMUNES, SECTORS)
        for _ in range(1 + (len(commune) + len(sector)) % 5)
    ]
    version = write(tmp_path / "v", rows)
    engine = QueryEngine(timeout=10)
    cells = answers(engine, version, ("commune, sector", (), "count(*) as n"))
    margins = answers(engine, version, ("commune", (), "count(*) as n"))
    for margin in margins:
        visible = sum(c["n"] for c in cells if c["commune"] == margin["commune"])
        assert margin["n"] == visible
    assert hidden_cells(rows), "the table must have hidden cells for this test to mean anything"
