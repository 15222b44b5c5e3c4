"""The portal in a real browser: search, open a dataset, sort, filter and page its preview."""

import re

import pytest

pytestmark = pytest.mark.browser

PREFIXES = ["Saint", "Bourg", "Sainte", "Haut", "Val"]


def commune_rows():
    """45 deterministic communes: distinct populations, INSEE codes with leading zeros."""
    return [
        {
            "commune": f"{PREFIXES[i % len(PREFIXES)]} {i:02d}",
            "code_insee": f"0{i:04d}",
            "population": (i * 7919) % 10007,
            "releve": f"{1 + i % 28:02d}/{1 + i % 12:02d}/2020",  # French dd/mm/yyyy dates
        }
        for i in range(45)
    ]


def communes_csv() -> str:
    lines = ["commune;code_insee;population;releve"]
    lines += [
        f"{r['commune']};{r['code_insee']};{r['population']};{r['releve']}" for r in commune_rows()
    ]
    return "\n".join(lines) + "\n"


def expect_column(page, index: int, values: list[str]) -> None:
    """Wait until column ``index`` of the preview shows exactly ``values``, in this order.

    Waiting on the whole column, not on one cell or the status line, is what makes this
    race-free: a sort may leave the first row unchanged, a status text may repeat.
    """
    from playwright.sync_api import expect

    expect(page.locator(f".preview tbody tr td:nth-child({index})")).to_have_text(values)


def test_search_open_sort_filter_and_page_a_dataset(browser_page, ingest_text):
    from playwright.sync_api import expect

    page, problems = browser_page
    ingest_text(communes_csv(), slug="population-communes", title="Population des communes")
    rows = commune_rows()

    # Home: French, skip link first in the tab order, search box labelled.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.get_by_label("Rechercher des jeux de données").fill("population")
    page.keyboard.press("Enter")

    # Search results: one dataset, open it.
    expect(page.locator(".results-count")).to_have_text(re.compile(r"1 jeu de données trouvé"))
    page.get_by_role("link", name="Population des communes").click()
    expect(page.locator("h1")).to_have_text("Population des communes")

    # The preview loads its first 20 rows from the records API.
    status = page.locator(".preview-status")
    expect(status).to_have_text("Lignes 1–20 sur 45")
    expect_column(page, 1, [r["commune"] for r in rows[:20]])
    expect_column(page, 2, [r["code_insee"] for r in rows[:20]])  # leading zeros kept: 00001

    # Sort by population: ascending, then (from the keyboard) descending.
    header = page.locator("th", has=page.get_by_role("button", name="population"))
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    by_population = sorted(rows, key=lambda r: r["population"])
    expect_column(page, 1, [r["commune"] for r in by_population[:20]])
    header.get_by_role("button").focus()
    page.keyboard.press("Enter")
    expect(header).to_have_attribute("aria-sort", "descending")
    descending = [r["commune"] for r in reversed(by_population)]
    expect_column(page, 1, descending[:20])

    # Filter the commune column: rows starting with "Saint" ("Sainte …" included).
    saint = [r for r in rows if r["commune"].startswith("Saint")]
    page.get_by_label(re.compile("^Filtrer commune")).fill("Saint")
    expect(status).to_have_text(f"Lignes 1–{min(20, len(saint))} sur {len(saint)}")
    expect_column(page, 1, [r["commune"] for r in sorted(saint, key=lambda r: -r["population"])])

    # A number filter on population.
    page.get_by_label(re.compile("^Filtrer commune")).fill("")
    target = rows[7]
    page.get_by_label(re.compile("^Filtrer population")).fill(str(target["population"]))
    expect(status).to_have_text("Lignes 1–1 sur 1")
    expect_column(page, 1, [target["commune"]])
    page.get_by_label(re.compile("^Filtrer population")).fill("")
    expect(status).to_have_text("Lignes 1–20 sur 45")

    # A date filter by month, and a text filter with a double quote (escaped, matches nothing).
    march = [r for r in rows if r["releve"].endswith("/03/2020")]
    page.get_by_label(re.compile("^Filtrer releve")).fill("2020-03")
    expect(status).to_have_text(f"Lignes 1–{len(march)} sur {len(march)}")
    expect_column(page, 1, [r["commune"] for r in sorted(march, key=lambda r: -r["population"])])
    page.get_by_label(re.compile("^Filtrer releve")).fill("")
    page.get_by_label(re.compile("^Filtrer commune")).fill('Saint" or 1=1')
    expect(status).to_have_text("Aucune ligne ne correspond à ces filtres.")
    page.get_by_label(re.compile("^Filtrer commune")).fill("")
    expect(status).to_have_text("Lignes 1–20 sur 45")

    # Page forward, then back.
    page.get_by_role("button", name="Lignes suivantes").click()
    expect(status).to_have_text("Lignes 21–40 sur 45")
    expect_column(page, 1, descending[20:40])
    page.get_by_role("button", name="Lignes suivantes").click()
    expect(status).to_have_text("Lignes 41–45 sur 45")
    expect_column(page, 1, descending[40:])
    expect(page.get_by_role("button", name="Lignes suivantes")).to_be_disabled()
    page.get_by_role("button", name="Lignes précédentes").click()
    expect(status).to_have_text("Lignes 21–40 sur 45")

    # The API example is copied to the clipboard.
    page.get_by_role("button", name="Copier la commande").click()
    expect(page.locator(".copy-status")).to_have_text("Copié dans le presse-papiers.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == (
        f"curl '{page.url.split('/jeux-de-donnees/')[0]}"
        "/api/explore/v2.1/catalog/datasets/population-communes/records?limit=10'"
    )

    assert problems == []


