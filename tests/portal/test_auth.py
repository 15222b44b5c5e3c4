"""Signing in and out of the portal, in French."""

from django.urls import reverse


def test_login_page_is_in_french_with_labelled_fields(client, db):
    html = client.get(reverse("portal:login")).content.decode()
    assert "<h1>Se connecter</h1>" in html
    assert '<label for="id_username">Nom d’utilisateur</label>' in html
    assert '<label for="id_password">Mot de passe</label>' in html
    assert 'autocomplete="current-password"' in html


def test_wrong_password_is_announced(client, plain_user):
    response = client.post(reverse("portal:login"), {"username": "citizen", "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert "ne correspondent pas" in response.content.decode()


def test_sign_in_then_out(client, staff_user):
    response = client.post(
        reverse("portal:login"),
        {"username": "steward", "password": "s3cret-pass", "next": "/organisations/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/organisations/"
    html = client.get("/").content.decode()
    assert "Se déconnecter" in html
    assert 'href="/deposer/"' in html
    response = client.post(reverse("portal:logout"))
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "Se connecter" in client.get("/").content.decode()


def test_sign_in_link_returns_to_the_current_page(client, db):
    html = client.get(reverse("portal:organisations")).content.decode()
    assert 'href="/connexion/?next=/organisations/"' in html
