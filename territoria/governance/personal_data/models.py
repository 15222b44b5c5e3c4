"""Findings of the personal-data scan, one per column and kind, and how a steward resolved them.

A finding is *open* until a steward resolves it: by dropping, pseudonymising or generalising
the column (a processing step of the resource, so every later version is processed the same
way), or by recording the legal ground that allows publishing it as it is (decision 0023).
While a version has open findings it cannot be published in an open dataset.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FindingKind(models.TextChoices):
    """The kinds ``datastore/personal_data.py`` reports (its ``KINDS``)."""

    EMAIL = "email", _("e-mail address")
    PHONE = "phone", _("phone number")
    NIR = "nir", _("social security number (NIR)")
    IBAN = "iban", _("bank account (IBAN)")
    BIRTH_DATE = "birth_date", _("date of birth")
    FIRST_NAME = "first_name", _("first name")
    LAST_NAME = "last_name", _("surname")
    ADDRESS = "address", _("postal address")
    COORDINATES = "coordinates", _("precise coordinates")
    SIRET_SOLE_TRADER = "siret_sole_trader", _("SIRET of a sole trader")
    FREE_TEXT = "free_text", _("persons named in free text")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("to review")
    RESOLVED = "resolved", _("resolved")


class Resolution(models.TextChoices):
    DROP = "drop", _("column dropped")
    PSEUDONYMISE = "pseudonymise", _("column pseudonymised")
    GENERALISE = "generalise", _("column generalised")
    LEGAL_GROUND = "legal_ground", _("published on a legal ground")


class LegalGround(models.TextChoices):
    """Why personal data may be published as it is. CRPA L312-1-2 requires anonymisation
    unless a law provides otherwise, the persons agreed, or the document is of a category
    listed by article D312-1-3 (decree 2018-1117)."""

    CRPA_ADMINISTRATION = (
        "crpa_administration",
        _("CRPA D312-1-3: organisation of the administration (organisation charts, directories)"),
    )
    CRPA_ELECTED = (
        "crpa_elected",
        _("CRPA D312-1-3: elected officials (e.g. the national register of elected officials)"),
    )
    CRPA_PROFESSIONS = (
        "crpa_professions",
        _("CRPA D312-1-3: regulated professions (directories of professionals)"),
    )
    CONSENT = "consent", _("the persons concerned agreed (CRPA L312-1-2)")
    LAW = "law", _("another legal provision (give its reference)")
    NOT_PERSONAL = "not_personal", _("not personal data (a false positive of the scan)")


class PersonalDataFinding(models.Model):
    version = models.ForeignKey(
        "catalog.Version", on_delete=models.CASCADE, related_name="personal_data_findings"
    )
    column = models.CharField(_("column"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=FindingKind.choices)
    confidence = models.FloatField(_("confidence"))
    matched_count = models.PositiveIntegerField(default=0)
    sampled_count = models.PositiveIntegerField(default=0)
    examples = models.JSONField(default=list, blank=True, help_text="masked examples")
    reason = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    resolution = models.CharField(
        _("resolution"), max_length=20, choices=Resolution.choices, blank=True
    )
    legal_ground = models.CharField(
        _("legal ground"), max_length=30, choices=LegalGround.choices, blank=True
    )
    legal_reference = models.CharField(_("reference"), max_length=300, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["version_id", "id"]
        verbose_name = _("personal-data finding")
        verbose_name_plural = _("personal-data findings")
        indexes = [models.Index(fields=["version", "status"])]

    def __str__(self) -> str:
        return f"{self.column}: {self.kind} ({self.status})"
