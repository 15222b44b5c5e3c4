"""How a text value is read as each type: a check, a conversion, as SQL templates for DuckDB.

Types and what they accept (surrounding blanks ignored):

- ``integer`` (BIGINT): ``-12``, ``+7``, ``1 234`` (space, NBSP or narrow NBSP between groups
  of three); no leading zero unless the value is ``0``; at most 18 digits.
- ``number`` (DOUBLE): the same with a decimal part after a comma or a point, ``12,5``,
  ``1 234,56``, ``0.25``, ``,5``. A column may mix both marks: only one mark per value is
  accepted, so each value has one reading. Points as group separators (``1.234,5``) and
  exponents are not read as numbers.
- ``date``: ``dd/mm/yyyy``, ``dd-mm-yyyy`` or ``yyyy-mm-dd``, one format per column, every
  value a real date (``31/02/2020`` keeps the column as text).
- ``datetime``: ISO ``yyyy-mm-ddThh:mm[:ss[.ffffff]]`` (or a space for ``T``), either all
  naive or all with ``Z``/an offset (then stored as the UTC instant); or ``dd/mm/yyyy hh:mm[:ss]``.
- ``boolean``: ``true``/``false`` in any case. ``oui``/``non`` stay text.

Which type a column gets is decided in ``inference`` (over every row) or ``sampled`` (from a
sample, then guarded over every row).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from territoria.datastore.readers.connection import sql_string

BLANKS = " \t\u00a0\u202f"
GROUP_CHARS = " \u00a0\u202f"
_GROUP = f"[{GROUP_CHARS}]"
_INTEGER_PART = rf"(0|[1-9][0-9]{{0,17}}|[1-9][0-9]{{0,2}}({_GROUP}[0-9]{{3}}){{1,5}})"
_PLAIN_INTEGER_PART = r"(0|[1-9][0-9]{0,17})"
_ISO_DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_ISO_TIME = r"[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
_ISO_OFFSET = "([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)"
DMY_TIME_PATTERNS = {
    True: "[0-9]{1,2}/[0-9]{1,2}/[0-9]{4} [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?",  # seconds allowed
    False: "[0-9]{1,2}/[0-9]{1,2}/[0-9]{4} [0-9]{1,2}:[0-9]{2}",
}
_ISO_FORMATS = ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M")
DMY_TIME_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")


def numeric_pattern(marks: str = ".,", *, groups: bool = True) -> str:
    """The regular expression of the numbers written with the decimal ``marks`` (``""``: none,
    integers only) and, if ``groups``, group separators. Each choice narrows the language of
    ``NUMERIC_PATTERN``, never widens it."""
    integer = _INTEGER_PART if groups else _PLAIN_INTEGER_PART
    if not marks:
        return rf"[+-]?{integer}"
    return rf"[+-]?({integer}([{marks}][0-9]+)?|[{marks}][0-9]+)"


NUMERIC_PATTERN = numeric_pattern()


def _formats(formats: Sequence[str]) -> str:
    return "[" + ", ".join(sql_string(f) for f in formats) + "]"


def stripped(v: str) -> str:
    """``v`` without group separators, ready for CAST."""
    return f"replace(replace(replace({v}, ' ', ''), '\u00a0', ''), '\u202f', '')"


def _iso_t(v: str) -> str:
    return f"replace({v}, ' ', 'T')"


def _iso_utc(v: str) -> str:
    return f"regexp_replace({_iso_t(v)}, '[Zz]$', '+00:00')"


@dataclass(frozen=True)
class Parser:
    """One way of reading a text column: a check on each value and the conversion.

    ``check``, ``convert`` and ``parse`` are SQL templates over ``{v}`` (see ``fill``), the
    value without surrounding blanks and NULL when blank. ``convert`` must fail loudly (CAST,
    strptime) rather than return NULL: a value the check accepted and the conversion lost
    would be a silent loss. ``parse`` is the same conversion giving NULL where the value does
    not parse (TRY_CAST, try_strptime), and ``pattern`` the regular expression the value must
    match besides: the check is ``pattern`` matched and ``parse`` not NULL.
    """

    key: str
    type: str
    check: str
    convert: str
    parse: str = ""
    pattern: str | None = None
    format: str | None = None


def fill(template: str, v: str) -> str:
    """``template`` with ``{v}`` replaced (not ``str.format``: regexes hold braces)."""
    return template.replace("{v}", v)


def _parsed(
    key: str, type_: str, pattern: str, parse: str, convert: str, fmt: str | None = None
) -> Parser:
    """A parser whose check is: ``pattern`` matches and ``parse`` gives a value.

    A CASE rather than AND: DuckDB evaluates both sides of an AND over every value in an
    aggregate, and a failing ``try_strptime`` costs about 10 µs (the 1,000-row pre-filter of
    ``inference`` took 0.1 s on the benchmark file for that alone)."""
    matches = f"regexp_full_match({{v}}, {sql_string(pattern)})"
    check = f"CASE WHEN {matches} THEN {parse} IS NOT NULL ELSE false END"
    return Parser(key, type_, check, convert, parse, pattern, fmt)


def _dmy_date(sep: str) -> Parser:
    fmt = f"%d{sep}%m{sep}%Y"
    return _parsed(
        f"date_dmy{'_dash' if sep == '-' else ''}",
        "date",
        f"[0-9]{{1,2}}{sep}[0-9]{{1,2}}{sep}[0-9]{{4}}",
        parse=f"CAST(try_strptime({{v}}, '{fmt}') AS DATE)",
        convert=f"CAST(strptime({{v}}, '{fmt}') AS DATE)",
        fmt=fmt,
    )


def _utc_formats() -> str:
    return _formats([f + "%z" for f in _ISO_FORMATS])


NUMERIC = Parser(
    key="numeric",
    type="number",  # or integer, and the conversion: see ``inference._decide``
    check=f"regexp_full_match({{v}}, '{NUMERIC_PATTERN}')",
    convert="",
    pattern=NUMERIC_PATTERN,
)

PARSERS: tuple[Parser, ...] = (
    NUMERIC,
    Parser(
        key="boolean",
        type="boolean",
        check="lower({v}) IN ('true', 'false')",
        convert="(lower({v}) = 'true')",
        parse="CASE lower({v}) WHEN 'true' THEN true WHEN 'false' THEN false END",
    ),
    _dmy_date("/"),
    _dmy_date("-"),
    _parsed(
        "date_iso",
        "date",
        _ISO_DATE,
        parse="try_cast({v} AS DATE)",
        convert="CAST({v} AS DATE)",
    ),
    _parsed(
        "datetime_iso",
        "datetime",
        _ISO_DATE + _ISO_TIME,
        parse=f"try_strptime({_iso_t('{v}')}, {_formats(_ISO_FORMATS)})",
        convert=f"strptime({_iso_t('{v}')}, {_formats(_ISO_FORMATS)})",
    ),
    _parsed(
        "datetime_utc",
        "datetime",
        _ISO_DATE + _ISO_TIME + _ISO_OFFSET,
        # Stored as the UTC wall time: the session runs in UTC (see connection.py).
        parse=f"CAST(try_strptime({_iso_utc('{v}')}, {_utc_formats()}) AS TIMESTAMP)",
        convert=f"CAST(strptime({_iso_utc('{v}')}, {_utc_formats()}) AS TIMESTAMP)",
    ),
    _parsed(
        "datetime_dmy",
        "datetime",
        DMY_TIME_PATTERNS[True],
        parse=f"try_strptime({{v}}, {_formats(DMY_TIME_FORMATS)})",
        convert=f"strptime({{v}}, {_formats(DMY_TIME_FORMATS)})",
    ),
)
PARSERS_BY_KEY = {parser.key: parser for parser in PARSERS}


def value_sql(column: str) -> str:
    """The value of the VARCHAR ``column`` (an SQL identifier) without surrounding blanks,
    NULL when blank. Trimming only values that start or end with a blank is four times
    faster than trimming all (measured: 0.03 s against 0.13 s per million values)."""
    codes = ", ".join(str(ord(c)) for c in BLANKS)
    edge = " OR ".join(
        [f"ascii({column}) IN ({codes})"] + [f"ends_with({column}, chr({ord(c)}))" for c in BLANKS]
    )
    return (
        f"CASE WHEN {edge} THEN nullif(trim({column}, {sql_string(BLANKS)}), '') ELSE {column} END"
    )


def is_blank_sql(column: str) -> str:
    """SQL: ``column`` is all blanks; only values starting with a blank are trimmed."""
    codes = ", ".join(str(ord(c)) for c in BLANKS)
    return (
        f"CASE WHEN ascii({column}) IN ({codes})"
        f" THEN trim({column}, {sql_string(BLANKS)}) = '' ELSE false END"
    )
