"""Properties of the ODSQL front end, for any input hypothesis can think of.

- a syntax tree written back as ODSQL parses to the same tree;
- any text, parsed and checked against a schema, gives a plan or a QueryError — never
  another exception (no IndexError, no RecursionError, no DuckDB error: nothing runs).
"""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territoria.datastore.errors import QueryError
from territoria.datastore.odsql import ast
from territoria.datastore.odsql.parser import (
    RESERVED,
    parse_group_by,
    parse_order_by,
    parse_select,
    parse_where,
)
from territoria.datastore.odsql.planner import plan_query
from territoria.datastore.odsql.render import (
    render,
    render_group_by,
    render_order_by,
    render_select,
)

FIELDS = {
    "name": "string",
    "code": "string",
    "population": "integer",
    "area": "number",
    "founded": "date",
    "updated": "datetime",
    "capital": "boolean",
}

names = st.one_of(
    st.sampled_from([*FIELDS, "and", "not", "to", "distinct", "x y"]),
    st.text(min_size=1, max_size=8),
)
function_names = st.sampled_from(
    ["count", "sum", "avg", "min", "max", "year", "lower", "search", "date", "f_2"]
).filter(lambda name: name not in RESERVED)
numbers = st.one_of(
    st.integers(min_value=0, max_value=10**12).map(str),
    st.tuples(st.integers(0, 999), st.integers(0, 999)).map(lambda t: f"{t[0]}.{t[1]:03d}"),
)
dates = st.one_of(
    st.dates()
    .map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}")
    .filter(lambda text: not text.startswith("0")),
    st.sampled_from(["2024", "2024/03", "2024-03-16T08:02", "2017-04-03T08:02:00Z"]),
)

leaves = st.one_of(
    st.builds(ast.Field, names),
    st.builds(ast.String, st.text(max_size=10)),
    st.builds(ast.Number, numbers),
    st.builds(ast.Boolean, st.booleans()),
    st.just(ast.Null()),
    st.builds(ast.Date, dates),
)


def extend(children: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
    some = st.lists(children, min_size=2, max_size=3).map(tuple)
    return st.one_of(
        st.builds(ast.Negate, children),
        st.builds(ast.Arithmetic, st.sampled_from("+-*/"), children, children),
        st.builds(
            ast.Compare, st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), children, children
        ),
        st.builds(ast.And, some),
        st.builds(ast.Or, some),
        st.builds(ast.Not, children),
        st.builds(
            ast.In, children, st.lists(children, min_size=1, max_size=3).map(tuple), st.booleans()
        ),
        st.builds(
            ast.Range, children, children, children, st.booleans(), st.booleans(), st.booleans()
        ),
        st.builds(ast.Like, children, st.text(max_size=8), st.booleans()),
        st.builds(ast.IsNull, children, st.booleans()),
        st.builds(ast.IsBool, children, st.booleans(), st.booleans()),
        st.builds(ast.Call, function_names, st.lists(children, max_size=3).map(tuple)),
        st.builds(
            lambda name, args: ast.Call(name, args, distinct=True),
            function_names,
            st.lists(st.one_of(children, st.just(ast.Star())), min_size=1, max_size=2).map(tuple),
        ),
        st.builds(lambda name: ast.Call(name, (ast.Star(),)), function_names),
    )


expressions = st.recursive(leaves, extend, max_leaves=25)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_a_rendered_tree_parses_back_to_the_same_tree(tree):
    assert parse_where(render(tree)) == tree


aliases = st.one_of(st.none(), names)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.builds(ast.SelectItem, expressions, aliases),
            st.just(ast.SelectItem(ast.Star())),
        ),
        min_size=1,
        max_size=3,
    ).map(tuple),
    st.lists(st.builds(ast.GroupItem, expressions, aliases), min_size=1, max_size=3).map(tuple),
    st.lists(st.builds(ast.OrderItem, expressions, st.booleans()), min_size=1, max_size=3).map(
        tuple
    ),
)
def test_rendered_clauses_parse_back_to_the_same_items(select, group_by, order_by):
    assert parse_select(render_select(select)) == select
    assert parse_group_by(render_group_by(group_by)) == group_by
    assert parse_order_by(render_order_by(order_by)) == order_by


def plan_or_query_error(**clauses):
    try:
        plan_query(FIELDS, **clauses)
    except QueryError as error:
        assert error.param in ("select", "where", "group_by", "order_by")
        assert str(error).startswith(f"{error.param}: ")
        assert error.position is None or error.position >= 0


@settings(max_examples=500)
@given(st.text(max_size=60))
def test_any_text_in_any_clause_is_a_plan_or_a_query_error(text):
    plan_or_query_error(where=(text,))
    plan_or_query_error(select=text)
    plan_or_query_error(group_by=text)
    plan_or_query_error(order_by=text)


odsql_words = st.sampled_from(
    [
        *FIELDS,
        "(",
        ")",
        "[",
        "]",
        "..",
        ",",
        "=",
        "!=",
        "<",
        ">=",
        ":",
        "+",
        "-",
        "*",
        "/",
        "and",
        "or",
        "not",
        "in",
        "like",
        "is",
        "null",
        "true",
        "false",
        "as",
        "desc",
        "to",
        "count(*)",
        "count",
        "sum",
        "avg",
        "min",
        "max",
        "year",
        "search",
        "distinct",
        "percentile",
        "startswith",
        "lower",
        "length",
        "date'2024'",
        "'x'",
        '"paris"',
        "1",
        "2.5",
        "`name`",
        "`x`",
        string.punctuation,
    ]
)


@settings(max_examples=500)
@given(st.lists(odsql_words, max_size=14).map(" ".join))
def test_any_sequence_of_odsql_words_is_a_plan_or_a_query_error(text):
    plan_or_query_error(where=(text,))
    plan_or_query_error(select=text, group_by="name")
    plan_or_query_error(select=text)
    plan_or_query_error(order_by=text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_any_tree_checks_into_a_plan_or_a_query_error(tree):
    text = render(tree)
    plan_or_query_error(where=(text,))
    plan_or_query_error(select=text)
    plan_or_query_error(select=f"{text} as v", group_by="name")
    plan_or_query_error(order_by=text)
