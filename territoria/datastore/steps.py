"""Processing steps: declared per resource, re-applied to every new version (Opendatasoft's
processors), in order, each seeing the fields the previous ones left.

A step list is JSON, kept on the resource: ``[{"op": "rename", "field": "cp", "to":
"code_postal"}, {"op": "cast", "field": "population", "type": "integer"}, …]``.
``parse_steps`` reads it (StepError on a malformed step), ``plan_steps`` checks it against a
version's schema and compiles it into one DuckDB SELECT over the version's Parquet file,
``apply_steps`` runs that SELECT into a new Parquet file and rewrites the Table Schema (it is the
``Transform`` of ``VersionStore.stage``), ``preview_steps`` runs it on the first rows.

Operations (options in ``OPS``): ``rename`` (and its label); ``cast`` to integer, number, date,
boolean or text with the readers' parsers (``1 234,5``, dd/mm/yyyy, oui/non…); ``trim``
(surrounding blanks, NBSP included; a blank value becomes empty); ``normalise_date`` (the
formats listed, tried in order) and ``normalise_number`` (the decimal mark and thousands
separator declared); ``split`` on a separator into new fields; ``concatenate``; ``compute``
(an ODSQL expression: arithmetic, ``upper``, ``year``…); ``filter`` (an ODSQL where);
``deduplicate`` on key fields, keeping the first row; ``join_referential`` and ``geolocate`` by
INSEE code, on the table of ``datastore/referential.py``; ``drop``, ``pseudonymise`` (keyed: the
key comes as ``keys``, never in the JSON) and ``generalise`` (dates to month or year, numbers to
bands, coordinates to a grid or the commune centre), compiled by ``datastore/anonymise.py``.

No user text becomes SQL text: field names are the schema's or checked snake_case names, quoted;
separators and values travel as bound parameters; expressions and filters are ODSQL, parsed and
checked by ``datastore.odsql`` (fields and the functions it knows, nothing else). A value a step
cannot convert fails the run with a one-line reason naming the step and the row (``step 2
(cast): row 41: '12,5 €' is not a number``), unless the step says ``"invalid": "null"``.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb

from territoria.datastore import anonymise
from territoria.datastore.anonymise import PseudonymKeys
from territoria.datastore.errors import IngestError, QueryError
from territoria.datastore.odsql.compiler import compile_value
from territoria.datastore.odsql.parser import parse_where
from territoria.datastore.odsql.planner import plan_filter
from territoria.datastore.odsql.sql import Scope, Sql, quote_identifier
from territoria.datastore.readers.connection import open_connection, sql_string
from territoria.datastore.readers.parsers import PARSERS_BY_KEY, fill, numeric_pattern, value_sql
from territoria.datastore.readers.parsers import stripped as stripped_sql
from territoria.datastore.readers.result import ReadResult
from territoria.datastore.readers.schema import Field, build_schema, count_values
from territoria.datastore.referential import COLUMNS as REFERENTIAL_COLUMNS

MAX_STEPS = 50
PREVIEW_ROWS = 20
STEPS_KEY = "territoria:steps"  # the steps a version went through, in its schema
RAW_KEY = "territoria:raw"  # the name of its copy before the steps (see ``apply_steps``)
CAST_TYPES = {"integer": "integer", "number": "number", "date": "date", "boolean": "boolean"}
CAST_TYPES |= {"text": "string", "string": "string"}
DATE_FORMATS = {"dd/mm/yyyy": "%d/%m/%Y", "dd-mm-yyyy": "%d-%m-%Y", "dd.mm.yyyy": "%d.%m.%Y"}
DATE_FORMATS |= {"yyyy-mm-dd": "%Y-%m-%d", "yyyymmdd": "%Y%m%d", "dd/mm/yy": "%d/%m/%y"}
GROUP_SEPARATORS = {"space": " \u00a0\u202f", "point": ".", "comma": ",", "apostrophe": "'"}
# What join_referential adds (output name → column of the referential table).
JOINED = {
    "nom_commune": "nom",
    "code_epci": "code_epci",
    "nom_epci": "nom_epci",
    "code_departement": "code_departement",
    "nom_departement": "nom_departement",
    "code_region": "code_region",
    "nom_region": "nom_region",
}
_NAME = re.compile(r"[a-z][a-z0-9_]{0,59}")
_ROW = "__row"  # the row's position in the file read: no snake_case name starts with "_"
_BOOLEANS = {"true": True, "vrai": True, "oui": True, "1": True}
_BOOLEANS |= {"false": False, "faux": False, "non": False, "0": False}


class StepError(IngestError):
    """A step is malformed or does not fit the schema; ``index`` is its 0-based position."""

    def __init__(self, message: str, *, index: int | None = None):
        super().__init__(message)
        self.index = index


@dataclass(frozen=True)
class Step:
    """One step as declared: ``op`` and its options, checked for shape by ``parse_steps``."""

    op: str
    options: Mapping[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)

    def as_json(self) -> dict[str, Any]:
        return {"op": self.op, **self.options}


# op -> (required options, optional options)
OPS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "rename": (frozenset({"field", "to"}), frozenset({"title"})),
    "cast": (frozenset({"field", "type"}), frozenset({"invalid"})),
    "trim": (frozenset({"fields"}), frozenset()),
    "normalise_date": (frozenset({"field", "formats"}), frozenset({"invalid"})),
    "normalise_number": (frozenset({"field"}), frozenset({"decimal", "group", "invalid"})),
    "split": (frozenset({"field", "separator", "into"}), frozenset({"keep"})),
    "concatenate": (frozenset({"fields", "to"}), frozenset({"separator"})),
    "compute": (frozenset({"to", "expression"}), frozenset()),
    "filter": (frozenset({"where"}), frozenset()),
    "deduplicate": (frozenset({"fields"}), frozenset()),
    "join_referential": (frozenset({"field"}), frozenset({"prefix"})),
    "geolocate": (frozenset({"field"}), frozenset({"latitude", "longitude"})),
    # Anonymisation (datastore/anonymise.py): "recipient" names whose key; the key is never here.
    "drop": (frozenset({"fields"}), frozenset()),
    "pseudonymise": (frozenset({"field"}), frozenset({"recipient"})),
    "generalise": (
        frozenset(),
        frozenset({"field", "fields", "to", "bands", "grid", "latitude", "longitude", "invalid"}),
    ),
}


def parse_steps(data: Any) -> list[Step]:
    """Read a JSON list of steps; raises StepError naming the first malformed one."""
    if not isinstance(data, list):
        raise StepError("steps must be a list")
    if len(data) > MAX_STEPS:
        raise StepError(f"at most {MAX_STEPS} steps")
    steps: list[Step] = []
    for index, item in enumerate(data):
        where = f"step {index + 1}"
        if not isinstance(item, dict) or not isinstance(item.get("op"), str):
            raise StepError(f"{where}: a step is an object with an 'op'", index=index)
        op = item["op"]
        if op not in OPS:
            known = ", ".join(OPS)
            raise StepError(f"{where}: unknown operation {op!r} (use {known})", index=index)
        required, optional = OPS[op]
        options = {k: v for k, v in item.items() if k != "op"}
        missing = sorted(required - options.keys())
        unknown = sorted(options.keys() - required - optional)
        if missing:
            raise StepError(f"{where} ({op}): missing {', '.join(missing)}", index=index)
        if unknown:
            raise StepError(f"{where} ({op}): unknown option {', '.join(unknown)}", index=index)
        steps.append(Step(op, options))
    return steps


# --- planning ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A field of the output: its Table Schema name, type and title; ``origin`` is the field of
    the source it copies unchanged (its descriptor's extra keys are kept), if any."""

    name: str
    type: str
    title: str
    origin: str | None = None


