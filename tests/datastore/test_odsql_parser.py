"""The ODSQL parser: every construct of the grammar, and where it says a clause goes wrong."""

import pytest

from territoria.datastore.errors import QueryError
from territoria.datastore.odsql import ast
from territoria.datastore.odsql.parser import (
    MAX_NESTING,
    parse_group_by,
    parse_order_by,
    parse_select,
    parse_where,
)
from territoria.datastore.odsql.render import render, render_name

F = ast.Field
S = ast.String
N = ast.Number


def test_comparisons_of_every_kind():
    assert parse_where("a = 1") == ast.Compare("=", F("a"), N("1"))
    assert parse_where("a != 'x'") == ast.Compare("!=", F("a"), S("x"))
    assert parse_where("a <> 'x'") == ast.Compare("!=", F("a"), S("x"))
    assert parse_where("a:'x'") == ast.Compare("=", F("a"), S("x"))
    for op in ("<", "<=", ">", ">="):
        assert parse_where(f"a {op} 2.5") == ast.Compare(op, F("a"), N("2.5"))


def test_boolean_operators_and_their_precedence():
    a, b, c = (ast.Compare("=", F(name), N("1")) for name in "abc")
    assert parse_where("a = 1 OR b = 1 AND c = 1") == ast.Or((a, ast.And((b, c))))
    assert parse_where("(a = 1 or b = 1) and c = 1") == ast.And((ast.Or((a, b)), c))
    assert parse_where("a = 1 and b = 1 and c = 1") == ast.And((a, b, c))
    assert parse_where("not a = 1 and b = 1") == ast.And((ast.Not(a), b))
    assert parse_where("NOT NOT a = 1") == ast.Not(ast.Not(a))


def test_keywords_are_case_insensitive_and_names_are_not():
    assert parse_where("Population IS NOT NULL") == ast.IsNull(F("Population"), negated=True)
    assert parse_where("x is Null or X iS nULL") == ast.Or((ast.IsNull(F("x")), ast.IsNull(F("X"))))
    assert parse_where("COUNT(*) > 1") == ast.Compare(">", ast.Call("count", (ast.Star(),)), N("1"))


def test_in_lists_and_not_in():
    assert parse_where("code IN ('01001', \"2A004\", 3)") == ast.In(
        F("code"), (S("01001"), S("2A004"), N("3"))
    )
    assert parse_where("code not in (1)") == ast.In(F("code"), (N("1"),), negated=True)


def test_ranges_with_brackets_turned_in_or_out():
    assert parse_where("n IN [1..10]") == ast.Range(F("n"), N("1"), N("10"))
    assert parse_where("n in ]1..10[") == ast.Range(
        F("n"), N("1"), N("10"), low_inclusive=False, high_inclusive=False
    )
    assert parse_where("n: [1 TO 10[") == ast.Range(F("n"), N("1"), N("10"), high_inclusive=False)
    assert parse_where("n NOT IN [-5..5]") == ast.Range(
        F("n"), ast.Negate(N("5")), N("5"), negated=True
    )
    assert parse_where("d IN [date'2017'..date'2018']") == ast.Range(
        F("d"), ast.Date("2017"), ast.Date("2018")
    )


def test_like_and_null_and_boolean_tests():
    assert parse_where('name LIKE "star*"') == ast.Like(F("name"), "star*")
    assert parse_where("name not like 'x'") == ast.Like(F("name"), "x", negated=True)
    assert parse_where("flag is true") == ast.IsBool(F("flag"), True)
    assert parse_where("flag IS NOT FALSE") == ast.IsBool(F("flag"), False, negated=True)
    assert parse_where("flag") == F("flag")


def test_full_text_search_forms():
    assert parse_where('"paris"') == S("paris")
    assert parse_where('"tree" AND NOT "dog"') == ast.And((S("tree"), ast.Not(S("dog"))))
    assert parse_where('search("paris")') == ast.Call("search", (S("paris"),))
    assert parse_where("search(*, 'x')") == ast.Call("search", (ast.Star(), S("x")))
    assert parse_where("SEARCH(name, 'x')") == ast.Call("search", (F("name"), S("x")))


