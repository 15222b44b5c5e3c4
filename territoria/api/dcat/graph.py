"""Catalog objects → a DCAT-AP RDF graph (rdflib). Pure translation: no query, no access check.

The callers (``pages.py``) load the objects through the gate and pass them in; this module
only writes triples. Every object referenced through a property with a class range in the
DCAT-AP SHACL "ranges" shapes (licence, format, theme, frequency…) gets its ``rdf:type``,
so the output validates with zero violations (tests/api/test_dcat_shacl.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS

from territoria.api.ckan.ids import object_id
from territoria.api.dcat.vocabularies import (
    ACCESS_RIGHTS,
    ADMS,
    DCATAP,
    EXPORT_TYPES,
    FILE_TYPE,
    FILE_TYPES,
    FRENCH,
    FREQUENCY,
    HYDRA,
    LOCN,
    SCHEMA,
    THEME_SCHEME,
    VCARD,
    media_type_uri,
    territory_uri,
    theme_uri,
)
from territoria.catalog import uris
from territoria.catalog.enums import Frequency, ResourceKind, Theme

GEO_FIELD_TYPES = frozenset({"geojson", "geopoint"})


@dataclass(frozen=True)
class Profile:
    """A DCAT-AP version the output follows."""

    name: str
    specification: str  # the URI the catalogue declares with dct:conformsTo
    schema_org_dates: bool  # 2.x harvesters (ckanext-dcat's euro_dcat_ap) read schema:startDate


DCAT_AP_3 = Profile(
    "dcat-ap-3",
    "https://semiceu.github.io/DCAT-AP/releases/3.0.1/",
    schema_org_dates=False,
)
DCAT_AP_2 = Profile(
    "dcat-ap-2.1",
    "https://joinup.ec.europa.eu/collection/semantic-interoperability-community-semic/solution/dcat-application-profile-data-portals-europe/release/211",
    schema_org_dates=True,
)
PROFILES = {p.name: p for p in (DCAT_AP_3, DCAT_AP_2)}
PROFILE_ALIASES = {"3": DCAT_AP_3, "3.0": DCAT_AP_3, "2": DCAT_AP_2, "2.1": DCAT_AP_2}


@dataclass(frozen=True)
class Context:
    """What a document is written for, beyond the objects it describes."""

    profile: Profile
    territories: dict  # territory code → name, for the codes of the datasets described
    # Where the caller reached this instance: the root of download and endpoint addresses.
    # They are locations to fetch, unlike the URIs (catalog/uris.py), which are identifiers.
    links_root: str


@dataclass(frozen=True)
class CatalogHeader:
    """What a catalogue says about itself."""

    uri: str
    title: str
    description: str
    homepage: str
    publisher: object | None  # an Organisation, or None for the instance itself


def new_graph() -> Graph:
    # Only our prefixes: rdflib's default ones (brick, sosa…) would fill the JSON-LD context.
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in {
        "dcat": DCAT,
        "dct": DCTERMS,
        "foaf": FOAF,
        "skos": SKOS,
        "vcard": VCARD,
        "dcatap": DCATAP,
        "hydra": HYDRA,
        "locn": LOCN,
        "schema": SCHEMA,
        "adms": ADMS,
    }.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def add_catalog(graph: Graph, header: CatalogHeader, datasets: Iterable, ctx: Context) -> URIRef:
    """The catalogue, then each of ``datasets`` and the Explore API that serves their tables.

    Precondition: each dataset has its organisation and its resources (with their live
    version) loaded.
    """
    catalog = URIRef(header.uri)
    graph.add((catalog, RDF.type, DCAT.Catalog))
    lang = get_language() or "fr"  # the header is in the request's language
    graph.add((catalog, DCTERMS.title, Literal(header.title, lang=lang)))
    graph.add((catalog, DCTERMS.description, Literal(header.description, lang=lang)))
    graph.add((catalog, DCTERMS.publisher, _agent(graph, header.publisher)))
    homepage = URIRef(header.homepage)
    graph.add((catalog, FOAF.homepage, homepage))
    graph.add((homepage, RDF.type, FOAF.Document))
    _language(graph, catalog)
    graph.add((catalog, DCTERMS.conformsTo, _standard(graph, ctx.profile)))
    graph.add((catalog, DCAT.themeTaxonomy, THEME_SCHEME))
    graph.add((THEME_SCHEME, RDF.type, SKOS.ConceptScheme))
    graph.add((THEME_SCHEME, DCTERMS.title, Literal("Data theme", lang="en")))
    service = add_explore_service(graph, ctx)
    graph.add((catalog, DCAT.service, service))
    for dataset in datasets:
        graph.add((catalog, DCAT.dataset, add_dataset(graph, dataset, ctx, service)))
    return catalog


def add_dataset(graph: Graph, dataset, ctx: Context, service: URIRef) -> URIRef:
    """One dataset with its distributions; returns its node. Same preconditions as above."""
    node = URIRef(uris.dataset_uri(dataset))
    add = graph.add
    add((node, RDF.type, DCAT.Dataset))
    add((node, DCTERMS.title, Literal(dataset.title, lang="fr")))
    # DCAT-AP makes the description mandatory; a dataset without one is described by its title.
    add((node, DCTERMS.description, Literal(dataset.description or dataset.title, lang="fr")))
    # The identifier survives a renamed slug (the URI does not): the id CKAN's dialect gives
    # the dataset, so that a harvester keeps one dataset across renames (decision 0021).
    add((node, DCTERMS.identifier, Literal(object_id("package", dataset.pk))))
    add((node, DCTERMS.issued, Literal(dataset.created_at, datatype=XSD.dateTime)))
    add((node, DCTERMS.modified, Literal(dataset.modified_at, datatype=XSD.dateTime)))
    add((node, DCTERMS.publisher, _agent(graph, dataset.organisation)))
    add((node, DCAT.landingPage, node))  # the URI is the portal page (catalog/uris.py)
    add((node, RDF.type, FOAF.Document))
    _language(graph, node)
    access = ACCESS_RIGHTS[dataset.access_level]
    add((node, DCTERMS.accessRights, access))
    add((access, RDF.type, DCTERMS.RightsStatement))
    for keyword in dataset.keywords:
        add((node, DCAT.keyword, Literal(keyword, lang="fr")))
    for code in dataset.themes:
        _theme(graph, node, code)
    _frequency(graph, node, dataset.frequency)
    _contact_point(graph, node, dataset)
    _spatial(graph, node, dataset.spatial, ctx.territories)
    _temporal(graph, node, dataset, ctx.profile)
    licence = _licence(graph, dataset)
    for resource in dataset.resources.all():
        _resource_distributions(graph, node, dataset, resource, licence, ctx, service)
    return node


def _agent(graph: Graph, organisation) -> URIRef:
    """A publisher: an organisation, or the instance (its catalogue's own URI root)."""
    if organisation is None:
        node = URIRef(uris.base_url() + "/")
        name = "Territoria"
    else:
        node = URIRef(uris.organisation_uri(organisation))
        name = organisation.name
    graph.add((node, RDF.type, FOAF.Agent))
    graph.add((node, FOAF.name, Literal(name)))
    return node


def _language(graph: Graph, node: URIRef) -> None:
    graph.add((node, DCTERMS.language, FRENCH))
    graph.add((FRENCH, RDF.type, DCTERMS.LinguisticSystem))


def _standard(graph: Graph, profile: Profile) -> URIRef:
    standard = URIRef(profile.specification)
    graph.add((standard, RDF.type, DCTERMS.Standard))
    return standard


def _theme(graph: Graph, node: URIRef, code: str) -> None:
    if code not in Theme.values:
        return
    concept = theme_uri(code)
    graph.add((node, DCAT.theme, concept))
    graph.add((concept, RDF.type, SKOS.Concept))
    label = str(Theme(code).label)  # in the request's language
    graph.add((concept, SKOS.prefLabel, Literal(label, lang=get_language() or "fr")))
    graph.add((concept, SKOS.inScheme, THEME_SCHEME))


def _frequency(graph: Graph, node: URIRef, code: str) -> None:
    if code not in Frequency.values:
        return
    frequency = FREQUENCY[code]
    graph.add((node, DCTERMS.accrualPeriodicity, frequency))
    graph.add((frequency, RDF.type, DCTERMS.Frequency))


def _contact_point(graph: Graph, node: URIRef, dataset) -> None:
    if not (dataset.contact_name or dataset.contact_email):
        return
    contact = BNode()
    graph.add((node, DCAT.contactPoint, contact))
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, VCARD.fn, Literal(dataset.contact_name or dataset.organisation.name)))
    if dataset.contact_email:
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{dataset.contact_email}")))


