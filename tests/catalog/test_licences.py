"""Licences of open data (CRPA D323-2-1) and the reuse conditions on pages and exports
(CRPA L322-1): issue 6."""

import io
import json
import urllib.request
import zipfile
from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from territoria.catalog.licences import reuse_conditions
from territoria.catalog.models import Dataset
from territoria.governance.models import ApiToken
from territoria.ingest.services import IngestionFailed

CSV = "commune;population\nStrasbourg;290000\nColmar;67000\n"
REFUSED = "Un jeu de données ouvert doit être sous Licence Ouverte 2.0 ou ODbL"
EXPORT = "/api/explore/v2.1/catalog/datasets/{slug}/exports/{fmt}"


@pytest.fixture(autouse=True)
def region(make_org):
    """The publisher, with its accent: the source a re-user must name."""
    return make_org()


def _open_dataset(org, **fields) -> Dataset:
    return Dataset(slug="d", title="D", organisation=org, access_level="open", **fields)


def test_an_open_dataset_under_another_licence_is_refused_without_approval(make_org):
    dataset = _open_dataset(make_org(), licence="other", licence_name="CC-BY-NC")
    with pytest.raises(ValidationError, match=REFUSED) as refused:
        dataset.full_clean()
    assert list(refused.value.message_dict) == ["licence"]


def test_an_approval_reference_lets_another_licence_open(make_org):
    dataset = _open_dataset(
        make_org(),
        licence="other",
        licence_name="Licence maison",
        licence_approval_reference="Décret n° 2017-638, homologation du 2 mai 2024",
    )
    dataset.full_clean()  # raises nothing


@pytest.mark.parametrize("licence", ["lov2", "odbl"])
def test_the_decree_s_licences_need_no_approval(make_org, licence):
    _open_dataset(make_org(), licence=licence).full_clean()


def test_a_dataset_that_is_not_open_may_use_its_agreement_s_licence(make_org):
    dataset = _open_dataset(make_org(), licence="other", licence_name="Convention")
    dataset.access_level = "partners"
    dataset.full_clean()


@pytest.fixture
def write_token(staff_user):
    return ApiToken.issue(staff_user, "ci", scope="write")[1]


def _create(client, token, **fields):
    body = {"slug": "maison", "title": "Maison", "organisation": "region-grand-est", **fields}
    return client.post(
        "/api/1/datasets",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_the_api_refuses_an_open_dataset_under_another_licence(client, write_token):
    response = _create(
        client, write_token, access_level="open", licence="other", licence_name="Licence maison"
    )
    assert response.status_code == 400
    assert REFUSED in response.json()["detail"]
    assert not Dataset.objects.filter(slug="maison").exists()


def test_a_steward_opens_it_through_the_api_with_the_approval_reference(
    client, write_token, staff_user
):
    response = _create(
        client,
        write_token,
        access_level="open",
        licence="other",
        licence_name="Licence maison",
        licence_approval_reference="Homologation DINUM 2024-12",
    )
    assert response.status_code == 201, response.content
    dataset = Dataset.objects.get(slug="maison")
    assert dataset.licence_approval_reference == "Homologation DINUM 2024-12"
    assert dataset.licence_approved_by == staff_user
    assert dataset.licence_approved_at is not None


def test_a_producer_cannot_record_an_approval(client, add_member, make_org):
    from django.contrib.auth.models import User

    producer = User.objects.create_user("producer", "p@example.org", "s3cret-pass")
    add_member(producer, "region-grand-est", "producer")
    token = ApiToken.issue(producer, "ci", scope="write")[1]
    response = _create(
        client, token, licence="other", licence_name="Maison", licence_approval_reference="X"
    )
    assert response.status_code == 403
    assert not Dataset.objects.filter(slug="maison").exists()


def test_ingestion_refuses_to_open_a_dataset_under_another_licence(ingest_text):
    with pytest.raises(IngestionFailed, match=REFUSED):
        ingest_text(
            CSV, slug="maison", metadata={"licence": "other", "licence_name": "Licence maison"}
        )
    assert not Dataset.objects.filter(slug="maison").exists()
    internal = ingest_text(
        CSV,
        slug="maison",
        access="internal",
        metadata={"licence": "other", "licence_name": "Licence maison"},
    )
    assert internal.published
    with pytest.raises(IngestionFailed, match=REFUSED):  # opening it later is refused too
        ingest_text(CSV, slug="maison", access="open")
    assert Dataset.objects.get(slug="maison").access_level == "internal"


def test_the_admin_records_who_approved_another_licence(client, staff_user, make_org):
    org = make_org()
    dataset = Dataset.objects.create(
        slug="maison", title="Maison", organisation=org, access_level="internal"
    )
    client.force_login(staff_user)
    url = reverse("admin:catalog_dataset_change", args=[dataset.pk])
    form = {
        "slug": "maison",
        "title": "Maison",
        "organisation": org.pk,
        "licence": "other",
        "licence_name": "Licence maison",
        "access_level": "open",
        "frequency": "UNKNOWN",
        "themes": "[]",
        "domains": "[]",
        "keywords": "[]",
        "spatial": "[]",
        "resources-TOTAL_FORMS": "0",
        "resources-INITIAL_FORMS": "0",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert REFUSED in refused.content.decode()
    saved = client.post(url, {**form, "licence_approval_reference": "Homologation 2024-12"})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    dataset.refresh_from_db()
    assert dataset.access_level == "open"
    assert dataset.licence_approved_by == staff_user


# --- Reuse conditions ---------------------------------------------------------------------


def _published_at(outcome):
    from territoria.catalog.models import Version

    return Version.objects.get(pk=outcome.version.pk).published_at


def _expected_text(outcome) -> str:
    day = timezone.localdate(_published_at(outcome))
    return f"Source : Région Grand Est — mise à jour : {day:%d/%m/%Y}"


def test_reuse_conditions_name_licence_source_and_the_live_version_s_date(ingest_text):
    outcome = ingest_text(CSV, slug="population")
    conditions = reuse_conditions(Dataset.objects.select_related("organisation").get())
    assert conditions["licence"] == "Licence Ouverte / Open Licence 2.0"
    assert conditions["licence_url"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    assert conditions["source"] == "Région Grand Est"
    assert conditions["updated"] == _published_at(outcome)
    assert conditions["text"] == _expected_text(outcome)


def test_the_page_of_an_open_dataset_shows_its_reuse_conditions(client, ingest_text):
    outcome = ingest_text(CSV, slug="population")
    page = client.get(reverse("portal:dataset", args=["population"])).content.decode()
    assert "Conditions de réutilisation" in page
    assert _expected_text(outcome) in page
    assert (
        '<a href="https://www.etalab.gouv.fr/licence-ouverte-open-licence/" '
        'rel="license noopener">Licence Ouverte / Open Licence 2.0</a>'
    ) in page


def test_a_dataset_that_is_not_open_shows_no_open_licence_conditions(
    client, ingest_text, staff_user
):
    ingest_text(CSV, slug="interne", access="internal")
    client.force_login(staff_user)
    page = client.get(reverse("portal:dataset", args=["interne"])).content.decode()
    assert "Conditions de réutilisation" not in page


def _header_parameters(value: str) -> dict[str, str]:
    """RFC 8187 parameters of X-Reuse-Conditions, decoded."""
    found = {}
    for part in value.split("; "):
        name, _, raw = part.partition("=")
        if name.endswith("*"):
            name, raw = name[:-1], unquote(raw.removeprefix("UTF-8''"))
        found[name] = raw
    return found


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "geojson", "parquet", "xlsx"])
def test_every_export_format_carries_the_reuse_conditions(client, ingest_text, fmt):
    outcome = ingest_text(CSV, slug="population")
    response = client.get(EXPORT.format(slug="population", fmt=fmt))
    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Link"] == (
        '<https://www.etalab.gouv.fr/licence-ouverte-open-licence/>; rel="license"; '
        "title*=UTF-8''Licence%20Ouverte%20%2F%20Open%20Licence%202.0"
    )
    parameters = _header_parameters(response["X-Reuse-Conditions"])
    assert parameters == {
        "licence": "Licence Ouverte / Open Licence 2.0",
        "source": "Région Grand Est",
        "updated": timezone.localdate(_published_at(outcome)).isoformat(),
        "text": _expected_text(outcome),
    }
    _assert_data_intact(fmt, body, outcome)


