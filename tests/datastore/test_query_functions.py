"""Select functions, group_by ranges and dates, lang and timezone on the sample version."""

from typing import Any

import pytest

from territoria.datastore.errors import QueryError
from territoria.datastore.query import QueryEngine, RecordsQuery
from tests.datastore.test_query_records import sample_version


@pytest.fixture(scope="module")
def version(tmp_path_factory):
    return sample_version(tmp_path_factory.mktemp("functions"))


@pytest.fixture
def engine() -> QueryEngine:
    return QueryEngine(timeout=30)


def rows(engine: QueryEngine, version, **query: Any) -> list[dict[str, Any]]:
    return engine.records(version, RecordsQuery(**{"limit": 100, **query})).results


def test_date_format_writes_month_and_day_names_in_the_query_language(engine, version):
    select = "date_format(founded, 'EEEE d MMMM yyyy') AS f"
    french = rows(engine, version, select=select, where=("name = 'Lyon'",))
    assert french == [{"f": "dimanche 31 décembre 2023"}]
    english = rows(engine, version, select=select, where=("name = 'Lyon'",), lang="en")
    assert english == [{"f": "Sunday 31 December 2023"}]
    quoted = rows(engine, version, select="date_format(founded, \"yyyy-MM 'T'Q\") AS f", limit=1)
    assert quoted == [{"f": "2019-01 T1"}]


def test_timezone_moves_date_functions_and_date_times_to_local_time(engine, version):
    select = "updated, hour(updated) AS h, date_format(updated, 'yyyy-MM-dd HH:mm') AS f"
    where = ("name = 'Évry-Courcouronnes'",)
    assert rows(engine, version, select=select, where=where) == [
        {"updated": "2024-01-31T10:00:00", "h": 10, "f": "2024-01-31 10:00"}
    ]
    assert rows(engine, version, select=select, where=where, timezone="Europe/Paris") == [
        {"updated": "2024-01-31T11:00:00+01:00", "h": 11, "f": "2024-01-31 11:00"}
    ]


def test_timezone_reads_dates_in_where_as_local_wall_clock_times(engine, version):
    where = ("updated = date'2024-01-31T11:00'",)
    assert rows(engine, version, select="code", where=where) == []
    paris = rows(engine, version, select="code", where=where, timezone="Europe/Paris")
    assert paris == [{"code": "91228"}]
    # A date with its own zone means what it says, whatever the timezone parameter.
    zoned = ("updated = date'2024-01-31T10:00Z'",)
    assert rows(engine, version, select="code", where=zoned, timezone="Asia/Tokyo") == paris


def test_group_by_date_format_counts_per_month_with_nulls_in_their_own_last_group(engine, version):
    results = rows(
        engine, version, group_by="date_format(founded, 'yyyy-MM') AS m", select="count(*) AS n"
    )
    assert results == [
        {"m": "2019-01", "n": 1},
        {"m": "2023-06", "n": 1},
        {"m": "2023-12", "n": 1},
        {"m": "2024-03", "n": 2},
        {"m": None, "n": 3},
    ]


def test_group_by_range_shows_intervals_sorted_by_their_low_bound(engine, version):
    results = rows(
        engine,
        version,
        group_by="range(population, 100000) AS band",
        select="count(*) AS n, sum(population) AS total",
    )
    assert [(r["band"], r["n"]) for r in results] == [
        ("[0, 100000[", 4),
        ("[100000, 200000[", 1),
        ("[500000, 600000[", 1),
        ("[2100000, 2200000[", 1),
        (None, 1),
    ]


def test_arithmetic_aliases_and_ifnull(engine, version):
    results = rows(
        engine,
        version,
        select="name, ifnull(department, 'inconnu') AS d, population / area AS density,"
        " upper(code) AS c, length(name) AS l",
        where=("code IN ('2A004', '99999')",),
    )
    assert results[0]["d"] == "Corse-du-Sud" and results[0]["c"] == "2A004"
    assert results[0]["density"] == pytest.approx(73000 / 82.0)
    assert results[1] == {"name": None, "d": "inconnu", "density": None, "c": "99999", "l": None}


def test_aggregates_median_percentile_and_distinct_counts(engine, version):
    (result,) = rows(
        engine,
        version,
        select="count(distinct department) AS d, median(population) AS m,"
        " percentile(population, 90) AS p, min(founded) AS first, max(founded) AS last",
    )
    assert result["d"] == 6
    assert result["m"] == 73000
    assert result["first"] == "2019-01-01" and result["last"] == "2024-03-16"


def test_now_shifts_by_named_amounts(engine, version):
    recent = rows(engine, version, select="name", where=("updated > now(years=-100)",))
    assert len(recent) == 3
    assert rows(engine, version, select="name", where=("updated > now(days=1)",)) == []


@pytest.mark.parametrize(
    ("query", "param", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone", "unknown time zone"),
        ({"lang": "tlh"}, "lang", "unknown language"),
        ({"select": "date_format(founded, 'yyyy-bb')"}, "select", "unsupported pattern"),
        ({"select": "ifnull(population, 'x')"}, "select", "two values of one kind"),
        ({"group_by": "range(name, 10)"}, "group_by", "range() groups numbers"),
        ({"group_by": "range(population, 0)"}, "group_by", "positive"),
        ({"where": "updated > now(weekday=1)"}, "where", "now() takes shifts"),
        ({"select": "nope"}, "select", "unknown field 'nope'"),
    ],
)
def test_faults_are_query_errors_naming_the_parameter(engine, version, query, param, message):
    if "where" in query:
        query = {**query, "where": (query["where"],)}
    with pytest.raises(QueryError) as caught:
        engine.records(version, RecordsQuery(**query))
    assert caught.value.param == param
    assert message in caught.value.message


def test_group_by_range_with_bounds_opens_the_ends_with_a_star(engine, version):
    results = rows(
        engine,
        version,
        group_by="range(population, *, 50000, 200000, *) AS band",
        select="count(*) AS n",
    )
    assert results == [
        {"band": "[*, 50000[", "n": 2},
        {"band": "[50000, 200000[", "n": 3},
        {"band": "[200000, *]", "n": 2},
        {"band": None, "n": 1},
    ]
    closed = rows(engine, version, group_by="range(area, 20, 50)", select="count(*) AS n")
    assert closed == [
        {"range(area, 20, 50)": "[20, 50[", "n": 2},
        {"range(area, 20, 50)": None, "n": 6},
    ]
