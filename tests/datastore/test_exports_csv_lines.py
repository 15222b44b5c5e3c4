"""CSV written by DuckDB is byte for byte the CSV Python's csv module wrote, cell by cell."""

import pytest

from territoria.datastore import exports, query
from territoria.datastore.query import QueryEngine, RecordsQuery
from tests.datastore.test_query_records import SAMPLE_SCHEMA, sample_version, write_version

EVERYTHING = RecordsQuery(limit=None)

TRICKY_SCHEMA = {
    "fields": [
        {"name": "text", "type": "string"},
        {"name": "whole", "type": "integer"},
        {"name": "real", "type": "number"},
        {"name": "day", "type": "date"},
        {"name": "moment", "type": "datetime"},
        {"name": "flag", "type": "boolean"},
    ]
}
TRICKY_ROWS = """
SELECT * FROM (VALUES
    ('plain', 1, 0.1, DATE '2024-01-31', TIMESTAMP '2024-01-31 10:00:00', true),
    ('a;b', -2, 1e-05, DATE '0999-12-31', TIMESTAMP '2024-01-31 10:00:00.5', false),
    ('say "hi"', 9007199254740993, 1e16, NULL, TIMESTAMP '2024-01-31 10:00:00.000123', NULL),
    ('line' || chr(10) || 'break', NULL, 'nan'::DOUBLE, DATE '2024-02-29', NULL, true),
    ('cr' || chr(13), 0, 'inf'::DOUBLE, NULL, NULL, false),
    ('', 3, -0.0, NULL, NULL, NULL),
    (NULL, 4, 123456.789, NULL, NULL, NULL),
    ('a,b', 5, 2.5, NULL, NULL, NULL),
    ('tab' || chr(9) || 'x', 6, 1.0, NULL, NULL, NULL),
    ('É''té|€', 7, 3.0e-7, NULL, NULL, NULL)
) AS t(text, whole, real, day, moment, flag)
"""


@pytest.fixture
def tricky(tmp_path):
    return write_version(tmp_path, TRICKY_ROWS, TRICKY_SCHEMA)


def _export(version, query_: RecordsQuery, **options) -> bytes:
    return b"".join(QueryEngine(timeout=10).export(version, query_, "csv", **options).chunks)


def _python_export(monkeypatch, version, query_: RecordsQuery, **options) -> bytes:
    """The same export through the Python path (every cell formatted by csv.writer)."""
    with monkeypatch.context() as patched:
        patched.setattr(query, "csv_line_statement", lambda *args, **kwargs: None)
        return _export(version, query_, **options)


def _forbid_python_cells(monkeypatch) -> None:
    def refuse(value):
        raise AssertionError("a cell was formatted in Python")

    monkeypatch.setattr(exports, "_csv_cell", refuse)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|", "'", "é"])
@pytest.mark.parametrize("bom", [False, True])
def test_duckdb_writes_the_csv_python_wrote(monkeypatch, tricky, delimiter, bom):
    expected = _python_export(monkeypatch, tricky, EVERYTHING, delimiter=delimiter, bom=bom)
    _forbid_python_cells(monkeypatch)
    assert _export(tricky, EVERYTHING, delimiter=delimiter, bom=bom) == expected


@pytest.mark.parametrize(
    "select",
    ["text", "whole", "flag", "day", "real"],
)
def test_one_column_exports_quote_an_empty_record_as_python_does(monkeypatch, tricky, select):
    """csv.writer writes a record made of one empty field as "" (a blank line is no row)."""
    query_ = RecordsQuery(select=select, limit=None)
    expected = _python_export(monkeypatch, tricky, query_)
    _forbid_python_cells(monkeypatch)
    assert _export(tricky, query_) == expected
    if select == "text":
        assert b'\r\n""\r\n' in expected


def test_the_sample_csv_is_unchanged(monkeypatch, tmp_path):
    version = sample_version(tmp_path)
    for query_ in (
        EVERYTHING,
        RecordsQuery(select="department, count(*) as n, avg(area)", group_by="department"),
        RecordsQuery(select="name, population * 1.5 as more, year(founded)", limit=None),
        RecordsQuery(where=("population > 50000",), order_by="population desc", limit=3),
    ):
        expected = _python_export(monkeypatch, version, query_, delimiter=";", bom=True)
        with monkeypatch.context() as patched:
            patched.setattr(exports, "_csv_cell", None)  # DuckDB writes every cell
            assert _export(version, query_, delimiter=";", bom=True) == expected


def test_columns_only_python_renders_keep_the_python_path(monkeypatch, tmp_path):
    """Date-times in a chosen time zone, lists and points are formatted by Python."""
    version = sample_version(tmp_path)
    zoned = RecordsQuery(select="name, updated", timezone="Europe/Paris", limit=None)
    data = _export(version, zoned)
    assert b"2024-01-31T11:00:00+01:00" in data
    assert data == _python_export(monkeypatch, version, zoned)


def test_a_narrowed_schema_exports_only_its_columns(tmp_path):
    version = sample_version(tmp_path)
    visible = {"fields": [f for f in SAMPLE_SCHEMA["fields"] if f["name"] in ("name", "code")]}
    narrowed = type(version)(**{**version.__dict__, "schema": visible})
    lines = _export(narrowed, EVERYTHING).decode().splitlines()
    assert lines[0] == "name,code"
    assert lines[1] == "Évry-Courcouronnes,91228"