def _assert_data_intact(fmt: str, body: bytes, outcome) -> None:
    """Pure data stays pure; GeoJSON carries the conditions as a foreign member."""
    if fmt == "csv":
        assert body.decode("utf-8-sig").splitlines()[0] == "commune;population"
    elif fmt == "json":
        assert json.loads(body)[0] == {"commune": "Strasbourg", "population": 290000}
    elif fmt == "jsonl":
        assert json.loads(body.splitlines()[0]) == {"commune": "Strasbourg", "population": 290000}
    elif fmt == "geojson":
        collection = json.loads(body)
        assert collection["type"] == "FeatureCollection"
        assert len(collection["features"]) == 2
        assert collection["reuse_conditions"] == {
            "licence": "Licence Ouverte / Open Licence 2.0",
            "licence_url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
            "source": "Région Grand Est",
            "last_updated": _published_at(outcome).isoformat(),
            "text": _expected_text(outcome),
        }
    elif fmt == "parquet":
        assert body.startswith(b"PAR1")
    else:
        assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(body)).namelist()


def test_an_export_of_partners_data_names_its_source_but_no_open_licence(
    client, ingest_text, staff_user
):
    ingest_text(CSV, slug="partenaires", access="partners")
    client.force_login(staff_user)
    response = client.get(EXPORT.format(slug="partenaires", fmt="csv"))
    assert response.status_code == 200
    assert "Link" not in response
    parameters = _header_parameters(response["X-Reuse-Conditions"])
    assert parameters["source"] == "Région Grand Est"
    assert "licence" not in parameters


def test_the_reuse_headers_cross_a_real_http_server(live_server, ingest_text):
    """Headers are Latin-1 on the wire: the accents travel percent-encoded (RFC 8187)."""
    ingest_text(CSV, slug="population")
    url = live_server.url + EXPORT.format(slug="population", fmt="geojson")
    with urllib.request.urlopen(url) as answer:  # noqa: S310 - the test's own server
        headers = answer.headers
        collection = json.loads(answer.read())
    assert headers["Link"].startswith("<https://www.etalab.gouv.fr/licence-ouverte-open-licence/>")
    assert "source*=UTF-8''R%C3%A9gion%20Grand%20Est" in headers["X-Reuse-Conditions"]
    assert collection["reuse_conditions"]["source"] == "Région Grand Est"
