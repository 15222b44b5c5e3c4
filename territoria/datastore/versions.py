"""Immutable versions on disk: one directory per version, written aside and renamed into place.

Layout under the store root::

    versions/<key>/data.parquet   the rows
    versions/<key>/version.json   VersionInfo (schema, row count, checksum, source, timestamps)
    tmp/<random>/                 work in progress; never read, removed by ``sweep_tmp``

A version becomes visible to ``open`` only by the final ``os.rename`` of its directory, which
is atomic on one filesystem: a killed ingestion leaves at most a ``tmp/`` directory behind.
Which version is *published* is not decided here but by the catalog (one database switch).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from territoria.datastore import progress as progress_module
from territoria.datastore.errors import IngestError
from territoria.datastore.progress import Cancelled, Progress
from territoria.datastore.readers import ReadResult, read_to_parquet

if TYPE_CHECKING:
    from territoria.datastore.restriction import TableView

PARQUET_NAME = "data.parquet"
INFO_NAME = "version.json"
# VersionInfo objects kept in memory, by version directory. A version never changes once
# written, so what its version.json says is read and parsed once per process: it cost
# 15-24 ms of each records request under load with the two catalog queries before it
# (docs/benchmarks.md, decision 0018). A schema of a few hundred fields is a few hundred kB.
KEPT_VERSION_INFOS = 256


@dataclass(frozen=True)
class VersionInfo:
    key: str
    parquet: Path
    row_count: int
    byte_size: int
    checksum: str
    source: str
    source_format: str
    schema: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""
    # Reports computed while staging (e.g. "validation"), each a JSON-able dict, by name.
    reports: dict[str, Any] = field(default_factory=dict)
    # What one caller may read of it (an agreement's columns, rows and cells), set by
    # ``restriction.restrict``; None: the whole version.
    view: TableView | None = None

    @property
    def fields(self) -> list[dict[str, Any]]:
        """The Table Schema fields: ``name`` (snake_case column), ``type``, ``title``…"""
        return list(self.schema.get("fields", []))

    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]


# transform(parquet, result, work_dir) -> result: rewrites ``parquet`` in place (through a
# file in ``work_dir`` and a rename) and returns the new row count and schema.
Transform = Callable[[Path, ReadResult, Path], ReadResult]
# check(parquet, schema) -> report: reads only; the report must be JSON-able.
Check = Callable[[Path, dict[str, Any]], dict[str, Any]]


def file_checksum(path: Path, progress: Progress | None = None) -> str:
    """SHA-256 of a file, read in 1 MiB blocks (``progress``: told the bytes done)."""
    digest = hashlib.sha256()
    done = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            if progress is not None:
                done += len(block)
                progress.advance(bytes_done=done)
                progress.check_cancelled()
    return digest.hexdigest()


def new_version_key() -> str:
    """A key that sorts by creation time and never collides: ``20261126T160201-9f3a1c2e``."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"


