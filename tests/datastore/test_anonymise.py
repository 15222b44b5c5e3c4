"""Anonymisation steps (datastore/anonymise.py through datastore/steps.py): drop, keyed
pseudonyms, generalisation of dates, numbers and coordinates; and why a plain hash of a NIR is
no anonymisation while a keyed one is."""

import json
import math
import random

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from territoria.datastore.anonymise import (
    PSEUDONYM_HEX,
    PseudonymKeys,
    grid_sql,
    normalise,
    pseudonym,
    pseudonym_sql,
    read_key_file,
    recipient_key,
)
from territoria.datastore.odsql.sql import Sql
from territoria.datastore.steps import StepError, apply_steps, parse_steps, plan_steps
from territoria.datastore.versions import VersionStore
from tests.datastore.test_steps import referential  # noqa: F401 — the module's fixture

MASTER = b"m" * 16 + b"a-test-master-key-of-some-length"
KEYS = PseudonymKeys(MASTER)
CSV = (
    "nir;age;naissance;visite;latitude;longitude;code\n"
    "1 85 05 78 006 084 36;34;15/03/1990;2024-03-15;49.1193;6.1757;57463\n"
    "185057800608436;71;31/12/1952;2023-01-02;43.2965;5.3698;13201\n"
    ";;;;;;\n"
    "2a 01 01 2A 004 001 12;8;01/07/2016;2022-07-14;41.9192;8.7386;99999\n"
)
SCHEMA = {
    "fields": [
        {"name": "nir", "type": "string"},
        {"name": "age", "type": "integer"},
        {"name": "naissance", "type": "date"},
    ]
}


def stage(tmp_path, specs, *, keys=KEYS, referential_path=None, csv=CSV, store=None):
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "source.csv"
    source.write_text(csv, encoding="utf-8")
    store = store or VersionStore(tmp_path / "store")
    steps = parse_steps(specs)

    def transform(parquet, result, work):
        return apply_steps(steps, parquet, result, work, referential=referential_path, keys=keys)

    return store.stage(source, transform=transform)


def column(info, name) -> list:
    return [
        row[0]
        for row in duckdb.sql(f"SELECT {name} FROM read_parquet('{info.parquet}')").fetchall()
    ]


def types(info) -> dict[str, str]:
    return {f["name"]: f["type"] for f in info.fields}


# --- pseudonyms ----------------------------------------------------------------------------


def test_a_nir_written_with_spaces_has_the_pseudonym_of_the_compact_nir(tmp_path):
    info = stage(tmp_path, [{"op": "pseudonymise", "field": "nir"}])
    first, second, empty, corsican = column(info, "nir")
    assert first == second == pseudonym("185057800608436", KEYS.for_recipient(None))
    assert len(first) == PSEUDONYM_HEX and int(first, 16) >= 0
    assert empty is None  # a null stays null
    assert corsican == pseudonym("2A01012A00400112", KEYS.for_recipient(None))
    assert types(info)["nir"] == "string"


def test_each_recipient_gets_pseudonyms_of_its_own(tmp_path):
    specs = [{"op": "pseudonymise", "field": "nir", "recipient": "insee"}]
    insee = column(stage(tmp_path / "a", specs), "nir")
    again = column(stage(tmp_path / "b", specs), "nir")
    specs = [{"op": "pseudonymise", "field": "nir", "recipient": "chu-nancy"}]
    hospital = column(stage(tmp_path / "c", specs), "nir")
    platform = column(stage(tmp_path / "d", [{"op": "pseudonymise", "field": "nir"}]), "nir")
    assert insee == again  # stable from one version to the next
    assert insee[0] != hospital[0] != platform[0] != insee[0]
    assert insee[0] == pseudonym("185057800608436", recipient_key(MASTER, "insee"))
    assert recipient_key(MASTER, "insee") != recipient_key(b"another" + MASTER, "insee")


def test_the_key_is_in_no_schema_and_in_no_representation(tmp_path):
    info = stage(tmp_path, [{"op": "pseudonymise", "field": "age", "recipient": "insee"}])
    stored = json.dumps(info.schema) + (info.parquet.parent / "version.json").read_text()
    for secret in (MASTER, recipient_key(MASTER, "insee")):
        assert secret.hex() not in stored and secret.decode("latin-1") not in stored
    assert info.schema["territoria:steps"] == [
        {"op": "pseudonymise", "field": "age", "recipient": "insee"}
    ]
    assert "a-test-master" not in repr(KEYS)


