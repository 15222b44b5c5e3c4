"""Property tests: French CSV in any encoding and dialect reads back to the values written."""

from __future__ import annotations

import contextlib
import csv
import io
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territoria.datastore.readers import csv as csv_reader
from territoria.datastore.readers import read_to_parquet, sampled
from territoria.datastore.readers.names import field_names

TEXT_ALPHABET = "abcdeéèêàçôœ’€ ;,|\t\"'\n-ABCÉ"


@dataclass(frozen=True)
class Kind:
    """One kind of column: how a value is written, what it reads back as, and its type."""

    name: str
    values: st.SearchStrategy[Any]
    schema_type: str


def _integer_text(value: int, group: str) -> str:
    text = f"{abs(value):,}".replace(",", group)
    return ("-" if value < 0 else "") + text


@st.composite
def integers(draw: st.DrawFn) -> tuple[str, int]:
    value = draw(st.integers(-(10**12), 10**12))
    group = draw(st.sampled_from(["", " ", "\u00a0"]))
    return _integer_text(value, group) if group else str(value), value


@st.composite
def decimals(draw: st.DrawFn) -> tuple[str, float]:
    cents = draw(st.integers(-(10**9), 10**9))
    places = draw(st.integers(1, 3))
    value = Decimal(cents).scaleb(-places)
    text = f"{value:.{places}f}"
    mark = draw(st.sampled_from([",", "."]))
    return text.replace(".", mark), float(value)


def codes(pattern: str) -> st.SearchStrategy[tuple[str, str]]:
    return st.from_regex(pattern, fullmatch=True).map(lambda text: (text, text))


@st.composite
def dates(draw: st.DrawFn) -> tuple[str, date]:
    value = draw(st.dates(date(1900, 1, 1), date(2099, 12, 31)))
    return value.strftime("%d/%m/%Y"), value


@st.composite
def texts(draw: st.DrawFn) -> tuple[str, str]:
    head = draw(st.sampled_from(["Rue ", "Œuvre", "L’", "x", "Église "]))
    tail = draw(st.text(TEXT_ALPHABET, max_size=12))
    text = (head + tail).strip()
    return text, text


KINDS = [
    Kind("integer", integers(), "integer"),
    Kind("decimal", decimals(), "number"),
    # INSEE, postal and phone codes: all digits but a leading zero, so text
    Kind("digit_code", codes(r"0[0-9]{4}|0[67][0-9]{8}"), "string"),
    Kind("corsican_code", codes(r"2[AB][0-9]{3}"), "string"),
    Kind("date", dates(), "date"),
    Kind("text", texts(), "string"),
]


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[Kind], list[list[tuple[str, Any] | None]]]:
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=6))
    titles = draw(
        st.lists(
            st.sampled_from(["Valeur", "Libellé", "Date", "Nom", "Total (€)", "N°", ""]),
            min_size=len(kinds),
            max_size=len(kinds),
        )
    )
    row_count = draw(st.integers(1, 25))
    rows = [
        [
            draw(st.none() | kind.values) if draw(st.booleans()) else draw(kind.values)
            for kind in kinds
        ]
        for _ in range(row_count)
    ]
    return titles, kinds, rows