class VersionStore:
    """Writes and opens versions under ``root``. Safe for concurrent writers (unique keys)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _versions(self) -> Path:
        return self.root / "versions"

    def stage(
        self,
        source: Path,
        *,
        source_label: str | None = None,
        transform: Transform | None = None,
        checks: dict[str, Check] | None = None,
        progress: Progress | None = None,
    ) -> VersionInfo:
        """Read ``source`` into a new immutable version and return it.

        ``transform`` rewrites the freshly read Parquet file before anything else sees it
        (processing steps); each of ``checks`` reads the final file and its schema and
        returns a report kept in ``VersionInfo.reports`` under its name (validation…).
        Both run inside the work directory: if one raises, no version appears.
        ``progress`` follows the stages (``checksum``, ``read``, ``transform``, ``checks``)
        and may cancel them: then ``progress.Cancelled`` (or the reader's IngestError)
        is raised and, likewise, no version appears.

        Raises IngestError (one line, naming the place of the fault) if the file cannot be
        read; in that case nothing is left in ``versions/``.
        """
        if progress is not None and progress_module.current() is not progress:
            with progress_module.use(progress):  # its poller runs while the version is staged
                return self.stage(
                    source,
                    source_label=source_label,
                    transform=transform,
                    checks=checks,
                    progress=progress,
                )
        progress = progress_module.current()  # the caller's operation, if it has one
        source = Path(source)
        if not source.is_file():
            raise IngestError(f"{source}: no such file")
        tmp_root = self.root / "tmp"
        tmp_root.mkdir(parents=True, exist_ok=True)
        self._versions().mkdir(parents=True, exist_ok=True)
        work = Path(os.fspath(tmp_root / secrets.token_hex(8)))
        work.mkdir()
        try:
            progress_module.enter_stage("checksum", bytes_total=source.stat().st_size)
            checksum = file_checksum(source, progress)
            result = read_to_parquet(source, work / PARQUET_NAME, work_dir=work)
            if progress is not None:
                progress.check_cancelled()  # DuckDB may have been interrupted in a step it skips
                progress.advance(rows_done=result.row_count)
            if transform is not None:
                progress_module.enter_stage("transform")
                result = transform(work / PARQUET_NAME, result, work)
            progress_module.enter_stage("checks")
            reports = {
                name: check(work / PARQUET_NAME, result.schema)
                for name, check in (checks or {}).items()
            }
            key = new_version_key()
            info = VersionInfo(
                key=key,
                parquet=self._versions() / key / PARQUET_NAME,
                row_count=result.row_count,
                byte_size=(work / PARQUET_NAME).stat().st_size,
                checksum=checksum,
                source=source_label or source.name,
                source_format=result.source_format,
                schema=result.schema,
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                reports=reports,
            )
            for leftover in work.iterdir():
                if leftover.name != PARQUET_NAME:
                    _remove(leftover)
            (work / INFO_NAME).write_text(_dump_info(info))
            os.rename(work, self._versions() / key)
            return info
        except BaseException as error:
            shutil.rmtree(work, ignore_errors=True)
            if progress is not None and progress.cancelled and not isinstance(error, Cancelled):
                raise Cancelled() from error  # whichever DuckDB statement the interrupt hit
            raise

    def open(self, key: str) -> VersionInfo:
        """Return the version ``key``; raises KeyError if there is none.

        The VersionInfo may be shared with other callers: treat its schema and reports as
        read-only (``dataclasses.replace`` makes a changed copy).
        """
        if not key or "/" in key or key.startswith("."):
            raise KeyError(key)
        directory = self._versions() / key
        if not directory.is_dir():  # removed from the store: as if it never was
            raise KeyError(key)
        info = _known_infos.get(directory)
        if info is None:
            info = _read_info(directory, key)
            _known_infos.put(directory, info)
        return info

    def sweep_tmp(self) -> int:
        """Remove what killed ingestions left in ``tmp/``; returns how many were removed."""
        tmp_root = self.root / "tmp"
        if not tmp_root.exists():
            return 0
        removed = 0
        for entry in tmp_root.iterdir():
            _remove(entry)
            removed += 1
        return removed


def _read_info(directory: Path, key: str) -> VersionInfo:
    try:
        data = json.loads((directory / INFO_NAME).read_text())
    except FileNotFoundError:
        raise KeyError(key) from None
    data["parquet"] = directory / PARQUET_NAME
    return VersionInfo(**data)


class _KnownInfos:
    """The VersionInfo of the versions read lately, least recently used first out."""

    def __init__(self, size: int):
        self.size = size
        self._infos: OrderedDict[Path, VersionInfo] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, directory: Path) -> VersionInfo | None:
        with self._lock:
            info = self._infos.get(directory)
            if info is not None:
                self._infos.move_to_end(directory)
            return info

    def put(self, directory: Path, info: VersionInfo) -> None:
        with self._lock:
            self._infos[directory] = info
            while len(self._infos) > self.size:
                self._infos.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._infos.clear()


_known_infos = _KnownInfos(KEPT_VERSION_INFOS)


def _dump_info(info: VersionInfo) -> str:
    data = asdict(info)
    data.pop("parquet")
    data.pop("view")  # a caller's view is never stored
    return json.dumps(data, ensure_ascii=False, indent=1)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
