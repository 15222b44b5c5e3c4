"""Background jobs in the Django admin: the data office reads them, nobody edits them there.

A job's row is written by its worker only (``jobs.py``): changing its status by hand would
lie to the producer following it, so the admin is read-only; cancelling is on the job's page
and in the API, which go through ``do_cancel_job``. The list starts from ``visible_jobs``,
the jobs' own gate (stewards see all of them; the admin admits stewards only).
"""

from __future__ import annotations

from django.contrib import admin

from territoria.governance.admin import ReadOnlyStewardAdmin
from territoria.ingest.job_access import visible_jobs
from territoria.ingest.models import Job


@admin.register(Job)
class JobAdmin(ReadOnlyStewardAdmin):  # the job list is the record of what ran
    list_display = (
        "id",
        "kind",
        "status",
        "dataset",
        "organisation",
        "attempts",
        "created_by",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("dataset__slug", "organisation__slug", "error")
    date_hierarchy = "created_at"
    list_select_related = ("dataset", "organisation", "created_by")

    def get_queryset(self, request):
        return visible_jobs(request.user).select_related("created_by")
