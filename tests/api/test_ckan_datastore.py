"""CKAN DataStore: datastore_search over the engine, datastore_search_sql behind the guard."""

from __future__ import annotations

import csv
import io
import json

import pytest

from territoria.api.ckan.ids import object_id
from tests.api import test_ckan_actions as actions
from tests.api.test_ckan_actions import SECRET, call, result

# The region of the catalog tests, and its clients (fixtures).
region, ckan, steward = actions.region, actions.ckan, actions.steward


def search(client, region, slug="qualite-air", method="get", **params):
    return result(
        client, "datastore_search", method, resource_id=region.resource_id(slug), **params
    )


def test_datastore_search_returns_records_fields_and_total(ckan, region):
    found = search(ckan, region)
    assert found["total"] == 5 and found["total_was_estimated"] is False
    assert found["resource_id"] == region.resource_id("qualite-air")
    types = {f["id"]: f["type"] for f in found["fields"]}
    assert types == {
        "station": "text",
        "commune": "text",
        "code_insee": "text",
        "date": "date",
        "no2": "numeric",
        "pm10": "int",
    }
    assert found["records"][0] == {
        "station": "Strasbourg Clemenceau",
        "commune": "Strasbourg",
        "code_insee": "67482",
        "date": "2024-01-01",
        "no2": 41.5,
        "pm10": 20,
    }
    assert found["limit"] == 100 and found["records_format"] == "objects"
    assert found["_links"]["next"].startswith("/api/3/action/datastore_search?")
    assert "offset=100" in found["_links"]["next"]


def test_datastore_search_filters_fields_sort_limit_offset(ckan, region):
    found = search(
        ckan,
        region,
        filters=json.dumps({"commune": ["Metz", "Reims"]}),
        fields="station,no2",
        sort="no2 desc",
        limit=2,
        offset=1,
    )
    assert found["total"] == 3
    assert found["records"] == [
        {"station": "Metz Borny", "no2": 25.0},
        {"station": "Metz Borny", "no2": 22.5},
    ]
    assert [f["id"] for f in found["fields"]] == ["station", "no2"]
    assert found["filters"] == {"commune": ["Metz", "Reims"]}


def test_datastore_search_by_post_json_with_typed_filter_values(ckan, region):
    found = search(ckan, region, method="post", filters={"pm10": 14, "code_insee": "57463"})
    assert found["total"] == 1 and found["records"][0]["date"] == "2024-01-02"


def test_datastore_search_full_text_q_as_text_and_per_field(ckan, region):
    assert search(ckan, region, q="jaures")["total"] == 1  # accents folded
    assert search(ckan, region, method="post", q={"station": "borny"})["total"] == 2
    assert search(ckan, region, q="lyon")["total"] == 0


def test_datastore_search_records_formats(ckan, region):
    lists = search(ckan, region, fields=["commune", "no2"], sort="no2", limit=2,
                   records_format="lists", method="post")  # fmt: skip
    assert lists["records"] == [["Metz", 22.5], ["Metz", 25.0]]
    text = search(ckan, region, fields="commune,station", limit=1, records_format="csv")
    assert text["records"] == "Strasbourg,Strasbourg Clemenceau\n"
    tsv = search(ckan, region, fields="code_insee,commune", limit=2, records_format="tsv")
    assert list(csv.reader(io.StringIO(tsv["records"]), delimiter="\t")) == [
        ["67482", "Strasbourg"],
        ["67482", "Strasbourg"],
    ]


def test_datastore_search_accepts_the_dataset_slug(ckan, region):
    found = result(ckan, "datastore_search", resource_id="communes", sort="nom")
    assert [r["nom"] for r in found["records"]] == ["Metz", "Reims", "Strasbourg"]


