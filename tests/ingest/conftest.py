"""Shared by the ingestion tests: a real HTTP server in a thread for URL sources, a dataset
fetched from it, and the real SQLite job queue (instead of the tests' immediate mode)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from territoria.ingest.services import ensure_dataset
from territoria.ingest.sources import do_set_source

V1 = b"code_insee;nom;population\n67482;Strasbourg;290576\n68066;Colmar;67730\n"
V2 = b"code_insee;nom;population\n67482;Strasbourg;291313\n68066;Colmar;67730\n54395;Nancy;1\n"


class Site:
    """What the server answers: path -> (status, body, headers); and what it was asked."""

    def __init__(self):
        self.pages: dict[str, tuple[int, bytes, dict[str, str]]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.delay = 0.0
        self.failures: dict[str, list[int]] = {}

    def serve(self, path: str, body: bytes = V1, status: int = 200, **headers: str) -> None:
        self.pages[path] = (status, body, {k.replace("_", "-"): v for k, v in headers.items()})

    def fail_first(self, path: str, *statuses: int) -> None:
        """The next requests of ``path`` get these error statuses, in turn; then its page."""
        self.failures[path] = list(statuses)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        site = self.server.site
        site.requests.append((self.path, dict(self.headers)))
        if site.delay:
            time.sleep(site.delay)
        status, body, headers = site.pages.get(self.path, (404, b"not found", {}))
        if site.failures.get(self.path):
            status, body, headers = site.failures[self.path].pop(0), b"down", {}
        etag = headers.get("ETag")
        if etag and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(status)
        for name, value in headers.items():
            if name != "no-length":
                self.send_header(name, value)
        if "no-length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        return


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        return  # a client that gave up (size cap, timeout) is what some tests do


@pytest.fixture(scope="module")
def server():
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.site = Site()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def site(server, settings):
    settings.SOURCES_ALLOW_PRIVATE = True  # the test server is on the loopback
    server.site = Site()
    return server.site


@pytest.fixture
def url(server):
    def make(path: str) -> str:
        return f"http://127.0.0.1:{server.server_address[1]}{path}"

    return make


@pytest.fixture
def producer(db, add_member):
    from django.contrib.auth.models import User

    user = User.objects.create_user("prod", "producteur@colmar.fr")  # no hashing: fast
    return add_member(user, "ville-de-colmar", "producer", kind="commune")


@pytest.fixture
def sourced(db, producer, site, url):
    """A dataset whose table is fetched hourly from /data.csv (served with an ETag)."""
    site.serve("/data.csv", V1, ETag='"v1"')
    dataset = ensure_dataset("population", org_slug="ville-de-colmar", access="open")
    return do_set_source(dataset.table_resource(), url("/data.csv"), "HOURLY")
