"""Compressed sources: gzip and a ZIP of one table are read; hostile archives are refused."""

from __future__ import annotations

import gzip
import io
import struct
import zipfile

import pytest

from territoria.datastore.errors import IngestError
from territoria.datastore.readers import archive
from territoria.datastore.readers.archive import Limits, check_member_name, gunzip
from tests.datastore.test_readers import read_error, read_source

CSV = "code;valeur;libellé\n01001;1,5;été\n2A004;2;hiver\n".encode("cp1252")


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name), data, compression)
    return buffer.getvalue()


def test_zip_holding_one_csv_is_read_and_macos_junk_is_ignored(tmp_path):
    content = _zip(
        {"export/données.csv": CSV, "__MACOSX/._données.csv": b"\x00\x05", ".DS_Store": b"x"}
    )
    read = read_source(tmp_path, content, name="export.zip")
    assert read.rows == [("01001", 1.5, "été"), ("2A004", 2.0, "hiver")]
    assert read.source["compression"] == "zip"
    assert read.source["member"] == "export/données.csv"
    assert read.source["encoding"] == "cp1252"


def test_zip_holding_json_lines_is_read(tmp_path):
    read = read_source(tmp_path, _zip({"a.jsonl": b'{"a": 1}\n{"a": 2}\n'}))
    assert read.rows == [(1,), (2,)]
    assert read.source["format"] == "jsonl"


def test_gzipped_tsv_is_read(tmp_path):
    read = read_source(tmp_path, gzip.compress(b"a\tb\n1\tx\n"), name="data.tsv.gz")
    assert read.rows == [(1, "x")]
    assert read.source["delimiter"] == "\t"
    assert read.source["compression"] == "gzip"


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "/etc/passwd", "a/../../b.csv", "..\\..\\win.csv", "C:/x.csv"]
)
def test_zip_member_outside_the_archive_refuses_it(tmp_path, name):
    message = str(read_error(tmp_path, _zip({name: CSV})))
    assert message == f"ZIP member {name!r}: a path outside the archive is refused"
    assert not (tmp_path.parent / "etc").exists()


def test_member_names_are_normalised_not_trusted():
    assert check_member_name("./dossier\\données.csv") == "dossier/données.csv"
    with pytest.raises(IngestError):
        check_member_name("dossier/../../x")


def test_zip_bomb_is_refused_from_its_declared_sizes_before_any_byte_is_written(tmp_path):
    bomb = _zip({"bomb.csv": b"a;b\n" + b"0" * (80 * 1024**2)})  # 80 MiB of zeros: ~80 kB
    error = read_error(tmp_path, bomb)
    assert str(error).startswith("ZIP archive expands to 83,886,084 bytes from ")
    assert str(error).endswith(": refused as a possible zip bomb")
    assert not list(tmp_path.rglob("source.unzipped"))


def test_zip_member_lying_about_its_size_stops_at_the_declared_size(tmp_path):
    """Python's zipfile stops a member at its declared size and checks its CRC: a member
    announcing 10 bytes and holding a megabyte is refused as corrupt, not expanded."""
    content = bytearray(_zip({"x.csv": b"a\n" + b"1\n" * 500_000}))
    central = content.rindex(b"PK\x01\x02")
    struct.pack_into("<I", content, central + 24, 10)  # uncompressed size in the directory
    local = content.index(b"PK\x03\x04")
    struct.pack_into("<I", content, local + 22, 10)
    message = str(read_error(tmp_path, bytes(content)))
    assert message.startswith("ZIP member 'x.csv': Bad CRC-32")


def test_gzip_bomb_stops_while_decompressing(tmp_path):
    source = tmp_path / "bomb.gz"
    source.write_bytes(gzip.compress(b"0" * 5_000_000))  # ratio about 1,000:1
    limits = Limits(
        max_bytes=archive.MAX_UNCOMPRESSED_BYTES, max_ratio=200, ratio_free_bytes=1_000_000
    )
    with pytest.raises(IngestError) as caught:
        gunzip(source, tmp_path / "out", limits)
    assert str(caught.value).endswith("refused as a possible zip bomb")
    assert (tmp_path / "out").stat().st_size <= 1_000_000


def test_encrypted_zip_member_is_refused(tmp_path):
    content = bytearray(_zip({"x.csv": CSV}, zipfile.ZIP_STORED))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = content.index(signature)
        content[position + offset] |= 0x1
    assert str(read_error(tmp_path, bytes(content))) == (
        "ZIP member 'x.csv': encrypted members are not supported"
    )


def test_zip_of_several_files_or_of_an_archive_is_refused_with_its_reason(tmp_path):
    several = _zip({"a.csv": CSV, "b.csv": CSV})
    assert str(read_error(tmp_path, several)) == (
        "ZIP archive holding 2 files (a.csv, b.csv): expected one table"
    )
    nested = _zip({"inner.zip": _zip({"a.csv": CSV})})
    assert str(read_error(tmp_path, nested)) == "unsupported format: archive inside a ZIP archive"
    assert str(read_error(tmp_path, _zip({}))) == "empty file: the ZIP archive holds no file"
    assert str(read_error(tmp_path, b"PK\x03\x04garbage")).startswith("invalid ZIP archive: ")


def test_ten_thousand_columns_are_refused_with_their_count(tmp_path):
    header = ";".join(f"c{i}" for i in range(10_000))
    row = ";".join(str(i) for i in range(10_000))
    message = str(read_error(tmp_path, f"{header}\n{row}\n".encode()))
    assert message == "10,000 columns: at most 1,000 are supported"
