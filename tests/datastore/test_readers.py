"""Readers: a source file becomes one typed Parquet file and its Table Schema.

Every test reads the Parquet file back with DuckDB and asserts the values and their types.
"""

from __future__ import annotations

import gzip
import io
import itertools
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from territoria.datastore.errors import IngestError
from territoria.datastore.readers import ReadResult, read_to_parquet

_runs = itertools.count()


@dataclass
class Read:
    result: ReadResult
    rows: list[tuple[Any, ...]]
    duckdb_types: dict[str, str]
    work_dir: Path

    @property
    def fields(self) -> dict[str, dict[str, Any]]:
        return {f["name"]: f for f in self.result.schema["fields"]}

    @property
    def types(self) -> dict[str, str]:
        return {name: f["type"] for name, f in self.fields.items()}

    @property
    def source(self) -> dict[str, Any]:
        return dict(self.result.schema["territoria:source"])

    def column(self, name: str) -> list[Any]:
        index = list(self.fields).index(name)
        return [row[index] for row in self.rows]


def read_source(tmp_path: Path, content: bytes, name: str = "data.csv") -> Read:
    """Write ``content`` as a source file, read it, and read the Parquet file back."""
    run = tmp_path / f"run-{next(_runs)}"
    run.mkdir()
    source = run / name
    source.write_bytes(content)
    work = run / "work"
    work.mkdir()
    result = read_to_parquet(source, work / "data.parquet", work_dir=work)
    con = duckdb.connect()
    relation = f"read_parquet('{work / 'data.parquet'}')"
    rows = con.execute(f"SELECT * FROM {relation}").fetchall()
    described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    con.close()
    assert result.row_count == len(rows)
    return Read(result, rows, {r[0]: r[1] for r in described}, work)


def read_error(tmp_path: Path, content: bytes, name: str = "data.csv") -> IngestError:
    with pytest.raises(IngestError) as caught:
        read_source(tmp_path, content, name)
    return caught.value


FRENCH_CP1252 = (
    "Code INSEE;Commune;Code postal;Population;Surface (km²);Date de mise à jour;SIRET;"
    "Téléphone;N°;Montant (€);Remarque\n"
    "01001;L’Abergement-Clémenciat;01400;860;15,95;01/02/2024;21010001200017;"
    "0474000000;1;1 234,50;œuvre d’art\n"
    "2A004;Ajaccio;20000;73000;82,03;15/03/2024;21200004400013;0495000000;2;12,5;\n"
    "08105;Charleville-Mézières;08000;46000;31,44;31/12/2023;21080105700016;"
    "0324000000;3;-7;coût 5 €\n"
).encode("cp1252")


def test_french_cp1252_file_keeps_codes_text_and_reads_numbers_and_dates(tmp_path):
    read = read_source(tmp_path, FRENCH_CP1252)
    assert read.types == {
        "code_insee": "string",
        "commune": "string",
        "code_postal": "string",
        "population": "integer",
        "surface_km2": "number",
        "date_de_mise_a_jour": "date",
        "siret": "string",
        "telephone": "string",
        "n": "integer",
        "montant": "number",
        "remarque": "string",
    }
    assert read.duckdb_types["population"] == "BIGINT"
    assert read.duckdb_types["surface_km2"] == "DOUBLE"
    assert read.duckdb_types["date_de_mise_a_jour"] == "DATE"
    assert read.column("code_insee") == ["01001", "2A004", "08105"]
    assert read.column("code_postal") == ["01400", "20000", "08000"]
    assert read.column("siret")[0] == "21010001200017"
    assert read.column("telephone")[0] == "0474000000"
    assert read.column("surface_km2") == [15.95, 82.03, 31.44]
    assert read.column("montant") == [1234.5, 12.5, -7.0]
    assert read.column("date_de_mise_a_jour") == [
        date(2024, 2, 1),
        date(2024, 3, 15),
        date(2023, 12, 31),
    ]
    assert read.column("commune")[0] == "L’Abergement-Clémenciat"
    assert read.column("remarque") == ["œuvre d’art", None, "coût 5 €"]
    assert read.source == {"format": "csv", "encoding": "cp1252", "delimiter": ";", "decimal": ","}
    assert read.fields["date_de_mise_a_jour"]["format"] == "%d/%m/%Y"
    assert read.fields["surface_km2"]["decimalChar"] == ","
    assert read.fields["code_insee"]["title"] == "Code INSEE"
    assert read.fields["montant"]["title"] == "Montant (€)"
    assert read.result.source_format == "csv"


def test_latin1_file_is_read_and_its_errors_name_physical_lines(tmp_path):
    """Without € œ ’ (bytes 0x80–0x9F) Windows-1252 is Latin-1, which DuckDB decodes."""
    content = 'libellé;quantité\n"Été\nà Orléans";1,5\nÎle;2\n'.encode("latin-1")
    read = read_source(tmp_path, content)
    assert read.source["encoding"] == "cp1252"
    assert read.rows == [("Été\nà Orléans", 1.5), ("Île", 2.0)]
    assert list(read.fields) == ["libelle", "quantite"]
    error = read_error(tmp_path, content + "Noël;3;4\n".encode("latin-1"))
    assert str(error) == "line 5: 3 fields, expected 2"


def test_utf8_with_bom_and_commas_reads_quoted_delimiters_and_newlines(tmp_path):
    content = (
        "\ufeffnom,adresse,note\n"
        '"Mairie, annexe","1 rue de la Paix\n75001 Paris","dit ""le grand"""\n'
        "Gare,Place de la Gare,\n"
    ).encode()
    read = read_source(tmp_path, content)
    assert list(read.fields) == ["nom", "adresse", "note"]  # no BOM in the first name
    assert read.rows == [
        ("Mairie, annexe", "1 rue de la Paix\n75001 Paris", 'dit "le grand"'),
        ("Gare", "Place de la Gare", None),
    ]
    assert read.source["encoding"] == "utf-8-sig"
    assert read.source["delimiter"] == ","


@pytest.mark.parametrize("delimiter", ["\t", "|"])
def test_tab_and_pipe_delimiters_are_detected(tmp_path, delimiter):
    lines = [["code", "libellé", "valeur"], ["01", "Ain, le", "1,5"], ["02", "Aisne", "2"]]
    content = "".join(delimiter.join(line) + "\n" for line in lines).encode()
    read = read_source(tmp_path, content)
    assert read.source["delimiter"] == delimiter
    assert read.rows == [("01", "Ain, le", 1.5), ("02", "Aisne", 2.0)]


def test_ragged_row_names_its_line_and_field_counts(tmp_path):
    error = read_error(tmp_path, b"a;b;c\n1;2;3\n4;5;6;7\n8;9;10\n")
    assert str(error) == "line 3: 4 fields, expected 3"
    assert error.line == 3


def test_short_row_is_refused_not_padded(tmp_path):
    error = read_error(tmp_path, b"a;b;c\n1;2;3\n4\n")
    assert str(error) == "line 3: 1 field, expected 3"


def test_ragged_row_line_counts_physical_lines_after_bom_and_multiline_fields(tmp_path):
    content = '\ufeffa;b;c\n1;"une\nadresse\nsur trois lignes";3\n\n4;5\n'.encode()
    error = read_error(tmp_path, content)
    # header 1, record on lines 2–4, blank line 5, the short row on line 6
    assert str(error) == "line 6: 2 fields, expected 3"
    assert error.line == 6


def test_ragged_row_deep_in_a_file_names_its_line(tmp_path):
    rows = "".join(f"{i};commune {i};{i},5\n" for i in range(5001))
    error = read_error(tmp_path, f"id;nom;valeur\n{rows}9;trop;de;champs\n".encode())
    assert str(error) == "line 5003: 4 fields, expected 3"


def test_big_file_keeps_row_order_and_counts_lines_across_parallel_chunks(tmp_path):
    """300,000 rows are read by several DuckDB threads; order and line numbers hold."""
    head = 'id;nom;valeur\n0;"sur\ndeux lignes";0,5\n'
    body = "".join(f"{i};commune {i % 97};{i},25\n" for i in range(1, 300_000))
    read = read_source(tmp_path, (head + body).encode("cp1252"))
    assert read.result.row_count == 300_000
    assert read.column("id") == list(range(300_000))
    assert read.column("valeur")[-1] == 299_999.25
    assert read.types == {"id": "integer", "nom": "string", "valeur": "number"}
    assert read.fields["nom"]["territoria:facet"] is True
    ragged = head + body + "300000;x\n"
    error = read_error(tmp_path, ragged.encode("cp1252"))
    # the header, 300,000 rows of which one spans two lines, then the short row
    assert str(error) == "line 300003: 2 fields, expected 3"