def test_filter_errors_are_announced_in_the_live_region(browser_page, ingest_text):
    from playwright.sync_api import expect

    page, problems = browser_page
    ingest_text(communes_csv(), slug="population-communes")
    page.goto("/jeux-de-donnees/population-communes/")
    expect(page.locator(".preview-status")).to_have_text("Lignes 1–20 sur 45")
    error = page.locator(".preview-error")
    expect(error).to_have_attribute("role", "alert")

    # Caught before any request: a number column filtered with words.
    page.get_by_label(re.compile("^Filtrer population")).fill("beaucoup")
    expect(error).to_have_text("Saisissez un nombre pour filtrer population.")
    page.get_by_label(re.compile("^Filtrer population")).fill("")
    expect(page.locator(".preview-status")).to_have_text("Lignes 1–20 sur 45")
    expect(error).to_have_text("")

    # Refused by the API: its message is shown as it came (here a stand-in 400 answer).
    page.route(
        re.compile(r"/records\?.*where="),
        lambda route: route.fulfill(
            status=400,
            json={"error_code": "ODSQLError", "message": "where: unknown field 'communne'"},
        ),
    )
    page.get_by_label(re.compile("^Filtrer commune")).fill("Val")
    expect(error).to_have_text(
        "Les données n’ont pas pu être chargées : where: unknown field 'communne'"
    )
    unexpected = [p for p in problems if "400" not in p]
    assert unexpected == []


def test_portal_works_on_a_phone_sized_screen(browser_page, ingest_text):
    from playwright.sync_api import expect

    page, problems = browser_page
    header = ";".join(f"indicateur_numero_{n}" for n in range(8))
    wide = header + "\n" + "\n".join(";".join(["123456789"] * 8) for _ in range(30)) + "\n"
    ingest_text(wide, slug="indicateurs", title="Indicateurs")
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ["/", "/jeux-de-donnees/", "/jeux-de-donnees/indicateurs/", "/organisations/"]:
        page.goto(path)
        if path.endswith("indicateurs/"):
            expect(page.locator(".preview-status")).to_have_text("Lignes 1–20 sur 30")
        # No sideways scrolling of the page: wide tables scroll inside their own region.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    assert problems == []
