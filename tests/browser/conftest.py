"""Headless Chromium (Debian's, no download) driving the portal served by ``live_server``."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium():
    """A browser for the module; skipped when Chromium is absent, unless it is required."""
    if not CHROMIUM.exists():
        if os.environ.get("TERRITORIA_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and TERRITORIA_REQUIRE_BROWSER=1")
        pytest.skip("Chromium not installed (apt-get install chromium): browser tests skipped")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, which makes Django refuse ORM
    # calls made by the test itself (fixtures creating data) as "async unsafe". They are not:
    # the loop only drives the browser. Allowed for the browser tests only, then restored.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class PageProblems(list):
    """Console errors, uncaught exceptions, failed requests and HTTP errors seen by a page.

    A request *cancelled* (``net::ERR_ABORTED``) is not a failure: the preview aborts the
    request a newer filter made stale, and a navigation aborts the previous page's favicon.
    """

    def watch(self, page):
        page.on("console", lambda m: m.type == "error" and self.append(f"console: {m.text}"))
        page.on("pageerror", lambda error: self.append(f"page error: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on(
            "response",
            lambda r: (
                r.status >= 400 and self.append(f"HTTP {r.status}: {r.request.method} {r.url}")
            ),
        )

    def _request_failed(self, request):
        if request.failure != "net::ERR_ABORTED":
            self.append(f"request failed: {request.method} {request.url} {request.failure}")


@pytest.fixture
def browser_page(chromium, live_server, transactional_db):
    """A French-speaking page on the live server; yields (page, problems)."""
    context = chromium.new_context(
        base_url=live_server.url, locale="fr-FR", extra_http_headers={"Accept-Language": "fr"}
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems = PageProblems()
    problems.watch(page)
    yield page, problems
    context.close()
