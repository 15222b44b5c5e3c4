"""The chart builder and the map in a real browser, drawing from the records API."""

import json
import re
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest

pytestmark = pytest.mark.browser

CATEGORIES = {"Commerce": 6, "Santé": 4, "Éducation": 2}
PLACES = [  # (commune, latitude, longitude): town centres of the Grand Est
    ("Metz", 49.1193, 6.1757),
    ("Nancy", 48.6921, 6.1844),
    ("Reims", 49.2583, 4.0317),
    ("Strasbourg", 48.5734, 7.7521),
    ("Troyes", 48.2973, 4.0744),
    ("Colmar", 48.0794, 7.3585),
]


def shops_csv() -> str:
    """12 demo-like rows: a category (6, 4, 2 rows), a French decimal amount, coordinates."""
    lines = ["commune;categorie;montant;latitude;longitude"]
    categories = [name for name, count in CATEGORIES.items() for _ in range(count)]
    for index, category in enumerate(categories):
        commune, lat, lon = PLACES[index % len(PLACES)]
        amount = f"{10 + index},5"
        lines.append(f"{commune};{category};{amount};{lat};{lon}")
    return "\n".join(lines) + "\n"


def test_chart_draws_bars_of_a_group_by_and_its_url_draws_it_again(browser_page, ingest_text):
    from playwright.sync_api import expect

    page, problems = browser_page
    ingest_text(shops_csv(), slug="commerces", title="Commerces")
    page.goto("/jeux-de-donnees/commerces/")

    # Default: bars counting rows by the first facet field (commune: 6 towns, 2 rows each).
    bars = page.locator("#chart svg rect.chart-bar")
    expect(bars).to_have_count(6)

    # Count rows by category: three bars, the largest first, widths in proportion.
    page.get_by_label("Grouper par").select_option("categorie")
    expect(bars).to_have_count(3)
    labels = page.locator("#chart svg text.chart-label")
    expect(labels).to_have_text(["Commerce", "Santé", "Éducation"])
    widths = [float(bars.nth(i).get_attribute("width")) for i in range(3)]
    assert widths[0] / widths[2] == pytest.approx(3, rel=0.02)
    assert widths[1] / widths[2] == pytest.approx(2, rel=0.02)
    # The same figures in the table fallback, and the SVG says what it shows.
    rows = page.locator("#chart table.chart-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_have_text(re.compile(r"Commerce\s*6"))
    expect(page.locator("#chart svg")).to_have_attribute("role", "img")
    expect(page.locator("#chart svg")).to_have_attribute(
        "aria-label", re.compile(r"^Diagramme en barres : Nombre de lignes par categorie")
    )

    # The page's URL now describes the chart; it calls the public records API.
    query = parse_qs(urlsplit(page.url).query)
    assert query["chart_by"] == ["categorie"]
    assert query["chart_agg"] == ["count"]
    api = page.locator("#chart .chart-api-link").get_attribute("href")
    assert api.startswith("/api/explore/v2.1/catalog/datasets/commerces/records?")

    # Average of the amount as a pie: the numeric field becomes available.
    page.get_by_label("Valeur", exact=True).select_option("avg")
    expect(page.get_by_label("Champ numérique")).to_be_enabled()
    page.get_by_label("Type de graphique").select_option("pie")
    expect(page.locator("#chart svg .chart-slice")).to_have_count(3)
    url = page.url
    assert "chart=pie" in url and "chart_agg=avg" in url and "chart_of=montant" in url

    # Opening that URL afresh draws the same chart, the form set to match.
    page.goto(url)
    expect(page.locator("#chart svg .chart-slice")).to_have_count(3)
    expect(page.get_by_label("Type de graphique")).to_have_value("pie")
    expect(page.get_by_label("Grouper par")).to_have_value("categorie")
    # avg(montant): Éducation has the two last rows (20.5 and 21.5), the largest average.
    expect(page.locator("#chart table.chart-table tbody tr").first).to_have_text(
        re.compile(r"Éducation\s*21")
    )

    # A line over the same groups.
    page.get_by_label("Type de graphique").select_option("line")
    expect(page.locator("#chart svg circle.chart-point")).to_have_count(3)
    assert problems == []


def test_map_shows_a_marker_per_point_without_any_tile_server(browser_page, ingest_text):
    from playwright.sync_api import expect

    page, problems = browser_page
    ingest_text(shops_csv(), slug="commerces", title="Commerces")
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/jeux-de-donnees/commerces/")

    markers = page.locator("#map .leaflet-overlay-pane path.leaflet-interactive")
    expect(markers).to_have_count(12)  # 12 rows, 6 places: markers drawn on top of each other
    status = page.locator("#map .map-status")
    expect(status).to_have_text("12 points affichés sur 12 dans cette vue.")
    expect(page.locator("#map .leaflet-tile")).to_have_count(0)

    # Zoom in: only the points inside the view are asked for (a where on the coordinates).
    for _ in range(3):
        page.locator("#map .leaflet-control-zoom-in").click()
    expect(status).not_to_have_text(re.compile(r"sur 12 dans"))
    expect(markers).not_to_have_count(12)
    assert any("latitude%60+%3E%3D" in url for url in requested)
    origin = "{0.scheme}://{0.netloc}/".format(urlsplit(page.url))
    assert [url for url in requested if not url.startswith(origin)] == []
    assert problems == []


def test_map_of_a_geojson_dataset_asks_for_the_points_of_the_view_with_in_bbox(
    browser_page, ingest_text
):
    from playwright.sync_api import expect

    page, problems = browser_page
    features = [
        {
            "type": "Feature",
            "properties": {"nom": f"<b>{commune}</b>"},  # markup in the data stays text
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
        }
        for commune, lat, lon in PLACES
    ]
    ingest_text(json.dumps({"type": "FeatureCollection", "features": features}), slug="lieux")
    requested = []
    page.on("request", lambda request: requested.append(unquote_plus(request.url)))
    page.goto("/jeux-de-donnees/lieux/")

    markers = page.locator("#map .leaflet-overlay-pane path.leaflet-interactive")
    expect(markers).to_have_count(len(PLACES))
    markers.first.hover()
    tooltip = page.locator("#map .leaflet-tooltip")
    expect(tooltip).to_have_text(re.compile(r"^<b>\w+</b>$"))
    expect(tooltip.locator("b")).to_have_count(0)
    for _ in range(3):
        page.locator("#map .leaflet-control-zoom-in").click()
    expect(markers).not_to_have_count(len(PLACES))
    assert any("in_bbox(`geo_point_2d`" in url for url in requested)
    assert problems == []
