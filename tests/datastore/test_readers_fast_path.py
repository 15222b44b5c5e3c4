"""The fast path of CSV reading: types read from a sample, every row converted in one pass.

A value past the sample that does not fit the sample's type aborts the pass, and the exact
path reads the file again: whichever path wrote it, a file reads back to the same rows and
the same schema (distinct counts aside: they are approximate, counted on other values).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from territoria.datastore.errors import IngestError
from territoria.datastore.readers import csv as csv_reader
from territoria.datastore.readers import read_to_parquet, sampled
from territoria.datastore.readers.sniff import (
    Encoding,
    SpecialBytes,
    scan_windows1252,
    sniff_encoding,
)
from tests.datastore.test_readers import FRENCH_CP1252, Read, read_error, read_source


@pytest.fixture
def exact_reads(monkeypatch) -> list[Path]:
    """The sources that went through the exact path, in order."""
    reads: list[Path] = []
    read_exactly = csv_reader._read_exactly

    def counted(csv, dest, work):
        reads.append(csv.text.path)
        return read_exactly(csv, dest, work)

    monkeypatch.setattr(csv_reader, "_read_exactly", counted)
    return reads


def without_distinct(schema: dict[str, Any]) -> dict[str, Any]:
    approximate = ("territoria:distinct", "territoria:distinctAtLeast")
    fields = [{k: v for k, v in f.items() if k not in approximate} for f in schema["fields"]]
    return {**schema, "fields": fields}


def read_exactly(tmp_path: Path, content: bytes, monkeypatch) -> Read:
    with monkeypatch.context() as patch:
        patch.setattr(csv_reader, "_read_in_one_pass", lambda *args: None)
        return read_source(tmp_path, content)


def assert_same_as_exact(tmp_path: Path, content: bytes, monkeypatch) -> Read:
    """Read ``content`` as usual and with the exact path only; both must agree."""
    read = read_source(tmp_path, content)
    exact = read_exactly(tmp_path, content, monkeypatch)
    assert read.rows == exact.rows
    assert read.duckdb_types == exact.duckdb_types
    assert without_distinct(read.result.schema) == without_distinct(exact.result.schema)
    return read


def test_french_file_is_read_in_one_pass(tmp_path, exact_reads):
    read = read_source(tmp_path, FRENCH_CP1252)
    assert exact_reads == []
    assert read.types["code_insee"] == "string"
    assert read.types["surface_km2"] == "number"
    assert read.column("date_de_mise_a_jour")[0] == date(2024, 2, 1)
    assert read.source == {"format": "csv", "encoding": "cp1252", "delimiter": ";", "decimal": ","}
    assert read.fields["montant"]["decimalChar"] == ","


def test_fast_path_counts_values_and_facets_over_all_rows(tmp_path, exact_reads):
    rows = "".join(
        f"{i};{['Ain', 'Aisne', 'Allier'][i % 3]};{'' if i % 4 else ' '};{i % 2 == 0};id-{i}\n"
        for i in range(30_000)
    )
    read = read_source(tmp_path, f"n;departement_nom;vide;pair;ident\n{rows}".encode())
    assert exact_reads == []
    fields = read.fields
    assert fields["departement_nom"]["territoria:distinct"] == 3
    assert fields["departement_nom"]["territoria:facet"] is True
    assert "territoria:distinctAtLeast" not in fields["departement_nom"]
    assert fields["pair"]["territoria:distinct"] == 2
    assert fields["vide"]["type"] == "string"
    assert fields["vide"]["territoria:facet"] is False  # blanks only: no value at all
    assert fields["n"]["territoria:facet"] is False
    assert fields["ident"]["territoria:facet"] is False
    assert fields["ident"]["territoria:distinctAtLeast"] is True  # its sample has 10,000
    assert read.column("n")[-1] == 29_999


def test_column_whose_sample_cannot_facet_gets_a_lower_bound(tmp_path, monkeypatch):
    """Its first rows already hold more values than a facet lists: counting the others
    would cost a pass over the file and change nothing."""
    monkeypatch.setattr(sampled, "SAMPLE_ROWS", 1500)
    days = ["lun", "mar", "mer", "jeu", "ven", "sam", "dim"]
    rows = "".join(f"id-{i};{days[i % 7]}\n" for i in range(4000))
    read = read_source(tmp_path, f"ident;jour_semaine\n{rows}".encode())
    ident = read.fields["ident"]
    assert ident["territoria:facet"] is False
    assert ident["territoria:distinctAtLeast"] is True
    assert 1500 <= ident["territoria:distinct"] <= 4000  # the row group's dictionary: 4000
    assert read.fields["jour_semaine"]["territoria:distinct"] == 7
    exact = read_exactly(tmp_path, f"ident;jour_semaine\n{rows}".encode(), monkeypatch)
    assert "territoria:distinctAtLeast" not in exact.fields["ident"]  # counted over all rows


# (header, values the sample sees, the last value, its type over all rows, its value read back)
LATE_VALUES = [
    ("valeur", ["1", "2", "3"], "12,5", "number", 12.5),
    ("valeur", ["1", "2", "3"], "0042", "string", "0042"),
    ("valeur", ["1", "2", "3"], "1 234", "integer", 1234),
    ("valeur", ["1", "2", "3"], "1234567890123456789", "string", "1234567890123456789"),
    ("valeur", ["1", "2", "3"], " 8 ", "integer", 8),
    ("valeur", ["1", "2", "3"], " ", "integer", None),
    ("valeur", ["1,5", "2", "3,25"], "2.5", "number", 2.5),
    ("valeur", ["1,5", "2", "3,25"], "1e5", "string", "1e5"),
    ("valeur", ["1,5", "2", "3,25"], "n.c.", "string", "n.c."),
    ("valeur", ["1,5", "2", "3,25"], "007,5", "string", "007,5"),
    ("jour", ["01/02/2020", "3/4/2021", "31/12/2022"], "31/02/2020", "string", "31/02/2020"),
    ("jour", ["01/02/2020", "3/4/2021", "31/12/2022"], "2020-02-03", "string", "2020-02-03"),
    ("actif", ["true", "FALSE", "True"], "oui", "string", "oui"),
    ("heure", ["01/03/2024 10:00", "2/3/2024 9:05"], "01/03/2024 10:00:30", "datetime", None),
    ("heure", ["2024-03-01T10:00", "2024-03-01 11:30"], "2024-03-01T10:00Z", "string", None),
    ("vide", ["", " ", ""], "7", "integer", 7),
    ("vide", ["", " ", ""], "x", "string", "x"),
]


@pytest.mark.parametrize(("title", "early", "late", "type_", "value"), LATE_VALUES)
def test_last_value_that_breaks_the_sampled_type_is_kept_exactly(
    tmp_path, monkeypatch, exact_reads, title, early, late, type_, value
):
    """With a sample of 3 rows, the last row decides the type as the exact path would."""
    monkeypatch.setattr(sampled, "SAMPLE_ROWS", 3)
    lines = [f"{v};x{i}" for i, v in enumerate(early)] + [f"{late};y"]
    content = (f"{title};texte\n" + "\n".join(lines) + "\n").encode()
    read = assert_same_as_exact(tmp_path, content, monkeypatch)
    assert read.types[title] == type_
    assert exact_reads, "the late value must send the file to the exact path"
    if value is not None or late.strip() == "":
        assert read.column(title)[-1] == value
    if title == "heure" and type_ == "datetime":
        assert read.column(title)[-1] == datetime(2024, 3, 1, 10, 0, 30)
        assert read.fields[title]["format"] == "%d/%m/%Y %H:%M:%S"


@pytest.mark.parametrize(
    ("title", "early", "late", "type_"),
    [
        ("valeur", ["1", "2", "3"], "+7", "integer"),
        ("valeur", ["1,5", "2", "3,25"], "-0,5", "number"),
        ("nom", ["Ain", "Aisne", "Allier"], "12", "string"),
        ("code_insee", ["01001", "2A004", "08105"], "75056", "string"),
    ],
)
def test_last_value_that_fits_the_sampled_type_keeps_the_fast_path(
    tmp_path, monkeypatch, exact_reads, title, early, late, type_
):
    monkeypatch.setattr(sampled, "SAMPLE_ROWS", 3)
    lines = [*early, late]
    content = (f"{title}\n" + "\n".join(lines) + "\n").encode()
    read = assert_same_as_exact(tmp_path, content, monkeypatch)
    assert read.types[title] == type_
    assert len(exact_reads) == 1  # only the reference read of ``assert_same_as_exact``


@pytest.mark.parametrize(
    ("late", "stored", "encoding"),
    [
        ("   ", None, "utf-8"),  # a blank: NULL
        ("\t", None, "cp1252"),
        ("  Ain ", "  Ain ", "utf-8"),  # blanks around a value are kept
        ("\u00a0", None, "utf-8"),  # a no-break space, blank too
        ("\u00a0", None, "cp1252"),
        ("\u202f x", "\u202f x", "utf-8"),
    ],
)
def test_late_blank_text_is_null_and_late_spaces_are_kept(
    tmp_path, monkeypatch, exact_reads, late, stored, encoding
):
    """Text columns of a file without no-break spaces are written unguarded, their
    statistics checked after the pass: a late blank sends the file to the exact path."""
    monkeypatch.setattr(sampled, "SAMPLE_ROWS", 3)
    content = f"nom;code_insee\nAin;01001\nAisne;02001\nAllier;03001\n{late};04001\n"
    read = assert_same_as_exact(tmp_path, content.encode(encoding), monkeypatch)
    assert read.column("nom") == ["Ain", "Aisne", "Allier", stored]
    assert read.column("code_insee")[-1] == "04001"


def test_text_without_blanks_is_read_in_one_pass(tmp_path, monkeypatch, exact_reads):
    monkeypatch.setattr(sampled, "SAMPLE_ROWS", 3)
    content = "nom;code_insee\nAin;01001\nAisne;02001\nAllier;03001\nSavoie;73001\n"
    read = read_source(tmp_path, content.encode("cp1252"))
    assert exact_reads == []
    assert read.column("nom")[-1] == "Savoie"


def test_number_columns_with_different_decimal_marks_take_the_exact_path(
    tmp_path, monkeypatch, exact_reads
):
    """Which mark the file uses (``decimal``) then depends on counts over all rows."""
    read = assert_same_as_exact(tmp_path, b"a;b\n1,5;2.5\n3,25;4.75\n6;7.5\n", monkeypatch)
    assert read.source["decimal"] == "."
    assert len(exact_reads) == 2


def test_ragged_row_after_a_late_value_is_still_named(tmp_path, monkeypatch):
    monkeypatch.setattr(sampled, "SAMPLE_ROWS", 2)
    error = read_error(tmp_path, b"valeur;nom\n1;a\n2;b\nn.c.;c\n4;d;e\n")
    assert str(error) == "line 5: 3 fields, expected 2"


def test_ragged_row_within_the_sample_is_named(tmp_path):
    error = read_error(tmp_path, b"a;b;c\n1;2;3\n4;5\n")
    assert str(error) == "line 3: 2 fields, expected 3"
    assert isinstance(error, IngestError) and error.line == 3


def _big_row(i: int) -> tuple[int, str, str, str]:
    if i == 899_999:  # the 900,000th row
        return i, "n.c.", "31/02/2021", "é"
    return i, f"{i},25", f"{1 + i % 28:02d}/{1 + i % 12:02d}/2020", f"é{i % 7}"


def test_value_breaking_the_sampled_type_at_row_900_000_is_kept(tmp_path, exact_reads):
    """A million rows: the sample sees numbers and dates, row 900,000 holds neither."""
    source = tmp_path / "big.csv"
    with source.open("w", encoding="latin-1") as out:
        out.write("n;montant;jour;libellé\n")
        for start in range(0, 1_000_000, 100_000):
            rows = (_big_row(i) for i in range(start, start + 100_000))
            out.write("".join(";".join(map(str, row)) + "\n" for row in rows))
    dest = tmp_path / "big.parquet"
    result = read_to_parquet(source, dest, work_dir=tmp_path)
    assert exact_reads  # the fast pass was aborted
    types = {f["name"]: f["type"] for f in result.schema["fields"]}
    assert types == {"n": "integer", "montant": "string", "jour": "string", "libelle": "string"}
    assert result.row_count == 1_000_000
    con = duckdb.connect()
    picked = (0, 899_998, 899_999, 999_999)
    rows = con.execute(
        f"SELECT n, montant, jour, libelle FROM read_parquet('{dest}')"
        f" WHERE n IN {picked} ORDER BY n"
    ).fetchall()
    assert rows == [_big_row(i) for i in picked]
    order = con.execute(
        "SELECT bool_and(n = r - 1) FROM (SELECT n, row_number() OVER () AS r"
        f" FROM read_parquet('{dest}'))"
    ).fetchone()
    assert order == (True,)  # rows in the order of the source


def test_encoding_scans_tell_no_break_spaces_and_c1_bytes(tmp_path):
    """What decides whether text columns need a guard on each value, and whether DuckDB
    may decode a Windows-1252 file as Latin-1."""
    path = tmp_path / "data.csv"
    path.write_bytes("nom\nÉvry\n".encode())
    assert sniff_encoding(path) == Encoding("utf-8", nbsp=False)
    path.write_bytes("nom\n1\u202f000\n".encode())
    assert sniff_encoding(path) == Encoding("utf-8", nbsp=True)
    path.write_bytes("nom\nÉvry\xa0sud\n".encode("cp1252"))
    assert sniff_encoding(path) == Encoding("cp1252")
    assert scan_windows1252(path) == SpecialBytes(c1=False, nbsp=True)
    path.write_bytes("nom\nœuvre\n".encode("cp1252"))
    assert scan_windows1252(path) == SpecialBytes(c1=True, nbsp=False)
