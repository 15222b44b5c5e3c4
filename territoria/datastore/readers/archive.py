"""Compressed sources (gzip, ZIP) opened without trusting them.

An archive is a producer's file like any other, and may be hostile: a ZIP member named
``../../settings.py`` or ``/etc/passwd`` (path traversal), or a few kilobytes that expand to
terabytes (a "zip bomb", e.g. 42.zip: 42 kB, 4.5 PB). So:

- member names are never used as paths: a member is streamed into a file of the work
  directory named by the reader, and a name that is absolute, holds ``..`` or a drive letter
  refuses the whole archive (it was made to attack, or by a broken tool);
- what a member or a gzip stream expands to is counted while it is decompressed, in blocks,
  and the reading stops past ``MAX_UNCOMPRESSED_BYTES`` or past ``MAX_RATIO`` times the
  compressed size (above ``RATIO_FREE_BYTES``: a small file of blanks compresses a lot);
  ZIP's declared sizes are checked first, so most bombs are refused before any byte is written;
- encrypted members and archives inside archives are refused with their reason.
"""

from __future__ import annotations

import gzip
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from territoria.datastore.errors import IngestError

# The largest source DESIGN.md plans for is a 5 GB CSV; four times that leaves room.
MAX_UNCOMPRESSED_BYTES = 20 * 1024**3
# Deflate cannot exceed about 1,032:1; real CSV exports reach 10–30:1 (the benchmark's French
# CSV: 8:1). Beyond 200:1 on more than RATIO_FREE_BYTES, the file is built to expand.
MAX_RATIO = 200
RATIO_FREE_BYTES = 64 * 1024**2
BLOCK_BYTES = 1 << 20
MAX_MEMBERS = 10_000

# What tools add to an archive besides the data: macOS resource forks, Windows thumbnails.
_JUNK_PREFIXES = ("__MACOSX/",)
_JUNK_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class Limits:
    """How far a decompression may go (see the module's docstring)."""

    max_bytes: int = MAX_UNCOMPRESSED_BYTES
    max_ratio: int = MAX_RATIO
    ratio_free_bytes: int = RATIO_FREE_BYTES

    def allowed(self, compressed: int) -> int:
        """The most bytes ``compressed`` bytes may expand to."""
        by_ratio = max(self.ratio_free_bytes, compressed * self.max_ratio)
        return min(self.max_bytes, by_ratio)


def gunzip(source: Path, dest: Path, limits: Limits | None = None) -> Path:
    """Decompress the gzip file ``source`` into ``dest``, in blocks, within ``limits``.

    Raises IngestError for a corrupt stream and for a stream expanding beyond the limits.
    """
    limits = limits or Limits()
    allowed = limits.allowed(source.stat().st_size)
    try:
        with gzip.open(source, "rb") as compressed:
            _copy_capped(compressed, dest, allowed, "gzip file")
    except (OSError, EOFError, zlib.error) as error:
        dest.unlink(missing_ok=True)
        raise IngestError(f"invalid gzip file: {error}") from error
    return dest


@dataclass(frozen=True)
class Member:
    """A data member of a ZIP archive: its name in the archive, normalised."""

    name: str  # POSIX path inside the archive, no leading ``./``
    size: int  # declared uncompressed size
    compressed: int

    @property
    def basename(self) -> str:
        return PurePosixPath(self.name).name


def zip_members(path: Path, limits: Limits | None = None) -> list[Member]:
    """The data members of the ZIP ``path`` (directories and tool junk left out), checked.

    Raises IngestError naming the member for a path traversal or an absolute name, an
    encrypted member, or declared sizes beyond ``limits``; and for an unreadable archive.
    """
    limits = limits or Limits()
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise IngestError(f"invalid ZIP archive: {error}") from error
    except NotImplementedError as error:  # a ZIP version the standard library cannot read
        raise IngestError(f"unsupported ZIP archive: {error}") from error
    if len(infos) > MAX_MEMBERS:
        raise IngestError(f"ZIP archive with {len(infos)} members (at most {MAX_MEMBERS})")
    members: list[Member] = []
    for info in infos:
        name = check_member_name(info.filename)
        if info.is_dir() or _is_junk(name):
            continue
        if info.flag_bits & 0x1:
            raise IngestError(f"ZIP member {name!r}: encrypted members are not supported")
        members.append(Member(name, info.file_size, info.compress_size))
    declared = sum(m.size for m in members)
    compressed = sum(m.compressed for m in members)
    if declared > limits.allowed(compressed):
        raise IngestError(
            f"ZIP archive expands to {declared:,} bytes from {compressed:,}: "
            "refused as a possible zip bomb"
        )
    return members


def check_member_name(name: str) -> str:
    """``name`` normalised (``\\`` as ``/``, no ``./``); IngestError if it leaves the archive."""
    posix = name.replace("\\", "/")
    parts = [part for part in posix.split("/") if part not in ("", ".")]
    absolute = posix.startswith("/") or (len(posix) > 1 and posix[1] == ":")
    if absolute or ".." in parts:
        raise IngestError(f"ZIP member {name!r}: a path outside the archive is refused")
    return "/".join(parts) + ("/" if posix.endswith("/") and parts else "")


def extract_member(path: Path, member: Member, dest: Path, limits: Limits | None = None) -> Path:
    """Stream ``member`` of the ZIP ``path`` into ``dest`` (a path chosen by the caller).

    Raises IngestError if it expands beyond ``limits`` or is corrupt (CRC, truncation).
    """
    limits = limits or Limits()
    allowed = min(limits.allowed(member.compressed), max(member.size, 0) or limits.max_bytes)
    try:
        with zipfile.ZipFile(path) as archive, archive.open(_info(archive, member)) as stream:
            _copy_capped(stream, dest, allowed, f"ZIP member {member.name!r}")
    except (
        zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError,
    ) as error:  # fmt: skip
        dest.unlink(missing_ok=True)
        raise IngestError(f"ZIP member {member.name!r}: {error}") from error
    return dest


def _info(archive: zipfile.ZipFile, member: Member) -> zipfile.ZipInfo:
    for info in archive.infolist():
        if check_member_name(info.filename) == member.name:
            return info
    raise IngestError(f"ZIP member {member.name!r} not found")


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def _copy_capped(stream: _Readable, dest: Path, allowed: int, what: str) -> None:
    written = 0
    with dest.open("wb") as out:
        for block in iter(lambda: stream.read(BLOCK_BYTES), b""):
            written += len(block)
            if written > allowed:
                raise IngestError(
                    f"{what} expands beyond {allowed:,} bytes: refused as a possible zip bomb"
                )
            out.write(block)


def _is_junk(name: str) -> bool:
    return name.startswith(_JUNK_PREFIXES) or PurePosixPath(name).name in _JUNK_NAMES


def common_folder(names: Iterable[str]) -> str:
    """The one folder every name lies in (``feed/`` for ``feed/stops.txt``…), else ``""``."""
    folders = {name.split("/", 1)[0] + "/" if "/" in name else "" for name in names}
    return folders.pop() if len(folders) == 1 else ""
