"""Sniffing delimited text: its encoding, its delimiter and its header.

A source is never held in memory: encodings are checked and converted in blocks of
``BLOCK_BYTES``, the delimiter and the header are read from a sample of ``SAMPLE_BYTES``.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from territoria.datastore.errors import IngestError

BLOCK_BYTES = 1 << 20
SAMPLE_BYTES = 1 << 20
SNIFF_RECORDS = 200
DELIMITERS = (";", ",", "\t", "|")
# Encodings as they are reported in the schema (``territoria:source.encoding``).
UTF8, UTF8_BOM, CP1252, UTF16 = "utf-8", "utf-8-sig", "cp1252", "utf-16"


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    header: list[str]
    skip: int  # empty lines before the header


def detect_encoding(path: Path) -> str:
    """``utf-8``, ``utf-8-sig`` (with a byte-order mark), ``utf-16`` (by its mark) or ``cp1252``.

    See ``sniff_encoding``; raises IngestError as it does.
    """
    return sniff_encoding(path).name


@dataclass(frozen=True)
class Encoding:
    """A file's encoding (as ``detect_encoding`` names it), and for UTF-8, whether the text
    holds a no-break space (U+00A0) or a narrow one (U+202F): blanks that do not sort first.
    ``nbsp`` is None when not known (Windows-1252: see ``scan_windows1252``; UTF-16)."""

    name: str
    nbsp: bool | None = None


def sniff_encoding(path: Path) -> Encoding:
    """The encoding of ``path``.

    The whole file is checked for UTF-8, not a sample: exports often hold their first accent
    millions of lines down. Windows-1252 rather than Latin-1 is the fallback because French
    files use its bytes 0x80–0x9F (€ œ ’ …), which Latin-1 reads as control characters.
    Raises IngestError naming the line where a UTF-8 file stops being UTF-8: guessing which
    of two encodings each line uses would corrupt one of them silently.
    """
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Encoding(UTF16)
    has_bom = head.startswith(codecs.BOM_UTF8)
    invalid, nbsp = _check_utf8(path)
    if invalid is None:
        return Encoding(UTF8_BOM if has_bom else UTF8, nbsp)
    offset, byte, after_utf8 = invalid
    if has_bom or after_utf8:
        line = line_at(path, offset)
        raise IngestError(
            f"line {line}: byte 0x{byte:02X} is not UTF-8 though the text before it is; "
            "the file mixes encodings",
            line=line,
        )
    return Encoding(CP1252)


def _check_utf8(path: Path) -> tuple[tuple[int, int, bool] | None, bool]:
    """Offset and value of the first byte that is not UTF-8, and whether UTF-8 text with
    non-ASCII characters came before it (None when the whole file is UTF-8); and whether
    the text before it holds a no-break space (searched in the decoded text: in the bytes,
    the search takes longer than the decoding, 0.2 s per 100 MB)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    position = 0
    seen_non_ascii = nbsp = False
    for block in _blocks(path):
        pending = len(decoder.getstate()[0])
        try:
            text = decoder.decode(block)
        except UnicodeDecodeError as error:
            before = error.object[: error.start]
            offset = position - pending + error.start
            return (offset, error.object[error.start], seen_non_ascii or not before.isascii()), nbsp
        nbsp = nbsp or "\u00a0" in text or "\u202f" in text
        seen_non_ascii = seen_non_ascii or not block.isascii()
        position += len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:  # a multi-byte character cut by the end of the file
        offset = position - len(error.object) + error.start
        return (offset, error.object[error.start], True), nbsp
    return None, nbsp


