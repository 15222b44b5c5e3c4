"""SQL from the outside world (CKAN's ``datastore_search_sql``): checked, rewritten, then run.

    check_sql(text) -> CheckedSql          # one SELECT over named tables, or SqlRefused
    CheckedSql.tables                      # the table names it reads, in order of appearance
    rewrite_sql(checked, sources, cap)     # each table -> its live Parquet, visible columns only
    run_sql(statement, parquet, timeout)   # under the engine's sandbox and time budget

The caller (the web layer) decides which names the caller may read: it resolves each name
of ``CheckedSql.tables`` through the access gate and passes only those to ``rewrite_sql``.

The walls, in order:

1. **Parse, never pass through.** The text is parsed by sqlglot (DuckDB dialect) and what runs
   is the SQL sqlglot writes back from the checked tree, without comments: a trick hidden in
   the text (a comment closing early, a Unicode look-alike, a second statement) either
   becomes part of a checked node or is refused; it can never reach DuckDB as written.
2. **One SELECT.** Exactly one statement, a SELECT (or UNION/INTERSECT/EXCEPT of SELECTs).
   DDL, DML, COPY, ATTACH, INSTALL, LOAD, PRAGMA, SET, CALL… are refused by kind.
3. **Allow-lists.** Every node of the tree must be of a kind listed in ``_NODES`` and every
   function named in ``FUNCTIONS``: no table functions (``read_csv``, ``read_parquet``,
   ``glob``, ``query``), no settings or environment (``current_setting``, ``getenv``), no
   generators that only burn memory (``range``, ``repeat``).
4. **Tables are names, resolved by us.** A table is a bare name (no schema, no catalog, no
   file path, no function): either a CTE in scope or a name the caller resolves. Each is
   replaced by ``(SELECT <visible fields> FROM read_parquet('<live file>'))``: hidden columns
   (a bounding box, columns a gate withholds) are not even in scope; under an agreement, the
   file is its view (its rows and columns, ``datastore/restriction.py``), and an
   aggregates-only agreement refuses free SQL.
5. **The sandbox** (``datastore/engine.py``): no external access beyond the version store,
   locked configuration, a time budget and a row cap (``LIMIT cap + 1`` tells truncation).
"""

from __future__ import annotations

import datetime
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import sqlglot
from sqlglot import TokenType, exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError

from territoria.datastore.engine import Session
from territoria.datastore.errors import DatastoreError, QueryError, QueryTimeout
from territoria.datastore.exports import json_value
from territoria.datastore.odsql.sql import Sql, quote_identifier, quote_string
from territoria.datastore.odsql.statements import parquet_source

if TYPE_CHECKING:
    from territoria.datastore.restriction import TableView

MAX_SQL_LENGTH = 20_000
_DUCKDB = Dialect.get_or_raise("duckdb")
_QUERY_STARTS = frozenset({TokenType.SELECT, TokenType.WITH, TokenType.FROM, TokenType.L_PAREN})
MAX_TABLES = 16

# Node kinds a query may contain, exactly (tables and functions are checked apart, below).
_NODES: tuple[type[exp.Expr], ...] = (
    exp.Select,
    exp.Union,
    exp.Intersect,
    exp.Except,
    exp.With,
    exp.CTE,
    exp.From,
    exp.Join,
    exp.Where,
    exp.Group,
    exp.Having,
    exp.Qualify,
    exp.Order,
    exp.Ordered,
    exp.Limit,
    exp.Offset,
    exp.Distinct,
    exp.Window,
    exp.WindowSpec,
    exp.Subquery,
    exp.TableAlias,
    exp.Alias,
    exp.Column,
    exp.Identifier,
    exp.Star,
    exp.Literal,
    exp.Null,
    exp.Boolean,
    exp.DataType,
    exp.DataTypeParam,
    exp.Interval,
    exp.Var,
    exp.Paren,
    exp.Tuple,
    exp.Values,
    exp.Bracket,
    exp.Neg,
    exp.Not,
    exp.And,
    exp.Or,
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.NullSafeEQ,
    exp.NullSafeNEQ,
    exp.Is,
    exp.In,
    exp.Between,
    exp.Like,
    exp.ILike,
    exp.Escape,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.IntDiv,
    exp.Mod,
    exp.DPipe,
    exp.Filter,
)

_NODE_TYPES = frozenset(_NODES)