@pytest.mark.parametrize(
    "content",
    [b"", b"\xef\xbb\xbf", b"\n\n  \r\n", "\ufeff\n".encode()],
    ids=["zero-bytes", "bom", "blank-lines", "bom-and-newline"],
)
def test_empty_file_is_refused(tmp_path, content):
    assert str(read_error(tmp_path, content)) == "empty file"


def test_header_only_gives_zero_rows_and_text_fields(tmp_path):
    read = read_source(tmp_path, b"Code INSEE;Population")
    assert read.rows == []
    assert read.types == {"code_insee": "string", "population": "string"}
    assert read.fields["population"]["territoria:facet"] is False


def test_duplicate_and_empty_headers_are_renamed(tmp_path):
    read = read_source(tmp_path, "Nom;nom;;N°;n\nA;B;C;D;E\n".encode())
    assert [(f["name"], f["title"]) for f in read.result.schema["fields"]] == [
        ("nom", "Nom"),
        ("nom_2", "nom"),
        ("column_3", ""),
        ("n", "N°"),
        ("n_2", "n"),
    ]
    assert read.rows == [("A", "B", "C", "D", "E")]


def test_headers_become_ascii_snake_case(tmp_path):
    header = "Date de mise à jour;Œuvre;  Taux (%)  ;Surface (m²);Nom de l'élu(e)\n"
    read = read_source(tmp_path, (header + "01/01/2020;a;b;c;d\n").encode())
    assert list(read.fields) == [
        "date_de_mise_a_jour",
        "oeuvre",
        "taux",
        "surface_m2",
        "nom_de_l_elu_e",
    ]
    assert read.fields["taux"]["title"] == "Taux (%)"


def test_impossible_date_keeps_the_column_text(tmp_path):
    read = read_source(tmp_path, b"jour;autre\n01/02/2020;01/02/2020\n31/02/2020;29/02/2020\n")
    assert read.types == {"jour": "string", "autre": "date"}
    assert read.column("jour") == ["01/02/2020", "31/02/2020"]
    assert read.column("autre") == [date(2020, 2, 1), date(2020, 2, 29)]


def test_one_leading_zero_keeps_an_integer_column_text(tmp_path):
    rows = "".join(f"{i}\n" for i in range(1, 2000))  # past the sample that guesses types
    read = read_source(tmp_path, f"valeur\n{rows}0042\n".encode())
    assert read.types == {"valeur": "string"}
    assert read.column("valeur")[0] == "1"
    assert read.column("valeur")[-1] == "0042"


def test_one_text_value_late_in_the_file_keeps_a_number_column_text(tmp_path):
    rows = "".join(f"{i},5\n" for i in range(3000))
    read = read_source(tmp_path, f"valeur\n{rows}n.c.\n".encode())
    assert read.types == {"valeur": "string"}
    assert read.column("valeur")[:2] == ["0,5", "1,5"]
    assert read.column("valeur")[-1] == "n.c."


def test_code_like_names_stay_text_whatever_their_values(tmp_path):
    content = (
        "id;id_station;code_commune;cp;dep;num_pdl;telephone;population\n"
        "1;10;1001;1400;1;12345678912345;474000000;860\n"
        "2;11;75056;75001;75;12345678912346;145000000;2100000\n"
    )
    read = read_source(tmp_path, content.encode())
    assert read.types == {
        "id": "integer",
        "id_station": "string",
        "code_commune": "string",
        "cp": "string",
        "dep": "string",
        "num_pdl": "string",
        "telephone": "string",
        "population": "integer",
    }
    assert read.rows[0][1:4] == ("10", "1001", "1400")


def test_numbers_with_group_separators_and_mixed_decimal_marks(tmp_path):
    content = (
        "montant;taux;solde;ratio;texte\n"
        "1 234,56;12.5;-0;,5;1.234,5\n"
        "1\u00a0000\u00a0000;12,5;+7;0,25;2\n"
        "12\u202f345,5;3;12;1;3\n"
    )
    read = read_source(tmp_path, content.encode())
    assert read.types == {
        "montant": "number",
        "taux": "number",
        "solde": "integer",
        "ratio": "number",
        "texte": "string",  # points as group separators are not read
    }
    assert read.column("montant") == [1234.56, 1_000_000.0, 12345.5]
    assert read.column("taux") == [12.5, 12.5, 3.0]
    assert read.column("solde") == [0, 7, 12]
    assert read.column("ratio") == [0.5, 0.25, 1.0]


