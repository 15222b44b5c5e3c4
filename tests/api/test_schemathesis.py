"""schemathesis against ``/api/1/openapi.json``: no token, a read token, a write token.

schemathesis generates requests from the management API's own OpenAPI schema (every operation,
path parameters drawn half from the region of ``tests/governance/world.py`` and half at
random); Django's test client sends them, inside the test's transaction, so nothing written
survives. For each answer:

- never a 5xx;
- without a token, or with a read token, no write (POST, PUT, PATCH, DELETE) succeeds;
- with a write token, no write succeeds on a dataset its user may not write (the token's user
  is a producer of another organisation than the world's datasets');
- no answer carries the marker of a dataset the caller may not see, and a hidden dataset
  answers 404 like a missing one.

Deterministic and bounded: ``derandomize=True`` (a fixed seed per test), no example database,
``MAX_EXAMPLES`` per operation and caller.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territoria.api.v1 import api
from territoria.catalog.models import Dataset, Version
from territoria.governance.models import ApiToken
from tests.governance.world import LEVELS, MISSING_SLUG, SLUGS, VISIBLE, leaked_markers

MAX_EXAMPLES = 20
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
USER = "other_producer"  # writes its own organisation's datasets, sees only the open one here
CALLERS = ("no token", "read token", "write token")

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/1/"))
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]

pytestmark = pytest.mark.usefixtures("world_datastore")


def test_the_schema_under_test_is_the_one_served(client, db):
    served = client.get("/api/1/openapi.json").json()
    assert served["paths"].keys() == SCHEMA.raw_schema["paths"].keys()
    assert len(OPERATIONS) >= 10


@pytest.fixture
def secrets(world):
    user = world.user(USER)
    return {
        "no token": None,
        "read token": ApiToken.issue(user, "schemathesis-read", "read")[1],
        "write token": ApiToken.issue(user, "schemathesis-write", "write")[1],
    }


def path_values(world, name: str) -> st.SearchStrategy:
    """Known values (the world's datasets, versions, tokens) or schemathesis's own."""
    known = {
        "slug": [*SLUGS.values(), MISSING_SLUG, "ville-de-mulhouse", "ville-de-colmar"],
        "key": [v.key for v in world.versions.values()],
        "token_id": [world.token.pk],
    }.get(name)
    return st.sampled_from(known) if known else st.nothing()


def cases(world, operation, headers: dict) -> st.SearchStrategy:
    names = [p.name for p in operation.path_parameters]
    if not names:
        return operation.as_strategy(headers=headers)
    return st.one_of(
        operation.as_strategy(headers=headers),
        st.fixed_dictionaries({n: path_values(world, n) for n in names}).flatmap(
            lambda values: operation.as_strategy(path_parameters=values, headers=headers)
        ),
    )


def send(client: Client, case, secret: str | None):
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    url = kwargs["url"].removeprefix("http://testserver")
    if kwargs.get("params"):
        url += "?" + urlencode(kwargs["params"], doseq=True)
    extra = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    method = case.method.upper()
    if kwargs.get("files") is not None:
        data: dict = {}
        for name, (filename, content, *_) in kwargs["files"]:
            if isinstance(content, int | float):
                content = str(content)
            value = content if filename is None else SimpleUploadedFile(filename, content)
            data.setdefault(name, []).append(value)
        return client.post(url, data, **extra)
    if "json" in kwargs:
        body = json.dumps(kwargs["json"])
        return client.generic(method, url, body, "application/json", **extra)
    return client.generic(method, url, kwargs.get("data") or b"", **extra)


def slug_of(case) -> str | None:
    if case.operation.path.startswith("/api/1/datasets/"):
        return (case.path_parameters or {}).get("slug")
    return None


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_generated_requests_stay_within_scope_and_gate(operation, caller, world, secrets, db):
    secret = secrets[caller]
    role = USER if secret else "anonymous"
    client = Client(raise_request_exception=False)
    before = {
        level: (ds.access_level, Version.objects.filter(resource__dataset=ds).count())
        for level, ds in world.datasets.items()
    }
    problems: list[str] = []

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(case=cases(world, operation, headers={}))
    def run(case):
        case.headers = {k: v for k, v in (case.headers or {}).items() if k != "Authorization"}
        response = send(client, case, secret)
        where = f"{case.method.upper()} {case.formatted_path} ({caller})"
        text = response.content.decode("utf-8", errors="replace")
        if response.status_code >= 500:
            problems.append(f"{where}: {response.status_code}")
        if case.method.upper() in WRITES and 200 <= response.status_code < 300:
            if caller != "write token":
                problems.append(f"{where}: {response.status_code}, a write beyond the scope")
            elif slug_of(case) in SLUGS.values():
                problems.append(f"{where}: {response.status_code} on a dataset it may not write")
        if leaked_markers(text, role):
            problems.append(f"{where}: leaks {leaked_markers(text, role)}")
        slug = slug_of(case)
        hidden = {SLUGS[lv] for lv in LEVELS if lv not in VISIBLE[role]}
        if slug in hidden and response.status_code not in (401, 404, 422):
            problems.append(f"{where}: {response.status_code} for a hidden dataset, not 404")

    run()
    after = {
        level: (ds.access_level, Version.objects.filter(resource__dataset=ds).count())
        for level, ds in world.datasets.items()
    }
    assert after == before, "a dataset the caller may not write was changed"
    assert Dataset.objects.filter(slug__in=SLUGS.values()).count() == len(LEVELS)
    assert not problems, "\n".join(dict.fromkeys(problems))
