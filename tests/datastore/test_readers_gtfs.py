"""GTFS feeds: checked against the reference (errors and warnings by file, line and field)."""

from __future__ import annotations

import pytest

from territoria.datastore.errors import IngestError
from territoria.datastore.readers import read_to_parquet
from territoria.datastore.readers.gtfs import GtfsRefused, is_gtfs, open_gtfs
from tests.datastore.gtfs_feeds import FEED, write_feed


def _open(tmp_path, **kwargs):
    source = write_feed(tmp_path / "feed.zip", **kwargs)
    work = tmp_path / "work"
    work.mkdir()
    return open_gtfs(source, work)


def test_valid_feed_gives_one_csv_per_file_stops_first_and_a_clean_report(tmp_path):
    feed = _open(tmp_path)
    assert list(feed.tables)[:5] == [
        "stops.txt", "routes.txt", "agency.txt", "trips.txt", "stop_times.txt",
    ]  # fmt: skip
    assert set(feed.tables) == set(FEED)
    assert feed.tables["stops.txt"].read_text() == FEED["stops.txt"]
    assert feed.report.errors == []
    assert feed.report.warnings == []
    assert feed.report.rows["stop_times.txt"] == 3


def test_feed_without_stop_times_is_refused_with_its_reason(tmp_path):
    with pytest.raises(GtfsRefused) as caught:
        _open(tmp_path, drop=["stop_times.txt"])
    assert str(caught.value) == (
        "GTFS feed refused: stop_times.txt is missing (required by the GTFS reference)"
    )
    assert caught.value.report.errors == [
        {
            "code": "missing_file",
            "file": "stop_times.txt",
            "line": None,
            "field": None,
            "message": "stop_times.txt is missing (required by the GTFS reference)",
        }
    ]


def test_feed_without_any_calendar_or_with_a_required_field_missing_is_refused(tmp_path):
    with pytest.raises(GtfsRefused, match="calendar.txt and calendar_dates.txt are both missing"):
        _open(tmp_path, drop=["calendar.txt"])
    (tmp_path / "b").mkdir()
    with pytest.raises(GtfsRefused) as caught:
        _open(tmp_path / "b", replace={"agency.txt": "agency_name,agency_url\nMet,https://x\n"})
    assert (
        str(caught.value) == "GTFS feed refused: agency.txt has no field agency_timezone (required)"
    )
    assert caught.value.report.errors[0]["line"] == 1
    assert caught.value.report.errors[0]["field"] == "agency_timezone"


def test_blank_values_and_unknown_references_are_reported_by_line(tmp_path):
    stop_times = FEED["stop_times.txt"] + "T9,09:00:00,09:00:00,0001,1\nT1,,,0404,3\n"
    trips = FEED["trips.txt"] + "L1,,T3\n"
    feed = _open(tmp_path, replace={"stop_times.txt": stop_times, "trips.txt": trips})
    errors = [(e["file"], e["line"], e["field"], e["code"]) for e in feed.report.errors]
    assert errors == [
        ("trips.txt", 4, "service_id", "missing_value"),
        ("stop_times.txt", 5, "trip_id", "unknown_reference"),
        ("stop_times.txt", 6, "stop_id", "unknown_reference"),
    ]
    assert feed.report.errors[1]["message"] == "line 5: trip_id not found in trips.txt"


def test_many_errors_name_the_first_lines_and_count_the_rest(tmp_path):
    trips = FEED["trips.txt"] + "".join(f"L1,,X{i}\n" for i in range(12))
    feed = _open(tmp_path, replace={"trips.txt": trips})
    assert [e["line"] for e in feed.report.errors] == [4, 5, 6, 7, 8, None]
    assert feed.report.errors[-1]["message"] == "7 more lines: service_id is blank (required)"
    assert feed.report.errors[-1]["count"] == 12


def test_files_in_a_folder_and_unknown_files_are_warnings(tmp_path):
    feed = _open(
        tmp_path, folder="gtfs-met/", extra={"notes.txt": "a\n1\n", "LISEZMOI.pdf": "%PDF"}
    )
    codes = [(w["code"], w["file"]) for w in feed.report.warnings]
    assert codes == [
        ("files_in_folder", "gtfs-met/"),
        ("unknown_file", "notes.txt"),
        ("ignored_file", "gtfs-met/LISEZMOI.pdf"),
    ]
    assert "notes.txt" in feed.tables


def test_gtfs_is_told_from_content_and_refused_by_the_one_table_reader(tmp_path):
    source = write_feed(tmp_path / "export.csv")
    assert is_gtfs(source)
    (tmp_path / "w").mkdir()
    with pytest.raises(IngestError, match="^GTFS feed: several tables"):
        read_to_parquet(source, tmp_path / "w" / "x.parquet", work_dir=tmp_path / "w")
    text = tmp_path / "stops.txt"
    text.write_text(FEED["stops.txt"])
    assert not is_gtfs(text)
