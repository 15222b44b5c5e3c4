"""The DCAT-AP output validates against the official SHACL shapes with zero violations.

The shapes are the SEMIC releases kept in ``../shared/fixtures/dcat-ap/`` next to the
checkout; where that directory is absent (a fresh clone elsewhere), these tests skip.
"""

from __future__ import annotations

import json
import warnings
from datetime import date
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph
from rdflib.namespace import DCTERMS, SH

from territoria.catalog.models import Dataset, Resource, Territory

SHAPES_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "dcat-ap"
SHAPES = {
    "dcat-ap-3": ("3.0.1-dcat-ap-SHACL.ttl", "3.0.1-ranges.ttl"),
    "dcat-ap-2.1": (
        "2.1.1-dcat-ap_2.1.1_shacl_shapes.ttl",
        "2.1.1-dcat-ap_2.1.1_shacl_range.ttl",
    ),
}
SYNTAXES = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}

pytestmark = pytest.mark.skipif(
    not SHAPES_DIR.is_dir(), reason=f"the DCAT-AP SHACL shapes are not in {SHAPES_DIR}"
)


def load_shapes(profile: str) -> Graph:
    """The release's shapes. The 3.0.1 ranges file lists five ``sh:property`` shapes it never
    defines (their hashes appear nowhere else); pySHACL refuses such a dangling reference, and
    an undefined shape constrains nothing, so the references are dropped."""
    shapes = Graph()
    for name in SHAPES[profile]:
        shapes.parse(SHAPES_DIR / name, format="turtle")
    for shape, prop in list(shapes.subject_objects(SH.property)):
        if (prop, None, None) not in shapes:
            shapes.remove((shape, SH.property, prop))
    return shapes


@pytest.fixture(scope="module")
def shapes():
    return {profile: load_shapes(profile) for profile in SHAPES}


def violations(data: Graph, shapes: Graph) -> str:
    conforms, _, text = validate(data, shacl_graph=shapes)
    return "" if conforms else text


def fetch(client, url: str, ext: str) -> Graph:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated class
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return Graph().parse(data=response.content, format=SYNTAXES[ext])


@pytest.fixture
def described(ingest_text, make_org):
    """A region's catalogue using every field: a table, a map, files, licences, vocabularies."""
    Territory.objects.create(code="fr:region:44", level="region", insee_code="44", name="Grand Est")
    ingest_text("code;nom;population\n67482;Strasbourg;291313\n", slug="communes")
    feature = {
        "type": "Feature",
        "properties": {"nom": "Metz"},
        "geometry": {"type": "Point", "coordinates": [6.1757, 49.1193]},
    }
    collection = {"type": "FeatureCollection", "features": [feature]}
    ingest_text(json.dumps(collection), slug="lieux", org="ville-de-metz")
    Dataset.objects.filter(slug="communes").update(
        description="Les communes **du Grand Est**.",
        themes=["REGI", "SOCI"],
        keywords=["communes", "population"],
        spatial=["fr:region:44", "fr:commune:2A004", "fr:epci:200067213"],
        temporal_start=date(2024, 1, 1),
        temporal_end=date(2024, 12, 31),
        frequency="ANNUAL",
        contact_name="Bureau de la donnée",
        contact_email="donnees@grandest.example",
    )
    Dataset.objects.filter(slug="lieux").update(licence="odbl", frequency="CONT")
    communes = Dataset.objects.get(slug="communes")
    Resource.objects.create(
        dataset=communes, title="Notice", kind="file", format="PDF", url="https://ex.fr/n.pdf"
    )
    Resource.objects.create(
        dataset=communes, title="Portail", kind="link", format="", url="https://ex.fr/"
    )
    Resource.objects.create(dataset=communes, title="Vide", kind="file")  # no URL: omitted
    Dataset.objects.create(
        slug="sans-rien",
        title="Sans description",
        organisation=make_org(),
        access_level="open",
        licence="other",
        licence_name="Licence maison",
        frequency="UNKNOWN",
    )


@pytest.mark.parametrize("profile", SHAPES)
@pytest.mark.parametrize("ext", SYNTAXES)
def test_catalogue_has_zero_violations(client, described, shapes, profile, ext):
    data = fetch(client, f"/catalog.{ext}?profile={profile}", ext)
    assert len(data) > 100
    assert violations(data, shapes[profile]) == ""


@pytest.mark.parametrize("profile", SHAPES)
def test_dataset_and_organisation_documents_have_zero_violations(
    client, described, shapes, profile
):
    for url in (
        f"/jeux-de-donnees/communes/dataset.ttl?profile={profile}",
        f"/jeux-de-donnees/lieux/dataset.ttl?profile={profile}",
        f"/organisations/ville-de-metz/catalog.ttl?profile={profile}",
    ):
        assert violations(fetch(client, url, "ttl"), shapes[profile]) == "", url


def test_the_shapes_catch_a_dataset_without_title(shapes):
    """The validation has teeth: a dataset with no title or description violates DCAT-AP 3."""
    data = Graph().parse(
        data="""
        @prefix dcat: <http://www.w3.org/ns/dcat#> .
        <http://example.org/d> a dcat:Dataset .
        """,
        format="turtle",
    )
    conforms, report, _ = validate(data, shacl_graph=shapes["dcat-ap-3"])
    paths = set(report.objects(None, SH.resultPath))
    assert not conforms
    assert paths == {DCTERMS.title, DCTERMS.description}
