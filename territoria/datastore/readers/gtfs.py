"""GTFS feeds (a ZIP of CSV files, gtfs.org/schedule/reference): checked, then split into
one table per file.

``open_gtfs`` extracts the feed's files safely (``archive``) and checks it against the GTFS
reference, as transport.data.gouv.fr's validator does, into a report of errors and warnings,
each naming its ``file``, ``line`` (1-based, the header is line 1) and ``field``:

- structure (refuses the feed): a required file missing (``agency``, ``stops``, ``routes``,
  ``trips``, ``stop_times``, and ``calendar`` or ``calendar_dates``), a required field
  missing from a file's header, a file that is not UTF-8 CSV;
- content (reported, the feed is kept: the producer fixes it in the next export): a required
  value left blank, a reference to an unknown id (a trip's route, a stop time's trip or stop);
- warnings: files outside the reference (kept as tables), files in a folder of the ZIP.

Each file then becomes a table through the CSV reader, like any other CSV source.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from territoria.datastore.errors import IngestError
from territoria.datastore.readers.archive import (
    Member,
    common_folder,
    extract_member,
    zip_members,
)
from territoria.datastore.readers.connection import open_connection, sql_identifier, sql_string
from territoria.datastore.readers.formats import detect_format

REQUIRED_FILES = ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
CALENDAR_FILES = ("calendar.txt", "calendar_dates.txt")
_WEEK = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Fields the reference marks "Required" (conditionally required ones are checked below).
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "agency.txt": ("agency_name", "agency_url", "agency_timezone"),
    "stops.txt": ("stop_id",),
    "routes.txt": ("route_id", "route_type"),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "stop_sequence"),
    "calendar.txt": ("service_id", *_WEEK, "start_date", "end_date"),
    "calendar_dates.txt": ("service_id", "date", "exception_type"),
    "shapes.txt": ("shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"),
    "frequencies.txt": ("trip_id", "start_time", "end_time", "headway_secs"),
    "transfers.txt": ("transfer_type",),
    "feed_info.txt": ("feed_publisher_name", "feed_publisher_url", "feed_lang"),
}
# One field of each group must be in the header.
ONE_OF: dict[str, tuple[str, ...]] = {
    "routes.txt": ("route_short_name", "route_long_name"),
    "stop_times.txt": ("stop_id", "location_group_id", "location_id"),
}
OTHER_FILES = frozenset(
    {
        "levels.txt", "pathways.txt", "fare_attributes.txt", "fare_rules.txt",
        "fare_media.txt", "fare_products.txt", "fare_leg_rules.txt", "fare_transfer_rules.txt",
        "timeframes.txt", "areas.txt", "stop_areas.txt", "networks.txt", "route_networks.txt",
        "location_groups.txt", "location_group_stops.txt", "booking_rules.txt",
        "translations.txt", "attributions.txt", "rider_categories.txt", "fare_leg_join_rules.txt",
    }
)  # fmt: skip
# (file, field) -> (file, field) it refers to.
REFERENCES = (
    ("trips.txt", "route_id", "routes.txt", "route_id"),
    ("stop_times.txt", "trip_id", "trips.txt", "trip_id"),
    ("stop_times.txt", "stop_id", "stops.txt", "stop_id"),
)
LINES_PER_ISSUE = 5  # lines named for one kind of content error; the rest are counted
# The files that become the dataset's tables first (the first is what the Explore API serves).
TABLE_ORDER = ("stops.txt", "routes.txt", "agency.txt", "trips.txt", "stop_times.txt")


@dataclass
class GtfsReport:
    """Errors and warnings, each ``{"file", "line", "field", "code", "message"}``."""

    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    refusal: str | None = None  # the first error that refuses the feed
    rows: dict[str, int] = field(default_factory=dict)  # data rows per file

    def error(self, code: str, message: str, file: str, **place: Any) -> None:
        self.errors.append(_issue(code, message, file, **place))

    def warning(self, code: str, message: str, file: str, **place: Any) -> None:
        self.warnings.append(_issue(code, message, file, **place))

    def as_dict(self) -> dict[str, Any]:
        return {"errors": self.errors, "warnings": self.warnings, "rows": self.rows}


def _issue(code: str, message: str, file: str, **place: Any) -> dict[str, Any]:
    return {
        "code": code,
        "file": file,
        "line": place.get("line"),
        "field": place.get("field"),
        "message": message,
        **({"count": place["count"]} if "count" in place else {}),
    }


class GtfsRefused(IngestError):
    """The feed lacks what the GTFS reference requires; ``report`` says all of it."""

    def __init__(self, message: str, report: GtfsReport):
        super().__init__(message)
        self.report = report


@dataclass
class GtfsFeed:
    """The feed's files extracted as CSV (by file name, in ``TABLE_ORDER`` first) and its
    report."""

    tables: dict[str, Path]
    report: GtfsReport


def is_gtfs(path: Path) -> bool:
    """Whether ``path`` is a ZIP holding GTFS files (told from its content)."""
    try:
        return detect_format(path) == "gtfs"
    except IngestError:
        return False


def open_gtfs(source: Path, work: Path) -> GtfsFeed:
    """Extract and check the GTFS feed ``source`` into the existing directory ``work``.

    Raises GtfsRefused (an IngestError) naming the first structural error, and IngestError
    for an unsafe or unreadable ZIP (see ``archive``).
    """
    report = GtfsReport()
    members = zip_members(source)
    folder = common_folder(m.name for m in members)
    if folder:
        report.warning(
            "files_in_folder", f"the files are in the folder {folder!r}, not at the root", folder
        )
    by_name = _gtfs_members(members, folder, report)
    _check_required_files(by_name, report)
    headers: dict[str, list[str]] = {}
    tables: dict[str, Path] = {}
    files = work / "gtfs"
    files.mkdir()
    for index, (name, member) in enumerate(_ordered(by_name)):
        path = extract_member(source, member, files / f"{index:03d}.txt")
        header = _header(path, name, report)
        if header is None:
            continue
        headers[name] = header
        tables[name] = path
        _check_header(name, header, report)
    if report.refusal:
        raise GtfsRefused(f"GTFS feed refused: {report.refusal}", report)
    con = open_connection(work / "duckdb")
    try:
        _check_values(con, tables, headers, report)
    finally:
        con.close()
    return GtfsFeed(tables, report)


def _gtfs_members(members: list[Member], folder: str, report: GtfsReport) -> dict[str, Member]:
    by_name: dict[str, Member] = {}
    for member in members:
        name = member.name[len(folder) :]
        known = name in REQUIRED_FIELDS or name in OTHER_FILES
        if not name.endswith(".txt") or "/" in name:
            report.warning("ignored_file", "not a GTFS file: ignored", member.name)
            continue
        if not known:
            report.warning("unknown_file", "not in the GTFS reference: kept as a table", name)
        by_name[name] = member
    return by_name


def _ordered(by_name: dict[str, Member]) -> list[tuple[str, Member]]:
    first = [(name, by_name[name]) for name in TABLE_ORDER if name in by_name]
    rest = sorted((n, m) for n, m in by_name.items() if n not in TABLE_ORDER)
    return first + rest


def _structural(report: GtfsReport, code: str, message: str, file: str, **place: Any) -> None:
    report.error(code, message, file, **place)
    report.refusal = report.refusal or message


def _check_required_files(by_name: dict[str, Member], report: GtfsReport) -> None:
    for name in REQUIRED_FILES:
        if name not in by_name:
            _structural(
                report, "missing_file", f"{name} is missing (required by the GTFS reference)", name
            )
    if not any(name in by_name for name in CALENDAR_FILES):
        _structural(
            report,
            "missing_file",
            "calendar.txt and calendar_dates.txt are both missing (one is required)",
            "calendar.txt",
        )


def _header(path: Path, name: str, report: GtfsReport) -> list[str] | None:
    """The file's field names; None (with a warning) for an empty optional file."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except (UnicodeDecodeError, csv.Error) as error:
        _structural(report, "invalid_file", f"{name} is not UTF-8 CSV: {error}", name, line=1)
        return None
    if not header:
        if name in REQUIRED_FILES:
            _structural(report, "empty_file", f"{name} is empty", name, line=1)
        else:
            report.warning("empty_file", "empty file: ignored", name)
        return None
    return [title.strip() for title in header]


