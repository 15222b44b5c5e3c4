"""``/sitemap.xml`` and ``/robots.txt``: what search engines may index — open data only.

A sitemap is published for crawlers, so it lists what an anonymous visitor may see whoever
asks: the datasets come from the gate as seen by an anonymous user, never from the caller's
own rights (a steward's session must not put an internal dataset's slug in a cached file).
At 50,000 URLs a sitemap must be split (sitemaps.org protocol); the list is streamed.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.sax.saxutils import escape

from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from territoria.governance.gate import visible_datasets, visible_organisations

MAX_URLS = 50_000  # sitemaps.org: at most 50,000 URLs per file


@require_safe
def sitemap(request):
    """The portal's pages of open datasets and of organisations, with their last change."""
    return StreamingHttpResponse(
        _sitemap_lines(request), content_type="application/xml; charset=utf-8"
    )


@require_safe
def robots(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/1/",
        "Disallow: /compte/",
        "Disallow: /journal/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def _sitemap_lines(request) -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    yield _url(request, reverse("portal:home"), None)
    yield _url(request, reverse("portal:search"), None)
    anonymous = AnonymousUser()
    datasets = (
        visible_datasets(anonymous)
        .order_by("slug")
        .values_list("slug", "modified_at")[: MAX_URLS - 2]
    )
    for slug, modified in datasets.iterator(chunk_size=2000):
        yield _url(request, reverse("portal:dataset", args=[slug]), modified)
    organisations = visible_organisations(anonymous).order_by("slug")
    for slug, modified in organisations.values_list("slug", "modified_at").iterator():
        yield _url(request, reverse("portal:organisation", args=[slug]), modified)
    yield "</urlset>\n"


def _url(request, path: str, modified) -> str:
    location = escape(request.build_absolute_uri(path))
    lastmod = f"<lastmod>{modified.date().isoformat()}</lastmod>" if modified else ""
    return f"<url><loc>{location}</loc>{lastmod}</url>\n"
