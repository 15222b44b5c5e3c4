"""Every route, for every role and every access level: nothing hidden leaks, hidden answers 404.

Issue 3's acceptance test. The routes are not listed here: they are read from the URL
configuration (``get_resolver()``, walked through every ``include`` — the Explore dialect, the
django-ninja management API, the admin, the portal, the accounts pages…), so a new route is
covered without editing this file. Its parameters are filled from ``PARAMETER_KINDS`` (name and
place in the URL → what kind of value); a parameter of an unknown kind fails the route's test
with a message saying how to register it.

For each route, each role of ``world.ROLES`` and each value of its parameters (one dataset per
access level, plus one that does not exist), the test asserts:

1. no response — HTML, JSON, CSV, Parquet… and its headers — contains the marker of a dataset
   the role may not see (``world.VISIBLE``, written from the gate's docstring, not from the gate);
2. a route naming a dataset the role may not see answers exactly as for a dataset that does not
   exist (same status, same body but for the identifier), and that answer is a refusal that
   confirms nothing: 404, or the 401/302 that anyone gets without signing in, or a 405/422
   that comes before any lookup — never a 403, never a 2xx;
3. a read route naming a dataset the role may see answers it (2xx or a redirect), so that a
   gate that hides too much fails too;
4. no 5xx, ever.

Read routes are fetched with GET. A route that answers GET with 405 is sent each method of its
``Allow`` header once, with an empty body, inside a transaction rolled back afterwards (nothing
it writes survives), by a fresh client (a sign-out must not sign the next request out).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

from territoria.api.explore.views import EXPORT_FORMATS
from territoria.catalog.models import Dataset, Resource, Version
from territoria.governance.models import DatasetGrant
from tests.governance.world import (
    LEVELS,
    MARKERS,
    MISSING_SLUG,
    OWNER,
    ROLES,
    SLUGS,
    VISIBLE,
    csv_for,
    leaked_markers,
    readable_text,
)

pytestmark = pytest.mark.usefixtures("world_datastore")


# --- The routes --------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern, with the patterns of the includes above it."""

    patterns: tuple  # RoutePattern | RegexPattern, outermost first
    callback: Callable
    name: str  # namespaced, e.g. "portal:dataset"; the pattern when unnamed

    @property
    def pattern(self) -> str:
        return "".join(_pattern_text(p) for p in self.patterns)

    @property
    def parameters(self) -> list[str]:
        names: list[str] = []
        for p in self.patterns:
            names += [n for n in _parameter_names(p) if n not in names]
        return names

    @property
    def admin(self) -> bool:
        return self.name.startswith("admin:") or self.pattern.startswith("admin/")


def _pattern_text(pattern) -> str:
    text = str(pattern)
    return text[1:] if text.startswith("^") else text


def _parameter_names(pattern) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return [m["parameter"] for m in ROUTE_PARAMETER.finditer(str(pattern))]
    return list(re.compile(str(pattern)).groupindex)


ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")


def walk(resolver: URLResolver, above=(), namespace=()) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace + ((entry.namespace,) if entry.namespace else ())
            yield from walk(entry, above + (entry.pattern,), inner)
        elif isinstance(entry, URLPattern):
            patterns = above + (entry.pattern,)
            text = "".join(_pattern_text(p) for p in patterns)
            name = ":".join(namespace + (entry.name,)) if entry.name else text
            yield Route(patterns, entry.callback, name)


def inventory() -> list[Route]:
    """Every route of the URL configuration, once per distinct pattern (ninja lists an
    operation per method on the same path: one Django view serves them all)."""
    seen: dict[str, Route] = {}
    for route in walk(get_resolver()):
        seen.setdefault(route.pattern, route)
    return list(seen.values())


ROUTES = inventory()


def build_url(route: Route, values: dict[str, str]) -> str:
    parts = []
    for pattern in route.patterns:
        if isinstance(pattern, RoutePattern):
            text = ROUTE_PARAMETER.sub(lambda m: values[m["parameter"]], str(pattern))
        else:
            assert isinstance(pattern, RegexPattern)
            text = _fill_regex(str(pattern), values)
        parts.append(text)
    return "/" + "".join(parts)


def _fill_regex(regex: str, values: dict[str, str]) -> str:
    """``^(?P<app_label>auth|catalog)/$`` → ``catalog/``: named groups replaced, anchors cut."""
    out, i = [], 0
    while i < len(regex):
        if regex.startswith("(?P<", i):
            name = regex[i + 4 : regex.index(">", i)]
            depth, j = 0, i
            while True:  # find the parenthesis closing the group
                if regex[j] == "\\":
                    j += 2
                    continue
                depth += {"(": 1, ")": -1}.get(regex[j], 0)
                if depth == 0:
                    break
                j += 1
            out.append(values[name])
            i = j + 1
        else:
            out.append(regex[i])
            i += 1
    text = "".join(out).lstrip("^").rstrip("$")
    return re.sub(r"\\(.)", r"\1", text)