def test_without_a_key_a_pseudonymise_step_is_checked_but_fails_when_run(tmp_path):
    plan_steps(parse_steps([{"op": "pseudonymise", "field": "nir"}]), SCHEMA)
    with pytest.raises(StepError, match="step 1 \\(pseudonymise\\): no pseudonymisation key"):
        stage(tmp_path, [{"op": "pseudonymise", "field": "nir"}], keys=None)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZ09 -.\u00a0\u202f\u2007éßİ'\t\n"), max_size=30))
def test_the_sql_pseudonym_is_the_python_one(value):
    key = recipient_key(MASTER, "x")
    sql = pseudonym_sql(Sql.param(value), key, "step 1")
    assert duckdb.execute("SELECT " + sql.text, list(sql.params)).fetchone()[0] == pseudonym(
        value, key
    )
    assert normalise(value) == normalise(normalise(value))


def test_the_key_file_is_created_once_private_and_reused(tmp_path):
    path = tmp_path / "keys" / "pseudonym.key"
    with pytest.raises(FileNotFoundError):
        read_key_file(path, create=False)
    first = read_key_file(path, create=True)
    assert read_key_file(path, create=True) == first and len(first) == 64
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


# --- brute force over a slice of the NIR space -----------------------------------------------
# Men born in May 1985 in Moselle, in its first 100 communes: 100 × 999 birth numbers = 99,900
# valid NIRs, enumerated in DuckDB in well under a second (the whole month and département,
# 998,001 NIRs, takes about 0.5 s of SHA-256 on one idle core; all NIRs of a birth year, some
# 10^10, a few hours). A plain SHA-256 of the NIR falls to it; the keyed pseudonym does not,
# unless the attacker holds the key. The slice is kept small so the test stays short on a
# loaded machine.

SLICE = "SELECT body || lpad(CAST(97 - CAST(body AS BIGINT) % 97 AS VARCHAR), 2, '0') AS nir FROM (SELECT '1850557' || lpad(CAST(c AS VARCHAR), 3, '0') || lpad(CAST(o AS VARCHAR), 3, '0') AS body FROM range(1, 101) a(c), range(1, 1000) b(o))"  # noqa: E501


def sample_nirs(count=50) -> list[str]:
    chance = random.Random(6)
    nirs = []
    for _ in range(count):
        body = f"1850557{chance.randint(1, 100):03d}{chance.randint(1, 999):03d}"
        nirs.append(f"{body}{97 - int(body) % 97:02d}")
    return nirs


def found_by_enumeration(published: list[str], hash_sql: str, params: list) -> int:
    con = duckdb.connect()
    con.execute("CREATE TABLE published (h VARCHAR)")
    con.executemany("INSERT INTO published VALUES (?)", [[h] for h in published])
    query = (
        f"SELECT count(DISTINCT nir) FROM ({SLICE}) WHERE {hash_sql} IN (SELECT h FROM published)"
    )
    return con.execute(query, params).fetchone()[0]


def test_a_plain_hash_of_nirs_is_reversed_by_enumeration_and_a_keyed_one_is_not(tmp_path):
    import hashlib

    nirs = sample_nirs()
    assert len(set(nirs)) == 50
    spaced = [f"{n[0]} {n[1:3]} {n[3:5]} {n[5:7]} {n[7:10]} {n[10:13]} {n[13:]}" for n in nirs]
    plain = [hashlib.sha256(n.encode()).hexdigest() for n in nirs]
    assert found_by_enumeration(plain, "sha256(nir)", []) == 50  # a plain hash IS reversible

    csv = "nir\n" + "\n".join(spaced) + "\n"
    info = stage(tmp_path, [{"op": "pseudonymise", "field": "nir", "recipient": "ars"}], csv=csv)
    keyed = column(info, "nir")
    wrong = pseudonym_sql(Sql("nir"), recipient_key(b"w" * 32, "ars"), "attack")
    assert found_by_enumeration(keyed, wrong.text, list(wrong.params)) == 0
    assert found_by_enumeration(keyed, "left(sha256(nir), 32)", []) == 0
    right = pseudonym_sql(Sql("nir"), KEYS.for_recipient("ars"), "check")
    assert found_by_enumeration(keyed, right.text, list(right.params)) == 50  # the key decides


