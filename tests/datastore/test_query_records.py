"""The records engine on a real Parquet version: filters, groups, order, pages, counts."""

from pathlib import Path
from typing import Any

import duckdb
import pytest

from territoria.datastore.errors import QueryError
from territoria.datastore.query import QueryEngine, RecordsQuery
from territoria.datastore.versions import VersionInfo

SAMPLE_SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "name", "type": "string", "title": "Nom", "territoria:facet": False},
        {"name": "code", "type": "string", "title": "Code INSEE"},
        {"name": "department", "type": "string", "title": "Département", "territoria:facet": True},
        {"name": "population", "type": "integer", "title": "Population"},
        {"name": "area", "type": "number", "title": "Superficie"},
        {"name": "founded", "type": "date", "title": "Date", "territoria:facet": True},
        {"name": "updated", "type": "datetime", "title": "Mise à jour"},
        {"name": "capital", "type": "boolean", "title": "Préfecture"},
    ]
}

# name, code, department, population, area, founded, updated, capital
SAMPLE_ROWS = """
    ('Évry-Courcouronnes', '91228', 'Essonne', 67000, 18.4, DATE '2019-01-01',
     TIMESTAMP '2024-01-31 10:00:00', true),
    ('Paris', '75056', 'Paris', 2100000, 105.4, NULL, TIMESTAMP '2024-02-01 08:30:00', true),
    ('Ajaccio', '2A004', 'Corse-du-Sud', 73000, 82.0, NULL, NULL, true),
    ('Bourg-en-Bresse', '01053', 'Ain', 41000, 23.9, DATE '2024-03-15', NULL, true),
    ('L''Abergement-Clémenciat', '01001', 'Ain', 800, 15.6, DATE '2024-03-16', NULL, false),
    ('Saint-Étienne', '42218', 'Loire', 173000, 79.97, DATE '2023-06-01',
     TIMESTAMP '2023-06-01 12:00:00', true),
    (NULL, '99999', NULL, NULL, NULL, NULL, NULL, NULL),
    ('Lyon', '69123', 'Rhône', 522000, 47.87, DATE '2023-12-31', NULL, true)
"""
SAMPLE_COLUMNS = "name, code, department, population, area, founded, updated, capital"


def write_version(directory: Path, select_sql: str, schema: dict[str, Any]) -> VersionInfo:
    """Write the rows of ``select_sql`` as a version under ``directory``/versions/v1."""
    parquet = directory / "versions" / "v1" / "data.parquet"
    parquet.parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect()
    try:
        connection.execute(f"COPY ({select_sql}) TO '{parquet}' (FORMAT parquet)")
        (row_count,) = connection.execute(f"SELECT count(*) FROM '{parquet}'").fetchone() or (0,)
    finally:
        connection.close()
    return VersionInfo(
        key="v1",
        parquet=parquet,
        row_count=row_count,
        byte_size=0,
        checksum="x",
        source="t",
        source_format="csv",
        schema=schema,
    )


def sample_version(directory: Path) -> VersionInfo:
    select = f"SELECT * FROM (VALUES {SAMPLE_ROWS}) AS t({SAMPLE_COLUMNS})"
    return write_version(directory, select, SAMPLE_SCHEMA)


@pytest.fixture
def version(tmp_path: Path) -> VersionInfo:
    return sample_version(tmp_path)


@pytest.fixture
def engine() -> QueryEngine:
    return QueryEngine(timeout=10)


def names(engine: QueryEngine, version: VersionInfo, **query: Any) -> list[Any]:
    page = engine.records(version, RecordsQuery(select="name", limit=100, **query))
    return [row["name"] for row in page.results]


