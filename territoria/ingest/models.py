"""Background jobs: one row per long operation (an ingestion…), its progress and its outcome.

The row is the truth users see (portal, CLI, ``/api/1/jobs``); the queue (Huey, see
``tasks.py``) only carries job ids. How a job runs, is cancelled, retried and recovered after
a dead worker is in ``jobs.py``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class Job(models.Model):
    kind = models.CharField(_("kind"), max_length=40)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    # What the job works on: ``params`` is the runner's input (JSON), ``result`` its output.
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.CharField(_("error"), max_length=1000, blank=True)
    # Who may see it: the author, the members of the organisation, the stewards (jobs.py).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "catalog.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    dataset = models.ForeignKey(
        "catalog.Dataset", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Progress, written by the worker about once a second (datastore/progress.py).
    stage = models.CharField(_("stage"), max_length=30, blank=True)
    bytes_done = models.BigIntegerField(default=0)
    bytes_total = models.BigIntegerField(null=True, blank=True)
    rows_done = models.BigIntegerField(default=0)
    rows_estimated = models.BooleanField(default=False)
    fraction = models.FloatField(null=True, blank=True)  # of the current stage, 0 to 1
    eta_seconds = models.FloatField(null=True, blank=True)
    # Running: where (host:pid), since when, alive when; how many attempts so far.
    queued = models.BooleanField(default=True)  # False: run in the caller's process (CLI)
    worker = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=1)
    cancel_requested = models.BooleanField(default=False)
    # Each failed attempt: {"attempt", "at", "error", "retry_in"} (seconds until the next
    # attempt; None after the last). What the producer reads when a source is retried.
    attempt_log = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "heartbeat_at"]),
            models.Index(fields=["organisation", "-created_at"]),
            models.Index(fields=["created_by", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"job {self.pk} ({self.kind}, {self.status})"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED
