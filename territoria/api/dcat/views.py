"""DCAT-AP routes: the catalogue, an organisation's catalogue and one dataset, in three syntaxes.

``/catalog`` (and the other extension-less routes) negotiate the syntax on ``Accept``
(Turtle unless JSON-LD or RDF/XML is preferred); ``.ttl``, ``.jsonld`` and ``.rdf`` fix it.
``?profile=dcat-ap-2.1`` (or ``?version=2.1``) asks for the DCAT-AP 2.1 variant; DCAT-AP 3
is the default. What the caller may not see is absent from every page, and a dataset document
answers 404 for it, as the gate says (``governance/gate.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from territoria.api.dcat import documents
from territoria.api.dcat.graph import DCAT_AP_3, PROFILE_ALIASES, PROFILES, Profile
from territoria.api.dcat.paging import PagingError, requested_page


@dataclass(frozen=True)
class Syntax:
    rdflib_format: str
    content_type: str
    options: dict


SYNTAXES = {
    "ttl": Syntax("turtle", "text/turtle", {}),
    "jsonld": Syntax("json-ld", "application/ld+json", {"auto_compact": True}),
    "rdf": Syntax("xml", "application/rdf+xml", {}),
}
# Media types a client may ask for → syntax; the first is the default (``*/*`` or nothing).
# Not application/xml: a browser's Accept lists it above */* and would get RDF/XML.
ACCEPTED = {
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdf",
    "application/x-turtle": "ttl",
    "application/json": "jsonld",
}


class ProfileError(ValueError):
    pass


def requested_profile(params) -> Profile:
    """The DCAT-AP profile asked for by ``profile`` or ``version``; raises ProfileError."""
    raw = params.get("profile") or params.get("version") or ""
    if not raw:
        return DCAT_AP_3
    profile = PROFILES.get(raw) or PROFILE_ALIASES.get(raw)
    if profile is None:
        known = ", ".join(PROFILES)
        raise ProfileError(f"profile: unknown DCAT-AP profile {raw!r} (use {known})")
    return profile


def negotiated(request: HttpRequest) -> str:
    """The syntax ``Accept`` prefers among ours; Turtle when it prefers none of them."""
    preferred = request.get_preferred_type(list(ACCEPTED))
    return ACCEPTED[preferred] if preferred else "ttl"


def _answer(request: HttpRequest, ext: str | None, build: Callable) -> HttpResponse:
    """Parse the common parameters, build the graph with ``build(profile, params)``, serialise."""
    try:
        profile = requested_profile(request.GET)
        graph = build(profile)
    except (ProfileError, PagingError) as error:
        return HttpResponseBadRequest(f"{error}\n", content_type="text/plain; charset=utf-8")
    syntax = SYNTAXES[ext or negotiated(request)]
    body = graph.serialize(format=syntax.rdflib_format, encoding="utf-8", **syntax.options)
    response = HttpResponse(body, content_type=f"{syntax.content_type}; charset=utf-8")
    if ext is None:
        patch_vary_headers(response, ["Accept"])
    return response


@require_safe
def catalog(request: HttpRequest, ext: str | None = None) -> HttpResponse:
    def build(profile):
        return documents.catalog_page(request, profile, *requested_page(request.GET))

    return _answer(request, ext, build)


@require_safe
def organisation_catalog(request: HttpRequest, slug: str, ext: str | None = None) -> HttpResponse:
    def build(profile):
        return documents.organisation_page(request, slug, profile, *requested_page(request.GET))

    return _answer(request, ext, build)


@require_safe
def dataset(request: HttpRequest, slug: str, ext: str | None = None) -> HttpResponse:
    return _answer(request, ext, lambda profile: documents.dataset_document(request, slug, profile))