def test_datastore_search_answers_a_repeated_question_from_the_answer_cache(ckan, region, settings):
    """The CKAN dialect queries through the same engine as Explore, cache included."""
    from territoria.datastore.answers import shared_answer_cache

    settings.QUERY_CACHE_MB = 8
    answers = shared_answer_cache(settings.QUERY_CACHE_MB * 2**20)
    answers.clear()
    misses = answers.misses
    first = result(ckan, "datastore_search", resource_id="communes", sort="nom")
    assert answers.misses > misses  # the first answer was computed and kept
    hits, misses = answers.hits, answers.misses
    again = result(ckan, "datastore_search", resource_id="communes", sort="nom")
    assert again["records"] == first["records"] and again["total"] == first["total"] == 3
    assert answers.misses == misses and answers.hits > hits


def test_datastore_search_pages_beyond_the_records_api_limits(ckan, region):
    found = search(ckan, region, "carres", limit=200, offset=30, include_total="false")
    assert len(found["records"]) == 200
    assert found["records"][0] == {"n": 31, "carre": 961}
    assert "total" not in found
    last = search(ckan, region, "carres", limit=500, offset=240, sort="n")
    assert [r["n"] for r in last["records"]] == list(range(241, 251))
    assert last["total"] == 250


def test_datastore_search_errors_name_the_parameter(ckan, region):
    rid = region.resource_id("qualite-air")
    cases = [
        ({"fields": "nope"}, "fields"),
        ({"filters": '{"nope": 1}'}, "filters"),
        ({"filters": '{"pm10": "abc"}'}, "filters"),
        ({"sort": "nope desc"}, "sort"),
        ({"records_format": "xml"}, "records_format"),
        ({"limit": "many"}, "limit"),
    ]
    for params, key in cases:
        status, body = call(ckan, "datastore_search", resource_id=rid, **params)
        assert status == 409, params
        assert body["error"]["__type"] == "Validation Error" and key in body["error"], body


def test_datastore_search_on_a_hidden_or_missing_resource_is_not_found(ckan, steward, region):
    hidden = region.resource_id("budget-interne")
    answers = []
    for ident in (hidden, "budget-interne", object_id("resource", 999_999), "jeu-absent"):
        status, body = call(ckan, "datastore_search", resource_id=ident)
        assert status == 404 and body["error"]["__type"] == "Not Found Error"
        answers.append(body["error"]["message"].replace(ident, "<id>"))
        assert SECRET.lower() not in json.dumps(body).lower()
    assert len(set(answers)) == 1
    assert search(steward, region, "budget-interne")["records"] == [
        {"poste": SECRET, "montant": 12}
    ]


# --- datastore_search_sql ----------------------------------------------------------------


def sql(client, text, method="get"):
    return call(client, "datastore_search_sql", method, sql=text)


def test_sql_select_with_group_by_over_a_resource(ckan, region):
    rid = region.resource_id("qualite-air")
    status, body = sql(
        ckan, f'SELECT commune, count(*) AS n, avg(no2) AS moyenne FROM "{rid}" '
        "GROUP BY commune ORDER BY commune"
    )  # fmt: skip
    assert status == 200, body
    assert body["result"]["records"] == [
        {"commune": "Metz", "n": 2, "moyenne": 23.75},
        {"commune": "Reims", "n": 1, "moyenne": 30.0},
        {"commune": "Strasbourg", "n": 2, "moyenne": 39.75},
    ]
    assert body["result"]["fields"] == [
        {"id": "commune", "type": "text"},
        {"id": "n", "type": "int"},
        {"id": "moyenne", "type": "numeric"},
    ]
    assert "records_truncated" not in body["result"]


def test_sql_joins_two_resources_by_id_and_by_slug(ckan, region):
    air, communes = region.resource_id("qualite-air"), region.resource_id("communes")
    status, body = sql(
        ckan,
        f'SELECT c.departement, max(a.no2) AS pire FROM "{air}" a '
        f'JOIN "{communes}" c ON a.code_insee = c.code_insee GROUP BY 1 ORDER BY 1',
        method="post",
    )
    assert status == 200, body
    assert body["result"]["records"] == [
        {"departement": "51", "pire": 30.0},  # codes stay text
        {"departement": "57", "pire": 25.0},
        {"departement": "67", "pire": 41.5},
    ]
    _, by_slug = sql(ckan, 'SELECT count(*) AS n FROM "communes"')
    assert by_slug["result"]["records"] == [{"n": 3}]


