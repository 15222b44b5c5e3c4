"""Facets in Opendatasoft's v2.1 shape: counts per value among the rows a query keeps."""

import pytest

from territoria.datastore.errors import QueryError
from territoria.datastore.query import QueryEngine, RecordsQuery
from tests.datastore.test_query_records import sample_version


@pytest.fixture
def version(tmp_path):
    return sample_version(tmp_path)


@pytest.fixture
def engine():
    return QueryEngine(timeout=10)


def facet(value: str, count: int, state: str = "displayed") -> dict[str, object]:
    return {"name": value, "count": count, "state": state, "value": value}


def test_default_facets_are_the_fields_marked_in_the_schema(engine, version):
    assert engine.facets(version, RecordsQuery()) == [
        {
            "name": "department",
            "facets": [
                facet("Ain", 2),
                facet("Corse-du-Sud", 1),
                facet("Essonne", 1),
                facet("Loire", 1),
                facet("Paris", 1),
                facet("Rhône", 1),
            ],
        },
        {"name": "founded", "facets": [facet("2023", 2), facet("2024", 2), facet("2019", 1)]},
    ]


def test_all_facets_come_from_one_statement(engine, version):
    engine.facets(version, RecordsQuery(), ["department", "founded", "capital", "population"])
    assert engine.statements == 1


def test_facet_counts_respect_where_refine_and_exclude(engine, version):
    query = RecordsQuery(
        where=("population > 1000",),
        refine=(("capital", "true"),),
        exclude=(("department", "Paris"),),
    )
    assert engine.facets(version, query, ["department", "capital"]) == [
        {
            "name": "department",
            "facets": [
                facet("Ain", 1),
                facet("Corse-du-Sud", 1),
                facet("Essonne", 1),
                facet("Loire", 1),
                facet("Rhône", 1),
            ],
        },
        {"name": "capital", "facets": [facet("true", 5, "refined")]},
    ]


def test_a_refined_date_facet_is_marked_refined(engine, version):
    query = RecordsQuery(refine=(("founded", "2024"),))
    assert engine.facets(version, query, ["founded"]) == [
        {"name": "founded", "facets": [facet("2024", 2, "refined")]}
    ]


def test_numbers_facet_by_value_in_numeric_order_and_limit_applies(engine, version):
    result = engine.facets(version, RecordsQuery(), ["area"], limit=3)
    assert result == [
        {"name": "area", "facets": [facet("15.6", 1), facet("18.4", 1), facet("23.9", 1)]}
    ]


def test_no_facet_fields_means_no_facets(engine, version):
    assert engine.facets(version, RecordsQuery(), []) == []
    assert engine.statements == 0


def test_unknown_facet_fields_are_refused(engine, version):
    with pytest.raises(QueryError) as caught:
        engine.facets(version, RecordsQuery(), ["department", "nope"])
    assert (caught.value.param, caught.value.field) == ("facet", "nope")


def test_facet_filters_are_checked_like_records_filters(engine, version):
    with pytest.raises(QueryError) as caught:
        engine.facets(version, RecordsQuery(where=("nope = 1",)))
    assert (caught.value.param, caught.value.field) == ("where", "nope")


def test_facets_ignore_select_group_by_order_and_paging(engine, version):
    query = RecordsQuery(select="count(*)", group_by="code", order_by="code", limit=1, offset=5)
    assert engine.facets(version, query, ["capital"]) == [
        {"name": "capital", "facets": [facet("true", 6), facet("false", 1)]}
    ]


def test_engine_is_reusable_across_versions(engine, tmp_path):
    first = sample_version(tmp_path / "a")
    second = sample_version(tmp_path / "b")
    assert engine.facets(first, RecordsQuery(), ["capital"]) == engine.facets(
        second, RecordsQuery(), ["capital"]
    )
