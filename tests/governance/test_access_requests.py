"""Access requests (issue 6): a partner asks, a steward approves by drafting an agreement or
refuses with a reason, both are told by e-mail; nothing opens before the agreement is active,
and asking is no way to learn whether a private dataset exists (decision 0026)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone

from territoria.catalog.models import Dataset
from territoria.governance.access_requests import (
    AccessRequestError,
    do_request_access,
    next_agreement_reference,
    slug_from_reference,
)
from territoria.governance.models import (
    AccessRequest,
    AgreementStatus,
    AuditEntry,
    DatasetGrant,
    RequestStatus,
)
from tests.governance.agreements import agreement_for, grant

CSV = (
    "commune;population;revenu_median\n"
    "Colmar;68000;21000\n"
    "Mulhouse;108000;19000\n"
    "Sélestat;19000;22000\n"
)
PRIVATE = "revenus-communes"
TITLE = "Revenus Communes"


@pytest.fixture
def region(db, ingest_text, add_member, staff_user, make_org):
    """A restricted dataset of Colmar, its admin, a steward, a partner and a stranger."""
    ingest_text(CSV, slug=PRIVATE, access="restricted", org="ville-de-colmar", title=TITLE)
    ingest_text(CSV, slug="communes-ouvert", access="open", org="ville-de-colmar")

    def person(name, org, role, kind=None):
        user = User.objects.create_user(name, f"{name}@example.org", "s3cret-pass")
        return add_member(user, org, role, kind=kind)

    return {
        "steward": staff_user,
        "owner_admin": person("admin-colmar", "ville-de-colmar", "admin"),
        "partner": person("partenaire", "startup-partenaire", "partner", kind="company"),
        "stranger": person("autre", "asso-voisine", "partner", kind="association"),
        "startup": make_org(slug="startup-partenaire"),
    }


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ask(client, region, reference=PRIVATE, **fields):
    data = {
        "reference": reference,
        "organisation": region["startup"].pk,
        "purpose": "Étude des revenus par commune",
        "legal_basis": "research",
        "details": "revenu_median, 2024",
        **fields,
    }
    return client.post("/acces/demander/", data)


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def records(client, slug=PRIVATE):
    return client.get(f"/api/explore/v2.1/catalog/datasets/{slug}/records")


def test_a_request_is_recorded_and_both_stewards_and_owner_admins_are_told(region):
    response = ask(signed_in(region["partner"]), region)
    assert response.status_code == 200
    assert "Demande enregistrée" in response.content.decode()
    request = AccessRequest.objects.get()
    assert request.dataset.slug == PRIVATE
    assert request.status == RequestStatus.PENDING
    assert sorted(m.to[0] for m in mail.outbox) == [
        "admin-colmar@example.org",
        "steward@example.org",
    ]
    to_steward = next(m for m in mail.outbox if m.to == ["steward@example.org"])
    assert "Startup Partenaire" in to_steward.subject
    assert f"/acces/demandes/{request.pk}/" in to_steward.body
    assert "Étude des revenus par commune" in to_steward.body
    to_admin = next(m for m in mail.outbox if m.to == ["admin-colmar@example.org"])
    assert "/acces/demandes/" not in to_admin.body


def test_the_answer_is_the_same_for_a_private_dataset_and_a_missing_one(region):
    client = signed_in(region["partner"])
    private = ask(client, region, reference=f"https://region.example/jeux-de-donnees/{PRIVATE}/")
    missing = ask(client, region, reference="https://region.example/jeux-de-donnees/absent/")
    assert private.status_code == missing.status_code == 200
    assert without_csrf(private.content.decode()) == without_csrf(missing.content.decode())
    found, absent = AccessRequest.objects.order_by("pk")
    assert found.dataset.slug == PRIVATE
    assert absent.dataset is None
    # Only the stewards hear of the missing one: no owner to tell.
    assert [m.to for m in mail.outbox[2:]] == [["steward@example.org"]]


def test_the_requester_sees_their_requests_but_never_the_matched_dataset(region):
    client = signed_in(region["partner"])
    ask(client, region)
    page = client.get("/acces/mes-demandes/").content.decode()
    assert PRIVATE in page  # as typed
    assert TITLE not in page
    assert "en attente" in page
    assert TITLE not in signed_in(region["stranger"]).get("/acces/mes-demandes/").content.decode()


def test_approval_drafts_an_agreement_and_opens_access_only_once_it_is_active(region):
    partner = signed_in(region["partner"])
    ask(partner, region)
    request = AccessRequest.objects.get()
    mail.outbox.clear()
    steward = signed_in(region["steward"])
    response = steward.post(
        f"/acces/demandes/{request.pk}/approuver/",
        {
            "allowed_fields": ["commune", "population"],
            "row_filter": "population > 20000",
            "statistical_units": "persons",
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    agreement = request.agreement
    year = timezone.localdate().year
    assert (request.status, agreement.reference) == (RequestStatus.APPROVED, f"CONV-{year}-0001")
    assert agreement.status == AgreementStatus.DRAFT
    assert agreement.partner == region["startup"]
    assert agreement.legal_basis == "research"
    assert (agreement.ends_on - agreement.starts_on).days == 365
    drafted = DatasetGrant.objects.get(agreement=agreement)
    assert drafted.allowed_fields == ["commune", "population"]
    assert drafted.row_filter == "population > 20000"
    assert [m.to for m in mail.outbox] == [["partenaire@example.org"]]
    assert agreement.reference in mail.outbox[0].body

    assert records(partner).status_code == 404  # a draft opens nothing

    agreement.status = AgreementStatus.ACTIVE
    agreement.save()
    answer = records(partner)
    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert sorted(r["commune"] for r in rows) == ["Colmar", "Mulhouse"]
    assert all(set(row) == {"commune", "population"} for row in rows)


def test_an_invalid_row_filter_is_refused_before_anything_is_drafted(region):
    ask(signed_in(region["partner"]), region)
    request = AccessRequest.objects.get()
    response = signed_in(region["steward"]).post(
        f"/acces/demandes/{request.pk}/approuver/",
        {"row_filter": "salaire > 3", "statistical_units": "persons"},
    )
    assert response.status_code == 400
    assert "salaire" in response.content.decode()
    request.refresh_from_db()
    assert (request.status, request.agreement) == (RequestStatus.PENDING, None)
    assert not DatasetGrant.objects.exists()


def test_a_refusal_needs_a_reason_and_the_requester_receives_it(region):
    ask(signed_in(region["partner"]), region)
    request = AccessRequest.objects.get()
    mail.outbox.clear()
    steward = signed_in(region["steward"])
    empty = steward.post(f"/acces/demandes/{request.pk}/refuser/", {"reason": "  "})
    assert empty.status_code == 400
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING
    assert mail.outbox == []

    reason = "Données individuelles : une convention avec l'INSEE est nécessaire."
    refused = steward.post(f"/acces/demandes/{request.pk}/refuser/", {"reason": reason})
    assert refused.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.reason, request.decided_by) == (
        RequestStatus.REFUSED,
        reason,
        region["steward"],
    )
    assert [m.to for m in mail.outbox] == [["partenaire@example.org"]]
    assert reason in mail.outbox[0].body
    assert "refusée" in mail.outbox[0].subject


def test_steward_pages_and_other_peoples_requests_answer_404(region):
    ask(signed_in(region["partner"]), region)
    pk = AccessRequest.objects.get().pk
    for user in ("partner", "stranger", "owner_admin"):
        client = signed_in(region[user])
        assert client.get("/acces/demandes/").status_code == 404, user
        assert client.get(f"/acces/demandes/{pk}/").status_code == 404, user
        approve = client.post(f"/acces/demandes/{pk}/approuver/", {"statistical_units": "persons"})
        assert approve.status_code == 404, user
        assert client.post(f"/acces/demandes/{pk}/refuser/", {"reason": "x"}).status_code == 404
    stranger = signed_in(region["stranger"])
    assert stranger.post(f"/acces/mes-demandes/{pk}/retirer/").status_code == 404
    assert AccessRequest.objects.get().status == RequestStatus.PENDING
    assert Client().get("/acces/demandes/").status_code == 404


def test_the_steward_sees_the_request_with_its_dataset_and_the_columns_to_choose(region):
    ask(signed_in(region["partner"]), region)
    pk = AccessRequest.objects.get().pk
    steward = signed_in(region["steward"])
    listing = steward.get("/acces/demandes/").content.decode()
    assert TITLE in listing
    page = steward.get(f"/acces/demandes/{pk}/").content.decode()
    assert TITLE in page
    for column in ("commune", "population", "revenu_median"):
        assert f'value="{column}"' in page


def test_the_requester_may_withdraw_a_pending_request(region):
    partner = signed_in(region["partner"])
    ask(partner, region)
    pk = AccessRequest.objects.get().pk
    assert partner.post(f"/acces/mes-demandes/{pk}/retirer/").status_code == 302
    assert AccessRequest.objects.get().status == RequestStatus.WITHDRAWN
    response = signed_in(region["steward"]).post(f"/acces/demandes/{pk}/refuser/", {"reason": "x"})
    assert response.status_code == 400  # already answered


def test_every_act_is_written_to_the_audit_log_without_the_dataset_at_request_time(region):
    ask(signed_in(region["partner"]), region)
    request = AccessRequest.objects.get()
    signed_in(region["steward"]).post(
        f"/acces/demandes/{request.pk}/approuver/", {"statistical_units": "persons"}
    )
    entries = AuditEntry.objects.filter(target=f"access_request:{request.pk}").order_by("pk")
    assert [e.action for e in entries] == ["access_request.create", "access_request.approve"]
    created, approved = entries
    assert "dataset" not in created.detail
    assert approved.detail["dataset"] == request.dataset_id


def test_the_dataset_page_offers_a_request_to_who_reads_under_limits(region):
    dataset_page = f"/jeux-de-donnees/{PRIVATE}/"
    partner = signed_in(region["partner"])
    assert partner.get(dataset_page).status_code == 404  # no agreement: no page, no link
    page = partner.get("/jeux-de-donnees/communes-ouvert/").content.decode()
    assert 'data-testid="request-access"' in page
    grant(Dataset.objects.get(slug=PRIVATE), region["startup"], allowed_fields=["commune"])
    assert 'data-testid="request-access"' in partner.get(dataset_page).content.decode()
    for user in ("steward", "owner_admin"):
        page = signed_in(region[user]).get(dataset_page).content.decode()
        assert 'data-testid="request-access"' not in page, user
    open_page = Client().get("/jeux-de-donnees/communes-ouvert/").content.decode()
    assert 'data-testid="request-access"' not in open_page


def test_a_user_asks_only_on_behalf_of_their_own_organisations(region, make_org):
    other = make_org(slug="asso-voisine")
    response = ask(signed_in(region["partner"]), region, organisation=other.pk)
    assert response.status_code == 400
    assert not AccessRequest.objects.exists()
    with pytest.raises(AccessRequestError):
        do_request_access(
            region["partner"], other, reference=PRIVATE, purpose="x", legal_basis="research"
        )


@pytest.mark.parametrize(
    ("typed", "slug"),
    [
        ("revenus-communes", "revenus-communes"),
        ("  Revenus-Communes/ ", "revenus-communes"),
        ("https://data.region.fr/jeux-de-donnees/revenus-communes/", "revenus-communes"),
        ("/api/explore/v2.1/catalog/datasets/revenus-communes/records?limit=1", "revenus-communes"),
    ],
)
def test_the_slug_is_read_from_an_address_or_typed_alone(typed, slug):
    assert slug_from_reference(typed) == slug


def test_agreement_references_follow_the_highest_of_the_year(region):
    assert next_agreement_reference(date(2026, 3, 1)) == "CONV-2026-0001"
    agreement_for(region["startup"], reference="CONV-2026-0041")
    agreement_for(region["startup"], reference="CONV-2025-0099")
    assert next_agreement_reference(date(2026, 3, 1)) == "CONV-2026-0042"
    assert next_agreement_reference(date(2027, 1, 2)) == "CONV-2027-0001"