@dataclass(frozen=True)
class Plan:
    """The steps compiled over one relation: ``sql`` selects ``columns`` and the row position."""

    sql: Sql
    columns: tuple[Column, ...]

    def statement(self) -> Sql:
        """The rows out of the steps, in the order of the file read, without the position."""
        names = Sql.join(", ", (quote_identifier(c.name) for c in self.columns))
        return Sql.of(f'SELECT {{}} FROM ({{}}) AS _steps ORDER BY "{_ROW}"', names, self.sql)


# What steps are checked against when no file is read (saving them): never run.
_UNREAD = Sql(f'(SELECT NULL AS "{_ROW}")')


class _Planner:
    def __init__(
        self,
        columns: list[Column],
        referential: Path | None,
        source: Sql,
        keys: PseudonymKeys | None = None,
    ):
        self.columns = columns
        self.referential = referential
        self.keys = keys
        self.sql = source
        self.where = ""

    # State helpers -------------------------------------------------------------------------

    def types(self) -> dict[str, str]:
        return {c.name: c.type for c in self.columns}

    def error(self, message: str) -> StepError:
        return StepError(f"{self.where}: {message}")

    def column(self, name: Any) -> Column:
        if not isinstance(name, str):
            raise self.error("a field name must be text")
        for column in self.columns:
            if column.name == name:
                return column
        hint = difflib.get_close_matches(name, [c.name for c in self.columns], n=1)
        suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
        raise self.error(f"unknown field '{name}'{suggestion}")

    def new_name(self, name: Any, *, replacing: str | None = None) -> str:
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise self.error(
                f"{name!r} is not a valid field name (lower-case letters, digits and _, "
                "starting with a letter)"
            )
        if name != replacing and any(c.name == name for c in self.columns):
            raise self.error(f"a field '{name}' already exists")
        return name

    def names(self, value: Any, *, at_least: int = 1) -> list[str]:
        if not isinstance(value, list) or len(value) < at_least:
            raise self.error(f"expected a list of at least {at_least} field name(s)")
        return [self.column(name).name for name in value]

    def text_option(self, step: Step, key: str, default: str | None = None) -> str:
        value = step.get(key, default)
        if not isinstance(value, str) or "\0" in value:
            raise self.error(f"'{key}' must be text")
        return value

    def invalid_to_null(self, step: Step) -> bool:
        value = step.get("invalid", "fail")
        if value not in ("fail", "null"):
            raise self.error("'invalid' is 'fail' (the default) or 'null'")
        return bool(value == "null")

    # SQL builders --------------------------------------------------------------------------

    def select(self, items: Sequence[tuple[Sql, Column]]) -> None:
        """Replace the columns by ``items`` (expression over the previous relation, column)."""
        parts = [Sql.of(f"{{}} AS {quote_identifier(c.name).text}", sql) for sql, c in items]
        parts.append(Sql(f'"{_ROW}"'))
        self.sql = Sql.of("SELECT {} FROM ({}) AS _s", Sql.join(", ", parts), self.sql)
        self.columns = [c for _, c in items]

    def keep(self) -> list[tuple[Sql, Column]]:
        return [(quote_identifier(c.name), c) for c in self.columns]

    def replace_column(self, name: str, sql: Sql, column: Column) -> None:
        self.select([(sql, column) if c.name == name else (e, c) for e, c in self.keep()])

    def converted(self, value: str, parse: str, wanted: str, step: Step) -> Sql:
        """``parse`` (SQL giving NULL when ``value`` does not convert), or the step's error."""
        if self.invalid_to_null(step):
            return Sql(parse)
        # The value is cut at 40 characters: the message stays one short line.
        shown = f"left({value}, 40)"
        message = f"{self.where}: row ' || ({_ROW} + 1) || ': ''' || {shown} || ''' is not {wanted}"
        return Sql(
            f"CASE WHEN {value} IS NULL THEN NULL WHEN ({parse}) IS NOT NULL THEN ({parse}) "
            f"ELSE error('{message}') END"
        )

    # Steps ---------------------------------------------------------------------------------

    def step(self, index: int, step: Step) -> None:
        self.where = f"step {index + 1} ({step.op})"
        try:
            getattr(self, "op_" + step.op)(step)
        except StepError as error:
            raise StepError(error.message, index=index) from None
        except QueryError as error:
            message = error.message.split(": ", 1)[-1]
            raise StepError(f"{self.where}: {message}", index=index) from None

    def op_rename(self, step: Step) -> None:
        column = self.column(step.get("field"))
        to = self.new_name(step.get("to"), replacing=column.name)
        title = self.text_option(step, "title", to)
        renamed = replace(column, name=to, title=title)
        self.select([(e, renamed) if c is column else (e, c) for e, c in self.keep()])

    def op_cast(self, step: Step) -> None:
        column = self.column(step.get("field"))
        wanted = step.get("type")
        if not isinstance(wanted, str) or wanted not in CAST_TYPES:
            raise self.error(f"'type' is one of {', '.join(CAST_TYPES)}")
        target = CAST_TYPES[wanted]
        sql = self.cast_sql(column, target, step)
        self.replace_column(column.name, sql, Column(column.name, target, column.title))

    def cast_sql(self, column: Column, target: str, step: Step) -> Sql:
        name = quote_identifier(column.name).text
        if column.type == target:
            return Sql(name)
        if target == "string":
            return Sql(f"CAST({name} AS VARCHAR)")
        if column.type == "string":
            v = value_sql(name)
            return self.converted(v, _text_parse(target, v), _ARTICLES[target], step)
        if column.type in ("integer", "number") and target in ("integer", "number"):
            exact = f"CASE WHEN {name} = trunc({name}) THEN CAST({name} AS BIGINT) END"
            parse = exact if target == "integer" else f"CAST({name} AS DOUBLE)"
            return self.converted(f"CAST({name} AS VARCHAR)", parse, _ARTICLES[target], step)
        if column.type == "datetime" and target == "date":
            return Sql(f"CAST({name} AS DATE)")
        raise self.error(f"cannot cast a {column.type} field to {target}")

    def op_trim(self, step: Step) -> None:
        names = self.names(step.get("fields"))
        for name in names:
            if self.column(name).type != "string":
                raise self.error(f"'{name}' is not a text field")
        self.select(
            [(Sql(value_sql(e.text)), c) if c.name in names else (e, c) for e, c in self.keep()]
        )

    def op_normalise_date(self, step: Step) -> None:
        column = self.text_column(step)
        formats = step.get("formats")
        known = isinstance(formats, list) and all(f in DATE_FORMATS for f in map(str, formats))
        if not known or not formats or not all(isinstance(f, str) for f in formats):
            raise self.error(f"'formats' is a list among {', '.join(DATE_FORMATS)}")
        v = value_sql(quote_identifier(column.name).text)
        tries = ", ".join(f"try_strptime({v}, '{DATE_FORMATS[f]}')" for f in formats)
        parse = f"CAST(coalesce({tries}) AS DATE)"
        sql = self.converted(v, parse, "a date in " + " or ".join(formats), step)
        self.replace_column(column.name, sql, Column(column.name, "date", column.title))

    def op_normalise_number(self, step: Step) -> None:
        column = self.text_column(step)
        decimal = step.get("decimal", ",")
        group = step.get("group", "space")
        if decimal not in (",", "."):
            raise self.error("'decimal' is ',' or '.'")
        if not isinstance(group, str) or GROUP_SEPARATORS.get(group, decimal) == decimal:
            raise self.error(f"'group' is one of {', '.join(GROUP_SEPARATORS)}, not the decimal")
        v = value_sql(quote_identifier(column.name).text)
        plain = v
        for char in GROUP_SEPARATORS[group]:
            plain = f"replace({plain}, '{char.replace(chr(39), chr(39) * 2)}', '')"
        plain = f"replace({plain}, '{decimal}', '.')"
        pattern = numeric_pattern(".", groups=False)
        parse = (
            f"CASE WHEN regexp_full_match({plain}, '{pattern}') THEN CAST({plain} AS DOUBLE) END"
        )
        sql = self.converted(v, parse, "a number", step)
        self.replace_column(column.name, sql, Column(column.name, "number", column.title))

    def text_column(self, step: Step) -> Column:
        column = self.column(step.get("field"))
        if column.type != "string":
            raise self.error(f"'{column.name}' is a {column.type} field, not text")
        return column

    def op_split(self, step: Step) -> None:
        column = self.text_column(step)
        separator = self.text_option(step, "separator")
        into = step.get("into")
        if not separator:
            raise self.error("'separator' cannot be empty")
        if not isinstance(into, list) or not 2 <= len(into) <= 20:
            raise self.error("'into' is a list of 2 to 20 new field names")
        keep = step.get("keep", True)
        if not isinstance(keep, bool):
            raise self.error("'keep' is true or false")
        names = [self.new_name(name) for name in into]
        if len(set(names)) != len(names):
            raise self.error("'into' names the same field twice")
        source = quote_identifier(column.name)
        items = [(e, c) for e, c in self.keep() if keep or c is not column]
        for position, name in enumerate(names, start=1):
            part = Sql.of(
                f"nullif(split_part({{}}, {{}}, {position}), '')", source, Sql.param(separator)
            )
            items.append((part, Column(name, "string", name)))
        self.select(items)

    def op_concatenate(self, step: Step) -> None:
        names = self.names(step.get("fields"), at_least=2)
        separator = self.text_option(step, "separator", " ")
        to = self.new_name(step.get("to"))
        texts = Sql.join(", ", (Sql(f"CAST({quote_identifier(n).text} AS VARCHAR)") for n in names))
        joined = Sql.of("nullif(concat_ws({}, {}), '')", Sql.param(separator), texts)
        self.select([*self.keep(), (joined, Column(to, "string", to))])

    def op_compute(self, step: Step) -> None:
        to = self.new_name(step.get("to"), replacing=step.get("to"))
        expression = self.text_option(step, "expression")
        typed = compile_value(
            parse_where(expression, "expression"), Scope("expression", self.types())
        )
        kind = "string" if typed.type == "null" else typed.type
        sql = Sql.of("CAST({} AS VARCHAR)", typed.sql) if typed.type == "null" else typed.sql
        column = Column(to, kind, to)
        if any(c.name == to for c in self.columns):
            self.replace_column(to, sql, column)
        else:
            self.select([*self.keep(), (sql, column)])

    def op_filter(self, step: Step) -> None:
        condition = plan_filter(self.types(), where=(self.text_option(step, "where"),))
        if condition is not None:
            self.sql = Sql.of("SELECT * FROM ({}) AS _s WHERE {}", self.sql, condition)

    def op_deduplicate(self, step: Step) -> None:
        keys = Sql.join(", ", (quote_identifier(n) for n in self.names(step.get("fields"))))
        first = f'row_number() OVER (PARTITION BY {{}} ORDER BY "{_ROW}") = 1'
        self.sql = Sql.of(f"SELECT * FROM ({{}}) AS _s QUALIFY {first}", self.sql, keys)

    def op_join_referential(self, step: Step) -> None:
        prefix = self.text_option(step, "prefix", "")
        added = {prefix + name: column for name, column in JOINED.items()}
        self.join(step, added)

    def op_geolocate(self, step: Step) -> None:
        lat = self.text_option(step, "latitude", "latitude")
        lon = self.text_option(step, "longitude", "longitude")
        self.join(step, {lat: "latitude", lon: "longitude"})

    def op_drop(self, step: Step) -> None:
        anonymise.plan_drop(self, step)

    def op_pseudonymise(self, step: Step) -> None:
        anonymise.plan_pseudonymise(self, step)

    def op_generalise(self, step: Step) -> None:
        anonymise.plan_generalise(self, step)

    def join(self, step: Step, added: dict[str, str]) -> None:
        """Join the referential table on the INSEE code of ``step``'s field (kept as is)."""
        if self.referential is None or not self.referential.is_file():
            raise self.error(
                "the territorial referential is not built (run `territoria referential build`)"
            )
        column = self.column(step.get("field"))
        code = _insee_code_sql(quote_identifier(column.name).text, column.type)
        if code is None:
            raise self.error(f"'{column.name}' is a {column.type} field: an INSEE code is text")
        for name in added:
            self.new_name(name)
        columns = [*self.columns]
        columns += [
            Column(name, REFERENTIAL_COLUMNS[source], name) for name, source in added.items()
        ]
        refs = ", ".join(f'"{source}" AS "__ref_{source}"' for source in set(added.values()))
        items = [quote_identifier(c.name).text for c in self.columns]
        items += [
            f'_r."__ref_{source}" AS {quote_identifier(name).text}'
            for name, source in added.items()
        ]
        items.append(f'_s."{_ROW}"')
        self.sql = Sql.of(
            f"SELECT {', '.join(items)} FROM (SELECT *, {code} AS __code FROM ({{}}) AS _q) AS _s "
            f"LEFT JOIN (SELECT code AS __ref_code, {refs} FROM read_parquet({{}})) AS _r "
            "ON _r.__ref_code = _s.__code",
            self.sql,
            Sql.param(str(self.referential)),
        )
        self.columns = columns


