"""The job page (portal/static/portal/js/job.js) follows a running job in headless Chromium."""

import pytest

from territoria.ingest.jobs import do_create_job
from territoria.ingest.models import Job

pytestmark = pytest.mark.browser


def test_the_job_page_follows_its_job_until_it_ends(browser_page, ingest_text, staff_user):
    from playwright.sync_api import expect

    page, problems = browser_page
    dataset = ingest_text("a;b\n1;x\n", slug="budget").dataset
    job = do_create_job("ingest", params={"dataset_slug": "budget"}, user=staff_user)
    Job.objects.filter(pk=job.pk).update(
        status="running", stage="read", bytes_total=10_000_000, bytes_done=1_000_000,
        fraction=0.1, dataset=dataset,
    )  # fmt: skip
    page.goto(f"/connexion/?next=/taches/{job.pk}/")
    page.fill("#id_username", "steward")
    page.fill("#id_password", "s3cret-pass")
    page.click("form:has(#id_password) button[type=submit]")
    expect(page.locator("progress.job-progress")).to_have_attribute("value", "10")
    Job.objects.filter(pk=job.pk).update(bytes_done=6_000_000, fraction=0.6, rows_done=42)
    expect(page.locator("progress.job-progress")).to_have_attribute("value", "60")
    Job.objects.filter(pk=job.pk).update(
        status="succeeded", fraction=1.0, result={"dataset": "budget", "row_count": 42}
    )
    expect(page.locator("#job-status")).to_contain_text("Version prête : 42 lignes.")
    assert page.locator("#job-status[data-poll-url]").count() == 0  # polling has stopped
    page.get_by_role("link", name="Voir le jeu de données").click()
    expect(page.locator("h1")).to_have_text(dataset.title)
    assert problems == []