def test_plain_records_come_in_file_order_with_json_ready_values(engine, version):
    page = engine.records(version, RecordsQuery(limit=2))
    assert page.total_count == 8
    assert page.results == [
        {
            "name": "Évry-Courcouronnes",
            "code": "91228",
            "department": "Essonne",
            "population": 67000,
            "area": 18.4,
            "founded": "2019-01-01",
            "updated": "2024-01-31T10:00:00",
            "capital": True,
        },
        {
            "name": "Paris",
            "code": "75056",
            "department": "Paris",
            "population": 2100000,
            "area": 105.4,
            "founded": None,
            "updated": "2024-02-01T08:30:00",
            "capital": True,
        },
    ]


def test_unfiltered_count_comes_from_the_version_without_a_count_statement(engine, version):
    engine.records(version, RecordsQuery(limit=3))
    assert engine.statements == 1
    lying = VersionInfo(**{**version.__dict__, "row_count": 12345})
    assert engine.records(lying, RecordsQuery(limit=3)).total_count == 12345


def test_limit_zero_returns_only_the_count(engine, version):
    page = engine.records(version, RecordsQuery(limit=0))
    assert page == type(page)(total_count=8, results=[])
    assert engine.statements == 0


def test_filtered_count_runs_one_count_statement_only_when_the_page_is_full(engine, version):
    page = engine.records(version, RecordsQuery(where=("population > 1000",), limit=2))
    assert page.total_count == 6
    assert engine.statements == 2
    engine.statements = 0
    page = engine.records(version, RecordsQuery(where=("population > 1000",), limit=50))
    assert page.total_count == 6
    assert engine.statements == 1


def test_equality_on_a_text_code_keeps_leading_zeros(engine, version):
    assert names(engine, version, where=('code = "01001"',)) == ["L'Abergement-Clémenciat"]
    assert names(engine, version, where=("code = 01001",)) == ["L'Abergement-Clémenciat"]
    assert names(engine, version, where=("code : '2A004'",)) == ["Ajaccio"]


def test_numeric_comparisons_and_arithmetic(engine, version):
    assert names(engine, version, where=("population >= 173000",)) == [
        "Paris",
        "Saint-Étienne",
        "Lyon",
    ]
    assert names(engine, version, where=('population < "1000"',)) == ["L'Abergement-Clémenciat"]
    assert names(engine, version, where=("population / area > 15000",)) == ["Paris"]
    assert names(engine, version, where=("area = 82",)) == ["Ajaccio"]
    assert names(engine, version, where=("population != 800 and population <> 2100000",)) == [
        "Évry-Courcouronnes",
        "Ajaccio",
        "Bourg-en-Bresse",
        "Saint-Étienne",
        "Lyon",
    ]


def test_several_where_clauses_are_and_ed(engine, version):
    where = ("department = 'Ain' or department = 'Loire'", "population > 1000")
    assert names(engine, version, where=where) == ["Bourg-en-Bresse", "Saint-Étienne"]


def test_in_and_not_in(engine, version):
    assert names(engine, version, where=('code IN ("01001", "69123", "00000")',)) == [
        "L'Abergement-Clémenciat",
        "Lyon",
    ]
    assert names(engine, version, where=("department NOT IN ('Ain', 'Paris', 'Essonne')",)) == [
        "Ajaccio",
        "Saint-Étienne",
        "Lyon",
    ]
    assert names(engine, version, where=("department IN ('Ain', null)",)) == [
        "Bourg-en-Bresse",
        "L'Abergement-Clémenciat",
        None,
    ]


def test_ranges_include_or_exclude_their_bounds(engine, version):
    assert names(engine, version, where=("population IN [800..41000]",)) == [
        "Bourg-en-Bresse",
        "L'Abergement-Clémenciat",
    ]
    assert names(engine, version, where=("population IN ]800..41000[",)) == []
    assert names(engine, version, where=("population: [41000 TO 67000]",)) == [
        "Évry-Courcouronnes",
        "Bourg-en-Bresse",
    ]
    assert names(engine, version, where=("population NOT IN [800..600000]",)) == ["Paris"]


