"""Invitations, membership requests, roles and removals: who may, and what is recorded."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from territoria.accounts.models import Invitation, Membership, MembershipRequest
from territoria.governance.audit import Action


@pytest.fixture
def org_admin(db, add_member):
    user = User.objects.create_user("admin-metz", "admin@metz.example", "s3cret-pass")
    return add_member(user, "ville-de-metz", "admin", kind="commune")


@pytest.fixture
def newcomer(db):
    return User.objects.create_user("nouvelle", "Nouvelle@Metz.example", "s3cret-pass")


def members_url(slug="ville-de-metz"):
    return reverse("accounts:members", args=[slug])


def invite(client, email="nouvelle@metz.example", role="producer", slug="ville-de-metz"):
    return client.post(members_url(slug), {"email": email, "role": role})


def invitation_link(client, response) -> str:
    """The acceptance link shown to the inviter (the token is stored hashed: shown once)."""
    html = client.get(response["Location"]).content.decode()
    return re.search(r"http://testserver(/compte/invitation/[^/]+/)", html).group(1)


def test_an_admin_invites_by_email_and_the_invitee_joins(client, org_admin, newcomer, audit):
    client.force_login(org_admin)
    response = invite(client)
    assert response.status_code == 302
    link = invitation_link(client, response)
    invitation = Invitation.objects.get()
    assert invitation.token_hash not in link  # only the hash is stored
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nouvelle@metz.example"]
    assert link in mail.outbox[0].body
    assert "Ville De Metz" in mail.outbox[0].subject

    client.force_login(newcomer)
    page = client.get(link)
    assert page.status_code == 200
    assert "Accepter l’invitation" in page.content.decode()
    response = client.post(link)
    assert response.status_code == 302
    membership = Membership.objects.get(user=newcomer)
    assert (membership.organisation.slug, membership.role) == ("ville-de-metz", "producer")
    event = audit.of(Action.MEMBERSHIP_ROLE)[0]
    assert event["target"] == f"user:{newcomer.pk}"
    assert event["organisation"] == membership.organisation
    assert event["detail"]["role"] == "producer"
    assert client.post(link).status_code == 403  # used once


def test_an_expired_invitation_is_refused(client, org_admin, newcomer):
    client.force_login(org_admin)
    link = invitation_link(client, invite(client))
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(newcomer)
    response = client.post(link)
    assert response.status_code == 403
    assert "a expiré" in response.content.decode()
    assert not Membership.objects.filter(user=newcomer).exists()


def test_an_invitation_is_refused_to_another_account(client, org_admin, plain_user):
    client.force_login(org_admin)
    link = invitation_link(client, invite(client))
    client.force_login(plain_user)
    response = client.post(link)
    assert response.status_code == 403
    assert "une autre adresse" in response.content.decode()
    assert "nouvelle@metz.example" not in response.content.decode()
    assert not Membership.objects.filter(user=plain_user).exists()


def test_an_unknown_invitation_token_is_404_and_anonymous_must_sign_in(client, newcomer):
    response = client.get(reverse("accounts:invitation", args=["not-a-token"]))
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=/compte/invitation/")
    client.force_login(newcomer)
    assert client.get(reverse("accounts:invitation", args=["not-a-token"])).status_code == 404


def test_only_stewards_may_invite_or_promote_a_steward(client, org_admin, staff_user, newcomer):
    client.force_login(org_admin)
    form = client.get(members_url()).context["form"]
    assert "steward" not in [v for v, _ in form.fields["role"].choices]
    assert invite(client, role="steward").status_code == 400
    assert not Invitation.objects.exists()
    membership = Membership.objects.create(
        user=newcomer, organisation=org_admin.memberships.get().organisation, role="viewer"
    )
    client.post(
        reverse("accounts:change_role", args=["ville-de-metz", membership.pk]),
        {f"m{membership.pk}-role": "steward"},
    )
    membership.refresh_from_db()
    assert membership.role == "viewer"

    client.force_login(staff_user)
    assert invite(client, email="dpo@region.example", role="steward").status_code == 302
    assert Invitation.objects.get().role == "steward"


def test_a_user_requests_membership_and_an_admin_accepts(client, org_admin, newcomer, audit):
    client.force_login(newcomer)
    response = client.post(
        reverse("accounts:account"),
        {"organisation": "ville-de-metz", "message": "Service SIG"},
    )
    assert response.status_code == 302
    page = client.get(reverse("accounts:account")).content.decode()
    assert "Mes demandes en attente" in page
    assert "Ville De Metz" in page
    again = client.post(reverse("accounts:account"), {"organisation": "ville-de-metz"})
    assert again.status_code == 400
    assert MembershipRequest.objects.count() == 1

    request = MembershipRequest.objects.get()
    client.force_login(org_admin)
    assert "Service SIG" in client.get(members_url()).content.decode()
    response = client.post(
        reverse("accounts:accept_request", args=["ville-de-metz", request.pk]),
        {f"r{request.pk}-role": "producer"},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("accepted", org_admin)
    assert Membership.objects.get(user=newcomer).role == "producer"
    assert audit.of(Action.MEMBERSHIP_ROLE)[0]["actor"] == org_admin


def test_an_admin_rejects_a_request(client, org_admin, newcomer):
    client.force_login(newcomer)
    client.post(reverse("accounts:account"), {"organisation": "ville-de-metz"})
    request = MembershipRequest.objects.get()
    client.force_login(org_admin)
    client.post(reverse("accounts:reject_request", args=["ville-de-metz", request.pk]))
    request.refresh_from_db()
    assert request.status == "rejected"
    assert not Membership.objects.filter(user=newcomer).exists()
    client.force_login(newcomer)
    assert "Mes demandes en attente" not in client.get(reverse("accounts:account")).content.decode()


def test_an_admin_changes_a_role_and_removes_a_member(client, org_admin, newcomer, audit):
    organisation = org_admin.memberships.get().organisation
    membership = Membership.objects.create(user=newcomer, organisation=organisation)
    client.force_login(org_admin)
    client.post(
        reverse("accounts:change_role", args=["ville-de-metz", membership.pk]),
        {f"m{membership.pk}-role": "producer"},
    )
    membership.refresh_from_db()
    assert membership.role == "producer"
    client.post(reverse("accounts:remove_member", args=["ville-de-metz", membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    [role] = audit.of(Action.MEMBERSHIP_ROLE)
    [removal] = audit.of(Action.MEMBERSHIP_REMOVE)
    assert (role["action"], role["target"], role["organisation"]) == (
        Action.MEMBERSHIP_ROLE,
        f"user:{newcomer.pk}",
        organisation,
    )
    assert role["detail"] == {"role": "producer", "previous": "viewer"}
    assert (removal["action"], removal["target"]) == (
        Action.MEMBERSHIP_REMOVE,
        f"user:{newcomer.pk}",
    )


def test_the_last_admin_cannot_leave_the_organisation_without_one(client, org_admin):
    membership = org_admin.memberships.get()
    client.force_login(org_admin)
    response = client.post(reverse("accounts:remove_member", args=["ville-de-metz", membership.pk]))
    assert response.status_code == 302
    assert Membership.objects.filter(pk=membership.pk, role="admin").exists()
    assert "au moins un administrateur" in client.get(members_url()).content.decode()


def test_a_role_change_is_undone_when_the_audit_trail_fails(client, org_admin, newcomer, request):
    membership = Membership.objects.create(
        user=newcomer, organisation=org_admin.memberships.get().organisation
    )
    client.force_login(org_admin)
    request.getfixturevalue("audit_down")
    response = client.post(
        reverse("accounts:change_role", args=["ville-de-metz", membership.pk]),
        {f"m{membership.pk}-role": "admin"},
    )
    assert response.status_code == 503
    assert "n’a pas été faite" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "viewer"


@pytest.mark.parametrize("role", ["producer", "viewer", "partner"])
def test_members_who_are_not_admins_get_404_everywhere(
    client, org_admin, newcomer, add_member, role
):
    add_member(newcomer, "ville-de-metz", role)
    target = org_admin.memberships.get()
    client.force_login(newcomer)
    urls = [
        members_url(),
        reverse("accounts:change_role", args=["ville-de-metz", target.pk]),
        reverse("accounts:remove_member", args=["ville-de-metz", target.pk]),
    ]
    assert client.get(urls[0]).status_code == 404
    for url in urls[1:]:
        assert client.post(url, {f"m{target.pk}-role": "viewer"}).status_code == 404
    assert invite(client).status_code == 404
    assert Membership.objects.get(pk=target.pk).role == "admin"


def test_an_admin_of_another_organisation_gets_404(client, org_admin, add_member, newcomer):
    add_member(newcomer, "eurometropole", "admin", kind="epci")
    client.force_login(newcomer)
    assert client.get(members_url()).status_code == 404
    assert client.get(members_url("organisation-inconnue")).status_code == 404
    target = org_admin.memberships.get()
    url = reverse("accounts:remove_member", args=["ville-de-metz", target.pk])
    assert client.post(url).status_code == 404
    # a membership of Metz addressed through Eurométropole's own page: 404 too
    url = reverse("accounts:remove_member", args=["eurometropole", target.pk])
    assert client.post(url).status_code == 404
    assert Membership.objects.filter(pk=target.pk).exists()


def test_a_steward_manages_every_organisation(client, staff_user, org_admin):
    client.force_login(staff_user)
    page = client.get(members_url())
    assert page.status_code == 200
    assert "admin@metz.example" in page.content.decode()


def test_my_account_lists_my_memberships_with_a_link_to_manage(client, org_admin):
    client.force_login(org_admin)
    html = client.get(reverse("accounts:account")).content.decode()
    assert "<h1>Mon compte</h1>" in html
    assert "Administrateur" in html
    assert f'href="{members_url()}"' in html
    assert 'href="/compte/"' in client.get("/").content.decode()  # in the navigation


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302
    assert response["Location"] == "/connexion/?next=/compte/"
    assert client.get(members_url()).status_code == 302