# --- Parameter values --------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    text: str
    level: str | None = None  # the access level of the dataset this value designates
    missing: bool = False  # designates a dataset (or object) that does not exist
    probe: bool = False  # an invalid value: an error is expected, if any, for visible datasets


@dataclass
class Context:
    world: object
    route: Route
    level: str | None = None  # set by the value that designates a dataset
    missing: bool = False


def dataset_values(ctx: Context) -> list[Value]:
    return [Value(SLUGS[lv], level=lv) for lv in LEVELS] + [Value(MISSING_SLUG, missing=True)]


def version_key_values(ctx: Context) -> list[Value]:
    # For a missing dataset, a key that exists, but elsewhere: it must not matter.
    return [Value(ctx.world.versions[ctx.level or "open"].key)]


def export_format_values(ctx: Context) -> list[Value]:
    return [Value(fmt) for fmt in EXPORT_FORMATS] + [Value("pdf", probe=True)]


def organisation_values(ctx: Context) -> list[Value]:
    return [Value(OWNER), Value("organisation-absente", missing=True)]


def token_values(ctx: Context) -> list[Value]:
    """The steward's token: anybody else must get the same 404 as for no token at all."""
    return [Value(str(ctx.world.token.pk)), Value("999999", missing=True)]


def secret_link_values(ctx: Context) -> list[Value]:
    return [Value("lien-inconnu-0123456789")]


def admin_model(route: Route):
    model_admin = getattr(route.callback, "model_admin", None)
    if model_admin is not None:
        return model_admin.model
    for model in admin.site._registry:  # e.g. admin:auth_user_password_change
        meta = model._meta
        if route.name.startswith(f"admin:{meta.app_label}_{meta.model_name}_"):
            return model
    return None


# Objects of the admin's models that belong to a dataset: one per access level.
DATASET_OBJECTS = {
    Dataset: lambda world, level: world.datasets[level].pk,
    Resource: lambda world, level: world.datasets[level].table_resource().pk,
    Version: lambda world, level: world.versions[level].pk,
    DatasetGrant: lambda world, level: world.grants[level].pk if level in world.grants else None,
}


def admin_object_values(ctx: Context) -> list[Value]:
    model = Dataset if ctx.route.name == "admin:view_on_site" else admin_model(ctx.route)
    if model is None:
        pytest.fail(f"{ctx.route.pattern}: cannot tell which model the admin route shows")
    missing = Value("999999", missing=True)
    if model in DATASET_OBJECTS:
        values = [(lv, DATASET_OBJECTS[model](ctx.world, lv)) for lv in LEVELS]
        return [Value(str(pk), level=lv) for lv, pk in values if pk is not None] + [missing]
    first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    return ([Value(str(first))] if first is not None else []) + [missing]


def admin_app_label_values(ctx: Context) -> list[Value]:
    return [Value(label) for label in sorted({m._meta.app_label for m in admin.site._registry})]


def content_type_values(ctx: Context) -> list[Value]:
    return [Value(str(ContentType.objects.get_for_model(Dataset).pk))]


def admin_path_values(ctx: Context) -> list[Value]:
    return [Value("nulle-part/")]


def organisation_member_values(ctx: Context) -> list[Value]:
    """A membership of the owner organisation (the ``pk`` of the accounts' member pages)."""
    member = ctx.world.user("owner_producer").memberships.get()
    return [Value(str(member.pk)), Value("999999", missing=True)]


def job_values(ctx: Context) -> list[Value]:
    """A job of the owner organisation (on its restricted dataset), started by its producer:
    its members and the stewards see it, anybody else gets the 404 of a missing job."""
    from territoria.ingest.models import Job

    dataset = ctx.world.datasets["restricted"]
    job, _ = Job.objects.get_or_create(
        kind="ingest",
        dataset=dataset,
        defaults={
            "organisation": dataset.organisation,
            "created_by": ctx.world.user("owner_producer"),
            "status": "succeeded",
            "params": {"dataset_slug": dataset.slug, "source_label": "data.csv"},
        },
    )
    return [Value(str(job.pk)), Value("999999", missing=True)]


