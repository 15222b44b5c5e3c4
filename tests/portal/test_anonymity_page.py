"""The "Anonymity" page (``/jeux-de-donnees/{slug}/anonymat/``) and its API twin
(``/api/1/datasets/{slug}/anonymity``): k-anonymity and l-diversity for those who may write."""

import json

import pytest

from territoria.datastore.anonymise import master_key, pseudonym, recipient_key

CSV = (
    "sexe;tranche;commune;diagnostic\n"
    + "F;30-39;57463;grippe\n" * 3
    + "M;30-39;57463;grippe\n" * 2
    + "M;70-79;01001;fracture\n"
)
STAGED = CSV + "M;70-79;01001;angine\n"


@pytest.fixture
def dataset(ingest_text):
    dataset = ingest_text(CSV, slug="sejours").dataset
    ingest_text(STAGED, slug="sejours", publish=False)  # staged, waiting
    return dataset


def page(client, query=""):
    return client.get(f"/jeux-de-donnees/sejours/anonymat/{query}")


def test_the_page_reports_k_and_l_for_the_live_and_the_staged_version(staff_client, dataset):
    response = page(staff_client, "?quasi=sexe&quasi=tranche&sensitive=diagnostic&k=3")
    assert response.status_code == 200
    reports = response.context["reports"]
    assert [(r.state, r.report.rows, r.report.k, r.report.l) for r in reports] == [
        ("live", 6, 1, 1),
        ("staged", 7, 2, 1),
    ]
    text = response.content.decode()
    assert "k = 1 : 2 classes (3 lignes) ont moins de 3 lignes." in text
    assert "grippe" not in text and "fracture" not in text  # never a sensitive value
    assert 'value="tranche"\n                   checked' in text


def test_the_form_alone_until_quasi_identifiers_are_chosen(staff_client, dataset):
    response = page(staff_client)
    assert response.status_code == 200
    assert "reports" not in response.context
    assert [f["name"] for f in response.context["fields"]] == [
        "sexe",
        "tranche",
        "commune",
        "diagnostic",
    ]


def test_an_unknown_field_is_a_message_not_an_error_page(staff_client, dataset):
    response = page(staff_client, "?quasi=nom")
    assert response.status_code == 400
    assert "unknown field &#x27;nom&#x27;" in response.content.decode()


def test_readers_are_sent_to_the_dataset_page_and_get_404_from_the_api(citizen_client, dataset):
    assert page(citizen_client, "?quasi=sexe").url == "/jeux-de-donnees/sejours/"
    response = citizen_client.get("/api/1/datasets/sejours/anonymity?quasi=sexe")
    assert response.status_code == 404
    # Without quasi-identifiers there is nothing to report, to anyone who sees the dataset.
    empty = citizen_client.get("/api/1/datasets/sejours/anonymity")
    assert empty.json() == {"quasi": [], "sensitive": None, "versions": []}


def test_the_api_answers_the_same_report(staff_client, dataset):
    response = staff_client.get(
        "/api/1/datasets/sejours/anonymity?quasi=sexe,tranche&sensitive=diagnostic&k=3"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["quasi"] == ["sexe", "tranche"] and body["sensitive"] == "diagnostic"
    live, staged = body["versions"]
    assert (live["state"], live["k"], live["rows_under_k"], live["l"]) == ("live", 1, 3, 1)
    assert live["worst"][0] == {"size": 1, "values": {"sexe": "M", "tranche": "70-79"}, "l": 1}
    assert (staged["state"], staged["k"], staged["is_k_anonymous"]) == ("staged", 2, False)
    bad = staff_client.get("/api/1/datasets/sejours/anonymity?quasi=nom")
    assert bad.status_code == 400
    assert bad.json() == {
        "error_code": "invalid_parameter",
        "detail": "unknown field 'nom'",
        "param": "quasi",
    }


def test_the_steps_page_offers_and_previews_the_anonymisation_steps(
    staff_client, dataset, settings
):
    settings.PSEUDONYM_KEY = "k" * 40
    page = staff_client.get("/jeux-de-donnees/sejours/etapes/")
    ops = [op["op"] for op in json.loads(page.context["editor_json"])["ops"]]
    assert {"drop", "pseudonymise", "generalise"} <= set(ops)
    assert "/jeux-de-donnees/sejours/anonymat/" in page.content.decode()
    steps = [
        {"op": "pseudonymise", "field": "commune", "recipient": "ars"},
        {"op": "drop", "fields": ["diagnostic"]},
    ]
    response = staff_client.post(
        "/jeux-de-donnees/sejours/etapes/", {"steps": json.dumps(steps), "action": "preview"}
    )
    assert response.status_code == 200, response.context.get("error")
    preview = response.context["preview"]
    assert preview.after_fields == ["sexe", "tranche", "commune"]
    key = recipient_key(master_key("k" * 40), "ars")
    assert preview.after[0] == ["F", "30-39", pseudonym("57463", key)]
    assert "k" * 40 not in response.content.decode()
