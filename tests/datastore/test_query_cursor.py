"""Pages: offset within 10,000 rows, keyset cursors beyond, totals counted once."""

from dataclasses import replace

import pytest

from territoria.datastore.errors import QueryError
from territoria.datastore.query import QueryEngine, RecordsQuery
from tests.datastore.test_query_records import sample_version, write_version

ROWS = 10_250


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    schema = {"fields": [{"name": "n", "type": "integer"}, {"name": "tens", "type": "integer"}]}
    tens = "CASE WHEN range % 7 = 0 THEN NULL ELSE range // 10 END"
    select = f"SELECT range AS n, {tens} AS tens FROM range({ROWS})"
    return write_version(tmp_path_factory.mktemp("big"), select, schema)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return sample_version(tmp_path_factory.mktemp("sample"))


def read_all(engine: QueryEngine, version, query: RecordsQuery) -> tuple[list, list[int]]:
    """Every row of the query, page after page through the cursors; the totals seen."""
    page = engine.records(version, query)
    results, totals = list(page.results), [page.total_count]
    while page.next_cursor is not None:
        page = engine.records(version, replace(query, offset=0, cursor=page.next_cursor))
        results.extend(page.results)
        totals.append(page.total_count)
    return results, totals


def test_offset_stops_at_ten_thousand_rows_but_the_cursor_goes_on(big):
    engine = QueryEngine(timeout=30)
    with pytest.raises(QueryError) as caught:
        engine.records(big, RecordsQuery(limit=100, offset=9_950))
    assert caught.value.param == "offset"
    query = RecordsQuery(select="n", limit=100, offset=9_900)
    results, totals = read_all(engine, big, query)
    assert [row["n"] for row in results] == list(range(9_900, ROWS))
    assert set(totals) == {ROWS}


def test_cursor_follows_the_order_with_nulls_last_and_counts_only_once(big):
    engine = QueryEngine(timeout=30)
    query = RecordsQuery(select="n, tens", where=("n >= 9800",), order_by="tens DESC", limit=100)
    results, totals = read_all(engine, big, query)
    expected = sorted(
        range(9_800, ROWS),
        key=lambda n: (n % 7 == 0, -(n // 10) if n % 7 else 0, n),
    )
    assert [row["n"] for row in results] == expected
    assert set(totals) == {ROWS - 9_800}
    # One select per page, plus one count for the first page only.
    assert engine.statements == len(totals) + 1


def test_a_page_without_more_rows_has_no_cursor(sample):
    page = QueryEngine().records(sample, RecordsQuery(limit=100))
    assert page.next_cursor is None
    grouped = QueryEngine().records(sample, RecordsQuery(group_by="department", limit=2))
    assert grouped.next_cursor is None  # groups page with offset only


def test_a_cursor_of_another_query_or_version_is_refused(sample, tmp_path):
    engine = QueryEngine()
    cursor = engine.records(sample, RecordsQuery(select="name", limit=2)).next_cursor
    assert cursor is not None
    for other in (
        RecordsQuery(select="code", limit=2, cursor=cursor),
        RecordsQuery(select="name", limit=2, cursor=cursor, where=("capital",)),
    ):
        with pytest.raises(QueryError, match="another query") as caught:
            engine.records(sample, other)
        assert caught.value.param == "cursor"
    republished = replace(sample, key="v2")
    with pytest.raises(QueryError, match="republished"):
        engine.records(republished, RecordsQuery(select="name", limit=2, cursor=cursor))
    for garbage in ("x", "!!!", "eyJxIjoxfQ", "a" * 5000):
        with pytest.raises(QueryError) as caught:
            engine.records(sample, RecordsQuery(select="name", cursor=garbage))
        assert caught.value.param == "cursor"
    with pytest.raises(QueryError) as caught:
        engine.records(sample, RecordsQuery(select="name", limit=2, cursor=cursor, offset=3))
    assert caught.value.param == "offset"