def test_date_fields_compare_with_dates_partial_dates_and_strings(engine, version):
    in_2024 = ["Bourg-en-Bresse", "L'Abergement-Clémenciat"]
    assert names(engine, version, where=("founded = date'2024'",)) == in_2024
    assert names(engine, version, where=('founded = "2024"',)) == in_2024
    assert names(engine, version, where=("founded = 2024",)) == in_2024
    assert names(engine, version, where=('founded = "2024-03-16"',)) == ["L'Abergement-Clémenciat"]
    assert names(engine, version, where=("founded = date'2024/03/15'",)) == ["Bourg-en-Bresse"]
    assert names(engine, version, where=("founded <= date'2023'",)) == [
        "Évry-Courcouronnes",
        "Saint-Étienne",
        "Lyon",
    ]
    assert names(engine, version, where=("founded > date'2023-06'",)) == [
        "Bourg-en-Bresse",
        "L'Abergement-Clémenciat",
        "Lyon",
    ]
    assert names(engine, version, where=("founded IN [date'2023-12-31'..date'2024-03-15']",)) == [
        "Bourg-en-Bresse",
        "Lyon",
    ]
    assert names(engine, version, where=("year(founded) = 2019",)) == ["Évry-Courcouronnes"]


def test_datetime_fields_compare_with_dates_and_times(engine, version):
    assert names(engine, version, where=("updated = date'2024-01-31'",)) == ["Évry-Courcouronnes"]
    assert names(engine, version, where=("updated >= '2024-02-01T08:30'",)) == ["Paris"]
    assert names(engine, version, where=("updated < date'2024-02-01T08:30:00Z'",)) == [
        "Évry-Courcouronnes",
        "Saint-Étienne",
    ]


def test_null_tests_and_boolean_fields(engine, version):
    assert names(engine, version, where=("founded IS NULL and name is not null",)) == [
        "Paris",
        "Ajaccio",
    ]
    assert names(engine, version, where=("population = null",)) == [None]
    assert names(engine, version, where=("not capital",)) == ["L'Abergement-Clémenciat"]
    assert names(engine, version, where=("capital is false",)) == ["L'Abergement-Clémenciat"]
    assert names(engine, version, where=("capital = false or capital is null",)) == [
        "L'Abergement-Clémenciat",
        None,
    ]


def test_like_matches_words_ignoring_case_and_accents(engine, version):
    assert names(engine, version, where=('name LIKE "etienne"',)) == ["Saint-Étienne"]
    assert names(engine, version, where=('name like "ÉVRY courcouronnes"',)) == [
        "Évry-Courcouronnes"
    ]
    assert names(engine, version, where=('name like "bourg*"',)) == ["Bourg-en-Bresse"]
    assert names(engine, version, where=('name like "*ne"',)) == ["Saint-Étienne"]
    assert names(engine, version, where=('name like "%e%e%e%"',)) == [
        "Bourg-en-Bresse",
        "L'Abergement-Clémenciat",
        "Saint-Étienne",
    ]
    assert names(engine, version, where=('name not like "e"',)) == ["Paris", "Ajaccio", "Lyon"]


def test_full_text_search_spans_text_fields_ignoring_case_and_accents(engine, version):
    assert names(engine, version, where=('"evry"',)) == ["Évry-Courcouronnes"]
    assert names(engine, version, where=('"RHONE"',)) == ["Lyon"]
    assert names(engine, version, where=('"ain" AND "bresse"',)) == ["Bourg-en-Bresse"]
    assert names(engine, version, where=('search("clemen*")',)) == ["L'Abergement-Clémenciat"]
    assert names(engine, version, where=('search(*, "corse sud")',)) == ["Ajaccio"]
    assert names(engine, version, where=('search(department, "paris")',)) == ["Paris"]
    assert names(engine, version, where=('search(code, "2a")',)) == ["Ajaccio"]
    assert names(engine, version, where=('NOT "e"',)) == ["Paris", None]


def test_a_word_never_matches_across_two_fields(engine, version):
    # "Paris" (name) followed by "Paris" (department) must not be read as "parisparis".
    assert names(engine, version, where=('"parispar"',)) == []


