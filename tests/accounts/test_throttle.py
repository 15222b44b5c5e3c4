"""Login throttling: counted in the database, per user name and per address, then lifted."""

from datetime import timedelta

from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from territoria.accounts.models import SigninFailure
from territoria.accounts.throttle import client_address
from territoria.governance.audit import Action

LOCKED = "Trop de tentatives de connexion ont échoué"
ADDRESS = "203.0.113.7"  # documentation range (RFC 5737): only a header value here


def sign_in(client, username, password, address=ADDRESS):
    return client.post(
        reverse("portal:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def fail(client, username, times, address=ADDRESS):
    for _ in range(times):
        response = sign_in(client, username, "not-the-password", address)
        assert response.status_code == 200
        assert LOCKED not in response.content.decode()


def test_five_failures_lock_the_user_name_even_for_the_right_password(client, plain_user):
    fail(client, "citizen", 5)
    response = sign_in(client, "citizen", "s3cret-pass")
    html = response.content.decode()
    assert response.status_code == 200
    assert LOCKED in html
    assert "réessayez dans 15 minutes" in html
    assert "ne correspondent pas" not in html
    assert "_auth_user_id" not in client.session


def test_the_lock_says_the_same_whether_the_account_exists_or_not(client, plain_user):
    fail(client, "citizen", 5)
    fail(client, "nobody-by-that-name", 5, address="203.0.113.8")
    known = sign_in(client, "citizen", "anything").context["form"].non_field_errors()
    unknown = sign_in(client, "nobody-by-that-name", "x", address="203.0.113.8")
    assert list(known) == list(unknown.context["form"].non_field_errors())


def test_the_count_lives_in_the_database_not_in_a_session_or_a_process(client, plain_user):
    fail(client, "citizen", 5)
    rows = list(SigninFailure.objects.values_list("key", flat=True))
    assert len(rows) == 10  # one row per failure for the user name, one for the address
    assert not any("citizen" in key or ADDRESS in key for key in rows)
    client.cookies.clear()  # another browser, from another address: still refused
    response = sign_in(client, "citizen", "s3cret-pass", address="198.51.100.20")
    assert LOCKED in response.content.decode()


def test_twenty_failures_from_one_address_lock_that_address_only(client, plain_user):
    for n in range(5):
        fail(client, f"guess-{n}", 4)
    assert LOCKED in sign_in(client, "citizen", "s3cret-pass").content.decode()
    other = sign_in(client, "citizen", "s3cret-pass", address="198.51.100.20")
    assert other.status_code == 302


def test_the_lock_ends_when_the_window_has_passed(client, plain_user):
    fail(client, "citizen", 5)
    SigninFailure.objects.update(at=timezone.now() - timedelta(minutes=16))
    assert sign_in(client, "citizen", "s3cret-pass").status_code == 302


def test_a_successful_sign_in_resets_the_user_name_count(client, plain_user):
    fail(client, "citizen", 4)
    assert sign_in(client, "citizen", "s3cret-pass").status_code == 302
    client.post(reverse("portal:logout"))
    fail(client, "citizen", 4)
    assert sign_in(client, "citizen", "s3cret-pass").status_code == 302


def test_the_limits_come_from_the_settings(client, plain_user, settings):
    settings.SIGNIN_MAX_FAILURES = 2
    fail(client, "citizen", 2)
    assert LOCKED in sign_in(client, "citizen", "s3cret-pass").content.decode()


def test_the_admin_login_shares_the_lock(client, staff_user):
    fail(client, "steward", 5)
    response = client.post(
        reverse("admin:login"),
        {"username": "steward", "password": "s3cret-pass"},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_refused_attempts_are_audited_and_do_not_extend_the_lock(client, plain_user, audit):
    fail(client, "citizen", 5)
    sign_in(client, "citizen", "s3cret-pass")
    assert SigninFailure.objects.count() == 10
    last = audit.of(Action.SIGNIN_FAILED)[-1]
    assert last["detail"] == {"method": "password", "reason": "throttled"}
    assert last["target"] == f"user:{plain_user.pk}"


def test_an_inactive_account_fails_like_a_wrong_password(client, db):
    User.objects.create_user("parti", password="s3cret-pass", is_active=False)
    assert "ne correspondent pas" in sign_in(client, "parti", "s3cret-pass").content.decode()


def test_client_address_trusts_only_the_configured_proxies(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.9"
    )
    assert client_address(request) == "127.0.0.1"
    settings.PROXY_HOPS = 1
    assert client_address(request) == "203.0.113.9"  # the client wrote 198.51.100.66 itself
    settings.PROXY_HOPS = 2
    assert client_address(request) == "198.51.100.66"