_ARTICLES = {"integer": "an integer", "number": "a number", "date": "a date"}
_ARTICLES |= {"boolean": "true or false", "string": "text"}


def _text_parse(target: str, v: str) -> str:
    """SQL reading the trimmed text ``v`` as ``target`` with the readers' parsers (NULL when it
    does not read): integers and numbers with French group spaces and decimal commas, dates
    in dd/mm/yyyy, dd-mm-yyyy or yyyy-mm-dd, booleans in English or French."""
    if target == "integer":
        pattern = numeric_pattern("")
        stripped = stripped_sql(v)
        return f"CASE WHEN regexp_full_match({v}, '{pattern}') THEN CAST({stripped} AS BIGINT) END"
    if target == "number":
        pattern = numeric_pattern()
        stripped = f"replace({stripped_sql(v)}, ',', '.')"
        return f"CASE WHEN regexp_full_match({v}, '{pattern}') THEN CAST({stripped} AS DOUBLE) END"
    if target == "date":
        keys = ("date_dmy", "date_dmy_dash", "date_iso")
        tries = [
            f"CASE WHEN regexp_full_match({v}, '{PARSERS_BY_KEY[k].pattern}') "
            f"THEN {fill(PARSERS_BY_KEY[k].parse, v)} END"
            for k in keys
        ]
        return f"coalesce({', '.join(tries)})"
    cases = " ".join(
        f"WHEN '{text}' THEN {str(value).lower()}" for text, value in _BOOLEANS.items()
    )
    return f"CASE lower({v}) {cases} END"


