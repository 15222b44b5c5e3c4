"""Every format through the catalog; a hostile or broken file keeps the published version."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

import pytest

from territoria.ingest.publication import live_version_info
from territoria.ingest.services import IngestionFailed
from tests.datastore.workbooks import xlsx

WORKBOOK = xlsx(
    [("Feuil1", [["Code INSEE", "Date", "Valeur"], ["01001", datetime.date(2024, 2, 1), 1.5]])]
)
GEOJSON = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"nom": "Metz"},
                "geometry": {"type": "Point", "coordinates": [6.1757, 49.1193]},
            }
        ],
    }
).encode()


def _zip(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


@pytest.mark.django_db
def test_workbook_is_ingested_with_its_types(ingest_text):
    outcome = ingest_text(WORKBOOK)
    live = live_version_info(outcome.dataset)
    assert live.source_format == "xlsx"
    assert {f["name"]: f["type"] for f in live.fields} == {
        "code_insee": "string", "date": "date", "valeur": "number",
    }  # fmt: skip


@pytest.mark.django_db
def test_geojson_is_served_by_the_records_api_with_its_point(ingest_text, client):
    outcome = ingest_text(GEOJSON)
    assert outcome.version.schema["territoria:geo"]["shape"] == "geo_shape"
    answer = client.get(f"/api/explore/v2.1/catalog/datasets/{outcome.dataset.slug}/records")
    assert answer.status_code == 200, answer.content
    record = answer.json()["results"][0]
    assert record["nom"] == "Metz"
    assert record["geo_point_2d"] == {"lat": 49.1193, "lon": 6.1757}
    assert "_bbox" not in record


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (_zip("../../evil.csv", b"a\n1\n"), "a path outside the archive is refused"),
        (_zip("bomb.csv", b"a\n" + b"0" * (70 * 1024**2)), "refused as a possible zip bomb"),
        (WORKBOOK[: len(WORKBOOK) // 2], "invalid ZIP archive"),
        (GEOJSON.replace(b"6.1757, 49.1193", b"930000, 6900000"), "WGS 84"),
    ],
    ids=["traversal", "zip-bomb", "truncated-xlsx", "lambert-93-geojson"],
)
def test_refused_file_keeps_the_published_version(ingest_text, content, reason):
    first = ingest_text(WORKBOOK)
    with pytest.raises(IngestionFailed, match=reason):
        ingest_text(content)
    assert live_version_info(first.dataset).key == first.version.key
