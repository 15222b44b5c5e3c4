"""Real OGC API – Features clients against a live server: OWSLib's ``Features`` and GDAL's
OAPIF driver (``ogrinfo``, ``ogr2ogr`` of Debian's gdal-bin).

GDAL is a system package: without ``ogrinfo`` its tests skip, unless
``TERRITORIA_REQUIRE_OGRINFO=1`` (set by ``.ci/run``), which makes a missing one a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

owslib_features = pytest.importorskip(
    "owslib.ogcapi.features", reason="OWSLib is a dev dependency (pip install -e .[dev])"
)

from tests.api.test_ogc import SECRET, build_geo_region  # noqa: E402

TIMEOUT = 60  # seconds for one GDAL command


@pytest.fixture
def live_region(live_server, settings, tmp_path):
    settings.DATASTORE_ROOT = tmp_path
    return build_geo_region(tmp_path)


@pytest.fixture
def gdal():
    """The directory of ``ogrinfo``; skipped when GDAL is absent, unless it is required."""
    found = shutil.which("ogrinfo")
    if found is None:
        if os.environ.get("TERRITORIA_REQUIRE_OGRINFO") == "1":
            pytest.fail("ogrinfo is missing and TERRITORIA_REQUIRE_OGRINFO=1")
        pytest.skip("GDAL not installed (apt-get install gdal-bin): OAPIF client tests skipped")
    return os.path.dirname(found)


def run(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_owslib_reads_collections_items_and_one_feature_but_no_hidden_one(live_server, live_region):
    api = owslib_features.Features(f"{live_server.url}/ogc/")
    conformance = api.conformance()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance
    listed = api.collections()
    ids = [c["id"] for c in listed["collections"]]
    assert ids == ["communes", "points", "stations"]
    assert SECRET not in json.dumps(listed)
    assert api.collection("stations")["extent"]["spatial"]["bbox"] == [
        [4.0317, 48.5734, 7.7521, 49.2583]
    ]
    items = api.collection_items("stations", limit=1, bbox=[5, 48, 8, 49.2])
    assert items["numberMatched"] == 2 and items["numberReturned"] == 1
    (first,) = items["features"]
    assert first["properties"]["station"] == "Metz Borny"
    single = api.collection_item("stations", str(first["id"]))
    assert (
        single["geometry"]
        == first["geometry"]
        == {
            "type": "Point",
            "coordinates": [6.1757, 49.1193],
        }
    )
    filtered = api.collection_items("communes", nom="Reims", datetime="2022-01-10")
    assert [f["id"] for f in filtered["features"]] == [3]
    with pytest.raises(RuntimeError, match="NotFound"):  # a partners dataset: 404
        api.collection_items("capteurs-partenaires")


def test_gdal_lists_the_layers_reads_features_page_by_page_and_copies_one(
    live_server, live_region, gdal, tmp_path
):
    url = f"OAPIF:{live_server.url}/ogc/"
    summary = run(f"{gdal}/ogrinfo", "-ro", "-al", "-so", url)
    assert "Layer name: communes" in summary and "Layer name: stations" in summary
    assert "capteurs-partenaires" not in summary and SECRET not in summary
    assert "Feature Count: 250" in summary
    assert "Extent: (4.031700, 48.050000) - (7.400000, 49.258300)" in summary
    # Pages of 100: GDAL follows the next links (keyset cursors) to the end.
    points = run(f"{gdal}/ogrinfo", "-ro", "-oo", "PAGE_SIZE=100", url, "points")
    assert points.count("OGRFeature(points):") == 250
    assert "OGRFeature(points):250" in points and "POINT (5.25 48.25)" in points
    bbox = run(f"{gdal}/ogrinfo", "-ro", "-spat", "5", "48", "8", "49.2", url, "stations")
    assert bbox.count("OGRFeature(stations):") == 2 and "Reims" not in bbox
    target = tmp_path / "communes.geojson"
    run(f"{gdal}/ogr2ogr", "-f", "GeoJSON", str(target), url, "communes")
    copied = json.loads(target.read_text(encoding="utf-8"))
    assert len(copied["features"]) == 3
    metz = copied["features"][1]
    assert metz["properties"]["nom"] == "Metz" and metz["properties"]["code"] == "57463"
    assert metz["geometry"] == {"type": "Point", "coordinates": [6.1757, 49.1193]}
    assert copied["features"][0]["geometry"]["type"] == "Polygon"
