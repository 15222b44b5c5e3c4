"""Fuzzing the readers: whatever bytes arrive, the answer is a version or one IngestError.

Hypothesis mutates small valid sources of every format (and throws raw bytes); an input
that ever made a reader fail another way is kept in ``corpus/`` and replayed here. To add
one: save the bytes as ``corpus/<what-it-is>.bin``; the test names the file when it fails.
"""

from __future__ import annotations

import datetime
import gzip
import io
import itertools
import json
import zipfile
from pathlib import Path

import pytest
import xlwt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territoria.datastore.errors import IngestError
from territoria.datastore.readers import read_to_parquet
from tests.datastore.gtfs_feeds import FEED
from tests.datastore.workbooks import ods, xlsx

CORPUS = Path(__file__).with_name("corpus")
_runs = itertools.count()


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _xls() -> bytes:
    book = xlwt.Workbook()
    sheet = book.add_sheet("F")
    for r, row in enumerate([["a", "b"], [1, "x"], [2.5, "y"]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SEEDS = [
    "code;valeur;date\n01001;1,5;01/02/2024\n2A004;2;03/04/2024\n".encode("cp1252"),
    b'a,b\n"x\ny",1\n',
    b'[{"a": 1, "b": "x"}, {"a": 2, "b": null}]',
    b'{"a": 1}\n{"a": 2, "c": [1]}\n',
    xlsx([("F", [["a", "b"], [1, "x"], [2.5, datetime.date(2024, 1, 1)]])]),
    ods([("F", [["a", "b"], [1, "x"]])]),
    _xls(),
    gzip.compress(b"a,b\n1,2\n"),
    _zip({"a.csv": "a;b\n1;2\n"}),
    _zip({"stops.txt": FEED["stops.txt"], "routes.txt": FEED["routes.txt"]}),
]
GEOJSON_SEED = json.dumps(
    {
        "type": "Feature",
        "properties": {"n": 1},
        "geometry": {"type": "Point", "coordinates": [1, 2]},
    }
).encode()


def _read(tmp_path: Path, content: bytes) -> None:
    """Read ``content``: a version, or an IngestError with a one-line message."""
    run = tmp_path / f"run-{next(_runs)}"
    run.mkdir()
    source = run / "upload.csv"
    source.write_bytes(content)
    try:
        result = read_to_parquet(source, run / "data.parquet", work_dir=run)
    except IngestError as error:
        assert str(error).strip(), "an IngestError says why"
        assert "\n" not in str(error)
    else:
        assert result.row_count >= 0
        assert (run / "data.parquet").is_file()
    assert sorted(p.name for p in run.iterdir()) in (["upload.csv"], ["data.parquet", "upload.csv"])


@st.composite
def mutated(draw, seeds=SEEDS) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data)))
        operation = draw(st.sampled_from(["flip", "cut", "insert", "truncate"]))
        if operation == "flip" and position < len(data):
            data[position] = draw(st.integers(0, 255))
        elif operation == "cut":
            del data[position : position + draw(st.integers(1, 16))]
        elif operation == "insert":
            data[position:position] = draw(
                st.sampled_from([b";", b'"', b"\n", b"\r", b",", b"\x00", b"{", b"[", b"\xe9"])
            )
        else:
            del data[position:]
    return bytes(data)


FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(content=mutated())
def test_mutated_sources_are_read_or_refused_in_one_line(tmp_path, content):
    _read(tmp_path, content)


@FUZZ
@given(content=st.binary(max_size=512))
def test_random_bytes_are_read_or_refused_in_one_line(tmp_path, content):
    _read(tmp_path, content)


@settings(FUZZ, max_examples=8)  # DuckDB's spatial extension takes a second to load
@given(content=mutated([GEOJSON_SEED]))
def test_mutated_geojson_is_read_or_refused_in_one_line(tmp_path, content):
    _read(tmp_path, content)


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.bin")), ids=lambda p: p.stem)
def test_corpus_of_inputs_that_once_crashed_a_reader(tmp_path, path):
    _read(tmp_path, path.read_bytes())
