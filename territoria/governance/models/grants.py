"""Grants: an organisation named on a `partners` or `restricted` dataset may read it.

The data-protection issue turns a grant into a full sharing agreement (purpose, duration,
signatories); the gate only needs "which organisations, until when".
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DatasetGrant(models.Model):
    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.CASCADE, related_name="grants")
    organisation = models.ForeignKey(
        "catalog.Organisation", on_delete=models.CASCADE, related_name="grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "organisation"], name="unique_grant")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.dataset}"
