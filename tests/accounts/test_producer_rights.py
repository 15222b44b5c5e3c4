"""What a membership gives: a producer writes its own organisation's datasets, no other's,
and cannot open a dataset to everyone (a steward's act). Checked through the management API,
for a producer who joined by invitation."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from territoria.accounts.memberships import do_accept_invitation, do_invite
from territoria.governance.models import ApiToken

CSV = b"station;mesure\nMetz;12\nThionville;7\n"


@pytest.fixture
def producer_token(db, make_org, staff_user, ingest_text):
    """A producer of Ville de Metz (invited by a steward), with a write token."""
    ingest_text("a;b\n1;x\n", slug="budget-metz", org="ville-de-metz", access="internal")
    ingest_text("a;b\n1;x\n", slug="arbres-strasbourg", org="eurometropole", access="open")
    person = User.objects.create_user("productrice", "productrice@metz.example", "s3cret-pass")
    invitation, _ = do_invite(
        staff_user, make_org("ville-de-metz"), "productrice@metz.example", "producer"
    )
    do_accept_invitation(person, invitation)
    return ApiToken.issue(person, "ci", scope="write")[1]


def upload(client, slug, token):
    return client.post(
        f"/api/1/datasets/{slug}/upload",
        {"file": SimpleUploadedFile("mesures.csv", CSV)},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def create(client, token, organisation, access):
    return client.post(
        "/api/1/datasets",
        {
            "slug": f"new-{organisation}-{access}",
            "title": "Nouveau",
            "organisation": organisation,
            "access_level": access,
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_a_producer_uploads_to_its_own_organisations_dataset(client, producer_token):
    response = upload(client, "budget-metz", producer_token)
    assert response.status_code == 201
    assert response.json()["row_count"] == 2


def test_a_producer_cannot_upload_to_another_organisations_dataset(client, producer_token):
    # the dataset is open, so the producer sees it; writing it is still not theirs: 404
    assert client.get("/api/1/datasets/arbres-strasbourg").status_code == 200
    assert upload(client, "arbres-strasbourg", producer_token).status_code == 404


def test_a_producer_cannot_open_a_dataset_but_may_create_an_internal_one(client, producer_token):
    assert create(client, producer_token, "ville-de-metz", "open").status_code == 403
    assert create(client, producer_token, "ville-de-metz", "internal").status_code == 201
    assert create(client, producer_token, "eurometropole", "internal").status_code == 403


def test_a_removed_producer_loses_the_right_at_once(client, producer_token, staff_user):
    from territoria.accounts.memberships import do_remove_member
    from territoria.accounts.models import Membership

    do_remove_member(staff_user, Membership.objects.get(user__username="productrice"))
    assert upload(client, "budget-metz", producer_token).status_code == 404


def test_a_producer_uploads_through_the_portal_only_to_its_organisation(client, producer_token):
    client.force_login(User.objects.get(username="productrice"))
    form = client.get(reverse("portal:upload")).context["form"]
    assert [o.slug for o in form.fields["organisation"].queryset] == ["ville-de-metz"]
    assert "open" not in [v for v, _ in form.fields["access"].choices]
