"""Checking and compiling ODSQL against a schema: names, types, groups, and no user text in SQL."""

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from territoria.datastore.errors import QueryError
from territoria.datastore.odsql.planner import plan_filter, plan_query
from territoria.datastore.odsql.render import render_string
from territoria.datastore.odsql.text import contains_pattern, prefix_pattern, wildcard_pattern

FIELDS = {
    "name": "string",
    "code": "string",
    "population": "integer",
    "area": "number",
    "founded": "date",
    "updated": "datetime",
    "capital": "boolean",
}


def where_sql(text: str) -> tuple[str, tuple[object, ...]]:
    condition = plan_filter(FIELDS, where=(text,))
    assert condition is not None
    return condition.text, condition.params


@given(st.text())
def test_a_string_literal_travels_as_a_parameter_never_as_sql(value):
    text, params = where_sql(f"name = {render_string(value)}")
    assert (text, params) == ('("name" = ?)', (value,))


@given(st.text())
def test_a_search_text_travels_as_parameters_never_as_sql(value):
    words = [word.strip("*") for word in value.split() if word.strip("*")]
    text, params = where_sql(f"search(name, {render_string(value)})")
    test = 'regexp_matches(CAST("name" AS VARCHAR), ?)'
    expected = "(" + " AND ".join([test] * len(words)) + ")" if words else "TRUE"
    assert (text, params) == (expected, tuple(contains_pattern(word) for word in words))


def test_text_patterns_ignore_case_and_accents():
    e, v = "[eèéêëēĕėęěȅȇȩḕḗḙḛḝẹẻẽếềểễệ]", "[vṽṿ]"
    assert contains_pattern("ÉV") == "(?i)" + e + r"\p{Mn}*" + v + r"\p{Mn}*"
    assert prefix_pattern("v-1") == "(?i)^" + v + r"\p{Mn}*\x{2d}1"
    assert wildcard_pattern("v%1*") == "(?is)^" + v + r"\p{Mn}*.*1.*$"


def test_literals_are_coerced_to_the_type_they_are_compared_with():
    assert where_sql("code = 01001") == ('("code" = ?)', ("01001",))
    assert where_sql('population > "12"') == ('("population" > ?)', (12,))
    assert where_sql('area < "1.5"') == ('("area" < ?)', (1.5,))
    assert where_sql("capital = 'true'") == ('("capital" = ?)', (True,))
    assert where_sql("3 < population") == ('("population" > ?)', (3,))
    assert where_sql('population = " 123456789012345678901234567 "')[1] == (
        123456789012345678901234567,
    )
    assert where_sql(f'population = "{"9" * 5000}"')[1] == (float("inf"),)


def test_dates_compare_as_periods():
    assert where_sql("founded = '2024'") == (
        '("founded" >= ? AND "founded" < ?)',
        (date(2024, 1, 1), date(2025, 1, 1)),
    )
    assert where_sql("founded <= date'2024/02'") == ('("founded" < ?)', (date(2024, 3, 1),))
    assert where_sql("founded > date'2024-12-31'") == ('("founded" >= ?)', (date(2025, 1, 1),))
    assert where_sql("updated >= '2024-01-31T10:00'") == (
        '("updated" >= ?)',
        (datetime(2024, 1, 31, 10, 0),),
    )
    assert where_sql("updated < date'2024-01-31T10:00:00+02:00'") == (
        '("updated" < ?)',
        (datetime(2024, 1, 31, 8, 0),),
    )


def test_exclude_keeps_rows_where_the_field_is_empty():
    condition = plan_filter(FIELDS, exclude=(("name", "x"),))
    assert condition is not None
    assert condition.text == '(("name" = ?) IS NOT TRUE)'


