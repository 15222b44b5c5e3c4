"""``/api/1/jobs``: who sees which job, cancelling, and uploads that answer with their job."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from territoria.governance.models import ApiToken
from territoria.ingest.jobs import do_create_job
from territoria.ingest.models import Job


@pytest.fixture
def people(db, django_user_model, add_member, staff_user):
    def user(name, org=None, role="viewer"):
        person = django_user_model.objects.create_user(name, f"{name}@example.org")
        return add_member(person, org, role) if org else person

    return {
        "author": user("author", "ville-de-metz", "producer"),
        "colleague": user("colleague", "ville-de-metz", "viewer"),
        "outsider": user("outsider", "ville-de-nancy", "producer"),
        "citizen": user("citizen2"),
        "steward": staff_user,
    }


@pytest.fixture
def metz_job(people, ingest_text):
    dataset = ingest_text("a;b\n1;x\n", slug="budget", org="ville-de-metz", access="open").dataset
    return do_create_job(
        "ingest",
        params={"dataset_slug": "budget", "source_label": "budget-2025.csv"},
        user=people["author"],
        dataset=dataset,
    )


@pytest.mark.parametrize(
    ("who", "sees"),
    [("author", True), ("colleague", True), ("steward", True), ("outsider", False),
     ("citizen", False), (None, False)],
)  # fmt: skip
def test_a_job_is_seen_by_its_author_its_organisation_and_the_stewards(
    client, people, metz_job, who, sees
):
    if who:
        client.force_login(people[who])
    one = client.get(f"/api/1/jobs/{metz_job.pk}")
    listed = [job["id"] for job in client.get("/api/1/jobs").json()]
    if sees:
        assert one.status_code == 200
        body = one.json()
        assert (body["id"], body["status"], body["dataset"], body["organisation"]) == (
            metz_job.pk, "queued", "budget", "ville-de-metz",
        )  # fmt: skip
        assert body["source"] == "budget-2025.csv" and "params" not in body
        assert body["url"] == f"/api/1/jobs/{metz_job.pk}"
        assert body["page"] == reverse("portal:job", kwargs={"job_id": metz_job.pk})
        assert listed == [metz_job.pk]
    else:
        assert one.status_code == 404
        assert one.json() == client.get("/api/1/jobs/999999").json()
        assert listed == []


def test_cancelling_a_queued_job_is_immediate_and_final(client, people, metz_job):
    client.force_login(people["author"])
    answer = client.post(f"/api/1/jobs/{metz_job.pk}/cancel")
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["error"]) == ("cancelled", "cancelled")
    again = client.post(f"/api/1/jobs/{metz_job.pk}/cancel")
    assert again.status_code == 409
    assert again.json() == {"detail": f"job {metz_job.pk} has already cancelled"}


def test_only_writers_may_cancel_and_others_get_404(client, people, metz_job):
    client.force_login(people["colleague"])  # sees it, may not write the dataset
    assert client.post(f"/api/1/jobs/{metz_job.pk}/cancel").status_code == 403
    client.force_login(people["outsider"])
    assert client.post(f"/api/1/jobs/{metz_job.pk}/cancel").status_code == 404
    read_only = ApiToken.issue(people["author"], "ro", scope="read")[1]
    refused = client.post(
        f"/api/1/jobs/{metz_job.pk}/cancel", HTTP_AUTHORIZATION=f"Bearer {read_only}"
    )
    assert refused.status_code == 403
    assert Job.objects.get(pk=metz_job.pk).status == "queued"


def test_an_upload_the_workers_have_not_run_answers_202_with_its_job(
    client, people, metz_job, sqlite_queue
):
    token = ApiToken.issue(people["author"], "ci", scope="write")[1]
    answer = client.post(
        "/api/1/datasets/budget/upload",
        {"file": SimpleUploadedFile("budget-2026.csv", b"a;b\n1;x\n2;y\n")},
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_PREFER="respond-async",
    )
    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert answer["Location"] == body["url"] == f"/api/1/jobs/{body['id']}"
    assert (body["status"], body["source"], body["dataset"]) == (
        "queued", "budget-2026.csv", "budget",
    )  # fmt: skip
    assert sqlite_queue.pending_count() == 0  # sent when the request's transaction commits


def test_an_upload_that_finished_answers_201_with_the_version_and_its_job(client, people, metz_job):
    token = ApiToken.issue(people["author"], "ci", scope="write")[1]
    answer = client.post(
        "/api/1/datasets/budget/upload",
        {"file": SimpleUploadedFile("budget-2026.csv", b"a;b\n1;x\n2;y\n")},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["row_count"], body["status"]) == (2, "published")
    assert body["job"]["status"] == "succeeded" and body["job"]["result"]["version"] == body["key"]
    assert answer["Location"] == body["job"]["url"]


def test_the_job_page_shows_progress_to_those_who_see_the_job(client, people, metz_job):
    Job.objects.filter(pk=metz_job.pk).update(
        status="running", stage="read", bytes_done=5_000_000, bytes_total=20_000_000,
        rows_done=120_000, rows_estimated=True, fraction=0.25, eta_seconds=12.4,
    )  # fmt: skip
    url = reverse("portal:job", kwargs={"job_id": metz_job.pk})
    client.force_login(people["author"])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert '<progress class="job-progress" max="100" value="25">' in html
    assert "Lecture des données" in html and re.search(r"environ 120\s000\s", html)
    assert re.search(r"4,8\sMio sur 19,1\sMio", html)
    assert "environ 12 secondes" in html
    assert f'data-poll-url="{url}?fragment=1"' in html
    assert 'src="/static/portal/js/job.js"' in html
    fragment = client.get(url, {"fragment": "1"}).content.decode()
    assert fragment.lstrip().startswith('<section id="job-status"')
    cancel = reverse("portal:cancel_job", kwargs={"job_id": metz_job.pk})
    assert f'action="{cancel}"' in html
    client.force_login(people["colleague"])
    assert f'action="{cancel}"' not in client.get(url).content.decode()
    client.force_login(people["outsider"])
    assert client.get(url).status_code == 404
    assert client.post(cancel).status_code == 404


def test_a_slow_portal_upload_leads_to_its_job_page(client, people, metz_job, sqlite_queue):
    client.force_login(people["author"])
    from territoria.portal import jobs as portal_jobs

    portal_jobs.UPLOAD_WAIT_SECONDS, saved = 0.0, portal_jobs.UPLOAD_WAIT_SECONDS
    try:
        answer = client.post(
            reverse("portal:upload"),
            {"file": SimpleUploadedFile("b.csv", b"a;b\n3;z\n"), "dataset": "budget"},
        )
    finally:
        portal_jobs.UPLOAD_WAIT_SECONDS = saved
    job = Job.objects.exclude(pk=metz_job.pk).get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("portal:job", kwargs={"job_id": job.pk})
    assert job.params["then_access"] is None and job.status == "queued"