def test_sql_rows_are_capped_and_truncation_is_said(ckan, region, monkeypatch):
    from territoria.api.ckan import datastore

    monkeypatch.setattr(datastore, "ROWS_MAX", 7)
    rid = region.resource_id("carres")
    _, body = sql(ckan, f'SELECT n FROM "{rid}" ORDER BY n DESC LIMIT 100')
    assert [r["n"] for r in body["result"]["records"]] == list(range(250, 243, -1))
    assert body["result"]["records_truncated"] is True
    _, body = sql(ckan, f'SELECT n FROM "{rid}" ORDER BY n LIMIT 3')
    assert [r["n"] for r in body["result"]["records"]] == [1, 2, 3]
    assert "records_truncated" not in body["result"]


def test_sql_over_a_hidden_resource_is_not_found_even_inside_a_join(ckan, steward, region):
    air, hidden = region.resource_id("qualite-air"), region.resource_id("budget-interne")
    missing = object_id("resource", 999_999)
    queries = [
        'SELECT * FROM "{t}"',
        'SELECT a.commune FROM "' + air + '" a JOIN "{t}" b ON true',
        'SELECT commune FROM "' + air + '" WHERE no2 > (SELECT count(*) FROM "{t}")',
        'WITH x AS (SELECT * FROM "{t}") SELECT 1 AS one FROM x',
        'SELECT commune FROM "' + air + '" UNION SELECT poste FROM "{t}"',
    ]
    for query in queries:
        hidden_answer = sql(ckan, query.format(t=hidden))
        missing_answer = sql(ckan, query.format(t=missing))
        assert hidden_answer[0] == missing_answer[0] == 404, query
        assert hidden_answer[1]["error"]["__type"] == "Not Found Error"
        assert json.dumps(hidden_answer[1]).replace(hidden, "<id>") == json.dumps(
            missing_answer[1]
        ).replace(missing, "<id>")
        assert SECRET.lower() not in json.dumps(hidden_answer[1]).lower()
    status, body = sql(steward, f'SELECT poste FROM "{hidden}"')
    assert status == 200 and body["result"]["records"] == [{"poste": SECRET}]


def test_sql_past_its_time_budget_answers_503_in_the_envelope(ckan, region, settings):
    settings.QUERY_TIMEOUT = 0.3
    rid = region.resource_id("carres")
    tables = ", ".join(f'"{rid}" t{i}' for i in range(5))  # 250^5 rows to count
    status, body = sql(ckan, f"SELECT count(*) FROM {tables}")
    assert status == 503
    assert body["success"] is False and body["error"]["__type"] == "Search Error"
    assert body["error"]["message"].startswith("Search took too long")
    settings.QUERY_TIMEOUT = 10
    assert sql(ckan, f'SELECT count(*) AS n FROM "{rid}"')[1]["result"]["records"] == [{"n": 250}]


def test_sql_errors_of_the_statement_are_validation_errors(ckan, region):
    rid = region.resource_id("qualite-air")
    for text in (
        f'SELECT nope FROM "{rid}"',
        "SELEC 1",
        "",
        f'SELECT no2 + "station" FROM "{rid}"',
    ):
        status, body = sql(ckan, text)
        assert status == 409, (text, body)
        error = body["error"]
        assert error["__type"] == "Validation Error" and ("sql" in error), error
        assert str(region.root) not in json.dumps(body)


