"""The stable URIs of the catalogue's objects: one per object, the same in every dialect.

DCAT-AP, CKAN, Explore, OGC and the harvesters name a dataset with ``dataset_uri(dataset)``
and nothing else, so a re-user or another portal that met it through one dialect recognises it
in the others ("federated identity", issue 7). A URI is an identifier others keep: it is built
from ``TERRITORIA_BASE_URL`` (never from the request's host, which differs behind a proxy or
between two addresses of the same instance) and from the slug, which no route changes — the
slug is already the dataset's public identity (the Explore ``dataset_id``, the portal's path).
The dataset and organisation URIs are their portal pages, so they dereference; a
distribution is a fragment of its dataset's page. Decision 0019.

The templates below are written out rather than ``reverse()``-d on purpose: renaming a route
must not silently rename every dataset for the harvesters that stored its URI.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings


def base_url() -> str:
    """The root of every URI, without a trailing slash (``TERRITORIA_BASE_URL``)."""
    return settings.BASE_URL.rstrip("/")


def catalog_uri() -> str:
    """The URI of the instance's catalogue (``dcat:Catalog``)."""
    return f"{base_url()}/catalog"


def organisation_uri(organisation) -> str:
    """The URI of an organisation (a publisher, ``foaf:Agent``): its portal page."""
    return f"{base_url()}/organisations/{quote(organisation.slug)}/"


def organisation_catalog_uri(organisation) -> str:
    """The URI of the catalogue of one organisation's datasets."""
    return f"{organisation_uri(organisation)}#catalog"


def dataset_uri(dataset) -> str:
    """The URI of a dataset (``dcat:Dataset``): its portal page, ``…/jeux-de-donnees/<slug>/``."""
    return f"{base_url()}/jeux-de-donnees/{quote(dataset.slug)}/"


def resource_uri(resource) -> str:
    """The URI of a resource as a distribution: a fragment of its dataset's URI.

    Precondition: ``resource.dataset`` is loaded (one query otherwise).
    """
    return f"{dataset_uri(resource.dataset)}#resource-{resource.pk}"


def export_uri(dataset, fmt: str) -> str:
    """The URI of the distribution of a dataset's table exported as ``fmt`` (csv, json…)."""
    return f"{dataset_uri(dataset)}#export-{fmt}"


def explore_api_url() -> str:
    """The URI of the Explore v2.1 API as a service (``dcat:DataService``)."""
    return f"{base_url()}{explore_api_path()}"


# Addresses to fetch, unlike the identifiers above, are paths: a dialect prefixes them with
# the address its caller used (``request.build_absolute_uri``), as the CKAN dialect does, so
# that a download link works however the instance was reached.


def explore_api_path() -> str:
    """The path of the Explore v2.1 API, the records and exports service of every dataset."""
    return "/api/explore/v2.1/"


def export_path(dataset, fmt: str) -> str:
    """The path where the dataset's table is downloaded as ``fmt``: its Explore export."""
    return f"{explore_api_path()}catalog/datasets/{quote(dataset.slug)}/exports/{fmt}"
