"""The jobs page is one click away for whoever is signed in; the data office reads the jobs
in the Django admin, where nobody can change them."""

from __future__ import annotations

import pytest

from territoria.ingest.jobs import do_create_job
from territoria.ingest.models import Job


@pytest.mark.django_db
def test_signed_in_navigation_links_to_my_jobs_in_french(client, plain_user):
    assert "/taches/" not in client.get("/").content.decode()
    client.force_login(plain_user)
    page = client.get("/").content.decode()
    assert '<a href="/taches/">Mes tâches</a>' in page
    jobs_page = client.get("/taches/").content.decode()
    assert '<a href="/taches/" aria-current="page">Mes tâches</a>' in jobs_page


@pytest.mark.django_db
def test_stewards_read_jobs_in_the_admin_and_cannot_change_them(client, staff_user, plain_user):
    job = do_create_job("ingest", params={"source_label": "mesures.csv"})
    Job.objects.filter(pk=job.pk).update(status="failed", error="mesures.csv: line 3: oops")
    client.force_login(staff_user)
    listing = client.get("/admin/ingest/job/")
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1
    change = client.get(f"/admin/ingest/job/{job.pk}/change/")
    assert change.status_code == 200
    assert "mesures.csv: line 3: oops" in change.content.decode()
    assert 'name="_save"' not in change.content.decode()  # read-only
    assert client.get("/admin/ingest/job/add/").status_code == 403
    assert client.post(f"/admin/ingest/job/{job.pk}/delete/").status_code == 403
    assert (
        client.post(f"/admin/ingest/job/{job.pk}/change/", {"status": "succeeded"}).status_code
        == 403
    )
    assert Job.objects.get(pk=job.pk).status == "failed"
    client.force_login(plain_user)
    assert client.get("/admin/ingest/job/").status_code == 302  # to the admin's sign-in
