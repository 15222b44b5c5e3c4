"""Workbooks (XLSX, XLS, ODS): the first sheet with data, typed by the same rules as CSV."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
import xlwt

from tests.datastore.test_readers import read_error, read_source
from tests.datastore.workbooks import Formula, ods, xlsx

ROWS = [
    ["Code INSEE", "Commune", "Population", "Surface (km²)", "Date", "Double", "Ouvert", "Vu le"],
    ["01001", "L’Abergement", 860, 15.95, datetime.date(2024, 2, 1), Formula("C2*2", 1720),
     True, datetime.datetime(2024, 3, 1, 10, 30)],
    ["2A004", "Ajaccio", 73000.0, 82.03, datetime.date(2024, 3, 15), Formula("C3*2", 146000),
     False, datetime.datetime(2024, 3, 2, 11, 0)],
]  # fmt: skip
TYPES = {
    "code_insee": "string",
    "commune": "string",
    "population": "integer",
    "surface_km2": "number",
    "date": "date",
    "double": "integer",
    "ouvert": "boolean",
    "vu_le": "datetime",
}
FIRST_ROW = (
    "01001", "L’Abergement", 860, 15.95, datetime.date(2024, 2, 1), 1720, True,
    datetime.datetime(2024, 3, 1, 10, 30),
)  # fmt: skip


def _xls(rows) -> bytes:
    book = xlwt.Workbook()
    sheet = book.add_sheet("Feuil1")
    styles = {
        datetime.datetime: xlwt.easyxf(num_format_str="DD/MM/YYYY HH:MM"),
        datetime.date: xlwt.easyxf(num_format_str="DD/MM/YYYY"),
    }
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, Formula):
                sheet.write(r, c, value.cached)  # xlwt writes no cached value for formulas
            elif type(value) in styles:
                sheet.write(r, c, value, styles[type(value)])
            elif value is not None:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("kind", "content"),
    [("xlsx", xlsx([("Feuil1", ROWS)])), ("ods", ods([("Feuil1", ROWS)])), ("xls", _xls(ROWS))],
)
def test_workbooks_are_typed_like_csv_with_real_dates(tmp_path, kind, content):
    read = read_source(tmp_path, content, name="export.csv")  # the name is not trusted
    assert read.types == TYPES
    assert read.rows[0] == FIRST_ROW
    assert read.column("population") == [860, 73000]  # 73000.0 is a whole number
    assert read.duckdb_types["date"] == "DATE"
    assert read.source == {"format": kind, "sheet": "Feuil1", "sheets": 1, "decimal": "."}
    assert read.fields["surface_km2"]["title"] == "Surface (km²)"


def test_formulas_give_their_cached_values_and_uncomputed_ones_are_blank(tmp_path):
    rows = [["a", "b", "somme", "texte"], [1, 2, Formula("A2+B2", 3), Formula('"x"&A2', "x1")],
            [4, 5, Formula("A3+B3", None), Formula('"x"&A3', "x4")]]  # fmt: skip
    read = read_source(tmp_path, xlsx([("Feuil1", rows)]))
    assert read.column("somme") == [3, None]
    assert read.column("texte") == ["x1", "x4"]
    assert read.types["somme"] == "integer"


def test_merged_cells_keep_the_value_in_the_first_cell_and_are_counted(tmp_path):
    rows = [["Région", "Département", "Population"], ["Grand Est", "Moselle", 1],
            [None, "Meuse", 2],
            ["Total", None, 3]]  # fmt: skip
    read = read_source(tmp_path, xlsx([("Feuil1", rows)], merged=["A2:A3", "A4:B4"]))
    assert read.column("region") == ["Grand Est", None, "Total"]
    assert read.column("departement") == ["Moselle", "Meuse", None]
    assert read.result.schema["territoria:warnings"] == [
        {
            "code": "merged_cells",
            "count": 2,
            "message": "2 merged cell ranges: value kept in the first cell only",
        }
    ]


def test_first_visible_sheet_with_data_is_read(tmp_path):
    sheets = [("Notice", [[]]), ("Caché", [["x"], [1]]), ("Données", [["code"], ["01001"]])]
    read = read_source(tmp_path, xlsx(sheets, hidden=["Caché"]))
    assert read.source["sheet"] == "Données"
    assert read.source["sheets"] == 3
    assert read.column("code") == ["01001"]


def test_blank_rows_and_trailing_empty_columns_are_left_out(tmp_path):
    rows = [["a", "b", None], [1, "x", None], [None, None, None], [2, "y"]]
    read = read_source(tmp_path, xlsx([("Feuil1", rows)]))
    assert read.rows == [(1, "x"), (2, "y")]


def test_numbers_keep_their_precision_and_never_use_exponents(tmp_path):
    rows = [["petit", "grand", "mixte"], [1.5e-07, 1e20, 3], [0.25, 2e20, 0.1]]
    read = read_source(tmp_path, xlsx([("Feuil1", rows)]))
    assert read.column("petit") == [1.5e-07, 0.25]
    assert read.column("mixte") == [3.0, 0.1]
    # Past 18 integer digits a number is not read as one, as in CSV: the text keeps every digit.
    assert read.column("grand") == ["100000000000000000000.0", "200000000000000000000.0"]
    assert read.types == {"petit": "number", "grand": "string", "mixte": "number"}


def test_header_only_workbook_gives_zero_rows(tmp_path):
    read = read_source(tmp_path, xlsx([("Feuil1", [["code", "nom"]])]))
    assert read.rows == []
    assert read.types == {"code": "string", "nom": "string"}


def test_duplicate_and_empty_headers_are_renamed_as_in_csv(tmp_path):
    read = read_source(tmp_path, ods([("Feuil1", [["Nom", None, "nom", 2024], [1, 2, 3, 4]])]))
    assert list(read.fields) == ["nom", "column_2", "nom_2", "2024"]


def test_workbook_without_data_is_refused(tmp_path):
    message = str(read_error(tmp_path, xlsx([("Feuil1", [[]])])))
    assert message == "empty file: no visible sheet of the workbook holds a value"


def test_corrupt_workbooks_are_refused_with_their_kind(tmp_path):
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<not xml")
    assert str(read_error(tmp_path, broken.getvalue())).startswith("unreadable XLSX workbook: ")
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert str(read_error(tmp_path, ole2)).startswith("unreadable XLS workbook: ")