def _insee_code_sql(name: str, type_: str) -> str | None:
    """SQL of an INSEE commune code from ``name``: an integer lost its leading zero (1001 is
    01001); text is trimmed, a four-digit code gets its zero back, Corsica's 2a is 2A."""
    if type_ == "integer":
        return f"lpad(CAST({name} AS VARCHAR), 5, '0')"
    if type_ == "string":
        text = f"upper(trim({name}))"
        return (
            f"CASE WHEN regexp_full_match({text}, '[0-9]{{4}}') THEN '0' || {text} ELSE {text} END"
        )
    return None


def plan_steps(
    steps: Sequence[Step],
    schema: Mapping[str, Any],
    *,
    referential: Path | None = None,
    source: Sql = _UNREAD,
    keys: PseudonymKeys | None = None,
) -> Plan:
    """Check ``steps`` against ``schema`` (a Table Schema) in order and compile them into one
    SELECT over ``source``, a relation of the schema's fields and the row position.

    ``keys`` hold the pseudonymisation key (without them a ``pseudonymise`` step fails when
    run). Raises StepError naming the first step that does not fit (``step 3 (rename): unknown
    field 'cp'``) and its ``index``.
    """
    columns = [
        Column(f["name"], f.get("type", "string"), f.get("title") or f["name"], f["name"])
        for f in schema.get("fields", [])
    ]
    planner = _Planner(columns, referential, source, keys)
    for index, step in enumerate(steps):
        planner.step(index, step)
    return Plan(planner.sql, tuple(planner.columns))