def test_startswith_ignores_case_and_accents(engine, version):
    assert names(engine, version, where=('startswith(name, "saint-e")',)) == ["Saint-Étienne"]


def test_select_fields_expressions_and_aliases(engine, version):
    query = RecordsQuery(
        select="code as insee, population * 2 as doubled, lower(name), year(founded)",
        where=("code = '42218'",),
    )
    assert engine.records(version, query).results == [
        {"insee": "42218", "doubled": 346000, "lower(name)": "saint-étienne", "year(founded)": 2023}
    ]


def test_aggregates_without_group_by_make_one_row(engine, version):
    query = RecordsQuery(
        select="count(*) as n, count(founded), count(DISTINCT department) as departments,"
        " sum(population), avg(area), min(founded), max(name)",
    )
    page = engine.records(version, query)
    assert page.total_count == 1
    assert page.results == [
        {
            "n": 8,
            "count(founded)": 5,
            "departments": 6,
            "sum(population)": 2976800,
            "avg(area)": pytest.approx(53.305714286),
            "min(founded)": "2019-01-01",
            "max(name)": "Évry-Courcouronnes",
        }
    ]


def test_median_and_percentile(engine, version):
    query = RecordsQuery(select="median(population) as m, percentile(population, 100) as top")
    assert engine.records(version, query).results == [{"m": 73000.0, "top": 2100000.0}]


def test_group_by_counts_and_sums_with_the_null_group_last(engine, version):
    query = RecordsQuery(
        select="department, count(*) as n, sum(population) as people, avg(area), min(area),"
        " max(population)",
        group_by="department",
        limit=100,
    )
    page = engine.records(version, query)
    assert page.total_count == 7
    assert [row["department"] for row in page.results] == [
        "Ain",
        "Corse-du-Sud",
        "Essonne",
        "Loire",
        "Paris",
        "Rhône",
        None,
    ]
    assert page.results[0] == {
        "department": "Ain",
        "n": 2,
        "people": 41800,
        "avg(area)": pytest.approx(19.75),
        "min(area)": 15.6,
        "max(population)": 41000,
    }
    assert page.results[-1] == {
        "department": None,
        "n": 1,
        "people": None,
        "avg(area)": None,
        "min(area)": None,
        "max(population)": None,
    }


def test_group_by_orders_by_an_aggregate_and_pages_groups(engine, version):
    query = RecordsQuery(
        select="count(*) as n", group_by="department as dep", order_by="n desc, dep", limit=2
    )
    page = engine.records(version, query)
    assert page.total_count == 7
    assert page.results == [{"dep": "Ain", "n": 2}, {"dep": "Corse-du-Sud", "n": 1}]
    query = RecordsQuery(select="count(*) as n", group_by="department", offset=6, limit=5)
    assert engine.records(version, query).results == [{"department": None, "n": 1}]
    query = RecordsQuery(select="count(*) as n", group_by="department", offset=10, limit=5)
    assert engine.records(version, query) == type(engine.records(version, query))(7, [])


def test_group_by_a_date_function(engine, version):
    query = RecordsQuery(
        select="year(founded) as year, count(*) as n", group_by="year(founded)", limit=10
    )
    assert engine.records(version, query).results == [
        {"year": 2019, "n": 1},
        {"year": 2023, "n": 2},
        {"year": 2024, "n": 2},
        {"year": None, "n": 3},
    ]


def test_group_by_several_keys_with_a_filter(engine, version):
    query = RecordsQuery(
        select="count(*) as n",
        group_by="capital, year(founded) as y",
        where=("founded is not null",),
        order_by="y desc, capital",
    )
    assert engine.records(version, query).results == [
        {"capital": False, "y": 2024, "n": 1},
        {"capital": True, "y": 2024, "n": 1},
        {"capital": True, "y": 2023, "n": 2},
        {"capital": True, "y": 2019, "n": 1},
    ]


