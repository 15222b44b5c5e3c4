"""``date_format(date, 'yyyy-MM')``: Opendatasoft's date patterns (those of Java's
SimpleDateFormat / ICU) written as DuckDB SQL, with month and day names in the query's
``lang`` (DuckDB's ``strftime`` knows English names only).

Letters: ``yyyy`` ``yy`` year, ``M`` ``MM`` month, ``MMM`` ``MMMM`` month name (short, full),
``d`` ``dd`` day, ``D`` day of year, ``E``…``EEE`` ``EEEE`` day name, ``e`` day of week
(1 = Monday), ``H`` ``HH`` hour, ``m`` ``mm`` minute, ``s`` ``ss`` second, ``w`` ISO week,
``Q`` quarter; text between single quotes is copied, ``''`` is a quote; other letters are
refused, other characters copied.
"""

from __future__ import annotations

import re

from territoria.datastore.odsql.sql import Sql

# fmt: off
MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}
MONTHS_SHORT = {
    "fr": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
           "nov.", "déc."],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}
DAYS = {
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
DAYS_SHORT = {
    "fr": ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."],
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
}
# fmt: on
LANGUAGES = frozenset(MONTHS)

_RUN = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|[^A-Za-z']+|'")
# letter run -> strftime directive; None: a name from the tables above
_DIRECTIVES: dict[str, str] = {
    "yyyy": "%Y",
    "y": "%Y",
    "yy": "%y",
    "M": "%-m",
    "MM": "%m",
    "d": "%-d",
    "dd": "%d",
    "D": "%-j",
    "DDD": "%j",
    "H": "%-H",
    "HH": "%H",
    "m": "%-M",
    "mm": "%M",
    "s": "%-S",
    "ss": "%S",
    "ww": "%V",
    "e": "%u",
}


def compile_date_format(value: Sql, pattern: str, lang: str) -> Sql | None:
    """SQL formatting the TIMESTAMP ``value`` with ``pattern``; None if a letter is unknown."""
    pieces: list[Sql] = []
    for match in _RUN.finditer(pattern):
        run = match.group(0)
        if run.startswith("'"):
            literal = run[1:-1].replace("''", "'") if len(run) > 1 else "'"
            if run == "''":
                literal = "'"
            pieces.append(Sql.param(literal))
        elif not run[0].isalpha():
            pieces.append(Sql.param(run))
        elif run in _DIRECTIVES:
            pieces.append(Sql.of("strftime({}, {})", value, Sql.param(_DIRECTIVES[run])))
        elif run[0] == "M" and len(run) >= 3:
            names = (MONTHS if len(run) >= 4 else MONTHS_SHORT)[lang]
            pieces.append(Sql.of("list_extract({}, month({}))", Sql.param(names), value))
        elif run[0] == "E":
            names = (DAYS if len(run) >= 4 else DAYS_SHORT)[lang]
            pieces.append(Sql.of("list_extract({}, isodow({}))", Sql.param(names), value))
        elif run == "w":
            pieces.append(Sql.of("CAST(weekofyear({}) AS VARCHAR)", value))
        elif run == "Q":
            pieces.append(Sql.of("CAST(quarter({}) AS VARCHAR)", value))
        else:
            return None
    if not pieces:
        return None
    joined = Sql.join(", ", pieces)
    # concat() skips nulls: a null date must give a null text, not the literals alone.
    return Sql.of("CASE WHEN {} IS NULL THEN NULL ELSE concat({}) END", value, joined)