def test_literals():
    assert parse_where("x = true") == ast.Compare("=", F("x"), ast.Boolean(True))
    assert parse_where("x = FALSE") == ast.Compare("=", F("x"), ast.Boolean(False))
    assert parse_where("x = null") == ast.Compare("=", F("x"), ast.Null())
    assert parse_where("x = date'2024-01-31'") == ast.Compare("=", F("x"), ast.Date("2024-01-31"))
    assert parse_where('x = DATE "2024/01/31"') == ast.Compare("=", F("x"), ast.Date("2024/01/31"))
    assert parse_where("x = date'2017-04-03T08:02'").right == ast.Date("2017-04-03T08:02")
    assert parse_where("x = 007").right == N("007")
    assert parse_where("x = 12.50").right == N("12.50")


def test_string_escapes():
    assert parse_where(r'x = "say \"hi\""').right == S('say "hi"')
    assert parse_where(r"x = 'it\'s'").right == S("it's")
    assert parse_where(r"x = 'back\\slash\n'").right == S("back\\slash\n")
    with pytest.raises(QueryError):  # SQL's doubled quote is not ODSQL: two strings in a row
        parse_where("x = 'l''a'")


def test_field_names_bare_or_back_quoted():
    assert parse_where("`12` > 10") == ast.Compare(">", F("12"), N("10"))
    assert parse_where("`and` = 1").left == F("and")
    assert parse_where("`with space` = 1").left == F("with space")
    assert parse_where("`tick``s` = 1").left == F("tick`s")
    assert parse_where("2019_pop = 1").left == F("2019_pop")
    assert parse_where("date = 1").left == F("date")
    assert parse_where("count = 1").left == F("count")
    assert parse_where("year = 2024 and to = 1") == ast.And(
        (ast.Compare("=", F("year"), N("2024")), ast.Compare("=", F("to"), N("1")))
    )


def test_arithmetic_and_functions():
    assert parse_where("a + b * 2 > -c") == ast.Compare(
        ">",
        ast.Arithmetic("+", F("a"), ast.Arithmetic("*", F("b"), N("2"))),
        ast.Negate(F("c")),
    )
    assert parse_where("(a - b) / 2 = 1").left == ast.Arithmetic(
        "/", ast.Arithmetic("-", F("a"), F("b")), N("2")
    )
    assert parse_where("a - b - c = 1").left == ast.Arithmetic(
        "-", ast.Arithmetic("-", F("a"), F("b")), F("c")
    )
    assert parse_where("year(d) = 2024").left == ast.Call("year", (F("d"),))
    assert parse_where("now() > d").left == ast.Call("now", ())


def test_select_items():
    assert parse_select("*") == (ast.SelectItem(ast.Star()),)
    assert parse_select("a, b AS c, count(*) as n, count(DISTINCT d)") == (
        ast.SelectItem(F("a")),
        ast.SelectItem(F("b"), "c"),
        ast.SelectItem(ast.Call("count", (ast.Star(),)), "n"),
        ast.SelectItem(ast.Call("count", (F("d"),), distinct=True)),
    )
    assert parse_select("*, population * 2 as `double pop`") == (
        ast.SelectItem(ast.Star()),
        ast.SelectItem(ast.Arithmetic("*", F("population"), N("2")), "double pop"),
    )


def test_group_by_and_order_by_items():
    assert parse_group_by("city, year(d) as y") == (
        ast.GroupItem(F("city")),
        ast.GroupItem(ast.Call("year", (F("d"),)), "y"),
    )
    assert parse_order_by("count(*) DESC, city asc, y") == (
        ast.OrderItem(ast.Call("count", (ast.Star(),)), descending=True),
        ast.OrderItem(F("city")),
        ast.OrderItem(F("y")),
    )