def transcode_to_utf8(source: Path, dest: Path, encoding: str) -> None:
    """Write ``source``, read as ``encoding``, to ``dest`` as UTF-8 without a byte-order mark.

    Raises IngestError on bytes the encoding does not define (five bytes of Windows-1252:
    0x81 0x8D 0x8F 0x90 0x9D, which appear in no French text written in it).
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    position = 0
    with dest.open("wb") as out:
        for block in _blocks(source):
            pending = len(decoder.getstate()[0])
            try:
                out.write(decoder.decode(block).encode("utf-8"))
            except UnicodeDecodeError as error:
                offset = position - pending + error.start
                raise _undecodable(source, encoding, offset, error.object[error.start]) from None
            position += len(block)
        try:
            out.write(decoder.decode(b"", final=True).encode("utf-8"))
        except UnicodeDecodeError as error:
            offset = position - len(error.object) + error.start
            raise _undecodable(source, encoding, offset, error.object[error.start]) from None


def _undecodable(path: Path, encoding: str, offset: int, byte: int) -> IngestError:
    if encoding == UTF16:
        return IngestError(f"invalid UTF-16 text at byte {offset}")
    line = line_at(path, offset)
    return IngestError(
        f"line {line}: byte 0x{byte:02X} is neither UTF-8 nor Windows-1252", line=line
    )


def normalise_line_endings(source: Path, dest: Path) -> None:
    """Copy ``source`` to ``dest`` with every CR LF turned into LF (line numbers unchanged).

    DuckDB's parser needs one line ending per file, and files appended to on two systems
    have both.
    """
    carry = b""
    with dest.open("wb") as out:
        for block in _blocks(source):
            data = carry + block
            carry = b"\r" if data.endswith(b"\r") else b""
            out.write(data[: len(data) - len(carry)].replace(b"\r\n", b"\n"))
        out.write(carry)


def has_mixed_line_endings(path: Path) -> bool:
    """Whether some lines end with CR LF and others with a bare LF (CR LF inside quoted
    fields counts too: the answer is only used where a needless rewrite is harmless)."""
    crlf = bare_lf = 0
    after_cr = False
    for block in _blocks(path):
        joined = block.count(b"\r\n") + (1 if after_cr and block.startswith(b"\n") else 0)
        crlf += joined
        bare_lf += block.count(b"\n") - joined
        if crlf and bare_lf:
            return True
        after_cr = block.endswith(b"\r")
    return False


def line_at(path: Path, offset: int) -> int:
    """The 1-based line of byte ``offset`` (a line ends at LF, CR LF or a lone CR)."""
    newlines = 0
    remaining = offset
    after_cr = False
    with path.open("rb") as handle:
        while remaining > 0 and (block := handle.read(min(BLOCK_BYTES, remaining))):
            newlines += block.count(b"\n") + block.count(b"\r") - block.count(b"\r\n")
            if after_cr and block.startswith(b"\n"):  # a CR LF cut between two blocks
                newlines -= 1
            after_cr = block.endswith(b"\r")
            remaining -= len(block)
    return newlines + 1


@dataclass(frozen=True)
class SpecialBytes:
    """What a pass over a file found: bytes 0x80–0x9F (where Windows-1252 and Latin-1
    differ), and no-break spaces (NBSP, narrow NBSP: blanks that do not sort first)."""

    c1: bool
    nbsp: bool


def scan_windows1252(path: Path) -> SpecialBytes:
    """The special bytes of a Windows-1252 file (NBSP is 0xA0; it has no narrow NBSP).

    Without a byte 0x80–0x9F, Latin-1 reads the file as Windows-1252 does, and DuckDB can
    decode it itself, in parallel, sparing the conversion (0.07 s against 0.32 s per 100 MB).
    """
    c1 = nbsp = False
    for block in _blocks(path):
        special = block.translate(None, _NOT_SPECIAL)
        nbsp = nbsp or b"\xa0" in special
        c1 = c1 or bool(special.replace(b"\xa0", b""))
        if c1 and nbsp:
            break
    return SpecialBytes(c1=c1, nbsp=nbsp)


_NOT_SPECIAL = bytes(b for b in range(256) if not 0x80 <= b <= 0xA0)


def read_sample(path: Path, encoding: str = UTF8) -> tuple[str, bool]:
    """The start of a UTF-8 (or ``latin-1``) file, cut after a whole line, without its
    byte-order mark. Returns the text and whether the file goes on beyond it.
    """
    with path.open("rb") as handle:
        data = handle.read(SAMPLE_BYTES + 1)
    truncated = len(data) > SAMPLE_BYTES
    if truncated:
        data = data[:SAMPLE_BYTES]
        end = data.rfind(b"\n")
        if end < 0:
            raise IngestError("line 1: the header line is longer than 1 MB", line=1)
        data = data[: end + 1]
    text = codecs.getincrementaldecoder(encoding)().decode(data, final=not truncated)
    return text.removeprefix("\ufeff"), truncated


def sniff_dialect(sample: str, *, truncated: bool) -> Dialect:
    """The delimiter among ``; , tab |`` that splits the sample most regularly, and the header.

    Each candidate is scored on the records of the sample, quotes respected: first that it
    gives the header more than one field, then the share of records as wide as the header,
    then the width itself. A single-column file gets the candidate that splits no record.
    Raises IngestError("empty file") when the sample holds no line.
    """
    body = sample.lstrip("\r\n")
    skip = _count_lines(sample[: len(sample) - len(body)])
    if not body.strip():
        raise IngestError("empty file")
    best: tuple[tuple[bool, float, int], str, list[str]] | None = None
    for delimiter in DELIMITERS:
        records = _sample_records(body, delimiter, truncated=truncated)
        if not records:
            continue
        width = len(records[0])
        regular = sum(len(record) == width for record in records) / len(records)
        score = (width > 1, regular, width)
        if best is None or score > best[0]:
            best = (score, delimiter, records[0])
    if best is None:
        raise IngestError("line 1: the header line cannot be read")
    _, delimiter, header = best
    return Dialect(delimiter=delimiter, header=[title.strip() for title in header], skip=skip)


def _sample_records(body: str, delimiter: str, *, truncated: bool) -> list[list[str]]:
    reader = csv.reader(io.StringIO(body), delimiter=delimiter)
    records: list[list[str]] = []
    try:
        for record in reader:
            if record:
                records.append(record)
            if len(records) > SNIFF_RECORDS:
                return records[:SNIFF_RECORDS]
    except csv.Error:  # a field longer than the csv module accepts: judge on what was read
        pass
    if truncated and len(records) > 1:
        records.pop()  # may have been cut by the end of the sample
    return records


def _count_lines(blank: str) -> int:
    return blank.count("\n") + blank.count("\r") - blank.count("\r\n")


def _blocks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        yield from iter(lambda: handle.read(BLOCK_BYTES), b"")