def processing_activity_values(ctx: Context) -> list[Value]:
    """An activity of the GDPR record controlled by the owner organisation and linked to its
    four datasets: its members and stewards read it (naming only the datasets they may see),
    anybody else gets the 404 of a missing one."""
    from territoria.catalog.models import Organisation
    from territoria.governance.gdpr.models import ProcessingActivity

    activity, created = ProcessingActivity.objects.get_or_create(
        name="Inventaire des arbres",
        defaults={
            "controller": Organisation.objects.get(slug=OWNER),
            "purposes": "Gestion du patrimoine arboré",
            "legal_basis": "public_task",
            "data_subjects": "Riverains",
            "personal_data": "Adresse",
            "retention": "5 ans",
        },
    )
    if created:
        activity.datasets.set(ctx.world.datasets.values())
    return [Value(str(activity.pk)), Value("999999", missing=True)]


def access_request_values(ctx: Context) -> list[Value]:
    """An access request of the partner without a grant, naming the restricted dataset (matched
    server-side): stewards read it, its requester withdraws it, anybody else gets the 404 of
    a missing one — and its requester never reads the dataset it matched."""
    from territoria.governance.models import AccessRequest

    requester = ctx.world.user("partner_without_grant")
    dataset = ctx.world.datasets["restricted"]
    found, _ = AccessRequest.objects.get_or_create(
        requester=requester,
        reference=dataset.slug,
        defaults={
            "organisation": requester.memberships.get().organisation,
            "dataset": dataset,
            "purpose": "Étude",
            "legal_basis": "research",
        },
    )
    return [Value(str(found.pk)), Value("999999", missing=True)]


def unknown_object_values(ctx: Context) -> list[Value]:
    return [Value("999999", missing=True)]


def ogc_collection_values(ctx: Context) -> list[Value]:
    """A map twin of the dataset of each level (its rows with coordinates, same organisation
    and grants: an OGC collection is a dataset with a geometry), plus a missing one. Made
    once per test, in its savepoint."""
    from territoria.ingest.services import do_ingest_file

    values = []
    for level in LEVELS:
        original = ctx.world.datasets[level]
        slug = f"{SLUGS[level]}-carte"
        if not Dataset.objects.filter(slug=slug).exists():
            path = ctx.world.root / f"{slug}.csv"
            lines = csv_for(level).splitlines()
            rows = [lines[0] + ";latitude;longitude"] + [f"{x};48,08;7,36" for x in lines[1:]]
            path.write_text("\n".join(rows) + "\n", encoding="utf-8")
            twin = do_ingest_file(
                path,
                dataset_slug=slug,
                org_slug=OWNER,
                title=original.title,
                access=original.access_level,
            ).dataset
            for grant in DatasetGrant.objects.filter(dataset=original):
                grant.pk, grant.dataset = None, twin  # a copy: same organisation, terms, expiry
                grant.save()
        values.append(Value(slug, level=level))
    return values + [Value(MISSING_SLUG, missing=True)]


def ogc_feature_values(ctx: Context) -> list[Value]:
    return [Value("1"), Value("999", probe=True)]


KINDS: dict[str, Callable[[Context], list[Value]]] = {
    "dataset": dataset_values,
    "version_key": version_key_values,
    "export_format": export_format_values,
    "organisation": organisation_values,
    "token": token_values,
    "secret_link": secret_link_values,
    "admin_object": admin_object_values,
    "admin_app_label": admin_app_label_values,
    "content_type": content_type_values,
    "admin_path": admin_path_values,
    "membership": organisation_member_values,
    "unknown_object": unknown_object_values,
    "job": job_values,
    "ogc_collection": ogc_collection_values,
    "ogc_feature": ogc_feature_values,
    "processing_activity": processing_activity_values,
    "access_request": access_request_values,
}

# (parameter name, regular expression searched in the route's pattern, kind); first match wins.
# A new route whose parameters match a line here is tested without any change to this file.
PARAMETER_KINDS: list[tuple[str, str, str]] = [
    ("job_id", r"", "job"),
    ("collection_id", r"^ogc/", "ogc_collection"),
    ("feature_id", r"^ogc/", "ogc_feature"),
    ("slug", r"organisations/<", "organisation"),
    ("slug", r"", "dataset"),
    ("dataset_id", r"", "dataset"),
    ("id", r"^api/", "dataset"),
    ("key", r"", "version_key"),
    ("fmt", r"", "export_format"),
    ("token_id", r"", "token"),
    ("pk", r"^compte/jetons/", "token"),
    ("pk", r"/membres/<", "membership"),
    ("pk", r"^acces/", "access_request"),
    ("pk", r"/(invitations|demandes)/<", "unknown_object"),
    ("token", r"^compte/invitation/", "secret_link"),
    ("pk", r"^registre-rgpd/", "processing_activity"),
    ("object_id", r"^admin/", "admin_object"),
    ("id", r"^admin/", "admin_object"),
    ("app_label", r"^admin/", "admin_app_label"),
    ("content_type_id", r"^admin/", "content_type"),
    ("url", r"^admin/", "admin_path"),
]


def kind_of(route: Route, parameter: str) -> str:
    for name, where, kind in PARAMETER_KINDS:
        if name == parameter and re.search(where, route.pattern):
            return kind
    pytest.fail(
        f"route {route.pattern!r} ({route.name}) has a parameter {parameter!r} of unknown kind. "
        f"Register it in PARAMETER_KINDS of {__name__.replace('.', '/')}.py, e.g. "
        f"({parameter!r}, r'<part of the pattern>', 'dataset'), using one of the kinds "
        f"{sorted(KINDS)} or a new one added to KINDS (a function returning Value objects: "
        f"the dataset of each access level, or an object tied to it, plus a missing one)."
    )


@dataclass
class Combination:
    values: dict[str, Value]
    level: str | None
    missing: bool
    signature: tuple  # positions of the values that do not designate a dataset

    @property
    def probe(self) -> bool:
        return any(v.probe for v in self.values.values())


def combinations(world, route: Route) -> list[Combination]:
    found: list[Combination] = []

    def extend(parameters: list[str], ctx: Context, chosen: dict, signature: tuple) -> None:
        if not parameters:
            found.append(Combination(dict(chosen), ctx.level, ctx.missing, signature))
            return
        name, rest = parameters[0], parameters[1:]
        for position, value in enumerate(KINDS[kind_of(route, name)](ctx)):
            designates = value.level is not None or value.missing
            inner = Context(
                world,
                route,
                level=value.level if value.level is not None else ctx.level,
                missing=ctx.missing or value.missing,
            )
            mark = signature if designates else signature + ((name, position),)
            extend(rest, inner, {**chosen, name: value}, mark)

    extend(route.parameters, Context(world, route), {}, ())
    return found


# --- Requests ----------------------------------------------------------------------------

PROBE_QUERY = "q=secret&where=secret&refine=theme%3AECON"  # search-like routes look for markers
ERROR_QUERY = "where=nosuchfield%3D1&select=nope&limit=abc&order_by=nope"
SAFE = {"GET", "HEAD", "OPTIONS"}


@dataclass
class Answer:
    method: str
    url: str
    status: int
    text: str = field(repr=False)
    location: str = ""


def fetch(clients: dict[str, Client], world, role: str, url: str) -> list[Answer]:
    """GET ``url``; on a 405, each other allowed method, inside a rolled-back transaction.

    Writes are sent without a query string only: their parameters are in the body.
    """
    response = clients[role].get(url)
    answers = [_answer("GET", url, response)]
    if response.status_code != 405 or "?" in url:
        return answers
    allowed = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
    for method in allowed:
        if method.upper() in SAFE:
            continue
        client = _client_for(world, role)
        with transaction.atomic():
            response = client.generic(method.upper(), url, b"", "application/json")
            answers.append(_answer(method.upper(), url, response))
            transaction.set_rollback(True)
    return answers


def _answer(method: str, url: str, response) -> Answer:
    return Answer(
        method, url, response.status_code, readable_text(response), response.get("Location", "")
    )


def _client_for(world, role: str) -> Client:
    client = Client(raise_request_exception=False)
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture(scope="module")
def clients(world):
    """One signed-in client per role, their sessions made once in the module's transaction."""
    return {role: _client_for(world, role) for role in ROLES}


