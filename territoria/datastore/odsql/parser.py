"""Recursive-descent parser for the four ODSQL clauses: select, where, group_by, order_by.

Grammar (keywords are case-insensitive; tests/datastore/test_odsql_parser.py has examples)::

    select    := select_item ("," select_item)*      select_item := "*" | expr [AS name]
    group_by  := expr [AS name] ("," expr [AS name])*
    order_by  := expr [ASC | DESC] ("," expr [ASC | DESC])*
    where     := expr

    expr      := and_expr (OR and_expr)*
    and_expr  := not_expr (AND not_expr)*
    not_expr  := NOT not_expr | predicate
    predicate := sum [ compare_op sum                 compare_op := = != <> < <= > >= :
                     | [NOT] IN "(" sum ("," sum)* ")"
                     | ([NOT] IN | ":") range
                     | [NOT] LIKE string
                     | IS [NOT] (NULL | TRUE | FALSE) ]
    range     := ("[" | "]") unary (".." | TO) unary ("]" | "[")
    sum       := product (("+" | "-") product)*
    product   := unary (("*" | "/") unary)*
    unary     := "-" unary | primary
    primary   := number | distance | string | date'…' | geom'…' | TRUE | FALSE | NULL
               | name | `quoted name`
               | function "(" [DISTINCT] [arg ("," arg)*] ")" | "(" expr ")"
    arg       := "*" | expr

The parser knows no schema: whether a name is a field of the dataset, whether a function
exists and takes these arguments, is checked by the compiler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn, TypeVar

from territoria.datastore.errors import QueryError
from territoria.datastore.odsql import ast
from territoria.datastore.odsql.dates import parse_date_span
from territoria.datastore.odsql.geometry import GeometryError, parse_geometry
from territoria.datastore.odsql.lexer import Kind, Token, tokenize

# Words that can never be a bare field name (back-quote them: `not`). Function names such as
# ``count`` or ``year`` stay usable as field names: a call is a name followed by "(".
RESERVED = frozenset(
    {"and", "or", "not", "in", "like", "is", "null", "true", "false", "as", "asc", "desc"}
)

# Parentheses, calls and prefix operators nest the parser's own recursion; past this depth a
# clause is refused rather than exhausting Python's stack.
MAX_NESTING = 40
# Height of an expression tree: bounds the recursion of the compiler and the renderer.
MAX_DEPTH = 100

# Digits in a number literal: beyond any value a dataset holds (and Python's int() refuses
# strings of more than 4,300 digits).
MAX_NUMBER_LENGTH = 40

_COMPARE = {"=": "=", ":": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

T = TypeVar("T")


def parse_where(text: str, param: str = "where") -> ast.Expr:
    """Parse a where clause (or a select/order_by expression) into one expression."""
    parser = _Parser(text, param)
    return parser.finish(parser.expr())


def parse_select(text: str, param: str = "select") -> tuple[ast.SelectItem, ...]:
    parser = _Parser(text, param)
    return parser.finish_items(parser.select_item)


def parse_group_by(text: str, param: str = "group_by") -> tuple[ast.GroupItem, ...]:
    parser = _Parser(text, param)
    return parser.finish_items(parser.group_item)


def parse_order_by(text: str, param: str = "order_by") -> tuple[ast.OrderItem, ...]:
    parser = _Parser(text, param)
    return parser.finish_items(parser.order_item)


class _Parser:
    def __init__(self, text: str, param: str):
        self.param = param
        self.tokens = tokenize(text, param)
        self.index = 0
        self.nesting = 0

    # Token access ------------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.peek()
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def expect_symbol(self, symbol: str) -> Token:
        if not self.peek().is_symbol(symbol):
            self.fail(self.peek(), f"'{symbol}'")
        return self.advance()

    def fail(self, token: Token, expected: str | None = None) -> NoReturn:
        message = f"{self.param}: unexpected {token.describe()} at position {token.pos}"
        if expected:
            message += f", expected {expected}"
        raise QueryError(message, param=self.param, position=token.pos)

    def nested(self, token: Token, parse: Callable[[], T]) -> T:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise QueryError(
                f"{self.param}: expression nested too deeply at position {token.pos}",
                param=self.param,
                position=token.pos,
            )
        try:
            return parse()
        finally:
            self.nesting -= 1

    # Clauses -----------------------------------------------------------------------------

    def finish(self, expr: ast.Expr) -> ast.Expr:
        if self.peek().kind is not Kind.END:
            self.fail(self.peek())
        return self.checked(expr)

    def finish_items(self, parse_item: Callable[[], T]) -> tuple[T, ...]:
        items = [parse_item()]
        while self.peek().is_symbol(","):
            self.advance()
            items.append(parse_item())
        if self.peek().kind is not Kind.END:
            self.fail(self.peek(), "',' or end of input")
        return tuple(items)

    def checked(self, expr: ast.Expr) -> ast.Expr:
        """``expr`` if its tree is not too deep for the compiler's recursion."""
        if ast.depth(expr) > MAX_DEPTH:
            raise QueryError(
                f"{self.param}: expression too complex (more than {MAX_DEPTH} levels)",
                param=self.param,
                position=expr.pos,
            )
        return expr

    def select_item(self) -> ast.SelectItem:
        start = self.peek()
        if start.is_symbol("*") and (self.peek(1).is_symbol(",") or self.peek(1).kind is Kind.END):
            self.advance()
            return ast.SelectItem(ast.Star(pos=start.pos), pos=start.pos)
        expr = self.checked(self.expr())
        return ast.SelectItem(expr, self.alias(), pos=start.pos)

    def group_item(self) -> ast.GroupItem:
        start = self.peek()
        expr = self.checked(self.expr())
        return ast.GroupItem(expr, self.alias(), pos=start.pos)

    def order_item(self) -> ast.OrderItem:
        start = self.peek()
        expr = self.checked(self.expr())
        descending = False
        if self.peek().is_word("asc", "desc"):
            descending = self.advance().text.lower() == "desc"
        return ast.OrderItem(expr, descending, pos=start.pos)

    def alias(self) -> str | None:
        if not self.peek().is_word("as"):
            return None
        self.advance()
        token = self.peek()
        if token.kind is Kind.QUOTED_NAME or (
            token.kind is Kind.WORD and token.text.lower() not in RESERVED
        ):
            return self.advance().text
        self.fail(token, "a name after AS")

    # Boolean structure -------------------------------------------------------------------

    def expr(self) -> ast.Expr:
        first = self.and_expr()
        operands = [first]
        op_pos = self.peek().pos
        while self.peek().is_word("or"):
            self.advance()
            operands.append(self.and_expr())
        return first if len(operands) == 1 else ast.Or(tuple(operands), pos=op_pos)

    def and_expr(self) -> ast.Expr:
        first = self.not_expr()
        operands = [first]
        op_pos = self.peek().pos
        while self.peek().is_word("and"):
            self.advance()
            operands.append(self.not_expr())
        return first if len(operands) == 1 else ast.And(tuple(operands), pos=op_pos)

    def not_expr(self) -> ast.Expr:
        token = self.peek()
        if token.is_word("not"):
            self.advance()
            return ast.Not(self.nested(token, self.not_expr), pos=token.pos)
        return self.predicate()

    # Predicates --------------------------------------------------------------------------

    def predicate(self) -> ast.Expr:
        left = self.sum()
        token = self.peek()
        if token.kind is Kind.SYMBOL and token.text in _COMPARE:
            self.advance()
            if token.text == ":" and self.peek().is_symbol("[", "]"):
                return self.range(left, token, negated=False)
            return ast.Compare(_COMPARE[token.text], left, self.sum(), pos=token.pos)
        negated = token.is_word("not") and self.peek(1).is_word("in", "like")
        if negated:
            self.advance()
            token = self.peek()
        if token.is_word("in"):
            self.advance()
            if self.peek().is_symbol("[", "]"):
                return self.range(left, token, negated)
            return ast.In(left, self.in_list(), negated, pos=token.pos)
        if token.is_word("like"):
            self.advance()
            pattern = self.peek()
            if pattern.kind is not Kind.STRING:
                self.fail(pattern, "a quoted pattern after LIKE")
            self.advance()
            return ast.Like(left, pattern.text, negated, pos=token.pos)
        if token.is_word("is"):
            return self.is_test(left)
        return left

    def is_test(self, left: ast.Expr) -> ast.Expr:
        token = self.advance()  # IS
        negated = self.peek().is_word("not")
        if negated:
            self.advance()
        value = self.peek()
        if value.is_word("null"):
            self.advance()
            return ast.IsNull(left, negated, pos=token.pos)
        if value.is_word("true", "false"):
            self.advance()
            return ast.IsBool(left, value.text.lower() == "true", negated, pos=token.pos)
        self.fail(value, "NULL, TRUE or FALSE after IS")

    def in_list(self) -> tuple[ast.Expr, ...]:
        opening = self.expect_symbol("(")

        def items() -> tuple[ast.Expr, ...]:
            values = [self.sum()]
            while self.peek().is_symbol(","):
                self.advance()
                values.append(self.sum())
            self.expect_symbol(")")
            return tuple(values)

        return self.nested(opening, items)

    def range(self, operand: ast.Expr, token: Token, negated: bool) -> ast.Range:
        opening = self.advance()
        low = self.unary()
        if self.peek().is_symbol("..") or self.peek().is_word("to"):
            self.advance()
        else:
            self.fail(self.peek(), "'..' or TO")
        high = self.unary()
        closing = self.peek()
        if not closing.is_symbol("[", "]"):
            self.fail(closing, "']' or '['")
        self.advance()
        return ast.Range(
            operand,
            low,
            high,
            low_inclusive=opening.text == "[",
            high_inclusive=closing.text == "]",
            negated=negated,
            pos=token.pos,
        )

    # Values ------------------------------------------------------------------------------

    def sum(self) -> ast.Expr:
        left = self.product()
        while self.peek().is_symbol("+", "-"):
            token = self.advance()
            left = ast.Arithmetic(token.text, left, self.product(), pos=token.pos)
        return left

    def product(self) -> ast.Expr:
        left = self.unary()
        while self.peek().is_symbol("*", "/"):
            token = self.advance()
            left = ast.Arithmetic(token.text, left, self.unary(), pos=token.pos)
        return left

    def unary(self) -> ast.Expr:
        token = self.peek()
        if token.is_symbol("-"):
            self.advance()
            return ast.Negate(self.nested(token, self.unary), pos=token.pos)
        return self.primary()

    def primary(self) -> ast.Expr:
        token = self.peek()
        if token.kind is Kind.NUMBER:
            if len(token.text) > MAX_NUMBER_LENGTH:
                raise QueryError(
                    f"{self.param}: number too long at position {token.pos}",
                    param=self.param,
                    position=token.pos,
                )
            self.advance()
            return ast.Number(token.text, pos=token.pos)
        if token.kind is Kind.STRING:
            self.advance()
            return ast.String(token.text, pos=token.pos)
        if token.kind is Kind.DATE:
            if parse_date_span(token.text) is None:
                raise QueryError(
                    f"{self.param}: invalid date {token.text!r} at position {token.pos}"
                    " (use YYYY-MM-DD, YYYY/MM/DD or an ISO 8601 date and time)",
                    param=self.param,
                    position=token.pos,
                )
            self.advance()
            return ast.Date(token.text, pos=token.pos)
        if token.kind is Kind.GEOM:
            try:
                parse_geometry(token.text)
            except GeometryError as error:
                raise QueryError(
                    f"{self.param}: invalid geometry at position {token.pos}: {error}"
                    " (use WKT such as POINT(2.35 48.85), or GeoJSON)",
                    param=self.param,
                    position=token.pos,
                ) from None
            self.advance()
            return ast.Geometry(token.text, pos=token.pos)
        if token.kind is Kind.DISTANCE:
            self.advance()
            return ast.Distance(token.text, pos=token.pos)
        if token.kind is Kind.QUOTED_NAME:
            self.advance()
            return ast.Field(token.text, pos=token.pos)
        if token.kind is Kind.WORD:
            return self.word(token)
        if token.is_symbol("("):
            self.advance()
            inner = self.nested(token, self.expr)
            self.expect_symbol(")")
            return inner
        self.fail(token, "a value")

    def word(self, token: Token) -> ast.Expr:
        lowered = token.text.lower()
        if lowered in ("true", "false"):
            self.advance()
            return ast.Boolean(lowered == "true", pos=token.pos)
        if lowered == "null":
            self.advance()
            return ast.Null(pos=token.pos)
        if lowered in RESERVED:
            self.fail(token, "a value")
        self.advance()
        if self.peek().is_symbol("("):
            return self.nested(token, lambda: self.call(token))
        return ast.Field(token.text, pos=token.pos)

    def call(self, name: Token) -> ast.Call:
        self.expect_symbol("(")
        args: list[ast.Expr] = []
        distinct = False
        if self.peek().is_word("distinct") and not self.peek(1).is_symbol(",", ")"):
            self.advance()
            distinct = True
        if not self.peek().is_symbol(")") or distinct:
            args.append(self.argument())
            while self.peek().is_symbol(","):
                self.advance()
                args.append(self.argument())
        self.expect_symbol(")")
        return ast.Call(name.text.lower(), tuple(args), distinct, pos=name.pos)

    def argument(self) -> ast.Expr:
        token = self.peek()
        if token.is_symbol("*") and self.peek(1).is_symbol(",", ")"):
            self.advance()
            return ast.Star(pos=token.pos)
        return self.expr()
