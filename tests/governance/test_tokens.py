"""API tokens: made in the portal or the management API, shown once, scoped, expiring, revocable.

A token never does more than its user may, and never more than its scope: a read token cannot
write, neither through the API nor through the portal's forms, nor mint a wider token.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from territoria.catalog.models import Version
from territoria.governance.models import ApiToken, AuditEntry, hash_token
from territoria.governance.tokens import MAX_TOKEN_DAYS

API = "/api/1/tokens"


@pytest.fixture
def steward_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def producer(add_member):
    user = User.objects.create_user("producer", "producer@example.org", "s3cret-pass")
    return add_member(user, "ville-de-metz", "producer")


@pytest.fixture
def producer_client(client, producer):
    client.force_login(producer)
    return client


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# --- Portal ------------------------------------------------------------------------------


def test_the_token_page_needs_a_signed_in_user(client, db):
    response = client.get(reverse("governance:tokens"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


def test_a_token_created_in_the_portal_is_shown_once_and_stored_hashed(producer_client, producer):
    response = producer_client.post(
        reverse("governance:tokens"), {"name": "export nocturne", "scope": "write", "days": 30}
    )
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    secret = response.context["created"]["secret"]
    html = response.content.decode()
    assert secret in html
    assert "Copiez-le maintenant : il ne sera plus affiché." in html
    token = ApiToken.objects.get(user=producer)
    assert (token.name, token.scope, token.token_hash) == (
        "export nocturne",
        "write",
        hash_token(secret),
    )
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    listing = producer_client.get(reverse("governance:tokens")).content.decode()
    assert secret not in listing
    assert f"{token.prefix}…" in listing and "export nocturne" in listing
    assert "jamais utilisé" in listing


def test_the_portal_offers_the_admin_scope_to_stewards_only(producer_client, producer, staff_user):
    form = producer_client.get(reverse("governance:tokens")).context["form"]
    assert [v for v, _ in form.fields["scope"].choices] == ["read", "write"]
    refused = producer_client.post(
        reverse("governance:tokens"), {"name": "x", "scope": "admin", "days": 30}
    )
    assert refused.status_code == 400
    assert not ApiToken.objects.filter(user=producer).exists()
    producer_client.force_login(staff_user)
    form = producer_client.get(reverse("governance:tokens")).context["form"]
    assert [v for v, _ in form.fields["scope"].choices] == ["read", "write", "admin"]


def test_revoking_in_the_portal_is_recorded_and_stops_the_token(producer_client, producer):
    token, raw = ApiToken.issue(producer, "old", "read")
    assert producer_client.get("/api/1/datasets", **bearer(raw)).status_code == 200
    response = producer_client.post(reverse("governance:revoke-token", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(action="token.revoke", target=f"token:{token.pk}").count() == 1
    assert producer_client.get("/api/1/datasets", **bearer(raw)).status_code == 401
    page = producer_client.get(reverse("governance:tokens")).content.decode()
    assert "révoqué le" in page


def test_nobody_revokes_anybody_elses_token(producer_client, staff_user):
    token, _ = ApiToken.issue(staff_user, "steward's", "admin")
    response = producer_client.post(reverse("governance:revoke-token", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_read_token_cannot_reach_the_portals_session_features(client, ingest_text, producer):
    """The portal's forms read cookies, not scopes: a token may not post to them at all."""
    ingest_text("a;b\n1;x\n", slug="mine", access="internal", org="ville-de-metz")
    _, raw = ApiToken.issue(producer, "ro", "read")
    minted = client.post(
        reverse("governance:tokens"), {"name": "w", "scope": "write", "days": 30}, **bearer(raw)
    )
    assert minted.status_code == 403
    assert minted.json()["error_code"] == "TokenNotAccepted"
    assert client.get(reverse("governance:tokens"), **bearer(raw)).status_code == 403
    uploaded = client.post(
        reverse("portal:upload"),
        {"file": SimpleUploadedFile("x.csv", b"a;b\n1;x\n2;y\n"), "dataset": "mine"},
        **bearer(raw),
    )
    assert uploaded.status_code == 403
    assert ApiToken.objects.filter(user=producer).count() == 1
    assert Version.objects.filter(resource__dataset__slug="mine").count() == 1


def test_a_token_still_reads_portal_pages_through_the_gate(client, ingest_text, producer):
    ingest_text("a;b\n1;x\n", slug="mine", access="internal", org="ville-de-metz")
    _, raw = ApiToken.issue(producer, "ro", "read")
    assert client.get(reverse("portal:dataset", args=["mine"]), **bearer(raw)).status_code == 200
    assert client.get(reverse("portal:dataset", args=["mine"])).status_code == 404