def test_plain_queries_select_every_field_in_file_order():
    plan = plan_query(FIELDS)
    assert plan.labels == list(FIELDS)
    assert plan.whole_version and plan.row_order and not plan.aggregated
    assert [term.text for term in plan.order] == ['"file_row_number"']
    assert plan_query(FIELDS, select="*").whole_version
    assert not plan_query(FIELDS, select="name").whole_version
    assert not plan_query(FIELDS, where=("capital",)).whole_version


def test_unaliased_expressions_are_named_by_their_odsql_text():
    plan = plan_query(
        FIELDS,
        select="name, COUNT(*), sum(population), year(founded) as y",
        group_by="name, year(founded)",
    )
    assert plan.labels == ["name", "count(*)", "sum(population)", "y"]


def test_group_keys_come_first_unless_selected():
    plan = plan_query(FIELDS, select="count(*) as n", group_by="capital, name as town")
    assert plan.labels == ["capital", "town", "n"]
    plan = plan_query(FIELDS, select="count(*) as n, town", group_by="capital, name as town")
    assert plan.labels == ["capital", "n", "town"]
    plan = plan_query(FIELDS, group_by="code")
    assert plan.labels == ["code"]
    assert plan.aggregated and not plan.row_order


def test_a_group_key_may_be_used_inside_expressions():
    plan = plan_query(FIELDS, select="year(founded) + 1 as next, count(*)", group_by="founded")
    assert plan.labels == ["founded", "next", "count(*)"]


def test_order_by_prefers_an_alias_over_a_field_of_the_same_name():
    plan = plan_query(FIELDS, select="population * 2 as area", order_by="area desc")
    assert plan.order[0].text == '"_t_c0" DESC NULLS LAST'
    plan = plan_query(FIELDS, select="name", order_by="area desc")
    assert plan.order[0].text == '"area" DESC NULLS LAST'


def test_groups_sort_by_their_keys_after_the_requested_order():
    plan = plan_query(FIELDS, select="count(*) as n", group_by="name", order_by="n desc")
    assert [t.text for t in plan.order] == ['"_t_c1" DESC NULLS LAST', '"_t_k0" ASC NULLS LAST']


@pytest.mark.parametrize(
    ("clauses", "param", "message"),
    [
        ({"select": "*, count(*)"}, "select", "'*' cannot be used with group_by or aggregates"),
        ({"select": "sum(count(*))"}, "select", "aggregate function count() is not allowed here"),
        ({"select": "sum(name)"}, "select", "expected a number, got a text value"),
        ({"select": "count()"}, "select", "count() takes 1 argument, got 0"),
        ({"select": "percentile(area, 101)"}, "select", "percentile between 0 and 100"),
        ({"select": "min(DISTINCT area)"}, "select", "DISTINCT is only allowed"),
        ({"group_by": "count(*)"}, "group_by", "aggregate function count() is not allowed here"),
        ({"order_by": "count(*)"}, "order_by", "aggregate function count() is not allowed here"),
        ({"order_by": "name", "group_by": "code"}, "order_by", "field 'name' must be in group_by"),
        ({"where": ("*",)}, "where", "unexpected '*'"),
        ({"where": ("name = *",)}, "where", "unexpected '*'"),
        ({"where": ("search(name)",)}, "where", "search() needs a quoted text"),
        ({"where": ("search(1, 'x')",)}, "where", "search() takes field names before its text"),
        ({"where": ("capital in [1..2]",)}, "where", "cannot take a range of boolean"),
        ({"where": ("population in [null..2]",)}, "where", "the low bound of a range cannot be"),
        ({"where": ("founded < null",)}, "where", "cannot use < with NULL"),
        ({"where": ("updated + 1 > 2",)}, "where", "expected a number, got date and time field"),
    ],
)
def test_checks_refuse_what_cannot_run(clauses, param, message):
    if "where" in clauses:
        clauses = {**clauses, "where": tuple(clauses["where"])}
    with pytest.raises(QueryError) as caught:
        plan_query(FIELDS, **clauses)
    assert caught.value.param == param
    assert message in str(caught.value)
