"""Random ODSQL returns the rows that the same question, written by hand in DuckDB SQL, does.

Each generated condition is built twice, side by side: as ODSQL for the engine and as plain
SQL over the version's Parquet file (what a careful person would write). Both must keep the
same rows in the same order; groups must count the same.
"""

from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territoria.datastore.query import QueryEngine, RecordsQuery
from tests.datastore.test_query_records import sample_version

# field -> literals as (ODSQL, SQL)
LITERALS: dict[str, list[tuple[str, str]]] = {
    "population": [("800", "800"), ("41000", "41000"), ("173000", "173000"), ("0", "0")],
    "area": [("15.6", "15.6"), ("50", "50"), ("82.0", "82.0"), ("100.5", "100.5")],
    "code": [('"01001"', "'01001'"), ('"2A004"', "'2A004'"), ('"75056"', "'75056'")],
    "department": [('"Ain"', "'Ain'"), ('"Paris"', "'Paris'"), ("'Loire'", "'Loire'")],
    "founded": [
        ("date'2024-03-15'", "DATE '2024-03-15'"),
        ("date'2023-06-01'", "DATE '2023-06-01'"),
        ("date'2020-01-01'", "DATE '2020-01-01'"),
    ],
}
OPERATORS = ["=", "!=", "<", "<=", ">", ">="]
ORDERABLE = ["population", "area", "code", "department", "founded", "capital"]

Pair = tuple[str, str]


@st.composite
def comparisons(draw) -> Pair:
    field = draw(st.sampled_from(sorted(LITERALS)))
    kind = draw(st.sampled_from(["compare", "in", "range", "null"]))
    values = LITERALS[field]
    if kind == "compare":
        op = draw(st.sampled_from(OPERATORS))
        ods, sql = draw(st.sampled_from(values))
        return f"{field} {op} {ods}", f"({field} {op} {sql})"
    if kind == "in":
        chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=3))
        ods = ", ".join(o for o, _ in chosen)
        sql = ", ".join(s for _, s in chosen)
        return f"{field} IN ({ods})", f"({field} IN ({sql}))"
    if kind == "range":
        (low_ods, low_sql), (high_ods, high_sql) = (
            draw(st.sampled_from(values)),
            draw(st.sampled_from(values)),
        )
        return (
            f"{field} IN [{low_ods}..{high_ods}]",
            f"({field} >= {low_sql} AND {field} <= {high_sql})",
        )
    negated = draw(st.booleans())
    test = "IS NOT NULL" if negated else "IS NULL"
    return f"{field} {test}", f"({field} {test})"


booleans = st.sampled_from(
    [
        ("capital", "capital"),
        ("capital = false", "(capital = false)"),
        ("NOT capital", "(NOT capital)"),
    ]
)


def combine(children):
    def joined(word: str):
        return st.lists(children, min_size=2, max_size=3).map(
            lambda items: (
                "(" + f" {word} ".join(o for o, _ in items) + ")",
                "(" + f" {word} ".join(s for _, s in items) + ")",
            )
        )

    negated = children.map(lambda pair: (f"NOT ({pair[0]})", f"(NOT {pair[1]})"))
    return st.one_of(joined("AND"), joined("OR"), negated)


conditions = st.recursive(st.one_of(comparisons(), booleans), combine, max_leaves=6)


@pytest.fixture(scope="module")
def version(tmp_path_factory):
    return sample_version(tmp_path_factory.mktemp("equivalence"))


@pytest.fixture(scope="module")
def duck():
    connection = duckdb.connect()
    yield connection
    connection.close()


def by_hand(duck, version, sql: str) -> list[tuple[Any, ...]]:
    source = f"read_parquet('{version.parquet}', file_row_number = true)"
    return duck.execute(sql.replace("{source}", source)).fetchall()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(condition=conditions, order=st.sampled_from(ORDERABLE), descending=st.booleans())
def test_random_where_and_order_by_keep_the_rows_duckdb_keeps(
    version, duck, condition, order, descending
):
    ods, sql = condition
    direction = "DESC" if descending else "ASC"
    query = RecordsQuery(select="code", where=(ods,), order_by=f"{order} {direction}", limit=100)
    page = QueryEngine(timeout=30).records(version, query)
    expected = by_hand(
        duck,
        version,
        f"SELECT code FROM {{source}} WHERE {sql}"
        f" ORDER BY {order} {direction} NULLS LAST, file_row_number",
    )
    assert [row["code"] for row in page.results] == [code for (code,) in expected], (ods, sql)
    assert page.total_count == len(expected)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(condition=conditions, key=st.sampled_from(["department", "capital", "year(founded)"]))
def test_random_group_by_counts_what_duckdb_counts(version, duck, condition, key):
    ods, sql = condition
    query = RecordsQuery(
        group_by=f"{key} AS k", select="count(*) AS n, sum(population) AS s", where=(ods,)
    )
    page = QueryEngine(timeout=30).records(
        version, RecordsQuery(**{**query.__dict__, "limit": 100})
    )
    expected = by_hand(
        duck,
        version,
        f"SELECT {key} AS k, count(*), sum(population) FROM {{source}} WHERE {sql}"
        " GROUP BY k ORDER BY k ASC NULLS LAST",
    )
    assert [(r["k"], r["n"], r["s"]) for r in page.results] == [tuple(row) for row in expected]