# --- Management API ----------------------------------------------------------------------


def test_the_api_creates_a_token_whose_secret_is_in_that_answer_only(producer_client, producer):
    created = producer_client.post(
        API, {"name": "ci", "scope": "write", "days": 7}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("trt_") and body["scope"] == "write"
    assert body["state"] == "active" and body["last_used_at"] is None
    listed = producer_client.get(API).json()
    assert [t["id"] for t in listed] == [body["id"]]
    assert "secret" not in listed[0]
    used = producer_client.get("/api/1/datasets", **bearer(body["secret"]))
    assert used.status_code == 200
    assert producer_client.get(API).json()[0]["last_used_at"] is not None


def test_the_api_refuses_admin_tokens_to_non_stewards(producer_client):
    refused = producer_client.post(
        API, {"name": "a", "scope": "admin"}, content_type="application/json"
    )
    assert (refused.status_code, refused.json()["error_code"]) == (403, "ScopeNotAllowed")


def test_stewards_create_admin_tokens(steward_client):
    created = steward_client.post(
        API, {"name": "a", "scope": "admin"}, content_type="application/json"
    )
    assert created.status_code == 201
    assert created.json()["scope"] == "admin"


@pytest.mark.parametrize("days", [0, -1, MAX_TOKEN_DAYS + 1])
def test_every_token_expires_within_a_year(producer_client, days):
    response = producer_client.post(
        API, {"name": "x", "days": days}, content_type="application/json"
    )
    assert (response.status_code, response.json()["error_code"]) == (403, "InvalidExpiry")


def test_the_api_needs_a_caller(client, db):
    assert client.get(API).status_code == 401
    assert client.post(API, {"name": "x"}, content_type="application/json").status_code == 401


def test_a_read_token_cannot_create_or_revoke_tokens(client, producer):
    token, raw = ApiToken.issue(producer, "ro", "read")
    created = client.post(
        API, {"name": "w", "scope": "write"}, content_type="application/json", **bearer(raw)
    )
    assert (created.status_code, created.json()["error_code"]) == (403, "TokenReadOnly")
    assert client.delete(f"{API}/{token.pk}", **bearer(raw)).status_code == 403
    assert ApiToken.objects.filter(user=producer).count() == 1
    assert client.get(API, **bearer(raw)).status_code == 200  # listing is a read


def test_a_token_creates_no_wider_nor_longer_lived_token(client, staff_user):
    expires = timezone.now() + timedelta(days=3)
    _, raw = ApiToken.issue(staff_user, "w", "write", expires)
    wider = client.post(
        API, {"name": "a", "scope": "admin"}, content_type="application/json", **bearer(raw)
    )
    assert (wider.status_code, wider.json()["error_code"]) == (403, "ScopeNotAllowed")
    same = client.post(
        API,
        {"name": "w2", "scope": "write", "days": 300},
        content_type="application/json",
        **bearer(raw),
    )
    assert same.status_code == 201
    assert ApiToken.objects.get(pk=same.json()["id"]).expires_at == expires


def test_revoking_through_the_api_by_delete_or_post(producer_client, producer, staff_user):
    first, _ = ApiToken.issue(producer, "one", "read")
    second, _ = ApiToken.issue(producer, "two", "read")
    assert producer_client.delete(f"{API}/{first.pk}").json()["state"] == "revoked"
    assert producer_client.post(f"{API}/{second.pk}/revoke").json()["state"] == "revoked"
    assert producer_client.delete(f"{API}/{first.pk}").status_code == 200  # idempotent
    assert AuditEntry.objects.filter(action="token.revoke").count() == 2
    other, _ = ApiToken.issue(staff_user, "theirs", "read")
    assert producer_client.delete(f"{API}/{other.pk}").status_code == 404
    assert producer_client.delete(f"{API}/999999").status_code == 404


def test_the_token_command_and_the_api_see_the_same_tokens(producer_client, producer):
    from io import StringIO

    from django.core.management import call_command

    producer_client.post(API, {"name": "from-api"}, content_type="application/json")
    out = StringIO()
    call_command("token", "list", "producer", stdout=out)
    assert "producer\tread\tactive" in out.getvalue()


def test_a_bare_token_is_read_only_when_it_has_our_prefix():
    from territoria.governance.middleware import token_from_header

    assert token_from_header("Bearer trt_abc") == "trt_abc"
    assert token_from_header("Apikey trt_abc") == "trt_abc"
    assert token_from_header("trt_abc") == "trt_abc"  # ckanapi, CKAN 2.10 clients
    assert token_from_header("Basic dXNlcjpwYXNz") is None
    assert token_from_header("abc") is None
