"""Exports stream the query's rows as CSV, JSON, JSON Lines or Parquet, read back here."""

import csv
import io
import json

import duckdb
import pytest

from territoria.datastore.engine import sandbox_for
from territoria.datastore.errors import QueryError
from territoria.datastore.exports import UTF8_BOM
from territoria.datastore.query import QueryEngine, RecordsQuery
from tests.datastore.test_query_records import sample_version, write_version

EVERYTHING = RecordsQuery(limit=None)


@pytest.fixture
def version(tmp_path):
    return sample_version(tmp_path)


@pytest.fixture
def engine():
    return QueryEngine(timeout=10)


def read_all(export) -> bytes:
    return b"".join(export.chunks)


def read_parquet(data: bytes, tmp_path) -> tuple[list[str], list[tuple]]:
    path = tmp_path / "read-back.parquet"
    path.write_bytes(data)
    connection = duckdb.connect()
    try:
        relation = connection.execute(f"SELECT * FROM '{path}'")
        names = [column[0] for column in relation.description]
        return names, relation.fetchall()
    finally:
        connection.close()


def test_csv_has_a_header_commas_and_utf8(engine, version):
    export = engine.export(version, EVERYTHING, "csv")
    assert (export.content_type, export.extension) == ("text/csv; charset=utf-8", "csv")
    text = read_all(export).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "name",
        "code",
        "department",
        "population",
        "area",
        "founded",
        "updated",
        "capital",
    ]
    assert rows[1] == [
        "Évry-Courcouronnes",
        "91228",
        "Essonne",
        "67000",
        "18.4",
        "2019-01-01",
        "2024-01-31T10:00:00",
        "true",
    ]
    assert rows[5][:2] == ["L'Abergement-Clémenciat", "01001"]
    assert rows[7] == ["", "99999", "", "", "", "", "", ""]
    assert len(rows) == 9


def test_csv_with_semicolons_and_a_bom_for_spreadsheets(engine, version):
    query = RecordsQuery(select="name, area", where=("code = '42218'",), limit=None)
    data = read_all(engine.export(version, query, "csv", delimiter=";", bom=True))
    assert data.startswith(UTF8_BOM)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["name", "area"], ["Saint-Étienne", "79.97"]]


def test_csv_quotes_values_that_need_it(engine, tmp_path):
    schema = {"fields": [{"name": "text", "type": "string"}]}
    version = write_version(tmp_path, "SELECT 'a;b \"c\"' || chr(10) || 'd' AS text", schema)
    data = read_all(engine.export(version, EVERYTHING, "csv", delimiter=";"))
    assert list(csv.reader(io.StringIO(data.decode()), delimiter=";")) == [
        ["text"],
        ['a;b "c"\nd'],
    ]


def test_json_is_an_array_of_the_records_the_api_returns(engine, version):
    query = RecordsQuery(where=("population > 50000",), order_by="population desc", limit=None)
    export = engine.export(version, query, "json")
    assert (export.content_type, export.extension) == ("application/json", "json")
    exported = json.loads(read_all(export))
    page = engine.records(version, RecordsQuery(**{**query.__dict__, "limit": 100}))
    assert exported == page.results
    assert [row["name"] for row in exported] == [
        "Paris",
        "Lyon",
        "Saint-Étienne",
        "Ajaccio",
        "Évry-Courcouronnes",
    ]


def test_json_of_nothing_is_an_empty_array(engine, version):
    query = RecordsQuery(where=("population < 0",), limit=None)
    assert json.loads(read_all(engine.export(version, query, "json"))) == []


def test_jsonl_has_one_record_per_line(engine, version):
    query = RecordsQuery(select="code, founded", limit=2, offset=3)
    export = engine.export(version, query, "jsonl")
    lines = read_all(export).decode().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"code": "01053", "founded": "2024-03-15"},
        {"code": "01001", "founded": "2024-03-16"},
    ]
    assert export.extension == "jsonl"