# Functions a query may call: sqlglot's name for the functions it knows, DuckDB's for others.
FUNCTIONS = frozenset(
    {
        # aggregates
        "COUNT", "SUM", "AVG", "MIN", "MAX", "MEDIAN", "MODE", "STDDEV", "STDDEV_POP",
        "STDDEV_SAMP", "VARIANCE", "VARIANCE_POP", "VARIANCE_SAMP", "PERCENTILE_CONT",
        "PERCENTILE_DISC", "QUANTILE_CONT", "QUANTILE_DISC", "COUNT_IF", "LOGICAL_AND",
        "LOGICAL_OR", "ARG_MAX", "ARG_MIN", "FIRST", "LAST", "ANY_VALUE", "APPROX_DISTINCT",
        "GROUP_CONCAT", "STRING_AGG", "ARRAY_AGG", "CORR",
        # windows
        "ROW_NUMBER", "RANK", "DENSE_RANK", "PERCENT_RANK", "CUME_DIST", "NTILE", "LAG",
        "LEAD", "FIRST_VALUE", "LAST_VALUE", "NTH_VALUE",
        # text
        "LOWER", "UPPER", "LENGTH", "SUBSTRING", "TRIM", "LTRIM", "RTRIM", "REPLACE", "CONCAT",
        "CONCAT_WS", "LEFT", "RIGHT", "PAD", "LPAD", "RPAD", "STR_POSITION", "STARTS_WITH",
        "ENDS_WITH", "CONTAINS", "SPLIT_PART", "REVERSE", "STRIP_ACCENTS", "PREFIX", "SUFFIX",
        "REGEXP_LIKE", "REGEXP_REPLACE", "REGEXP_EXTRACT", "INITCAP", "MD5", "ASCII", "CHR",
        "LEVENSHTEIN", "JARO_WINKLER_SIMILARITY", "UNICODE", "NFC_NORMALIZE",
        # numbers
        "ABS", "ROUND", "CEIL", "FLOOR", "SQRT", "LN", "LOG", "LOG10", "LOG2", "EXP", "POWER",
        "SIGN", "GREATEST", "LEAST", "TRUNC", "PI", "RADIANS", "DEGREES", "SIN", "COS", "TAN",
        "ASIN", "ACOS", "ATAN", "ATAN2", "ISNAN", "ISINF", "ISFINITE",
        # dates
        "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "WEEK", "QUARTER", "DAY_OF_WEEK",
        "DAY_OF_YEAR", "DAYOFWEEK", "DAYOFYEAR", "ISODOW", "EXTRACT", "DATE_PART",
        "TIMESTAMP_TRUNC", "DATE_TRUNC", "TIME_TO_STR", "STRFTIME", "STR_TO_TIME", "STRPTIME",
        "DATEDIFF", "DATE_DIFF", "DATE_ADD", "DATE_SUB", "DATE_FROM_PARTS", "MAKE_DATE",
        "TIME_TO_UNIX", "EPOCH", "CURRENT_DATE", "CURRENT_TIMESTAMP", "NOW", "LAST_DAY",
        "MONTHNAME", "DAYNAME", "AGE", "TO_DAYS",
        # conditions and conversions
        "COALESCE", "NULLIF", "IFNULL", "IF", "CASE", "CAST", "TRY_CAST", "TYPEOF", "ARRAY",
    }
)  # fmt: skip


class SqlRefused(QueryError):
    """The SQL is not one safe SELECT over resources; the message says what, for people."""

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message, param="sql", position=position)


@dataclass(frozen=True)
class CheckedSql:
    tree: exp.Expr
    tables: tuple[str, ...]  # names of the tables read (CTEs excluded), first seen first


@dataclass(frozen=True)
class TableSource:
    """What a table name reads: a live version file and the fields the caller may see."""

    parquet: Path
    fields: tuple[str, ...]
    view: TableView | None = None  # an agreement's rows and columns (datastore/restriction.py)


@dataclass
class SqlResult:
    fields: list[tuple[str, str]]  # (column name, DuckDB type)
    records: list[tuple[Any, ...]]  # JSON-ready values
    truncated: bool  # more rows than the cap: the rest is not returned


def check_sql(text: str) -> CheckedSql:
    """Parse ``text`` and check it is one allowed SELECT; raise SqlRefused otherwise."""
    if not text or not text.strip():
        raise SqlRefused("sql: a SELECT statement is required")
    if len(text) > MAX_SQL_LENGTH:
        raise SqlRefused(f"sql: too long ({len(text)} characters, at most {MAX_SQL_LENGTH})")
    _check_characters(text)
    _check_tokens(text)
    try:
        statements = [s for s in sqlglot.parse(text, read="duckdb") if s is not None]
    except SqlglotError as error:
        raise SqlRefused(f"sql: cannot parse the statement ({_first_line(error)})") from None
    except RecursionError:
        raise SqlRefused("sql: the statement is nested too deeply") from None
    if len(statements) != 1:
        raise SqlRefused("sql: exactly one statement is allowed")
    tree = statements[0]
    if not isinstance(tree, exp.Query):
        raise SqlRefused(f"sql: only SELECT is allowed, not {_kind(tree)}")
    for node in tree.walk():
        _check_node(node)
    try:
        tables = [table.name for table in _read_tables(tree)]
        tree.sql(dialect="duckdb")  # what rewrite_sql will do: deep trees fail here, not there
    except RecursionError:
        raise SqlRefused("sql: the statement is nested too deeply") from None
    if not tables:
        raise SqlRefused("sql: the statement must read at least one resource")
    if len(set(tables)) > MAX_TABLES:
        raise SqlRefused(f"sql: at most {MAX_TABLES} resources in one statement")
    return CheckedSql(tree, tuple(dict.fromkeys(tables)))


