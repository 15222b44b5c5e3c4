"""Whatever ODSQL a client sends, the engine answers rows or a QueryError naming the clause.

The checker must refuse every tree DuckDB would refuse: a DuckDB error reaching the client
(a conversion error, a binder error) is a bug of the checker, and fails this test.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territoria.datastore.errors import QueryError
from territoria.datastore.odsql import ast
from territoria.datastore.odsql.render import render
from territoria.datastore.query import QueryEngine, RecordsQuery
from tests.datastore.test_query_geo import points_version
from tests.datastore.test_query_records import SAMPLE_SCHEMA, sample_version

FIELD_NAMES = [field["name"] for field in SAMPLE_SCHEMA["fields"]]
OVERFLOW = "a computed value is out of range (arithmetic overflow)"

fields = st.builds(
    ast.Field, st.sampled_from([*FIELD_NAMES, "nope", "geo_point_2d", "latitude", "n"])
)
leaves = st.one_of(
    fields,
    fields,
    st.builds(ast.String, st.sampled_from(["Ain", "2024", "2024-03-16", "01001", "true", "x"])),
    st.builds(ast.Number, st.sampled_from(["0", "1", "2024", "800", "1.5", "01001"])),
    st.builds(ast.Boolean, st.booleans()),
    st.just(ast.Null()),
    st.builds(ast.Date, st.sampled_from(["2024", "2024-03", "2023-12-31", "2024-01-31T10:00"])),
    st.builds(
        ast.Geometry,
        st.sampled_from(["POINT(6 49)", "POLYGON((6 49, 7 49, 7 50, 6 50, 6 49))", "POINT(0 0)"]),
    ),
    st.builds(ast.Distance, st.sampled_from(["10km", "0m", "2.5mi"])),
)
functions = st.sampled_from(
    [
        "count",
        "sum",
        "avg",
        "min",
        "max",
        "median",
        "year",
        "month",
        "lower",
        "length",
        "search",
        "startswith",
        "percentile",
        "dayofweek",
        "date_format",
        "ifnull",
        "now",
        "within_distance",
        "in_bbox",
        "intersects",
        "disjoint",
        "distance",
        "envelope",
        "range",
        "geo_cluster",
    ]
)


def extend(children):
    return st.one_of(
        st.builds(ast.Negate, children),
        st.builds(ast.Arithmetic, st.sampled_from("+-*/"), children, children),
        st.builds(ast.Compare, st.sampled_from(["=", "!=", "<", ">="]), children, children),
        st.builds(ast.And, st.lists(children, min_size=2, max_size=3).map(tuple)),
        st.builds(ast.Or, st.lists(children, min_size=2, max_size=3).map(tuple)),
        st.builds(ast.Not, children),
        st.builds(ast.In, children, st.lists(children, min_size=1, max_size=3).map(tuple)),
        st.builds(ast.Range, children, children, children, st.booleans(), st.booleans()),
        st.builds(ast.Like, children, st.sampled_from(["ai", "b*", "%e%", ""])),
        st.builds(ast.IsNull, children, st.booleans()),
        st.builds(ast.IsBool, children, st.booleans()),
        st.builds(ast.Call, functions, st.lists(children, min_size=1, max_size=5).map(tuple)),
        st.builds(lambda name: ast.Call(name, (ast.Star(),)), functions),
    )


trees = st.recursive(leaves, extend, max_leaves=8)


@pytest.fixture(scope="module")
def version(tmp_path_factory):
    return sample_version(tmp_path_factory.mktemp("properties"))


@pytest.fixture(scope="module")
def points(tmp_path_factory):
    return points_version(tmp_path_factory.mktemp("points"))


def answer(version, **clauses):
    try:
        QueryEngine(timeout=30).records(version, RecordsQuery(limit=5, **clauses))
    except QueryError as error:
        assert error.param is not None or error.message == OVERFLOW, error.message


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(tree=trees)
def test_any_checked_tree_runs_or_is_refused_with_a_query_error(version, tree):
    text = render(tree)
    answer(version, where=(text,))
    answer(version, select=text)
    answer(version, select=f"{text} as v, count(*) as n", group_by="department")
    answer(version, order_by=text)
    answer(version, group_by=text)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(tree=trees)
def test_any_tree_on_a_geo_version_runs_or_is_refused(points, tree):
    text = render(tree)
    answer(points, where=(text,))
    answer(points, select=text)
    answer(points, select=f"{text} as v, count(*) as c", group_by="name")
    answer(points, group_by=text)


@settings(max_examples=200, deadline=None)
@given(
    field=st.sampled_from(FIELD_NAMES),
    value=st.one_of(st.text(max_size=12), st.sampled_from(["2024", "2024/03", "1.5", "true"])),
)
def test_any_refine_or_exclude_value_filters_or_is_refused(version, field, value):
    answer(version, refine=((field, value),))
    answer(version, exclude=((field, value),))
