"""Harvest sources, what each run did, and the datasets it brought in (decision 0021).

A ``HarvestSource`` is another portal (CKAN, udata, Opendatasoft, DCAT) whose datasets are
copied into one of our organisations. A ``HarvestedDataset`` ties one remote dataset, by the
source's own identifier or URI (never its slug, which may be renamed), to our ``Dataset``.
A ``HarvestRun`` is the report of one gather → fetch → import.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from territoria.catalog.enums import AccessLevel, RefreshFrequency


class HarvestKind(models.TextChoices):
    CKAN = "ckan", _("CKAN (Action API)")
    UDATA = "udata", _("udata (API v1)")
    ODS = "ods", _("Opendatasoft (Explore v2.1)")
    DCAT = "dcat", _("DCAT (RDF, Turtle, JSON-LD)")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    PARTIAL = "partial", _("Partly failed")
    FAILED = "failed", _("Failed")


class HarvestSource(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=HarvestKind.choices)
    url = models.URLField(_("URL"), max_length=2000, help_text=_("The portal's root address."))
    organisation = models.ForeignKey(
        "catalog.Organisation",
        on_delete=models.PROTECT,
        related_name="harvest_sources",
        verbose_name=_("receiving organisation"),
    )
    access_level = models.CharField(
        _("access level of harvested datasets"),
        max_length=12,
        choices=AccessLevel.choices,
        default=AccessLevel.OPEN,
    )
    frequency = models.CharField(
        _("harvest frequency"), max_length=10, choices=RefreshFrequency.choices, blank=True
    )
    grace_days = models.PositiveIntegerField(
        _("grace period (days)"),
        default=7,
        help_text=_("Days a dataset gone from the source is kept before it is archived."),
    )
    active = models.BooleanField(_("active"), default=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("harvest source")
        verbose_name_plural = _("harvest sources")

    def __str__(self) -> str:
        return self.name


class HarvestedDataset(models.Model):
    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="datasets")
    remote_id = models.CharField(_("remote identifier or URI"), max_length=1000)
    dataset = models.OneToOneField(
        "catalog.Dataset", on_delete=models.CASCADE, related_name="harvested"
    )
    remote_slug = models.CharField(_("remote slug"), max_length=300, blank=True)
    remote_url = models.URLField(_("remote page"), max_length=2000, blank=True)
    remote_modified = models.CharField(max_length=100, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"))
    synced_at = models.DateTimeField(_("last synchronised"))
    missing_since = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    class Meta:
        ordering = ["source", "remote_slug"]
        verbose_name = _("harvested dataset")
        verbose_name_plural = _("harvested datasets")
        constraints = [
            models.UniqueConstraint(fields=["source", "remote_id"], name="unique_remote_id")
        ]

    def __str__(self) -> str:
        return f"{self.source} / {self.remote_slug or self.remote_id}"


class HarvestRun(models.Model):
    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    removed = models.PositiveIntegerField(_("removed"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    # [{"remote_id": …, "slug": …, "reason": …}]; a run-level failure has remote_id "".
    failures = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("harvest run")
        verbose_name_plural = _("harvest runs")

    def __str__(self) -> str:
        return f"{self.source} @ {self.started_at:%Y-%m-%d %H:%M}"