def test_integers_too_long_for_bigint_stay_text(tmp_path):
    read = read_source(tmp_path, b"grand\n1234567890123456789\n1\n")
    assert read.types == {"grand": "string"}


def test_blank_values_are_null_and_text_keeps_inner_spaces(tmp_path):
    content = "entier;texte;date\n 12 ;  ;01/01/2020\n\t; a  b ;\u00a0\n7;x; 02/01/2020 \n"
    read = read_source(tmp_path, content.encode())
    assert read.types == {"entier": "integer", "texte": "string", "date": "date"}
    assert read.rows == [
        (12, None, date(2020, 1, 1)),
        (None, " a  b ", None),
        (7, "x", date(2020, 1, 2)),
    ]


def test_dates_in_iso_and_dashed_french_forms(tmp_path):
    content = (
        b"iso;tirets;melange\n2024-03-01;01-03-2024;2024-03-01\n2024-12-31;31-12-2024;31/12/2024\n"
    )
    read = read_source(tmp_path, content)
    assert read.types == {"iso": "date", "tirets": "date", "melange": "string"}
    assert read.column("tirets") == [date(2024, 3, 1), date(2024, 12, 31)]
    assert "format" not in read.fields["iso"]
    assert read.fields["tirets"]["format"] == "%d-%m-%Y"


def test_datetimes_naive_with_offsets_and_french(tmp_path):
    content = (
        "iso;utc;fr;mixte\n"
        "2024-03-01T10:00:00;2024-03-01T10:00:00+02:00;01/03/2024 10:00;2024-03-01T10:00\n"
        "2024-03-01 11:30;2024-03-01T10:00Z;1/3/2024 9:05;2024-03-01T10:00Z\n"
    )
    read = read_source(tmp_path, content.encode())
    assert read.types == {"iso": "datetime", "utc": "datetime", "fr": "datetime", "mixte": "string"}
    assert read.column("iso") == [datetime(2024, 3, 1, 10, 0), datetime(2024, 3, 1, 11, 30)]
    assert read.column("utc") == [datetime(2024, 3, 1, 8, 0), datetime(2024, 3, 1, 10, 0)]
    assert read.column("fr") == [datetime(2024, 3, 1, 10, 0), datetime(2024, 3, 1, 9, 5)]
    assert read.fields["utc"]["territoria:timezone"] == "UTC"
    assert read.fields["fr"]["format"] == "%d/%m/%Y %H:%M"


def test_true_false_are_booleans_and_oui_non_stay_text(tmp_path):
    read = read_source(tmp_path, b"actif;ouvert\ntrue;oui\nFALSE;non\n;oui\n")
    assert read.types == {"actif": "boolean", "ouvert": "string"}
    assert read.column("actif") == [True, False, None]
    assert read.fields["actif"]["territoria:facet"] is True


def test_first_megabyte_ascii_then_cp1252_is_read_as_cp1252(tmp_path):
    rows = "".join(f"{i};Commune {i}\n" for i in range(80_000))  # ~1.3 MB of ASCII
    content = f"id;nom\n{rows}80000;Orléans – Saint-Jean\n".encode("cp1252")
    read = read_source(tmp_path, content)
    assert read.source["encoding"] == "cp1252"
    assert read.rows[-1] == (80000, "Orléans – Saint-Jean")


def test_utf8_file_with_a_stray_cp1252_byte_is_refused_with_its_line(tmp_path):
    content = "nom;ville\nÉlise;Paris\n".encode() + "Zoé;Orléans\n".encode("cp1252")
    error = read_error(tmp_path, content)
    assert str(error).startswith("line 3: byte 0xE9 is not UTF-8")
    assert error.line == 3


def test_byte_undefined_in_cp1252_is_refused_with_its_line(tmp_path):
    error = read_error(tmp_path, b"a;b\n1;\xe9t\xe9\n2;\x81\n")
    assert str(error) == "line 3: byte 0x81 is neither UTF-8 nor Windows-1252"


def test_utf16_with_bom_is_read(tmp_path):
    read = read_source(tmp_path, "commune;population\nÉvry;67000\n".encode("utf-16"))
    assert read.rows == [("Évry", 67000)]
    assert read.source["encoding"] == "utf-16"


def test_unterminated_quote_names_its_line(tmp_path):
    error = read_error(tmp_path, b'a;b;c\n1;2;3\n4;"5;6\n7;8;9\n')
    assert str(error) == "line 3: unterminated quoted field"
    assert error.line == 3


