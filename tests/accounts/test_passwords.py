"""Password sign-in: Argon2 hashes, and every sign-in, failure and sign-out audited."""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.urls import reverse

from territoria.governance.audit import Action


def sign_in(client, username, password, **extra):
    return client.post(
        reverse("portal:login"), {"username": username, "password": password}, **extra
    )


def test_passwords_are_stored_with_argon2id(db):
    user = User.objects.create_user("agent", "agent@example.org", "un-mot-de-passe-long")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("un-mot-de-passe-long")


def test_an_older_pbkdf2_hash_is_rewritten_with_argon2_at_sign_in(client, db):
    user = User.objects.create(
        username="ancien", password=make_password("ancien-mot-de-passe", hasher="pbkdf2_sha256")
    )
    assert user.password.startswith("pbkdf2_sha256$")
    assert sign_in(client, "ancien", "ancien-mot-de-passe").status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")


def test_sign_in_and_out_are_audited_with_identifiers_only(client, plain_user, audit):
    assert sign_in(client, "citizen", "s3cret-pass").status_code == 302
    client.post(reverse("portal:logout"))
    assert audit.actions() == [Action.SIGNIN, Action.SIGNOUT]
    signin, signout = audit.events
    assert signin["target"] == f"user:{plain_user.pk}"
    assert signin["actor"] == plain_user
    assert signin["detail"] == {"method": "password"}
    assert signout["target"] == f"user:{plain_user.pk}"
    assert "citizen" not in repr(
        [e["target"] for e in audit.events] + [e["detail"] for e in audit.events]
    )


def test_failed_sign_ins_are_audited_without_the_typed_name(client, plain_user, audit):
    sign_in(client, "citizen", "wrong")
    sign_in(client, "someone-unknown", "wrong")
    known, unknown = audit.of(Action.SIGNIN_FAILED)
    assert known["target"] == f"user:{plain_user.pk}"
    assert known["detail"] == {"method": "password", "reason": "credentials"}
    assert known["actor"] is None
    assert unknown["target"] == ""
    assert "someone-unknown" not in repr(audit.events)


def test_admin_sign_in_is_audited_too(client, staff_user, audit):
    response = client.post(
        reverse("admin:login"), {"username": "steward", "password": "s3cret-pass"}
    )
    assert response.status_code == 302
    assert audit.of(Action.SIGNIN)[0]["target"] == f"user:{staff_user.pk}"


def test_sign_in_is_refused_when_the_audit_trail_cannot_record_it(client, plain_user, audit_down):
    response = sign_in(client, "citizen", "s3cret-pass")
    assert response.status_code == 503
    assert "momentanément indisponible" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert "Se connecter" in client.get("/").content.decode()