def _write_csv(titles: list[str], rows: list[list[str]], delimiter: str, newline: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(titles)
    writer.writerows(rows)
    return buffer.getvalue()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    table=tables(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    delimiter=st.sampled_from([";", ",", "\t", "|"]),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_french_csv_round_trips_to_the_values_written(table, encoding, delimiter, newline):
    titles, kinds, cells = table
    written = [[cell[0] if cell else "" for cell in row] for row in cells]
    if len(kinds) == 1:
        titles = ["Valeur"]  # a lone empty title would make an empty header line
    content = _write_csv(titles, written, delimiter, newline)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "data.csv"
        source.write_bytes(content.encode(encoding))
        dest = Path(folder) / "data.parquet"
        result = read_to_parquet(source, dest, work_dir=Path(folder))
        rows = duckdb.connect().execute(f"SELECT * FROM read_parquet('{dest}')").fetchall()

    assert result.row_count == len(cells)
    expected = [tuple(cell[1] if cell else None for cell in row) for row in cells]
    assert rows == expected
    fields = result.schema["fields"]
    assert [f["name"] for f in fields] == field_names(titles)
    for kind, field, column in zip(kinds, fields, zip(*expected, strict=True), strict=True):
        if any(value is not None for value in column):
            assert field["type"] == kind.schema_type
    if len(kinds) > 1:  # a single column has no delimiter to find
        assert result.schema["territoria:source"]["delimiter"] == delimiter


@given(st.lists(st.text(max_size=20), min_size=1, max_size=12))
def test_field_names_are_unique_ascii_snake_case(titles):
    names = field_names(titles)
    assert len(names) == len(titles)
    assert len(set(names)) == len(names)
    for name in names:
        assert re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", name), name


# Values at the edges of the types: almost numbers, dates and datetimes, blanks.
TRICKY = [
    "+7", "-0", "0042", "1e5", "1 234", "12 34", "12,5", "12.5", " 8 ", "1.", ",5", "inf",
    "nan", "0x10", "1_000", "1234567890123456789", "\u00a0", "\t", "true", "FALSE", "oui",
    "01/03/2024 10:00", "1/3/2024 9:05:30", "2024-03-01", "2024-03-01T10:00",
    "2024-03-01 10:00:00Z", "31/02/2020", "01-03-2024", " 01/03/2024", "   ", "  texte",
]  # fmt: skip


@st.composite
def mixed_columns(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """Columns of one kind each, where any cell may hold a value of another kind: the
    sample sees one type, a later row another."""
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=4))
    titles = [f"{kind.name} {i}" for i, kind in enumerate(kinds)]
    row_count = draw(st.integers(1, 12))
    rows = []
    for _ in range(row_count):
        row = []
        for kind in kinds:
            other = draw(st.sampled_from(KINDS))
            choice = draw(st.sampled_from(["same", "same", "same", "other", "tricky", "blank"]))
            if choice == "tricky":
                row.append(draw(st.sampled_from(TRICKY)))
                continue
            text = {"same": kind, "other": other}.get(choice)
            row.append(draw(text.values)[0] if text else draw(st.sampled_from(["", " "])))
        rows.append(row)
    return titles, rows


def _read(content: bytes, *, exact: bool) -> tuple[list[tuple[Any, ...]], dict[str, Any]]:
    """Rows and schema read from ``content``; with the exact path only if ``exact``."""
    only_exact = mock.patch.object(csv_reader, "_read_in_one_pass", return_value=None)
    with tempfile.TemporaryDirectory() as folder, only_exact if exact else contextlib.nullcontext():
        source = Path(folder) / "data.csv"
        source.write_bytes(content)
        dest = Path(folder) / "data.parquet"
        result = read_to_parquet(source, dest, work_dir=Path(folder))
        rows = duckdb.connect().execute(f"SELECT * FROM read_parquet('{dest}')").fetchall()
    for field in result.schema["fields"]:
        field.pop("territoria:distinct", None)  # approximate, counted on other values
        field.pop("territoria:distinctAtLeast", None)
    return rows, result.schema


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    table=mixed_columns(),
    sample_rows=st.integers(1, 4),
    encoding=st.sampled_from(["utf-8", "cp1252"]),
)
def test_fast_path_reads_what_the_exact_path_reads(table, sample_rows, encoding):
    """Whatever the sample sees, the file reads back as the exact path reads it (800
    examples passed when the fast path was written; 60 run in the suite)."""
    titles, rows = table
    content = _write_csv(titles, rows, ";", "\n").encode(encoding)
    with mock.patch.object(sampled, "SAMPLE_ROWS", sample_rows):
        fast = _read(content, exact=False)
    assert fast == _read(content, exact=True)