def _check_characters(text: str) -> None:
    """Control, format (zero-width, bidirectional) and unassigned characters have no place
    in a query and are the usual way to make text read differently than it parses."""
    for position, char in enumerate(text):
        if char in "\t\n\r":
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise SqlRefused(
                f"sql: character U+{ord(char):04X} is not allowed (position {position})",
                position=position,
            )


def _check_tokens(text: str) -> None:
    """Refuse what is not one statement starting like a query before parsing it, so that
    sqlglot never falls back to an opaque "command" (and says so in the logs) for our input."""
    try:
        tokens = _DUCKDB.tokenize(text)
    except SqlglotError as error:
        raise SqlRefused(f"sql: cannot parse the statement ({_first_line(error)})") from None
    ends = [i for i, token in enumerate(tokens) if token.token_type == TokenType.SEMICOLON]
    if ends and ends != [len(tokens) - 1]:
        raise SqlRefused("sql: exactly one statement is allowed")
    if tokens and tokens[0].token_type not in _QUERY_STARTS:
        raise SqlRefused(f"sql: only SELECT is allowed, not {tokens[0].text.upper()[:20]}")


def _check_node(node: exp.Expr) -> None:
    if isinstance(node, exp.Table):
        _check_table(node)
    elif type(node) in _NODE_TYPES:  # exactly a listed kind (AND and OR are Funcs to sqlglot)
        return
    elif isinstance(node, exp.Func):
        name = function_name(node)
        if name not in FUNCTIONS:
            raise SqlRefused(f"sql: function {name.lower()}() is not allowed")
    else:
        raise SqlRefused(f"sql: {_kind(node)} is not allowed")


def _check_table(node: exp.Table) -> None:
    """A table is a bare name: no schema, catalog, function, file, sample or time travel."""
    if not isinstance(node.this, exp.Identifier) or node.args.get("db") or node.args.get("catalog"):
        raise SqlRefused(
            "sql: a table must be a resource id in double quotes, e.g. "
            '"SELECT * FROM \\"<resource id>\\""'
        )
    for arg in ("joins", "pivots", "laterals", "sample", "version", "when", "changes"):
        if node.args.get(arg):
            raise SqlRefused(f"sql: {arg} on a table is not allowed")


def function_name(node: exp.Func) -> str:
    """The name a function is checked under: DuckDB's for unknown ones, sqlglot's otherwise."""
    if isinstance(node, exp.Anonymous):
        return str(node.name).upper()
    return str(node.sql_name()).upper()


def _kind(node: exp.Expr) -> str:
    return node.key.upper().replace("_", " ")


def _first_line(error: Exception) -> str:
    line = str(error).splitlines()[0] if str(error) else type(error).__name__
    return line[:200]


# The argument of a query node that holds its WITH clause (sqlglot 30).
_WITH = "with_"


def _read_tables(tree: exp.Expr) -> list[exp.Table]:
    """The table nodes of ``tree`` that read a table, not a CTE, in order of appearance."""
    found: list[exp.Table] = []
    _collect_tables(tree, frozenset(), found)
    return found


def _collect_tables(node: exp.Expr, ctes: frozenset[str], found: list[exp.Table]) -> None:
    """A CTE is in scope in the statement carrying its WITH, in the CTEs after it and, for
    WITH RECURSIVE, in all of them: a non-recursive CTE that names itself reads the table of
    that name, exactly as DuckDB resolves it."""
    if isinstance(node, exp.Table):
        if node.name not in ctes:
            found.append(node)
        return
    scope = ctes
    with_ = node.args.get(_WITH) if isinstance(node, exp.Query) else None
    if isinstance(with_, exp.With):
        names = [cte.alias for cte in with_.expressions]
        recursive = bool(with_.args.get("recursive"))
        for index, cte in enumerate(with_.expressions):
            visible = names if recursive else names[:index]
            _collect_tables(cte.this, ctes | frozenset(visible), found)
        scope = ctes | frozenset(names)
    for key, value in node.args.items():
        if key == _WITH and isinstance(node, exp.Query):
            continue
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, exp.Expr):
                _collect_tables(child, scope, found)


