"""The record of processing activities (GDPR article 30 § 1), one row per activity.

An activity names the datasets that serve it: a dataset whose version holds personal data is
published only once it is linked to one (``publication.check_processing_activity``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from territoria.governance.gdpr.dpia import CRITERIA, dpia_required


class LegalBasis(models.TextChoices):
    """Article 6 § 1 (a)–(f)."""

    CONSENT = "consent", _("Consent (art. 6.1.a)")
    CONTRACT = "contract", _("Performance of a contract (art. 6.1.b)")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (art. 6.1.c)")
    VITAL_INTERESTS = "vital_interests", _("Vital interests (art. 6.1.d)")
    PUBLIC_TASK = "public_task", _("Task in the public interest or official authority (art. 6.1.e)")
    LEGITIMATE_INTERESTS = "legitimate_interests", _("Legitimate interests (art. 6.1.f)")


class SpecialCategory(models.TextChoices):
    """Article 9 § 1, and data about criminal convictions and offences (article 10)."""

    ORIGIN = "origin", _("Racial or ethnic origin")
    POLITICAL = "political", _("Political opinions")
    BELIEFS = "beliefs", _("Religious or philosophical beliefs")
    TRADE_UNION = "trade_union", _("Trade union membership")
    GENETIC = "genetic", _("Genetic data")
    BIOMETRIC = "biometric", _("Biometric data for identification")
    HEALTH = "health", _("Health data")
    SEX_LIFE = "sex_life", _("Sex life or sexual orientation")
    CRIMINAL = "criminal", _("Criminal convictions and offences (art. 10)")


def check_special_categories(value) -> None:
    if not isinstance(value, list) or any(v not in SpecialCategory.values for v in value):
        raise ValidationError(_("Unknown special category of data."))


def _criterion(label) -> models.BooleanField:
    return models.BooleanField(label, default=False)


class ProcessingActivity(models.Model):
    name = models.CharField(_("name"), max_length=250)
    controller = models.ForeignKey(
        "catalog.Organisation",
        on_delete=models.PROTECT,
        related_name="processing_activities",
        verbose_name=_("controller"),
    )
    controller_contact = models.TextField(
        _("controller's contact"), blank=True, help_text=_("Name, address, e-mail, telephone.")
    )
    dpo_name = models.CharField(_("data protection officer"), max_length=200, blank=True)
    dpo_email = models.EmailField(_("DPO e-mail"), blank=True)
    purposes = models.TextField(_("purposes"))
    legal_basis = models.CharField(_("legal basis"), max_length=30, choices=LegalBasis.choices)
    data_subjects = models.TextField(
        _("categories of data subjects"), help_text=_("e.g. residents, agents, applicants.")
    )
    personal_data = models.TextField(
        _("categories of personal data"), help_text=_("e.g. identity, address, income.")
    )
    special_categories = models.JSONField(
        _("special categories of data (art. 9)"),
        default=list,
        blank=True,
        validators=[check_special_categories],
    )
    recipients = models.TextField(_("recipients"), blank=True)
    transfers_outside_eu = models.BooleanField(_("transfers outside the EU"), default=False)
    transfer_destinations = models.TextField(
        _("third countries or international organisations"), blank=True
    )
    transfer_safeguards = models.TextField(
        _("safeguards of the transfers"),
        blank=True,
        help_text=_("e.g. adequacy decision, standard contractual clauses (art. 45–46)."),
    )
    retention = models.TextField(_("retention periods"))
    security_measures = models.TextField(_("security measures"), blank=True)
    dpia_evaluation = _criterion(CRITERIA[0][1])
    dpia_automated_decision = _criterion(CRITERIA[1][1])
    dpia_systematic_monitoring = _criterion(CRITERIA[2][1])
    dpia_sensitive_data = _criterion(CRITERIA[3][1])
    dpia_large_scale = _criterion(CRITERIA[4][1])
    dpia_matching = _criterion(CRITERIA[5][1])
    dpia_vulnerable_persons = _criterion(CRITERIA[6][1])
    dpia_innovative_use = _criterion(CRITERIA[7][1])
    dpia_prevents_right = _criterion(CRITERIA[8][1])
    datasets = models.ManyToManyField(
        "catalog.Dataset",
        blank=True,
        related_name="processing_activities",
        verbose_name=_("datasets"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.transfers_outside_eu and not self.transfer_safeguards.strip():
            message = _("Say which safeguards cover the transfers outside the EU.")
            raise ValidationError({"transfer_safeguards": message})

    @property
    def dpia_required(self) -> bool:
        return dpia_required(self)

    def special_category_labels(self) -> list[str]:
        labels = dict(SpecialCategory.choices)
        return [str(labels[v]) for v in self.special_categories if v in labels]
