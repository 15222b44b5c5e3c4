"""The SQL guard: one SELECT over resources, checked, rewritten over Parquet, run in the sandbox."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territoria.datastore.errors import QueryError, QueryTimeout
from territoria.datastore.sql_guard import (
    FUNCTIONS,
    SqlRefused,
    TableSource,
    check_sql,
    rewrite_sql,
    run_sql,
)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """Two versions in one store: ``people`` (with a hidden column) and ``towns``."""
    root = tmp_path_factory.mktemp("guard") / "versions"
    paths = {}
    for key, select in (
        ("people", "SELECT i AS id, 'p' || i AS name, i % 3 AS town, 'hidden' || i AS secret"),
        ("towns", "SELECT i AS town, 'town ' || i AS label"),
    ):
        (root / key).mkdir(parents=True)
        paths[key] = root / key / "data.parquet"
        size = 300 if key == "people" else 3
        duckdb.sql(f"COPY ({select} FROM range({size}) t(i)) TO '{paths[key]}' (FORMAT parquet)")
    return {
        "people": TableSource(paths["people"], ("id", "name", "town")),
        "towns": TableSource(paths["towns"], ("town", "label")),
    }


def run(store, text, cap=1000, timeout=10.0):
    checked = check_sql(text)
    statement = rewrite_sql(checked, store, cap)
    return run_sql(statement, store["people"].parquet, timeout, cap)


def test_names_of_the_tables_read_exclude_ctes_in_scope():
    checked = check_sql(
        'WITH a AS (SELECT * FROM "people"), b AS (SELECT * FROM a) '
        'SELECT * FROM b JOIN "towns" USING (town)'
    )
    assert checked.tables == ("people", "towns")


def test_a_non_recursive_cte_naming_itself_reads_the_table_of_that_name():
    assert check_sql('WITH x AS (SELECT * FROM "x") SELECT * FROM x').tables == ("x",)
    assert check_sql('SELECT * FROM (WITH a AS (SELECT 1) SELECT * FROM a), "a"').tables == ("a",)


def test_a_join_with_group_by_runs_over_the_parquet_files(store):
    result = run(
        store,
        'SELECT t.label, count(*) AS n FROM "people" p JOIN "towns" t ON p.town = t.town '
        "GROUP BY t.label ORDER BY t.label",
    )
    assert result.fields == [("label", "VARCHAR"), ("n", "BIGINT")]
    assert result.records == [("town 0", 100), ("town 1", 100), ("town 2", 100)]
    assert result.truncated is False


def test_columns_outside_the_source_fields_are_out_of_scope(store):
    assert [name for name, _ in run(store, 'SELECT * FROM "people" LIMIT 1').fields] == [
        "id",
        "name",
        "town",
    ]
    with pytest.raises(SqlRefused, match="secret"):
        run(store, 'SELECT secret FROM "people"')


@pytest.mark.parametrize(
    "text",
    [
        'SELECT id FROM "people" WHERE (town = 1 OR town = 2) AND NOT id IN (3, 4)',
        "SELECT id FROM \"people\" WHERE id BETWEEN 10 AND 20 AND name LIKE 'p1%'",
        "SELECT CASE WHEN town = 0 THEN 'zero' ELSE CAST(town AS VARCHAR) END AS t FROM \"people\"",
        'SELECT town, sum(id) FILTER (WHERE id > 5) AS s FROM "people" GROUP BY ALL ORDER BY 1',
        'SELECT id, rank() OVER (PARTITION BY town ORDER BY id DESC) AS r FROM "people"',
        'WITH t AS (SELECT town, count(*) AS n FROM "people" GROUP BY town) '
        "SELECT max(n) AS m FROM t",
        "SELECT lower(upper(name)) || '!' AS x, coalesce(NULL, id) AS y FROM \"people\"",
        'SELECT id FROM "people" WHERE id > (SELECT avg(town) FROM "towns") LIMIT 3',
        'SELECT town FROM "people" INTERSECT SELECT town FROM "towns"',
        "SELECT year(DATE '2024-05-01') AS y, date_trunc('month', DATE '2024-05-09') AS m "
        'FROM "towns"',
    ],
)
def test_ordinary_analytical_sql_is_accepted_and_runs(store, text):
    result = run(store, text)
    assert result.records and not result.truncated


def test_the_row_cap_lowers_a_larger_limit_and_keeps_the_order(store):
    result = run(store, 'SELECT id FROM "people" ORDER BY id DESC LIMIT 200', cap=5)
    assert [row[0] for row in result.records] == [299, 298, 297, 296, 295]
    assert result.truncated is True
    union = run(store, 'SELECT id FROM "people" UNION ALL SELECT town FROM "towns"', cap=400)
    assert len(union.records) == 303 and not union.truncated


def test_the_statement_that_runs_is_regenerated_without_comments(store):
    statement = rewrite_sql(check_sql('SELECT id /* note */ FROM "people" -- end'), store, 10)
    assert "note" not in statement.text and "end" not in statement.text
    assert statement.text.count("read_parquet") + statement.text.count("READ_PARQUET") == 1


def test_a_query_past_its_budget_is_interrupted(store):
    many = ", ".join(f'"people" p{i}' for i in range(5))
    with pytest.raises(QueryTimeout):
        run(store, f"SELECT count(*) FROM {many}", timeout=0.3)


def test_an_unknown_table_is_refused_at_rewrite(store):
    with pytest.raises(SqlRefused, match='unknown resource "nowhere"'):
        rewrite_sql(check_sql('SELECT * FROM "nowhere"'), store, 10)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "required"),
        ('SELECT 1; SELECT * FROM "people"', "exactly one statement"),
        ('SELECT * FROM "people"; DROP TABLE x', "exactly one statement"),
        ("COPY (SELECT 1) TO '/tmp/x.csv'", "only SELECT"),
        ("ATTACH '/tmp/x.db' AS x", "only SELECT"),
        ("INSTALL httpfs", "only SELECT"),
        ("PRAGMA version", "only SELECT"),
        ("SELECT * FROM read_csv('/etc/passwd')", "a table must be"),
        ("SELECT * FROM glob('/*')", "a table must be"),
        ("SELECT * FROM main.people", "a table must be"),
        ("SELECT getenv('HOME') FROM people", "getenv"),
        ("SELECT current_setting('threads') FROM people", "current_setting"),
        ("SELECT read_text('/etc/passwd') FROM people", "read_text"),
        ("SELECT 1", "at least one resource"),
        ('SELECT * FROM "people\u200b"', r"U\+200B"),
        ('SELECT * FROM "people"\x00', r"U\+0000"),
        ("SELEC * FROM people", "only SELECT"),
        ("SELECT 'unterminated FROM people", "cannot parse"),
        ("SELECT " + "(" * 5000 + "1" + ")" * 5000 + " FROM people", "nested|parse"),
    ],
)
def test_what_is_not_one_safe_select_is_refused(text, message):
    with pytest.raises(SqlRefused, match=message) as refused:
        check_sql(text)
    assert refused.value.param == "sql"


def test_the_function_allow_list_names_no_file_or_settings_function():
    forbidden = {"READ_CSV", "READ_PARQUET", "READ_TEXT", "GLOB", "GETENV", "QUERY",
                 "CURRENT_SETTING", "REPEAT", "RANGE", "GENERATE_SERIES", "ST_READ"}  # fmt: skip
    assert not forbidden & FUNCTIONS


ALPHABET = st.sampled_from(
    ["SELECT", "FROM", '"people"', "people", "*", ",", ";", "(", ")", "'", '"', "--", "/*",
     "*/", "read_csv", "COPY", "TO", "'/etc/passwd'", "UNION", "WITH", "x", "AS", "1", "\n",
     "WHERE", "=", "id", "count(*)", "ATTACH", "pragma", "\u037e", "\uff1b", "\\"]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ALPHABET, max_size=14).map(" ".join))
def test_random_token_soup_is_refused_or_runs_but_never_crashes(store, text):
    try:
        result = run(store, text, cap=3)
    except QueryError:
        return
    assert len(result.records) <= 3
