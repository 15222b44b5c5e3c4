"""The k-anonymity and l-diversity report (datastore/anonymity.py) on hand-built tables."""

import itertools
from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territoria.datastore.anonymity import AnonymityError, anonymity_report

FIELDS = ("sexe", "age", "commune", "diagnostic")
SCHEMA = {"fields": [{"name": n, "type": "string"} for n in FIELDS]}
ROWS = [
    ("F", "30-39", "57463", "grippe"),
    ("F", "30-39", "57463", "angine"),
    ("F", "30-39", "57463", "grippe"),
    ("M", "30-39", "57463", "grippe"),
    ("M", "30-39", "57463", "grippe"),
    ("M", "70-79", "01001", "fracture"),
]


def write(directory: Path, rows, key="v1") -> Path:
    """``rows`` as a version's Parquet file (``<store>/versions/<key>/data.parquet``)."""
    target = directory / "versions" / key
    target.mkdir(parents=True, exist_ok=True)
    parquet = target / "data.parquet"
    con = duckdb.connect()
    con.execute(f"CREATE TABLE t ({', '.join(f'{n} VARCHAR' for n in FIELDS)})")
    if rows:
        con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", [list(r) for r in rows])
    con.execute(f"COPY t TO '{parquet}' (FORMAT parquet)")
    return parquet


def test_k_is_the_smallest_class_and_the_rows_under_the_target_are_counted(tmp_path):
    report = anonymity_report(write(tmp_path, ROWS), SCHEMA, ["sexe", "age"], target_k=3)
    assert (report.rows, report.classes, report.k) == (6, 3, 1)
    assert (report.classes_under_k, report.rows_under_k) == (2, 3)
    assert report.share_under_k == 0.5
    assert not report.is_k_anonymous
    sizes = {b["sizes"]: (b["classes"], b["rows"]) for b in report.histogram}
    assert sizes["1"] == (1, 1) and sizes["2"] == (1, 2) and sizes["3-4"] == (1, 3)
    assert sizes["101+"] == (0, 0)
    assert report.worst[0] == {"size": 1, "values": {"sexe": "M", "age": "70-79"}}
    assert report.l is None and report.classes_under_l is None


def test_distinct_l_counts_the_sensitive_values_of_each_class(tmp_path):
    parquet = write(tmp_path, ROWS)
    report = anonymity_report(parquet, SCHEMA, ["sexe", "age"], "diagnostic", target_k=2)
    assert report.l == 1
    assert (report.classes_under_l, report.rows_under_l) == (2, 3)  # M 30-39 and M 70-79
    assert [w["l"] for w in report.worst] == [1, 1, 2]
    # Only counts and quasi-identifier values: never a sensitive value.
    assert "grippe" not in str(report.as_dict()) and "fracture" not in str(report.as_dict())


def test_a_table_where_every_class_is_large_enough_is_k_anonymous(tmp_path):
    report = anonymity_report(write(tmp_path, ROWS * 11), SCHEMA, ["commune"], target_k=11)
    assert (report.k, report.classes_under_k, report.rows_under_k) == (11, 0, 0)
    assert report.is_k_anonymous and report.as_dict()["is_k_anonymous"] is True


def test_an_empty_version_has_no_class(tmp_path):
    report = anonymity_report(write(tmp_path, []), SCHEMA, ["sexe"], "diagnostic")
    assert (report.rows, report.classes, report.k, report.l) == (0, 0, 0, 0)
    assert report.is_k_anonymous and report.worst == []


@pytest.mark.parametrize(
    ("quasi", "sensitive", "message"),
    [
        ([], None, "at least one quasi-identifier"),
        (["sexe", "sexe"], None, "distinct quasi-identifiers"),
        (["nom"], None, "unknown field 'nom'"),
        (["sexe"], "sexe", "not a quasi-identifier"),
        (['sexe" FROM x; --'], None, "unknown field"),
    ],
)
def test_fields_are_checked_against_the_schema(tmp_path, quasi, sensitive, message):
    with pytest.raises(AnonymityError, match=message):
        anonymity_report(write(tmp_path, ROWS), SCHEMA, quasi, sensitive)


values = st.sampled_from(["a", "b", "c", None])
_keys = itertools.count()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(values, values, values, values), min_size=1, max_size=40))
def test_k_and_l_are_those_computed_in_python(tmp_path_factory, rows):
    parquet = write(tmp_path_factory.mktemp("t"), rows)
    report = anonymity_report(parquet, SCHEMA, ["sexe", "age"], "diagnostic", target_k=3)
    classes = Counter((r[0], r[1]) for r in rows)
    distinct = defaultdict(set)
    for row in rows:
        if row[3] is not None:
            distinct[(row[0], row[1])].add(row[3])
    assert report.k == min(classes.values())
    assert report.classes == len(classes)
    assert report.rows_under_k == sum(n for n in classes.values() if n < 3)
    assert report.l == min(len(distinct[c]) for c in classes)