def _spatial(graph: Graph, node: URIRef, codes: list, territories: dict) -> None:
    for code in codes:
        location = territory_uri(code) if isinstance(code, str) else None
        if location is None:
            continue
        graph.add((node, DCTERMS.spatial, location))
        graph.add((location, RDF.type, DCTERMS.Location))
        graph.add((location, DCTERMS.identifier, Literal(code)))
        if code in territories:
            graph.add((location, SKOS.prefLabel, Literal(territories[code], lang="fr")))


def _temporal(graph: Graph, node: URIRef, dataset, profile: Profile) -> None:
    if not (dataset.temporal_start or dataset.temporal_end):
        return
    period = BNode()
    graph.add((node, DCTERMS.temporal, period))
    graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
    for value, dcat_term, schema_term in (
        (dataset.temporal_start, DCAT.startDate, SCHEMA.startDate),
        (dataset.temporal_end, DCAT.endDate, SCHEMA.endDate),
    ):
        if value:
            graph.add((period, dcat_term, Literal(value, datatype=XSD.date)))
            if profile.schema_org_dates:
                graph.add((period, schema_term, Literal(value, datatype=XSD.date)))


def _licence(graph: Graph, dataset) -> URIRef | None:
    if not dataset.licence_link:
        return None
    licence = URIRef(dataset.licence_link)
    graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
    graph.add((licence, DCTERMS.title, Literal(dataset.licence_label)))
    return licence