# --- drop and generalise ---------------------------------------------------------------------


def test_drop_removes_the_fields_and_refuses_to_remove_them_all(tmp_path):
    info = stage(tmp_path, [{"op": "drop", "fields": ["nir", "code"]}])
    assert "nir" not in types(info) and "code" not in types(info)
    assert info.row_count == 4
    names = ["nir", "age", "naissance"]
    with pytest.raises(StepError, match="step 1 \\(drop\\): a version keeps at least one field"):
        plan_steps(parse_steps([{"op": "drop", "fields": names}]), SCHEMA)


def test_dates_and_date_like_text_generalise_to_month_or_year(tmp_path):
    specs = [
        {"op": "generalise", "field": "naissance", "to": "year"},
        {"op": "generalise", "field": "visite", "to": "month"},
    ]
    info = stage(tmp_path, specs)
    assert column(info, "naissance") == [1990, 1952, None, 2016]
    assert column(info, "visite") == ["2024-03", "2023-01", None, "2022-07"]
    assert types(info)["naissance"] == "integer" and types(info)["visite"] == "string"
    text = [{"op": "cast", "field": "visite", "type": "text"}]
    info = stage(tmp_path / "t", text + [{"op": "generalise", "field": "visite", "to": "year"}])
    assert column(info, "visite") == [2024, 2023, None, 2022]


def test_ages_generalise_to_bands_of_a_width_or_between_edges(tmp_path):
    info = stage(tmp_path, [{"op": "generalise", "field": "age", "bands": 10}])
    assert column(info, "age") == ["30-39", "70-79", None, "0-9"]
    info = stage(tmp_path / "e", [{"op": "generalise", "field": "age", "bands": "18, 25, 65"}])
    assert column(info, "age") == ["25-64", "65+", None, "<18"]
    for bad in (1, [30, 20], "x", True):
        with pytest.raises(StepError, match="step 1 \\(generalise\\)"):
            plan_steps(parse_steps([{"op": "generalise", "field": "age", "bands": bad}]), SCHEMA)


def test_coordinates_snap_to_the_centre_of_their_grid_cell(tmp_path):
    specs = [{"op": "generalise", "fields": ["latitude", "longitude"], "grid": 1000}]
    info = stage(tmp_path, specs)
    lats, lons = column(info, "latitude"), column(info, "longitude")
    assert lats[2] is None and lons[2] is None
    originals = [(49.1193, 6.1757), (43.2965, 5.3698), (41.9192, 8.7386)]
    for (lat, lon), new_lat, new_lon in zip(
        originals, lats[:2] + lats[3:], lons[:2] + lons[3:], strict=True
    ):
        north = (new_lat - lat) * 111_320
        east = (new_lon - lon) * 111_320 * math.cos(math.radians(new_lat))
        assert math.hypot(north, east) <= 710  # within half the diagonal of a 1 km cell
    near = duckdb.sql("SELECT " + ", ".join(s.text for s in grid_sql("49.1160", "6.1700", 1000)))
    assert near.fetchone() == (lats[0], lons[0])  # a neighbour lands on the same centre


def test_coordinates_generalise_to_the_commune_centre(tmp_path, referential):  # noqa: F811
    specs = [{"op": "generalise", "field": "code", "to": "commune"}]
    info = stage(tmp_path, specs, referential_path=referential)
    # Metz has a centre in the fixture; Marseille 1er has none; 99999 is no commune.
    assert column(info, "latitude") == [49.1193, None, None, None]
    assert column(info, "longitude") == [6.1757, None, None, None]
    assert column(info, "code") == ["57463", "13201", None, "99999"]  # kept as text


def test_generalise_takes_exactly_one_kind(tmp_path):
    for specs, message in [
        ({"field": "age"}, "give one of 'to'"),
        ({"field": "age", "to": "month", "bands": 5}, "give one of 'to'"),
        ({"field": "age", "to": "week"}, "'to' is month, year or commune"),
        ({"field": "age", "to": "year"}, "'age' is a integer field, not a date"),
        ({"fields": ["age"], "grid": 100}, "give the latitude and the longitude"),
    ]:
        with pytest.raises(StepError, match=message):
            plan_steps(parse_steps([{"op": "generalise", **specs}]), SCHEMA)