def rewrite_sql(checked: CheckedSql, sources: Mapping[str, TableSource], row_cap: int) -> Sql:
    """The statement to run: each table read from its source, at most ``row_cap + 1`` rows.

    Precondition: ``sources`` has a source for each name of ``checked.tables`` (the caller
    resolved them through the access gate); a name without one raises SqlRefused.
    """
    tree = checked.tree.copy()
    for table in _read_tables(tree):
        source = sources.get(table.name)
        if source is None:
            raise SqlRefused(f'sql: unknown resource "{table.name}"')
        alias = table.args.get("alias") or exp.TableAlias(this=table.this.copy())
        subquery = exp.Subquery(this=_source_select(source), alias=alias)
        table.replace(subquery)
    capped = _capped(tree, row_cap + 1)
    return Sql(capped.sql(dialect="duckdb", comments=False))


def _source_select(source: TableSource) -> exp.Expr:
    columns = ", ".join(quote_identifier(name).text for name in source.fields)
    # The path is ours (the version store), never the caller's; it is quoted as a SQL string.
    origin = parquet_source(source.parquet)
    if source.view is not None:
        if source.view.aggregates_only:
            # Free SQL could read a hidden cell's rows; the records API applies the secrecy.
            raise SqlRefused("sql: this agreement gives aggregates only; use the records API")
        origin = f"{inline_parameters(source.view.sql())} AS territoria_view"
    text = f"SELECT {columns or 'NULL AS _'} FROM {origin}"
    return sqlglot.parse_one(text, read="duckdb")


def _capped(tree: exp.Expr, limit: int) -> exp.Expr:
    """``tree`` returning at most ``limit`` rows, its own order kept: a literal LIMIT is
    lowered to ``limit``; any other form is wrapped."""
    assert isinstance(tree, exp.Query)
    current = tree.args.get("limit")
    if current is None:
        return tree.limit(limit, copy=False)
    if isinstance(current, exp.Limit):
        value = current.expression
        if isinstance(value, exp.Literal) and value.is_int:
            return tree.limit(min(int(value.name), limit), copy=False)
    return exp.select("*").from_(tree.subquery("capped")).limit(limit)


def run_sql(statement: Sql, parquet: Path, timeout: float, row_cap: int) -> SqlResult:
    """Run ``statement`` (from ``rewrite_sql``) in the sandbox that reads ``parquet``.

    Raises QueryTimeout when the budget is spent or memory runs out, SqlRefused when DuckDB
    refuses the statement (unknown column, wrong types…) with its first line, paths removed.
    """
    with Session(parquet, timeout) as session:
        try:
            session.execute(statement)
            described = session.cursor.description or []
            rows = session.fetchmany(row_cap + 1)
        except DatastoreError as error:
            raise _refusal(error, parquet) from None
    fields = [(str(column[0]), str(column[1])) for column in described]
    truncated = len(rows) > row_cap
    records = [tuple(json_value(value) for value in row) for row in rows[:row_cap]]
    return SqlResult(fields, records, truncated)


def _refusal(error: DatastoreError, parquet: Path) -> QueryError:
    cause = error.__cause__
    if isinstance(error, QueryError):  # QueryTimeout, overflow, conversion
        return error
    if isinstance(cause, duckdb.OutOfMemoryException):
        return QueryTimeout("the query needs more memory than a query may use")
    if isinstance(cause, duckdb.Error):
        message = _first_line(cause)
        for secret in (str(parquet.resolve().parent.parent), str(parquet.parent.parent)):
            message = message.replace(secret, "…")
        return SqlRefused(f"sql: {message}")
    return SqlRefused("sql: the statement could not run")


def inline_parameters(sql: Sql) -> str:
    """``sql``'s text with each ``?`` replaced by its parameter as a SQL literal, for the
    statements sqlglot must parse whole. Our compiled SQL only: the parameters are values of
    an agreement's row filter (text, numbers, booleans, dates), never SQL."""
    values = iter(sql.params)
    out: list[str] = []
    quoted = False
    for char in sql.text:
        if char == "'":
            quoted = not quoted
        if char == "?" and not quoted:
            out.append(_literal(next(values)))
        else:
            out.append(char)
    if next(values, _END) is not _END:
        raise ValueError("more parameters than placeholders")
    return "".join(out)


_END = object()


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    if isinstance(value, str):
        return quote_string(value)
    if isinstance(value, datetime.datetime):
        return f"CAST({quote_string(value.isoformat())} AS TIMESTAMP)"
    if isinstance(value, datetime.date):
        return f"CAST({quote_string(value.isoformat())} AS DATE)"
    raise ValueError(f"no SQL literal for {type(value).__name__}")
