"""Processing steps in the catalog: applied to every new version, saved and previewed through the
portal page and the management API (``/api/1/datasets/{slug}/steps``)."""

import json

import duckdb
import pytest
from django.urls import reverse

from territoria.catalog.models import Resource, Version
from territoria.datastore.referential import build_referential
from territoria.ingest.publication import live_version_info
from territoria.ingest.services import IngestionFailed
from tests.datastore.test_steps import MINI_COG, write_archive

CSV = "code;nom;population\n57463;  Metz ;120000\n01001;Abergement;860\n57463;  Metz ;120000\n"
RENAME = [{"op": "rename", "field": "nom", "to": "commune"}, {"op": "trim", "fields": ["commune"]}]


@pytest.fixture
def published(ingest_text):
    """An open dataset with one published version (no steps)."""
    return ingest_text(CSV, slug="communes").dataset


@pytest.fixture
def referential_table(tmp_path, settings):
    archive = write_archive(tmp_path / "cog.tgz", MINI_COG)
    settings.REFERENTIAL_TABLE = tmp_path / "communes.parquet"
    return build_referential(archive, settings.REFERENTIAL_TABLE, centres={}).path


def set_steps(dataset, steps):
    Resource.objects.filter(dataset=dataset).update(steps=steps)


def live_rows(dataset):
    info = live_version_info(dataset)
    return info, duckdb.sql(f"SELECT * FROM read_parquet('{info.parquet}')").fetchall()


# --- ingestion -------------------------------------------------------------------------------


def test_every_new_version_goes_through_the_resources_steps(published, ingest_text):
    set_steps(published, RENAME + [{"op": "deduplicate", "fields": ["code"]}])
    ingest_text(CSV + "67482;Strasbourg ;290000\n", slug="communes")
    info, rows = live_rows(published)
    assert info.field_names() == ["code", "commune", "population"]
    assert [row[1] for row in rows] == ["Metz", "Abergement", "Strasbourg"]


def test_a_step_that_fails_on_a_new_version_keeps_the_published_one(published, ingest_text):
    before = live_version_info(published).key
    set_steps(published, [{"op": "cast", "field": "nom", "type": "integer"}])
    with pytest.raises(IngestionFailed) as caught:
        ingest_text(CSV, slug="communes")
    assert str(caught.value) == "upload-1.csv: step 1 (cast): row 1: 'Metz' is not an integer"
    assert live_version_info(published).key == before
    assert Version.objects.filter(resource__dataset=published).count() == 1


# --- management API --------------------------------------------------------------------------


def api_url(slug, tail="steps"):
    return f"/api/1/datasets/{slug}/{tail}"


def test_api_saves_steps_that_fit_the_live_version(staff_client, published):
    response = staff_client.put(
        api_url("communes"), json.dumps({"steps": RENAME}), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"steps": RENAME, "staged_version": None}
    assert published.table_resource().steps == RENAME
    assert staff_client.get(api_url("communes")).json()["steps"] == RENAME


def test_api_refuses_a_step_that_does_not_fit_and_saves_nothing(staff_client, published):
    steps = [*RENAME, {"op": "cast", "field": "nom", "type": "integer"}]
    response = staff_client.put(
        api_url("communes"), json.dumps({"steps": steps}), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "error_code": "invalid_step",
        "detail": "step 3 (cast): unknown field 'nom'",
        "step": 2,
    }
    assert published.table_resource().steps == []