def normalised(answer: Answer, values: dict[str, Value]) -> tuple[int, str]:
    """Status and body with the request's own path and dataset identifier blanked out, and the
    CSRF masks and dates removed: what is left must not depend on the dataset's existence."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", answer.text)
    text = re.sub(r"(?i)^(date|expires|set-cookie|content-length): .*$", "", text, flags=re.M)
    path = answer.url.split("?")[0]
    for form in (path, quote(path, safe=""), quote(path)):
        text = text.replace(form, "<path>")
    for name, value in values.items():
        if value.level is not None or value.missing:  # the one value that differs
            alone = rf"(?<![0-9A-Za-z]){re.escape(value.text)}(?![0-9A-Za-z])"
            text = re.sub(alone, f"<{name}>", text)
    return answer.status, text


REFUSALS = {404, 401, 302, 405, 422}  # 401/302: not signed in; 405/422: before any lookup


# --- The tests ---------------------------------------------------------------------------


def test_the_inventory_walks_every_part_of_the_url_configuration():
    names = {r.name for r in ROUTES}
    expected = {
        "portal:home",
        "portal:dataset",
        "portal:suggestions",
        "explore:records",
        "explore:export",
        "management:list_datasets",
        "management:publish",
        "management:list_tokens",
        "governance:tokens",
        "admin:index",
        "admin:catalog_dataset_change",
        "set_language",
    }
    assert expected <= names, expected - names
    assert len(ROUTES) > 50


def test_a_route_with_an_unregistered_parameter_fails_loudly():
    route = Route((RoutePattern("nouveau/<int:widget_id>/"),), lambda r: None, "portal:widget")
    with pytest.raises(pytest.fail.Exception, match="Register it in PARAMETER_KINDS"):
        kind_of(route, "widget_id")


def test_markers_are_found_where_a_role_may_see_them(world, clients):
    """The detector works: a visible dataset's marker is found in a page, JSON and Parquet."""
    slug, marker = SLUGS["restricted"], MARKERS["restricted"]
    for url in (
        f"/jeux-de-donnees/{slug}/",
        f"/api/explore/v2.1/catalog/datasets/{slug}/records",
        f"/api/explore/v2.1/catalog/datasets/{slug}/exports/parquet",
        f"/api/1/datasets/{slug}/versions",
    ):
        (answer,) = fetch(clients, world, "owner_producer", url)
        assert answer.status == 200, url
        assert leaked_markers(answer.text, "anonymous") == [marker], url


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.pattern or "/")
def test_route_leaks_nothing_and_hides_with_404(route, world, clients, db):
    problems: list[str] = []
    cache: dict[tuple[str, str], list[Answer]] = {}

    def remember(role: str, url: str) -> list[Answer]:
        if (role, url) not in cache:
            cache[role, url] = fetch(clients, world, role, url)
        return cache[role, url]

    for combo in combinations(world, route):
        base = build_url(route, {n: v.text for n, v in combo.values.items()})
        match = resolve(base.split("?")[0])
        assert match.func is route.callback or route.pattern.endswith("(?P<url>.*)$"), (
            f"{base} resolves to {match.route!r}, not to {route.pattern!r}: "
            "give the parameter a value that this route alone matches"
        )
        queries = [""]
        if not route.parameters or (combo.level is None and not combo.missing):
            queries.append("?" + PROBE_QUERY)
        elif not route.admin:
            queries.append("?" + ERROR_QUERY)
        for query, role in itertools.product(queries, ROLES):
            for answer in fetch(clients, world, role, base + query):
                problems += check(answer, role, route, combo, query, world, remember)
    assert not problems, "\n".join(problems)


def check(answer, role, route, combo, query, world, remember) -> list[str]:
    where = f"{answer.method} {answer.url} as {role}"
    problems = []
    if answer.status >= 500:
        problems.append(f"{where}: {answer.status}")
    leaked = leaked_markers(answer.text, role)
    if leaked:
        problems.append(f"{where}: leaks {leaked}")
    admitted = role == "steward" or route.name == "admin:login"
    if route.admin and not admitted and 200 <= answer.status < 300:
        problems.append(f"{where}: {answer.status}; the admin is for stewards only")
    hidden = combo.level is not None and combo.level not in VISIBLE[role]
    if hidden:
        if answer.status not in REFUSALS:
            problems.append(f"{where}: {answer.status} for a dataset it may not see, not 404")
        twin = _missing_twin(world, route, combo)
        twin_url = build_url(route, {n: v.text for n, v in twin.values.items()}) + query
        twins = [a for a in remember(role, twin_url) if a.method == answer.method]
        if twins and normalised(twins[0], twin.values) != normalised(answer, combo.values):
            problems.append(
                f"{where}: answers {answer.status} where a missing dataset answers "
                f"{twins[0].status} ({twin_url}), or with another body: it gives away existence"
            )
    elif (
        combo.level is not None
        and not combo.probe
        and not query
        and answer.method == "GET"
        and (role == "steward" or not route.admin)
        and not (200 <= answer.status < 400 or answer.status == 405)  # 405: a write route
    ):
        problems.append(f"{where}: {answer.status} for a dataset it may see")
    return problems


def _missing_twin(world, route: Route, combo: Combination) -> Combination:
    """The combination naming a missing dataset with the same other values as ``combo``."""
    for other in combinations(world, route):
        if other.missing and other.signature == combo.signature:
            return other
    raise AssertionError(f"{route.pattern}: no value for a missing dataset")
