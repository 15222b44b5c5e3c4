"""Hostile ODSQL: every attempt to reach SQL, files or settings is refused as a QueryError.

User text never becomes SQL text (decision 0002): an injected statement, table function,
comment or unicode look-alike can only be a malformed clause or an unknown function or
field. None may crash the engine (a DatastoreError is a 500), none may read a file.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territoria.datastore.errors import DatastoreError, QueryError
from territoria.datastore.query import QueryEngine, RecordsQuery
from tests.datastore.test_query_geo import points_version

SECRET = "territoria-secret-7f3a"

ATTEMPTS = [
    "1; DROP TABLE records",
    "name = 'x'; COPY (SELECT 1) TO '/tmp/pwned.csv'",
    "name = 'x' -- and the rest",
    "name = 'x' /* comment */ OR 1 = 1",
    "read_csv('{secret}')",
    "read_csv_auto('{secret}') IS NOT NULL",
    "read_parquet('{secret}')",
    "read_text('{secret}')",
    "glob('/etc/*')",
    "name IN (SELECT content FROM read_text('{secret}'))",
    "ATTACH '/tmp/other.db'",
    "INSTALL httpfs",
    "LOAD spatial",
    "PRAGMA version",
    "pragma_version()",
    "SET enable_external_access = true",
    "current_setting('allowed_directories')",
    "getenv('HOME')",
    "query('SELECT 1')",
    "query_table('records')",
    "duckdb_settings()",
    '`name"; DROP TABLE x; --` = 1',
    "`latitude` = 1) OR (1 = 1",
    "ｒｅａｄ＿ｃｓｖ('{secret}')",
    "ѕelect * from x",
    "name\u200b = 'x'",
    "name = 'x'\u202e--",
    "within(geo_point_2d, geom'POINT(1 1)'); DROP TABLE x; --",
    'within(geo_point_2d, geom\'{{"type":"Point","coordinates":[1,1]}}\') OR read_csv(\'x\')',
    "date'2024'; ATTACH 'x'",
    "date_format(n, '%Y'); COPY x TO 'y'",
    "n = 1 UNION SELECT * FROM read_csv('{secret}')",
]
# Hostile text inside a quoted string is a value like any other: compared, searched, no more.
AS_VALUES = [
    'name = "x\\"; DROP TABLE x; --"',
    "name = 'x\x00; DROP TABLE x'",
    "'{secret}'",
    "search('../../../../etc/passwd')",
    "name = '/* */ -- ; COPY (SELECT 1) TO \\'x\\''",
]
CLAUSES = ["where", "select", "group_by", "order_by"]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    directory = tmp_path_factory.mktemp("hostile")
    secret = directory.parent / "secret.txt"
    secret.write_text(SECRET)
    return points_version(directory), str(secret)


def answer(version, clause: str, text: str) -> str:
    """The engine's answer as text (rows or the error message); fails on a crash."""
    engine = QueryEngine(timeout=30)
    query = RecordsQuery(**{clause: (text,) if clause == "where" else text, "limit": 5})
    try:
        return repr(engine.records(version, query).results)
    except QueryError as error:
        assert error.param is not None, error
        return error.message
    except DatastoreError as error:  # pragma: no cover - the failure this test exists for
        pytest.fail(f"{clause}={text!r} crashed the engine: {error!r} from {error.__cause__!r}")


@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_every_attempt_is_refused_in_every_clause(setup, attempt):
    version, secret = setup
    text = attempt.format(secret=secret)
    for clause in CLAUSES:
        answered = answer(version, clause, text)
        assert SECRET not in answered
        if clause == "where":
            assert not answered.startswith("["), (clause, text, answered)


@pytest.mark.parametrize("attempt", AS_VALUES)
def test_hostile_text_in_a_string_is_only_a_value_that_matches_nothing(setup, attempt):
    version, secret = setup
    assert answer(version, "where", attempt.format(secret=secret)) == "[]"


fragments = st.sampled_from(
    [a.format(secret="secret.txt") for a in ATTEMPTS + AS_VALUES]
    + ["name", "n", "geo_point_2d", "(", ")", ",", "'", '"', "`", ";", "--", "/*", "*/", " "]
    + ["count(*)", "AND", "OR", "NOT", "geom'", "date'", "10km", "in_bbox(", "\\", "\u0301"]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(fragments, min_size=1, max_size=6), clause=st.sampled_from(CLAUSES))
def test_random_mixes_of_hostile_fragments_never_crash_nor_read_a_file(setup, parts, clause):
    version, _ = setup
    answered = answer(version, clause, "".join(parts))
    assert SECRET not in answered