def test_order_by_desc_puts_nulls_last_and_keeps_file_order_for_ties(engine, version):
    assert names(engine, version, order_by="founded desc") == [
        "L'Abergement-Clémenciat",
        "Bourg-en-Bresse",
        "Lyon",
        "Saint-Étienne",
        "Évry-Courcouronnes",
        "Paris",
        "Ajaccio",
        None,
    ]
    assert names(engine, version, order_by="capital, area desc")[:3] == [
        "L'Abergement-Clémenciat",
        "Paris",
        "Ajaccio",
    ]


def test_order_by_an_alias_or_an_expression(engine, version):
    query = RecordsQuery(
        select="name, population / area as density",
        order_by="density desc",
        limit=2,
    )
    assert [row["name"] for row in engine.records(version, query).results] == ["Paris", "Lyon"]
    assert names(engine, version, order_by="length(name) asc")[:2] == ["Lyon", "Paris"]


def test_offset_and_limit_page_through_rows(engine, version):
    page = engine.records(version, RecordsQuery(select="code", offset=3, limit=2))
    assert page.total_count == 8
    assert page.results == [{"code": "01053"}, {"code": "01001"}]


@pytest.mark.parametrize(
    ("limit", "offset", "param"),
    [
        (101, 0, "limit"),
        (-1, 0, "limit"),
        (None, 0, "limit"),
        (10, -1, "offset"),
        (100, 9901, "offset"),
    ],
)
def test_page_bounds_are_checked(engine, version, limit, offset, param):
    with pytest.raises(QueryError) as caught:
        engine.records(version, RecordsQuery(limit=limit, offset=offset))
    assert caught.value.param == param


def test_the_deepest_page_is_allowed(engine, version):
    assert engine.records(version, RecordsQuery(limit=100, offset=9900)).results == []


def test_refine_and_exclude(engine, version):
    assert names(engine, version, refine=(("department", "Ain"),)) == [
        "Bourg-en-Bresse",
        "L'Abergement-Clémenciat",
    ]
    assert names(engine, version, refine=(("founded", "2024"),)) == [
        "Bourg-en-Bresse",
        "L'Abergement-Clémenciat",
    ]
    assert names(engine, version, refine=(("founded", "2023/12"),)) == ["Lyon"]
    assert names(engine, version, refine=(("population", "800"), ("capital", "false"))) == [
        "L'Abergement-Clémenciat"
    ]
    assert names(engine, version, exclude=(("capital", "true"), ("department", "Ain"))) == [None]


def test_refine_errors_name_the_parameter_and_the_field(engine, version):
    with pytest.raises(QueryError) as caught:
        engine.records(version, RecordsQuery(refine=(("nope", "1"),)))
    assert (caught.value.param, caught.value.field) == ("refine", "nope")
    with pytest.raises(QueryError) as caught:
        engine.records(version, RecordsQuery(exclude=(("population", "many"),)))
    assert (caught.value.param, caught.value.field) == ("exclude", "population")
    assert str(caught.value) == 'exclude: "many" is not a valid integer'


def test_unknown_fields_are_named_with_a_suggestion(engine, version):
    with pytest.raises(QueryError) as caught:
        engine.records(version, RecordsQuery(where=("populaton > 3",)))
    error = caught.value
    assert (error.param, error.position, error.field) == ("where", 0, "populaton")
    assert str(error) == "where: unknown field 'populaton' (did you mean 'population'?)"
    with pytest.raises(QueryError) as caught:
        engine.records(version, RecordsQuery(select="name, foo"))
    assert (caught.value.param, caught.value.position, caught.value.field) == ("select", 6, "foo")
    with pytest.raises(QueryError) as caught:
        engine.records(version, RecordsQuery(order_by="bar desc"))
    assert (caught.value.param, caught.value.field) == ("order_by", "bar")
    with pytest.raises(QueryError) as caught:
        engine.records(version, RecordsQuery(group_by="baz"))
    assert (caught.value.param, caught.value.field) == ("group_by", "baz")


