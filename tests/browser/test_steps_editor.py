"""The processing steps editor (portal/static/portal/js/steps.js) in headless Chromium."""

import json

import pytest

from territoria.catalog.models import Resource

pytestmark = pytest.mark.browser

CSV = "code;nom;population\n57463;  Metz ;120000\n01001;Abergement;860\n"


def test_a_producer_builds_previews_and_saves_steps_without_writing_json(
    browser_page, ingest_text, staff_user
):
    page, problems = browser_page
    dataset = ingest_text(CSV, slug="communes").dataset
    page.goto("/connexion/?next=/jeux-de-donnees/communes/etapes/")
    page.fill("#id_username", "steward")
    page.fill("#id_password", "s3cret-pass")
    page.click("form:has(#id_password) button[type=submit]")
    page.wait_for_selector("#steps-editor")
    assert page.is_hidden("#steps-json-field")  # the editor replaces the JSON textarea
    page.click("#steps-editor > button")  # add a step: "rename" is first in the menu
    page.fill("#step-0-field", "nom")
    page.fill("#step-0-to", "commune")
    page.press("#step-0-to", "Tab")
    page.click("#steps-editor > button")
    page.select_option("#step-1-op", "trim")
    page.fill("#step-1-fields", "commune")
    page.press("#step-1-fields", "Tab")
    steps = [
        {"op": "rename", "field": "nom", "to": "commune"},
        {"op": "trim", "fields": ["commune"]},
    ]
    assert json.loads(page.input_value("#id_steps")) == steps
    page.click("button[value=preview]")
    page.wait_for_selector("#after-title")
    after = page.locator("table").nth(1)
    assert after.locator("thead th").all_inner_texts() == ["code", "commune", "population"]
    assert after.locator("tbody tr").first.locator("td").nth(1).inner_text() == "Metz"
    page.click("button[value=save]")
    page.wait_for_selector(".messages")
    assert Resource.objects.get(dataset=dataset).steps == steps
    assert problems == []