# --- running -----------------------------------------------------------------------------


def _relation(parquet: Path, names: Sequence[str], limit: int | None = None) -> Sql:
    columns = ", ".join(quote_identifier(n).text for n in names)
    sql = Sql.of(
        f'SELECT {columns}, file_row_number AS "{_ROW}" '
        "FROM read_parquet({}, file_row_number = true)",
        Sql.param(str(parquet)),
    )
    if limit is not None:
        sql = Sql.of(f'{{}} ORDER BY "{_ROW}" LIMIT {int(limit)}', sql)
    return sql


def _run_error(error: duckdb.Error) -> StepError:
    """One line for the producer: our own ``error()`` text, else DuckDB's first line."""
    first = str(error).splitlines()[0]
    message = first.split("Error: ", 1)[-1]
    if not message.startswith("step "):
        message = f"the steps failed: {message}"
    return StepError(message)


def apply_steps(
    steps: Sequence[Step],
    parquet: Path,
    result: ReadResult,
    work: Path,
    *,
    referential: Path | None = None,
    raw_dir: Path | None = None,
    source_schema: Mapping[str, Any] | None = None,
    keys: PseudonymKeys | None = None,
) -> ReadResult:
    """Rewrite ``parquet`` (read as ``result``) through ``steps``; the ``Transform`` of
    ``VersionStore.stage``. With ``raw_dir``, the file before the steps is kept there as
    ``<name>.parquet`` (its schema beside it, ``<name>.json``) and ``<name>`` recorded in the
    new schema under ``territoria:raw``, so that the steps can be changed and run again on the
    same rows later. ``source_schema`` replaces ``result.schema`` (a raw copy read again);
    ``keys`` hold the pseudonymisation key (see ``plan_steps``).

    Raises StepError (one line naming the step) when a step does not fit the schema or a value
    does not convert; ``parquet`` is then unchanged.
    """
    schema = dict(source_schema or result.schema)
    names = [f["name"] for f in schema.get("fields", [])]
    plan = plan_steps(
        steps, schema, referential=referential, source=_relation(parquet, names), keys=keys
    )
    out = work / "steps.parquet"
    con = open_connection(work / "steps-duckdb")
    try:
        statement = plan.statement()
        # Our own path, quoted: COPY takes no parameter for its target.
        target = f"{sql_string(str(out))} (FORMAT parquet, COMPRESSION zstd)"
        copy = Sql.of(f"COPY ({{}}) TO {target}", statement)
        row = con.execute(copy.text, list(copy.params)).fetchone()
        row_count = int(row[0]) if row else 0
        new_schema = _rewrite_schema(con, out, plan.columns, schema)
    except duckdb.Error as error:
        out.unlink(missing_ok=True)
        raise _run_error(error) from None
    finally:
        con.close()
    new_schema[STEPS_KEY] = [step.as_json() for step in steps]
    if raw_dir is not None:
        raw_dir.mkdir(parents=True, exist_ok=True)
        name = secrets.token_hex(8)
        (raw_dir / f"{name}.json").write_text(
            _json({k: v for k, v in schema.items() if k not in (STEPS_KEY, RAW_KEY)})
        )
        os.replace(parquet, raw_dir / f"{name}.parquet")
        new_schema[RAW_KEY] = name
    os.replace(out, parquet)
    # A raw copy read again (``source_schema``) keeps the format of the file it came from.
    source_format = str(schema.get("territoria:source", {}).get("format") or result.source_format)
    return ReadResult(row_count=row_count, schema=new_schema, source_format=source_format)


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, default=str)