# Each of these must be refused, read no file and not crash. {t} is an open resource id.
INJECTIONS = [
    'SELECT * FROM "{t}"; DROP TABLE x',
    "SELECT * FROM \"{t}\"; SELECT * FROM read_csv('{secret}')",
    "SELECT * FROM read_csv('{secret}')",
    "SELECT * FROM read_csv_auto('{secret}')",
    "SELECT * FROM read_text('{secret}')",
    "SELECT * FROM read_parquet('{parquet}')",
    "SELECT * FROM '{secret}'",
    'SELECT * FROM "{secret}"',
    "SELECT * FROM '{parquet}'",
    "SELECT * FROM glob('{root}/*')",
    "SELECT * FROM query('SELECT 1')",
    "SELECT content FROM \"{t}\", read_text('{secret}')",
    "SELECT (SELECT content FROM read_text('{secret}')) AS x FROM \"{t}\"",
    "SELECT getenv('HOME') FROM \"{t}\"",
    "SELECT current_setting('allowed_directories') FROM \"{t}\"",
    "COPY (SELECT 1) TO '{root}/out.csv'",
    "COPY \"{t}\" TO '{root}/out.csv'",
    "ATTACH '{root}/x.db' AS x",
    "INSTALL httpfs",
    "LOAD httpfs",
    "PRAGMA database_list",
    "SELECT * FROM pragma_version()",
    "SET enable_external_access = true",
    "CALL pragma_version()",
    "CREATE TABLE x AS SELECT 1",
    'INSERT INTO "{t}" VALUES (1)',
    'DELETE FROM "{t}"',
    'DROP TABLE "{t}"',
    "EXPORT DATABASE '{root}/dump'",
    "SELECT * FROM duckdb_settings()",
    "SELECT * FROM information_schema.tables",
    "SELECT * FROM pg_catalog.pg_settings",
    "WITH duckdb_settings AS (SELECT * FROM duckdb_settings) SELECT * FROM duckdb_settings",
    "SELECT * FROM \"{t}\" /* */; SELECT read_text('{secret}') --",
    "SELECT * FROM \"{t}\" -- \n; COPY (SELECT 1) TO '{root}/y.csv'",
    "SELECT * FROM \"{t}\"\u037e COPY (SELECT 1) TO '{root}/z.csv'",  # Greek question mark
    'SELECT * FROM "{t}"\uff1b SELECT 1',  # fullwidth semicolon
    'SELECT * FROM "{t}\u200b"',  # zero-width space inside the name
    'SELECT * FROM "{t}"\u0000; DROP TABLE x',
    "SELECT * FROM \"{t}\" WHERE station = '\u202eCOPY'",  # right-to-left override
    'ＳＥＬＥＣＴ * FROM "{t}"',  # fullwidth keyword
    "SELECT * FROM \"{t}\" t, LATERAL read_text('{secret}')",
    'DESCRIBE "{t}"',
    'SUMMARIZE "{t}"',
    "FROM '{secret}'",
    "SELECT * FROM st_read('{secret}')",
    "SELECT * FROM read_xlsx('{secret}')",
    "SELECT repeat('x', 1000000000) FROM \"{t}\"",
    "SELECT * FROM range(1000000000000)",
    "SELECT list_transform([1], x -> read_text('{secret}')) FROM \"{t}\"",
]


@pytest.fixture
def secret_file(region, tmp_path):
    path = tmp_path / "secret.csv"
    path.write_text("content\nFILE-SECRET-9f1c\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("template", INJECTIONS)
def test_sql_injection_is_refused_and_reads_no_file(ckan, region, secret_file, template):
    parquet = next(region.root.glob("**/data.parquet"), region.root)
    text = template.format(
        t=region.resource_id("qualite-air"), secret=secret_file, parquet=parquet, root=region.root
    )
    before = sorted(p.name for p in region.root.rglob("*"))
    for method in ("get", "post"):
        status, body = sql(ckan, text, method)
        assert status in (404, 409), (text, status, body)
        assert body["success"] is False
        assert body["error"]["__type"] in ("Validation Error", "Not Found Error")
        dumped = json.dumps(body)
        assert "FILE-SECRET-9f1c" not in dumped
        for sent in (str(parquet), str(secret_file), str(region.root)):  # echoes of the query
            dumped = dumped.replace(sent, "<sent>")
        assert str(region.root) not in dumped and "allowed_directories" not in dumped.lower()
    assert sorted(p.name for p in region.root.rglob("*")) == before


def test_datastore_search_without_a_resource_names_resource_id(ckan, region):
    status, body = call(ckan, "datastore_search")
    assert status == 409 and body["error"]["resource_id"] == ["Missing value"]
    assert (
        search(ckan, region, limit=1)["records"]
        == result(ckan, "datastore_search", id=region.resource_id("qualite-air"), limit=1)[
            "records"
        ]
    )
