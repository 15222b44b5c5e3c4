"""Validation: a version checked against a declared Table Schema (or its inferred one) in DuckDB.

The fixture of our own (tests/fixtures/schema-equipements) breaks each rule on a known row;
rows count the header as row 1, so the first record is row 2. The IRVE schema of
schema.data.gouv.fr (/work/shared fixtures) is used when present.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from territoria.datastore.readers import read_to_parquet
from territoria.datastore.validation import (
    SchemaError,
    check_table_schema,
    validate_parquet,
    validation_check,
)
from territoria.datastore.versions import VersionStore

FIXTURES = Path(__file__).parent.parent / "fixtures" / "schema-equipements"
IRVE = Path(os.environ.get("TERRITORIA_SHARED", "/work/shared")) / "fixtures" / "schema-irve"


def _read(source: Path, work: Path) -> tuple[Path, dict[str, Any]]:
    work.mkdir(parents=True, exist_ok=True)
    result = read_to_parquet(source, work / "data.parquet", work_dir=work)
    return work / "data.parquet", result.schema


@pytest.fixture(scope="module")
def equipements(tmp_path_factory) -> dict[str, Any]:
    parquet, inferred = _read(
        FIXTURES / "equipements-invalides.csv", tmp_path_factory.mktemp("equipements")
    )
    declared = check_table_schema(json.loads((FIXTURES / "schema.json").read_text()))
    return validate_parquet(parquet, inferred, declared, reference={"name": declared["name"]})


def _error(report: dict[str, Any], code: str, field: str | None = None) -> dict[str, Any]:
    found = [e for e in report["errors"] if e["code"] == code and e["field"] == field]
    assert len(found) == 1, (code, field, report["errors"])
    return found[0]


def _rows(error: dict[str, Any]) -> list[int]:
    return [example["row"] for example in error["examples"]]


def test_report_counts_rows_that_break_at_least_one_rule(equipements):
    assert equipements["schema"] == {"source": "declared", "name": "equipements-publics"}
    assert equipements["valid"] is False
    assert equipements["row_count"] == 4
    assert equipements["invalid_rows"] == 3  # only the first record (row 2) conforms
    assert equipements["conformance"] == 0.25


def test_values_not_castable_to_the_declared_type_are_type_errors(equipements):
    for field, value in [
        ("surface", "abc"),
        ("ouverture", "14/01/2020"),
        ("accessible", "peut-être"),
        ("contact", "pas-un-mail"),
        ("coordonnees", "[200,48]"),
    ]:
        error = _error(equipements, "type-error", field)
        assert error["count"] == 1
        assert error["examples"] == [{"row": 4, "value": value}], field
    assert _error(equipements, "type-error", "contact")["params"] == {
        "type": "string",
        "format": "email",
    }


def test_constraints_are_checked_on_the_rows_that_break_them(equipements):
    assert _rows(_error(equipements, "required-error", "code_insee")) == [5]
    assert _error(equipements, "pattern-error", "code_insee")["examples"] == [
        {"row": 4, "value": "7500"}
    ]
    assert _error(equipements, "enum-error", "categorie")["examples"] == [
        {"row": 5, "value": "loisirs"}
    ]
    minimum = _error(equipements, "minimum-error", "capacite")
    assert minimum["examples"] == [{"row": 4, "value": "-5"}]
    assert minimum["params"] == {"limit": 0, "exclusive": False}
    assert _error(equipements, "max-length-error", "nom")["examples"] == [
        {"row": 3, "value": "Médiathèque"}
    ]


def test_a_pattern_re2_refuses_is_checked_with_python(equipements):
    error = _error(equipements, "pattern-error", "nom")  # (?!Stade).* : a look-ahead
    assert error["examples"] == [{"row": 4, "value": "Stade"}]


def test_duplicated_primary_key_is_reported_on_each_row(equipements):
    error = _error(equipements, "primary-key-error", "id")
    assert error["count"] == 2
    assert error["examples"] == [{"row": 3, "value": "E2"}, {"row": 4, "value": "E2"}]


def test_missing_and_extra_columns_are_structure_errors(equipements):
    assert _error(equipements, "missing-column", "telephone")["params"] == {"required": False}
    assert _error(equipements, "extra-column", None)["column"] == "commentaire_libre"


def test_counts_per_error_type_add_up(equipements):
    counts = equipements["error_counts"]
    assert counts["type-error"] == 5
    assert counts["pattern-error"] == 2
    assert sum(counts.values()) == equipements["error_count"]


def test_completeness_is_the_share_of_filled_cells(equipements):
    # 11 columns x 4 rows; empty: three comments and one INSEE code.
    assert equipements["completeness"] == round(40 / 44, 4)
    assert equipements["columns"]["code_insee"] == {"cells": 4, "filled": 3}
    assert equipements["newest_date"] is None  # "ouverture" is read as text (one bad date)


def test_without_declared_schema_only_blank_rows_fail(tmp_path):
    source = tmp_path / "plain.csv"
    source.write_text("code;nom;date\n67482;Strasbourg;2024-03-01\n;;\n68066;Colmar;2099-01-01\n")
    parquet, inferred = _read(source, tmp_path / "work")
    report = validate_parquet(parquet, inferred)
    assert report["schema"] == {"source": "inferred"}
    assert report["errors"][0]["code"] == "blank-row"
    assert _rows(report["errors"][0]) == [3]
    assert report["conformance"] == round(2 / 3, 4)
    assert report["newest_date"] == "2024-03-01"  # a date in the future is not freshness


def test_a_conforming_file_is_valid(tmp_path):
    source = tmp_path / "ok.csv"
    source.write_text("id,code_insee,capacite\nA,67482,3\nB,2B033,0\n")
    parquet, inferred = _read(source, tmp_path / "work")
    declared = check_table_schema(
        {
            "fields": [
                {"name": "id", "type": "string", "constraints": {"unique": True}},
                {"name": "code_insee", "type": "string", "constraints": {"required": True}},
                {"name": "capacite", "type": "integer", "constraints": {"minimum": 0}},
            ]
        }
    )
    report = validate_parquet(parquet, inferred, declared)
    assert (report["valid"], report["errors"], report["conformance"]) == (True, [], 1.0)


def test_missing_required_column_makes_every_row_invalid(tmp_path):
    source = tmp_path / "short.csv"
    source.write_text("id\nA\nB\n")
    parquet, inferred = _read(source, tmp_path / "work")
    declared = check_table_schema(
        {"fields": [{"name": "id"}, {"name": "siren", "constraints": {"required": True}}]}
    )
    report = validate_parquet(parquet, inferred, declared)
    assert report["invalid_rows"] == 2
    assert report["conformance"] == 0.0


@pytest.mark.parametrize(
    ("descriptor", "reason"),
    [
        ([], "a Table Schema is a JSON object"),
        ({"fields": []}, "the schema has no 'fields' list"),
        ({"fields": [{"name": "a", "type": "text"}]}, "field 'a': unknown type 'text'"),
        ({"fields": [{"name": "a"}, {"name": "a"}]}, "field 'a' is declared twice"),
        ({"fields": [{"name": "a"}], "primaryKey": "b"}, "primaryKey names 'b'"),
        (
            {"fields": [{"name": "n", "type": "integer", "constraints": {"minimum": "x"}}]},
            "field 'n': 'minimum' 'x' is not a integer",
        ),
        ({"fields": [{"name": "a", "constraints": {"pattern": "("}}]}, "invalid pattern"),
    ],
)
def test_unusable_schemas_are_refused_with_a_reason(descriptor, reason):
    with pytest.raises(SchemaError) as caught:
        check_table_schema(descriptor)
    assert reason in str(caught.value)


def test_staging_with_the_check_keeps_the_report_with_the_version(tmp_path):
    store = VersionStore(tmp_path / "store")
    declared = check_table_schema(json.loads((FIXTURES / "schema.json").read_text()))
    check = validation_check(declared, reference={"url": "https://example.org/schema.json"})
    info = store.stage(FIXTURES / "equipements-invalides.csv", checks={"validation": check})
    report = info.reports["validation"]
    assert report["schema"]["url"] == "https://example.org/schema.json"
    assert report["invalid_rows"] == 3
    assert store.open(info.key).reports == info.reports  # kept in version.json


@pytest.mark.skipif(not IRVE.is_dir(), reason="the shared IRVE fixtures are absent")
def test_irve_example_conforms_to_the_irve_schema(tmp_path):
    declared = check_table_schema(json.loads((IRVE / "statique-schema-statique.json").read_text()))
    parquet, inferred = _read(IRVE / "statique-exemple-valide-statique.csv", tmp_path / "w")
    report = validate_parquet(parquet, inferred, declared)
    assert report["errors"] == []
    assert report["row_count"] == 2


@pytest.mark.skipif(not IRVE.is_dir(), reason="the shared IRVE fixtures are absent")
def test_irve_rows_breaking_the_schema_are_found(tmp_path):
    declared = check_table_schema(json.loads((IRVE / "statique-schema-statique.json").read_text()))
    lines = (IRVE / "statique-exemple-valide-statique.csv").read_text().splitlines()
    broken = lines[1].replace(",Voirie,", ",Trottoir,").replace(",10,FRA", ",-1,FRA")
    source = tmp_path / "irve.csv"
    source.write_text("\n".join([lines[0], lines[1], broken]) + "\n")
    parquet, inferred = _read(source, tmp_path / "w")
    report = validate_parquet(parquet, inferred, declared)
    assert _error(report, "enum-error", "implantation_station")["examples"] == [
        {"row": 3, "value": "Trottoir"}
    ]
    assert _rows(_error(report, "minimum-error", "nbre_pdc")) == [3]
    assert report["invalid_rows"] == 1


def test_a_rule_duckdb_cannot_run_gives_a_failed_report_not_a_refused_version(tmp_path):
    store = VersionStore(tmp_path / "store")
    source = tmp_path / "dates.csv"
    source.write_text("jour\nbientôt\n")  # text: the format is applied to it
    declared = check_table_schema({"fields": [{"name": "jour", "type": "date", "format": "%Q"}]})
    info = store.stage(source, checks={"validation": validation_check(declared)})
    report = info.reports["validation"]
    assert report["valid"] is False
    assert "%Q" in report["failed"]
