"""An agreement's terms enforced inside the engine: forbidden columns do not exist, rows
outside the filter are never read or counted, aggregates-only callers get publishable cells."""

from __future__ import annotations

import json

import pytest

from territoria.datastore.errors import QueryError
from territoria.datastore.query import QueryEngine, RecordsQuery, restricted
from territoria.datastore.restriction import Restriction
from tests.datastore.test_query_records import sample_version, write_version


@pytest.fixture
def engine():
    return QueryEngine(timeout=10)


@pytest.fixture
def version(tmp_path):
    return sample_version(tmp_path)


def partner_view(version, **terms):
    return restricted(version, Restriction(**terms))


def test_a_forbidden_column_is_an_unknown_field_everywhere(engine, version):
    view = partner_view(version, fields=("name", "department", "population"))
    assert [f["name"] for f in view.fields] == ["name", "department", "population"]
    page = engine.records(view, RecordsQuery(limit=1))
    assert set(page.results[0]) == {"name", "department", "population"}
    for query in (
        RecordsQuery(select="code"),
        RecordsQuery(where=("code = '75056'",)),
        RecordsQuery(group_by="code"),
        RecordsQuery(order_by="code"),
        RecordsQuery(select="count(*)", group_by="capital"),
    ):
        with pytest.raises(QueryError, match="code|capital") as error:
            engine.records(view, query)
        assert error.value.field in {"code", "capital"}
    with pytest.raises(QueryError, match="unknown field 'area'"):
        engine.facets(view, RecordsQuery(), ["area"])
    for fmt in ("csv", "json", "parquet", "xlsx"):
        body = b"".join(engine.export(view, RecordsQuery(), fmt).chunks)
        assert b"75056" not in body and b"105.4" not in body, fmt


def test_the_whole_file_is_never_sent_to_a_restricted_caller(engine, version, tmp_path):
    view = partner_view(version, fields=("name",))
    body = b"".join(engine.export(view, RecordsQuery(limit=None), "parquet").chunks)
    target = tmp_path / "out.parquet"
    target.write_bytes(body)
    import duckdb

    columns = [row[0] for row in duckdb.sql(f"DESCRIBE SELECT * FROM '{target}'").fetchall()]
    assert columns == ["name"]


def test_rows_outside_the_filter_are_never_counted_faceted_or_exported(engine, version):
    # The filter may test a column the partner cannot see.
    view = partner_view(version, fields=("name", "department"), row_filter="population > 10000")
    assert view.row_count == -1
    assert engine.count_view(view) == 6
    page = engine.records(view, RecordsQuery(limit=100))
    assert page.total_count == 6
    assert "L'Abergement-Clémenciat" not in {row["name"] for row in page.results}
    groups = engine.records(view, RecordsQuery(select="count(*) as n", group_by="department"))
    assert sum(row["n"] for row in groups.results) == 6
    (facet,) = engine.facets(view, RecordsQuery(), ["department"])
    assert {v["name"]: v["count"] for v in facet["facets"]}["Ain"] == 1
    exported = json.loads(b"".join(engine.export(view, RecordsQuery(), "json").chunks))
    assert len(exported) == 6


def test_a_cursor_of_one_view_is_refused_by_another(engine, version):
    wide = partner_view(version, row_filter="population > 0")
    narrow = partner_view(version, row_filter="population > 10000")
    page = engine.records(wide, RecordsQuery(limit=2, order_by="name"))
    assert page.next_cursor
    with pytest.raises(QueryError, match="cursor"):
        engine.records(narrow, RecordsQuery(limit=2, order_by="name", cursor=page.next_cursor))


def test_answers_are_not_shared_between_views(version):
    from territoria.datastore.answers import AnswerCache

    engine = QueryEngine(timeout=10, answers=AnswerCache(1 << 20))
    everyone = engine.records(version, RecordsQuery(select="count(*) as n"))
    partner = engine.records(
        partner_view(version, row_filter="department = 'Ain'"), RecordsQuery(select="count(*) as n")
    )
    assert everyone.results == [{"n": 8}]
    assert partner.results == [{"n": 2}]


