"""The Django admin is the data office's back office: stewards only, through the gate."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from territoria.catalog.models import Dataset, Version
from territoria.governance.admin import steward_only
from territoria.governance.models import ApiToken, AuditEntry, DatasetGrant
from tests.governance.world import LEVELS, MARKERS, ROLES, SLUGS, VISIBLE, leaked_markers

pytestmark = pytest.mark.usefixtures("world_datastore")


@pytest.mark.parametrize("role", ROLES)
def test_only_stewards_enter_the_admin(client_as, role):
    client = client_as(role)
    for url in ("/admin/", "/admin/catalog/dataset/", "/admin/catalog/version/"):
        response = client.get(url)
        if role == "steward":
            assert response.status_code == 200, url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith("/admin/login/")


def test_a_staff_account_that_is_no_steward_sees_nothing(client_as, world):
    """``is_staff`` is Django's flag, not ours: without a steward role the admin stays shut."""
    user = world.user("staff_not_steward")
    assert user.is_staff
    request = RequestFactory().get("/admin/")
    for who in (AnonymousUser(), user, world.user("owner_producer")):
        request.user = who
        assert not steward_only(request)
    request.user = world.user("steward")
    assert steward_only(request)
    login = client_as("staff_not_steward").get("/admin/login/")
    assert leaked_markers(login.content.decode(), "staff_not_steward") == []


def test_stewards_see_every_dataset_and_version(client_as):
    client = client_as("steward")
    datasets = client.get("/admin/catalog/dataset/").content.decode()
    versions = client.get("/admin/catalog/version/")
    assert all(MARKERS[level] in datasets for level in LEVELS)
    assert versions.context["cl"].result_count == len(LEVELS)


@pytest.mark.parametrize("role", ROLES)
def test_admin_querysets_start_from_the_gate(world, role):
    """Were a non-steward ever let in, the admin would list no more than the gate allows."""
    request = RequestFactory().get("/admin/")
    request.user = world.user(role) or AnonymousUser()
    expected = {SLUGS[level] for level in VISIBLE[role]}
    dataset_admin = admin.site._registry[Dataset]
    slugs = set(dataset_admin.get_queryset(request).values_list("slug", flat=True))
    assert slugs & set(SLUGS.values()) == expected
    version_admin = admin.site._registry[Version]
    keys = set(version_admin.get_queryset(request).values_list("key", flat=True))
    assert keys == {world.versions[level].key for level in VISIBLE[role]}
    grant_admin = admin.site._registry[DatasetGrant]
    granted = {g.dataset.slug for g in grant_admin.get_queryset(request)}
    assert granted <= expected


def test_the_grant_form_offers_only_datasets_from_the_gate(world):
    request = RequestFactory().get("/admin/")
    request.user = world.user("region_staff")
    grant_admin = admin.site._registry[DatasetGrant]
    field = grant_admin.formfield_for_foreignkey(DatasetGrant._meta.get_field("dataset"), request)
    assert set(field.queryset.values_list("slug", flat=True)) & set(SLUGS.values()) == {
        SLUGS[level] for level in VISIBLE["region_staff"]
    }


def test_stewards_revoke_tokens_from_the_admin_and_it_is_recorded(client_as, world):
    token, _ = ApiToken.issue(world.user("owner_producer"), "leaked", "write")
    response = client_as("steward").post(
        "/admin/governance/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(action="token.revoke", target=f"token:{token.pk}").exists()


def test_reading_a_non_open_dataset_in_the_admin_is_audited(client_as, world):
    client = client_as("steward")
    for level in LEVELS:
        dataset = Dataset.objects.get(slug=SLUGS[level])
        before = AuditEntry.objects.filter(target=f"dataset:{dataset.pk}").count()
        response = client.get(f"/admin/catalog/dataset/{dataset.pk}/change/")
        assert response.status_code == 200
        entries = AuditEntry.objects.filter(target=f"dataset:{dataset.pk}")
        if level == "open":
            assert entries.count() == before
        else:
            assert entries.count() == before + 1
            assert entries.order_by("-sequence").first().detail["purpose"] == "admin"