def add_explore_service(graph: Graph, ctx: Context) -> URIRef:
    """The Explore API, the service behind every table's distributions; returns its node."""
    service = URIRef(uris.explore_api_url())
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, Literal("Explore API v2.1", lang="en")))
    description = _("Records and exports of every table.")
    graph.add((service, DCTERMS.description, Literal(description, lang=get_language() or "fr")))
    endpoint = URIRef(ctx.links_root + uris.explore_api_path())
    graph.add((service, DCAT.endpointURL, endpoint))
    graph.add((endpoint, RDF.type, RDFS.Resource))
    return service


def _resource_distributions(graph, node, dataset, resource, licence, ctx, service) -> None:
    """A published table: one distribution per export format. A file or a link: itself."""
    if resource.kind == ResourceKind.TABLE:
        version = resource.live_version
        if version is None:
            return  # nothing published: nothing to download
        for fmt in _export_formats(version.schema):
            uri = URIRef(uris.export_uri(dataset, fmt))
            url = URIRef(ctx.links_root + uris.export_path(dataset, fmt))
            file_type, media_type, label = EXPORT_TYPES[fmt]
            _distribution(graph, node, uri, url, f"{resource.title} ({label})", licence)
            _formats(graph, uri, file_type, media_type)
            graph.add((uri, DCAT.accessService, service))
            graph.add((service, DCAT.servesDataset, node))
        return
    if not resource.url:
        return
    uri = URIRef(uris.resource_uri(resource))
    _distribution(graph, node, uri, URIRef(resource.url), resource.title, licence)
    if resource.description:
        graph.add((uri, DCTERMS.description, Literal(resource.description, lang="fr")))
    file_type, media_type = FILE_TYPES.get(resource.format.lower(), (None, None))
    _formats(graph, uri, file_type, media_type)


def _distribution(graph, node, uri, url, title, licence) -> None:
    graph.add((node, DCAT.distribution, uri))
    graph.add((uri, RDF.type, DCAT.Distribution))
    graph.add((uri, DCTERMS.title, Literal(title, lang="fr")))
    graph.add((uri, DCAT.accessURL, url))
    graph.add((uri, DCAT.downloadURL, url))
    graph.add((url, RDF.type, RDFS.Resource))
    if licence is not None:
        graph.add((uri, DCTERMS.license, licence))


def _formats(graph, uri, file_type, media_type) -> None:
    if file_type:
        format_node = FILE_TYPE[file_type]
        graph.add((uri, DCTERMS["format"], format_node))
        graph.add((format_node, RDF.type, DCTERMS.MediaTypeOrExtent))
    if media_type:
        media = media_type_uri(media_type)
        graph.add((uri, DCAT.mediaType, media))
        graph.add((media, RDF.type, DCTERMS.MediaType))


def _export_formats(schema: dict) -> list[str]:
    """The export formats worth offering: GeoJSON only when the table has a geometry."""
    fields = schema.get("fields", []) if isinstance(schema, dict) else []
    geo = any(f.get("type") in GEO_FIELD_TYPES for f in fields if isinstance(f, dict))
    return [fmt for fmt in EXPORT_TYPES if fmt != "geojson" or geo]
