"""The answer cache: a question asked again on the same version is answered without DuckDB."""

import dataclasses

import pytest

from territoria.datastore.answers import (
    AnswerCache,
    answer_key,
    approximate_size,
    shared_answer_cache,
)
from territoria.datastore.errors import QueryTimeout
from territoria.datastore.odsql.sql import Sql
from territoria.datastore.query import QueryEngine, RecordsQuery
from tests.datastore.test_query_records import SAMPLE_SCHEMA, sample_version, write_version

MB = 2**20


@pytest.fixture
def version(tmp_path):
    return sample_version(tmp_path)


@pytest.fixture
def engine():
    return QueryEngine(timeout=10, answers=AnswerCache(MB))


def test_a_records_page_asked_again_runs_no_statement(engine, version):
    query = RecordsQuery(where=("population > 1000",), order_by="population desc", limit=2)
    first = engine.records(version, query)
    assert engine.statements == 2  # the page, then its count
    again = engine.records(version, query)
    assert engine.statements == 2
    assert again == first
    assert first.total_count == 6
    assert [row["name"] for row in first.results] == ["Paris", "Lyon"]
    assert engine.answers is not None and engine.answers.hits == 2


def test_facets_asked_again_run_no_statement(engine, version):
    first = engine.facets(version, RecordsQuery())
    again = engine.facets(version, RecordsQuery())
    assert engine.statements == 1
    assert again == first
    assert first[0]["facets"][0] == {
        "name": "Ain",
        "count": 2,
        "state": "displayed",
        "value": "Ain",
    }


def test_a_grouped_query_asked_again_runs_no_statement(engine, version):
    query = RecordsQuery(select="department, count(*) as n", group_by="department", limit=3)
    first = engine.records(version, query)
    assert engine.records(version, query) == first
    assert engine.statements == 1


def test_another_version_gets_its_own_answer(engine, tmp_path):
    """A newly published version is another key and another file: nothing is reused."""
    schema = {"fields": [{"name": "n", "type": "integer"}]}
    old = write_version(tmp_path / "old", "SELECT range AS n FROM range(3)", schema)
    new = write_version(tmp_path / "new", "SELECT range AS n FROM range(5)", schema)
    new = dataclasses.replace(new, key="v2")
    query = RecordsQuery(where=("n >= 1",))
    assert engine.records(old, query).total_count == 2
    assert engine.records(new, query).total_count == 4
    assert engine.records(old, query).total_count == 2


def test_callers_with_different_restrictions_never_share_an_entry(engine, version):
    """Restrictions are compiled into the SQL: a caller shown fewer columns, or fewer rows,
    runs another statement, with another key."""
    everything = engine.records(version, RecordsQuery(limit=1))
    hidden = {"fields": [f for f in SAMPLE_SCHEMA["fields"] if f["name"] in ("name", "code")]}
    narrowed = dataclasses.replace(version, schema=hidden)
    assert narrowed.key == version.key
    shown = engine.records(narrowed, RecordsQuery(limit=1))
    assert list(shown.results[0]) == ["name", "code"]
    assert "population" in everything.results[0]
    assert engine.records(version, RecordsQuery(limit=1)) == everything
    kept = engine.records(version, RecordsQuery(where=("department = 'Ain'",), limit=1))
    assert kept.total_count == 2
    assert engine.facets(version, RecordsQuery(where=("department = 'Ain'",)))[0]["facets"] == [
        {"name": "Ain", "count": 2, "state": "displayed", "value": "Ain"}
    ]


def test_without_a_cache_every_question_runs(version):
    engine = QueryEngine(timeout=10, answers=None)
    engine.records(version, RecordsQuery(where=("population > 1000",)))
    engine.records(version, RecordsQuery(where=("population > 1000",)))
    assert engine.statements == 2
    assert shared_answer_cache(0) is None


def test_the_byte_bound_evicts_the_least_recently_used():
    rows = [(f"value {n}", n) for n in range(10)]
    entry = approximate_size(answer_key("v", Sql("SELECT 1"))) + approximate_size(rows)
    cache = AnswerCache(max_bytes=entry * 5)
    for n in range(8):
        cache.fetch(answer_key("v", Sql(f"SELECT {n}")), lambda: list(rows))
        assert cache.size <= cache.max_bytes
    assert len(cache) <= 5
    computed = []
    cache.fetch(answer_key("v", Sql("SELECT 0")), lambda: computed.append(1) or rows)
    assert computed == [1]  # the oldest went first
    cache.fetch(answer_key("v", Sql("SELECT 7")), lambda: computed.append(7) or rows)
    assert computed == [1]  # the newest is still there


def test_an_answer_bigger_than_a_share_of_the_cache_is_not_kept():
    cache = AnswerCache(max_bytes=10_000)
    big = [("x" * 5_000,)]
    cache.fetch(answer_key("v", Sql("SELECT big")), lambda: big)
    assert len(cache) == 0 and cache.size == 0


def test_parameters_equal_in_python_but_not_in_sql_are_different_keys():
    keys = {answer_key("v", Sql("SELECT ?", (value,))) for value in (1, 1.0, True, "1")}
    assert len(keys) == 4
    assert answer_key("v", Sql("?", ([1, 2],))) == answer_key("v", Sql("?", ([1, 2],)))


def test_the_shared_cache_follows_its_size():
    first = shared_answer_cache(3 * MB)
    assert shared_answer_cache(3 * MB) is first
    assert shared_answer_cache(4 * MB) is not first


def test_a_failed_statement_is_not_kept(engine, version):
    slow = QueryEngine(timeout=0, answers=engine.answers)  # no time at all: it times out
    with pytest.raises(QueryTimeout):
        slow.records(version, RecordsQuery(where=("population > 1000",)))
    assert engine.answers is not None and len(engine.answers) == 0
    assert engine.records(version, RecordsQuery(where=("population > 1000",))).total_count == 6