def _check_header(name: str, header: list[str], report: GtfsReport) -> None:
    for required in REQUIRED_FIELDS.get(name, ()):
        if required not in header:
            _structural(
                report,
                "missing_field",
                f"{name} has no field {required} (required)",
                name,
                line=1,
                field=required,
            )
    group = ONE_OF.get(name)
    if group and not any(f in header for f in group):
        _structural(
            report,
            "missing_field",
            f"{name} has none of the fields {', '.join(group)} (one is required)",
            name,
            line=1,
            field=group[0],
        )


def _relation(path: Path, header: list[str]) -> str:
    columns = "{" + ", ".join(f"{sql_string(f'c{i}')}: 'VARCHAR'" for i in range(len(header))) + "}"
    return (
        f"(SELECT row_number() OVER () + 1 AS line, * FROM read_csv({sql_string(str(path))},"
        " auto_detect = false, header = true, delim = ',', quote = '\"', escape = '\"',"
        f" null_padding = true, strict_mode = false, columns = {columns}))"
    )


def _column(header: list[str], name: str) -> str:
    return sql_identifier(f"c{header.index(name)}")


def _check_values(
    con: duckdb.DuckDBPyConnection,
    tables: dict[str, Path],
    headers: dict[str, list[str]],
    report: GtfsReport,
) -> None:
    """Blank required values and references to unknown ids, by line."""
    for name, path in tables.items():
        header, relation = headers[name], _relation(path, headers[name])
        try:
            count = con.execute(f"SELECT count(*) FROM {relation}").fetchone()
        except duckdb.Error as error:
            message = str(error).splitlines()[0]
            report.error("invalid_file", f"{name} cannot be read as CSV: {message}", name)
            continue
        report.rows[name] = int(count[0]) if count else 0
        for required in REQUIRED_FIELDS.get(name, ()):
            column = _column(header, required)
            _report_lines(
                con,
                f"SELECT line FROM {relation} WHERE nullif(trim({column}), '') IS NULL",
                report,
                code="missing_value",
                message=f"{required} is blank (required)",
                file=name,
                field=required,
            )
    for file, name, target_file, target in REFERENCES:
        if file not in tables or target_file not in tables:
            continue
        if name not in headers[file] or target not in headers[target_file]:
            continue
        source = _relation(tables[file], headers[file])
        known = _relation(tables[target_file], headers[target_file])
        column, key = _column(headers[file], name), _column(headers[target_file], target)
        _report_lines(
            con,
            f"SELECT line FROM {source} AS s WHERE nullif(trim(s.{column}), '') IS NOT NULL"
            f" AND s.{column} NOT IN (SELECT {key} FROM {known} WHERE {key} IS NOT NULL)",
            report,
            code="unknown_reference",
            message=f"{name} not found in {target_file}",
            file=file,
            field=name,
        )


def _report_lines(
    con: duckdb.DuckDBPyConnection,
    query: str,
    report: GtfsReport,
    *,
    code: str,
    message: str,
    file: str,
    field: str,
) -> None:
    row = con.execute(
        f"SELECT count(*), list(line ORDER BY line)[1:{LINES_PER_ISSUE}] FROM ({query})"
    ).fetchone()
    if not row or not row[0]:
        return
    total, lines = int(row[0]), row[1]
    for line in lines:
        report.error(code, f"line {line}: {message}", file, line=line, field=field)
    if total > len(lines):
        report.error(
            code, f"{total - len(lines)} more lines: {message}", file, field=field, count=total
        )