def _rewrite_schema(
    con: duckdb.DuckDBPyConnection, out: Path, columns: Sequence[Column], schema: Mapping[str, Any]
) -> dict[str, Any]:
    """The Table Schema of the steps' output: unchanged fields keep their descriptor's keys."""
    before = {f["name"]: f for f in schema.get("fields", [])}
    target = sql_string(str(out))
    names = [c.name for c in columns]
    counts = count_values(con, f"read_parquet({target})", names, [c.type for c in columns])
    fields = []
    for column, (non_null, distinct) in zip(columns, counts, strict=True):
        extra: dict[str, Any] = {}
        origin = before.get(column.origin or "")
        if origin is not None and origin.get("type") == column.type:
            extra = {k: v for k, v in origin.items() if k not in _DERIVED}
        fields.append(Field(column.name, column.title, column.type, non_null, distinct, extra))
    rest = {
        k: v for k, v in schema.items() if k not in ("fields", "territoria:geo", STEPS_KEY, RAW_KEY)
    }
    built = build_schema(con, target, fields, dict(schema.get("territoria:source", {})))
    return {**rest, **built}


_DERIVED = frozenset(
    {
        "name",
        "title",
        "type",
        "territoria:facet",
        "territoria:distinct",
        "territoria:distinctAtLeast",
    }
)