def test_text_after_a_closing_quote_names_its_line(tmp_path):
    error = read_error(tmp_path, b'a;b;c\n1;2;3\n4;"5"x;6\n')
    assert str(error) == "line 3: text after the closing quote of a field"


def test_quotes_inside_unquoted_fields_are_kept(tmp_path):
    read = read_source(tmp_path, b'nom;taille\nLe "Petit" caf\xc3\xa9;12"\n')
    assert read.rows == [('Le "Petit" café', '12"')]


def test_crlf_and_mixed_line_endings_are_read(tmp_path):
    crlf = read_source(tmp_path, b'a;b\r\n1;"x\r\ny"\r\n2;z\r\n')
    assert crlf.rows == [(1, "x\r\ny"), (2, "z")]
    mixed = read_source(tmp_path, b"a;b\n1;x\r\n2;y\n")
    assert mixed.rows == [(1, "x"), (2, "y")]
    error = read_error(tmp_path, b"a;b\n1;x\r\n2;y;z\n")
    assert str(error) == "line 3: 3 fields, expected 2"


def test_blank_lines_before_the_header_are_skipped(tmp_path):
    read = read_source(tmp_path, b"\n\r\nnom;valeur\nA;1\n")
    assert read.rows == [("A", 1)]
    error = read_error(tmp_path, b"\n\nnom;valeur\nA;1\nB\n")
    assert str(error) == "line 5: 1 field, expected 2"


def test_single_column_file(tmp_path):
    read = read_source(tmp_path, b"code\n01\n2A\n")
    assert read.rows == [("01",), ("2A",)]


def test_facets_and_distinct_counts(tmp_path):
    rows = "".join(
        f"{i};{['Ain', 'Aisne', 'Allier'][i % 3]};ident-{i};{i % 2 == 0};0{i % 5}/01/2024;{i}\n"
        for i in range(1500)
    )
    read = read_source(tmp_path, f"n;departement_nom;ident;pair;jour;vide\n{rows}".encode())
    fields = read.fields
    assert fields["departement_nom"]["territoria:facet"] is True
    assert fields["departement_nom"]["territoria:distinct"] == 3
    assert fields["ident"]["territoria:facet"] is False  # about 1,500 distinct values
    assert fields["ident"]["territoria:distinct"] > 1000
    assert fields["pair"]["territoria:facet"] is True
    assert fields["jour"]["territoria:facet"] is True
    assert fields["n"]["territoria:facet"] is False
    empty = read_source(tmp_path, b"nom;x\n;1\n")
    assert empty.fields["nom"]["territoria:facet"] is False  # no value at all


def test_latitude_and_longitude_columns_make_a_geo_schema(tmp_path):
    read = read_source(tmp_path, b"nom;Latitude;Longitude\nA;48,85;2,35\nB;43,3;5,37\n")
    assert read.result.schema["territoria:geo"] == {"lat": "latitude", "lon": "longitude"}
    lambert = read_source(tmp_path, b"nom;lat;lon\nA;6862000;652000\n")
    assert "territoria:geo" not in lambert.result.schema  # out of range: not WGS 84


def test_source_name_with_glob_characters_and_leftovers(tmp_path):
    read = read_source(tmp_path, b"a;b\n1;2\n", name="export [v2] *final*.csv")
    assert read.rows == [(1, 2)]
    assert sorted(p.name for p in read.work_dir.iterdir()) == ["data.parquet"]


def test_gzipped_csv_is_read(tmp_path):
    read = read_source(tmp_path, gzip.compress(FRENCH_CP1252), name="export.csv.gz")
    assert read.column("code_insee") == ["01001", "2A004", "08105"]
    assert read.source["compression"] == "gzip"


def test_irve_national_example_matches_its_published_schema(tmp_path):
    """The national Table Schema of charging points (schema.data.gouv.fr) and its example."""
    folder = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "schema-irve"
    if not folder.is_dir():
        pytest.skip("shared fixtures are not available")
    read = read_source(tmp_path, (folder / "statique-exemple-valide-statique.csv").read_bytes())
    published = json.loads((folder / "statique-schema-statique.json").read_text())
    expected = {"number": {"number", "integer"}, "geopoint": {"string"}}
    for field in published["fields"]:
        name = field["name"].lower()
        got = read.types[name]
        if read.column(name) == [None] * read.result.row_count:
            continue  # a column left empty in the example says nothing
        assert got in expected.get(field["type"], {field["type"]}), name
    assert read.column("siren_amenageur")[0] == "130025265"