def test_a_field_outside_group_by_and_aggregates_is_refused(engine, version):
    with pytest.raises(QueryError) as caught:
        engine.records(version, RecordsQuery(select="name, count(*)", group_by="department"))
    assert str(caught.value) == (
        "select: field 'name' must be in group_by or inside an aggregate function at position 0"
    )
    with pytest.raises(QueryError):
        engine.records(version, RecordsQuery(select="name, count(*)"))


def test_type_errors_point_at_the_fault(engine, version):
    cases = {
        "population like 'x'": "where: expected a text value before LIKE, got integer field"
        " 'population' at position 0",
        "name = true": "where: TRUE is not a valid text at position 7",
        "founded = 'soon'": "where: 'soon' is not a date (use YYYY-MM-DD or YYYY/MM/DD)"
        " at position 10",
        "population = name": "where: cannot compare integer field 'population' with text field"
        " 'name' at position 11",
        "population": "where: expected a condition, got integer field 'population' at position 0",
        "count(*) > 1": "where: aggregate function count() is not allowed here at position 0",
        "year(name) = 1": "where: expected a date, got a text value at position 5",
        "nofunc(name)": "where: unknown function 'nofunc' at position 0",
    }
    for where, message in cases.items():
        with pytest.raises(QueryError) as caught:
            engine.records(version, RecordsQuery(where=(where,)))
        assert str(caught.value) == message


def test_duplicate_output_names_are_refused(engine, version):
    with pytest.raises(QueryError) as caught:
        engine.records(version, RecordsQuery(select="name, code as NAME"))
    assert caught.value.param == "select"


def test_injection_attempts_are_query_errors_not_sql(engine, version):
    attempts = [
        ("where", "1=1); DROP TABLE x; --"),
        ("where", "name = 'x' UNION SELECT * FROM read_text('/etc/passwd')"),
        ("where", '`name"; DROP TABLE x; --` = 1'),
        ("select", 'name, `x"); SELECT 1; --`'),
        ("order_by", "name; DROP TABLE x"),
        ("group_by", "department) --"),
    ]
    for param, text in attempts:
        with pytest.raises(QueryError) as caught:
            engine.records(version, RecordsQuery(**{param: text if param != "where" else (text,)}))
        assert caught.value.param == param
    # A hostile string is a value like any other.
    assert names(engine, version, where=('name = "x\'); DROP TABLE x; --"',)) == []


def test_field_names_with_quotes_are_quoted_not_injected(engine, tmp_path):
    schema = {
        "fields": [
            {"name": 'we"ird', "type": "string"},
            {"name": "it's", "type": "integer"},
        ]
    }
    version = write_version(tmp_path, """SELECT 'a' AS "we""ird", 1 AS "it's" """, schema)
    query = RecordsQuery(select="`it's`, `we\"ird` as w", where=('`we"ird` = "a"',))
    assert engine.records(version, query).results == [{"it's": 1, "w": "a"}]


def test_a_schema_field_named_like_our_internals_still_works(engine, tmp_path):
    schema = {
        "fields": [
            {"name": "file_row_number", "type": "integer"},
            {"name": "_t_k0", "type": "string"},
        ]
    }
    version = write_version(
        tmp_path, "SELECT range AS file_row_number, 'x' AS _t_k0 FROM range(3)", schema
    )
    page = engine.records(version, RecordsQuery(order_by="file_row_number desc", limit=1))
    assert page.results == [{"file_row_number": 2, "_t_k0": "x"}]
    query = RecordsQuery(select="count(*) as n", group_by="_t_k0")
    assert engine.records(version, query).results == [{"_t_k0": "x", "n": 3}]


def test_nan_and_decimals_become_json_values(engine, tmp_path):
    schema = {"fields": [{"name": "x", "type": "number"}, {"name": "d", "type": "number"}]}
    version = write_version(
        tmp_path, "SELECT 'nan'::DOUBLE AS x, 1.25::DECIMAL(10, 2) AS d", schema
    )
    assert engine.records(version, RecordsQuery()).results == [{"x": None, "d": 1.25}]