@dataclass(frozen=True)
class Preview:
    """The first rows before and after the steps: field names and rows (lists of values)."""

    before_fields: list[str]
    before: list[list[Any]]
    after_fields: list[str]
    after: list[list[Any]]
    after_types: list[str]


def preview_steps(
    steps: Sequence[Step],
    parquet: Path,
    schema: Mapping[str, Any],
    work: Path,
    *,
    referential: Path | None = None,
    limit: int = PREVIEW_ROWS,
    keys: PseudonymKeys | None = None,
) -> Preview:
    """Run ``steps`` on the first ``limit`` rows of ``parquet`` (described by ``schema``).

    A filter or a deduplication sees only these rows. Raises StepError as ``apply_steps``.
    """
    names = [f["name"] for f in schema.get("fields", [])]
    first = _relation(parquet, names, limit)
    plan = plan_steps(steps, schema, referential=referential, source=first, keys=keys)
    con = open_connection(work / "preview-duckdb")
    try:
        before = con.execute(first.text, list(first.params)).fetchall()
        statement = plan.statement()
        after = con.execute(statement.text, list(statement.params)).fetchall()
    except duckdb.Error as error:
        raise _run_error(error) from None
    finally:
        con.close()
    return Preview(
        before_fields=names,
        before=[list(row[:-1]) for row in before],
        after_fields=[c.name for c in plan.columns],
        after=[list(row) for row in after],
        after_types=[c.type for c in plan.columns],
    )
