"""Run the test OpenID provider: ``python -m tests.accounts.oidc_provider.serve``.

Migrates its own SQLite database (``OIDC_PROVIDER_DB``), registers the clients and the
person of ``clients.py``, binds a free port on 127.0.0.1 and prints ``listening <port>``
once it accepts connections. The tests start it in a session fixture (``conftest.py``).
"""

import os

import django


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.accounts.oidc_provider.settings"
    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from waitress.server import create_server

    call_command("migrate", verbosity=0)
    _register()
    server = create_server(get_wsgi_application(), host="127.0.0.1", port=0, threads=4)
    print(f"listening {server.effective_port}", flush=True)
    server.run()


def _register() -> None:
    from django.contrib.auth.models import User
    from oauth2_provider.models import Application

    from tests.accounts.oidc_provider.clients import AGENT, CLIENTS, REDIRECT_URI

    agent = dict(AGENT)
    User.objects.create_user(**agent)
    for client in CLIENTS:
        Application.objects.create(
            name=client["name"],
            client_id=client["client_id"],
            client_secret=client["secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=REDIRECT_URI,
            post_logout_redirect_uris="http://testserver/",
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )


if __name__ == "__main__":
    main()
