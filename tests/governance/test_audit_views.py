"""The journal pages: stewards see and filter the whole log, an organisation its own part."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from territoria.governance.audit import Action, record_event
from territoria.governance.models import AuditCheckpoint, AuditEntry, AuditHead

JOURNAL = "/journal/"


@pytest.fixture(autouse=True)
def audit_key(request, settings, tmp_path):
    """A key of this test's own, and an empty log (the demo's module commits entries)."""
    settings.AUDIT_KEY_FILE = tmp_path / "keys" / "audit-ed25519.pem"
    if "db" in request.fixturenames:
        request.getfixturevalue("db")
        for model in (AuditEntry, AuditCheckpoint, AuditHead):
            model.objects.all().delete()


@pytest.fixture
def region(db, add_member, make_org):
    """Two organisations, an admin and a producer in Colmar, an admin in Metz; some entries."""
    colmar = make_org("ville-de-colmar", "Ville de Colmar")
    metz = make_org("ville-de-metz", "Ville de Metz")
    people = {
        name: User.objects.create_user(name, f"{name}@example.org")
        for name in ("colmar_admin", "colmar_producer", "metz_admin", "outsider")
    }
    add_member(people["colmar_admin"], "ville-de-colmar", "admin")
    add_member(people["colmar_producer"], "ville-de-colmar", "producer")
    add_member(people["metz_admin"], "ville-de-metz", "admin")
    # About Colmar's data; by a Colmar member about Metz's data; about Metz only.
    record_event(
        Action.DATASET_READ, actor=people["outsider"], target="dataset:1", organisation=colmar
    )
    record_event(
        Action.DATASET_READ, actor=people["colmar_producer"], target="dataset:2", organisation=metz
    )
    record_event(
        Action.TOKEN_CREATE, actor=people["metz_admin"], target="token:9", organisation=metz
    )
    return {"colmar": colmar, "metz": metz, **people}  # fmt: skip


def as_user(client, user):
    client.force_login(user)
    return client


def targets(response):
    """The targets listed, leaving out the sign-ins of the test clients themselves."""
    return [e.target for e in response.context["entries"] if not e.action.startswith("auth.")]


def test_stewards_see_the_whole_journal_newest_first(client, staff_user, region):
    response = as_user(client, staff_user).get(JOURNAL)
    assert response.status_code == 200
    assert targets(response) == ["token:9", "dataset:2", "dataset:1"]
    body = response.content.decode()
    assert "colmar_producer" in body  # stewards see who acted
    assert "Jeton d’API créé" in body  # the action's label, in the portal's language
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "token.create"}, ["token:9"]),
        ({"target": "dataset"}, ["dataset:2", "dataset:1"]),
        ({"target": "dataset:1"}, ["dataset:1"]),
        ({"organisation": "ville-de-metz"}, ["token:9", "dataset:2"]),
        ({"since": "2000-01-01", "until": "2000-01-02"}, []),
    ],
)
def test_stewards_filter_the_journal(client, staff_user, region, query, expected):
    response = as_user(client, staff_user).get(JOURNAL, query)
    assert targets(response) == expected


def test_stewards_filter_by_actor_and_day(client, staff_user, region):
    today = timezone.localdate()
    query = {"actor": region["metz_admin"].pk, "since": today, "until": today}
    response = as_user(client, staff_user).get(JOURNAL, query)
    assert targets(response) == ["token:9"]
    tomorrow = today + timedelta(days=1)
    response = client.get(JOURNAL, {"since": tomorrow})
    assert targets(response) == []


def test_the_journal_is_paginated(client, staff_user, db):
    for n in range(60):
        record_event(Action.DATASET_READ, target=f"dataset:{n}")
    client = as_user(client, staff_user)
    first = client.get(JOURNAL, {"target": "dataset"})
    assert len(first.context["entries"]) == 50 and first.context["window"].page_count == 2
    second = client.get(JOURNAL, {"target": "dataset", "page": 2})
    assert targets(second) == [f"dataset:{n}" for n in range(9, -1, -1)]


@pytest.mark.parametrize("who", ["anonymous", "colmar_admin", "outsider"])
def test_only_stewards_see_the_whole_journal(client, region, who):
    if who != "anonymous":
        as_user(client, region[who])
    assert client.get(JOURNAL).status_code == 404


def test_an_organisation_sees_its_entries_and_its_members_acts(client, region):
    response = as_user(client, region["colmar_admin"]).get(
        f"{JOURNAL}organisations/ville-de-colmar/"
    )
    assert response.status_code == 200
    assert targets(response) == ["dataset:2", "dataset:1"]
    body = response.content.decode()
    assert "colmar_producer" in body  # a member: named
    assert "outsider" not in body  # not a member: a number only


@pytest.mark.parametrize("who", ["anonymous", "colmar_producer", "metz_admin", "outsider"])
def test_only_an_organisations_admins_and_stewards_see_its_journal(client, region, who):
    if who != "anonymous":
        as_user(client, region[who])
    assert client.get(f"{JOURNAL}organisations/ville-de-colmar/").status_code == 404


def test_stewards_see_any_organisations_journal(client, staff_user, region):
    response = as_user(client, staff_user).get(f"{JOURNAL}organisations/ville-de-metz/")
    assert targets(response) == ["token:9", "dataset:2"]


def test_the_journal_page_query_budget(client, staff_user, region, django_assert_max_num_queries):
    client = as_user(client, staff_user)
    client.get(JOURNAL)
    # session, user, memberships, organisations (filter), count, page, actor names, head,
    # last checkpoint
    with django_assert_max_num_queries(9):
        client.get(JOURNAL)
    # Reading the journal is not itself recorded.
    assert AuditEntry.objects.exclude(action__startswith="auth.").count() == 3