def test_api_preview_shows_the_first_rows_before_and_after(staff_client, published):
    payload = {"steps": [*RENAME, {"op": "filter", "where": "population > 1000"}], "limit": 2}
    response = staff_client.post(
        api_url("communes", "steps/preview"), json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["before"] == {
        "fields": ["code", "nom", "population"],
        "rows": [["57463", "  Metz ", 120000], ["01001", "Abergement", 860]],
    }
    assert body["after"]["fields"] == ["code", "commune", "population"]
    assert body["after"]["rows"] == [["57463", "Metz", 120000]]
    assert published.table_resource().steps == []  # a preview saves nothing


def test_reprocessing_starts_from_the_rows_as_read_not_from_earlier_steps(staff_client, published):
    def put(steps):
        body = json.dumps({"steps": steps, "reprocess": True})
        return staff_client.put(api_url("communes"), body, content_type="application/json")

    first = put(RENAME)
    assert first.status_code == 200, first.content
    staged = Version.objects.get(key=first.json()["staged_version"])
    assert staged.status == "staged"
    assert [f["name"] for f in staged.schema["fields"]] == ["code", "commune", "population"]
    staff_client.post(api_url("communes", f"versions/{staged.key}/publish"))
    # New steps apply to the raw rows again: renaming "nom" still works after publication.
    second = put([{"op": "rename", "field": "nom", "to": "nom_commune"}])
    assert second.status_code == 200, second.content
    again = Version.objects.get(key=second.json()["staged_version"])
    assert [f["name"] for f in again.schema["fields"]] == ["code", "nom_commune", "population"]
    assert [f["title"] for f in again.schema["fields"]][0] == "code"


def test_join_referential_through_the_api(staff_client, published, referential_table):
    payload = {"steps": [{"op": "join_referential", "field": "code"}], "limit": 1}
    response = staff_client.post(
        api_url("communes", "steps/preview"), json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["after"]["rows"][0][3:] == [
        "Metz", "200039865", "Metz Métropole", "57", "Moselle", "44", "Grand Est",
    ]  # fmt: skip


def test_readers_see_the_steps_but_only_writers_change_them(
    client, published, plain_user, add_member
):
    set_steps(published, RENAME)
    client.force_login(add_member(plain_user, "another-org", "producer"))
    assert client.get(api_url("communes")).json() == {"steps": RENAME, "staged_version": None}
    body = json.dumps({"steps": []})
    response = client.put(api_url("communes"), body, content_type="application/json")
    assert response.status_code == 404
    assert published.table_resource().steps == RENAME


def test_steps_of_a_hidden_dataset_answer_404(client, ingest_text, plain_user):
    ingest_text(CSV, slug="interne", access="internal")
    client.force_login(plain_user)
    assert client.get(api_url("interne")).status_code == 404


# --- portal page -----------------------------------------------------------------------------


def test_the_page_offers_the_editor_to_a_writer(staff_client, published):
    set_steps(published, RENAME)
    response = staff_client.get(reverse("portal:steps", args=["communes"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "portal/js/steps.js" in page
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert json.loads(response.context["steps_json"]) == RENAME
    editor = json.loads(response.context["editor_json"])
    assert editor["fields"] == ["code", "nom", "population"]
    assert [op["op"] for op in editor["ops"]][:3] == ["rename", "cast", "trim"]


def test_preview_renders_before_and_after_tables(staff_client, published):
    response = staff_client.post(
        reverse("portal:steps", args=["communes"]),
        {"steps": json.dumps(RENAME), "action": "preview"},
    )
    assert response.status_code == 200
    shown = response.context["preview"]
    assert shown.before[0][1] == "  Metz "
    assert shown.after[0][1] == "Metz"
    assert '<th scope="col">commune</th>' in response.content.decode()
    assert published.table_resource().steps == []


def test_save_stores_the_steps_and_can_stage_a_reprocessed_version(staff_client, published):
    response = staff_client.post(
        reverse("portal:steps", args=["communes"]),
        {"steps": json.dumps(RENAME), "action": "save", "reprocess": "1"},
    )
    assert response.status_code == 302
    assert published.table_resource().steps == RENAME
    staged = Version.objects.filter(resource__dataset=published, status="staged").get()
    assert [f["name"] for f in staged.schema["fields"]][1] == "commune"


def test_invalid_steps_are_explained_and_not_saved(staff_client, published):
    url = reverse("portal:steps", args=["communes"])
    response = staff_client.post(url, {"steps": "[{", "action": "save"})
    assert response.status_code == 400
    assert "JSON" in response.context["error"]  # French by default, with json's position
    assert "line 1 column 3" in response.context["error"]
    response = staff_client.post(
        url, {"steps": json.dumps([{"op": "trim", "fields": ["population"]}]), "action": "save"}
    )
    assert response.status_code == 400
    assert response.context["error"] == "step 1 (trim): 'population' is not a text field"
    assert published.table_resource().steps == []


def test_a_reader_who_may_not_write_is_sent_to_the_dataset_page(client, published, plain_user):
    client.force_login(plain_user)
    response = client.get(reverse("portal:steps", args=["communes"]))
    assert response.status_code == 302
    assert response["Location"] == published.get_absolute_url()


def test_a_reprocessed_version_is_validated_like_any_other(published):
    """Re-processing stages a version through the same checks as an upload: the declared
    schema's report comes with it (decision 0012)."""
    from territoria.ingest.schemas import do_declare_schema
    from territoria.ingest.steps import do_save_steps

    do_declare_schema(
        published.table_resource(),
        descriptor={
            "name": "communes",
            "fields": [
                {"name": "code", "type": "string", "constraints": {"pattern": "[0-9AB]{5}"}},
                {"name": "commune", "type": "string", "constraints": {"maxLength": 4}},
                {"name": "population", "type": "integer"},
            ],
        },
    )
    _, version = do_save_steps(published, RENAME, reprocess=True)
    report = version.reports["validation"]
    assert report["schema"]["source"] == "declared" and report["schema"]["name"] == "communes"
    assert (report["valid"], report["invalid_rows"]) == (False, 1)  # "Abergement" is too long