def test_parquet_of_a_grouped_query_keeps_names_types_and_order(engine, version, tmp_path):
    query = RecordsQuery(
        select="count(*), sum(population) as people",
        group_by="department",
        order_by="people desc",
        limit=None,
    )
    export = engine.export(version, query, "parquet")
    assert export.content_type == "application/vnd.apache.parquet"
    names, rows = read_parquet(read_all(export), tmp_path)
    assert names == ["department", "count(*)", "people"]
    assert rows[:3] == [("Paris", 1, 2100000), ("Rhône", 1, 522000), ("Loire", 1, 173000)]
    assert rows[-1] == (None, 1, None)


def test_parquet_of_the_whole_version_is_the_version_file(engine, version):
    data = read_all(engine.export(version, EVERYTHING, "parquet"))
    assert data == version.parquet.read_bytes()
    assert engine.statements == 1  # reading the file's columns, not its rows


def test_columns_hidden_from_the_schema_never_leave_in_an_export(engine, version, tmp_path):
    visible = {"fields": [f for f in version.fields if f["name"] in ("name", "code")]}
    narrowed = type(version)(**{**version.__dict__, "schema": visible})
    names, rows = read_parquet(read_all(engine.export(narrowed, EVERYTHING, "parquet")), tmp_path)
    assert names == ["name", "code"]
    assert rows[0] == ("Évry-Courcouronnes", "91228")
    text = read_all(engine.export(narrowed, EVERYTHING, "csv")).decode()
    assert text.splitlines()[0] == "name,code"
    assert "Essonne" not in text
    found = engine.records(narrowed, RecordsQuery(where=('"essonne"',)))
    assert found.total_count == 0


def test_parquet_temporary_files_are_deleted(engine, version):
    query = RecordsQuery(where=("capital",), limit=None)
    scratch = sandbox_for(version.parquet).scratch
    export = engine.export(version, query, "parquet")
    assert list(scratch.glob("export-*"))
    read_all(export)
    assert not list(scratch.glob("export-*"))
    engine.export(version, query, "parquet").chunks.close()
    assert not list(scratch.glob("export-*"))


def test_exports_stream_in_batches(engine, tmp_path):
    schema = {"fields": [{"name": "n", "type": "integer"}, {"name": "t", "type": "string"}]}
    version = write_version(
        tmp_path, "SELECT range AS n, 'row ' || range AS t FROM range(12000)", schema
    )
    chunks = list(engine.export(version, EVERYTHING, "jsonl").chunks)
    assert len(chunks) == 3  # 5,000 + 5,000 + 2,000 rows
    assert sum(chunk.count(b"\n") for chunk in chunks) == 12000
    csv_chunks = list(engine.export(version, EVERYTHING, "csv").chunks)
    assert len(csv_chunks) == 4  # the header, then one chunk per batch
    rows = list(csv.reader(io.StringIO(b"".join(csv_chunks).decode())))
    assert rows[-1] == ["11999", "row 11999"]


def test_an_export_left_unread_can_be_closed(engine, version):
    export = engine.export(version, EVERYTHING, "csv")
    next(export.chunks)
    export.chunks.close()
    with pytest.raises(StopIteration):
        next(export.chunks)


def test_export_errors_are_raised_before_streaming(engine, version):
    with pytest.raises(QueryError) as caught:
        engine.export(version, EVERYTHING, "pdf")
    assert caught.value.param == "format"
    with pytest.raises(QueryError) as caught:
        engine.export(version, EVERYTHING, "csv", delimiter=";;")
    assert caught.value.param == "delimiter"
    with pytest.raises(QueryError) as caught:
        engine.export(version, RecordsQuery(where=("nope = 1",), limit=None), "json")
    assert (caught.value.param, caught.value.field) == ("where", "nope")
    with pytest.raises(QueryError) as caught:
        engine.export(version, RecordsQuery(limit=-2), "json")
    assert caught.value.param == "limit"


def test_exports_have_no_records_limit(engine, tmp_path):
    schema = {"fields": [{"name": "n", "type": "integer"}]}
    version = write_version(tmp_path, "SELECT range AS n FROM range(20000)", schema)
    for limit in (None, -1):
        export = engine.export(version, RecordsQuery(limit=limit, offset=10), "jsonl")
        assert len(read_all(export).splitlines()) == 19990
    export = QueryEngine().export(version, RecordsQuery(limit=500, offset=19800), "jsonl")
    assert len(read_all(export).splitlines()) == 200
