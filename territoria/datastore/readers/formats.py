"""What a source file is, told from its first bytes rather than from its name.

Producers upload ``export.txt`` that is CSV, ``data.csv`` that is an Excel workbook, and JSON
saved as ``.csv``: the name is a hint at best, so only the content decides.
"""

from __future__ import annotations

import codecs
import re
import zipfile
import zlib
from pathlib import Path
from typing import Literal

from territoria.datastore.errors import IngestError

SourceFormat = Literal[
    "csv", "parquet", "json", "jsonl", "gzip", "zip", "xlsx", "xlsb", "xls", "ods", "geojson",
    "gtfs",
]  # fmt: skip
# The legacy Office container (OLE2): an XLS workbook, or a Word or Outlook file that the
# spreadsheet reader then refuses.
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# GTFS files that tell a feed from any other ZIP (gtfs.org/schedule/reference).
GTFS_MARKERS = frozenset({"stops.txt", "stop_times.txt", "trips.txt", "routes.txt", "agency.txt"})

HEAD_BYTES = 64 * 1024

# Formats recognised by their signature, refused with their name so the producer knows why.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF document"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"ARROW1", "Arrow IPC file"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_GEOJSON = re.compile(r'"type"\s*:\s*"(FeatureCollection|Feature)"')


def detect_format(path: Path) -> SourceFormat:
    """The format of ``path``: ``csv`` for any delimited text, whatever its extension.

    Raises IngestError("empty file") for a file holding nothing but blanks, and
    IngestError("unsupported format: …") naming what the file is when it is known.
    """
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_format(path)
    if head.startswith(OLE2):
        return "xls"
    if head.lstrip().startswith(b"\x1e"):
        return "geojson"  # a GeoJSON text sequence (RFC 8142): records open with RS
    for signature, description in _SIGNATURES:
        if head.startswith(signature):
            raise IngestError(f"unsupported format: {description}")
    if head.startswith(_UTF16_BOMS):
        text = head.decode("utf-16", errors="replace")
    elif b"\x00" in head:
        raise IngestError("unsupported format: binary file")
    else:
        text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    text = text.lstrip()
    if not text:
        if _is_blank(path):
            raise IngestError("empty file")
        return "csv"
    return _text_format(text)


def _text_format(text: str) -> SourceFormat:
    """JSON opens with ``[`` or ``{``, which no header line of a French CSV does."""
    if text.startswith("["):
        inner = text[1:].lstrip()
        if inner[:1] in ("{", "]", ""):
            return "json"
        raise IngestError("unsupported format: JSON array of values (expected objects)")
    if text.startswith("{"):
        if _GEOJSON.search(text):
            return "geojson"
        return "jsonl"
    return "csv"


def _is_blank(path: Path) -> bool:
    """Whether the whole file is blanks (read in blocks: a file of spaces can be large)."""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            if block.replace(codecs.BOM_UTF8, b"").strip():
                return False
    return True


def _zip_format(path: Path) -> SourceFormat:
    """A ZIP is a workbook (XLSX, ODS), a GTFS feed, or an archive of one table (``zip``).

    Raises IngestError naming what else it is (a shapefile), or when it cannot be opened.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as error:
        raise IngestError(f"invalid ZIP archive: {error}") from error
    except (NotImplementedError, RuntimeError) as error:  # ZIP versions, encrypted mimetype
        raise IngestError(f"unsupported ZIP archive: {error}") from error
    if b"opendocument.spreadsheet" in mimetype:
        return "ods"
    if mimetype:
        raise IngestError(f"unsupported format: {mimetype.decode('ascii', 'replace')}")
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "[Content_Types].xml" in names:
        raise IngestError("unsupported format: Office document that is not a workbook")
    basenames = {name.replace("\\", "/").rsplit("/", 1)[-1] for name in names}
    if len(basenames & GTFS_MARKERS) >= 2:
        return "gtfs"
    if any(name.lower().endswith(".shp") for name in names):
        raise IngestError("unsupported format: zipped shapefile")
    return "zip"
