"""The ODSQL syntax tree: what the parser builds and the compiler checks and translates.

Nodes are immutable and compare by content only: ``pos`` (the 0-based offset of the node in
its clause, used in error messages) is left out of equality, so the same expression written
twice compares equal — the compiler relies on that to match a select expression with a
``group_by`` one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Node:
    pos: int = field(default=0, compare=False, kw_only=True)


# Values ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field(Node):
    name: str


@dataclass(frozen=True)
class Star(Node):
    """``*``: every field in ``select``, every row in ``count(*)``, every text in ``search``."""


@dataclass(frozen=True)
class String(Node):
    value: str


@dataclass(frozen=True)
class Number(Node):
    text: str  # digits with an optional decimal part, as written: ``01001`` stays ``01001``

    @property
    def value(self) -> int | float:
        return float(self.text) if "." in self.text else int(self.text)


@dataclass(frozen=True)
class Boolean(Node):
    value: bool


@dataclass(frozen=True)
class Null(Node):
    pass


@dataclass(frozen=True)
class Date(Node):
    text: str  # as written between the quotes of date'…'; checked by the parser


@dataclass(frozen=True)
class Geometry(Node):
    text: str  # WKT or GeoJSON as written between the quotes of geom'…'; checked by the parser


@dataclass(frozen=True)
class Distance(Node):
    text: str  # a number and its unit as written: ``10km``, ``2.5mi``; checked by the lexer

    @property
    def metres(self) -> float:
        from territoria.datastore.odsql.geometry import parse_distance

        metres = parse_distance(self.text)
        assert metres is not None
        return metres


@dataclass(frozen=True)
class Call(Node):
    name: str  # lower-cased
    args: tuple[Expr, ...]
    distinct: bool = False


@dataclass(frozen=True)
class Negate(Node):
    operand: Expr


@dataclass(frozen=True)
class Arithmetic(Node):
    op: str  # + - * /
    left: Expr
    right: Expr


# Conditions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Compare(Node):
    op: str  # = != < <= > >=  (``<>`` and ``:`` are read as ``!=`` and ``=``)
    left: Expr
    right: Expr


@dataclass(frozen=True)
class And(Node):
    operands: tuple[Expr, ...]  # two or more; ``a AND b AND c`` is one node


@dataclass(frozen=True)
class Or(Node):
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Not(Node):
    operand: Expr


@dataclass(frozen=True)
class In(Node):
    operand: Expr
    items: tuple[Expr, ...]
    negated: bool = False


@dataclass(frozen=True)
class Range(Node):
    """``field IN [low..high]``; a bracket turned outwards (``]1..10[``) excludes its bound."""

    operand: Expr
    low: Expr
    high: Expr
    low_inclusive: bool = True
    high_inclusive: bool = True
    negated: bool = False


@dataclass(frozen=True)
class Like(Node):
    operand: Expr
    pattern: str
    negated: bool = False


@dataclass(frozen=True)
class IsNull(Node):
    operand: Expr
    negated: bool = False


@dataclass(frozen=True)
class IsBool(Node):
    operand: Expr
    value: bool
    negated: bool = False


Expr = (
    Field
    | Star
    | String
    | Number
    | Boolean
    | Null
    | Date
    | Geometry
    | Distance
    | Call
    | Negate
    | Arithmetic
    | Compare
    | And
    | Or
    | Not
    | In
    | Range
    | Like
    | IsNull
    | IsBool
)

LITERALS = (String, Number, Boolean, Null, Date)
GEO_LITERALS = (Geometry, Distance)


# Clause items ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SelectItem(Node):
    expr: Expr
    alias: str | None = None


@dataclass(frozen=True)
class GroupItem(Node):
    expr: Expr
    alias: str | None = None


@dataclass(frozen=True)
class OrderItem(Node):
    expr: Expr
    descending: bool = False


def children(node: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of ``node``, left to right."""
    match node:
        case Call(args=args):
            return args
        case Negate(operand=operand) | Not(operand=operand):
            return (operand,)
        case Like(operand=operand) | IsNull(operand=operand) | IsBool(operand=operand):
            return (operand,)
        case Arithmetic(left=left, right=right) | Compare(left=left, right=right):
            return (left, right)
        case And(operands=operands) | Or(operands=operands):
            return operands
        case In(operand=operand, items=items):
            return (operand, *items)
        case Range(operand=operand, low=low, high=high):
            return (operand, low, high)
        case _:
            return ()


def walk(node: Expr) -> Iterator[Expr]:
    """Every node of the tree under ``node`` (itself included), without recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def depth(node: Expr) -> int:
    """Height of the tree under ``node``, computed without recursion (1 for a leaf)."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children(current))
    return deepest