def test_nodes_know_their_positions():
    tree = parse_where("a = 1 AND name LIKE 'x'")
    assert isinstance(tree, ast.And)
    compare, like = tree.operands
    assert (compare.pos, like.pos, tree.pos) == (2, 15, 6)
    assert isinstance(like, ast.Like) and like.operand.pos == 10


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("population > 10 and (x)) ", "where: unexpected ')' at position 23", 23),
        ("a = ", "where: unexpected end of input at position 4, expected a value", 4),
        ("a = 'open", "where: unterminated string starting at position 4", 4),
        ("a # 1", "where: unexpected character '#' at position 2", 2),
        ("a = 1; DROP TABLE x", "where: unexpected character ';' at position 5", 5),
        ("`a = 1", "where: unterminated field name starting at position 0", 0),
        ("`` = 1", "where: empty field name at position 0", 0),
        ("a in (1, 2", "where: unexpected end of input at position 10, expected ')'", 10),
        ("a in [1 2]", "where: unexpected '2' at position 8, expected '..' or TO", 8),
        ("a in [1..2)", "where: unexpected ')' at position 10, expected ']' or '['", 10),
        (
            "a like 3",
            "where: unexpected '3' at position 7, expected a quoted pattern after LIKE",
            7,
        ),
        (
            "a is maybe",
            "where: unexpected 'maybe' at position 5, expected NULL, TRUE or FALSE after IS",
            5,
        ),
        ("and = 1", "where: unexpected 'and' at position 0, expected a value", 0),
        (
            "d = date'2024-13-01'",
            "where: invalid date '2024-13-01' at position 4 (use YYYY-MM-DD,"
            " YYYY/MM/DD or an ISO 8601 date and time)",
            4,
        ),
        ("a = 1 b = 2", "where: unexpected 'b' at position 6", 6),
        ("a = " + "9" * 5000, "where: number too long at position 4", 4),
        ("", "where: unexpected end of input at position 0, expected a value", 0),
    ],
)
def test_errors_say_what_and_where(text, message, position):
    with pytest.raises(QueryError) as caught:
        parse_where(text)
    assert str(caught.value) == message
    assert caught.value.position == position
    assert caught.value.param == "where"


def test_errors_name_their_clause():
    with pytest.raises(QueryError) as caught:
        parse_select("a,, b")
    assert (caught.value.param, caught.value.position) == ("select", 2)
    with pytest.raises(QueryError) as caught:
        parse_order_by("a sideways")
    assert str(caught.value) == (
        "order_by: unexpected 'sideways' at position 2, expected ',' or end of input"
    )
    with pytest.raises(QueryError) as caught:
        parse_group_by("a as")
    assert str(caught.value) == (
        "group_by: unexpected end of input at position 4, expected a name after AS"
    )


def test_deep_nesting_is_refused_before_it_exhausts_the_stack():
    with pytest.raises(QueryError) as caught:
        parse_where("(" * 5000 + "a" + ")" * 5000)
    assert caught.value.position == MAX_NESTING
    with pytest.raises(QueryError):
        parse_where("-" * 5000 + "1 = a")
    with pytest.raises(QueryError):
        parse_where("not " * 5000 + "a")
    with pytest.raises(QueryError) as caught:
        parse_where(" + ".join(["1"] * 500) + " = a")
    assert "too complex" in str(caught.value)


def test_long_flat_conditions_are_fine():
    many = " OR ".join(f"code = '{i:05d}'" for i in range(500))
    tree = parse_where(many)
    assert isinstance(tree, ast.Or) and len(tree.operands) == 500
    assert len(parse_where(f"code IN ({', '.join(str(i) for i in range(2000))})").items) == 2000


def test_too_long_clauses_are_refused():
    with pytest.raises(QueryError) as caught:
        parse_where("a = '" + "x" * 30_000 + "'")
    assert "too long" in str(caught.value)


def test_render_writes_canonical_odsql():
    tree = parse_where("not (a=1 or b<>2) and c in [1..2[ and `x y` like 'p' and \"t\"")
    assert render(tree) == 'NOT (a = 1 OR b != 2) AND c IN [1..2[ AND `x y` LIKE "p" AND "t"'
    assert render(parse_where("count(distinct a) - (b - c) * -d")) == (
        "count(DISTINCT a) - (b - c) * -d"
    )
    assert render_name("population") == "population"
    assert render_name("not") == "`not`"
    assert render_name("it`s") == "`it``s`"
