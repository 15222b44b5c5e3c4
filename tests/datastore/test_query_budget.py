"""Every query has a time budget, and runs in a DuckDB that can read nothing but versions."""

import time

import duckdb
import pytest

from territoria.datastore.engine import Budget, Session, sandbox_for
from territoria.datastore.errors import QueryTimeout
from territoria.datastore.odsql.sql import Sql
from territoria.datastore.query import QueryEngine, RecordsQuery
from tests.datastore.test_query_records import sample_version, write_version

CROSS_JOIN = "SELECT count(*) FROM range(100000000) a, range(1000) b WHERE a.range + b.range = 7"


@pytest.fixture(scope="module")
def big_version(tmp_path_factory):
    schema = {
        "fields": [
            {"name": "id", "type": "integer"},
            {"name": "label", "type": "string"},
            {"name": "other", "type": "string"},
        ]
    }
    select = (
        "SELECT range AS id, 'Libellé numéro ' || range AS label, md5(range::VARCHAR) AS other"
        " FROM range(3000000)"
    )
    return write_version(tmp_path_factory.mktemp("big"), select, schema)


def test_a_long_statement_is_interrupted_when_the_budget_is_spent(tmp_path):
    version = sample_version(tmp_path)
    session = Session(version.parquet, timeout=0.2)
    started = time.monotonic()
    with pytest.raises(QueryTimeout) as caught:
        session.fetchall(Sql(CROSS_JOIN))
    assert time.monotonic() - started < 5
    assert str(caught.value) == "query took longer than 0.2 s"
    # The budget is shared by the query's statements: nothing more may run.
    with pytest.raises(QueryTimeout):
        session.fetchall(Sql("SELECT 1"))
    session.close()


def test_a_budget_spans_several_calls():
    budget = Budget(0.05)
    cursor = duckdb.connect()
    budget.spend(cursor, lambda: time.sleep(0.06))
    with pytest.raises(QueryTimeout):
        budget.spend(cursor, lambda: cursor.execute("SELECT 1"))
    assert budget.left <= 0


def test_a_slow_records_query_times_out(big_version):
    engine = QueryEngine(timeout=0.01)
    query = RecordsQuery(
        select="other, count(*) as n", where=('"zzz" OR label like "*9*9*"',), group_by="other"
    )
    with pytest.raises(QueryTimeout) as caught:
        engine.records(big_version, query)
    assert caught.value.message == "query took longer than 0.01 s"
    # The interrupted query leaves the sandbox usable for the next one.
    query = RecordsQuery(select="id, label", where=("id = 2999999",))
    page = QueryEngine().records(big_version, query)
    assert page.results == [{"id": 2999999, "label": "Libellé numéro 2999999"}]


def test_a_slow_export_times_out_before_streaming(big_version):
    engine = QueryEngine(timeout=0.01)
    with pytest.raises(QueryTimeout):
        engine.export(big_version, RecordsQuery(where=('"zzz"',), limit=None), "parquet")


def test_the_sandbox_reads_versions_and_nothing_else(tmp_path):
    version = sample_version(tmp_path)
    outside = tmp_path.parent / "outside.csv"
    outside.write_text("secret\n1\n")
    cursor = sandbox_for(version.parquet).cursor()
    assert cursor.execute(f"SELECT count(*) FROM read_parquet('{version.parquet}')").fetchall() == [
        (8,)
    ]
    forbidden = [
        f"SELECT * FROM read_csv('{outside}')",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM glob('/etc/*')",
        f"COPY (SELECT 1) TO '{tmp_path.parent / 'written.csv'}'",
        f"ATTACH '{tmp_path.parent / 'other.duckdb'}'",
        "INSTALL httpfs",
        "LOAD httpfs",
    ]
    for statement in forbidden:
        with pytest.raises(duckdb.Error):
            cursor.execute(statement)
    with pytest.raises(duckdb.Error, match="locked"):
        cursor.execute("SET enable_external_access = true")
    assert not (tmp_path.parent / "written.csv").exists()


def test_versions_of_one_store_share_a_sandbox(tmp_path):
    first = sample_version(tmp_path)
    assert sandbox_for(first.parquet) is sandbox_for(first.parquet.parent / "data.parquet")
    assert sandbox_for(first.parquet).readable == first.parquet.parent.parent.resolve()