@pytest.fixture
def people(tmp_path):
    """Employees of 6 firms in 3 communes: cells (commune, sector) of 12, 2 and 11 persons."""
    rows = []
    for commune, sector, count, salary in (
        ("Metz", "industrie", 12, 2000),
        ("Metz", "services", 2, 9000),
        ("Nancy", "services", 11, 2500),
    ):
        rows += [f"('{commune}', '{sector}', {salary + i})" for i in range(count)]
    schema = {
        "fields": [
            {"name": "commune", "type": "string"},
            {"name": "sector", "type": "string"},
            {"name": "salary", "type": "integer"},
        ]
    }
    select = f"SELECT * FROM (VALUES {', '.join(rows)}) AS t(commune, sector, salary)"
    return write_version(tmp_path, select, schema)


def test_aggregates_only_refuses_rows_and_forbidden_aggregates(engine, people):
    view = partner_view(people, aggregates_only=True, min_cell=11)
    for query, fault in (
        (RecordsQuery(), "aggregates only"),
        (RecordsQuery(select="commune, salary"), "salary"),
        (RecordsQuery(select="max(salary)", group_by="commune"), "max"),
        (RecordsQuery(select="count(*)", where=("salary > 3000",)), "salary"),
        (RecordsQuery(select="count(*)", where=("'Metz'",)), "full-text"),
        (RecordsQuery(select="count(*)", group_by="salary"), "salary"),
    ):
        with pytest.raises(QueryError, match=fault):
            engine.records(view, query)
    with pytest.raises(QueryError, match="aggregates only"):
        engine.export(view, RecordsQuery(), "csv")
    with pytest.raises(QueryError, match="dimension"):
        engine.facets(view, RecordsQuery(), ["salary"])


def test_aggregates_only_publishes_cells_of_the_minimum_size_and_totals_without_secrets(
    engine, people
):
    view = partner_view(people, aggregates_only=True, min_cell=11)
    cells = engine.records(
        view, RecordsQuery(select="count(*) as n, sum(salary) as s", group_by="commune, sector")
    )
    assert [(r["commune"], r["sector"], r["n"]) for r in cells.results] == [
        ("Metz", "industrie", 12),
        ("Nancy", "services", 11),
    ]
    # Metz's total leaves the 2 hidden persons out: 14 - 12 would show them.
    by_commune = engine.records(view, RecordsQuery(select="count(*) as n", group_by="commune"))
    assert {r["commune"]: r["n"] for r in by_commune.results} == {"Metz": 12, "Nancy": 11}
    (facet,) = engine.facets(view, RecordsQuery(), ["sector"])
    assert {v["name"]: v["count"] for v in facet["facets"]} == {"industrie": 12, "services": 11}
    total = engine.records(view, RecordsQuery(select="count(*) as n, sum(salary) as s"))
    assert total.results[0]["n"] == 23


def test_the_dominance_rule_hides_a_cell_held_by_one_unit(engine, tmp_path):
    rows = ", ".join(f"('Metz', {v})" for v in [1_000_000, 10, 10, 10]) + ", "
    rows += ", ".join(f"('Nancy', {v})" for v in [100, 100, 100, 100])
    schema = {"fields": [{"name": "commune", "type": "string"}, {"name": "ca", "type": "integer"}]}
    version = write_version(tmp_path, f"SELECT * FROM (VALUES {rows}) AS t(commune, ca)", schema)
    view = partner_view(version, aggregates_only=True, min_cell=3, dominance_field="ca")
    page = engine.records(view, RecordsQuery(select="sum(ca) as total", group_by="commune"))
    assert page.results == [{"commune": "Nancy", "total": 400}]


def test_units_are_counted_by_distinct_value_when_the_agreement_names_them(engine, tmp_path):
    # 4 establishments of 2 firms: 2 units, under the 3 of business statistics.
    rows = "('Metz', 'A'), ('Metz', 'A'), ('Metz', 'B'), ('Metz', 'B')"
    schema = {
        "fields": [{"name": "commune", "type": "string"}, {"name": "siren", "type": "string"}]
    }
    version = write_version(tmp_path, f"SELECT * FROM (VALUES {rows}) AS t(commune, siren)", schema)
    counted_by_rows = partner_view(version, fields=("commune",), aggregates_only=True, min_cell=3)
    by_units = partner_view(
        version, fields=("commune",), aggregates_only=True, min_cell=3, unit_field="siren"
    )
    query = RecordsQuery(select="count(*) as n", group_by="commune")
    assert engine.records(counted_by_rows, query).results == [{"commune": "Metz", "n": 4}]
    assert engine.records(by_units, query).results == []