# Other formats


def _parquet_bytes(tmp_path: Path, select: str) -> bytes:
    path = tmp_path / "source.parquet"
    duckdb.connect().execute(f"COPY ({select}) TO '{path}' (FORMAT parquet)")
    return path.read_bytes()


def test_parquet_is_copied_with_snake_case_names_and_its_types(tmp_path):
    content = _parquet_bytes(
        tmp_path,
        """SELECT * FROM (VALUES
            ('01001', 860, 15.95::DOUBLE, DATE '2024-02-01', true, [1, 2], {'a': 1}),
            ('2A004', NULL, 82.03, NULL, false, [], {'a': 2})
        ) t("Code INSEE", "Population", "Surface (km²)", "Mise à jour", "Actif", "L", "S")""",
    )
    read = read_source(tmp_path, content, name="communes.csv")  # the name is misleading
    assert read.result.source_format == "parquet"
    assert read.types == {
        "code_insee": "string",
        "population": "integer",
        "surface_km2": "number",
        "mise_a_jour": "date",
        "actif": "boolean",
        "l": "array",
        "s": "object",
    }
    assert read.rows[0] == ("01001", 860, 15.95, date(2024, 2, 1), True, "[1,2]", '{"a":1}')
    assert read.rows[1][:3] == ("2A004", None, 82.03)
    assert read.fields["code_insee"]["title"] == "Code INSEE"
    assert read.source == {"format": "parquet"}


def test_corrupt_parquet_is_refused(tmp_path):
    error = read_error(tmp_path, b"PAR1" + b"\x00" * 64 + b"PAR1", name="data.parquet")
    assert str(error).startswith("invalid Parquet file")


def test_json_array_of_objects(tmp_path):
    records = [
        {"Code INSEE": "01001", "Population": 860, "Mise à jour": "2024-02-01", "Tags": ["a"]},
        {"Code INSEE": "2A004", "Population": 73000, "Extra": {"k": 1}},
    ]
    read = read_source(tmp_path, json.dumps(records).encode(), name="communes.json")
    assert read.result.source_format == "json"
    assert read.types["code_insee"] == "string"
    assert read.types["population"] == "integer"
    assert read.types["mise_a_jour"] == "date"
    assert read.types["tags"] == "array"
    assert read.types["extra"] == "object"
    assert read.column("code_insee") == ["01001", "2A004"]
    assert read.column("mise_a_jour") == [date(2024, 2, 1), None]
    assert read.column("extra") == [None, '{"k":1}']


def test_json_lines(tmp_path):
    content = b'{"nom": "Ain", "n": 1}\n{"nom": "Aisne", "n": 2, "actif": true}\n\n'
    read = read_source(tmp_path, content, name="export.txt")
    assert read.result.source_format == "jsonl"
    assert read.rows == [("Ain", 1, None), ("Aisne", 2, True)]


def test_malformed_json_lines_name_the_line(tmp_path):
    error = read_error(tmp_path, b'{"a": 1}\n{"a": 2\n{"a": 3}\n')
    assert str(error) == "line 3: invalid JSON: unexpected character"
    assert error.line == 3


def test_empty_json_array_and_arrays_of_values_are_refused(tmp_path):
    assert str(read_error(tmp_path, b" [ ] ")) == "empty file"
    assert str(read_error(tmp_path, b"[1, 2]")) == (
        "unsupported format: JSON array of values (expected objects)"
    )


def _zip(names: list[str], mimetype: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if mimetype:
            archive.writestr("mimetype", mimetype)
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (_zip(["a.shp", "a.dbf"]), "zipped shapefile"),
        (
            _zip(["content.xml"], mimetype="application/vnd.oasis.opendocument.text"),
            "application/vnd.oasis.opendocument.text",
        ),
        (
            _zip(["[Content_Types].xml", "word/document.xml"]),
            "Office document that is not a workbook",
        ),
        (b"%PDF-1.7\n...", "PDF document"),
        (b"a;b\n1;\x00\x01\x02\n", "binary file"),
    ],
    ids=["shapefile", "odt", "docx", "pdf", "binary"],
)
def test_unsupported_formats_are_named(tmp_path, content, message):
    assert str(read_error(tmp_path, content)) == f"unsupported format: {message}"
