"""Access requests: a partner asks to read a dataset beyond what it sees; a steward approves
(drafting a sharing agreement) or refuses with a reason (issue 6, decision 0026).

The request keeps the dataset's reference as the partner typed it, and the dataset it matches
if any — looked up server-side without the gate and never shown to the requester, so that a
request is no way to learn whether a private dataset exists.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from territoria.governance.models.agreements import LegalBasis


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    WITHDRAWN = "withdrawn", _("withdrawn")


class AccessRequest(models.Model):
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="access_requests",
        verbose_name=_("requester"),
    )
    organisation = models.ForeignKey(
        "catalog.Organisation",
        on_delete=models.CASCADE,
        related_name="access_requests",
        verbose_name=_("organisation"),
    )
    reference = models.CharField(_("dataset as typed"), max_length=300)
    dataset = models.ForeignKey(
        "catalog.Dataset",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="access_requests",
        verbose_name=_("dataset"),
    )
    purpose = models.TextField(_("purpose"), max_length=2000)
    legal_basis = models.CharField(_("legal basis"), max_length=30, choices=LegalBasis.choices)
    details = models.TextField(_("desired columns and period"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    agreement = models.ForeignKey(
        "governance.SharingAgreement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="access_requests",
        verbose_name=_("drafted agreement"),
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.reference}"
