"""Fixtures of the account tests: a real OpenID provider in its own process, audit capture.

The provider is django-oauth-toolkit (``oidc_provider/``), started once per test session on
a free port of 127.0.0.1; the tests reach it over HTTP exactly as a browser and Territoria
would. Nothing of the protocol is mocked.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from tests.accounts.oidc_provider.clients import AGENT, TERRITORIA

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60  # seconds: migrations of a fresh SQLite database, on a slow CI machine


@dataclass(frozen=True)
class RunningProvider:
    base_url: str

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/o"


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    home = tmp_path_factory.mktemp("oidc-provider")
    log = home / "provider.log"
    env = {**os.environ, "OIDC_PROVIDER_DB": str(home / "provider.sqlite3")}
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.accounts.oidc_provider.serve"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        port = _wait_for_port(process, log)
        yield RunningProvider(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for_port(process: subprocess.Popen, log: Path) -> int:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        found = re.search(r"^listening (\d+)$", log.read_text(), re.M)
        if found:
            return int(found.group(1))
        if process.poll() is not None:
            break
        time.sleep(0.1)
    pytest.fail(f"the test OpenID provider did not start:\n{log.read_text()[-3000:]}")


@pytest.fixture
def oidc_settings(db, settings, oidc_provider):
    """Territoria configured with the running provider, as TERRITORIA_OIDC_* would."""
    from territoria.accounts.oidc import forget_provider_documents

    def configure(client=TERRITORIA, label="ProConnect"):
        settings.OIDC_ISSUER = oidc_provider.issuer
        settings.OIDC_CLIENT_ID = client["client_id"]
        settings.OIDC_CLIENT_SECRET = client["secret"]
        settings.OIDC_SCOPES = "openid email profile"
        settings.OIDC_LABEL = label
        return settings

    forget_provider_documents()
    configure()
    yield configure
    forget_provider_documents()


def sign_in_at_provider(authorize_url: str, person=AGENT) -> str:
    """Play the browser at the provider: follow the authorization URL, fill its sign-in
    form, and return where the provider sends the browser back (Territoria's callback)."""
    browser = requests.Session()
    answer = browser.get(authorize_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    login_url = urljoin(authorize_url, answer.headers["Location"])
    page = browser.get(login_url, timeout=10)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    next_url = re.search(r'name="next" value="([^"]*)"', page.text).group(1)
    answer = browser.post(
        login_url,
        data={
            "csrfmiddlewaretoken": csrf,
            "username": person["username"],
            "password": person["password"],
            "next": next_url.replace("&amp;", "&"),
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, "the provider refused the person's password"
    answer = browser.get(
        urljoin(login_url, answer.headers["Location"]), allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302, answer.text[:500]
    return answer.headers["Location"]


@dataclass
class AuditCapture:
    events: list

    def actions(self) -> list[str]:
        return [str(e["action"]) for e in self.events]

    def of(self, action) -> list[dict]:
        return [e for e in self.events if e["action"] == action]


@pytest.fixture
def audit(monkeypatch):
    """Capture what the accounts app hands to ``record_event`` (the audit contract)."""
    from territoria.accounts import memberships, signals

    capture = AuditCapture(events=[])

    def record(action, *, actor=None, target="", organisation=None, detail=None, request=None):
        capture.events.append(
            {
                "action": action,
                "actor": actor,
                "target": target,
                "organisation": organisation,
                "detail": detail,
            }
        )

    monkeypatch.setattr(signals, "record_event", record)
    monkeypatch.setattr(memberships, "record_event", record)
    return capture


@pytest.fixture
def audit_down(monkeypatch):
    """The audit trail cannot be written: ``record_event`` raises AuditUnavailable."""
    from territoria.accounts import memberships, signals
    from territoria.governance.audit import AuditUnavailable

    def fail(*args, **kwargs):
        raise AuditUnavailable("audit store unreachable")

    monkeypatch.setattr(signals, "record_event", fail)
    monkeypatch.setattr(memberships, "record_event", fail)


@pytest.fixture
def client_factory(db):
    """Another browser: a fresh test client with its own cookies."""
    from django.test import Client

    return Client
