"""Write a syntax tree back as ODSQL text: ``parse(render(tree)) == tree`` for every tree.

Used to name unaliased select expressions (``count(*)``, ``sum(population)``) as Opendatasoft
does, in error messages, and by the property tests of the parser.
"""

from __future__ import annotations

import re

from territoria.datastore.odsql import ast
from territoria.datastore.odsql.parser import RESERVED

_BARE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Not reserved by the parser, but read as keywords in one place (``count(distinct x)``,
# ``[1 to 10]``): written back-quoted to keep the round trip exact.
_QUOTED_TOO = frozenset({"distinct", "to"})

_OR, _AND, _NOT, _PREDICATE, _SUM, _PRODUCT, _UNARY, _PRIMARY = range(1, 9)


def render(node: ast.Expr) -> str:
    """ODSQL text for ``node``, with parentheses only where precedence needs them."""
    return _render(node, 0)


def render_name(name: str) -> str:
    """A field name or alias as ODSQL writes it: bare when it can be, else back-quoted."""
    lowered = name.lower()
    if _BARE_NAME.fullmatch(name) and lowered not in RESERVED and lowered not in _QUOTED_TOO:
        return name
    return "`" + name.replace("`", "``") + "`"


def render_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_select(items: tuple[ast.SelectItem, ...]) -> str:
    return ", ".join(_with_alias(render(item.expr), item.alias) for item in items)


def render_group_by(items: tuple[ast.GroupItem, ...]) -> str:
    return ", ".join(_with_alias(render(item.expr), item.alias) for item in items)


def render_order_by(items: tuple[ast.OrderItem, ...]) -> str:
    return ", ".join(render(item.expr) + (" DESC" if item.descending else "") for item in items)


def _with_alias(text: str, alias: str | None) -> str:
    return text if alias is None else f"{text} AS {render_name(alias)}"


def _precedence(node: ast.Expr) -> int:
    match node:
        case ast.Or():
            return _OR
        case ast.And():
            return _AND
        case ast.Not():
            return _NOT
        case ast.Compare() | ast.In() | ast.Range() | ast.Like() | ast.IsNull() | ast.IsBool():
            return _PREDICATE
        case ast.Arithmetic(op=op):
            return _SUM if op in "+-" else _PRODUCT
        case ast.Negate():
            return _UNARY
        case _:
            return _PRIMARY


def _render(node: ast.Expr, minimum: int) -> str:
    text = _render_bare(node)
    return f"({text})" if _precedence(node) < minimum else text


def _render_bare(node: ast.Expr) -> str:  # noqa: C901 - one case per node kind
    match node:
        case ast.Or(operands=operands):
            return " OR ".join(_render(operand, _AND) for operand in operands)
        case ast.And(operands=operands):
            return " AND ".join(_render(operand, _NOT) for operand in operands)
        case ast.Not(operand=operand):
            return "NOT " + _render(operand, _NOT)
        case ast.Compare(op=op, left=left, right=right):
            return f"{_render(left, _SUM)} {op} {_render(right, _SUM)}"
        case ast.In(operand=operand, items=items, negated=negated):
            values = ", ".join(_render(item, _SUM) for item in items)
            return f"{_render(operand, _SUM)}{_not(negated)} IN ({values})"
        case ast.Range():
            low = "[" if node.low_inclusive else "]"
            high = "]" if node.high_inclusive else "["
            bounds = f"{low}{_render(node.low, _UNARY)}..{_render(node.high, _UNARY)}{high}"
            return f"{_render(node.operand, _SUM)}{_not(node.negated)} IN {bounds}"
        case ast.Like(operand=operand, pattern=pattern, negated=negated):
            return f"{_render(operand, _SUM)}{_not(negated)} LIKE {render_string(pattern)}"
        case ast.IsNull(operand=operand, negated=negated):
            return f"{_render(operand, _SUM)} IS{_not(negated)} NULL"
        case ast.IsBool(operand=operand, value=value, negated=negated):
            return f"{_render(operand, _SUM)} IS{_not(negated)} {'TRUE' if value else 'FALSE'}"
        case ast.Arithmetic(op=op, left=left, right=right):
            level = _precedence(node)
            return f"{_render(left, level)} {op} {_render(right, level + 1)}"
        case ast.Negate(operand=operand):
            text = _render(operand, _UNARY)
            return "- " + text if text.startswith("-") else "-" + text
        case ast.Call(name=name, args=args, distinct=distinct):
            inner = ", ".join(_render(arg, 0) for arg in args)
            return f"{name}({'DISTINCT ' if distinct else ''}{inner})"
        case ast.Field(name=name):
            return render_name(name)
        case ast.Star():
            return "*"
        case ast.String(value=value):
            return render_string(value)
        case ast.Number(text=text):
            return text
        case ast.Boolean(value=value):
            return "TRUE" if value else "FALSE"
        case ast.Null():
            return "NULL"
        case ast.Date(text=text):
            return f"date'{text}'"
        case ast.Geometry(text=text):
            return "geom" + render_string(text)
        case ast.Distance(text=text):
            return text
    raise TypeError(f"not an ODSQL node: {node!r}")


def _not(negated: bool) -> str:
    return " NOT" if negated else ""
